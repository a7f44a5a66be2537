"""``aggregate()`` against metafor's ``aggregate.escalc(x, cluster=, rho=)``.

Tolerance 1e-10 relative: both sides compute the GLS mean in closed form
(metafor through ``chol2inv`` of each cluster's ``V``, srma through the
closed-form inverse of the compound-symmetric matrix); the results differ only
by rounding (~1e-14 for the clusters of up to 22 estimates used here).
"""

from __future__ import annotations

import numpy as np
import pytest
from _pooling_refdata import arr, close, load, num, vt

from srma.pooling import aggregate, pool

CASES = load()["aggregate"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['name']}-rho{c['rho']}" for c in CASES])
def test_aggregate_matches_metafor(case):
    agg = aggregate(arr(case["yi"]), arr(case["vi"]), case["cluster"], case["rho"])
    assert list(agg.cluster) == case["agg_cluster"]
    np.testing.assert_allclose(agg.yi, arr(case["agg_yi"]), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(agg.vi, arr(case["agg_vi"]), rtol=1e-10)
    assert agg.k.sum() == len(case["cluster"])
    # and the pooled aggregate (REML) as metafor: iterative, 1e-6
    ref = case["pooled"]
    res = pool(agg.yi, agg.vi)
    assert close(res.estimate, ref["estimate"], 1e-6, num(ref["se"])), ref["call"]
    assert close(res.tau2, ref["tau2"], 1e-6, vt(agg.vi))


def test_aggregate_special_cases():
    y = np.array([0.1, 0.3, 0.5])
    v = np.array([0.01, 0.02, 0.04])
    # rho = 0: the inverse-variance mean
    agg = aggregate(y, v, ["a", "a", "a"], 0.0)
    w = 1 / v
    assert agg.yi[0] == pytest.approx((w @ y) / w.sum(), rel=1e-14)
    assert agg.vi[0] == pytest.approx(1 / w.sum(), rel=1e-14)
    # singleton clusters pass through; order of first appearance
    agg = aggregate(y, v, ["b", "a", "b"], 0.5)
    assert agg.cluster == ("b", "a")
    assert agg.yi[1] == pytest.approx(0.3, rel=1e-15) and agg.vi[1] == pytest.approx(
        0.02, rel=1e-15
    )
    # equal variances, any rho: the plain mean, variance v (1 + (m-1) rho) / m
    agg = aggregate([0.2, 0.4], [0.01, 0.01], ["s", "s"], 0.6)
    assert agg.yi[0] == pytest.approx(0.3)
    assert agg.vi[0] == pytest.approx(0.01 * 1.6 / 2)


def test_aggregate_rejects_non_positive_definite():
    with pytest.raises(ValueError, match="positive definite"):
        aggregate([0.1, 0.2], [0.01, 0.02], ["a", "a"], 1.0)
    with pytest.raises(ValueError, match="positive definite"):
        aggregate([0.1, 0.2, 0.3], [0.01, 0.02, 0.03], ["a"] * 3, -0.5)
    with pytest.raises(ValueError, match="rho"):
        aggregate([0.1], [0.01], ["a"], 1.5)
