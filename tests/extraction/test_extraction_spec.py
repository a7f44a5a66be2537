"""Outcome declarations and extraction settings (srma.extraction.spec) and their config schema."""

from __future__ import annotations

import copy

import pytest
from conftest import OUTCOMES_CONFIG

from srma.config import load_schema, validate_config
from srma.effects import ROUTES
from srma.errors import InputError
from srma.extraction import ExtractionSettings, OutcomeSpec, outcome_specs

MINIMAL = {
    "review": {"title": "A review"},
    "sources": [{"id": "pubmed", "path": "data/exports/pubmed.nbib", "database": "PubMed"}],
}


def test_specs_from_config_and_back():
    specs = outcome_specs(OUTCOMES_CONFIG)
    rec = specs["recovery"]
    assert rec.instrument_ids == ("scale_a", "scale_b")
    assert rec.combine == "aggregate" and rec.rho == 0.6 and rec.measure == "SMD"
    assert rec.describe_combine() == "aggregate (rho = 0.6)"
    sym = specs["symptoms"]
    assert sym.instrument("panss").higher_is_better is False
    assert sym.describe_combine() == "priority: panss > bprs"
    assert OutcomeSpec.from_config(sym.to_config()) == sym
    assert OutcomeSpec.from_config(rec.to_config()) == rec


def test_outcome_config_problems_all_at_once():
    bad = copy.deepcopy(OUTCOMES_CONFIG)
    bad[0]["instruments"].append(dict(bad[0]["instruments"][0]))  # duplicate instrument
    del bad[0]["rho"]  # aggregate without rho
    bad[1]["id"] = "recovery"  # duplicate outcome id
    bad.append(
        {
            "id": "md_out",
            "label": "MD",
            "measure": "MD",
            "combine": "aggregate",
            "rho": 2,
            "instruments": [{"id": "x", "label": "X"}],
        }
    )
    with pytest.raises(InputError) as err:
        outcome_specs(bad)
    got = {(p.column, p.message.split(" ")[0]) for p in err.value.problems}
    columns = [p.column for p in err.value.problems]
    assert "outcomes[0].instruments[2].id" in columns
    assert "outcomes[0].rho" in columns
    assert "outcomes[1].id" in columns
    assert "outcomes[2].rho" in columns  # rho outside (-1, 1)
    assert "outcomes[2].combine" in columns  # aggregating raw MDs of different scales
    assert "outcomes[2].instruments[0].higher_is_better" in columns
    assert len(got) == len(err.value.problems)
    assert all(p.file == "config/config.yaml" for p in err.value.problems)


def test_settings_defaults_equal_the_schema_defaults():
    schema = load_schema()
    props = schema["properties"]["extraction"]["properties"]
    defaults = ExtractionSettings()
    from_schema = ExtractionSettings.from_config(
        {key: spec["default"] for key, spec in props.items() if "default" in spec}
    )
    assert from_schema == defaults
    assert defaults.routes == ROUTES
    assert defaults.timepoint_ids == ("post", "followup")
    assert ExtractionSettings.from_config(defaults.to_config()) == defaults


def test_config_schema_fills_defaults_and_requires_direction():
    cfg = copy.deepcopy(MINIMAL)
    cfg["outcomes"] = [
        {
            "id": "hope",
            "label": "Hope",
            "instruments": [{"id": "ahs", "label": "AHS", "higher_is_better": True}],
        }
    ]
    validate_config(cfg)
    assert cfg["outcomes"][0]["combine"] == "priority"
    assert cfg["outcomes"][0]["measure"] == "SMD"
    assert cfg["extraction"]["outcome_data"] == "data/extraction/outcomes.csv"
    assert cfg["extraction"]["check_included"] is True
    assert [c["id"] for c in cfg["extraction"]["comparator_types"]] == ["tau", "wl", "active"]

    bad = copy.deepcopy(MINIMAL)
    bad["outcomes"] = [
        {
            "id": "Hope",
            "label": "Hope",
            "combine": "aggregate",
            "instruments": [{"id": "ahs", "label": "AHS"}],
        }
    ]
    bad["extraction"] = {"studys": "x.csv"}
    with pytest.raises(InputError) as err:
        validate_config(bad)
    text = str(err.value)
    assert "higher_is_better" in text  # no default: the direction must be decided
    assert "outcomes[0].rho" in text and "type number" in text  # aggregate needs rho
    assert "outcomes[0].id" in text  # not an id
    assert "did you mean 'studies'" in text.lower()


def test_example_config_declares_every_outcome(repo):
    from srma.config import load_config

    cfg = load_config(repo / "config" / "config.yaml", review_dir=repo)
    specs = outcome_specs(cfg["outcomes"])
    assert list(specs) == [
        "personal_recovery",
        "global_functioning",
        "social_functioning",
        "hope",
        "perceived_social_support",
        "quality_of_life",
        "substance_abuse",
        "knowledge_of_illness",
    ]
    assert specs["personal_recovery"].combine == "aggregate"
    assert specs["substance_abuse"].instrument("substance_use_scale").higher_is_better is False
