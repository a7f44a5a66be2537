from __future__ import annotations

import pandas as pd
import pytest

from srma.errors import InputError
from srma.screening import (
    read_consensus,
    read_log,
    read_logs,
    read_studies,
    validate_consensus,
    validate_log,
    validate_studies,
)
from srma.screening.schema import LOG_COLUMNS, canonical_decision, canonical_stage


def log_frame(rows: list[dict]) -> pd.DataFrame:
    cols = ["work_id", "stage", "reviewer", "decision", "reason", "note", "time"]
    return pd.DataFrame([{c: r.get(c, "") for c in cols} for r in rows], dtype=str)


GOOD = {"work_id": "W1", "stage": "title_abstract", "reviewer": "alice", "decision": "include"}


def test_every_problem_is_reported_at_once_with_row_column_value_and_fix():
    frame = log_frame(
        [
            GOOD,  # row 2: fine
            {**GOOD, "decision": "perhaps"},  # row 3: unknown decision
            {**GOOD, "stage": "full_text", "decision": "exclude"},  # row 4: no reason
            {**GOOD, "stage": "abstract_only"},  # row 5: unknown stage
            {**GOOD, "reviewer": "  "},  # row 6: empty reviewer
            {**GOOD, "time": "yesterday"},  # row 7: unreadable time
        ]
    )
    with pytest.raises(InputError) as err:
        validate_log(frame, file="data/screening/alice.csv")
    problems = err.value.problems
    got = {(p.row, p.column) for p in problems}
    assert got == {(3, "decision"), (4, "reason"), (5, "stage"), (6, "reviewer"), (7, "time")}
    by_col = {p.column: p for p in problems}
    assert all(p.file == "data/screening/alice.csv" for p in problems)
    assert by_col["decision"].value == "perhaps"
    assert "include, exclude, maybe" in by_col["decision"].hint
    assert by_col["stage"].value == "abstract_only"
    assert "title_abstract" in by_col["stage"].hint
    assert "reason" in by_col["reason"].message
    assert by_col["time"].value == "yesterday"
    text = str(err.value)
    assert text.startswith("5 problems found:")
    assert "data/screening/alice.csv, row 3, column 'decision'" in text


def test_lenient_spelling_of_stage_and_decision():
    frame = log_frame(
        [
            {**GOOD, "stage": "Title/Abstract", "decision": "Included"},
            {
                **GOOD,
                "work_id": "W2",
                "stage": "Full text",
                "decision": "EXCLUDE",
                "reason": "wrong population",
            },
            {**GOOD, "work_id": "W3", "stage": "tiab", "decision": "Maybe"},
        ]
    )
    log = validate_log(frame, file="x.csv")
    assert log["stage"].tolist() == ["title_abstract", "full_text", "title_abstract"]
    assert log["decision"].tolist() == ["include", "exclude", "maybe"]
    assert canonical_stage(" full-text ") == "full_text"
    assert canonical_decision("no") == "exclude"


def test_rows_without_decision_are_skipped_and_rows_keep_spreadsheet_numbers():
    frame = log_frame(
        [
            GOOD,
            {"work_id": "W9", "stage": "title_abstract", "reviewer": "alice"},  # not screened
            {**GOOD, "work_id": "W3", "time": "2024-03-01T14:30"},
        ]
    )
    log = validate_log(frame, file="a.csv")
    assert list(log.columns) == LOG_COLUMNS
    assert log["work_id"].tolist() == ["W1", "W3"]
    assert log["row"].tolist() == [2, 4]  # data row i -> spreadsheet row i + 2
    assert log["file"].tolist() == ["a.csv", "a.csv"]
    assert log["time"].iloc[1] == pd.Timestamp("2024-03-01 14:30")
    assert pd.isna(log["time"].iloc[0])


def test_a_reason_without_decision_is_a_problem():
    frame = log_frame([{**GOOD, "decision": "", "reason": "wrong population"}])
    with pytest.raises(InputError) as err:
        validate_log(frame, file="a.csv")
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "decision")]


