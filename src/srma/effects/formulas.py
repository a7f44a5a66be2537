"""Closed-form effect sizes and the conversions between reported statistics.

Every function takes numbers or equal-length arrays (numpy broadcasting
applies) and returns a float for scalar input, an array otherwise.  Group 1
is the intervention arm and group 2 the comparator, so a positive difference
means a higher value in the intervention arm; :mod:`srma.effects.arms` turns
that into "favours the intervention".

The formulas are those of metafor's ``escalc()`` (Viechtbauer 2010) and were
checked against metafor 3.8-1 (``tests/r/make_effects_reference.R``).  A value
outside a formula's domain (an SD <= 0, a group size < 2, a p-value outside
(0, 1), ...) raises :class:`srma.errors.InputError`.

References
----------
Becker BJ (1988). Synthesizing standardized mean-change measures. *Br J Math
Stat Psychol* 41:257-278.
Borenstein M, Hedges LV, Higgins JPT, Rothstein HR (2009). *Introduction to
Meta-Analysis*. Wiley. Chapter 4.
Follmann D, Elliott P, Suh I, Cutler J (1992). Variance imputation for overviews
of clinical trials with continuous response. *J Clin Epidemiol* 45:769-773.
Gibbons RD, Hedeker DR, Davis JM (1993). Estimation of effect size from a series
of experiments involving paired comparisons. *J Educ Stat* 18:271-279.
Hedges LV (1981). Distribution theory for Glass's estimator of effect size and
related estimators. *J Educ Stat* 6:107-128.
Hedges LV (1983). A random effects model for effect sizes. *Psychol Bull*
93:388-395.
Higgins JPT, Li T, Deeks JJ (2023). Chapter 6: Choosing effect measures and
computing estimates of effect. *Cochrane Handbook for Systematic Reviews of
Interventions* version 6.4, sections 6.5.2.2, 6.5.2.3, 6.5.2.8.
Morris SB (2008). Estimating effect sizes from pretest-posttest-control group
designs. *Organ Res Methods* 11:364-386.
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
*J Stat Softw* 36(3):1-48.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import special

from srma.errors import InputError

__all__ = [
    "EffectSize",
    "change_sd",
    "ci_critical_value",
    "hedges_j",
    "mean_difference",
    "sd_from_ci",
    "sd_from_se",
    "sd_pooled_from_se",
    "se_from_ci",
    "smcc",
    "smcr",
    "smd_from_d",
    "smd_from_md_se",
    "smd_from_t",
    "standardized_mean_difference",
    "t_from_f",
    "t_from_p",
]

Number: TypeAlias = float | npt.NDArray[np.float64]
"""A float for scalar input, a float array for array input."""

Distribution = Literal["t", "z"]
SmdVtype = Literal["LS", "LS2", "UB"]
MdVtype = Literal["LS", "UB", "HO"]


class EffectSize(NamedTuple):
    """An effect size ``yi`` and its sampling variance ``vi``."""

    yi: Number
    vi: Number


# --------------------------------------------------------------------------- helpers


def _arr(x: npt.ArrayLike) -> npt.NDArray[np.float64]:
    return np.asarray(x, dtype=float)


def _out(x: npt.NDArray[np.float64]) -> Number:
    return float(x) if np.ndim(x) == 0 else x


def _require(
    ok: npt.ArrayLike, message: str, value: npt.ArrayLike, hint: str | None = None
) -> None:
    """Raise InputError naming the first offending value unless ``ok`` holds everywhere.

    NaN in ``value`` counts as a failure too (``ok`` is False for it).
    """
    ok_arr = np.asarray(ok, dtype=bool)
    if ok_arr.all():
        return
    vals = np.broadcast_to(_arr(value), ok_arr.shape) if ok_arr.ndim else _arr(value)
    bad = vals[~ok_arr] if ok_arr.ndim else vals
    first = np.ravel(bad)[0]
    raise InputError(message, value=float(first), hint=hint)


def _check_n(n: npt.NDArray[np.float64], what: str = "group size") -> None:
    _require(n >= 2, f"{what} must be at least 2", n)


def _check_positive(x: npt.NDArray[np.float64], what: str) -> None:
    _require(x > 0, f"{what} must be greater than 0", x)


def _level_fraction(level: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Confidence level as a fraction: 0.95 and 95 both mean 95%."""
    lev = _arr(level)
    frac = np.where(lev > 1, lev / 100.0, lev)
    _require(
        (frac > 0) & (frac < 1),
        "confidence level must be between 0 and 1 (or 0 and 100 as a percentage)",
        lev,
    )
    return frac


