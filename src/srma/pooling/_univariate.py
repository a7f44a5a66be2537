"""Intercept-only (no moderator) random-effects engine, batched over subsets.

One data set ``(y, v)`` of ``k`` studies is fitted on ``B`` subsets at once:
subset ``b`` is the data set without study ``drop[b]`` (``drop=None`` is the
single full set), which is what leave-one-out needs.  Every quantity is a
weighted sum over studies, so the study left out simply gets weight 0 (one
element per row is zeroed); memory is ``O(B k)`` and the callers keep ``B``
small (never ``k x k`` at once).

The algorithms follow metafor 3.8-1 ``rma.uni`` and ``confint.rma.uni`` for an
intercept-only model (``X`` a column of ones), with ``P = W - w w' / sum(w)``
written out in closed form:

* ``tr(P)  = S1 - S2 / S1``, ``tr(PP) = S2 - 2 S3 / S1 + (S2 / S1)^2``,
  ``y'P y = sum w r^2`` and ``y'PPy = sum (w r)^2`` with ``r = y - mu_w``,
  ``Sj = sum w^j``;
* REML and ML by Fisher scoring from the Hedges (HE) estimate with step
  halving at the boundary 0 (metafor's loop), EB and PM by root finding on the
  generalised Q statistic (both solve ``Q(tau2) = k - 1``), DL, HE, HS and SJ
  in closed form;
* Q-profile confidence interval for tau2 by root finding on ``Q(tau2)``
  within ``[0, max(100, 10 tau2)]`` with metafor's rules at both ends.

``Q(tau2)`` is decreasing (``dQ/dtau2 = -sum w^2 r^2``) and convex in tau2
(its second derivative is ``2 (sum w^3 r^2 - (sum w^2 r)^2 / S1) >= 0`` by
Cauchy-Schwarz), so every root is bracketed and unique; the solver takes
Newton steps on ``1 / Q`` (linear in tau2 when all variances are equal),
falls back to bisection whenever a step leaves the bracket, and is
vectorised over the batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from srma.pooling import _dist

#: Methods with a random-effects component, and the common-effect ones.
RE_METHODS = ("REML", "ML", "DL", "PM", "EB", "HE", "SJ", "HS")
FE_METHODS = ("FE", "EE")
METHODS = FE_METHODS + RE_METHODS

#: metafor's ``con$tol`` default, used by its ``ll0check`` after Fisher scoring.
_LL0_TOL = np.finfo(float).eps ** 0.25


@dataclass
class Settings:
    """Numerical settings of one batched fit.

    ``tol`` is relative: Fisher scoring stops when a step is at most
    ``tol * max(tau2, vt)``, with ``vt`` the typical within-study variance of
    metafor's I² (``(k - 1) / tr(P)`` at tau2 = 0); root finding stops on the
    same scale.  metafor's default is an absolute ``threshold=1e-5``; the
    relative form keeps tiny and huge variances equally exact.
    """

    method: str = "REML"
    test: str = "z"
    level: float = 0.95
    tol: float = 1e-10
    maxiter: int = 1000
    ci_tau2: bool = True
    tau2_max: float | None = None


# --------------------------------------------------------------------------- sums


Drop = np.ndarray | None


def _weights(v: np.ndarray, t: np.ndarray, drop: Drop) -> np.ndarray:
    """``1 / (v + t)`` per row, 0 for the study each row leaves out."""
    w = np.add.outer(t, v)
    np.reciprocal(w, out=w)
    if drop is not None:
        w[np.arange(t.size), drop] = 0.0
    return w


def _rows(drop: Drop, idx: np.ndarray) -> Drop:
    return None if drop is None else drop[idx]


def _rowdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise ``sum(a * b)`` without the temporary product."""
    return np.einsum("ij,ij->i", a, b)


def _q_and_slope(
    y: np.ndarray, v: np.ndarray, t: np.ndarray, drop: Drop
) -> tuple[np.ndarray, np.ndarray]:
    """Generalised ``Q(t) = sum w (y - mu_w)^2`` and ``dQ/dt = -sum w^2 r^2``."""
    w = _weights(v, t, drop)
    s1 = w.sum(axis=1)
    mu = (w @ y) / s1
    r = y[None, :] - mu[:, None]
    wr = w * r
    return _rowdot(wr, r), -_rowdot(wr, wr)


