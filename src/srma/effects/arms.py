"""One effect size per comparison, from whatever statistics a paper reports.

A comparison is one row of *arm statistics*: per-arm columns ending in
``_intervention`` or ``_comparator`` and comparison-level columns (see
:data:`ARM_FIELDS` and :data:`COMPARISON_FIELDS`).  :func:`compute_effect`
looks at which columns are filled and takes the first *route* of ``priority``
whose columns are all there:

============  =====================================================================
route         needs (besides ``n_intervention`` and ``n_comparator``)
============  =====================================================================
``means``     per arm ``mean`` and one of ``sd``, ``se``, ``ci_low`` + ``ci_high``
``change``    per arm ``mean_change`` and one of ``sd_change``, ``se_change``,
              ``sd_pre`` + ``sd`` (post) with ``r_pre_post``
``md``        ``md`` and ``md_se`` or ``md_ci_low`` + ``md_ci_high``
``t``         ``t`` (plus ``md`` for the MD)
``f``         ``f`` with its sign from ``direction`` or ``md`` (plus ``md`` for the MD)
``quantiles`` per arm ``median`` with ``q1`` + ``q3`` and/or ``min`` + ``max``
              (an arm with a mean and SD uses those)
``p``         ``p`` with its sign from ``direction`` or ``md`` (plus ``md`` for the MD)
============  =====================================================================

The default priority is the order of the table: exact summaries of each arm
first (means with SDs, or SDs recovered exactly from SEs or CIs), then change
scores, then the between-group estimate and test statistics, which need an
equal-variance assumption for the SMD, then the approximate median-based
estimates, and last a p-value, which papers round.  Final values come before
change scores because the SMD of change scores is standardised by the SD of
change and must not be pooled with SMDs of final values (Cochrane Handbook,
10.5.2); a review that analyses change scores passes a priority that starts
with ``"change"``.

The difference is always intervention minus comparator; ``higher_is_better``
flips the sign when a lower score is the better outcome, so that a positive
``yi`` always favours the intervention.

Definitions: MD and SMD are metafor's ``escalc("MD")`` (variance
``sd1^2/n1 + sd2^2/n2``) and ``escalc("SMD")`` (Hedges' g, exact small-sample
correction, large-sample variance); see :mod:`srma.effects.formulas` and
:mod:`srma.effects.quantiles` for each conversion and its source.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from srma.effects import formulas as fx
from srma.effects.quantiles import QuantileMethod, mean_sd_from_quantiles
from srma.errors import InputError, Problem

__all__ = [
    "ARMS",
    "ARM_FIELDS",
    "ARM_STATISTICS_COLUMNS",
    "COMPARISON_FIELDS",
    "DEFAULT_PRIORITY",
    "ROUTES",
    "EffectEstimate",
    "arm_statistics_problems",
    "compute_effect",
    "compute_effects",
    "validate_arm_statistics",
]

Measure = Literal["SMD", "MD"]
Skewed = Literal["note", "refuse"]

#: The two arms and the suffix of their columns.
ARMS: dict[str, str] = {"intervention": "_intervention", "comparator": "_comparator"}

#: Per-arm statistics; each is a pair of columns, ``<name>_intervention`` and
#: ``<name>_comparator``.
ARM_FIELDS: dict[str, str] = {
    "n": "participants analysed in the arm",
    "mean": "mean of the final (post-treatment) values",
    "sd": "SD of the final values",
    "se": "standard error of the mean of the final values",
    "ci_low": "lower limit of the confidence interval of the mean",
    "ci_high": "upper limit of the confidence interval of the mean",
    "median": "median of the final values",
    "q1": "first quartile (lower end of the IQR)",
    "q3": "third quartile (upper end of the IQR)",
    "min": "smallest value",
    "max": "largest value",
    "mean_change": "mean change from baseline (final minus baseline)",
    "sd_change": "SD of the change from baseline",
    "se_change": "standard error of the mean change",
    "sd_pre": "SD at baseline (with sd and r_pre_post gives the SD of change)",
}

#: Comparison-level statistics, one column each.
COMPARISON_FIELDS: dict[str, str] = {
    "md": "mean difference, intervention minus comparator",
    "md_se": "standard error of md",
    "md_ci_low": "lower confidence limit of md",
    "md_ci_high": "upper confidence limit of md",
    "t": "two-sample t statistic (signed as intervention minus comparator, or unsigned "
    "with direction)",
    "f": "F statistic with 1 numerator df (two groups)",
    "f_df1": "numerator df of f; must be 1 when filled",
    "p": "exact two-sided p-value of the between-group test",
    "direction": "+1 if the intervention mean is the higher, -1 if lower: the sign of f and "
    "p, and of t and md when they are entered unsigned",
    "r_pre_post": "correlation between baseline and final values, used for both arms",
    "ci_level": "confidence level of every CI in the row, in percent (default 95)",
}

#: Every column :func:`compute_effect` reads.
ARM_STATISTICS_COLUMNS: list[str] = [
    f"{name}{suffix}" for name in ARM_FIELDS for suffix in ARMS.values()
] + list(COMPARISON_FIELDS)

#: The routes, in the default order of preference.
ROUTES: tuple[str, ...] = ("means", "change", "md", "t", "f", "quantiles", "p")
DEFAULT_PRIORITY: tuple[str, ...] = ROUTES


class EffectEstimate(NamedTuple):
    """The result of :func:`compute_effect`.

    Attributes
    ----------
    yi
        Effect size; positive favours the intervention.
    vi
        Its sampling variance.
    method
        How it was obtained: the route's form, e.g. ``"mean_sd"``,
        ``"mean_sd|median_iqr"`` (intervention|comparator when the arms
        differ), ``"md_ci"``, ``"t"``, ``"md_p"``.
    notes
        Human-readable notes on every conversion and assumption used.
    """

    yi: float
    vi: float
    method: str
    notes: tuple[str, ...]


# --------------------------------------------------------------------------- reading a row


def _raw(row: Mapping[str, Any], name: str) -> Any:
    value = row.get(name)
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # list-like values: not missing, not a number
        return value
    return value


def _num(row: Mapping[str, Any], name: str) -> float | None:
    """The value of column ``name`` as a float, or None when it is empty.

    Call only after :func:`arm_statistics_problems` found nothing, so that
    every filled value is a finite number.
    """
    value = _raw(row, name)
    return None if value is None else float(value)


def _val(row: Mapping[str, Any], name: str) -> float:
    """The value of a column a route requires (the route checked it is filled)."""
    value = _num(row, name)
    if value is None:
        raise KeyError(f"internal error: {name} is empty")
    return value


def _has(row: Mapping[str, Any], *names: str) -> bool:
    return all(_raw(row, n) is not None for n in names)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _level(row: Mapping[str, Any]) -> float:
    lev = _num(row, "ci_level")
    return 95.0 if lev is None else (lev * 100 if lev < 1 else lev)


# --------------------------------------------------------------------------- validation


#: What to do when a problem has no more specific advice.
CHECK_HINT = "check the value against the study's report"


def _problem(column: str, message: str, value: Any = None, hint: str | None = None) -> Problem:
    return Problem(message, column=column, value=value, hint=hint or CHECK_HINT)


def arm_statistics_problems(row: Mapping[str, Any]) -> list[Problem]:
    """Every problem with the filled values of one row of arm statistics.

    Checks each value on its own (a number, finite, in range) and against its
    companions (CI limits ordered and around their estimate, quartiles and
    range ordered around the median, both ends of an interval given, signs
    consistent with ``direction``).  Empty columns are not problems here:
    :func:`compute_effect` says what is missing.

    Parameters
    ----------
    row
        A mapping (dict, :class:`pandas.Series`) from column name to value;
        columns not in :data:`ARM_STATISTICS_COLUMNS` are ignored.

    Returns
    -------
    list of Problem
        Each with ``column`` and ``value`` set; the caller adds ``file`` and
        ``row`` (``dataclasses.replace``).
    """
    problems: list[Problem] = []
    numbers: dict[str, float] = {}
    for col in ARM_STATISTICS_COLUMNS:
        value = _raw(row, col)
        if value is None:
            continue
        if isinstance(value, bool | np.bool_):
            problems.append(
                _problem(col, "not a number", value, "enter a number or leave it empty")
            )
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            problems.append(
                _problem(col, "not a number", value, "enter a number or leave it empty")
            )
            continue
        if not math.isfinite(number):
            problems.append(_problem(col, "not a finite number", value))
            continue
        numbers[col] = number

    def has(col: str) -> bool:
        return col in numbers

    for suffix in ARMS.values():
        n_col = f"n{suffix}"
        if has(n_col):
            n = numbers[n_col]
            if n < 2 or n != int(n):
                problems.append(
                    _problem(n_col, "group size must be a whole number of at least 2", n)
                )
        for name in ("sd", "se", "sd_change", "se_change", "sd_pre"):
            col = f"{name}{suffix}"
            if has(col) and numbers[col] <= 0:
                what = "SD" if name.startswith("sd") else "standard error"
                problems.append(_problem(col, f"{what} must be greater than 0", numbers[col]))
        problems += _interval_problems(
            numbers, f"ci_low{suffix}", f"ci_high{suffix}", f"mean{suffix}", "mean"
        )
        problems += _order_problems(numbers, suffix)

    if has("md_se") and numbers["md_se"] <= 0:
        problems.append(
            _problem("md_se", "standard error must be greater than 0", numbers["md_se"])
        )
    problems += _interval_problems(numbers, "md_ci_low", "md_ci_high", "md", "mean difference")
    if has("p") and not 0 < numbers["p"] < 1:
        problems.append(
            _problem(
                "p",
                "p-value must be strictly between 0 and 1",
                numbers["p"],
                "enter the exact p-value; leave it empty if only a bound such as p < 0.05 "
                "is reported",
            )
        )
    if has("f") and numbers["f"] < 0:
        problems.append(_problem("f", "F statistic must be 0 or greater", numbers["f"]))
    if has("f_df1") and numbers["f_df1"] != 1:
        problems.append(
            _problem(
                "f_df1",
                "only an F test with 1 numerator df (two groups) converts to an effect size",
                numbers["f_df1"],
            )
        )
    if has("r_pre_post") and not -1 <= numbers["r_pre_post"] <= 1:
        problems.append(
            _problem("r_pre_post", "correlation must be between -1 and 1", numbers["r_pre_post"])
        )
    if has("ci_level") and not (0 < numbers["ci_level"] < 1 or 1 < numbers["ci_level"] < 100):
        problems.append(
            _problem(
                "ci_level", "confidence level must be a percentage such as 95", numbers["ci_level"]
            )
        )
    if has("direction"):
        direction = numbers["direction"]
        if direction not in (1.0, -1.0):
            problems.append(_problem("direction", "direction must be +1 or -1", direction))
        else:
            for col in ("md", "t"):
                if has(col) and direction == 1 and numbers[col] < 0:
                    problems.append(
                        _problem(
                            col,
                            f"{col} is negative but direction is +1 (intervention higher)",
                            numbers[col],
                            "fix the sign or the direction",
                        )
                    )
    return problems


def _interval_problems(
    numbers: Mapping[str, float], low: str, high: str, estimate: str, what: str
) -> list[Problem]:
    out: list[Problem] = []
    if (low in numbers) != (high in numbers):
        given = low if low in numbers else high
        out.append(
            _problem(
                given,
                "give both confidence limits or neither",
                numbers[given],
                "fill in the other limit, or empty this one",
            )
        )
        return out
    if low not in numbers:
        return out
    lo, hi = numbers[low], numbers[high]
    if lo > hi:
        out.append(
            _problem(
                low,
                "lower confidence limit is above the upper limit",
                (lo, hi),
                "swap the two limits if they went into the wrong columns",
            )
        )
    elif lo == hi:
        out.append(_problem(low, "confidence interval has zero width", (lo, hi)))
    elif estimate in numbers and not lo <= numbers[estimate] <= hi:
        out.append(
            _problem(
                estimate,
                f"{what} lies outside its confidence interval",
                (lo, numbers[estimate], hi),
                "check the estimate and both limits against the report (a lost minus sign, "
                "a slipped digit, or limits of another measure)",
            )
        )
    return out


def _order_problems(numbers: Mapping[str, float], suffix: str) -> list[Problem]:
    out: list[Problem] = []
    for a, b in (("q1", "q3"), ("min", "max")):
        ca, cb = f"{a}{suffix}", f"{b}{suffix}"
        if (ca in numbers) != (cb in numbers):
            given = ca if ca in numbers else cb
            out.append(_problem(given, f"give both {a} and {b} or neither", numbers[given]))
    ordered = [
        f"{name}{suffix}"
        for name in ("min", "q1", "median", "q3", "max")
        if f"{name}{suffix}" in numbers
    ]
    for prev, cur in zip(ordered, ordered[1:], strict=False):
        if numbers[cur] < numbers[prev]:
            out.append(
                _problem(
                    cur,
                    f"{cur} is below {prev}: min <= q1 <= median <= q3 <= max must hold",
                    numbers[cur],
                )
            )
    return out


def validate_arm_statistics(row: Mapping[str, Any]) -> list[str]:
    """Human-readable messages for :func:`arm_statistics_problems` (empty if none)."""
    return [p.render() for p in arm_statistics_problems(row)]


# --------------------------------------------------------------------------- per-arm summaries


@dataclasses.dataclass(frozen=True)
class _Arm:
    mean: float
    sd: float
    n: float
    form: str
    notes: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class _Options:
    measure: Measure
    ci_distribution: fx.Distribution
    quantile_method: QuantileMethod
    skewed: Skewed


def _arm_from_mean(row: Mapping[str, Any], arm: str, opts: _Options) -> _Arm | None:
    s = ARMS[arm]
    if not _has(row, f"n{s}", f"mean{s}"):
        return None
    n, mean = _val(row, f"n{s}"), _val(row, f"mean{s}")
    if _has(row, f"sd{s}"):
        return _Arm(mean, _val(row, f"sd{s}"), n, "mean_sd")
    if _has(row, f"se{s}"):
        sd = float(fx.sd_from_se(_val(row, f"se{s}"), n))
        return _Arm(mean, sd, n, "mean_se", (f"{arm} SD = SE * sqrt(n) = {_fmt(sd)}",))
    if _has(row, f"ci_low{s}", f"ci_high{s}"):
        level = _level(row)
        lo, hi = _val(row, f"ci_low{s}"), _val(row, f"ci_high{s}")
        sd = float(fx.sd_from_ci(lo, hi, n, level, distribution=opts.ci_distribution))
        crit = _crit_text(opts.ci_distribution, n - 1)
        return _Arm(
            mean,
            sd,
            n,
            "mean_ci",
            (
                f"{arm} SD = sqrt(n) * CI width / (2 * {crit}) from its {_fmt(level)}% CI "
                f"= {_fmt(sd)}",
            ),
        )
    return None


def _crit_text(distribution: str, df: float) -> str:
    return f"t quantile, {_fmt(df)} df" if distribution == "t" else "z quantile"


def _arm_from_change(row: Mapping[str, Any], arm: str, opts: _Options) -> _Arm | None:
    s = ARMS[arm]
    if not _has(row, f"n{s}", f"mean_change{s}"):
        return None
    n, mean = _val(row, f"n{s}"), _val(row, f"mean_change{s}")
    if _has(row, f"sd_change{s}"):
        return _Arm(mean, _val(row, f"sd_change{s}"), n, "change_sd")
    if _has(row, f"se_change{s}"):
        sd = float(fx.sd_from_se(_val(row, f"se_change{s}"), n))
        return _Arm(mean, sd, n, "change_se", (f"{arm} SD of change = SE * sqrt(n) = {_fmt(sd)}",))
    if _has(row, f"sd_pre{s}", f"sd{s}", "r_pre_post"):
        r = _val(row, "r_pre_post")
        sd = float(fx.change_sd(_val(row, f"sd_pre{s}"), _val(row, f"sd{s}"), r))
        return _Arm(
            mean,
            sd,
            n,
            "change_r",
            (
                f"{arm} SD of change = sqrt(sd_pre^2 + sd^2 - 2 r sd_pre sd) "
                f"with r = {_fmt(r)}: {_fmt(sd)}",
            ),
        )
    return None


_CASE_FORM = {"range": "median_range", "iqr": "median_iqr", "iqr_range": "median_iqr_range"}
_CASE_TEXT = {
    "range": "median and range",
    "iqr": "median and IQR",
    "iqr_range": "median, IQR and range",
}
_METHOD_TEXT = {
    "luo/wan/shi": "Luo 2018 mean, Wan 2014 / Shi 2020 SD",
    "wan2014": "Wan 2014",
    "hozo2005": "Hozo 2005",
    "bland2015": "Bland 2015",
}


def _arm_from_quantiles(row: Mapping[str, Any], arm: str, opts: _Options) -> _Arm | None:
    s = ARMS[arm]
    if not _has(row, f"n{s}", f"median{s}"):
        return None
    if not (_has(row, f"q1{s}", f"q3{s}") or _has(row, f"min{s}", f"max{s}")):
        return None
    n = _val(row, f"n{s}")
    try:
        est = mean_sd_from_quantiles(
            n,
            _val(row, f"median{s}"),
            q1=_num(row, f"q1{s}"),
            q3=_num(row, f"q3{s}"),
            minimum=_num(row, f"min{s}"),
            maximum=_num(row, f"max{s}"),
            method=opts.quantile_method,
        )
    except InputError as exc:
        raise InputError(
            problems=[dataclasses.replace(p, column=p.column or f"median{s}") for p in exc.problems]
        ) from None
    notes = [
        f"{arm} mean and SD estimated from {_CASE_TEXT[est.case]} "
        f"({_METHOD_TEXT[est.method]}; assumes normality): mean = {_fmt(est.mean)}, "
        f"SD = {_fmt(est.sd)}"
    ]
    if est.skewed:
        text = (
            f"{arm} data look skewed (Shi et al. 2023 test: {_fmt(est.skew_stat)} >= "
            f"{_fmt(est.skew_crit)}), so the estimated mean and SD may be biased"
        )
        if opts.skewed == "refuse":
            raise InputError(
                text,
                column=f"median{s}",
                value=_num(row, f"median{s}"),
                hint="obtain the mean and SD from the authors, leave the study out, or allow "
                "skewed data with skewed='note'",
            )
        notes.append(text)
    return _Arm(est.mean, est.sd, n, _CASE_FORM[est.case], tuple(notes))


# --------------------------------------------------------------------------- routes


class _Result(NamedTuple):
    yi: float
    vi: float
    method: str
    notes: tuple[str, ...]


def _from_arms(a: _Arm, b: _Arm, opts: _Options, extra: tuple[str, ...] = ()) -> _Result:
    fn = fx.standardized_mean_difference if opts.measure == "SMD" else fx.mean_difference
    es = fn(a.mean, a.sd, a.n, b.mean, b.sd, b.n)
    method = a.form if a.form == b.form else f"{a.form}|{b.form}"
    return _Result(float(es.yi), float(es.vi), method, a.notes + b.notes + extra)


def _need_n(row: Mapping[str, Any]) -> list[str]:
    return [f"n{s}" for s in ARMS.values() if not _has(row, f"n{s}")]


def _missing_means(row: Mapping[str, Any], opts: _Options) -> list[str]:
    missing = _need_n(row)
    for s in ARMS.values():
        if not _has(row, f"mean{s}"):
            missing.append(f"mean{s}")
        if _missing_arm_spread(row, s):
            missing.append(f"sd{s} (or se{s}, or ci_low{s} and ci_high{s})")
    return missing


def _route_means(row: Mapping[str, Any], opts: _Options) -> _Result:
    a = _arm_from_mean(row, "intervention", opts)
    b = _arm_from_mean(row, "comparator", opts)
    assert a is not None and b is not None
    return _from_arms(a, b, opts)


def _missing_change(row: Mapping[str, Any], opts: _Options) -> list[str]:
    missing = _need_n(row)
    for s in ARMS.values():
        if not _has(row, f"mean_change{s}"):
            missing.append(f"mean_change{s}")
        if not (
            _has(row, f"sd_change{s}")
            or _has(row, f"se_change{s}")
            or _has(row, f"sd_pre{s}", f"sd{s}", "r_pre_post")
        ):
            missing.append(f"sd_change{s} (or se_change{s}, or sd_pre{s}, sd{s} and r_pre_post)")
    return missing


def _route_change(row: Mapping[str, Any], opts: _Options) -> _Result:
    a = _arm_from_change(row, "intervention", opts)
    b = _arm_from_change(row, "comparator", opts)
    assert a is not None and b is not None
    extra: tuple[str, ...] = ()
    if opts.measure == "SMD":
        extra = (
            "SMD of change scores (standardised by the SD of change): do not pool it with "
            "SMDs of final values",
        )
    return _from_arms(a, b, opts, extra)


def _missing_quantiles(row: Mapping[str, Any], opts: _Options) -> list[str]:
    missing = _need_n(row)
    n_quantile = 0
    for s in ARMS.values():
        if _has(row, f"median{s}") and (
            _has(row, f"q1{s}", f"q3{s}") or _has(row, f"min{s}", f"max{s}")
        ):
            n_quantile += 1
        elif not (_has(row, f"mean{s}") and not _missing_arm_spread(row, s)):
            missing.append(f"median{s} with q1{s} and q3{s} and/or min{s} and max{s}")
    if n_quantile == 0 and not missing:
        missing.append("a median with quartiles or range in at least one arm")
    return missing


def _missing_arm_spread(row: Mapping[str, Any], s: str) -> bool:
    return not (
        _has(row, f"sd{s}") or _has(row, f"se{s}") or _has(row, f"ci_low{s}", f"ci_high{s}")
    )


def _route_quantiles(row: Mapping[str, Any], opts: _Options) -> _Result:
    arms = []
    for arm in ARMS:
        got = _arm_from_mean(row, arm, opts) or _arm_from_quantiles(row, arm, opts)
        assert got is not None
        arms.append(got)
    return _from_arms(arms[0], arms[1], opts)


def _missing_md(row: Mapping[str, Any], opts: _Options) -> list[str]:
    missing = _need_n(row) if opts.measure == "SMD" else []
    if not _has(row, "md"):
        missing.append("md")
    if not (_has(row, "md_se") or _has(row, "md_ci_low", "md_ci_high")):
        missing.append("md_se (or md_ci_low and md_ci_high)")
    if opts.measure == "MD" and not _has(row, "md_se") and opts.ci_distribution == "t":
        missing += _need_n(row)  # t quantile needs the df
    return missing


def _signed(row: Mapping[str, Any], col: str) -> float:
    """``col`` with the sign of ``direction`` when that is filled."""
    value = _val(row, col)
    direction = _num(row, "direction")
    return value if direction is None else direction * abs(value)


def _route_md(row: Mapping[str, Any], opts: _Options) -> _Result:
    md = _signed(row, "md")
    n1, n2 = _num(row, "n_intervention"), _num(row, "n_comparator")
    notes: list[str] = []
    if _has(row, "md_se"):
        se = _val(row, "md_se")
        form = "md_se"
    else:
        level = _level(row)
        df = None if n1 is None or n2 is None else n1 + n2 - 2
        lo, hi = _val(row, "md_ci_low"), _val(row, "md_ci_high")
        se = float(fx.se_from_ci(lo, hi, level, df, opts.ci_distribution))
        crit = _crit_text(opts.ci_distribution, df or 0)
        notes.append(f"SE of md = CI width / (2 * {crit}) from its {_fmt(level)}% CI = {_fmt(se)}")
        form = "md_ci"
    if opts.measure == "MD":
        return _Result(md, se**2, form, tuple(notes))
    n1, n2 = _val(row, "n_intervention"), _val(row, "n_comparator")
    es = fx.smd_from_md_se(md, se, n1, n2)
    sp = float(fx.sd_pooled_from_se(se, n1, n2))
    notes.append(f"pooled SD = SE / sqrt(1/n1 + 1/n2) = {_fmt(sp)} (assumes equal variances)")
    return _Result(float(es.yi), float(es.vi), form, tuple(notes))


def _sign_source(row: Mapping[str, Any]) -> float | None:
    direction = _num(row, "direction")
    if direction is not None:
        return direction
    md = _num(row, "md")
    if md is not None and md != 0:
        return math.copysign(1.0, md)
    return None


def _missing_stat(
    stat: str, needs_sign: bool
) -> Callable[[Mapping[str, Any], _Options], list[str]]:
    def missing(row: Mapping[str, Any], opts: _Options) -> list[str]:
        out = _need_n(row)
        if not _has(row, stat):
            out.append(stat)
        if needs_sign and _sign_source(row) is None:
            out.append("direction (or a non-zero md)")
        if opts.measure == "MD" and not _has(row, "md"):
            out.append("md (an MD needs the difference itself)")
        return out

    return missing


def _finish_stat(
    row: Mapping[str, Any], opts: _Options, t: float, form: str, notes: list[str]
) -> _Result:
    if opts.measure == "MD":
        md = _signed(row, "md")
        if t == 0:
            raise InputError(
                "cannot get the SE of md from a test statistic of 0",
                column="t" if form == "t" else form,
                value=t,
                hint="give md_se or the CI of md",
            )
        if md != 0 and math.copysign(1.0, md) != math.copysign(1.0, t):
            raise InputError(
                "md and the test statistic have opposite signs", column="md", value=(md, t)
            )
        se = abs(md / t)
        notes.append(f"SE of md = |md / t| = {_fmt(se)}")
        return _Result(md, se**2, f"md_{form}", tuple(notes))
    es = fx.smd_from_t(t, _val(row, "n_intervention"), _val(row, "n_comparator"))
    notes.append("d = t * sqrt(1/n1 + 1/n2) (pooled-variance t test)")
    return _Result(float(es.yi), float(es.vi), form, tuple(notes))


def _route_t(row: Mapping[str, Any], opts: _Options) -> _Result:
    t = _signed(row, "t")
    notes = ["sign of t from direction"] if _has(row, "direction") else []
    return _finish_stat(row, opts, t, "t", notes)


def _route_f(row: Mapping[str, Any], opts: _Options) -> _Result:
    sign = _sign_source(row) or 1.0  # the route requires a sign source
    t = float(fx.t_from_f(_val(row, "f"), sign))
    src = "direction" if _has(row, "direction") else "md"
    return _finish_stat(
        row, opts, t, "f", [f"t = {'+' if sign > 0 else '-'}sqrt(F) = {_fmt(t)}, sign from {src}"]
    )


def _route_p(row: Mapping[str, Any], opts: _Options) -> _Result:
    sign = _sign_source(row) or 1.0  # the route requires a sign source
    n1, n2 = _val(row, "n_intervention"), _val(row, "n_comparator")
    t = float(fx.t_from_p(_val(row, "p"), n1, n2, sign))
    src = "direction" if _has(row, "direction") else "md"
    notes = [
        f"t = {_fmt(t)} from the two-sided p with n1 + n2 - 2 df, sign from {src} "
        "(the p-value must be exact, not rounded or a bound)"
    ]
    return _finish_stat(row, opts, t, "p", notes)


_Route = tuple[
    Callable[[Mapping[str, Any], _Options], list[str]],
    Callable[[Mapping[str, Any], _Options], _Result],
]
_ROUTE_TABLE: dict[str, _Route] = {
    "means": (_missing_means, _route_means),
    "change": (_missing_change, _route_change),
    "md": (_missing_md, _route_md),
    "t": (_missing_stat("t", needs_sign=False), _route_t),
    "f": (_missing_stat("f", needs_sign=True), _route_f),
    "quantiles": (_missing_quantiles, _route_quantiles),
    "p": (_missing_stat("p", needs_sign=True), _route_p),
}

#: Columns whose presence shows that a route was meant (for the "nothing usable" message).
_ROUTE_HINT_COLUMNS: dict[str, tuple[str, ...]] = {
    "means": ("mean", "sd", "se", "ci_low", "ci_high"),
    "change": ("mean_change", "sd_change", "se_change", "sd_pre"),
    "md": ("md", "md_se", "md_ci_low", "md_ci_high"),
    "t": ("t",),
    "f": ("f",),
    "quantiles": ("median", "q1", "q3", "min", "max"),
    "p": ("p",),
}


def _route_touched(row: Mapping[str, Any], route: str) -> bool:
    for name in _ROUTE_HINT_COLUMNS[route]:
        cols = [name] if name in COMPARISON_FIELDS else [f"{name}{s}" for s in ARMS.values()]
        if any(_has(row, c) for c in cols):
            return True
    return False


# --------------------------------------------------------------------------- entry points


def compute_effect(
    row: Mapping[str, Any],
    *,
    measure: Measure = "SMD",
    higher_is_better: bool = True,
    priority: Sequence[str] = DEFAULT_PRIORITY,
    ci_distribution: fx.Distribution = "t",
    quantile_method: QuantileMethod = "luo/wan/shi",
    skewed: Skewed = "note",
) -> EffectEstimate:
    """Effect size and variance of one comparison from its arm statistics.

    Parameters
    ----------
    row
        One comparison: a mapping (dict, :class:`pandas.Series`) with any of
        :data:`ARM_STATISTICS_COLUMNS`; empty values are None or NaN.
    measure
        ``"SMD"`` (Hedges' g, default) or ``"MD"`` (raw mean difference).
    higher_is_better
        True when a higher score is the better outcome.  When False the sign
        is reversed, so that a positive ``yi`` always favours the
        intervention.
    priority
        Routes to try, in order; default :data:`DEFAULT_PRIORITY`.  Leave out
        a route to forbid it (e.g. without ``"p"``).
    ci_distribution
        Critical value used to turn a CI into an SE: ``"t"`` (default; n - 1
        df for the CI of an arm mean, n1 + n2 - 2 df for the CI of ``md``;
        Cochrane Handbook 6.5.2.2-6.5.2.3) or ``"z"`` (as metafor's
        ``conv.wald()``).
    quantile_method
        Estimator for medians, see :mod:`srma.effects.quantiles`.
    skewed
        What to do when the skewness test of Shi et al. (2023) rejects for an
        arm given as a median: ``"note"`` (default) converts and says so in the
        notes; ``"refuse"`` raises, as metafor's ``conv.fivenum(test=TRUE)``
        leaves such an arm unconverted.

    Returns
    -------
    EffectEstimate
        ``(yi, vi, method, notes)``.

    Raises
    ------
    InputError
        If a filled value is invalid (see :func:`arm_statistics_problems`),
        if no route of ``priority`` has its columns filled, or if the chosen
        conversion cannot be made.
    """
    unknown = [r for r in priority if r not in _ROUTE_TABLE]
    if unknown:
        raise ValueError(f"unknown route(s) {unknown}; choose from {list(ROUTES)}")
    if measure not in ("SMD", "MD"):
        raise ValueError(f"unknown measure {measure!r} (use 'SMD' or 'MD')")
    problems = arm_statistics_problems(row)
    if problems:
        raise InputError(problems=problems)
    opts = _Options(measure, ci_distribution, quantile_method, skewed)
    for route in priority:
        missing_fn, compute_fn = _ROUTE_TABLE[route]
        if missing_fn(row, opts):
            continue
        res = compute_fn(row, opts)
        notes = list(res.notes)
        yi = res.yi
        if not higher_is_better:
            yi = -yi
            notes.append("sign reversed: lower values favour the intervention")
        if not (math.isfinite(yi) and math.isfinite(res.vi) and res.vi > 0):
            raise InputError(
                f"the {route!r} conversion gave no usable effect size",
                value=(yi, res.vi),
                hint="check the statistics of this comparison",
            )
        return EffectEstimate(float(yi), float(res.vi), res.method, tuple(notes))
    raise InputError(problems=_nothing_usable(row, priority, opts))


def _nothing_usable(
    row: Mapping[str, Any], priority: Sequence[str], opts: _Options
) -> list[Problem]:
    touched = [r for r in priority if _route_touched(row, r)]
    if not touched:
        return [
            Problem(
                f"no statistics to compute an {opts.measure} from",
                hint="fill, for each arm, n with mean and SD (or SE, or CI), or the other "
                "statistics listed in the extraction template",
            )
        ]
    return [
        Problem(
            f"cannot compute an {opts.measure} from the {route!r} statistics: missing "
            + ", ".join(_ROUTE_TABLE[route][0](row, opts))
        )
        for route in touched
    ]


def compute_effects(
    table: pd.DataFrame,
    *,
    measure: Measure = "SMD",
    higher_is_better: bool | Sequence[bool] | pd.Series = True,
    priority: Sequence[str] = DEFAULT_PRIORITY,
    ci_distribution: fx.Distribution = "t",
    quantile_method: QuantileMethod = "luo/wan/shi",
    skewed: Skewed = "note",
) -> pd.DataFrame:
    """:func:`compute_effect` for every row of a table.

    Parameters
    ----------
    table
        One comparison per row, columns from :data:`ARM_STATISTICS_COLUMNS`
        (others are ignored).
    higher_is_better
        One bool for all rows, or one per row.
    measure, priority, ci_distribution, quantile_method, skewed
        As for :func:`compute_effect`.

    Returns
    -------
    pandas.DataFrame
        Same index as ``table``; columns ``yi``, ``vi`` (float), ``method``
        and ``notes`` (notes joined with ``"; "``).

    Raises
    ------
    InputError
        With the problems of every failing row; each problem's ``row`` is the
        row's index label when that is an integer (give the table the row
        numbers of its file as index), else its 0-based position.
    """
    n = len(table)
    if isinstance(higher_is_better, bool | np.bool_):
        better = [bool(higher_is_better)] * n
    else:
        better = [bool(b) for b in higher_is_better]
        if len(better) != n:
            raise ValueError(f"higher_is_better has {len(better)} values for {n} rows")
    records: list[dict[str, Any]] = [
        {str(k): v for k, v in rec.items()} for rec in table.to_dict("records")
    ]
    yi = np.full(n, np.nan)
    vi = np.full(n, np.nan)
    method: list[str | None] = [None] * n
    notes: list[str | None] = [None] * n
    problems: list[Problem] = []
    for i, (label, rec) in enumerate(zip(table.index, records, strict=True)):
        try:
            est = compute_effect(
                rec,
                measure=measure,
                higher_is_better=better[i],
                priority=priority,
                ci_distribution=ci_distribution,
                quantile_method=quantile_method,
                skewed=skewed,
            )
        except InputError as exc:
            where = int(label) if isinstance(label, int | np.integer) else i
            problems += [dataclasses.replace(p, row=where) for p in exc.problems]
            continue
        yi[i], vi[i], method[i], notes[i] = est.yi, est.vi, est.method, "; ".join(est.notes)
    if problems:
        raise InputError(problems=problems)
    return pd.DataFrame({"yi": yi, "vi": vi, "method": method, "notes": notes}, index=table.index)