# --------------------------------------------------------------------------- core effect sizes


def hedges_j(m: npt.ArrayLike) -> Number:
    r"""Exact small-sample bias-correction factor of Hedges (1981).

    .. math:: J(m) = \frac{\Gamma(m/2)}{\sqrt{m/2}\,\Gamma((m-1)/2)}

    computed on the log scale as metafor's ``.cmicalc()`` does.  ``J(m)`` is
    close to the usual approximation :math:`1 - 3/(4m - 1)`.

    Parameters
    ----------
    m
        Degrees of freedom of the standardiser: :math:`n_1 + n_2 - 2` for a
        two-group SMD, :math:`n - 1` for a standardised mean change.

    Returns
    -------
    float or ndarray
        ``J(m)``; NaN where ``m <= 1`` (undefined).
    """
    mm = _arr(m)
    with np.errstate(invalid="ignore", divide="ignore"):
        j = np.exp(
            special.gammaln(mm / 2) - np.log(np.sqrt(mm / 2)) - special.gammaln((mm - 1) / 2)
        )
    return _out(np.where(mm > 1, j, np.nan))


def mean_difference(
    m1: npt.ArrayLike,
    sd1: npt.ArrayLike,
    n1: npt.ArrayLike,
    m2: npt.ArrayLike,
    sd2: npt.ArrayLike,
    n2: npt.ArrayLike,
    vtype: MdVtype = "LS",
) -> EffectSize:
    r"""Raw mean difference, metafor ``escalc("MD")``.

    .. math::

        y = \bar x_1 - \bar x_2, \qquad
        v = \frac{s_1^2}{n_1} + \frac{s_2^2}{n_2} \quad (\text{"LS", "UB"}), \qquad
        v = s_p^2 \left(\frac{1}{n_1} + \frac{1}{n_2}\right) \quad (\text{"HO"})

    with the pooled SD
    :math:`s_p^2 = ((n_1-1)s_1^2 + (n_2-1)s_2^2)/(n_1+n_2-2)`.  The default
    ``"LS"`` (metafor's default) does not assume equal variances
    (Borenstein 2009, chapter 4).

    Parameters
    ----------
    m1, sd1, n1
        Mean, SD and size of group 1 (intervention).
    m2, sd2, n2
        Mean, SD and size of group 2 (comparator).
    vtype
        Variance estimator: ``"LS"`` (default), ``"UB"`` (same formula) or
        ``"HO"`` (homoscedastic, pooled SD).

    Returns
    -------
    EffectSize
        ``(yi, vi)``.
    """
    m1a, m2a, s1, s2, n1a, n2a = map(_arr, (m1, m2, sd1, sd2, n1, n2))
    _check_n(n1a)
    _check_n(n2a)
    _check_positive(s1, "SD")
    _check_positive(s2, "SD")
    yi = m1a - m2a
    if vtype in ("LS", "UB"):
        vi = s1**2 / n1a + s2**2 / n2a
    elif vtype == "HO":
        sp2 = ((n1a - 1) * s1**2 + (n2a - 1) * s2**2) / (n1a + n2a - 2)
        vi = sp2 * (1 / n1a + 1 / n2a)
    else:
        raise ValueError(f"unknown vtype {vtype!r} for MD (use 'LS', 'UB' or 'HO')")
    return EffectSize(_out(yi), _out(vi))


def smd_from_d(
    d: npt.ArrayLike, n1: npt.ArrayLike, n2: npt.ArrayLike, vtype: SmdVtype = "LS"
) -> EffectSize:
    r"""Hedges' g and its variance from Cohen's d (pooled-SD standardised difference).

    .. math::

        g = J(m)\, d, \quad m = n_1 + n_2 - 2,

        v_{LS} = \frac{1}{n_1} + \frac{1}{n_2} + \frac{g^2}{2(n_1 + n_2)}, \quad
        v_{LS2} = J^2 \left(\frac{1}{n_1} + \frac{1}{n_2} + \frac{d^2}{2(n_1+n_2)}\right),

        v_{UB} = \frac{1}{n_1} + \frac{1}{n_2} + \left(1 - \frac{m - 2}{m J^2}\right) g^2

    ``"LS"`` is metafor's default (Hedges 1981); ``"LS2"`` is the form given by
    Borenstein (2009, chapter 4), :math:`J^2 v_d`; ``"UB"`` is Hedges' (1983)
    unbiased estimator.
    """
    da, n1a, n2a = map(_arr, (d, n1, n2))
    _check_n(n1a)
    _check_n(n2a)
    m = n1a + n2a - 2
    j = _arr(hedges_j(m))
    g = j * da
    base = 1 / n1a + 1 / n2a
    if vtype == "LS":
        vi = base + g**2 / (2 * (n1a + n2a))
    elif vtype == "LS2":
        vi = j**2 * (base + da**2 / (2 * (n1a + n2a)))
    elif vtype == "UB":
        vi = base + (1 - (m - 2) / (m * j**2)) * g**2
    else:
        raise ValueError(f"unknown vtype {vtype!r} for SMD (use 'LS', 'LS2' or 'UB')")
    return EffectSize(_out(g), _out(vi))


