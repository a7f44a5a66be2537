"""Meta-regression ``yi ~ X`` with one tau2: metafor's ``rma.uni(yi, vi, mods=X)``.

Used where a model has moderators: the mixed-effects subgroup model
(``mods = ~ factor(g)``), Egger's regression test (``yi ~ sei``) and the side
choice of trim-and-fill.  ``X`` has a handful of columns, so every matrix here
is ``p x p``; the ``k x k`` matrix ``P = W - W X (X'WX)^-1 X'W`` of metafor is
never formed.  Its traces come from

* ``tr(P D)     = sum(w d) - tr(A X' diag(w^2 d) X)``,
* ``tr(P D P E) = sum(w^2 d e) - 2 tr(A X' diag(w^3 d e) X)
  + tr(A X' diag(w^2 d) X A X' diag(w^2 e) X)``,

with ``A = (X'WX)^-1`` and ``D``, ``E`` diagonal, and ``y'Py = sum w r^2``,
``y'PPy = sum (w r)^2`` with ``r`` the weighted least-squares residuals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from srma.pooling import _dist
from srma.pooling._univariate import _LL0_TOL, RE_METHODS


@dataclass(frozen=True)
class RegressionFit:
    """A fitted meta-regression (arrays have one entry per column of ``X``)."""

    k: int
    p: int
    method: str
    test: str
    level: float
    beta: np.ndarray
    vb: np.ndarray
    se: np.ndarray
    stat: np.ndarray
    pval: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    df: float | None
    tau2: float
    se_tau2: float | None
    qe: float
    qe_df: int
    qe_pval: float
    i2: float
    h2: float
    qm: float
    qm_df: int
    qm_df2: int | None
    qm_pval: float
    btt: tuple[int, ...]
    converged: bool
    iterations: int
    messages: tuple[str, ...] = field(default=())


class _WLS:
    """Weighted least squares pieces for weights ``w``."""

    __slots__ = ("w", "X", "A", "beta", "r", "logdet")

    def __init__(self, y: np.ndarray, X: np.ndarray, w: np.ndarray) -> None:
        xtw = X.T * w
        xtwx = xtw @ X
        self.w = w
        self.X = X
        self.A = np.linalg.inv(xtwx)
        self.beta = self.A @ (xtw @ y)
        self.r = y - X @ self.beta
        self.logdet = float(np.linalg.slogdet(xtwx)[1])

    def rss(self) -> float:
        return float((self.w * self.r) @ self.r)

    def tr_pd(self, d: np.ndarray) -> float:
        w = self.w
        xm = (self.X.T * (w * w * d)) @ self.X
        return float((w * d).sum() - np.trace(self.A @ xm))

    def tr_pdpe(self, d: np.ndarray, e: np.ndarray) -> float:
        w = self.w
        X = self.X
        A = self.A
        w2 = w * w
        m3 = (X.T * (w2 * w * d * e)) @ X
        md = (X.T * (w2 * d)) @ X
        me = (X.T * (w2 * e)) @ X
        return float((w2 * d * e).sum() - 2.0 * np.trace(A @ m3) + np.trace(A @ md @ A @ me))


def _newton_q(
    qfun: Callable[[float], tuple[float, float]],
    target: float,
    lo: float,
    hi: float,
    x: float,
    scale: float,
    tol: float,
    maxiter: int,
) -> tuple[float, bool]:
    """Root of a convex decreasing ``Q(t) = target``: Newton on ``1/Q``, bisection as guard."""
    x = min(max(x, lo), hi)
    for _ in range(maxiter):
        q, dq = qfun(x)
        f = q - target
        if f == 0:
            return x, True
        if f > 0:
            lo = x
        else:
            hi = x
        new = x + q * (1.0 - q / target) / dq if dq != 0 else np.nan
        if not (lo < new < hi):
            new = 0.5 * (lo + hi)
        thr = tol * max(scale, abs(new))
        if abs(new - x) <= thr or hi - lo <= thr:
            return new, True
        x = new
    return x, False


def fit_regression(
    yi: np.ndarray,
    vi: np.ndarray,
    X: np.ndarray,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    btt: tuple[int, ...] | None = None,
    tol: float = 1e-10,
    maxiter: int = 1000,
) -> RegressionFit:
    """Fit ``yi ~ X`` (``X`` includes the intercept column) like metafor's ``rma.uni``.

    Parameters
    ----------
    yi, vi
        Effect sizes and positive sampling variances, shape ``(k,)``.
    X
        Model matrix, shape ``(k, p)``, full column rank.
    method
        ``"FE"``/``"EE"`` or a tau2 estimator of :data:`RE_METHODS`.
    test
        ``"z"`` or ``"knha"`` (Knapp-Hartung: t and F tests, ``df = k - p``).
    level
        Confidence level of the coefficient intervals.
    btt
        Coefficients of the omnibus test ``QM`` (default: all but the
        intercept, or the intercept alone when ``p == 1``).
    tol, maxiter
        Relative convergence tolerance and iteration cap of the iterative
        estimators (as in :func:`srma.pooling.pool`).

    Returns
    -------
    RegressionFit
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    X = np.asarray(X, dtype=float)
    k, p = X.shape
    is_re = method in RE_METHODS
    if is_re and k < p + 1:
        raise ValueError(f"{method} needs more studies (k = {k}) than coefficients + 1 ({p + 1})")
    if k < p:
        raise ValueError(f"more coefficients ({p}) than studies ({k})")
    if np.linalg.eigvalsh(X.T @ X).min() <= 1e-7:  # metafor's evtol
        raise ValueError("model matrix is not of full rank")
    if btt is None:
        btt = tuple(range(1, p)) if p > 1 else (0,)
    alpha = 1.0 - level
    messages: list[str] = []
    converged = True
    iterations = 0

    fe = _WLS(y, X, 1.0 / v)
    qe = max(0.0, fe.rss())
    trp0 = fe.tr_pd(np.ones(k))
    vt = (k - p) / trp0 if k > p else 0.0
    ones = np.ones(k)

    def at(t: float) -> _WLS:
        return _WLS(y, X, 1.0 / (v + t))

    def he() -> float:
        ols = _WLS(y, X, ones)
        return (ols.rss() - ols.tr_pd(v)) / (k - p)

    se_tau2: float | None = None
    tau0 = 0.0
    if not is_re:
        tau2 = 0.0
    elif method == "DL":
        tau2 = max(0.0, (qe - (k - p)) / trp0)
    elif method == "HS":
        tau2 = max(0.0, (qe - k) / float((1.0 / v).sum()))
    elif method == "HE":
        tau2 = max(0.0, he())
    elif method == "SJ":
        tau0 = float(((y - y.mean()) ** 2).mean())
        tau2 = max(0.0, tau0 * at(tau0).rss() / (k - p))
    elif method in ("PM", "EB"):
        target = float(k - p)
        if qe < target:
            tau2 = 0.0
        else:
            ols = _WLS(y, X, ones)
            hi = max(0.0, ols.rss() / target - float(v.min()))

            def qfun(t: float) -> tuple[float, float]:
                fit = at(t)
                wr = fit.w * fit.r
                return float(wr @ fit.r), -float(wr @ wr)

            x0 = min(max(0.0, (qe - target) / trp0), hi)
            tau2, converged = _newton_q(qfun, target, 0.0, hi, x0, vt, tol, maxiter)
    else:  # REML, ML
        tau2, converged, iterations = _fisher(y, v, X, method, max(0.0, he()), vt, tol, maxiter)
        if converged and tau2 > tol * vt:
            reml = method == "REML"
            if _loglik(y, v, X, 0.0, reml) - _loglik(y, v, X, tau2, reml) > _LL0_TOL:
                tau2 = 0.0
                messages.append(
                    "Fisher scoring stopped at a local maximum below the likelihood at "
                    "tau2 = 0; tau2 set to 0 (as metafor does)"
                )
    if not converged:
        messages.append(
            f"{method} estimation of tau2 did not converge (iteration cap {maxiter}, "
            "or a numerical breakdown with extreme variances)"
        )

    final = at(tau2)
    vb = final.A.copy()
    if test == "knha":
        rss = final.rss()
        s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - p)
        vb = vb * s2w
        df: float | None = float(k - p)
        crit = _dist.t_crit(alpha, k - p)
    else:
        df = None
        crit = _dist.z_crit(alpha)
    se = np.sqrt(np.diag(vb))
    beta = final.beta
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = beta / se
    pval = _dist.t_pval(stat, k - p) if test == "knha" else _dist.z_pval(stat)
    idx = list(btt)
    b = beta[idx]
    try:
        qm = float(b @ np.linalg.solve(vb[np.ix_(idx, idx)], b))
    except np.linalg.LinAlgError:
        qm = float("nan")
    m = len(idx)
    if test == "knha":
        qm /= m
        qm_pval = float(_dist.f_upper(qm, m, k - p)) if k > p else float("nan")
        qm_df2: int | None = k - p
    else:
        qm_pval = float(_dist.chisq_upper(qm, m))
        qm_df2 = None

    if k > p:
        qe_pval = float(_dist.chisq_upper(qe, k - p))
        if is_re:
            i2 = 100.0 * tau2 / (vt + tau2)
            h2 = tau2 / vt + 1.0
        else:
            i2 = max(0.0, 100.0 * (qe - (k - p)) / qe) if qe > 0 else 0.0
            h2 = qe / (k - p)
    else:
        qe, qe_pval, i2, h2 = 0.0, 1.0, 0.0, 1.0

    if is_re:
        with np.errstate(invalid="ignore", divide="ignore"):
            se_tau2 = _se_tau2(y, v, X, method, tau2, tau0, fe, final, trp0, k, p)

    return RegressionFit(
        k=k,
        p=p,
        method=method,
        test=test,
        level=level,
        beta=beta,
        vb=vb,
        se=se,
        stat=stat,
        pval=np.asarray(pval, dtype=float),
        ci_low=beta - crit * se,
        ci_high=beta + crit * se,
        df=df,
        tau2=float(tau2),
        se_tau2=se_tau2,
        qe=float(qe),
        qe_df=k - p,
        qe_pval=qe_pval,
        i2=float(i2),
        h2=float(h2),
        qm=qm,
        qm_df=m,
        qm_df2=qm_df2,
        qm_pval=qm_pval,
        btt=tuple(btt),
        converged=bool(converged),
        iterations=int(iterations),
        messages=tuple(messages),
    )


