"""Subgroup analyses: separate fits with the RevMan test, and the mixed-effects model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from srma.pooling import _dist
from srma.pooling._regression import fit_regression
from srma.pooling.core import _as_arrays, _check_options, pool
from srma.pooling.result import MixedEffectsResult, PoolResult, SubgroupResult


def _levels(groups: Sequence[object], k: int) -> tuple[list[str], tuple[str, ...]]:
    labels = [str(g) for g in groups]
    if len(labels) != k:
        raise ValueError(f"{len(labels)} group labels for {k} studies")
    # R's factor(): levels in sorted order (numeric labels compare as numbers)
    unique = set(labels)
    try:
        levels = tuple(sorted(unique, key=float))
    except ValueError:
        levels = tuple(sorted(unique))
    return labels, levels


def subgroups(
    yi: ArrayLike,
    vi: ArrayLike,
    groups: Sequence[object],
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    ci_tau2: bool = True,
    measure: str | None = None,
    tol: float = 1e-10,
    maxiter: int = 1000,
) -> SubgroupResult:
    """Fit each subgroup separately and test for subgroup differences.

    Each level gets its own :func:`pool` (its own tau²).  The test for
    subgroup differences is the one RevMan reports: Cochran's Q of the
    subgroup estimates ``b_j`` with weights ``1 / se_j²``,
    ``Q = sum (b_j - b_w)² / se_j²`` on ``J - 1`` degrees of freedom
    (metafor: ``rma(b, sei=se, method="FE")$QE``).  Levels are sorted as R's
    ``factor()`` sorts them.

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances.
    groups
        Subgroup label of each study.
    method, test, level, ci_tau2, measure, tol, maxiter
        As for :func:`pool`.

    Returns
    -------
    SubgroupResult
        ``q_between`` is ``None`` with fewer than two subgroups whose
        estimate has a positive, finite standard error.
    """
    y, v = _as_arrays(yi, vi)
    _check_options(method, test, level)
    labels, levels = _levels(groups, y.size)
    codes = np.array([levels.index(g) for g in labels])
    results: dict[str, PoolResult] = {}
    for j, name in enumerate(levels):
        sel = codes == j
        results[name] = pool(
            y[sel],
            v[sel],
            method=method,
            test=test,
            level=level,
            ci_tau2=ci_tau2,
            measure=measure,
            tol=tol,
            maxiter=maxiter,
        )
    est = np.array([results[name].estimate for name in levels])
    se = np.array([results[name].se for name in levels])
    usable = np.isfinite(se) & (se > 0)
    if usable.sum() < 2:
        return SubgroupResult(levels, results, None, None, None)
    w = 1.0 / se[usable] ** 2
    b = est[usable]
    mean = float(w @ b / w.sum())
    q = float(w @ (b - mean) ** 2)
    df = int(usable.sum()) - 1
    return SubgroupResult(levels, results, q, df, float(_dist.chisq_upper(q, df)))


def mixed_effects_subgroups(
    yi: ArrayLike,
    vi: ArrayLike,
    groups: Sequence[object],
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    tol: float = 1e-10,
    maxiter: int = 1000,
) -> MixedEffectsResult:
    """Subgroups as a categorical moderator with a common tau² (metafor's mixed-effects model).

    Fits ``rma(yi, vi, mods = ~ factor(groups), method=, test=)``: treatment
    contrasts against the first level (sorted as R sorts factor levels), one
    residual tau² shared by all subgroups, and the omnibus test ``QM`` of all
    contrasts (chi-square on ``J - 1`` df, or F on ``(J - 1, k - J)`` df under
    Knapp-Hartung).

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances.
    groups
        Subgroup label of each study (at least two levels).
    method, test, level, tol, maxiter
        As for :func:`pool`.

    Returns
    -------
    MixedEffectsResult
    """
    y, v = _as_arrays(yi, vi)
    _check_options(method, test, level)
    labels, levels = _levels(groups, y.size)
    if len(levels) < 2:
        raise ValueError("the mixed-effects subgroup model needs at least two subgroups")
    codes = np.array([levels.index(g) for g in labels])
    X = np.zeros((y.size, len(levels)))
    X[:, 0] = 1.0
    for j in range(1, len(levels)):
        X[:, j] = codes == j
    fit = fit_regression(y, v, X, method=method, test=test, level=level, tol=tol, maxiter=maxiter)
    names = ("intrcpt",) + tuple(f"factor(group){name}" for name in levels[1:])
    # fitted mean per level: intercept (+ contrast)
    level_est: dict[str, float] = {}
    level_se: dict[str, float] = {}
    for j, name in enumerate(levels):
        c = np.zeros(len(levels))
        c[0] = 1.0
        if j:
            c[j] = 1.0
        level_est[name] = float(c @ fit.beta)
        level_se[name] = float(np.sqrt(c @ fit.vb @ c))
    return MixedEffectsResult(
        levels=levels,
        method=method,
        test=test,
        coefficients=names,
        estimate=tuple(float(b) for b in fit.beta),
        se=tuple(float(s) for s in fit.se),
        ci_low=tuple(float(x) for x in fit.ci_low),
        ci_high=tuple(float(x) for x in fit.ci_high),
        level_estimates=level_est,
        level_se=level_se,
        qm=fit.qm,
        qm_df=fit.qm_df,
        qm_df2=fit.qm_df2,
        qm_pval=fit.qm_pval,
        tau2=fit.tau2,
        se_tau2=fit.se_tau2,
        i2=fit.i2,
        h2=fit.h2,
        qe=fit.qe,
        qe_df=fit.qe_df,
        qe_pval=fit.qe_pval,
        k=fit.k,
        converged=fit.converged,
        messages=fit.messages,
    )
