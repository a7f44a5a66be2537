"""``pool()`` against metafor 3.8-1 on example and seeded random data sets.

Each case is one ``rma(yi, vi, method=, test=, level=, control=...)`` fit plus
``confint(res)`` and ``predict(res)``, written by
``tests/r/make_pooling_reference.R`` (the exact R call is in each entry's
``call`` and shown in the failure message).

Tolerances (relative, against ``max(|expected|, scale)``):

* closed-form quantities (FE/EE, DL, HE, HS, SJ, and every statistic
  derived from them): 1e-8.  The formulas are the same as metafor's; the
  only differences are floating-point order of operations (~1e-15) and the
  15 significant digits stored in the JSON, so 1e-8 leaves ample room while
  still catching any formula slip (which shows at 1e-3 or worse).
* quantities that depend on an iterative step (tau2 by REML/ML/PM/EB, and
  the Q-profile bounds for every method): 1e-6.  Both sides are converged to
  ~1e-12 of the tau2 scale (the reference through a tightened metafor
  ``control``, srma with ``tol=1e-10`` relative), so 1e-6 is the brief's bound
  with a margin of several orders of magnitude.
* scales: location quantities (estimate, CI, PI) are compared on the scale
  of their standard error; tau2, its SE and its interval on the scale of
  metafor's typical within-study variance ``vt`` (the scale on which a tau2
  near the boundary 0 is meaningful: metafor stops its halving toward 0 at
  its threshold, srma sets exactly 0); statistics, Q and H² on 1; I² on 1
  percentage point; p-values relative to themselves.
* one exception: the Q-profile bounds of ``rand_tiny_k20`` (variances ~1e-10)
  are compared at 1e-5.  metafor evaluates Q there as ``y'(W - WX(X'WX)^-1X'W)y``
  with weights ~1e10, and that cancellation leaves its own Q noisy at ~1e-6
  relative: at metafor's reported root, ``.QE.func`` itself returns a residual
  of 9e-7 of the critical value, while srma's residual form ``sum w (y - mu)^2``
  solves the equation to 1e-15.  The difference is metafor's rounding, not a
  different definition.
"""

from __future__ import annotations

import math

import pytest
from _pooling_refdata import close, dataset, load, num, vt

from srma.pooling import SINGLE_STUDY, pool

CLOSED = {"FE", "EE", "DL", "HE", "HS", "SJ"}
CI_KEYS = ("tau2_ci_low", "tau2_ci_high", "i2_ci_low", "i2_ci_high", "h2_ci_low", "h2_ci_high")
#: see the module docstring: metafor's own Q is noisy at ~1e-6 for variances ~1e-10
TOL_OVERRIDES = {("rand_tiny_k20", key): 1e-5 for key in CI_KEYS}
FITS = [f for f in load()["fits"] if "error" not in f]


def _id(fit: dict) -> str:
    level = fit.get("level", 0.95)
    suffix = "" if level == 0.95 else f"-{level:g}"
    return f"{fit['dataset']}-{fit['method']}-{fit['test']}{suffix}"


def test_reference_is_complete():
    ref = load()
    assert ref["meta"]["metafor"] == "3.8.1"
    # every data set x 10 methods x 2 tests, none failing in R
    assert len(ref["fits"]) >= 20 * len(ref["datasets"])
    assert not [f for f in ref["fits"] if "error" in f]