def standardized_mean_difference(
    m1: npt.ArrayLike,
    sd1: npt.ArrayLike,
    n1: npt.ArrayLike,
    m2: npt.ArrayLike,
    sd2: npt.ArrayLike,
    n2: npt.ArrayLike,
    vtype: SmdVtype = "LS",
) -> EffectSize:
    r"""Standardised mean difference, Hedges' g, metafor ``escalc("SMD")``.

    .. math::

        d = \frac{\bar x_1 - \bar x_2}{s_p}, \quad
        s_p = \sqrt{\frac{(n_1-1)s_1^2 + (n_2-1)s_2^2}{n_1+n_2-2}}, \quad
        g = J(n_1+n_2-2)\, d

    with the exact correction :func:`hedges_j` (Hedges 1981) and the variance
    of :func:`smd_from_d` (default ``"LS"``, metafor's default).
    """
    m1a, m2a, s1, s2, n1a, n2a = map(_arr, (m1, m2, sd1, sd2, n1, n2))
    _check_n(n1a)
    _check_n(n2a)
    _check_positive(s1, "SD")
    _check_positive(s2, "SD")
    sp = np.sqrt(((n1a - 1) * s1**2 + (n2a - 1) * s2**2) / (n1a + n2a - 2))
    return smd_from_d((m1a - m2a) / sp, n1a, n2a, vtype=vtype)


# --------------------------------------------------------------------------- test statistics


def smd_from_t(t: npt.ArrayLike, n1: npt.ArrayLike, n2: npt.ArrayLike) -> EffectSize:
    r"""Hedges' g from an independent-samples t statistic, ``escalc("SMD", ti=)``.

    .. math:: d = t \sqrt{\frac{1}{n_1} + \frac{1}{n_2}}

    then :func:`smd_from_d`.  The sign of ``t`` is the sign of
    :math:`\bar x_1 - \bar x_2` (Cochrane Handbook 6.5.2.3).  Exact when the
    t statistic is the pooled-variance two-sample t.
    """
    ta, n1a, n2a = map(_arr, (t, n1, n2))
    _require(np.isfinite(ta), "t statistic must be a finite number", ta)
    _check_n(n1a)
    _check_n(n2a)
    return smd_from_d(ta * np.sqrt(1 / n1a + 1 / n2a), n1a, n2a)


def t_from_f(f: npt.ArrayLike, direction: npt.ArrayLike) -> Number:
    r"""t statistic from an F statistic with one numerator degree of freedom.

    .. math:: t = \operatorname{sign} \cdot \sqrt{F}

    An F(1, df) test of two groups is the square of the two-sample t test; the
    sign is lost in F and must be given (``direction`` = +1 when group 1 has
    the higher mean, -1 otherwise).
    """
    fa, da = _arr(f), _arr(direction)
    _require(fa >= 0, "F statistic must be 0 or greater", fa)
    _require(np.isin(da, (1.0, -1.0)), "direction must be +1 or -1", da)
    return _out(da * np.sqrt(fa))


