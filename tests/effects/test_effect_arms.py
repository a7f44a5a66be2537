"""srma.effects.arms: choosing the conversion from the filled columns.

End-to-end values come from tests/r/make_effects_reference.R (block
``end_to_end``, each row's R call is in its add_e2e() there).  Tolerance
REL_Q = 1e-10 as in test_effect_formulas.py: some routes go through
quantile functions (scipy vs R, measured agreement ~1e-15).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from srma.effects import (
    ARM_STATISTICS_COLUMNS,
    arm_statistics_problems,
    compute_effect,
    compute_effects,
    validate_arm_statistics,
)
from srma.errors import InputError

REF = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "reference" / "effects.json").read_text()
)
REL_Q = 1e-10
E2E = {r["name"]: r for r in REF["end_to_end"]["rows"]}

EXPECTED_METHOD = {
    "mean_sd": "mean_sd",
    "mean_se": "mean_se",
    "mean_ci_t": "mean_ci",
    "change_sd": "change_sd",
    "change_r": "change_r",
    "md_ci_t": "md_ci",
    "md_se": "md_se",
    "t": "t",
    "f": "f",
    "p": "p",
    "md_p": "p",
    "medians": "median_iqr|median_range",
}

BASE = {
    "n_intervention": 25,
    "mean_intervention": 22.1,
    "sd_intervention": 5.3,
    "n_comparator": 25,
    "mean_comparator": 18.4,
    "sd_comparator": 6.1,
}


@pytest.mark.parametrize("name", sorted(E2E))
def test_smd_of_each_route_matches_r(name: str) -> None:
    ref = E2E[name]
    est = compute_effect(ref["row"])
    assert est.method == EXPECTED_METHOD[name]
    assert est.yi == pytest.approx(ref["smd_yi"], rel=REL_Q)
    assert est.vi == pytest.approx(ref["smd_vi"], rel=REL_Q)
    flipped = compute_effect(ref["row"], higher_is_better=False)
    assert flipped.yi == -est.yi and flipped.vi == est.vi
    assert any("sign reversed" in n for n in flipped.notes)


@pytest.mark.parametrize("name", sorted(n for n, r in E2E.items() if r["md_yi"] is not None))
def test_md_of_each_route_matches_r(name: str) -> None:
    ref = E2E[name]
    est = compute_effect(ref["row"], measure="MD")
    assert est.yi == pytest.approx(ref["md_yi"], rel=REL_Q)
    assert est.vi == pytest.approx(ref["md_vi"], rel=REL_Q)


def test_md_cannot_come_from_a_test_statistic_alone() -> None:
    with pytest.raises(InputError, match=r"'t' statistics: missing md"):
        compute_effect(E2E["t"]["row"], measure="MD")


def test_means_come_first_and_priority_can_change_that() -> None:
    row = {**BASE, "t": 1.0, "p": 0.3, "direction": 1}
    assert compute_effect(row).method == "mean_sd"
    assert compute_effect(row, priority=("t", "means")).method == "t"
    assert compute_effect(row, priority=("p",)).method == "p"
    with pytest.raises(ValueError, match="unknown route"):
        compute_effect(row, priority=("means", "guess"))


def test_change_scores_come_after_final_values_and_carry_a_warning() -> None:
    row = {**E2E["change_r"]["row"], "mean_intervention": 10.0, "mean_comparator": 12.0}
    assert compute_effect(row).method == "mean_sd"
    est = compute_effect(row, priority=("change", "means"))
    assert est.method == "change_r"
    assert any("do not pool it with SMDs of final values" in n for n in est.notes)


def test_arms_in_different_forms() -> None:
    row = {
        "n_intervention": 40,
        "mean_intervention": 6.1,
        "se_intervention": 0.5,
        "n_comparator": 35,
        "median_comparator": 5,
        "min_comparator": 1,
        "max_comparator": 10,
    }
    est = compute_effect(row)
    assert est.method == "mean_se|median_range"
    assert [n.split(" ")[0] for n in est.notes] == ["intervention", "comparator"]


def test_ci_distribution_z_matches_conv_wald() -> None:
    ref = next(r for r in REF["md_ci"]["rows"] if r["level"] == 90)
    row = {
        "n_intervention": ref["n1i"],
        "n_comparator": ref["n2i"],
        "md": ref["md"],
        "md_ci_low": ref["ci_low"],
        "md_ci_high": ref["ci_high"],
        "ci_level": 90,
    }
    # conv.wald: vi = ((ci_high - ci_low) / (2 * qnorm(0.95)))^2
    assert compute_effect(row, measure="MD", ci_distribution="z").vi == pytest.approx(
        ref["md_vi_z"], rel=REL_Q
    )
    assert compute_effect(row, measure="MD").vi == pytest.approx(ref["md_vi_t"], rel=REL_Q)
    # escalc("SMD", m1i = md, m2i = 0, sd1i = sdp_z, sd2i = sdp_z, n1i, n2i)
    smd = compute_effect(row, ci_distribution="z")
    assert (smd.yi, smd.vi) == pytest.approx((ref["smd_yi_z"], ref["smd_vi_z"]), rel=REL_Q)


def test_md_with_se_needs_no_group_sizes() -> None:
    est = compute_effect({"md": -1.5, "md_se": 0.5}, measure="MD")
    assert (est.yi, est.vi, est.method) == (-1.5, 0.25, "md_se")


def test_direction_signs_unsigned_statistics() -> None:
    unsigned = compute_effect(
        {"n_intervention": 25, "n_comparator": 25, "t": 2.31, "direction": -1}
    )
    assert unsigned.yi == pytest.approx(E2E["t"]["smd_yi"], rel=REL_Q)
    # the sign of p may also come from md
    via_md = compute_effect({"n_intervention": 30, "n_comparator": 31, "p": 0.012, "md": 2.5})
    assert via_md.yi == pytest.approx(E2E["p"]["smd_yi"], rel=REL_Q)
    with pytest.raises(InputError, match="direction"):
        compute_effect({"n_intervention": 30, "n_comparator": 31, "p": 0.012})


def test_md_and_t_with_opposite_signs_are_refused() -> None:
    row = {"n_intervention": 30, "n_comparator": 31, "md": 2.5, "t": -2.0}
    with pytest.raises(InputError, match="opposite signs"):
        compute_effect(row, measure="MD")


def test_skewed_medians_are_noted_or_refused() -> None:
    row = {
        "n_intervention": 16,
        "median_intervention": 2,
        "q1_intervention": 1,
        "q3_intervention": 3,
        "min_intervention": 0,
        "max_intervention": 30,
        "n_comparator": 16,
        "mean_comparator": 3.0,
        "sd_comparator": 2.0,
    }
    est = compute_effect(row)
    assert any("look skewed" in n for n in est.notes)
    with pytest.raises(InputError, match="look skewed") as info:
        compute_effect(row, skewed="refuse")
    assert info.value.problems[0].column == "median_intervention"


def test_small_median_arm_is_refused_with_its_column() -> None:
    row = {**E2E["medians"]["row"], "n_comparator": 4}
    with pytest.raises(InputError, match="n < 5") as info:
        compute_effect(row)
    assert info.value.problems[0].column == "median_comparator"


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "change, column, fragment",
    [
        ({"sd_intervention": 0.0}, "sd_intervention", "SD must be greater than 0"),
        ({"sd_comparator": -1.0}, "sd_comparator", "SD must be greater than 0"),
        ({"n_intervention": 1}, "n_intervention", "at least 2"),
        ({"n_comparator": 12.5}, "n_comparator", "whole number"),
        ({"p": 0.0}, "p", "strictly between 0 and 1"),
        ({"p": 1.0}, "p", "strictly between 0 and 1"),
        (
            {"ci_low_intervention": 25.0, "ci_high_intervention": 20.0},
            "ci_low_intervention",
            "above",
        ),
        (
            {"ci_low_intervention": 23.0, "ci_high_intervention": 26.0},
            "mean_intervention",
            "outside",
        ),
        ({"ci_low_comparator": 17.0}, "ci_low_comparator", "both confidence limits"),
        ({"md": 3.7, "md_ci_low": 4.0, "md_ci_high": 6.0}, "md", "outside"),
        ({"md_ci_low": 2.0, "md_ci_high": 2.0}, "md_ci_low", "zero width"),
        ({"md_se": 0.0}, "md_se", "greater than 0"),
        (
            {"q1_comparator": 20.0, "median_comparator": 18.0, "q3_comparator": 25.0},
            "median_comparator",
            "below q1",
        ),
        ({"max_intervention": 30.0}, "max_intervention", "both min and max"),
        ({"f": 4.0, "f_df1": 2}, "f_df1", "1 numerator df"),
        ({"f": -4.0}, "f", "0 or greater"),
        ({"r_pre_post": 1.5}, "r_pre_post", "between -1 and 1"),
        ({"direction": 0}, "direction", "+1 or -1"),
        ({"t": -2.0, "direction": 1}, "t", "negative but direction is +1"),
        ({"ci_level": 100}, "ci_level", "percentage"),
        ({"mean_intervention": "12,5"}, "mean_intervention", "not a number"),
        ({"sd_intervention": math.inf}, "sd_intervention", "not a finite number"),
        ({"n_intervention": True}, "n_intervention", "not a number"),
    ],
)
def test_invalid_values_are_reported_with_their_column(
    change: dict, column: str, fragment: str
) -> None:
    row = {**BASE, **change}
    problems = arm_statistics_problems(row)
    assert [p.column for p in problems] == [column]
    assert fragment in problems[0].message
    messages = validate_arm_statistics(row)
    assert len(messages) == 1 and column in messages[0] and fragment in messages[0]
    with pytest.raises(InputError) as info:
        compute_effect(row)
    assert info.value.problems == problems


def test_valid_row_has_no_problems_and_numeric_strings_are_accepted() -> None:
    assert validate_arm_statistics(BASE) == []
    as_text = {k: str(v) for k, v in BASE.items()}
    assert compute_effect(as_text).yi == pytest.approx(compute_effect(BASE).yi, rel=1e-15)
    assert validate_arm_statistics({**BASE, "unrelated_column": "x"}) == []


def test_every_problem_of_a_row_is_reported_at_once() -> None:
    row = {**BASE, "sd_intervention": 0.0, "n_comparator": 1, "p": 2.0}
    cols = {p.column for p in arm_statistics_problems(row)}
    assert cols == {"sd_intervention", "n_comparator", "p"}


def test_missing_statistics_say_what_to_fill() -> None:
    with pytest.raises(InputError, match="no statistics") as info:
        compute_effect({"n_intervention": 10, "n_comparator": 10})
    assert len(info.value.problems) == 1
    with pytest.raises(InputError) as info:
        compute_effect({"n_intervention": 10, "mean_intervention": 3.0, "sd_intervention": 1.0})
    text = str(info.value)
    assert "'means' statistics: missing n_comparator, mean_comparator" in text


# --------------------------------------------------------------------------- tables


def _table() -> pd.DataFrame:
    names = ["mean_sd", "md_ci_t", "t", "medians", "change_r"]
    table = pd.DataFrame([E2E[n]["row"] for n in names], index=[2, 3, 5, 8, 13])
    assert set(table.columns) <= set(ARM_STATISTICS_COLUMNS)
    return table


def test_compute_effects_matches_row_by_row() -> None:
    table = _table()
    better = [True, False, True, False, True]
    out = compute_effects(table, higher_is_better=better)
    assert list(out.columns) == ["yi", "vi", "method", "notes"]
    assert list(out.index) == [2, 3, 5, 8, 13]
    for (label, row), hib in zip(table.iterrows(), better, strict=True):
        est = compute_effect(row, higher_is_better=hib)
        assert out.loc[label, "yi"] == est.yi
        assert out.loc[label, "vi"] == est.vi
        assert out.loc[label, "method"] == est.method
        assert out.loc[label, "notes"] == "; ".join(est.notes)
    assert out["yi"].dtype == np.float64


def test_compute_effects_collects_problems_of_all_rows() -> None:
    table = _table()
    table.loc[3, "md_ci_high"] = -5.0  # the CI of md (-4.2) is now (-7.9, -5.0)
    table.loc[8, "n_comparator"] = 1
    with pytest.raises(InputError) as info:
        compute_effects(table)
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "md"), (8, "n_comparator")]


def test_compute_effects_checks_the_length_of_higher_is_better() -> None:
    with pytest.raises(ValueError, match="3 values for 5 rows"):
        compute_effects(_table(), higher_is_better=[True] * 3)