def _q_only(y: np.ndarray, v: np.ndarray, t: np.ndarray, drop: Drop) -> np.ndarray:
    w = _weights(v, t, drop)
    s1 = w.sum(axis=1)
    mu = (w @ y) / s1
    r = y[None, :] - mu[:, None]
    return _rowdot(w * r, r)


def _exclusive_sum(a: np.ndarray) -> np.ndarray:
    """``sum_{j != i} a_j`` for every ``i`` of every row, without cancellation (``a >= 0``)."""
    out = np.zeros_like(a)
    out[:, 1:] = np.cumsum(a[:, :-1], axis=1)
    out[:, :-1] += np.cumsum(a[:, :0:-1], axis=1)[:, ::-1]
    return out


#: When one weight holds nearly all of ``S1``, ``S1 - S2/S1`` cancels; below
#: this fraction of ``S1`` (``S2`` for tr(PP)) the traces are recomputed from
#: sums that exclude each study, which have no cancellation at all.
_CANCEL = 1e-5


def _traces(w: np.ndarray, s1: np.ndarray, s2: np.ndarray, s3: np.ndarray):
    """``tr(P)`` and ``tr(PP)`` for ``P = W - w w'/S1``, stable for extreme weights.

    Closed forms ``S1 - S2/S1`` and ``S2 - 2 S3/S1 + (S2/S1)^2``; where those
    cancel (one study dominating the weights), the equivalent sums of positive
    terms ``sum w_i S1(-i) / S1`` and ``sum w_i^2 (S1(-i)^2 + S2(-i)) / S1^2``
    with ``Sj(-i) = sum_{l != i} w_l^j``.
    """
    ratio = s2 / s1
    trp = s1 - ratio
    trpp = s2 - 2.0 * s3 / s1 + ratio * ratio
    bad = (trp < _CANCEL * s1) | (trpp < _CANCEL * s2)
    if bad.any():
        wb = w[bad]
        ex1 = _exclusive_sum(wb)
        w2 = wb * wb
        ex2 = _exclusive_sum(w2)
        sb = s1[bad]
        trp = trp.copy()
        trpp = trpp.copy()
        trp[bad] = _rowdot(wb, ex1) / sb
        trpp[bad] = _rowdot(w2, ex1 * ex1 + ex2) / (sb * sb)
    return trp, trpp


def _fisher_step(
    y: np.ndarray, v: np.ndarray, t: np.ndarray, drop: Drop, method: str
) -> np.ndarray:
    """metafor's Fisher-scoring adjustment ``adj`` at ``t`` (REML or ML)."""
    w = _weights(v, t, drop)
    s1 = w.sum(axis=1)
    w2 = w * w
    s2 = w2.sum(axis=1)
    mu = (w @ y) / s1
    wr = w * (y[None, :] - mu[:, None])
    ypp = _rowdot(wr, wr)
    if method == "ML":
        adj = (ypp - s1) / s2
    else:
        trp, trpp = _traces(w, s1, s2, _rowdot(w2, w))
        adj = (ypp - trp) / trpp
    # metafor: a missing step is 0; an infinite one stays (the caller stops on it)
    return np.where(np.isnan(adj), 0.0, adj)


def _loglik(
    y: np.ndarray, v: np.ndarray, t: np.ndarray, drop: Drop, kb: np.ndarray, reml: bool
) -> np.ndarray:
    """(Restricted) log-likelihood as in metafor's ``ll0check`` (no REMLf term)."""
    w = _weights(v, t, drop)
    s1 = w.sum(axis=1)
    mu = (w @ y) / s1
    r = y[None, :] - mu[:, None]
    rss = _rowdot(w * r, r)
    logv = np.log(np.add.outer(t, v))
    if drop is not None:
        logv[np.arange(t.size), drop] = 0.0
    sumlog = logv.sum(axis=1)
    if reml:
        return -0.5 * (kb - 1) * np.log(2 * np.pi) - 0.5 * sumlog - 0.5 * np.log(s1) - 0.5 * rss
    return -0.5 * kb * np.log(2 * np.pi) - 0.5 * sumlog - 0.5 * rss


