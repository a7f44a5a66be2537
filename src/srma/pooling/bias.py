"""Small-study effects: Egger's regression test and trim-and-fill."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from srma.pooling._regression import fit_regression
from srma.pooling.core import _as_arrays, _check_options, pool
from srma.pooling.result import PoolResult, _clean


@dataclass(frozen=True)
class EggerResult:
    """Regression test for funnel-plot asymmetry (metafor ``regtest``).

    ``stat`` is the z (or t) statistic of the slope on the standard error;
    ``limit_estimate`` is the intercept, the effect "as sei -> 0", with its
    confidence interval.  ``df`` is ``None`` for a z test.
    """

    model: str
    method: str
    test: str
    k: int
    stat: float
    df: float | None
    pval: float
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float
    tau2: float | None
    converged: bool

    def to_dict(self) -> dict[str, Any]:
        return {key: _clean(getattr(self, key)) for key in self.__dataclass_fields__}


def egger_test(
    yi: ArrayLike,
    vi: ArrayLike,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    model: str = "rma",
    tol: float = 1e-10,
    maxiter: int = 1000,
) -> EggerResult:
    """Egger's regression test with the standard error as predictor.

    ``model="rma"`` (default) is what metafor's ``regtest(res)`` does for a
    fitted model ``res``: the meta-regression ``yi ~ sei`` fitted with the
    model's own ``method`` and ``test``.  On a common-effect fit
    (``method="FE"``) that is a weighted regression with weights ``1/vi`` and a
    z test; on a random-effects fit it is a mixed-effects meta-regression with
    tau² re-estimated by the same estimator.  ``model="lm"`` is Egger's
    original test (``regtest(res, model="lm")``): weighted least squares with
    weights ``1/vi``, a free residual variance and a t test on ``k - 2`` df.

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances (``k >= 3``; ``k >= 4`` for a
        random-effects model, which must estimate tau² besides two slopes).
    method, test, level
        The model of the fit being tested (ignored for ``model="lm"``
        except ``level``).
    model
        ``"rma"`` or ``"lm"``.

    Returns
    -------
    EggerResult
    """
    y, v = _as_arrays(yi, vi)
    _check_options(method, test, level)
    if model not in ("rma", "lm"):
        raise ValueError(f"unknown model {model!r}; use 'rma' or 'lm'")
    X = np.column_stack([np.ones(y.size), np.sqrt(v)])
    if model == "lm":
        if y.size < 3:
            raise ValueError("Egger's test needs at least 3 studies")
        # lm(yi ~ sei, weights = 1/vi): an FE meta-regression with the residual
        # variance estimated, i.e. the Knapp-Hartung scaling (s2w = RSS/(k-2))
        fit = fit_regression(y, v, X, method="FE", test="knha", level=level)
        tau2 = None
    else:
        fit = fit_regression(
            y, v, X, method=method, test=test, level=level, tol=tol, maxiter=maxiter
        )
        tau2 = fit.tau2 if method not in ("FE", "EE") else None
    return EggerResult(
        model=model,
        method="FE" if model == "lm" else method,
        test="t" if model == "lm" else test,
        k=fit.k,
        stat=float(fit.stat[1]),
        df=fit.df,
        pval=float(fit.pval[1]),
        limit_estimate=float(fit.beta[0]),
        limit_ci_low=float(fit.ci_low[0]),
        limit_ci_high=float(fit.ci_high[0]),
        tau2=tau2,
        converged=fit.converged,
    )


@dataclass(frozen=True)
class TrimFillResult:
    """Trim-and-fill (metafor ``trimfill``): missing studies and the filled-in fit.

    ``k0`` studies are imputed on ``side`` (the side *where studies are
    missing*), mirrored about the trimmed estimate; ``filled_yi`` and
    ``filled_vi`` hold the imputed studies only.  ``result`` is the model
    refitted on the observed plus imputed studies (z test, as metafor does).
    """

    k0: int
    se_k0: float
    side: str
    estimator: str
    filled_yi: np.ndarray
    filled_vi: np.ndarray
    result: PoolResult
    iterations: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "k0": self.k0,
            "se_k0": _clean(self.se_k0),
            "side": self.side,
            "estimator": self.estimator,
            "filled_yi": [float(x) for x in self.filled_yi],
            "filled_vi": [float(x) for x in self.filled_vi],
            "result": self.result.to_dict(),
        }


def _r_sqrt(x: float) -> float:
    """R's ``sqrt(x)`` of a scalar: NaN for ``x < 0`` (without numpy's RuntimeWarning)."""
    return math.sqrt(x) if x >= 0 else math.nan


def _rank_first(x: np.ndarray) -> np.ndarray:
    """R's ``rank(x, ties.method = "first")``."""
    order = np.argsort(x, kind="stable")
    ranks = np.empty(x.size, dtype=float)
    ranks[order] = np.arange(1, x.size + 1)
    return ranks


