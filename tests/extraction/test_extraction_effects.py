"""One outcome's effect table: conversions, combining instruments, unusable rows, bytes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from conftest import DATA_COLUMNS, ROW_A1, ROW_A2, ROW_A_SYMPTOMS, ROW_A_SYMPTOMS_BPRS, frame

from srma.effects import compute_effect
from srma.extraction import (
    EFFECT_COLUMNS,
    EffectTableSchema,
    outcome_effects,
    outcome_specs,
    statistics_text,
    usable_effects,
    validate_extraction,
)
from srma.io.tables import write_parquet


def effects_of(studies, outcome_data, specs, outcome):
    ex = validate_extraction(studies, outcome_data, outcomes=specs)
    return outcome_effects(ex.studies, ex.outcome_data, specs[outcome])


def _num(row: dict) -> dict:
    return {k: float(v) for k, v in row.items() if k.startswith(("n_", "mean_", "sd_"))}


def test_aggregate_is_the_gls_mean_under_compound_symmetry(studies, outcome_data, specs):
    eff = effects_of(studies, outcome_data, specs, "recovery")
    assert list(eff.columns) == EFFECT_COLUMNS
    alpha = eff.set_index("study_id").loc["alpha2019"]
    # by hand: the two instruments' Hedges' g, V = S R S with R = [[1, .6], [.6, 1]],
    # yi = 1'V^-1 y / 1'V^-1 1, vi = 1 / 1'V^-1 1 (metafor aggregate(rho = 0.6))
    e1, e2 = compute_effect(_num(ROW_A1)), compute_effect(_num(ROW_A2))
    y = np.array([e1.yi, e2.yi])
    s = np.sqrt([e1.vi, e2.vi])
    v = np.outer(s, s) * np.array([[1.0, 0.6], [0.6, 1.0]])
    w = np.linalg.solve(v, np.ones(2))
    assert alpha["yi"] == pytest.approx(w @ y / w.sum(), rel=1e-12)
    assert alpha["vi"] == pytest.approx(1 / w.sum(), rel=1e-12)
    assert alpha["combine"] == "aggregate (rho = 0.6)"
    assert alpha["instruments"] == "scale_a; scale_b"
    assert alpha["method"] == "mean_sd"
    assert "2 instruments aggregated assuming correlation rho = 0.6" in alpha["notes"]
    assert f"Scale A: yi = {e1.yi:.6g}" in alpha["notes"]
    # several instruments: no single pair of means to show, both in the statistics text
    assert pd.isna(alpha["mean_intervention"]) and pd.isna(alpha["sd_comparator"])
    assert alpha["statistics"] == (
        "Scale A: M 55.2 (SD 8.1), n 36 vs M 51 (SD 7.9), n 35 | "
        "Scale B: M 3.4 (SD 0.7), n 36 vs M 3.1 (SD 0.8), n 35"
    )
    assert (alpha["n_intervention"], alpha["n_comparator"]) == (36, 35)


def test_single_instrument_from_md_and_ci(studies, outcome_data, specs):
    eff = effects_of(studies, outcome_data, specs, "recovery")
    beta = eff.set_index("study_id").loc["beta2020"]
    est = compute_effect(
        {"n_intervention": 28, "n_comparator": 29, "md": 2.5, "md_ci_low": -0.5, "md_ci_high": 5.5}
    )
    assert (beta["yi"], beta["vi"]) == pytest.approx((est.yi, est.vi), rel=1e-12)
    assert beta["method"] == "md_ci" and beta["combine"] == "single"
    assert beta["statistics"] == "n 28 vs n 29; MD 2.5 (95% CI -0.5 to 5.5)"
    assert beta["comparator_type"] == "wl" and beta["label"] == "Beta 2020"


def test_priority_and_lower_is_better(studies, outcome_data, specs):
    eff = effects_of(studies, outcome_data, specs, "symptoms")
    alpha = eff.set_index("study_id").loc["alpha2019"]
    raw = compute_effect(_num(ROW_A_SYMPTOMS))  # intervention 60 vs 65: lower is better
    assert raw.yi < 0
    assert alpha["yi"] == pytest.approx(-raw.yi, rel=1e-12)  # positive favours IMR
    assert alpha["vi"] == pytest.approx(raw.vi, rel=1e-12)
    assert alpha["instruments"] == "panss"
    assert alpha["combine"] == "priority: panss > bprs"
    assert "PANSS used by priority; not used: BPRS" in alpha["notes"]
    assert "sign reversed" in alpha["notes"]
    assert (alpha["mean_intervention"], alpha["sd_comparator"]) == (60.0, 11.0)


def test_priority_order_is_the_declared_order_not_the_row_order(studies, specs):
    data = frame([ROW_A_SYMPTOMS_BPRS, ROW_A_SYMPTOMS], DATA_COLUMNS)  # bprs row first
    eff = effects_of(studies, data, specs, "symptoms")
    assert eff["instruments"].tolist() == ["panss"]


def test_a_study_without_usable_data_keeps_a_row(studies, outcome_data, specs):
    eff = effects_of(studies, outcome_data, specs, "symptoms")
    beta = eff.set_index("study_id").loc["beta2020"]
    assert not beta["usable"]
    assert pd.isna(beta["yi"]) and pd.isna(beta["vi"])
    assert beta["method"] == "no_usable_data"
    assert "only reported as 'no difference'" in beta["notes"]
    assert usable_effects(eff)["study_id"].tolist() == ["alpha2019"]


def test_unusable_instrument_next_to_usable_ones_is_noted(studies, specs):
    data = frame(
        [
            ROW_A1,
            {
                **ROW_A2,
                "mean_intervention": "",
                "sd_intervention": "",
                "mean_comparator": "",
                "sd_comparator": "",
                "no_usable_data": "graph only",
            },
        ],
        DATA_COLUMNS,
    )
    eff = effects_of(studies, data, specs, "recovery")
    row = eff.iloc[0]
    assert row["usable"] and row["combine"] == "single" and row["instruments"] == "scale_a"
    assert "Scale B: no usable data (graph only)" in row["notes"]


def test_rows_sorted_by_declared_timepoint_population_then_study(studies, specs):
    rows = [
        {**ROW_A1, "timepoint": "followup"},
        {
            **ROW_A1,
            "population": "itt",
            "study_id": "beta2020",
            "n_intervention": 30,
            "n_comparator": 30,
        },
        ROW_A1,
        {**ROW_A1, "study_id": "beta2020", "n_intervention": 20, "n_comparator": 20},
    ]
    eff = effects_of(studies, frame(rows, DATA_COLUMNS), specs, "recovery")
    assert eff[["timepoint", "population", "study_id"]].values.tolist() == [
        ["post", "cc", "alpha2019"],
        ["post", "cc", "beta2020"],
        ["post", "itt", "beta2020"],
        ["followup", "cc", "alpha2019"],
    ]


def test_an_outcome_without_rows_gives_an_empty_valid_table(studies, outcome_data, specs):
    extra = outcome_specs(
        [
            {
                "id": "hope",
                "label": "Hope",
                "instruments": [{"id": "ahs", "label": "AHS", "higher_is_better": True}],
            }
        ]
    )
    ex = validate_extraction(studies, outcome_data, outcomes=specs)
    eff = outcome_effects(ex.studies, ex.outcome_data, extra["hope"])
    assert eff.empty and list(eff.columns) == EFFECT_COLUMNS


def test_raw_mean_difference_measure(studies, specs):
    md_spec = outcome_specs(
        [
            {
                "id": "recovery",
                "label": "R",
                "measure": "MD",
                "instruments": [{"id": "scale_a", "label": "A", "higher_is_better": True}],
            }
        ]
    )
    ex = validate_extraction(studies, frame([ROW_A1], DATA_COLUMNS), outcomes=md_spec)
    eff = outcome_effects(ex.studies, ex.outcome_data, md_spec["recovery"])
    assert eff["yi"].iloc[0] == pytest.approx(55.2 - 51.0)
    assert eff["vi"].iloc[0] == pytest.approx(8.1**2 / 36 + 7.9**2 / 35)


def test_effect_table_schema_rejects_inconsistent_rows(studies, outcome_data, specs):
    eff = effects_of(studies, outcome_data, specs, "recovery")
    bad = eff.copy()
    bad.loc[0, "yi"] = np.nan  # usable but no effect
    with pytest.raises(pa.errors.SchemaError):
        EffectTableSchema.validate(bad)
    twice = pd.concat([eff, eff.iloc[[0]]], ignore_index=True)
    with pytest.raises(pa.errors.SchemaError):
        EffectTableSchema.validate(twice)


def test_effect_table_bytes_are_deterministic_and_per_outcome(
    tmp_path, studies, outcome_data, specs
):
    first = effects_of(studies, outcome_data, specs, "recovery")
    write_parquet(first, tmp_path / "a.parquet")
    write_parquet(effects_of(studies, outcome_data, specs, "recovery"), tmp_path / "b.parquet")
    # editing another outcome's rows, and moving rows around, leaves this outcome alone
    edited = outcome_data.copy()
    edited.loc[3, "mean_intervention"] = "58"  # a symptoms row
    edited = pd.concat([edited.iloc[[3, 4, 5]], edited.iloc[[0, 1, 2]]], ignore_index=True)
    write_parquet(effects_of(studies, edited, specs, "recovery"), tmp_path / "c.parquet")
    data = [(tmp_path / f"{n}.parquet").read_bytes() for n in "abc"]
    assert data[0] == data[1] == data[2]
    write_parquet(effects_of(studies, edited, specs, "symptoms"), tmp_path / "d.parquet")
    write_parquet(effects_of(studies, outcome_data, specs, "symptoms"), tmp_path / "e.parquet")
    assert (tmp_path / "d.parquet").read_bytes() != (tmp_path / "e.parquet").read_bytes()
    back = pd.read_parquet(tmp_path / "a.parquet")
    EffectTableSchema.validate(back)
    pd.testing.assert_frame_equal(back, first, check_dtype=False)


@pytest.mark.parametrize(
    ("row", "text"),
    [
        (
            {
                "mean_intervention": 81.12,
                "sd_intervention": 8.4,
                "n_intervention": 25,
                "mean_comparator": 52.2,
                "sd_comparator": 9.1,
                "n_comparator": 25,
            },
            "M 81.12 (SD 8.4), n 25 vs M 52.2 (SD 9.1), n 25",
        ),
        ({"md": 1.9, "md_ci_low": -0.85, "md_ci_high": 4.65}, "MD 1.9 (95% CI -0.85 to 4.65)"),
        (
            {
                "mean_intervention": 46.4,
                "mean_comparator": 44.0,
                "p": 0.21,
                "n_intervention": 97,
                "n_comparator": 96,
            },
            "M 46.4, n 97 vs M 44, n 96; P = 0.21",
        ),
        (
            {
                "median_intervention": 12,
                "q1_intervention": 8,
                "q3_intervention": 15,
                "median_comparator": 10,
                "min_comparator": 2,
                "max_comparator": 30,
                "t": 2.1,
            },
            "median 12 (IQR 8 to 15) vs median 10 (range 2 to 30); t = 2.1",
        ),
        (
            {
                "mean_change_intervention": -4.5,
                "sd_change_intervention": 3.0,
                "md": -1.2,
                "md_se": 0.4,
                "ci_level": 90,
            },
            "change -4.5 (SD 3); MD -1.2 (SE 0.4)",
        ),
        ({}, ""),
    ],
)
def test_statistics_text(row, text):
    assert statistics_text(row) == text
