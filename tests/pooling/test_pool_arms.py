"""The stop-gap SMD/MD helper against metafor's ``escalc()``.

Tolerance 1e-12 relative: the same closed forms (exact Hedges correction via
log-gamma, vtype "LS"); differences are rounding only.
"""

from __future__ import annotations

import numpy as np
import pytest
from _pooling_refdata import arr, load

from srma.pooling._arms import _effects_from_arms

CASES = load()["escalc"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['name']}-{c['measure']}" for c in CASES])
def test_effects_from_arms_match_escalc(case):
    cols = [arr(case[c]) for c in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")]
    yi, vi = _effects_from_arms(*cols, measure=case["measure"])
    np.testing.assert_allclose(yi, arr(case["yi"]), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(vi, arr(case["vi"]), rtol=1e-12)


def test_small_samples_and_unknown_measure():
    # n1 + n2 - 2 <= 1: the correction is undefined (NA in metafor)
    yi, _ = _effects_from_arms([1.0], [1.0], [1], [0.0], [1.0], [2])
    assert np.isnan(yi[0])
    with pytest.raises(ValueError, match="measure"):
        _effects_from_arms([1.0], [1.0], [5], [0.0], [1.0], [5], measure="ROM")