def trim_and_fill(
    yi: ArrayLike,
    vi: ArrayLike,
    *,
    method: str = "REML",
    estimator: str = "L0",
    side: str | None = None,
    level: float = 0.95,
    maxiter: int = 100,
    tol: float = 1e-10,
) -> TrimFillResult:
    """Duval and Tweedie's trim-and-fill, as metafor's ``trimfill(res)``.

    Side: unless given, the side of the missing studies is chosen as metafor
    does, from the sign of the slope of ``yi ~ sqrt(vi)`` fitted with the same
    ``method``: a negative slope means studies are missing on the right.
    The algorithm then iterates: fit the model to all but the ``k0`` most
    extreme studies, centre, rank ``|yi - estimate|`` and update ``k0`` by
    the chosen estimator (``"L0"`` default, ``"R0"`` or ``"Q0"``), until
    ``k0`` stops changing; the ``k0`` most extreme studies are mirrored about
    the last trimmed estimate and the model is refitted (z test) on the
    observed plus filled studies.

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances (``k >= 2``).
    method
        Estimator of every fit (``"FE"``, ``"REML"``, ...).
    estimator
        ``"L0"``, ``"R0"`` or ``"Q0"``.
    side
        ``"left"``, ``"right"`` or ``None`` (choose as metafor does).
    level
        Confidence level of the filled-in fit.
    maxiter
        Cap on trim-and-fill iterations (metafor: 100).

    Returns
    -------
    TrimFillResult
        ``result.converged`` is ``False`` (and its message says so) when the
        iteration did not settle within ``maxiter``.
    """
    y0, v0 = _as_arrays(yi, vi)
    _check_options(method, "z", level)
    if estimator not in ("L0", "R0", "Q0"):
        raise ValueError(f"unknown estimator {estimator!r}; use 'L0', 'R0' or 'Q0'")
    k = y0.size
    if k < 2:
        raise ValueError("trim-and-fill needs at least 2 studies")
    if side is None:
        X = np.column_stack([np.ones(k), np.sqrt(v0)])
        slope = fit_regression(y0, v0, X, method=method, tol=tol).beta[1]
        side = "right" if slope < 0 else "left"
    elif side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right' (got {side!r})")
    y = -y0 if side == "right" else y0.copy()
    order = np.argsort(y, kind="stable")
    y = y[order]
    v = v0[order]

    k0 = 0
    k0_prev = -1
    iterations = 0
    converged = True
    beta = 0.0
    se_k0 = 0.0
    yc = y
    while k0 != k0_prev:
        k0_prev = k0
        iterations += 1
        if iterations > maxiter:
            converged = False
            break
        keep = k - k0
        beta = pool(y[:keep], v[:keep], method=method, ci_tau2=False, tol=tol).estimate
        yc = y - beta
        signed = np.sign(yc) * _rank_first(np.abs(yc))
        if estimator == "R0":
            neg = signed[signed < 0]
            k0f = (k - (np.max(-neg) if neg.size else -np.inf)) - 1
            se_k0 = np.sqrt(2 * max(0.0, k0f) + 2)
        else:
            sr = float(signed[signed > 0].sum())
            if estimator == "L0":
                k0f = (4 * sr - k * (k + 1)) / (2 * k - 1)
            else:
                k0f = k - 0.5 - _r_sqrt(2 * k * k - 4 * sr + 0.25)
            var_sr = (
                k * (k + 1) * (2 * k + 1)
                + 10 * k0f**3
                + 27 * k0f**2
                + 17 * k0f
                - 18 * k * k0f**2
                - 18 * k * k0f
                + 6 * k * k * k0f
            ) / 24
            # var_sr < 0 when k0f is far below 0 (most centred ranks negative, e.g. one
            # imprecise outlier pulling a random-effects estimate above all other
            # studies): metafor's se.k0 is then NaN (reported "SE = NA").
            if estimator == "L0":
                se_k0 = 4 * _r_sqrt(var_sr) / (2 * k - 1)
            else:
                se_k0 = 2 * _r_sqrt(var_sr) / _r_sqrt((k - 0.5) ** 2 - k0f * (2 * k - k0f - 1))
        # R's round() halves to even, like numpy's
        k0 = int(max(0, np.round(k0f))) if np.isfinite(k0f) else 0
        # R's max(0, NaN) is NaN (Python's max would give 0.0)
        se_k0 = float(se_k0) if math.isnan(se_k0) else max(0.0, float(se_k0))

    if k0 > 0:
        # mirror the k0 most extreme studies about the trimmed estimate
        mirrored = 2 * beta - y[k - k0 :]
        filled_y = -mirrored if side == "right" else mirrored
        filled_v = v[k - k0 :]
        result = pool(
            np.concatenate([y0, filled_y]),
            np.concatenate([v0, filled_v]),
            method=method,
            level=level,
            tol=tol,
        )
    else:
        filled_y = np.empty(0)
        filled_v = np.empty(0)
        result = pool(y0, v0, method=method, level=level, tol=tol)
    if not converged:
        note = f"trim-and-fill did not converge within {maxiter} iterations"
        result = _with_message(result, note)
    return TrimFillResult(
        k0=k0,
        se_k0=float(se_k0),
        side=side,
        estimator=estimator,
        filled_yi=filled_y,
        filled_vi=filled_v,
        result=result,
        iterations=iterations,
    )


def _with_message(result: PoolResult, note: str) -> PoolResult:
    return replace(result, converged=False, messages=result.messages + (note,))
