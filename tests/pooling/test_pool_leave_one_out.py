"""``leave_one_out()`` against metafor and against separate ``pool()`` fits.

Reference: for each study i, ``rma(yi[-i], vi[-i], method=, test=, control=...)``
with ``confint()`` and ``predict()`` (the R script checks these estimates equal
metafor's ``leave1out(res)``).  Tolerances as in test_pool_reference.py:
1e-8 for closed-form methods, 1e-6 for iterative ones and every Q-profile
bound, on the same scales.
"""

from __future__ import annotations

import numpy as np
import pytest
from _pooling_refdata import close, dataset, load, num, vt

from srma.pooling import SINGLE_STUDY, leave_one_out, pool

CASES = load()["leave1out"]
CLOSED = {"FE", "EE", "DL", "HE", "HS", "SJ"}
KEYS = (
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "stat",
    "pval",
    "tau2",
    "se_tau2",
    "i2",
    "h2",
    "q",
    "q_pval",
    "pi_low",
    "pi_high",
    "tau2_ci_low",
    "tau2_ci_high",
    "i2_ci_low",
    "i2_ci_high",
)


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c['dataset']}-{c['method']}-{c['test']}" for c in CASES]
)
def test_leave_one_out_matches_metafor(case):
    ds = dataset(case["dataset"])
    rows = leave_one_out(ds["yi"], ds["vi"], ds["study"], method=case["method"], test=case["test"])
    assert [r.study for r in rows] == [row["study"] for row in case["rows"]]
    rel = 1e-8 if case["method"] in CLOSED else 1e-6
    failures = []
    for item, ref in zip(rows, case["rows"], strict=True):
        res = item.result
        assert res.converged, res.message
        if res.k == 1:
            assert SINGLE_STUDY in res.message
            keys = ("estimate", "se", "ci_low", "ci_high", "stat", "pval")
        else:
            keys = KEYS if res.is_random else KEYS[:6] + ("i2", "h2", "q", "q_pval")
        scale_t = vt(np.delete(ds["vi"], ds["study"].index(item.study)))
        se = num(ref["se"])
        for key in keys:
            tol = 1e-6 if "ci_" in key and key.startswith(("tau2", "i2")) else rel
            scale = {
                "estimate": se,
                "ci_low": se,
                "ci_high": se,
                "pi_low": se,
                "pi_high": se,
                "tau2": scale_t,
                "se_tau2": scale_t,
                "tau2_ci_low": scale_t,
                "tau2_ci_high": scale_t,
                "pval": 1e-300,
                "q_pval": 1e-300,
                "se": 0.0,
            }.get(key, 1.0)
            if not close(getattr(res, key), ref.get(key, "NA"), tol, scale):
                failures.append(f"{item.study} {key}: {getattr(res, key)!r} vs {ref.get(key)!r}")
    assert not failures, case["call"] + "\n" + "\n".join(failures[:20])


@pytest.mark.parametrize("method", ["REML", "ML", "PM", "EB", "DL", "HE", "SJ", "HS", "FE"])
@pytest.mark.parametrize("test", ["z", "knha"])
def test_batched_fits_equal_separate_pool_calls(method, test):
    """The vectorised, warm-started batch gives what pool() gives on each subset."""
    ds = dataset("rand_k50")
    y, v = ds["yi"], ds["vi"]
    rows = leave_one_out(y, v, method=method, test=test)
    for i in (0, 7, 23, 49):
        ref = pool(np.delete(y, i), np.delete(v, i), method=method, test=test).to_dict()
        got = rows[i].result.to_dict()
        assert rows[i].study == str(i + 1)
        for key, value in ref.items():
            if isinstance(value, float):
                # same algorithm, different start: both converge to ~1e-10 of the scale
                assert got[key] == pytest.approx(value, rel=1e-8, abs=1e-12), key
            else:
                assert got[key] == value, key


def test_leave_one_out_spans_batches():
    """More studies than one batch holds: order and values survive the batching."""
    rng = np.random.default_rng(7)
    k = 300
    v = rng.uniform(0.01, 0.2, k)
    y = rng.normal(0.2, np.sqrt(v + 0.04))
    rows = leave_one_out(y, v, method="REML", ci_tau2=False)
    assert len(rows) == k
    for i in (0, 217, 218, 299):
        ref = pool(np.delete(y, i), np.delete(v, i), ci_tau2=False)
        assert rows[i].result.estimate == pytest.approx(ref.estimate, rel=1e-10)
        assert rows[i].result.tau2 == pytest.approx(ref.tau2, rel=1e-8, abs=1e-14)


def test_leave_one_out_small_k():
    assert leave_one_out([0.3], [0.01]) == []
    rows = leave_one_out([0.3, 0.5], [0.01, 0.02], ["a", "b"])
    assert [r.study for r in rows] == ["a", "b"]
    assert rows[0].result.estimate == 0.5 and rows[1].result.estimate == 0.3
    assert rows[0].to_dict()["study"] == "a"


def test_leave_one_out_label_mismatch():
    with pytest.raises(ValueError, match="labels"):
        leave_one_out([0.1, 0.2, 0.3], [0.01, 0.01, 0.01], ["a", "b"])
