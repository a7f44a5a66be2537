"""Each table's checks and the cross-table checks, on small bad tables.

Every test breaks a valid table in several places and checks that *all*
problems come back at once, each with its file, row, column and value.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import (
    DATA_COLUMNS,
    ROB_COLUMNS,
    ROW_A1,
    ROW_A2,
    ROW_B1,
    STUDY_A,
    STUDY_B,
    STUDY_COLUMNS,
    frame,
    rob_rows,
)

from srma.errors import InputError, Problem
from srma.extraction import (
    ExtractionSettings,
    load_extraction,
    parse_outcome_data,
    parse_risk_of_bias,
    parse_studies,
    validate_extraction,
)
from srma.io.tables import write_csv, write_xlsx

FILES = {
    "studies": "studies.csv",
    "outcome_data": "outcomes.csv",
    "risk_of_bias": "rob.csv",
    "included": "included_studies.csv",
}


def problems_of(*args, **kwargs) -> list[Problem]:
    with pytest.raises(InputError) as err:
        validate_extraction(*args, files=FILES, **kwargs)
    return err.value.problems


def where(problems: list[Problem]) -> list[tuple[str | None, int | None, str | None]]:
    return [(p.file, p.row, p.column) for p in problems]


def find(problems: list[Problem], row: int | None, column: str) -> Problem:
    found = [p for p in problems if p.row == row and p.column == column]
    assert found, f"no problem at row {row}, column {column}: {[p.render() for p in problems]}"
    return found[0]


# --------------------------------------------------------------------------- good tables


def test_valid_tables_pass_and_are_typed(studies, outcome_data, risk_of_bias, specs):
    ex = validate_extraction(studies, outcome_data, risk_of_bias, outcomes=specs, files=FILES)
    assert ex.studies["n_randomised_intervention"].tolist() == [40, 30]
    assert str(ex.studies["year"].dtype) == "Int64"
    assert ex.outcome_data["mean_intervention"].iloc[0] == pytest.approx(55.2)
    assert ex.outcome_data["row"].tolist() == [2, 3, 4, 5, 6, 7]
    assert set(ex.outcome_data["file"]) == {"outcomes.csv"}
    # statistic columns left out of the file are added, empty
    assert "median_intervention" in ex.outcome_data and ex.outcome_data["t"].isna().all()


def test_unicode_minus_from_a_pdf_is_a_number(studies, specs):
    data = frame([{**ROW_B1, "md_ci_low": "\u22120.5"}], DATA_COLUMNS)
    ex = validate_extraction(studies, data, outcomes=specs)
    assert ex.outcome_data["md_ci_low"].iloc[0] == -0.5


# --------------------------------------------------------------------------- studies


def test_studies_table_every_problem_at_once(outcome_data, specs):
    rows = [
        {**STUDY_A, "year": "2019a"},  # row 2: not a whole number
        {**STUDY_B, "study_id": "Beta 2020"},  # row 3: not an id
        {**STUDY_B, "study_id": "alpha2019", "n_randomised_comparator": "0"},  # row 4
        {
            **STUDY_B,
            "study_id": "gamma2021",
            "comparator_type": "placebo",  # row 5
            "arms": "1",
            "label": "",
        },
    ]
    problems = problems_of(frame(rows, STUDY_COLUMNS), outcome_data, outcomes=specs)
    studies = [p for p in problems if p.file == "studies.csv"]
    got = {(p.row, p.column): p for p in studies}
    assert set(got) == {
        (2, "year"),
        (2, "study_id"),  # both rows of a repeated id
        (3, "study_id"),
        (4, "study_id"),
        (4, "n_randomised_comparator"),
        (5, "comparator_type"),
        (5, "arms"),
        (5, "label"),
    }
    assert got[(2, "year")].value == "2019a" and "whole number" in got[(2, "year")].message
    assert got[(3, "study_id")].value == "Beta 2020"
    assert "unique" in got[(4, "study_id")].message and got[(4, "study_id")].value == "alpha2019"
    assert got[(4, "n_randomised_comparator")].value == 0
    assert "at least 1" in got[(4, "n_randomised_comparator")].message
    assert got[(5, "comparator_type")].value == "placebo"
    assert "tau, wl, active" in (got[(5, "comparator_type")].hint or "")
    assert "at least 2" in got[(5, "arms")].message
    assert "filled in" in got[(5, "label")].message
    # the outcome data of beta2020 now name a study the table does not have: reported too
    unknown = [p for p in problems if p.file == "outcomes.csv"]
    assert [(p.row, p.column, p.value) for p in unknown] == [
        (4, "study_id", "beta2020"),
        (7, "study_id", "beta2020"),
    ]


def test_studies_header_problems(specs, outcome_data):
    raw = frame([STUDY_A], STUDY_COLUMNS).drop(columns=["country"])
    raw = raw.rename(columns={"comparator_type": "Comparator type", "label": "lable"})
    problems = problems_of(raw, outcome_data, outcomes=specs)
    header = [p for p in problems if p.file == "studies.csv"]
    assert {(p.row, p.column) for p in header} == {(1, "lable"), (1, "country"), (1, "label")}
    unknown = find(header, 1, "lable")
    assert "did you mean 'label'" in (unknown.hint or "")  # "Comparator type" was accepted


def test_parse_studies_directly_reports_without_raising():
    parsed = parse_studies(frame([{**STUDY_A, "arms": "two"}], STUDY_COLUMNS), file="s.xlsx")
    assert parsed.frame is not None
    assert [(p.file, p.row, p.column, p.value) for p in parsed.problems] == [
        ("s.xlsx", 2, "arms", "two")
    ]


# --------------------------------------------------------------------------- outcome data


def test_outcome_data_every_problem_at_once(studies, specs):
    rows = [
        {**ROW_A1, "sd_intervention": "-8.1"},  # 2: SD must be > 0
        {**ROW_A2, "n_intervention": "45"},  # 3: more than the 40 randomised
        {**ROW_B1, "md_ci_low": "3", "md_ci_high": "5.5"},  # 4: CI does not contain md
        {
            **ROW_B1,
            "instrument": "scale_b",
            "md": "",
            "md_ci_low": "",
            "md_ci_high": "",
            "p": "1.3",
            "direction": "1",
        },  # 5: p outside (0, 1)
        {**ROW_A1, "timepoint": "followup", "n_comparator": "1"},  # 6: n < 2
        {**ROW_A1, "outcome": "hope"},  # 7: outcome not declared
        {**ROW_A1, "instrument": "scale_z", "population": "pp"},  # 8: instrument, population
        {**ROW_A1, "study_id": "delta2022"},  # 9: unknown study
        {**ROW_A1},  # 10: duplicate of row 2
        {**ROW_A1, "timepoint": "week_12", "mean_intervention": "n.r."},  # 11
        {
            **ROW_A1,
            "timepoint": "followup",
            "population": "itt",
            "instrument": "",
            "no_usable_data": "figure only",
            "mean_comparator": "51",
        },  # 12: stats in a NUD row
        {**ROW_A1, "population": "itt", "instrument": ""},  # 13: instrument missing
        {
            **ROW_A1,
            "population": "itt",
            "sd_intervention": "",
            "sd_comparator": "",
        },  # 14: no spread: no effect size can be computed
        {
            **ROW_A1,
            "population": "itt",
            "instrument": "scale_b",
            "n_intervention": "30.5",
            "source": "",
        },  # 15: n not whole, source empty
    ]
    problems = problems_of(studies, frame(rows, DATA_COLUMNS), outcomes=specs)
    assert all(p.file == "outcomes.csv" for p in problems)
    expected = {
        (2, "sd_intervention"): (-8.1, "greater than 0"),
        (3, "n_intervention"): (45, "must not exceed the 40 randomised"),
        (4, "md"): ((3.0, 2.5, 5.5), "outside its confidence interval"),
        (5, "p"): (1.3, "less than 1"),
        (6, "n_comparator"): (1, "at least 2"),
        (7, "outcome"): ("hope", "declared"),
        (8, "instrument"): ("scale_z", "declared under outcome 'recovery'"),
        (8, "population"): ("pp", "declared"),
        (9, "study_id"): ("delta2022", "studies table"),
        (10, "instrument"): ("scale_a", "row 2 has the same"),
        (11, "timepoint"): ("week_12", "declared"),
        (11, "mean_intervention"): ("n.r.", "not a number"),
        (12, "mean_comparator"): (51.0, "leave the statistics empty"),
        (13, "instrument"): (None, "must be filled in"),
        (14, None): (None, "missing sd_intervention"),
        (15, "n_intervention"): (30.5, "at least 2"),
        (15, "source"): (None, "filled in"),
    }
    for (row, column), (value, text) in expected.items():
        if column is None:
            p = next(p for p in problems if p.row == row)
        else:
            p = find(problems, row, column)
        assert text in p.message, p.render()
        if value is not None:
            assert p.value == value, p.render()
    assert not [p for p in problems if p.row == 2 and p.column != "sd_intervention"]
    # one problem per broken cell: the column check and the row check do not repeat
    cells = [(p.row, p.column, p.message) for p in problems]
    assert len(cells) == len(set(cells))
    assert sum(1 for p in problems if (p.row, p.column) == (2, "sd_intervention")) == 1
    # problems come sorted by row
    rows_seen = [p.row or 0 for p in problems]
    assert rows_seen == sorted(rows_seen)


def test_ci_direction_and_other_statistic_checks_come_from_srma_effects(studies, specs):
    data = frame(
        [
            {
                **ROW_B1,
                "md": "-2.5",
                "md_ci_low": "-5.5",
                "md_ci_high": "0.5",
                "direction": "1",
            },  # md negative but direction +1
            {**ROW_B1, "timepoint": "followup", "md_ci_low": "6", "md_ci_high": "-1"},
        ],
        DATA_COLUMNS,
    )
    problems = problems_of(studies, data, outcomes=specs)
    assert "direction is +1" in find(problems, 2, "md").message
    assert "above the upper limit" in find(problems, 3, "md_ci_low").message


def test_only_outcome_checks_one_outcome(studies, specs, outcome_data):
    broken = outcome_data.copy()
    broken.loc[3, "mean_intervention"] = "sixty"  # row 5, a symptoms row
    with pytest.raises(InputError):
        validate_extraction(studies, broken, outcomes=specs)
    ex = validate_extraction(
        studies, broken, outcomes={"recovery": specs["recovery"]}, only_outcome="recovery"
    )
    assert set(ex.outcome_data["outcome"]) == {"recovery"}
    assert ex.outcome_data["row"].tolist() == [2, 3, 4]


# --------------------------------------------------------------------------- risk of bias


def test_risk_of_bias_every_problem_at_once(studies, outcome_data, specs):
    alpha = rob_rows("alpha2019")
    alpha[1] = {**alpha[1], "judgement": "some concerns"}  # row 3: not a RoB 1 judgement
    alpha[2] = {**alpha[2], "domain": "randomisation_process"}  # row 4: a RoB 2 domain
    beta = rob_rows("beta2020", "rob2")[:-1]  # overall missing
    beta.append({**beta[0]})  # duplicate of its first row
    extra = [
        {**rob_rows("alpha2019")[0], "tool": "rob2", "domain": "overall"},  # second tool
        {**rob_rows("alpha2019")[0], "study_id": "zeta2001"},  # unknown study
        {**rob_rows("alpha2019")[0], "outcome": "hope"},  # undeclared outcome
    ]
    rob = frame(alpha + beta + extra, ROB_COLUMNS)
    problems = [
        p for p in problems_of(studies, outcome_data, rob, outcomes=specs) if p.file == "rob.csv"
    ]
    messages = {(p.row, p.column): p for p in problems}
    assert messages[(3, "judgement")].value == "some_concerns"
    assert "rob1" in messages[(3, "judgement")].message
    assert messages[(4, "domain")].value == "randomisation_process"
    dup_row = 2 + len(alpha) + len(beta) - 1
    assert "row 9 has the same" in messages[(dup_row, "domain")].message
    second_tool = dup_row + 1
    assert "one tool" in messages[(second_tool, "tool")].message
    assert messages[(second_tool + 1, "study_id")].value == "zeta2001"
    assert messages[(second_tool + 2, "outcome")].value == "hope"
    incomplete = [p for p in problems if "incomplete" in p.message]
    assert {p.value for p in incomplete} == {"alpha2019", "beta2020"}
    beta_missing = next(p for p in incomplete if p.value == "beta2020")
    assert "missing overall" in beta_missing.message
    alpha_missing = next(p for p in incomplete if p.value == "alpha2019")
    assert "blinding_participants_personnel" in alpha_missing.message


def test_risk_of_bias_lenient_spellings_and_outcome_level_domains(studies, outcome_data, specs):
    rows = [
        {**r, "tool": "RoB 1", "judgement": j}
        for r, j in zip(
            rob_rows("alpha2019"),
            ["Low risk", "Unclear risk", "High", "+", "-", "?", "low"],
            strict=True,
        )
    ]
    rows[0]["domain"] = "Random sequence generation (selection bias)"
    # beta: RoB 2 with the measurement domain judged per outcome
    beta = [r for r in rob_rows("beta2020", "rob2") if r["domain"] != "measurement_of_the_outcome"]
    beta += [
        {
            **beta[0],
            "outcome": "recovery",
            "domain": "D4 Bias in measurement of the outcome",
            "judgement": "Some concerns",
        },
        {**beta[0], "outcome": "symptoms", "domain": "measurement_of_outcome", "judgement": "high"},
    ]
    ex = validate_extraction(studies, outcome_data, frame(rows + beta, ROB_COLUMNS), outcomes=specs)
    rob = ex.risk_of_bias
    assert rob is not None
    assert rob["judgement"].tolist()[:7] == [
        "low",
        "unclear",
        "high",
        "low",
        "high",
        "unclear",
        "low",
    ]
    assert rob["domain"].iloc[0] == "random_sequence_generation"
    assert set(rob["tool"]) == {"rob1", "rob2"}
    per_outcome = rob[rob["outcome"].notna()]
    assert per_outcome["domain"].tolist() == ["measurement_of_the_outcome"] * 2
    assert per_outcome["judgement"].tolist() == ["some_concerns", "high"]


def test_every_study_needs_a_risk_of_bias_assessment(studies, outcome_data, specs):
    problems = problems_of(
        studies, outcome_data, frame(rob_rows("alpha2019"), ROB_COLUMNS), outcomes=specs
    )
    assert [(p.file, p.column, p.value) for p in problems] == [("rob.csv", "study_id", "beta2020")]
    assert "row 3 of the studies table" in (problems[0].hint or "")


def test_parse_risk_of_bias_unknown_tool():
    parsed = parse_risk_of_bias(
        frame([{**rob_rows("a")[0], "tool": "robins-i"}], ROB_COLUMNS), file="r.csv"
    )
    assert [(p.row, p.column, p.value) for p in parsed.problems] == [(2, "tool", "robins_i")]


# --------------------------------------------------------------------------- screening


def test_included_studies_checked_both_ways(studies, outcome_data, specs):
    included = pd.DataFrame(
        {
            "study_id": ["alpha2019", "gamma2021", "gamma2021"],
            "work_id": ["W1", "W2", "W3"],
            "title": ["a", "b", "c"],  # other columns of screening's output are ignored
        },
        dtype=str,
    )
    problems = problems_of(studies, outcome_data, outcomes=specs, included=included)
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("studies.csv", 3, "study_id", "beta2020"),  # never included
        ("studies.csv", 3, "reports", "W2"),  # W2 is gamma2021's report
        ("included_studies.csv", 3, "study_id", "gamma2021"),  # included, not extracted
    ]
    assert "not included at screening" in problems[0].message


def test_included_studies_optional(studies, outcome_data, specs):
    # before screening exists, the check is simply not made
    validate_extraction(studies, outcome_data, outcomes=specs)
    included = pd.DataFrame({"work_id": ["W1", "W2"], "study_id": ["alpha2019", "beta2020"]})
    validate_extraction(studies, outcome_data, outcomes=specs, included=included)


# --------------------------------------------------------------------------- files


def test_load_extraction_reads_csv_and_xlsx(tmp_path, studies, outcome_data, risk_of_bias, specs):
    write_csv(studies, tmp_path / "studies.csv")
    write_xlsx(outcome_data, tmp_path / "outcomes.xlsx")
    write_csv(risk_of_bias, tmp_path / "rob.csv")
    ex = load_extraction(
        tmp_path / "studies.csv",
        tmp_path / "outcomes.xlsx",
        tmp_path / "rob.csv",
        outcomes=specs,
        settings=ExtractionSettings(),
    )
    assert len(ex.outcome_data) == 6
    assert ex.outcome_data["sd_comparator"].iloc[0] == pytest.approx(7.9)
    assert ex.outcome_data["file"].iloc[0] == str(tmp_path / "outcomes.xlsx")


def test_load_extraction_reports_a_missing_file_with_the_others(tmp_path, studies, specs):
    bad = frame([{**ROW_A1, "sd_comparator": "0"}], DATA_COLUMNS)
    write_csv(studies, tmp_path / "studies.csv")
    write_csv(bad, tmp_path / "outcomes.csv")
    with pytest.raises(InputError) as err:
        load_extraction(
            tmp_path / "studies.csv",
            tmp_path / "outcomes.csv",
            tmp_path / "missing.csv",
            outcomes=specs,
        )
    text = str(err.value)
    assert "missing.csv" in text
    assert "row 2, column 'sd_comparator'" in text


def test_parse_outcome_data_missing_required_column():
    parsed = parse_outcome_data(frame([ROW_A1], DATA_COLUMNS).drop(columns=["source"]))
    assert parsed.frame is None
    assert [(p.row, p.column) for p in parsed.problems] == [(1, "source")]
