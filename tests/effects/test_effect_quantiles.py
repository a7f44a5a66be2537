"""srma.effects.quantiles against the R reference (tests/r/make_effects_reference.R).

metafor 3.8-1 has no conv.fivenum(); the reference is fivenum_mean_sd() in the
R script, an R implementation of the published estimators that metafor >= 4.0
conv.fivenum(method=...) offers (Hozo 2005, Wan 2014, Bland 2015, Luo 2018,
Shi 2020) and of its skewness test (Shi et al. 2023).

Tolerance REL_Q = 1e-10: the SDs go through the normal quantile function
(scipy ``ndtri`` vs R ``qnorm``, both accurate to a few ulp; measured
agreement ~1e-15); the means are closed forms.  A wrong weight or quantile
argument moves the values by 1e-3 or more.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from srma.effects import QUANTILE_METHODS, mean_sd_from_quantiles
from srma.errors import InputError

REF = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "reference" / "effects.json").read_text()
)
REL_Q = 1e-10
ROWS = REF["quantiles"]["rows"]


def _opt(row: dict, key: str) -> float | None:
    value = row.get(key)
    return None if value is None else float(value)


def _estimate(row: dict, method: str | None = None):
    return mean_sd_from_quantiles(
        row["n"],
        row["median"],
        q1=_opt(row, "q1"),
        q3=_opt(row, "q3"),
        minimum=_opt(row, "min"),
        maximum=_opt(row, "max"),
        method=method or row["method"],
    )


def test_reference_covers_every_case_and_method() -> None:
    seen = {(r["case"], r["method"]) for r in ROWS}
    assert seen == {(case, m) for case, methods in QUANTILE_METHODS.items() for m in methods}
    assert any(r["skewed"] for r in ROWS) and not all(r["skewed"] for r in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r['label']}-{r['case']}-{r['method']}")
def test_mean_sd_from_quantiles_matches_reference(row: dict) -> None:
    # fivenum_mean_sd(min, q1, median, q3, max, n, method)  (= conv.fivenum(method=...))
    est = _estimate(row)
    assert est.case == row["case"]
    assert est.mean == pytest.approx(row["mean"], rel=REL_Q)
    assert est.sd == pytest.approx(row["sd"], rel=REL_Q)
    assert est.skew_stat == pytest.approx(row["skew_stat"], rel=REL_Q, abs=1e-15)
    assert est.skew_crit == pytest.approx(row["skew_crit"], rel=REL_Q)
    assert est.skewed is row["skewed"]


# (case, method): relative tolerance for the SD of a sample of 1000 from N(50, 10).  The
# range-based SDs hang on two extreme values and are noisier; Bland (2015) does not use n
# and overestimates the SD of large samples, so it is left out.
SD_TOLERANCE = {
    ("iqr", "luo/wan/shi"): 0.05,
    ("iqr", "wan2014"): 0.05,
    ("iqr_range", "luo/wan/shi"): 0.05,
    ("iqr_range", "wan2014"): 0.05,
    ("range", "luo/wan/shi"): 0.15,
    ("range", "wan2014"): 0.15,
    ("range", "hozo2005"): 0.25,
}


def test_large_normal_sample_is_recovered() -> None:
    # n = 1000 draws from N(50, 10) (set.seed(20240521) in the R script)
    rows = {(r["case"], r["method"]): r for r in ROWS if r["label"] == "normal_n1000"}
    for key, tol in SD_TOLERANCE.items():
        est = _estimate(rows[key])
        assert not est.skewed
        assert est.mean == pytest.approx(50, abs=2.5), key
        assert est.sd == pytest.approx(10, rel=tol), key


def test_skewed_summary_is_flagged() -> None:
    est = mean_sd_from_quantiles(16, 2, q1=1, q3=3, minimum=0, maximum=30)
    assert est.skewed and est.skew_stat >= est.skew_crit
    symmetric = mean_sd_from_quantiles(30, 6, q1=4, q3=8, minimum=1, maximum=11)
    assert not symmetric.skewed


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"n": 4, "median": 5, "q1": 3, "q3": 7}, "n < 5"),
        ({"n": 20, "median": 5, "q1": 6, "q3": 7}, "not ordered"),
        ({"n": 20, "median": 5, "minimum": 1, "maximum": 4}, "not ordered"),
        ({"n": 20, "median": 5, "q1": 3}, "both quartiles"),
        ({"n": 20, "median": 5, "maximum": 9}, "both ends"),
        ({"n": 20, "median": 5}, "quartiles or its range"),
        ({"n": 20, "median": 5, "q1": 5, "q3": 5}, "interquartile range is zero"),
        ({"n": 20, "median": 5, "minimum": 5, "maximum": 5}, "range is zero"),
        ({"n": 20, "median": 5, "q1": 3, "q3": 7, "method": "hozo2005"}, "does not apply"),
        (
            {"n": 20, "median": 5, "minimum": 1, "maximum": 9, "method": "bland2015"},
            "does not apply",
        ),
        ({"n": 20, "median": math.nan, "q1": 3, "q3": 7}, "median is missing"),
    ],
)
def test_invalid_summaries_raise(kwargs: dict, fragment: str) -> None:
    n, median = kwargs.pop("n"), kwargs.pop("median")
    with pytest.raises(InputError, match=fragment):
        mean_sd_from_quantiles(n, median, **kwargs)