@pytest.mark.parametrize("fit", FITS, ids=[_id(f) for f in FITS])
def test_pool_matches_metafor(fit):
    ds = dataset(fit["dataset"])
    level = fit.get("level", 0.95)
    res = pool(ds["yi"], ds["vi"], method=fit["method"], test=fit["test"], level=level)
    assert res.converged, res.message
    scale_t = vt(ds["vi"])
    iterative = fit["method"] not in CLOSED
    rel = 1e-6 if iterative else 1e-8
    se = num(fit["se"]) or 1.0
    checks = {
        "estimate": (rel, se),
        "se": (rel, 0.0),
        "ci_low": (rel, se),
        "ci_high": (rel, se),
        "stat": (rel, 1.0),
        "pval": (rel, 1e-300),
    }
    if res.k > 1:
        checks.update(
            {
                "q": (1e-8, 1.0),  # Q at tau2 = 0 is closed form for every method
                "q_pval": (1e-8, 1e-300),
                "i2": (rel, 1.0),
                "h2": (rel, 1.0),
            }
        )
        if res.is_random:
            checks.update(
                {
                    "tau2": (rel, scale_t),
                    "se_tau2": (rel, scale_t),
                    "pi_low": (rel, se),
                    "pi_high": (rel, se),
                    "tau2_ci_low": (1e-6, scale_t),
                    "tau2_ci_high": (1e-6, scale_t),
                    "i2_ci_low": (1e-6, 1.0),
                    "i2_ci_high": (1e-6, 1.0),
                    "h2_ci_low": (1e-6, 1.0),
                    "h2_ci_high": (1e-6, 1.0),
                }
            )
    failures = []
    for key, (tol, scale) in checks.items():
        tol = TOL_OVERRIDES.get((fit["dataset"], key), tol)
        actual = getattr(res, key)
        if not close(actual, fit.get(key, "NA"), tol, scale):
            failures.append(f"{key}: srma {actual!r} vs metafor {fit.get(key)!r}")
    if fit["test"] == "knha" and res.k > 1:
        assert res.df == num(fit["df"])
    assert not failures, f"{fit['call']}\n" + "\n".join(failures)


@pytest.mark.parametrize(
    "fit", [f for f in FITS if f["method"] in ("FE", "EE") and f["k"] > 1], ids=_id
)
def test_common_effect_has_no_tau2(fit):
    ds = dataset(fit["dataset"])
    res = pool(ds["yi"], ds["vi"], method=fit["method"], test=fit["test"])
    assert res.tau2 is None and res.tau2_ci_low is None and res.pi_low is None
    assert res.to_dict()["tau2"] is None


def test_single_study_reports_no_heterogeneity():
    ds = dataset("rand_k1")
    res = pool(ds["yi"], ds["vi"], method="REML", test="knha")
    # metafor: rma() with k = 1 switches to test = "z"
    fit = next(f for f in FITS if f["dataset"] == "rand_k1" and f["method"] == "REML")
    assert res.estimate == pytest.approx(num(fit["estimate"]), rel=1e-12)
    assert res.se == pytest.approx(math.sqrt(ds["vi"][0]), rel=1e-15)
    assert res.ci_low == pytest.approx(num(fit["ci_low"]), rel=1e-12)
    assert res.test == "z"
    assert SINGLE_STUDY in res.message
    d = res.to_dict()
    for key in ("tau2", "tau2_ci_low", "i2", "h2", "q", "q_df", "q_pval", "pi_low", "pi_high"):
        assert d[key] is None, key


def _signs(fit: dict) -> tuple[str, str, bool]:
    return fit.get("ci_lb_sign", ""), fit.get("ci_ub_sign", ""), fit.get("ci_null") is True


@pytest.mark.parametrize(
    "fit",
    [f for f in FITS if _signs(f) != ("", "", False) and "ci_lb_sign" in f],
    ids=_id,
)
def test_q_profile_bound_flags_match_metafor(fit):
    """Bounds at 0 (null set) and at the search limit max(100, 10 tau2) as metafor flags them."""
    ds = dataset(fit["dataset"])
    res = pool(ds["yi"], ds["vi"], method=fit["method"], test=fit["test"])
    lb_sign, ub_sign, null = _signs(fit)
    if null:
        assert res.tau2_ci_low == 0.0 and res.tau2_ci_high == 0.0
        assert "null set" in res.message
    if ub_sign == ">":
        assert res.tau2_ci_high == pytest.approx(max(100.0, 10 * res.tau2), rel=1e-12)
        assert "search limit" in res.message


def test_boundary_datasets_are_exactly_zero():
    ds = dataset("rand_boundary_k15")
    # SJ is positive by construction (tau0 * Q / (k - 1)); every other estimator hits 0
    for method in ("REML", "ML", "PM", "EB", "DL", "HE", "HS"):
        res = pool(ds["yi"], ds["vi"], method=method)
        assert res.tau2 == 0.0, method
        assert res.i2 == 0.0 and res.h2 == 1.0
