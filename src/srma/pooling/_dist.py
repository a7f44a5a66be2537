"""Tail probabilities and critical values through :mod:`scipy.special`.

``scipy.stats`` distributions cost tens of microseconds per call in argument
checking; the special functions below are the same Cephes routines without
that overhead, which matters when one fit must take well under a millisecond.
Every function accepts scalars or arrays.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def z_crit(alpha: float) -> float:
    """Upper ``alpha / 2`` quantile of the standard normal (R: ``qnorm(alpha/2, lower=FALSE)``)."""
    return float(-special.ndtri(alpha / 2.0))


def z_pval(z: np.ndarray | float) -> np.ndarray | float:
    """Two-sided p-value of a z statistic (R: ``2 * pnorm(abs(z), lower=FALSE)``)."""
    return 2.0 * special.ndtr(-np.abs(z))


def t_crit(alpha: float, df: np.ndarray | float) -> np.ndarray | float:
    """Upper ``alpha / 2`` quantile of Student's t (R: ``qt(alpha/2, df, lower=FALSE)``)."""
    return -special.stdtrit(df, alpha / 2.0)


def t_pval(t: np.ndarray | float, df: np.ndarray | float) -> np.ndarray | float:
    """Two-sided p-value of a t statistic (R: ``2 * pt(abs(t), df, lower=FALSE)``)."""
    return 2.0 * special.stdtr(df, -np.abs(t))


def chisq_upper(x: np.ndarray | float, df: np.ndarray | float) -> np.ndarray | float:
    """Upper tail of chi-square (R: ``pchisq(x, df, lower=FALSE)``)."""
    return special.chdtrc(df, x)


def chisq_quantile_upper(p: float, df: np.ndarray | float) -> np.ndarray | float:
    """``x`` with upper tail ``p`` (R: ``qchisq(p, df, lower=FALSE)``)."""
    return special.chdtri(df, p)


def chisq_quantile_lower(p: float, df: np.ndarray | float) -> np.ndarray | float:
    """``x`` with lower tail ``p`` (R: ``qchisq(p, df)``)."""
    return 2.0 * special.gammaincinv(np.asarray(df) / 2.0, p)


def f_upper(x: np.ndarray | float, df1: float, df2: float) -> np.ndarray | float:
    """Upper tail of F (R: ``pf(x, df1, df2, lower=FALSE)``)."""
    return special.fdtrc(df1, df2, x)
