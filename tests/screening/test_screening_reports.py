from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from srma.errors import InputError
from srma.screening import (
    ScreeningRules,
    conflict_sheet,
    exclusion_reasons,
    included_reports,
    resolve,
    screening_sheet,
    validate_consensus,
    validate_log,
    validate_studies,
)
from srma.screening.reports import SHEET_COLUMNS, tally_reasons

TA, FT = "title_abstract", "full_text"

WORKS = pd.DataFrame(
    {
        "work_id": [f"W{i}" for i in range(1, 9)],
        "stream": ["databases"] * 6 + ["other_methods"] * 2,
        "title": [f"Title {i}" for i in range(1, 9)],
        "authors": [["Goh, Y. S.", "Li, A. Z."]] + [["Author, A."]] * 7,
        "year": [2010 + i for i in range(8)],
        "journal": ["J"] * 8,
        "doi": [f"10.5555/{i}" for i in range(8)],
        "abstract": ["..."] * 8,
    }
)


def make_log(rows):
    frame = pd.DataFrame(
        [
            dict(zip(["work_id", "stage", "reviewer", "decision", "reason"], r, strict=False))
            for r in rows
        ]
    ).fillna("")
    return validate_log(frame.astype(str), file="log.csv")


def both(work, stage, decision, reason=""):
    return [(work, stage, "alice", decision, reason), (work, stage, "bob", decision, reason)]


@pytest.fixture
def finished():
    rows = []
    for w in ("W1", "W2", "W3", "W4", "W7"):
        rows += both(w, TA, "include")
    for w in ("W5", "W6", "W8"):
        rows += both(w, TA, "exclude")
    rows += both("W1", FT, "include")
    rows += both("W2", FT, "include")
    rows += both("W3", FT, "exclude", "wrong population")
    rows += both("W4", FT, "exclude", "Wrong Population")
    rows += both("W7", FT, "exclude", "wrong design")
    return resolve(make_log(rows), WORKS)


def test_tally_reasons_is_case_insensitive_and_sorted():
    got = tally_reasons(
        ["b", "Wrong  population", "wrong population", "a", "wrong population", "b"]
    )
    assert got == [("wrong population", 3), ("b", 2), ("a", 1)]


def test_exclusion_reasons(finished):
    table = exclusion_reasons(finished.decisions)
    # one count per reason whatever its case; equally frequent spellings: the first
    # in sort order is shown
    assert table.values.tolist() == [
        ["databases", FT, "Wrong Population", 2],
        ["other_methods", FT, "wrong design", 1],
    ]


def test_included_reports_each_its_own_study_by_default(finished):
    inc = included_reports(finished.decisions, WORKS)
    assert inc[["study_id", "work_id", "stream", "title"]].values.tolist() == [
        ["W1", "W1", "databases", "Title 1"],
        ["W2", "W2", "databases", "Title 2"],
    ]
    assert inc["year"].tolist() == [2010, 2011]


def test_included_reports_grouped_into_studies(finished):
    studies = validate_studies(
        pd.DataFrame({"work_id": ["W2", "W1", "W5"], "study_id": ["dalum_2016"] * 3}), file="s.csv"
    )
    inc = included_reports(finished.decisions, WORKS, studies)
    assert inc[["study_id", "work_id"]].values.tolist() == [
        ["dalum_2016", "W1"],
        ["dalum_2016", "W2"],
    ]
    bad = validate_studies(pd.DataFrame({"work_id": ["W99"], "study_id": ["x"]}), file="s.csv")
    with pytest.raises(InputError, match="names a work that is not in the review"):
        included_reports(finished.decisions, WORKS, bad)


def test_screening_sheets_and_round_trip():
    rows = both("W1", TA, "include") + both("W2", TA, "exclude")
    rows += [("W3", TA, "alice", "include", "")]  # bob still has to screen W3
    rows += both("W1", FT, "include")
    rules = ScreeningRules(allow_pending=True)
    res = resolve(make_log(rows), WORKS, rules=rules)

    sheet = screening_sheet(WORKS, res, TA)
    assert list(sheet.columns) == SHEET_COLUMNS
    assert sheet["work_id"].tolist() == ["W3", "W4", "W5", "W6", "W7", "W8"]
    assert sheet[["decision", "reason", "note"]].isna().all().all()

    bob = screening_sheet(WORKS, res, TA, reviewer="bob")
    assert bob["work_id"].tolist() == ["W3", "W4", "W5", "W6", "W7", "W8"]
    alice = screening_sheet(WORKS, res, TA, reviewer="alice")
    assert alice["work_id"].tolist() == ["W4", "W5", "W6", "W7", "W8"]
    assert (alice["reviewer"] == "alice").all()
    first = WORKS.set_index("work_id")
    assert bob.iloc[0]["title"] == first.loc["W3", "title"]

    # full-text sheets list only works that passed title/abstract and lack decisions
    assert screening_sheet(WORKS, res, FT)["work_id"].tolist() == []

    # bob fills in his sheet; it reads back as a log and completes W3
    filled = bob.assign(decision=["include", "exclude", "exclude", "exclude", "exclude", "exclude"])
    filled = filled.astype({"year": str}).fillna("").astype(str)
    back = validate_log(filled, file="bob_sheet.csv")
    log2 = pd.concat([make_log(rows), back], ignore_index=True)
    res2 = resolve(log2, WORKS, rules=rules)
    assert res2.final(TA).set_index("work_id").loc["W3", "basis"] == "agreement"


def test_conflict_sheet_feeds_the_consensus_file():
    rows = [("W1", TA, "alice", "include", ""), ("W1", TA, "bob", "exclude", "")]
    for w in ("W2", "W3", "W4", "W5", "W6", "W7", "W8"):
        rows += both(w, TA, "exclude")
    rules = ScreeningRules(allow_pending=True)
    res = resolve(make_log(rows), WORKS, rules=rules)
    sheet = conflict_sheet(WORKS, res)
    assert sheet[["work_id", "stage", "votes"]].values.tolist() == [
        ["W1", TA, "alice=include; bob=exclude"]
    ]
    settled = sheet.assign(decision="exclude").fillna("").astype(str)
    cons = validate_consensus(settled, file="consensus.csv")
    res2 = resolve(make_log(rows), WORKS, cons, dataclasses.replace(rules, allow_pending=False))
    assert res2.final(TA).set_index("work_id").loc["W1", "basis"] == "consensus"




@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_sheet_written_by_srma_io_reads_back_as_a_log(tmp_path, suffix):
    from srma.io.tables import write_csv, write_xlsx
    from srma.screening import read_log

    rules = ScreeningRules(allow_pending=True)
    res = resolve(make_log(both("W1", TA, "include")), WORKS, rules=rules)
    sheet = screening_sheet(WORKS, res, TA, reviewer="carol")
    sheet.loc[0, "title"] = '=HYPERLINK("http://x")'  # formula-like text is neutralised
    sheet["decision"] = ["exclude"] * len(sheet)
    sheet.loc[0, "decision"] = "include"
    path = tmp_path / f"carol.{suffix}"
    (write_csv if suffix == "csv" else write_xlsx)(sheet, path)
    log = read_log(path)
    assert log["work_id"].tolist() == ["W2", "W3", "W4", "W5", "W6", "W7", "W8"]
    assert log["decision"].tolist() == ["include"] + ["exclude"] * 6
    assert (log["reviewer"] == "carol").all()
    assert log["row"].tolist() == list(range(2, 9))
