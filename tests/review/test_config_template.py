from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from srma.config import load_schema, read_yaml, validate_config
from srma.review.config_template import config_text, describe, flow, schema_keys, slug


@pytest.fixture(scope="module")
def schema(repo: Path):
    return load_schema(repo / "workflow" / "schemas" / "config.schema.yaml")


@pytest.fixture(scope="module")
def reference(repo: Path):
    return read_yaml(repo / "config" / "config.yaml")


@pytest.fixture(scope="module")
def text(schema, reference) -> str:
    return config_text(
        schema, title="My review: IMR", review_id="my_review", reference=reference, header=["hi"]
    )


def _comments(text: str) -> str:
    """Every comment line's text, joined by spaces (undoes the wrapping)."""
    parts = [line.strip()[1:].strip() for line in text.splitlines() if line.strip().startswith("#")]
    return " ".join(" ".join(parts).split())


def _with_source(config: dict) -> dict:
    config = copy.deepcopy(config)
    config["sources"] = [{"id": "pubmed", "path": "data/exports/pubmed.nbib", "database": "PubMed"}]
    return config


def test_helpers():
    assert slug("My Review (2025)") == "my_review_2025"
    assert slug("***") == "review"
    assert flow({"id": "post", "label": "Post-test"}) == "{id: post, label: Post-test}"
    assert flow(0.1) == "0.1" and flow(None) == "null" and flow([]) == "[]"
    assert describe({"description": "the test", "enum": ["z", "knha"]}, ["default z"]) == (
        "The test (one of: z, knha; default z)."
    )


def test_every_key_of_the_schema_is_explained(schema, text):
    comments = _comments(text).lower()
    keys = schema_keys(schema)
    assert len(keys) > 60
    for path, node, _ in keys:
        wanted = " ".join(node["description"].split()).rstrip(".").lower()
        assert wanted in comments, f"{path}: {wanted!r} is not among the comments"
        for value in node.get("enum") or []:
            assert flow(value).lower() in comments


def test_it_is_valid_once_a_source_is_listed(schema, text):
    config = yaml.safe_load(text)
    assert config["sources"] == []
    validated = validate_config(_with_source(config), schema=schema)
    assert validated["review"] == {"title": "My review: IMR", "id": "my_review"}


def test_every_key_with_a_default_is_written_out(schema, text):
    """Validation fills in nothing: the file shows every value the workflow will use."""
    config = _with_source(yaml.safe_load(text))
    filled = validate_config(copy.deepcopy(config), schema=schema)
    del filled["sources"], config["sources"]  # the entry added here leaves defaults out
    assert filled == config


def test_the_analysis_plan_is_the_reference_reviews(schema, reference, text):
    config = yaml.safe_load(text)
    plan = {k: v for k, v in reference["analysis"].items() if k != "overrides"}
    assert plan, "the example review has an analysis plan"
    for key, value in plan.items():
        assert config["analysis"][key] == value, key
    # its overrides name the example's outcomes: not carried over
    assert config["analysis"]["overrides"] == []
    # the rest are the schema's defaults
    assert config["figures"]["favours_intervention"] == "Favours [intervention]"
    assert config["outcomes"] == []


def test_commented_examples_are_valid_yaml(schema, reference, text):
    """The commented sources and outcomes examples, uncommented, validate."""
    lines = text.splitlines()
    blocks = {}
    for key in ("sources", "outcomes"):
        start = lines.index(f"# {key}:")
        block = []
        for line in lines[start:]:
            if not line.startswith("#"):
                break
            block.append(line[2:])
        blocks[key] = yaml.safe_load("\n".join(block))[key]
    config = yaml.safe_load(text)
    config.update(blocks)
    validate_config(config, schema=schema)
    assert blocks["outcomes"][0]["id"] == reference["outcomes"][0]["id"]


def test_xlsx_tables(schema, reference):
    config = yaml.safe_load(
        config_text(schema, title="t", review_id="t", reference=reference, table_suffix=".xlsx")
    )
    assert config["dedup"]["decisions"] == "data/dedup/decisions.xlsx"
    assert config["screening"]["logs"] == [
        "data/screening/title_abstract.xlsx",
        "data/screening/full_text.xlsx",
    ]
    assert config["extraction"]["outcome_data"] == "data/extraction/outcomes.xlsx"
    # written by the workflow: not a table the reviewer fills in
    assert config["extraction"]["included_studies"] == "results/screening/included_studies.csv"
    with pytest.raises(ValueError):
        config_text(schema, title="t", review_id="t", table_suffix=".ods")


def test_without_a_reference_the_defaults_are_used(schema):
    config = yaml.safe_load(config_text(schema, title="t", review_id="t"))
    assert (
        config["analysis"]["method"]
        == schema["properties"]["analysis"]["properties"]["method"]["default"]
    )
