"""docs/formats.md is generated (tools/make_formats_doc.py) and its examples are valid."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from srma.review import INPUT_TABLES
from srma.review.formats import EXAMPLES, column_docs


def _tool(repo: Path):
    spec = importlib.util.spec_from_file_location(
        "make_formats_doc", repo / "tools/make_formats_doc.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_file_is_the_generated_one(repo: Path):
    committed = (repo / "docs" / "formats.md").read_text(encoding="utf-8")
    assert committed == _tool(repo).generate(), (
        "docs/formats.md is out of date: run python tools/make_formats_doc.py"
    )


def test_every_table_and_column_is_documented(repo: Path):
    text = (repo / "docs" / "formats.md").read_text(encoding="utf-8")
    for table in INPUT_TABLES:
        assert f"### {table.title}\n" in text
        docs = column_docs(table)
        assert [d.name for d in docs] == list(table.columns)
        for d in docs:
            assert d.description, f"{table.name}.{d.name} has no description"
            assert f"| `{d.name}` |" in text


def test_required_columns_agree_with_the_readers():
    from srma.extraction.schema import OUTCOME_DATA_OPTIONAL, STUDY_OPTIONAL
    from srma.screening.schema import LOG_REQUIRED

    def required(name):
        table = next(t for t in INPUT_TABLES if t.name == name)
        return {d.name for d in column_docs(table) if d.required}

    studies = next(t for t in INPUT_TABLES if t.name == "extraction_studies")
    assert required("extraction_studies") == set(studies.columns) - set(STUDY_OPTIONAL)
    outcomes = next(t for t in INPUT_TABLES if t.name == "extraction_outcomes")
    assert required("extraction_outcomes") == set(outcomes.columns) - set(OUTCOME_DATA_OPTIONAL)
    assert required("screening_log_title_abstract") == set(LOG_REQUIRED)
    assert required("extraction_risk_of_bias") == {
        "study_id", "tool", "domain", "judgement", "support", "source"
    }  # fmt: skip
    assert required("dedup_decisions") == {"pair_id", "decision"}


def test_allowed_values_come_from_the_models():
    by_name = {t.name: t for t in INPUT_TABLES}
    log = {d.name: d for d in column_docs(by_name["screening_log_title_abstract"])}
    assert log["decision"].allowed == "one of: include, exclude, maybe"
    assert log["time"].type == "date or date-time" and log["time"].empty
    studies = {d.name: d for d in column_docs(by_name["extraction_studies"])}
    assert studies["year"].type == "whole number"
    assert studies["year"].allowed == ">= 1900; <= 2100"
    assert studies["study_id"].allowed == "lower-case letters, digits and _; unique"
    data = {d.name: d for d in column_docs(by_name["extraction_outcomes"])}
    assert data["p"].allowed == "> 0; < 1" and data["direction"].allowed == "one of: -1, 1"


def _frame(row: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame([row], dtype=str)


def test_every_table_has_an_example():
    assert set(EXAMPLES) == {t.name for t in INPUT_TABLES}
    for table in INPUT_TABLES:
        assert set(EXAMPLES[table.name]) <= set(table.columns), table.name


def test_screening_examples_are_read():
    from srma import screening as scr

    for name in ("screening_log_title_abstract", "screening_log_full_text"):
        assert len(scr.validate_log(_frame(EXAMPLES[name]), file="x")) == 1
    assert len(scr.validate_consensus(_frame(EXAMPLES["screening_consensus"]))) == 1
    assert len(scr.validate_studies(_frame(EXAMPLES["screening_studies"]))) == 1


def test_dedup_example_is_read():
    from srma.dedup.decisions import read_decisions

    decisions = read_decisions(_frame(EXAMPLES["dedup_decisions"]), ["proquest:31", "psycinfo:105"])
    assert decisions.same == [("proquest:31", "psycinfo:105")]


def test_extraction_examples_are_read_and_give_an_effect():
    from srma.extraction import (
        OutcomeSpec,
        outcome_effects,
        parse_risk_of_bias,
        validate_extraction,
    )

    spec = OutcomeSpec.from_config(
        {
            "id": "global_functioning",
            "label": "Global functioning",
            "instruments": [{"id": "gas", "label": "GAS", "higher_is_better": True}],
        }
    )
    extraction = validate_extraction(
        _frame(EXAMPLES["extraction_studies"]),
        _frame(EXAMPLES["extraction_outcomes"]),
        outcomes={spec.id: spec},
    )
    effects = outcome_effects(extraction.studies, extraction.outcome_data, spec)
    assert effects["usable"].tolist() == [True]
    # d = (81.12 - 52.2) / sqrt((24 * 14.3^2 + 24 * 16.8^2) / 48) = 1.854; g = d * (1 - 3 / 191)
    assert effects["yi"].iloc[0] == pytest.approx(1.8249, abs=5e-4)
    rob = parse_risk_of_bias(_frame(EXAMPLES["extraction_risk_of_bias"]))
    assert rob.problems == [] and len(rob.frame) == 1
