"""Inverse-variance pooling without moderators: :func:`pool` and :func:`leave_one_out`."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from srma.pooling import _dist
from srma.pooling._univariate import METHODS, RE_METHODS, Settings, fit_batch
from srma.pooling.result import LeaveOneOut, PoolResult

#: Knapp-Hartung is metafor's ``test="knha"``; ``"z"`` is the Wald z test.
TESTS = ("z", "knha")

SINGLE_STUDY = "single study: heterogeneity not estimable"

#: Leave-one-out fits are batched so that one batch holds about this many
#: study weights (a few MB): memory stays linear in k.
_BATCH_ELEMENTS = 1 << 16


class PoolingWarning(UserWarning):
    """An iterative estimator stopped before converging."""


def _as_arrays(yi: ArrayLike, vi: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(yi, dtype=float).reshape(-1)
    v = np.asarray(vi, dtype=float).reshape(-1)
    if y.shape != v.shape:
        raise ValueError(f"yi and vi differ in length ({y.size} and {v.size})")
    if y.size == 0:
        raise ValueError("no studies to pool (k = 0)")
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise ValueError(f"yi is not finite at position(s) {bad.tolist()[:10]}")
    bad = np.flatnonzero(~np.isfinite(v) | (v <= 0))
    if bad.size:
        raise ValueError(
            f"vi must be positive and finite; it is not at position(s) {bad.tolist()[:10]}"
        )
    return y, v


def _check_options(method: str, test: str, level: float) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if test not in TESTS:
        raise ValueError(f"unknown test {test!r}; use 'z' or 'knha'")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1 (got {level})")


def _single(
    y: float, v: float, method: str, test: str, level: float, measure: str | None
) -> PoolResult:
    """k = 1: the study itself, z-based (metafor switches test to "z" for k = 1)."""
    se = float(np.sqrt(v))
    crit = _dist.z_crit(1.0 - level)
    notes = [SINGLE_STUDY]
    if test != "z":
        notes.append("test set to 'z' since k = 1")
    stat = y / se
    return PoolResult(
        k=1,
        method=method,
        test="z",
        level=level,
        measure=measure,
        estimate=float(y),
        se=se,
        ci_low=float(y - crit * se),
        ci_high=float(y + crit * se),
        stat=float(stat),
        pval=float(_dist.z_pval(stat)),
        messages=tuple(notes),
    )


def _row_result(
    out: dict[str, np.ndarray], i: int, method: str, test: str, level: float, measure: str | None
) -> PoolResult:
    """Wrap row ``i`` of a batched fit into a :class:`PoolResult`."""
    re = method in RE_METHODS

    def f(key: str) -> float | None:
        value = float(out[key][i])
        return value if np.isfinite(value) else None

    def opt(key: str, keep: bool) -> float | None:
        return f(key) if keep else None

    ci = re and np.isfinite(out["tau2_ci_low"][i])
    knha = test == "knha"
    return PoolResult(
        k=int(out["k"][i]),
        method=method,
        test=test,
        level=level,
        measure=measure,
        estimate=float(out["estimate"][i]),
        se=float(out["se"][i]),
        ci_low=float(out["ci_low"][i]),
        ci_high=float(out["ci_high"][i]),
        stat=float(out["stat"][i]),
        pval=float(out["pval"][i]),
        df=f("df") if knha else None,
        tau2=float(out["tau2"][i]) if re else None,
        se_tau2=opt("se_tau2", re),
        tau2_ci_low=opt("tau2_ci_low", ci),
        tau2_ci_high=opt("tau2_ci_high", ci),
        i2=f("i2"),
        i2_ci_low=opt("i2_ci_low", ci),
        i2_ci_high=opt("i2_ci_high", ci),
        h2=f("h2"),
        h2_ci_low=opt("h2_ci_low", ci),
        h2_ci_high=opt("h2_ci_high", ci),
        q=float(out["q"][i]),
        q_df=int(out["q_df"][i]),
        q_pval=float(out["q_pval"][i]),
        pi_low=opt("pi_low", re),
        pi_high=opt("pi_high", re),
        converged=bool(out["converged"][i]),
        iterations=int(out["iterations"][i]),
        messages=tuple(out["messages"][i]),
    )


def _warn_unconverged(result: PoolResult, where: str = "") -> None:
    if not result.converged:
        warnings.warn(f"{where}{result.message}", PoolingWarning, stacklevel=3)


def pool(
    yi: ArrayLike,
    vi: ArrayLike,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    ci_tau2: bool = True,
    measure: str | None = None,
    tol: float = 1e-10,
    maxiter: int = 1000,
    tau2_max: float | None = None,
) -> PoolResult:
    """Pool effect sizes by inverse-variance weighting (metafor ``rma.uni``).

    Parameters
    ----------
    yi, vi
        Effect sizes and their sampling variances (``vi > 0``), one per study.
    method
        ``"FE"``/``"EE"`` (common effect) or the tau² estimator of a
        random-effects model: ``"REML"``, ``"ML"``, ``"DL"``
        (DerSimonian-Laird), ``"PM"`` (Paule-Mandel), ``"EB"`` (empirical
        Bayes; the same estimate as PM), ``"HE"`` (Hedges), ``"SJ"``
        (Sidik-Jonkman) or ``"HS"`` (Hunter-Schmidt).
    test
        ``"z"`` (Wald) or ``"knha"`` (Knapp-Hartung t test, ``df = k - 1``).
    level
        Confidence level of every interval (0.95 for 95%).
    ci_tau2
        Compute the Q-profile confidence intervals of tau², I² and H²
        (metafor ``confint(res)``); random-effects models only.
    measure
        Label of the effect measure, carried into the result (e.g. ``"SMD"``).
    tol
        Relative convergence tolerance of the iterative steps (Fisher scoring,
        root finding), relative to ``max(tau2, vt)`` with ``vt`` the typical
        within-study variance.
    maxiter
        Iteration cap; hitting it sets ``converged=False``.
    tau2_max
        Upper end of the Q-profile search (metafor: ``max(100, 10 * tau2)``).

    Returns
    -------
    PoolResult
        With ``k == 1`` the study itself (z test), heterogeneity ``None`` and
        ``message`` "single study: heterogeneity not estimable".

    Notes
    -----
    Matches metafor 3.8-1 ``rma(yi, vi, method=, test=)``, ``confint()`` and
    ``predict()`` (prediction interval ``estimate ± crit * sqrt(se² + tau²)``,
    crit from z or from t with ``k - 1`` df under Knapp-Hartung).
    """
    y, v = _as_arrays(yi, vi)
    _check_options(method, test, level)
    if y.size == 1:
        return _single(float(y[0]), float(v[0]), method, test, level, measure)
    settings = Settings(
        method=method,
        test=test,
        level=level,
        tol=tol,
        maxiter=maxiter,
        ci_tau2=ci_tau2,
        tau2_max=tau2_max,
    )
    out = fit_batch(y, v, None, settings)
    result = _row_result(out, 0, method, test, level, measure)
    _warn_unconverged(result)
    return result


def leave_one_out(
    yi: ArrayLike,
    vi: ArrayLike,
    labels: Sequence[object] | None = None,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    ci_tau2: bool = True,
    measure: str | None = None,
    tol: float = 1e-10,
    maxiter: int = 1000,
    tau2_max: float | None = None,
) -> list[LeaveOneOut]:
    """Repeat :func:`pool` once without each study (metafor ``leave1out()``).

    The fits are vectorised: batches of leave-one-out subsets are fitted
    together (weight 0 for the study left out), each iterative estimate (tau²
    and the Q-profile bounds) warm started from the full-data fit.  Memory is
    ``O(k)`` per batch row and the batches are sized so that no ``k x k``
    array is built for large ``k``.

    The warm start is the one departure from metafor's ``leave1out()``, which
    refits each subset from the Hedges (HE) starting value: where the (RE)ML
    likelihood of a subset has two local maxima (rare; seen only with
    variances spanning many orders of magnitude and k <= 5), the two starts
    can end on different maxima.  Every other estimator is start-free.

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances.
    labels
        Study labels (default ``"1"``, ``"2"``, ...), returned as ``study``.
    method, test, level, ci_tau2, measure, tol, maxiter, tau2_max
        As for :func:`pool`.

    Returns
    -------
    list of LeaveOneOut
        In study order; ``[]`` when ``k == 1`` (nothing to leave out).
    """
    y, v = _as_arrays(yi, vi)
    _check_options(method, test, level)
    k = y.size
    names = [str(i + 1) for i in range(k)] if labels is None else [str(x) for x in labels]
    if len(names) != k:
        raise ValueError(f"{len(names)} labels for {k} studies")
    if k == 1:
        return []
    if k == 2:
        return [
            LeaveOneOut(
                names[i], _single(float(y[1 - i]), float(v[1 - i]), method, test, level, measure)
            )
            for i in range(2)
        ]
    settings = Settings(
        method=method,
        test=test,
        level=level,
        tol=tol,
        maxiter=maxiter,
        ci_tau2=ci_tau2,
        tau2_max=tau2_max,
    )
    full = fit_batch(y, v, None, settings)
    batch = max(1, min(k, _BATCH_ELEMENTS // k))
    results: list[LeaveOneOut] = []
    for first in range(0, k, batch):
        rows = np.arange(first, min(k, first + batch))
        start = np.full(rows.size, full["tau2"][0])
        ci_start = None
        if np.isfinite(full["tau2_ci_low"][0]) and np.isfinite(full["tau2_ci_high"][0]):
            ci_start = (
                np.full(rows.size, full["tau2_ci_low"][0]),
                np.full(rows.size, full["tau2_ci_high"][0]),
            )
        out = fit_batch(y, v, rows, settings, start=start, ci_start=ci_start)
        for j, i in enumerate(rows):
            result = _row_result(out, j, method, test, level, measure)
            _warn_unconverged(result, f"leave-one-out without {names[i]}: ")
            results.append(LeaveOneOut(names[i], result))
    return results