def test_unknown_and_missing_columns():
    frame = pd.DataFrame({"work_id": ["W1"], "stage": ["ta"], "reviewr": ["a"], "decison": ["x"]})
    with pytest.raises(InputError) as err:
        validate_log(frame, file="a.csv")
    msgs = [p.message for p in err.value.problems]
    assert "unknown column 'reviewr' in the screening log" in msgs
    assert "the screening log has no column 'decision'" in msgs
    hints = " ".join(p.hint or "" for p in err.value.problems)
    assert "did you mean 'reviewer'?" in hints


def test_sheet_display_columns_are_ignored():
    frame = log_frame([GOOD]).assign(title="A title", abstract="...", doi="10.1/x")
    log = validate_log(frame, file="sheet.csv")
    assert list(log.columns) == LOG_COLUMNS


def test_consensus_schema():
    frame = pd.DataFrame(
        {
            "work_id": ["W1", "W1", "W2", "W3"],
            "stage": ["full_text", "full_text", "title_abstract", "full_text"],
            "decision": ["exclude", "include", "maybe", "include"],
            "reason": ["", "", "", ""],
        }
    )
    with pytest.raises(InputError) as err:
        validate_consensus(frame, file="consensus.csv")
    got = {(p.row, p.column) for p in err.value.problems}
    # row 2: full-text exclusion without reason; row 3: second W1 full_text row;
    # row 4: a consensus cannot be "maybe"
    assert got == {(2, "reason"), (3, "work_id"), (4, "decision")}
    ok = validate_consensus(frame.iloc[[3]], file="c.csv")
    assert ok["decision"].tolist() == ["include"]


def test_studies_schema():
    with pytest.raises(InputError) as err:
        validate_studies(
            pd.DataFrame(
                {"work_id": ["W1", "W1", "W2"], "study_id": ["dalum_2016", "x", "Bad Id"]}
            ),
            file="studies.csv",
        )
    got = sorted((p.row, p.column) for p in err.value.problems)
    assert got == [(2, "work_id"), (3, "work_id"), (4, "study_id")]


def test_read_csv_and_xlsx_files(tmp_path):
    frame = log_frame([GOOD, {**GOOD, "work_id": "W2", "decision": "exclude"}])
    frame.to_csv(tmp_path / "bob.csv", index=False)
    frame.assign(reviewer="carol").to_excel(tmp_path / "carol.xlsx", index=False)
    log = read_logs([tmp_path / "carol.xlsx", tmp_path / "bob.csv"])
    assert log["reviewer"].tolist() == ["alice", "alice", "carol", "carol"]  # sorted by path
    assert log["file"].iloc[0].endswith("bob.csv")
    assert read_log(tmp_path / "bob.csv")["work_id"].tolist() == ["W1", "W2"]


def test_problems_of_several_files_are_reported_together(tmp_path):
    log_frame([{**GOOD, "decision": "?"}]).to_csv(tmp_path / "a.csv", index=False)
    log_frame([{**GOOD, "stage": "?"}]).to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(InputError) as err:
        read_logs([tmp_path / "a.csv", tmp_path / "b.csv"])
    assert [(p.file.rsplit("/", 1)[-1], p.column) for p in err.value.problems] == [
        ("a.csv", "decision"),
        ("b.csv", "stage"),
    ]


def test_missing_optional_files(tmp_path):
    assert read_consensus(tmp_path / "none.csv").empty
    assert read_studies(tmp_path / "none.csv") is None
    assert read_logs([]).empty


def test_empty_tables_are_valid():
    from srma.screening.schema import (
        ConsensusSchema,
        ScreeningLogSchema,
        empty_consensus,
        empty_log,
    )

    assert list(ScreeningLogSchema.validate(empty_log()).columns) == LOG_COLUMNS
    assert ConsensusSchema.validate(empty_consensus()).empty
