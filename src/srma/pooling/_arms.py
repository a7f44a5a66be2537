"""Effect sizes from two-arm summary statistics (a stop-gap for ``srma.effects``).

Kept private so that the full set of conversions in ``srma.effects`` can
replace it without touching callers outside this package.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln

ARM_COLUMNS = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")


def _effects_from_arms(
    m1i: ArrayLike,
    sd1i: ArrayLike,
    n1i: ArrayLike,
    m2i: ArrayLike,
    sd2i: ArrayLike,
    n2i: ArrayLike,
    measure: str = "SMD",
) -> tuple[np.ndarray, np.ndarray]:
    """``yi`` and ``vi`` as metafor ``escalc(measure, m1i=, sd1i=, n1i=, m2i=, sd2i=, n2i=)``.

    * ``"SMD"``: Hedges' g with the exact small-sample correction
      ``c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))``, ``m = n1 + n2 - 2``,
      applied to Cohen's d with the pooled SD; variance ``vtype="LS"`` (the
      escalc default): ``1/n1 + 1/n2 + g² / (2 (n1 + n2))``.
    * ``"MD"``: raw mean difference, variance ``sd1²/n1 + sd2²/n2``.

    Inputs are assumed checked (positive sizes, non-negative SDs); a pair of
    arms with ``n1 + n2 <= 3`` gives NaN for SMD, as in metafor.
    """
    m1, s1, n1, m2, s2, n2 = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    if measure == "MD":
        return m1 - m2, s1**2 / n1 + s2**2 / n2
    if measure != "SMD":
        raise ValueError(f"unknown measure {measure!r}; use 'SMD' or 'MD'")
    n = n1 + n2
    m = n - 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        sdp = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / m)
        cm = np.where(
            m > 1, np.exp(gammaln(m / 2) - np.log(np.sqrt(m / 2)) - gammaln((m - 1) / 2)), np.nan
        )
        g = cm * (m1 - m2) / sdp
    return g, 1.0 / n1 + 1.0 / n2 + g**2 / (2.0 * n)
