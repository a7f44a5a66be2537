"""Properties of ``pool()`` that need no reference: invariances, edge cases, errors."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from _pooling_refdata import dataset
from hypothesis import given, settings
from hypothesis import strategies as st

from srma.pooling import (
    METHODS,
    POOL_KEYS,
    PoolingWarning,
    fit_regression,
    format_summary,
    leave_one_out,
    pool,
)

RE = ["REML", "ML", "DL", "PM", "EB", "HE", "SJ", "HS"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("test", ["z", "knha"])
def test_regression_engine_with_intercept_only_equals_pool(method, test):
    """Two independent implementations (batched intercept-only, general X) agree."""
    ds = dataset("bangertdrowns")
    y, v = ds["yi"], ds["vi"]
    res = pool(y, v, method=method, test=test)
    fit = fit_regression(y, v, np.ones((y.size, 1)), method=method, test=test)
    assert fit.beta[0] == pytest.approx(res.estimate, rel=1e-10)
    assert fit.se[0] == pytest.approx(res.se, rel=1e-9)
    assert fit.pval[0] == pytest.approx(res.pval, rel=1e-8)
    assert fit.qe == pytest.approx(res.q, rel=1e-12)
    assert fit.i2 == pytest.approx(res.i2, rel=1e-9, abs=1e-12)
    if method not in ("FE", "EE"):
        assert fit.tau2 == pytest.approx(res.tau2, rel=1e-9, abs=1e-15)
        assert fit.se_tau2 == pytest.approx(res.se_tau2, rel=1e-8)


finite = st.floats(-5, 5, allow_nan=False)
variance = st.floats(1e-3, 2.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(st.tuples(finite, variance), min_size=3, max_size=25),
    method=st.sampled_from(RE),
    shift=st.floats(-100, 100),
    scale=st.floats(0.01, 100),
)
def test_location_scale_equivariance(data, method, shift, scale):
    """yi -> a + c yi, vi -> c^2 vi: estimate -> a + c est, tau2 -> c^2 tau2, I^2 unchanged."""
    y = np.array([d[0] for d in data])
    v = np.array([d[1] for d in data])
    base = pool(y, v, method=method, ci_tau2=False)
    moved = pool(shift + scale * y, scale**2 * v, method=method, ci_tau2=False)
    assert base.converged and moved.converged
    assert moved.estimate == pytest.approx(
        shift + scale * base.estimate, rel=1e-7, abs=1e-7 * scale * base.se + 1e-9 * abs(shift)
    )
    assert moved.se == pytest.approx(scale * base.se, rel=1e-7)
    assert moved.tau2 == pytest.approx(
        scale**2 * base.tau2, rel=1e-6, abs=1e-8 * scale**2 * v.mean()
    )
    assert moved.i2 == pytest.approx(base.i2, rel=1e-6, abs=1e-6)
    assert moved.q == pytest.approx(base.q, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.tuples(finite, variance), min_size=2, max_size=20), seed=st.integers(0, 2**16)
)
def test_order_does_not_matter(data, seed):
    y = np.array([d[0] for d in data])
    v = np.array([d[1] for d in data])
    perm = np.random.default_rng(seed).permutation(y.size)
    a = pool(y, v).to_dict()
    b = pool(y[perm], v[perm]).to_dict()
    for key, value in a.items():
        if isinstance(value, float):
            assert b[key] == pytest.approx(value, rel=1e-8, abs=1e-10), key
        else:
            assert b[key] == value, key


@settings(max_examples=40, deadline=None)
@given(data=st.lists(st.tuples(finite, variance), min_size=2, max_size=20))
def test_q_profile_interval_brackets_q(data):
    """The Q-profile bounds solve Q(tau2) = chi2 quantiles (when not at a limit)."""
    from scipy.stats import chi2

    y = np.array([d[0] for d in data])
    v = np.array([d[1] for d in data])
    res = pool(y, v)
    k = y.size

    def q_at(t):
        w = 1 / (v + t)
        mu = (w @ y) / w.sum()
        return float(w @ (y - mu) ** 2)

    if res.tau2_ci_low > 0:
        assert q_at(res.tau2_ci_low) == pytest.approx(chi2.ppf(0.975, k - 1), rel=1e-8)
    if res.tau2_ci_high > 0 and "search limit" not in (res.message or ""):
        assert q_at(res.tau2_ci_high) == pytest.approx(chi2.ppf(0.025, k - 1), rel=1e-8)


def test_to_dict_is_plain_json():
    ds = dataset("bcg_rr")
    d = pool(ds["yi"], ds["vi"], measure="RR", test="knha").to_dict()
    assert tuple(d) == POOL_KEYS
    assert d["measure"] == "RR" and d["df"] == 12.0
    text = json.dumps(d, allow_nan=False)  # NaN would fail here
    assert json.loads(text) == d
    assert all(type(value) in (int, float, str, bool, type(None)) for value in d.values())
    fe = pool(ds["yi"], ds["vi"], method="FE").to_dict()
    assert fe["tau2"] is None and fe["pi_low"] is None and fe["tau2_ci_low"] is None


def test_non_convergence_is_reported():
    ds = dataset("bcg_rr")
    with pytest.warns(PoolingWarning, match="did not converge"):
        res = pool(ds["yi"], ds["vi"], method="REML", maxiter=2)
    assert res.converged is False
    assert "did not converge" in res.message
    assert res.to_dict()["converged"] is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pool(ds["yi"], ds["vi"]).converged


def test_identical_effects():
    """Q = 0: tau2 = 0 for every estimator, I^2 = 0, the CI of tau2 the null set."""
    y = np.full(5, 0.25)
    v = np.array([0.01, 0.02, 0.03, 0.04, 0.05])
    for method in RE:
        res = pool(y, v, method=method)
        assert res.tau2 == 0.0 and res.i2 == 0.0 and res.estimate == pytest.approx(0.25)
    fe = pool(y, v, method="FE")
    assert fe.i2 == 0.0 and fe.q == 0.0
    res = pool(y, v, test="knha")  # metafor: s2w = 0 -> se = 0
    assert res.se == 0.0 and res.ci_low == res.ci_high == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"yi": [0.1, 0.2], "vi": [0.01]}, "differ in length"),
        ({"yi": [], "vi": []}, "k = 0"),
        ({"yi": [0.1, np.nan], "vi": [0.01, 0.01]}, "not finite"),
        ({"yi": [0.1, 0.2], "vi": [0.01, 0.0]}, "positive"),
        ({"yi": [0.1, 0.2], "vi": [0.01, 0.01], "method": "XX"}, "unknown method"),
        ({"yi": [0.1, 0.2], "vi": [0.01, 0.01], "test": "t"}, "unknown test"),
        ({"yi": [0.1, 0.2], "vi": [0.01, 0.01], "level": 95}, "level"),
    ],
)
def test_invalid_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pool(**kwargs)


def test_summary_text_has_metafor_layout():
    ds = dataset("bcg_rr")
    text = format_summary(pool(ds["yi"], ds["vi"]))
    assert text.startswith("Random-Effects Model (k = 13; tau^2 estimator: REML)")
    assert "tau^2 (estimated amount of total heterogeneity): 0.3132 (SE = 0.1664)" in text
    assert "I^2 (total heterogeneity / total variability):   92.22%" in text
    assert "Q(df = 12) = 152.2330, p-val < .0001" in text
    assert "-0.7145  0.1798  -3.9744  <.0001  -1.0669  -0.3622" in text
    assert "Prediction interval (95%): -1.8667 to 0.4376" in text
    single = format_summary(pool([0.4], [0.04]))
    assert "single study" in single


def test_traces_stay_exact_when_one_weight_dominates():
    """k = 2: tr(P) = 2 w1 w2 / S and tr(PP) = 4 (w1 w2 / S)^2, even for w2 / w1 = 1e14."""
    from srma.pooling._univariate import _traces

    w = np.array([[7.5e-5, 2.2e6 * 1e4]])
    s1, s2, s3 = w.sum(1), (w**2).sum(1), (w**3).sum(1)
    trp, trpp = _traces(w, s1, s2, s3)
    h = w[0, 0] * w[0, 1] / s1[0]
    assert trp[0] == pytest.approx(2 * h, rel=1e-12)
    assert trpp[0] == pytest.approx(4 * h * h, rel=1e-12)


def test_extreme_variance_ratio_terminates_and_reports():
    """Variances spanning 12 orders of magnitude: no hang, every fit reports its status."""
    y = np.array([2.39913326, -4.45189448, 4.47471018])
    v = np.array([1.34027203e04, 4.53874582e-07, 4.38563375e-08])
    for method in RE:
        res = pool(y, v, method=method)
        assert np.isfinite(res.estimate)
        assert res.converged or "did not converge" in res.message
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PoolingWarning)
            rows = leave_one_out(y, v, method=method)
        assert len(rows) == 3