def t_from_p(
    p: npt.ArrayLike, n1: npt.ArrayLike, n2: npt.ArrayLike, direction: npt.ArrayLike
) -> Number:
    r"""t statistic from an exact two-sided p-value of a two-sample t test.

    .. math:: t = \operatorname{sign} \cdot t^{-1}_{n_1+n_2-2}(1 - p/2)

    as metafor >= 4.0 ``escalc("SMD", pi=)`` does (``.convp2t``: ``sign(pi) *
    qt(abs(pi)/2, df, lower.tail=FALSE)``; Cochrane Handbook 6.5.2.3).  The
    upper quantile is computed as ``-stdtrit(df, p/2)`` to keep full precision
    for small p.
    """
    pa, n1a, n2a, da = map(_arr, (p, n1, n2, direction))
    _require((pa > 0) & (pa < 1), "p-value must be strictly between 0 and 1", pa)
    _require(np.isin(da, (1.0, -1.0)), "direction must be +1 or -1", da)
    _check_n(n1a)
    _check_n(n2a)
    df = n1a + n2a - 2
    return _out(da * -special.stdtrit(df, pa / 2))


# --------------------------------------------------------------------------- CIs, SEs and SDs


def ci_critical_value(
    level: npt.ArrayLike = 95, df: npt.ArrayLike | None = None, distribution: Distribution = "z"
) -> Number:
    r"""Two-sided critical value of a ``level`` confidence interval.

    ``distribution="z"``: :math:`z_{1-\alpha/2}` (1.959964 for 95%), as in
    metafor >= 4.0 ``conv.wald()``.  ``distribution="t"``:
    :math:`t_{1-\alpha/2,\,df}`, as the Cochrane Handbook (6.5.2.2, 6.5.2.3)
    advises for small samples.  ``level`` may be a fraction (0.95) or a
    percentage (95).
    """
    a = 1 - _level_fraction(level)
    if distribution == "z":
        return _out(-special.ndtri(a / 2))
    if distribution == "t":
        if df is None:
            raise ValueError("a t-based critical value needs df")
        dfa = _arr(df)
        _require(dfa >= 1, "degrees of freedom must be at least 1", dfa)
        return _out(-special.stdtrit(dfa, a / 2))
    raise ValueError(f"unknown distribution {distribution!r} (use 't' or 'z')")


def se_from_ci(
    ci_low: npt.ArrayLike,
    ci_high: npt.ArrayLike,
    level: npt.ArrayLike = 95,
    df: npt.ArrayLike | None = None,
    distribution: Distribution = "z",
) -> Number:
    r"""Standard error from a symmetric (Wald-type) confidence interval.

    .. math:: SE = \frac{\text{upper} - \text{lower}}{2\, c}

    with ``c`` from :func:`ci_critical_value`.  With ``distribution="z"`` the
    squared result is metafor >= 4.0 ``conv.wald()``'s sampling variance.
    """
    lo, hi = _arr(ci_low), _arr(ci_high)
    _require(hi > lo, "upper confidence limit must be greater than the lower limit", hi - lo)
    crit = _arr(ci_critical_value(level, df=df, distribution=distribution))
    return _out((hi - lo) / (2 * crit))


def sd_from_se(se: npt.ArrayLike, n: npt.ArrayLike) -> Number:
    r"""SD of one group from the standard error of its mean: :math:`SD = SE\sqrt{n}`.

    Cochrane Handbook 6.5.2.2.
    """
    sea, na = _arr(se), _arr(n)
    _check_positive(sea, "SE")
    _check_n(na)
    return _out(sea * np.sqrt(na))


def sd_from_ci(
    ci_low: npt.ArrayLike,
    ci_high: npt.ArrayLike,
    n: npt.ArrayLike,
    level: npt.ArrayLike = 95,
    distribution: Distribution = "t",
) -> Number:
    r"""SD of one group from the confidence interval of its mean.

    .. math:: SD = \sqrt{n}\, \frac{\text{upper} - \text{lower}}{2\, c}

    with :math:`c = t_{1-\alpha/2,\,n-1}` (default; Cochrane Handbook 6.5.2.2,
    exact for the usual t interval of a mean) or :math:`c = z_{1-\alpha/2}`
    (``distribution="z"``, metafor ``conv.wald()``; 3.92/2 for 95%).
    """
    na = _arr(n)
    _check_n(na)
    se = se_from_ci(ci_low, ci_high, level, df=na - 1, distribution=distribution)
    return _out(_arr(se) * np.sqrt(na))


def sd_pooled_from_se(se: npt.ArrayLike, n1: npt.ArrayLike, n2: npt.ArrayLike) -> Number:
    r"""Pooled within-group SD from the SE of a difference in means.

    .. math:: s_p = \frac{SE}{\sqrt{1/n_1 + 1/n_2}}

    Cochrane Handbook 6.5.2.3; assumes equal variances in the two groups, as
    the pooled-SD standardised mean difference does.
    """
    sea, n1a, n2a = map(_arr, (se, n1, n2))
    _check_positive(sea, "SE")
    _check_n(n1a)
    _check_n(n2a)
    return _out(sea / np.sqrt(1 / n1a + 1 / n2a))


