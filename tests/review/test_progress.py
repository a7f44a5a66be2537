from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from srma.io.tables import write_xlsx
from srma.review import next_steps, review_progress
from srma.review.progress import count_rows, has_content


def _config(review: Path) -> dict:
    return yaml.safe_load((review / "config" / "config.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("a,b\n", 0),
        ("a,b\n,\n , \n", 0),  # blank rows are not content
        ("a,b\n1,\n", 1),
        ("a,b\n1,2\n,\n3,4\n", 2),
    ],
)
def test_count_rows(tmp_path: Path, text: str, rows: int):
    path = tmp_path / "t.csv"
    path.write_text(text)
    assert count_rows(path) == rows


def test_count_rows_in_columns(tmp_path: Path):
    path = tmp_path / "log.csv"
    path.write_text("work_id,decision,reason\nW1,,\nW2,,\n")  # a sheet copied without decisions
    assert count_rows(path) == 2
    assert count_rows(path, ["decision", "reason"]) == 0
    path.write_text("work_id,decision\nW1,include\n")
    assert count_rows(path, ["decision", "reason"]) == 1  # reason may be left out
    assert count_rows(path, ["study_id"]) is None  # not this table: let its reader say so


def test_missing_and_unreadable(tmp_path: Path):
    assert count_rows(tmp_path / "none.csv") == 0
    assert not has_content(tmp_path / "none.csv")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01binary")
    assert count_rows(bad) is None
    assert has_content(bad)  # the step that reads it reports the problem


def test_xlsx(tmp_path: Path):
    import pandas as pd

    write_xlsx(pd.DataFrame({"a": ["x"], "b": [None]}), tmp_path / "t.xlsx")
    assert count_rows(tmp_path / "t.xlsx") == 1


def test_a_new_review_waits_for_screening(pristine: Path):
    progress = review_progress(_config(pristine), pristine)
    assert (progress.screening, progress.extraction, progress.risk_of_bias) == (False, False, False)
    assert len(progress.waiting) == 1
    assert progress.waiting[0].startswith(
        "no screening decisions yet: snakemake writes the works to screen to "
    )
    assert "results/screening/sheets/title_abstract.xlsx" in progress.waiting[0]
    assert "data/screening/title_abstract.csv" in progress.waiting[0]


def _screen(review: Path) -> None:
    (review / "data/screening/title_abstract.csv").write_text(
        "work_id,stage,reviewer,decision,reason,note,time\nW1,title_abstract,a,exclude,,,\n"
    )


def _extract(review: Path, studies=True, outcomes=True, rob=True) -> None:
    ext = review / "data" / "extraction"
    if studies:
        (ext / "studies.csv").write_text("study_id,label\ns1,S 1\n")
    if outcomes:
        (ext / "outcomes.csv").write_text("study_id,outcome\ns1,qol\n")
    if rob:
        (ext / "risk_of_bias.csv").write_text("study_id,tool\ns1,rob1\n")


OUTCOMES = [
    {
        "id": "qol",
        "label": "QoL",
        "instruments": [{"id": "x", "label": "X", "higher_is_better": True}],
    }
]


def test_screening_then_extraction(review: Path):
    config = _config(review)
    _screen(review)
    progress = review_progress(config, review)
    assert progress.screening and not progress.extraction
    assert [w.split(":")[0] for w in progress.waiting] == [
        "no extraction data yet",
        "no outcomes declared",
    ]
    assert "data/extraction/studies.csv (one row per included study)" in progress.waiting[0]
    _extract(review, rob=False)
    config["outcomes"] = OUTCOMES
    progress = review_progress(config, review)
    assert progress.extraction and not progress.risk_of_bias
    assert progress.waiting == (
        "no risk-of-bias judgements yet: fill in data/extraction/risk_of_bias.csv for the "
        "risk-of-bias figures",
    )
    _extract(review)
    progress = review_progress(config, review)
    assert (progress.screening, progress.extraction, progress.risk_of_bias) == (True, True, True)
    assert progress.waiting == ()


def test_extraction_waits_for_screening_when_checked_against_it(review: Path):
    config = _config(review)
    config["outcomes"] = OUTCOMES
    _extract(review)
    assert not review_progress(config, review).extraction
    config["extraction"]["check_included"] = False
    progress = review_progress(config, review)
    assert progress.extraction and not progress.screening


def test_next_steps_name_uncertain_pairs(review: Path):
    config = _config(review)
    dedup = review / "results" / "dedup"
    dedup.mkdir(parents=True)
    (dedup / "uncertain_pairs.csv").write_text("pair_id,score\na:1|b:2,0.8\na:3|b:4,0.7\n")
    sheets = review / "results" / "screening" / "sheets"
    sheets.mkdir(parents=True)
    (sheets / "title_abstract.csv").write_text("work_id\nW1\nW2\nW3\n")
    steps = next_steps(config, review)
    assert steps[0] == (
        "2 pair(s) of records may be duplicates: see results/dedup/uncertain_pairs.csv and "
        "write same/different for each pair_id in data/dedup/decisions.csv"
    )
    assert steps[1].startswith("no screening decisions yet: the 3 works to screen are in")
    assert len(steps) == 2
