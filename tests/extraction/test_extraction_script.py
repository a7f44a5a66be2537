"""scripts/extract_outcome.py: the thin adapter of rule extract_outcome, run without Snakemake."""

from __future__ import annotations

import importlib.util
import logging
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import EXAMPLE, OUTCOMES_CONFIG, REPO

from srma.errors import InputError
from srma.extraction import EffectTableSchema, ExtractionSettings
from srma.io.tables import write_csv


def _script():
    spec = importlib.util.spec_from_file_location(
        "extract_outcome_script", REPO / "scripts" / "extract_outcome.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _inputs(studies, outcome_data, included=()):
    return SimpleNamespace(
        studies=str(studies), outcome_data=str(outcome_data), included=list(included)
    )


def test_script_writes_one_outcomes_effect_table(tmp_path):
    from srma.config import load_config

    config = load_config(REPO / "config" / "config.yaml", review_dir=REPO)
    entry = next(o for o in config["outcomes"] if o["id"] == "quality_of_life")
    out = tmp_path / "quality_of_life.effects.parquet"
    _script().main(
        _inputs(EXAMPLE / "studies.csv", EXAMPLE / "outcomes.csv"),
        str(out),
        entry,
        ExtractionSettings().to_config(),
        logging.getLogger("test"),
    )
    eff = EffectTableSchema.validate(pd.read_parquet(out))
    assert set(eff["outcome"]) == {"quality_of_life"}
    assert sorted(eff["study_id"].unique()) == ["fardig2011", "levitt2009", "salyers2014"]
    assert len(eff) == 6


def test_script_checks_only_its_outcome_but_every_study(tmp_path, studies, outcome_data):
    broken = outcome_data.copy()
    broken.loc[3, "sd_intervention"] = "0"  # a symptoms row
    write_csv(studies, tmp_path / "studies.csv")
    write_csv(broken, tmp_path / "outcomes.csv")
    inputs = _inputs(tmp_path / "studies.csv", tmp_path / "outcomes.csv")
    settings = ExtractionSettings().to_config()
    log = logging.getLogger("test")
    recovery, symptoms = OUTCOMES_CONFIG
    _script().main(inputs, str(tmp_path / "r.parquet"), recovery, settings, log)
    with pytest.raises(InputError, match="row 5, column 'sd_intervention'"):
        _script().main(inputs, str(tmp_path / "s.parquet"), symptoms, settings, log)
    assert not (tmp_path / "s.parquet").exists()
    # against screening: a study that was not included stops every outcome
    included = pd.DataFrame({"work_id": ["W1"], "study_id": ["alpha2019"]})
    write_csv(included, tmp_path / "included.csv")
    inputs = _inputs(
        tmp_path / "studies.csv", tmp_path / "outcomes.csv", [tmp_path / "included.csv"]
    )
    with pytest.raises(InputError, match="not included at screening"):
        _script().main(inputs, str(tmp_path / "r.parquet"), recovery, settings, log)