def _fisher(
    y: np.ndarray,
    v: np.ndarray,
    X: np.ndarray,
    method: str,
    t: float,
    vt: float,
    tol: float,
    maxiter: int,
) -> tuple[float, bool, int]:
    """Fisher scoring for REML/ML with metafor's step halving (and the 0 boundary snap)."""
    ones = np.ones(v.size)

    def step(t: float) -> float:
        fit = _WLS(y, X, 1.0 / (v + t))
        wr = fit.w * fit.r
        ypp = float(wr @ wr)
        if method == "ML":
            num, den = ypp - float(fit.w.sum()), float(fit.w @ fit.w)
        else:
            num, den = ypp - fit.tr_pd(ones), fit.tr_pdpe(ones, ones)
        if not den > 0:  # tr(PP) lost to rounding: weights spanning ~1e15
            return float("inf")
        adj = num / den
        return 0.0 if adj != adj else adj

    for it in range(1, maxiter + 1):
        adj = step(t)
        if not np.isfinite(adj):  # numerical breakdown (e.g. weights spanning ~1e15)
            return t, False, it
        if t + adj < 0:
            if step(0.0) <= 0:
                return 0.0, True, it
            while t + adj < 0:
                adj /= 2.0
        t = t + adj
        if abs(adj) <= tol * max(vt, t):
            return t, True, it
    return t, False, maxiter