# ------------------------------------------------------------------- root finding


def _solve_q(
    y: np.ndarray,
    v: np.ndarray,
    drop: Drop,
    target: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    x0: np.ndarray,
    scale: np.ndarray,
    tol: float,
    maxiter: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``Q(t) = target`` per row, given ``Q(lo) >= target >= Q(hi)``.

    Newton steps on ``1 / Q(t) - 1 / target`` (exactly linear in ``t`` when
    all variances are equal, so one or two steps usually suffice), replaced by
    bisection whenever a step leaves the current bracket.  Returns the roots
    and a converged flag per row.
    """
    if drop is None and target.size == 1:
        root, ok = _solve_q1(
            y,
            v,
            float(target[0]),
            float(lo[0]),
            float(hi[0]),
            float(x0[0]),
            float(scale[0]),
            tol,
            maxiter,
        )
        return np.array([root]), np.array([ok])
    lo = lo.astype(float).copy()
    hi = hi.astype(float).copy()
    x = np.clip(x0, lo, hi)
    root = x.copy()
    conv = np.zeros(x.shape, dtype=bool)
    active = np.arange(x.size)
    for _ in range(maxiter):
        if active.size == 0:
            break
        drop_a = _rows(drop, active)
        xa = x[active]
        ta = target[active]
        q, dq = _q_and_slope(y, v, xa, drop_a)
        f = q - ta
        pos = f > 0  # left of the root
        lo_a = np.where(pos, xa, lo[active])
        hi_a = np.where(pos, hi[active], xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            new = xa + q * (1.0 - q / ta) / dq
        bad = ~np.isfinite(new) | (new <= lo_a) | (new >= hi_a)
        new = np.where(bad, 0.5 * (lo_a + hi_a), new)
        thr = tol * np.maximum(scale[active], np.abs(new))
        exact = f == 0
        done = exact | (np.abs(new - xa) <= thr) | (hi_a - lo_a <= thr)
        new = np.where(exact, xa, new)
        x[active] = new
        lo[active] = lo_a
        hi[active] = hi_a
        root[active] = new
        conv[active[done]] = True
        active = active[~done]
    return root, conv


def _solve_q1(
    y: np.ndarray,
    v: np.ndarray,
    target: float,
    lo: float,
    hi: float,
    x: float,
    scale: float,
    tol: float,
    maxiter: int,
) -> tuple[float, bool]:
    """Scalar version of :func:`_solve_q` for one full data set (same steps)."""
    x = min(max(x, lo), hi)
    for _ in range(maxiter):
        w = 1.0 / (v + x)
        s1 = w.sum()
        r = y - (w @ y) / s1
        wr = w * r
        q = float(wr @ r)
        dq = -float(wr @ wr)
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


# ---------------------------------------------------------------- tau2 estimators


def _fe_sums(y: np.ndarray, v: np.ndarray, drop: Drop, kb: np.ndarray) -> dict[str, np.ndarray]:
    """Statistics at tau2 = 0 (inverse-variance weights)."""
    zero = np.zeros(1 if drop is None else drop.size)
    w = _weights(v, zero, drop)
    s1 = w.sum(axis=1)
    w2 = w * w
    s2 = w2.sum(axis=1)
    s3 = _rowdot(w2, w)
    mu = (w @ y) / s1
    r = y[None, :] - mu[:, None]
    q = _rowdot(w * r, r)
    trp, trpp = _traces(w, s1, s2, s3)
    with np.errstate(divide="ignore", invalid="ignore"):
        vt = (kb - 1) / trp
    return {"s1": s1, "q": q, "trp": trp, "trpp": trpp, "vt": vt}


def _unweighted(y: np.ndarray, v: np.ndarray, drop: Drop, kb: np.ndarray):
    """Ordinary (unweighted) mean, residual sum of squares and sums of v."""
    if drop is None:
        ybar = np.array([y.mean()])
        r = y - ybar[0]
        rss = np.array([r @ r])
        sv = np.array([v.sum()])
        sv2 = np.array([v @ v])
    else:
        ybar = (y.sum() - y[drop]) / kb
        r = y[None, :] - ybar[:, None]
        r[np.arange(drop.size), drop] = 0.0
        rss = _rowdot(r, r)
        sv = v.sum() - v[drop]
        sv2 = v @ v - v[drop] ** 2
    return ybar, rss, sv, sv2


def _vmin(v: np.ndarray, drop: Drop) -> np.ndarray | float:
    """Smallest variance of each subset."""
    if drop is None:
        return float(v.min())
    first, second = np.argsort(v, kind="stable")[:2]
    return np.where(drop == first, v[second], v[first])


def _unit_weights(v: np.ndarray, drop: Drop, nrow: int) -> np.ndarray:
    wu = np.ones((nrow, v.size))
    if drop is not None:
        wu[np.arange(nrow), drop] = 0.0
    return wu


def _tr_pdpe(w: np.ndarray, d: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``tr(P D P E)`` for diagonal ``D``, ``E`` and ``P = W - w w'/sum(w)``."""
    s1 = w.sum(axis=1)
    w2 = w * w
    de = d * e
    return w2 @ de - 2.0 * ((w2 * w) @ de) / s1 + (w2 @ d) * (w2 @ e) / (s1 * s1)


def _tr_pd(w: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``tr(P D)`` for diagonal ``D`` and ``P = W - w w'/sum(w)``."""
    s1 = w.sum(axis=1)
    return w @ d - ((w * w) @ d) / s1


def _he(y, v, drop, kb):
    _, rss, sv, _ = _unweighted(y, v, drop, kb)
    trpv = sv * (kb - 1) / kb
    return (rss - trpv) / (kb - 1)


# --------------------------------------------------------------------- the fit


def fit_batch(
    y: np.ndarray,
    v: np.ndarray,
    drop: Drop,
    settings: Settings,
    start: np.ndarray | None = None,
    ci_start: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Fit the intercept-only model on the full set or on every leave-one-out subset.

    Parameters
    ----------
    y, v
        Effect sizes and sampling variances, shape ``(k,)``, ``v > 0``.
    drop
        Index of the study each subset leaves out, shape ``(B,)`` (``B``
        subsets of ``k - 1`` studies), or ``None`` for the full set.  Every
        subset must hold at least two studies.
    settings
        Method, test, level and numerical settings.
    start
        Warm start for iterative tau2 estimators, shape ``(B,)``.
    ci_start
        Warm starts for the lower and upper Q-profile bounds.

    Returns
    -------
    dict
        Arrays of shape ``(B,)``: ``k, estimate, se, stat, df, pval, ci_low,
        ci_high, tau2, se_tau2, tau2_ci_low, tau2_ci_high, i2, i2_ci_low,
        i2_ci_high, h2, h2_ci_low, h2_ci_high, q, q_df, q_pval, pi_low,
        pi_high, iterations, converged``; ``ci_lb_sign``/``ci_ub_sign`` (object
        arrays of ``""``, ``"<"``, ``">"``), ``ci_null`` and ``messages``
        (object array of tuples of str).
    """
    method = settings.method
    nrow = 1 if drop is None else drop.size
    kb = np.full(nrow, float(y.size) - (0.0 if drop is None else 1.0))
    alpha = 1.0 - settings.level
    fe = _fe_sums(y, v, drop, kb)
    vt = fe["vt"]
    messages: list[list[str]] = [[] for _ in range(nrow)]
    converged = np.ones(nrow, dtype=bool)
    iterations = np.zeros(nrow, dtype=int)
    is_re = method in RE_METHODS

    # ---- tau2
    if not is_re:
        tau2 = np.zeros(nrow)
    elif method == "DL":
        tau2 = np.maximum(0.0, (fe["q"] - (kb - 1)) / fe["trp"])
    elif method == "HS":
        tau2 = np.maximum(0.0, (fe["q"] - kb) / fe["s1"])
    elif method == "HE":
        tau2 = np.maximum(0.0, _he(y, v, drop, kb))
    elif method == "SJ":
        _, rss, _, _ = _unweighted(y, v, drop, kb)
        tau0 = rss / kb  # metafor: var(ymci) * (k - 1) / k
        qg = _q_only(y, v, tau0, drop)
        tau2 = np.maximum(0.0, tau0 * qg / (kb - 1))
    elif method in ("PM", "EB"):
        tau2, converged, iterations = _paule_mandel(y, v, drop, kb, fe, settings, start)
    else:  # REML, ML
        tau2, converged, iterations, notes = _fisher_scoring(y, v, drop, kb, vt, settings, start)
        for i, note in notes.items():
            messages[i].append(note)
    for i in np.flatnonzero(~converged):
        messages[i].append(
            f"{method} estimation of tau2 did not converge (iteration cap "
            f"{settings.maxiter}, or a numerical breakdown with extreme variances)"
        )

    # ---- location
    w = _weights(v, tau2, drop)
    s1 = w.sum(axis=1)
    est = (w @ y) / s1
    se = np.sqrt(1.0 / s1)
    if settings.test == "knha":
        r = y[None, :] - est[:, None]
        rss = _rowdot(w * r, r)
        s2w = np.where(rss <= np.finfo(float).eps, 0.0, rss / (kb - 1))
        se = se * np.sqrt(s2w)
        df = kb - 1
        crit = _dist.t_crit(alpha, df)
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = est / se
        pval = _dist.t_pval(stat, df)
        if not is_re:
            for msgs in messages:
                msgs.append("Knapp-Hartung adjustment used with a common-effect model")
    else:
        df = np.full(nrow, np.nan)
        crit = np.full(nrow, _dist.z_crit(alpha))
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = est / se
        pval = _dist.z_pval(stat)
    ci_low = est - crit * se
    ci_high = est + crit * se

    # ---- heterogeneity
    q = np.maximum(0.0, fe["q"])
    q_df = kb - 1
    q_pval = _dist.chisq_upper(q, q_df)
    if is_re:
        i2 = 100.0 * tau2 / (vt + tau2)
        h2 = tau2 / vt + 1.0
        spread = np.sqrt(se * se + tau2)
        pi_low = est - crit * spread
        pi_high = est + crit * spread
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            i2 = np.maximum(0.0, 100.0 * (q - q_df) / q)
            i2 = np.where(np.isnan(i2) & (q == 0), 0.0, i2)
            h2 = q / q_df
        pi_low = np.full(nrow, np.nan)
        pi_high = np.full(nrow, np.nan)
    se_tau2 = _se_tau2(y, v, drop, kb, tau2, fe, method) if is_re else np.full(nrow, np.nan)

    out = {
        "k": kb,
        "estimate": est,
        "se": se,
        "stat": stat,
        "df": df,
        "pval": pval,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "tau2": tau2,
        "se_tau2": se_tau2,
        "i2": i2,
        "h2": h2,
        "q": q,
        "q_df": q_df,
        "q_pval": q_pval,
        "pi_low": pi_low,
        "pi_high": pi_high,
        "vt": vt,
    }

    # ---- Q-profile confidence interval of tau2
    nan = np.full(nrow, np.nan)
    out.update(
        tau2_ci_low=nan.copy(),
        tau2_ci_high=nan.copy(),
        ci_lb_sign=np.full(nrow, "", dtype=object),
        ci_ub_sign=np.full(nrow, "", dtype=object),
        ci_null=np.zeros(nrow, dtype=bool),
    )
    if is_re and settings.ci_tau2:
        ci = _q_profile(y, v, drop, kb, tau2, fe, vt, alpha, settings, ci_start)
        out.update(ci)
        for i in np.flatnonzero(~ci["ci_converged"]):
            messages[i].append("Q-profile search for the tau2 confidence interval did not converge")
        for i in range(nrow):
            if ci["ci_null"][i]:
                messages[i].append(
                    "Q-profile confidence interval for tau2 is the null set {0}: "
                    "Q(0) is below the lower critical value"
                )
            elif ci["ci_ub_sign"][i] == ">":
                messages[i].append(
                    f"Q-profile upper bound for tau2 lies above the search limit "
                    f"{ci['tau2_max'][i]:.6g} (reported as that limit)"
                )
        converged = converged & ci["ci_converged"]
    vt_ci_lo = out["tau2_ci_low"]
    vt_ci_hi = out["tau2_ci_high"]
    out["i2_ci_low"] = 100.0 * vt_ci_lo / (vt + vt_ci_lo)
    out["i2_ci_high"] = 100.0 * vt_ci_hi / (vt + vt_ci_hi)
    out["h2_ci_low"] = vt_ci_lo / vt + 1.0
    out["h2_ci_high"] = vt_ci_hi / vt + 1.0
    out["converged"] = converged
    out["iterations"] = iterations
    out["messages"] = np.array([tuple(msgs) for msgs in messages] + [()], dtype=object)[:-1]
    return out


def _fisher_scoring(y, v, drop, kb, vt, settings: Settings, start):
    """REML/ML by metafor's Fisher scoring with step halving.

    One departure, in the limit only: when a step would cross 0 and the
    scoring step *at* 0 points further down, the maximum is on the boundary
    and tau2 is set to exactly 0 (metafor's halving approaches 0 geometrically
    and stops within its threshold of it).
    """
    method = settings.method
    if start is None:
        tau2 = np.maximum(0.0, _he(y, v, drop, kb))
    else:
        tau2 = np.maximum(0.0, np.asarray(start, dtype=float).copy())
    if drop is None:
        t, ok, it = _fisher1(y, v, float(tau2[0]), method, float(vt[0]), settings)
        tau2 = np.array([t])
        converged = np.array([ok])
        iterations = np.array([it])
    else:
        tau2, converged, iterations = _fisher_batch(y, v, drop, tau2, vt, settings)
    return _ll0check(y, v, drop, kb, vt, tau2, converged, iterations, settings)


def _fisher1(
    y: np.ndarray, v: np.ndarray, t: float, method: str, vt: float, settings: Settings
) -> tuple[float, bool, int]:
    """Scalar Fisher scoring for one full data set (same steps as the batch)."""

    def step(t: float) -> float:
        w = 1.0 / (v + t)
        s1 = float(w.sum())
        s2 = float(w @ w)
        r = y - (w @ y) / s1
        wr = w * r
        ypp = float(wr @ wr)
        if method == "ML":
            adj = (ypp - s1) / s2
        else:
            ratio = s2 / s1
            trp = s1 - ratio
            trpp = s2 - 2.0 * float((w * w) @ w) / s1 + ratio * ratio
            if trp < _CANCEL * s1 or trpp < _CANCEL * s2:
                trp_a, trpp_a = _traces(
                    w[None, :], np.array([s1]), np.array([s2]), np.array([float((w * w) @ w)])
                )
                trp, trpp = float(trp_a[0]), float(trpp_a[0])
            adj = (ypp - trp) / trpp
        return 0.0 if adj != adj else float(adj)

    for it in range(1, settings.maxiter + 1):
        adj = step(t)
        if not np.isfinite(adj):
            return t, False, it
        if t + adj < 0:
            if step(0.0) <= 0:
                return 0.0, True, it
            while t + adj < 0:
                adj /= 2.0
        t = t + adj
        if abs(adj) <= settings.tol * max(vt, t):
            return t, True, it
    return t, False, settings.maxiter


def _fisher_batch(y, v, drop, tau2, vt, settings: Settings):
    """Batched Fisher scoring: each row iterates until its own step is small."""
    method = settings.method
    nrow = tau2.size
    converged = np.zeros(nrow, dtype=bool)
    iterations = np.zeros(nrow, dtype=int)
    active = np.arange(nrow)
    for _ in range(settings.maxiter):
        if active.size == 0:
            break
        drop_a = _rows(drop, active)
        ta = tau2[active]
        adj = _fisher_step(y, v, ta, drop_a, method)
        iterations[active] += 1
        broken = ~np.isfinite(adj)
        adj[broken] = 0.0
        cross = ta + adj < 0
        at_zero = np.zeros(active.size, dtype=bool)
        if cross.any():
            idx = np.flatnonzero(cross)
            adj0 = _fisher_step(y, v, np.zeros(idx.size), _rows(drop_a, idx), method)
            boundary = adj0 <= 0
            at_zero[idx[boundary]] = True
            adj[idx[boundary]] = -ta[idx[boundary]]
            halve = idx[~boundary]
            while halve.size:
                adj[halve] /= 2.0
                halve = halve[ta[halve] + adj[halve] < 0]
        new = ta + adj
        new[at_zero] = 0.0
        thr = settings.tol * np.maximum(vt[active], new)
        done = at_zero | (np.abs(adj) <= thr)
        tau2[active] = new
        converged[active[done & ~broken]] = True
        active = active[~(done | broken)]
    return tau2, converged, iterations


def _ll0check(y, v, drop, kb, vt, tau2, converged, iterations, settings: Settings):
    """metafor's ``ll0check`` after Fisher scoring."""
    method = settings.method
    notes: dict[int, str] = {}
    # metafor's ll0check: a local maximum below the likelihood at tau2 = 0
    check = np.flatnonzero(converged & (tau2 > settings.tol * vt))
    if check.size:
        drop_c = _rows(drop, check)
        reml = method == "REML"
        ll0 = _loglik(y, v, np.zeros(check.size), drop_c, kb[check], reml)
        ll1 = _loglik(y, v, tau2[check], drop_c, kb[check], reml)
        stuck = ll0 - ll1 > _LL0_TOL
        for i in check[stuck]:
            tau2[i] = 0.0
            notes[int(i)] = (
                "Fisher scoring stopped at a local maximum below the likelihood at tau2 = 0; "
                "tau2 set to 0 (as metafor does)"
            )
    return tau2, converged, iterations, notes


def _paule_mandel(y, v, drop, kb, fe, settings: Settings, start):
    """Paule-Mandel (and empirical Bayes): the root of ``Q(tau2) = k - 1``."""
    nrow = kb.size
    target = kb - 1
    tau2 = np.zeros(nrow)
    converged = np.ones(nrow, dtype=bool)
    iterations = np.zeros(nrow, dtype=int)
    need = np.flatnonzero(fe["q"] >= target)
    if need.size:
        drop_n = _rows(drop, need)
        _, rss, _, _ = _unweighted(y, v, drop_n, kb[need])
        vmin = _vmin(v, drop_n)
        # Q(t) <= sum (y - ybar)^2 / (t + min v), so Q <= k - 1 from here on
        hi = np.maximum(0.0, rss / target[need] - vmin)
        if start is None:
            dl = (fe["q"][need] - target[need]) / fe["trp"][need]
            x0 = np.clip(dl, 0.0, hi)
        else:
            x0 = np.asarray(start, dtype=float)[need]
        root, conv = _solve_q(
            y,
            v,
            drop_n,
            target[need],
            np.zeros(need.size),
            hi,
            x0,
            fe["vt"][need],
            settings.tol,
            settings.maxiter,
        )
        tau2[need] = root
        converged[need] = conv
    return tau2, converged, iterations


def _se_tau2(y, v, drop, kb, tau2, fe, method: str) -> np.ndarray:
    """Standard error of tau2 as metafor reports it (``se.tau2``)."""
    t = np.maximum(tau2, 0.0)
    ones = np.ones_like(v)
    if method in ("DL", "HS"):
        var = 2 * (kb - 1) + 4 * t * fe["trp"] + 2 * t * t * fe["trpp"]
        denom = fe["trp"] ** 2 if method == "DL" else fe["s1"] ** 2
        return np.sqrt(var / denom)
    if method == "HE":
        wu = _unit_weights(v, drop, kb.size)
        trpvpv = _tr_pdpe(wu, v, v)
        trpv = _tr_pd(wu, v)
        return np.sqrt((2 * trpvpv + 4 * t * trpv + 2 * t * t * (kb - 1)) / (kb - 1) ** 2)
    if method == "SJ":
        _, rss, _, _ = _unweighted(y, v, drop, kb)
        tau0 = rss / kb
        w = _weights(v, tau0, drop)
        trpvpv = _tr_pdpe(w, v, v)
        trpvp = _tr_pdpe(w, ones, v)
        trpp = _tr_pdpe(w, ones, ones)
        return np.sqrt(tau0**2 / (kb - 1) ** 2 * (2 * trpvpv + 4 * t * trpvp + 2 * t * t * trpp))
    w = _weights(v, tau2, drop)
    if method == "ML":
        return np.sqrt(2.0 / (w * w).sum(axis=1))
    if method == "REML":
        s1 = w.sum(axis=1)
        w2 = w * w
        return np.sqrt(2.0 / _traces(w, s1, w2.sum(axis=1), _rowdot(w2, w))[1])
    # PM, EB
    s1 = w.sum(axis=1)
    return np.sqrt(2.0 * kb**2 / (kb - 1) / s1**2)


def _q_profile(y, v, drop, kb, tau2, fe, vt, alpha, settings: Settings, ci_start):
    """Q-profile CI for tau2, exactly as metafor's ``confint.rma.uni`` (type "QP")."""
    nrow = kb.size
    df = kb - 1
    crit_u = np.asarray(_dist.chisq_quantile_upper(alpha / 2.0, df), dtype=float)
    crit_l = np.asarray(_dist.chisq_quantile_lower(alpha / 2.0, df), dtype=float)
    # metafor: tau2.min = min(0, tau2), tau2.max = max(100, 10 * tau2, 10 * tau2.min)
    tmin = np.zeros(nrow)
    if settings.tau2_max is None:
        tmax = np.maximum(100.0, 10.0 * tau2)
    else:
        tmax = np.full(nrow, float(settings.tau2_max))
    q_min = fe["q"]
    q_max = _q_only(y, v, tmax, drop)

    lb = np.full(nrow, np.nan)
    ub = np.full(nrow, np.nan)
    lb_sign = np.full(nrow, "", dtype=object)
    ub_sign = np.full(nrow, "", dtype=object)
    ci_null = np.zeros(nrow, dtype=bool)
    conv = np.ones(nrow, dtype=bool)

    _, rss, _, _ = _unweighted(y, v, drop, kb)
    vmin = np.broadcast_to(np.asarray(_vmin(v, drop), dtype=float), (nrow,))

    def solve(rows: np.ndarray, crit: np.ndarray, x0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        guaranteed = np.maximum(0.0, rss[rows] / crit[rows] - vmin[rows])
        hi = np.minimum(tmax[rows], guaranteed)
        return _solve_q(
            y,
            v,
            _rows(drop, rows),
            crit[rows],
            tmin[rows],
            hi,
            x0,
            vt[rows],
            settings.tol,
            settings.maxiter,
        )

    # upper bound
    null = q_min < crit_l
    lb[null] = tmin[null]
    ub[null] = tmin[null]
    lb_sign[null] = "<"
    ub_sign[null] = "<"
    ci_null[null] = True  # tau2.min <= 0 always here
    above = ~null & (q_max > crit_l)
    ub[above] = tmax[above]
    ub_sign[above] = ">"
    rows = np.flatnonzero(~null & ~above)
    if rows.size:
        x0 = tau2[rows] if ci_start is None else ci_start[1][rows]
        ub[rows], ok = solve(rows, crit_l, x0)
        conv[rows] &= ok
    # lower bound
    all_above = q_max > crit_u
    lb[all_above] = tmax[all_above]
    ub[all_above] = tmax[all_above]
    lb_sign[all_above] = ">"
    ub_sign[all_above] = ">"
    zero = ~all_above & (q_min < crit_u)
    lb[zero] = tmin[zero]
    rows = np.flatnonzero(~all_above & ~zero)
    if rows.size:
        x0 = np.zeros(rows.size) if ci_start is None else ci_start[0][rows]
        lb[rows], ok = solve(rows, crit_u, x0)
        conv[rows] &= ok
    return {
        "tau2_ci_low": lb,
        "tau2_ci_high": ub,
        "ci_lb_sign": lb_sign,
        "ci_ub_sign": ub_sign,
        "ci_null": ci_null,
        "ci_converged": conv,
        "tau2_max": tmax,
    }
