"""srma.effects.formulas against metafor 3.8-1 (tests/r/make_effects_reference.R).

Tolerances
----------
REL = 1e-12 for closed forms: the reference JSON holds 15 significant digits
(rounding error <= 5e-15) and R and numpy evaluate the same IEEE-754 formulas,
differing only in operation order and in lgamma (both within a few ulp); the
measured disagreement is below 3e-15.  A formula slip (n for n - 1, a wrong
df, a missing J) changes values by 1e-4 or more, so 1e-12 still catches it.

REL_Q = 1e-10 for values that go through a quantile function (scipy's
``stdtrit``/``ndtri`` vs R's ``qt``/``qnorm``): different algorithms, each
accurate to a few ulp (measured 3e-15 here); 1e-10 leaves room for another
platform's libm without hiding any formula error.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from srma import effects as fx
from srma.errors import InputError

REF = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "reference" / "effects.json").read_text()
)
REL = 1e-12
REL_Q = 1e-10


def rows(block: str) -> list[dict]:
    return REF[block]["rows"]


# --------------------------------------------------------------------------- Hedges' J


@pytest.mark.parametrize("row", rows("hedges_j"), ids=lambda r: f"m={r['m']:g}")
def test_hedges_j_matches_metafor(row: dict) -> None:
    # metafor:::.cmicalc(m)
    assert fx.hedges_j(row["m"]) == pytest.approx(row["j"], rel=REL)


def test_hedges_j_is_nan_below_two_df_and_near_the_approximation() -> None:
    assert math.isnan(fx.hedges_j(1))
    m = np.arange(10, 500, dtype=float)
    # Hedges (1981): J ~ 1 - 3/(4m - 1), with an error of order m^-2 (measured: < 0.034 / m^2)
    err = np.abs(fx.hedges_j(m) - (1 - 3 / (4 * m - 1)))
    assert (err * m**2).max() < 0.05


# --------------------------------------------------------------------------- MD and SMD


def _arms(r: dict) -> tuple:
    return r["m1i"], r["sd1i"], r["n1i"], r["m2i"], r["sd2i"], r["n2i"]


@pytest.mark.parametrize("row", rows("means"), ids=lambda r: f"n={r['n1i']}/{r['n2i']}")
def test_md_and_smd_match_metafor(row: dict) -> None:
    # escalc("MD", m1i, sd1i, n1i, m2i, sd2i, n2i)              (vtype = "LS")
    md = fx.mean_difference(*_arms(row))
    assert md.yi == pytest.approx(row["md_yi"], rel=REL)
    assert md.vi == pytest.approx(row["md_vi"], rel=REL)
    # escalc("MD", ..., vtype = "HO")
    assert fx.mean_difference(*_arms(row), vtype="HO").vi == pytest.approx(row["md_ho_vi"], rel=REL)
    # escalc("SMD", m1i, sd1i, n1i, m2i, sd2i, n2i)             (vtype = "LS")
    smd = fx.standardized_mean_difference(*_arms(row))
    assert smd.yi == pytest.approx(row["smd_yi"], rel=REL)
    assert smd.vi == pytest.approx(row["smd_vi"], rel=REL)
    # escalc("SMD", ..., vtype = "UB") and vtype = "LS2"
    ub = fx.standardized_mean_difference(*_arms(row), vtype="UB")
    assert ub.vi == pytest.approx(row["smd_ub_vi"], rel=REL)
    ls2 = fx.standardized_mean_difference(*_arms(row), vtype="LS2")
    assert ls2.vi == pytest.approx(row["smd_ls2_vi"], rel=REL)


def test_md_and_smd_are_vectorised() -> None:
    cols = list(zip(*(_arms(r) for r in rows("means")), strict=True))
    smd = fx.standardized_mean_difference(*(np.array(c, dtype=float) for c in cols))
    assert isinstance(smd.yi, np.ndarray)
    np.testing.assert_allclose(smd.yi, [r["smd_yi"] for r in rows("means")], rtol=REL)
    np.testing.assert_allclose(smd.vi, [r["smd_vi"] for r in rows("means")], rtol=REL)


def test_unknown_vtype_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="vtype"):
        fx.mean_difference(1, 1, 10, 0, 1, 10, vtype="AV")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "args, fragment",
    [
        ((1, 0, 10, 0, 1, 10), "SD must be greater than 0"),
        ((1, 1, 10, 0, -2, 10), "SD must be greater than 0"),
        ((1, 1, 1, 0, 1, 10), "at least 2"),
        ((1, 1, 10, 0, 1, float("nan")), "at least 2"),
    ],
)
def test_invalid_means_raise_input_error(args: tuple, fragment: str) -> None:
    for fn in (fx.mean_difference, fx.standardized_mean_difference):
        with pytest.raises(InputError, match=fragment):
            fn(*args)


@settings(max_examples=60, deadline=None)
@given(
    m1=st.floats(-100, 100),
    m2=st.floats(-100, 100),
    s1=st.floats(0.1, 50),
    s2=st.floats(0.1, 50),
    n1=st.integers(2, 500),
    n2=st.integers(2, 500),
)
def test_smd_swapping_arms_negates_yi_and_keeps_vi(m1, m2, s1, s2, n1, n2) -> None:
    a = fx.standardized_mean_difference(m1, s1, n1, m2, s2, n2)
    b = fx.standardized_mean_difference(m2, s2, n2, m1, s1, n1)
    assert b.yi == pytest.approx(-a.yi, rel=1e-12, abs=1e-15)
    assert b.vi == pytest.approx(a.vi, rel=1e-12)


# --------------------------------------------------------------------------- t, F, p


@pytest.mark.parametrize("row", rows("from_t"), ids=lambda r: f"t={r['t']}")
def test_smd_from_t_matches_metafor(row: dict) -> None:
    # escalc("SMD", ti = t, n1i = n1i, n2i = n2i)
    es = fx.smd_from_t(row["t"], row["n1i"], row["n2i"])
    assert es.yi == pytest.approx(row["yi"], rel=REL)
    assert es.vi == pytest.approx(row["vi"], rel=REL)


@pytest.mark.parametrize("row", rows("from_f"), ids=lambda r: f"F={r['f']}")
def test_smd_from_f_matches_metafor(row: dict) -> None:
    # escalc("SMD", ti = sign * sqrt(f), n1i, n2i)
    t = fx.t_from_f(row["f"], row["sign"])
    assert t == pytest.approx(row["t"], rel=REL)
    es = fx.smd_from_t(t, row["n1i"], row["n2i"])
    assert es.yi == pytest.approx(row["yi"], rel=REL)
    assert es.vi == pytest.approx(row["vi"], rel=REL)


@pytest.mark.parametrize("row", rows("from_p"), ids=lambda r: f"p={r['p']}")
def test_smd_from_p_matches_metafor(row: dict) -> None:
    # t = sign * qt(p/2, df = n1i + n2i - 2, lower.tail = FALSE)   (metafor >= 4.0 .convp2t)
    # escalc("SMD", ti = t, n1i, n2i)
    t = fx.t_from_p(row["p"], row["n1i"], row["n2i"], row["sign"])
    assert t == pytest.approx(row["t"], rel=REL_Q)
    es = fx.smd_from_t(t, row["n1i"], row["n2i"])
    assert es.yi == pytest.approx(row["yi"], rel=REL_Q)
    assert es.vi == pytest.approx(row["vi"], rel=REL_Q)


@settings(max_examples=60, deadline=None)
@given(p=st.floats(1e-12, 0.999), n1=st.integers(2, 400), n2=st.integers(2, 400))
def test_t_from_p_inverts_the_two_sided_t_test(p, n1, n2) -> None:
    t = fx.t_from_p(p, n1, n2, -1)
    assert t <= 0
    assert 2 * stats.t.sf(abs(t), n1 + n2 - 2) == pytest.approx(p, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    m1=st.floats(-50, 50),
    m2=st.floats(-50, 50),
    s1=st.floats(0.5, 20),
    s2=st.floats(0.5, 20),
    n1=st.integers(2, 300),
    n2=st.integers(2, 300),
)
def test_smd_from_pooled_t_equals_smd_from_means(m1, m2, s1, s2, n1, n2) -> None:
    sp = math.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
    t = (m1 - m2) / (sp * math.sqrt(1 / n1 + 1 / n2))
    a = fx.smd_from_t(t, n1, n2)
    b = fx.standardized_mean_difference(m1, s1, n1, m2, s2, n2)
    assert a.yi == pytest.approx(b.yi, rel=1e-10, abs=1e-14)
    assert a.vi == pytest.approx(b.vi, rel=1e-10)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.2, 1.5, float("nan")])
def test_p_outside_open_unit_interval_raises(p: float) -> None:
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        fx.t_from_p(p, 10, 10, 1)


def test_direction_must_be_a_sign() -> None:
    with pytest.raises(InputError, match="direction"):
        fx.t_from_p(0.05, 10, 10, 0)
    with pytest.raises(InputError, match="direction"):
        fx.t_from_f(4.0, 2)
    with pytest.raises(InputError, match="F statistic"):
        fx.t_from_f(-1.0, 1)


# --------------------------------------------------------------------------- CIs and SEs


@pytest.mark.parametrize("row", rows("md_ci"), ids=lambda r: f"md={r['md']}")
def test_md_ci_to_se_and_smd_match_reference(row: dict) -> None:
    df = row["n1i"] + row["n2i"] - 2
    # (ci_high - ci_low) / (2 * qnorm((1 - level/100)/2, lower.tail = FALSE))   (conv.wald)
    se_z = fx.se_from_ci(row["ci_low"], row["ci_high"], row["level"])
    assert se_z == pytest.approx(row["se_z"], rel=REL_Q)
    assert se_z**2 == pytest.approx(row["md_vi_z"], rel=REL_Q)
    # (ci_high - ci_low) / (2 * qt((1 - level/100)/2, df = n1i + n2i - 2, lower.tail = FALSE))
    se_t = fx.se_from_ci(row["ci_low"], row["ci_high"], row["level"], df=df, distribution="t")
    assert se_t == pytest.approx(row["se_t"], rel=REL_Q)
    # escalc("SMD", m1i = md, m2i = 0, sd1i = sdp, sd2i = sdp, n1i, n2i)
    assert fx.sd_pooled_from_se(se_t, row["n1i"], row["n2i"]) == pytest.approx(
        row["sdp_t"], rel=REL_Q
    )
    for se, suffix in ((se_z, "z"), (se_t, "t")):
        es = fx.smd_from_md_se(row["md"], se, row["n1i"], row["n2i"])
        assert es.yi == pytest.approx(row[f"smd_yi_{suffix}"], rel=REL_Q)
        assert es.vi == pytest.approx(row[f"smd_vi_{suffix}"], rel=REL_Q)


def test_critical_values_and_level_forms() -> None:
    assert fx.ci_critical_value(95) == pytest.approx(1.959963984540054, rel=1e-15)
    assert fx.ci_critical_value(0.95) == fx.ci_critical_value(95)
    # qt(0.975, 10) = 2.228138851986273
    assert fx.ci_critical_value(95, df=10, distribution="t") == pytest.approx(
        2.228138851986273, rel=1e-14
    )
    with pytest.raises(InputError, match="confidence level"):
        fx.ci_critical_value(100)
    with pytest.raises(ValueError, match="needs df"):
        fx.ci_critical_value(95, distribution="t")


@pytest.mark.parametrize("row", rows("arm_sd"), ids=lambda r: f"n={r['n']}")
def test_arm_sd_from_se_and_ci_match_reference(row: dict) -> None:
    # se * sqrt(n)
    assert fx.sd_from_se(row["se"], row["n"]) == pytest.approx(row["sd_from_se"], rel=REL)
    # sqrt(n) * (ci_high - ci_low) / (2 * qnorm(...))  and  ... / (2 * qt(..., df = n - 1))
    z = fx.sd_from_ci(row["ci_low"], row["ci_high"], row["n"], row["level"], distribution="z")
    t = fx.sd_from_ci(row["ci_low"], row["ci_high"], row["n"], row["level"])
    assert z == pytest.approx(row["sd_ci_z"], rel=REL_Q)
    assert t == pytest.approx(row["sd_ci_t"], rel=REL_Q)
    assert t < z  # t quantile > z quantile, so the same CI implies a smaller SD


def test_reversed_or_empty_ci_raises() -> None:
    with pytest.raises(InputError, match="upper confidence limit"):
        fx.se_from_ci(2.0, 1.0)
    with pytest.raises(InputError, match="upper confidence limit"):
        fx.sd_from_ci(1.0, 1.0, 20)
    with pytest.raises(InputError, match="SE must be greater than 0"):
        fx.sd_from_se(0.0, 20)


# --------------------------------------------------------------------------- change scores


@pytest.mark.parametrize("row", rows("change"), ids=lambda r: f"n={r['n_1']}")
def test_change_scores_match_metafor(row: dict) -> None:
    # sqrt(escalc("MC", m1i = m_post, m2i = m_pre, sd1i = sd_post, sd2i = sd_pre, ni, ri)$vi * ni)
    for arm in ("1", "2"):
        sdc = fx.change_sd(row[f"sd_pre_{arm}"], row[f"sd_post_{arm}"], row["r"])
        assert sdc == pytest.approx(row[f"sd_change_{arm}"], rel=REL)
    args = (
        row["mean_change_1"], row["sd_change_1"], row["n_1"],
        row["mean_change_2"], row["sd_change_2"], row["n_2"],
    )  # fmt: skip
    # escalc("MD", ...) and escalc("SMD", ...) on change means and change SDs
    md = fx.mean_difference(*args)
    assert (md.yi, md.vi) == pytest.approx((row["md_change_yi"], row["md_change_vi"]), rel=REL)
    smd = fx.standardized_mean_difference(*args)
    assert (smd.yi, smd.vi) == pytest.approx((row["smd_change_yi"], row["smd_change_vi"]), rel=REL)
    # escalc("SMCR", m1i = m_post_1, m2i = m_pre_1, sd1i = sd_pre_1, ni = n_1, ri = r)
    r1 = fx.smcr(row["m_post_1"], row["m_pre_1"], row["sd_pre_1"], row["n_1"], row["r"])
    assert (r1.yi, r1.vi) == pytest.approx((row["smcr_yi"], row["smcr_vi"]), rel=REL)
    # escalc("SMCC", m1i = m_post_1, m2i = m_pre_1, sd1i = sd_post_1, sd2i = sd_pre_1,
    #        ni = n_1, ri = r)
    c1 = fx.smcc(
        row["m_post_1"], row["m_pre_1"], row["sd_post_1"], row["sd_pre_1"], row["n_1"], row["r"]
    )
    assert (c1.yi, c1.vi) == pytest.approx((row["smcc_yi"], row["smcc_vi"]), rel=REL)


def test_change_sd_limits() -> None:
    # r = 0: variances add; r = 1 with equal SDs: no variation left
    assert fx.change_sd(3.0, 4.0, 0.0) == pytest.approx(5.0, rel=1e-15)
    with pytest.raises(InputError, match="SD of change is 0"):
        fx.change_sd(2.0, 2.0, 1.0)
    with pytest.raises(InputError, match="correlation"):
        fx.change_sd(2.0, 2.0, 1.2)
