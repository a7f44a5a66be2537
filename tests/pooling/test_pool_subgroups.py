"""Subgroup analyses against metafor.

Separate fits: one ``rma()`` per level (with ``confint``/``predict``) and the
test for subgroup differences ``rma(estimates, sei=ses, method="FE")$QE`` (as
RevMan computes it).  Mixed-effects: ``rma(yi, vi, mods=~factor(g), method=,
test=)``.  Tolerances: 1e-8 for closed-form methods, 1e-6 for iterative ones
(see test_pool_reference.py); QM/QE and p-values relative to themselves.
"""

from __future__ import annotations

import numpy as np
import pytest
from _pooling_refdata import arr, close, dataset, load, num, vt

from srma.pooling import mixed_effects_subgroups, subgroups

CASES = load()["subgroups"]
CLOSED = {"FE", "EE", "DL", "HE", "HS", "SJ"}
IDS = [f"{c['dataset']}-{c['method']}-{c['test']}" for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_separate_fits_and_q_between(case):
    ds = dataset(case["dataset"])
    res = subgroups(ds["yi"], ds["vi"], ds["group"], method=case["method"], test=case["test"])
    levels = case["levels"] if isinstance(case["levels"], list) else [case["levels"]]
    assert list(res.levels) == levels
    rel = 1e-8 if case["method"] in CLOSED else 1e-6
    for level in levels:
        got = res.results[level]
        ref = case["per_level"][level]
        se = num(ref["se"])
        assert close(got.estimate, ref["estimate"], rel, se), level
        assert close(got.se, ref["se"], rel), level
        assert close(got.ci_low, ref["ci_low"], rel, se), level
        if got.is_random and got.k > 1:
            g = np.array(ds["group"])
            scale_t = vt(ds["vi"][g == level])
            assert close(got.tau2, ref["tau2"], rel, scale_t), level
            assert close(got.tau2_ci_high, ref["tau2_ci_high"], 1e-6, scale_t), level
    # the between-subgroup Q is a closed form of the subgroup estimates
    assert close(res.q_between, case["q_between"], rel), case["between_call"]
    assert res.q_between_df == case["q_between_df"]
    assert close(res.q_between_pval, case["q_between_pval"], rel, 1e-300)
    d = res.to_dict()
    assert set(d) == {"subgroups", "q_between", "q_between_df", "q_between_pval"}
    assert list(d["subgroups"]) == levels


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_mixed_effects_model(case):
    ds = dataset(case["dataset"])
    res = mixed_effects_subgroups(
        ds["yi"], ds["vi"], ds["group"], method=case["method"], test=case["test"]
    )
    ref = case["mixed"]
    rel = 1e-8 if case["method"] in CLOSED else 1e-6
    se = arr(ref["se"])
    np.testing.assert_allclose(res.estimate, arr(ref["beta"]), rtol=rel, atol=rel * se.max())
    np.testing.assert_allclose(res.se, se, rtol=rel)
    np.testing.assert_allclose(res.ci_low, arr(ref["ci_low"]), rtol=rel, atol=rel * se.max())
    assert close(res.qm, ref["qm"], rel), case["mixed_call"]
    assert res.qm_df == ref["qm_df"]
    if case["test"] == "knha":
        assert res.qm_df2 == ref["qm_df2"]
    assert close(res.qm_pval, ref["qm_pval"], rel, 1e-300)
    assert close(res.qe, ref["qe"], 1e-8, 1.0)
    if case["method"] not in ("FE", "EE"):
        scale_t = vt(ds["vi"])
        assert close(res.tau2, ref["tau2"], rel, scale_t)
        assert close(res.se_tau2, ref["se_tau2"], rel, scale_t)
        assert close(res.i2, ref["i2"], rel, 1.0)
    # fitted level means: intercept plus contrast
    first = res.levels[0]
    assert res.level_estimates[first] == pytest.approx(res.estimate[0], rel=1e-14)
    assert res.to_dict()["qm"] == pytest.approx(res.qm)


def test_levels_sort_like_r_factor():
    res = subgroups([0.1, 0.2, 0.3, 0.4], [0.01] * 4, ["10", "9", "10", "9"], method="FE")
    assert res.levels == ("9", "10")  # numeric labels sort as numbers


def test_single_level_and_single_study_subgroups():
    res = subgroups([0.1, 0.2, 0.3], [0.01, 0.02, 0.01], ["a", "a", "b"])
    assert res.results["b"].k == 1
    assert res.q_between_df == 1
    one = subgroups([0.1, 0.2], [0.01, 0.02], ["a", "a"])
    assert one.q_between is None
    with pytest.raises(ValueError, match="two subgroups"):
        mixed_effects_subgroups([0.1, 0.2], [0.01, 0.02], ["a", "a"])