def smd_from_md_se(
    md: npt.ArrayLike, se: npt.ArrayLike, n1: npt.ArrayLike, n2: npt.ArrayLike
) -> EffectSize:
    r"""Hedges' g from a mean difference and its standard error.

    :math:`d = MD / s_p` with :math:`s_p` from :func:`sd_pooled_from_se`,
    then :func:`smd_from_d`; the same as metafor ``escalc("SMD", m1i=md,
    m2i=0, sd1i=sp, sd2i=sp, n1i, n2i)``.  If the SE came from a pooled-
    variance t test, :math:`d = t\sqrt{1/n_1 + 1/n_2}` exactly as in
    :func:`smd_from_t`.
    """
    mda = _arr(md)
    sp = _arr(sd_pooled_from_se(se, n1, n2))
    return smd_from_d(mda / sp, n1, n2)


# --------------------------------------------------------------------------- change scores


def change_sd(sd_pre: npt.ArrayLike, sd_post: npt.ArrayLike, r: npt.ArrayLike) -> Number:
    r"""SD of change scores from the pre and post SDs and their correlation.

    .. math:: SD_{change} = \sqrt{SD_{pre}^2 + SD_{post}^2 - 2\, r\, SD_{pre} SD_{post}}

    Follmann et al. (1992); Cochrane Handbook 6.5.2.8; the variance used by
    metafor ``escalc("MC")`` times ``n``.  ``r`` is usually imputed from
    another study: say so in the review.
    """
    s1, s2, ra = map(_arr, (sd_pre, sd_post, r))
    _check_positive(s1, "pre-treatment SD")
    _check_positive(s2, "post-treatment SD")
    _require((ra >= -1) & (ra <= 1), "pre-post correlation must be between -1 and 1", ra)
    var = s1**2 + s2**2 - 2 * ra * s1 * s2
    _require(
        var > 0,
        "the SD of change is 0 (r = 1 with equal pre and post SDs)",
        ra,
        hint="check the correlation",
    )
    return _out(np.sqrt(var))


def smcr(
    m_post: npt.ArrayLike,
    m_pre: npt.ArrayLike,
    sd_pre: npt.ArrayLike,
    n: npt.ArrayLike,
    r: npt.ArrayLike,
) -> EffectSize:
    r"""Standardised mean change, raw-score (pre-test SD) standardisation, ``escalc("SMCR")``.

    .. math::

        g = J(n-1)\, \frac{\bar x_{post} - \bar x_{pre}}{SD_{pre}}, \qquad
        v = \frac{2(1-r)}{n} + \frac{g^2}{2n}

    Becker (1988); Morris (2008).  One group measured twice.
    """
    mp, mq, s, na, ra = map(_arr, (m_post, m_pre, sd_pre, n, r))
    _check_positive(s, "pre-treatment SD")
    _check_n(na, "sample size")
    _require((ra >= -1) & (ra <= 1), "pre-post correlation must be between -1 and 1", ra)
    g = _arr(hedges_j(na - 1)) * (mp - mq) / s
    return EffectSize(_out(g), _out(2 * (1 - ra) / na + g**2 / (2 * na)))


def smcc(
    m_post: npt.ArrayLike,
    m_pre: npt.ArrayLike,
    sd_post: npt.ArrayLike,
    sd_pre: npt.ArrayLike,
    n: npt.ArrayLike,
    r: npt.ArrayLike,
) -> EffectSize:
    r"""Standardised mean change, change-score standardisation, ``escalc("SMCC")``.

    .. math::

        g = J(n-1)\, \frac{\bar x_{post} - \bar x_{pre}}{SD_{change}}, \qquad
        v = \frac{1}{n} + \frac{g^2}{2n}

    with :math:`SD_{change}` from :func:`change_sd` (Gibbons et al. 1993;
    Borenstein 2009, chapter 4).  One group measured twice.
    """
    mp, mq, na = map(_arr, (m_post, m_pre, n))
    _check_n(na, "sample size")
    sdc = _arr(change_sd(sd_pre, sd_post, r))
    g = _arr(hedges_j(na - 1)) * (mp - mq) / sdc
    return EffectSize(_out(g), _out(1 / na + g**2 / (2 * na)))