def _loglik(y: np.ndarray, v: np.ndarray, X: np.ndarray, t: float, reml: bool) -> float:
    fit = _WLS(y, X, 1.0 / (v + t))
    k, p = X.shape
    sumlog = float(np.log(v + t).sum())
    if reml:
        return (
            -0.5 * (k - p) * np.log(2 * np.pi) - 0.5 * sumlog - 0.5 * fit.logdet - 0.5 * fit.rss()
        )
    return -0.5 * k * np.log(2 * np.pi) - 0.5 * sumlog - 0.5 * fit.rss()


def _se_tau2(y, v, X, method, tau2, tau0, fe: _WLS, final: _WLS, trp0, k, p) -> float:
    """metafor's ``se.tau2`` for each estimator."""
    t = max(tau2, 0.0)
    ones = np.ones(k)
    if method in ("DL", "HS"):
        trpp = fe.tr_pdpe(ones, ones)
        var = 2 * (k - p) + 4 * t * trp0 + 2 * t * t * trpp
        denom = trp0**2 if method == "DL" else float((1.0 / v).sum()) ** 2
        return float(np.sqrt(var / denom))
    if method == "HE":
        ols = _WLS(y, X, ones)
        trpvpv = ols.tr_pdpe(v, v)
        trpv = ols.tr_pd(v)
        return float(np.sqrt((2 * trpvpv + 4 * t * trpv + 2 * t * t * (k - p)) / (k - p) ** 2))
    if method == "SJ":
        sj = _WLS(y, X, 1.0 / (v + tau0))
        var = (
            2 * sj.tr_pdpe(v, v) + 4 * t * sj.tr_pdpe(ones, v) + 2 * t * t * sj.tr_pdpe(ones, ones)
        )
        return float(np.sqrt(tau0**2 / (k - p) ** 2 * var))
    if method == "ML":
        return float(np.sqrt(2.0 / float(final.w @ final.w)))
    if method == "REML":
        return float(np.sqrt(2.0 / final.tr_pdpe(ones, ones)))
    s1 = float(final.w.sum())
    return float(np.sqrt(2.0 * k**2 / (k - p) / s1**2))
