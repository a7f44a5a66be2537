r"""Mean and SD of one group from its median with quartiles and/or range.

Papers often report a skewed outcome as median (IQR) or median (range).  The
estimators here assume the underlying data are normal and are the ones
metafor >= 4.0 offers in ``conv.fivenum()``; the default ``"luo/wan/shi"`` is
metafor's default.

Three cases, by what is reported besides the median ``m`` and size ``n``:

``range``      minimum ``a`` and maximum ``b``              (Wan's scenario C1)
``iqr``        first and third quartiles ``q1``, ``q3``      (scenario C3)
``iqr_range``  all five numbers                          (scenario C2)

With :math:`\xi(n) = 2\Phi^{-1}\left(\frac{n - 0.375}{n + 0.25}\right)` and
:math:`\eta(n) = 2\Phi^{-1}\left(\frac{0.75n - 0.125}{n + 0.25}\right)` (Wan et al.
2014, Blom's approximation to the expected normal order statistics):

=============  ==============================================================
method         estimators
=============  ==============================================================
luo/wan/shi    mean of Luo et al. (2018); SD of Wan et al. (2014) for
               ``range`` and ``iqr``, of Shi et al. (2020) for ``iqr_range``
wan2014        mean and SD of Wan et al. (2014)
hozo2005       Hozo et al. (2005), ``range`` only
bland2015      Bland (2015), ``iqr_range`` only
=============  ==============================================================

Formulas (``luo``: Luo 2018; ``wan``: Wan 2014; ``shi``: Shi 2020):

- ``range``: luo mean :math:`w\frac{a+b}{2} + (1-w)m`, :math:`w = \frac{4}{4 + n^{0.75}}`;
  wan mean :math:`\frac{a + 2m + b}{4}`; wan SD :math:`\frac{b-a}{\xi(n)}`;
  hozo mean :math:`\frac{a+2m+b}{4}` if :math:`n \le 25` else :math:`m`, hozo SD
  :math:`\sqrt{\frac{1}{12}\left(\frac{(a-2m+b)^2}{4} + (b-a)^2\right)}` if
  :math:`n \le 15`, :math:`\frac{b-a}{4}` if :math:`n \le 70`, else :math:`\frac{b-a}{6}`.
- ``iqr``: luo mean :math:`w\frac{q_1+q_3}{2} + (1-w)m`, :math:`w = 0.7 + \frac{0.39}{n}`;
  wan mean :math:`\frac{q_1 + m + q_3}{3}`; wan SD :math:`\frac{q_3-q_1}{\eta(n)}`.
- ``iqr_range``: luo mean :math:`w_1\frac{a+b}{2} + w_2\frac{q_1+q_3}{2} + (1-w_1-w_2)m`,
  :math:`w_1 = \frac{2.2}{2.2 + n^{0.75}}`, :math:`w_2 = 0.7 - \frac{0.72}{n^{0.55}}`;
  shi SD :math:`w\frac{b-a}{\xi(n)} + (1-w)\frac{q_3-q_1}{\eta(n)}`,
  :math:`w = \frac{1}{1 + 0.07 n^{0.6}}`; wan (and bland) mean
  :math:`\frac{a + 2q_1 + 2m + 2q_3 + b}{8}`; wan SD
  :math:`\frac12\left(\frac{b-a}{\xi(n)} + \frac{q_3-q_1}{\eta(n)}\right)`; bland SD
  :math:`\sqrt{\frac{a^2 + 2q_1^2 + 2m^2 + 2q_3^2 + b^2}{16} + \frac{aq_1 + q_1m + mq_3 + q_3b}{8}
  - \frac{(a + 2q_1 + 2m + 2q_3 + b)^2}{64}}`.

Every estimate comes with the skewness test of Shi et al. (2023), the test
``conv.fivenum(test=TRUE)`` runs: the normal-theory estimators are unreliable
when it rejects.  Like metafor, groups of fewer than 5 are refused.

References
----------
Bland M (2015). Estimating mean and standard deviation from the sample size,
three quartiles, minimum, and maximum. *Int J Stat Med Res* 4:57-64.
Hozo SP, Djulbegovic B, Hozo I (2005). Estimating the mean and variance from
the median, range, and the size of a sample. *BMC Med Res Methodol* 5:13.
Luo D, Wan X, Liu J, Tong T (2018). Optimally estimating the sample mean from
the sample size, median, mid-range, and/or mid-quartile range. *Stat Methods
Med Res* 27:1785-1805.
Shi J, Luo D, Weng H, et al. (2020). Optimally estimating the sample standard
deviation from the five-number summary. *Res Synth Methods* 11:641-654.
Shi J, Luo D, Wan X, et al. (2023). Detecting the skewness of data from the
five-number summary and its application in meta-analysis. *Stat Methods Med
Res* 32:1338-1360.
Wan X, Wang W, Liu J, Tong T (2014). Estimating the sample mean and standard
deviation from the sample size, median, range and/or interquartile range.
*BMC Med Res Methodol* 14:135.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

from scipy import special

from srma.errors import InputError

__all__ = ["QUANTILE_METHODS", "MeanSdEstimate", "QuantileMethod", "mean_sd_from_quantiles"]

QuantileMethod = Literal["luo/wan/shi", "wan2014", "hozo2005", "bland2015"]
Case = Literal["range", "iqr", "iqr_range"]

#: The methods available for each case.
QUANTILE_METHODS: dict[str, tuple[str, ...]] = {
    "range": ("luo/wan/shi", "wan2014", "hozo2005"),
    "iqr": ("luo/wan/shi", "wan2014"),
    "iqr_range": ("luo/wan/shi", "wan2014", "bland2015"),
}

#: Smallest group metafor's conv.fivenum() converts.
MIN_N = 5


class MeanSdEstimate(NamedTuple):
    """Estimated mean and SD of one group, with the skewness test.

    Attributes
    ----------
    mean, sd
        The estimates.
    case
        ``"range"``, ``"iqr"`` or ``"iqr_range"``: what the estimate used.
    method
        The method used.
    skew_stat, skew_crit
        Test statistic and critical value of the skewness test of Shi et al.
        (2023).
    skewed
        ``skew_stat >= skew_crit``: the data look skewed and the normal-theory
        estimates may be biased.
    """

    mean: float
    sd: float
    case: Case
    method: str
    skew_stat: float
    skew_crit: float
    skewed: bool


def _xi(n: float) -> float:
    return 2.0 * float(special.ndtri((n - 0.375) / (n + 0.25)))


def _eta(n: float) -> float:
    return 2.0 * float(special.ndtri((0.75 * n - 0.125) / (n + 0.25)))


def _float(x: float | None) -> float:
    return math.nan if x is None else float(x)


def _present(x: float | None) -> bool:
    return x is not None and not math.isnan(x)


def mean_sd_from_quantiles(
    n: float,
    median: float,
    *,
    q1: float | None = None,
    q3: float | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    method: QuantileMethod = "luo/wan/shi",
) -> MeanSdEstimate:
    """Estimate a group's mean and SD from its median and quartiles and/or range.

    Parameters
    ----------
    n
        Group size (at least 5).
    median
        Sample median.
    q1, q3
        First and third quartiles (both or neither).
    minimum, maximum
        Smallest and largest value (both or neither).
    method
        ``"luo/wan/shi"`` (default), ``"wan2014"``, ``"hozo2005"`` (range only)
        or ``"bland2015"`` (all five numbers only); see the module docstring.

    Returns
    -------
    MeanSdEstimate

    Raises
    ------
    InputError
        If the numbers are not ordered ``min <= q1 <= median <= q3 <= max``,
        if a spread is zero, if ``n < 5``, if only one quartile or one end of
        the range is given, or if ``method`` does not apply to what is given.
    """
    has_q = (_present(q1), _present(q3))
    has_r = (_present(minimum), _present(maximum))
    if has_q[0] != has_q[1]:
        raise InputError("give both quartiles (q1 and q3) or neither", value=q1 if has_q[0] else q3)
    if has_r[0] != has_r[1]:
        raise InputError(
            "give both ends of the range (min and max) or neither",
            value=minimum if has_r[0] else maximum,
        )
    if not _present(median):
        raise InputError("the median is missing")
    if not (has_q[0] or has_r[0]):
        raise InputError("a median needs its quartiles or its range (min and max)")
    if not n >= MIN_N:
        raise InputError(
            f"group too small to estimate a mean and SD from its median (n < {MIN_N})",
            value=n,
            hint="metafor's conv.fivenum() refuses such groups too; leave the study out "
            "of this analysis or obtain the mean and SD from the authors",
        )
    case: Case = "iqr_range" if has_q[0] and has_r[0] else ("iqr" if has_q[0] else "range")
    if method not in QUANTILE_METHODS[case]:
        raise InputError(
            f"method {method!r} does not apply to a median with its {case.replace('_', ' and ')}",
            value=method,
            hint=f"use one of {', '.join(QUANTILE_METHODS[case])}",
        )
    values = [_float(v) for v in (minimum, q1, median, q3, maximum) if _present(v)]
    if any(b < a for a, b in zip(values, values[1:], strict=False)):
        raise InputError(
            "the summary is not ordered min <= q1 <= median <= q3 <= max", value=tuple(values)
        )

    m = float(median)
    a, b = _float(minimum), _float(maximum)
    lo, hi = _float(q1), _float(q3)
    if case == "range":
        if b <= a:
            raise InputError("the range is zero (min equals max)", value=(a, b))
        stat = abs(a + b - 2 * m) / (b - a)
        crit = 1 / math.log(n + 9) + 2.5 / (n + 1)
        if method == "luo/wan/shi":
            w = 4 / (4 + n**0.75)
            mean = w * (a + b) / 2 + (1 - w) * m
            sd = (b - a) / _xi(n)
        elif method == "wan2014":
            mean = (a + 2 * m + b) / 4
            sd = (b - a) / _xi(n)
        else:  # hozo2005
            mean = (a + 2 * m + b) / 4 if n <= 25 else m
            if n <= 15:
                sd = math.sqrt(((a - 2 * m + b) ** 2 / 4 + (b - a) ** 2) / 12)
            elif n <= 70:
                sd = (b - a) / 4
            else:
                sd = (b - a) / 6
    elif case == "iqr":
        if hi <= lo:
            raise InputError("the interquartile range is zero (q1 equals q3)", value=(lo, hi))
        stat = abs(lo + hi - 2 * m) / (hi - lo)
        crit = 2.65 / math.sqrt(n) - 6 / n**2
        if method == "luo/wan/shi":
            w = 0.7 + 0.39 / n
            mean = w * (lo + hi) / 2 + (1 - w) * m
        else:  # wan2014
            mean = (lo + m + hi) / 3
        sd = (hi - lo) / _eta(n)
    else:
        if hi <= lo:
            raise InputError("the interquartile range is zero (q1 equals q3)", value=(lo, hi))
        t_range = abs(a + b - 2 * m) / (b - a)
        t_iqr = abs(lo + hi - 2 * m) / (hi - lo)
        stat = max(2.65 * math.log(0.6 * n) / math.sqrt(n) * t_range, t_iqr)
        crit = 3 / math.sqrt(n) - 40 / n**3
        if method == "luo/wan/shi":
            w1 = 2.2 / (2.2 + n**0.75)
            w2 = 0.7 - 0.72 / n**0.55
            mean = w1 * (a + b) / 2 + w2 * (lo + hi) / 2 + (1 - w1 - w2) * m
            w = 1 / (1 + 0.07 * n**0.6)
            sd = w * (b - a) / _xi(n) + (1 - w) * (hi - lo) / _eta(n)
        elif method == "wan2014":
            mean = (a + 2 * lo + 2 * m + 2 * hi + b) / 8
            sd = ((b - a) / _xi(n) + (hi - lo) / _eta(n)) / 2
        else:  # bland2015
            mean = (a + 2 * lo + 2 * m + 2 * hi + b) / 8
            sd = math.sqrt(
                (a**2 + 2 * lo**2 + 2 * m**2 + 2 * hi**2 + b**2) / 16
                + (a * lo + lo * m + m * hi + hi * b) / 8
                - (a + 2 * lo + 2 * m + 2 * hi + b) ** 2 / 64
            )
    return MeanSdEstimate(
        mean=float(mean),
        sd=float(sd),
        case=case,
        method=method,
        skew_stat=float(stat),
        skew_crit=float(crit),
        skewed=bool(stat >= crit),
    )
