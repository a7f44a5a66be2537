"""Forest plots in the Cochrane (RevMan 5) layout.

One row per study with the arms' means, SDs and totals, the weight, the effect with its
95% CI as text and as a square (area proportional to the weight) with a line; a
*Total (95% CI)* row with the arm totals and a diamond; the footer lines
*Heterogeneity: ...* and *Test for overall effect: ...*; an x axis with *Favours ...*
labels.  Subgroup forest plots add a heading, a *Subtotal (95% CI)* row and its footer
lines per subgroup, and *Test for subgroup differences: ...*.  Optional: a prediction
interval row under the diamond, and RevMan's risk-of-bias dots (A-G) beside each study.

The figure is laid out in points from measured text widths, so long labels, many
studies and long footers widen or lengthen the figure instead of overlapping.  Effects
outside the axis are clipped at its edge with an arrow.

Inputs are plain frozen dataclasses (:class:`ForestStudy`, :class:`ForestPooled`,
:class:`ForestSubgroup`, :class:`SubgroupTest`, :class:`ForestData`); the only I/O is
:func:`plot_forest`, which saves SVG, PNG and PDF through :mod:`srma.figures.style`.

Numbers are formatted as RevMan does: means and SDs as given, weights ``12.3%``,
effects ``0.89 [-0.03, 1.81]`` (with a true minus sign, U+2212), P values ``P = 0.02``,
``P = 0.003``, ``P < 0.00001``.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Circle, Polygon, Rectangle
from matplotlib.text import Text

from srma.figures import style
from srma.figures.rob import REVMAN_SYMBOLS, normalise_judgement

__all__ = [
    "MINUS",
    "ForestData",
    "ForestPooled",
    "ForestStudy",
    "ForestSubgroup",
    "SubgroupTest",
    "build_forest_figure",
    "drawn_texts",
    "effect_text",
    "format_df",
    "format_given",
    "format_number",
    "format_p",
    "format_weight",
    "heterogeneity_text",
    "measure_label",
    "overall_effect_text",
    "overlapping_texts",
    "plot_forest",
    "subgroup_test_text",
    "texts_outside",
]

#: The minus sign used in every number of a figure (U+2212), as typeset journals do.
MINUS = "\u2212"

_NEGATIVE = re.compile(r"(?<![0-9A-Za-z)\]])-(?=[0-9.])")

_MEASURES = {
    "SMD": "Std. Mean Difference",
    "MD": "Mean Difference",
    "ROM": "Ratio of Means",
    "OR": "Odds Ratio",
    "RR": "Risk Ratio",
    "RD": "Risk Difference",
    "HR": "Hazard Ratio",
}
_RATIO_MEASURES = {"ROM", "OR", "RR", "HR"}
_MODELS = {
    "random": "Random",
    "re": "Random",
    "random-effects": "Random",
    "fixed": "Fixed",
    "fe": "Fixed",
    "common": "Fixed",
    "equal": "Fixed",
    "fixed-effect": "Fixed",
    "ee": "Fixed",
    "ce": "Fixed",
    # metafor's tau2 estimators name a random-effects model
    **{m: "Random" for m in ("reml", "dl", "pm", "ml", "he", "hs", "sj", "eb", "genq", "pmm")},
}

# ---------------------------------------------------------------------------------------
# Number formats (RevMan)
# ---------------------------------------------------------------------------------------


def _minus(text: str) -> str:
    """Hyphen-minus before a number becomes a true minus sign (U+2212)."""
    return _NEGATIVE.sub(MINUS, text)


def format_number(x: float, digits: int = 2) -> str:
    """``x`` with ``digits`` decimals and a true minus sign; never ``-0.00``."""
    text = f"{x:.{digits}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return _minus(text)


def format_given(value: float | str | None) -> str:
    """A mean or SD as given: strings verbatim, numbers without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _minus(value.strip())
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return _minus(f"{value:.10g}")


def format_weight(weight: float | None) -> str:
    """A weight in percent, one decimal: ``12.3%``."""
    return "" if weight is None else f"{weight:.1f}%"


def format_df(df: float) -> str:
    """Degrees of freedom: integers without decimals, others with one."""
    return f"{int(round(df))}" if abs(df - round(df)) < 1e-9 else f"{df:.1f}"


def format_p(p: float) -> str:
    """A P value as RevMan writes it.

    ``P < 0.00001`` below 0.00001; two decimals from 0.01 up (``P = 0.02``); below 0.01
    as many decimals as the first significant digit needs (``P = 0.003``,
    ``P = 0.0004``).
    """
    if not math.isfinite(p):
        return "P = NA"
    if p < 0.00001:
        return "P < 0.00001"
    if p >= 0.01:
        return f"P = {p:.2f}"
    digits = max(3, math.ceil(-math.log10(p)))
    # 0.0096 rounds to 0.010 at three decimals: one decimal fewer is enough.
    while digits > 2 and round(p, digits) >= 10.0 ** -(digits - 1):
        digits -= 1
    return f"P = {p:.{digits}f}"


def _format_i2(i2: float) -> str:
    return f"{math.floor(i2 + 0.5):d}%"


def effect_text(
    estimate: float | None, ci_low: float | None, ci_high: float | None, digits: int = 2
) -> str:
    """``0.89 [-0.03, 1.81]`` (RevMan), or ``Not estimable`` when anything is missing."""
    if estimate is None or ci_low is None or ci_high is None:
        return "Not estimable"
    if not all(math.isfinite(v) for v in (estimate, ci_low, ci_high)):
        return "Not estimable"
    d = digits
    return f"{format_number(estimate, d)} [{format_number(ci_low, d)}, {format_number(ci_high, d)}]"


def measure_label(measure: str) -> str:
    """RevMan's name of an effect measure (``SMD`` -> ``Std. Mean Difference``)."""
    return _MEASURES.get(measure.upper(), measure)


# ---------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForestStudy:
    """One study row.

    Attributes
    ----------
    label
        Study label, e.g. ``"Tan 2016"``.
    int_mean, int_sd, ctl_mean, ctl_sd
        Arm means and SDs as reported; a string is shown verbatim (keeps the reported
        precision), a number without trailing zeros; ``None`` leaves the cell blank.
    int_n, ctl_n
        Arm sizes (summed into the *Total* row).
    source_text
        For an effect that came from a conversion (MD and CI, t, p, median/IQR...):
        the statistics it came from, e.g. ``"MD 1.90 (-0.85 to 4.65)"``; shown in a
        cell merged across the mean and SD columns of both arms, with the totals.
    yi, ci_low, ci_high
        Effect and confidence limits on the analysis scale (ratios unlogged);
        ``None`` for a study that is not estimable.
    weight
        Weight in percent of the total (0-100), or ``None``.
    rob
        Risk-of-bias judgements, one per domain of :attr:`ForestData.rob_domains`.
    """

    label: str
    int_mean: float | str | None = None
    int_sd: float | str | None = None
    int_n: int | None = None
    ctl_mean: float | str | None = None
    ctl_sd: float | str | None = None
    ctl_n: int | None = None
    source_text: str | None = None
    yi: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    weight: float | None = None
    rob: tuple[str | None, ...] = ()

    @property
    def estimable(self) -> bool:
        values = (self.yi, self.ci_low, self.ci_high)
        return all(v is not None and math.isfinite(v) for v in values)


@dataclass(frozen=True)
class ForestPooled:
    """A pooled result (total or subtotal).

    Attributes
    ----------
    estimate, ci_low, ci_high
        Pooled effect and confidence limits (ratios unlogged).
    model
        ``"random"`` or ``"fixed"``; also ``"RE"``, ``"FE"``, ``"EE"``, ``"common"`` and
        metafor's tau² estimators (``"REML"``, ``"DL"``, ``"PM"``...), which mean random.
    tau2
        Between-study variance; ``None`` for a fixed-effect model (no *Tau²* part).
    q, df, q_pval
        Cochran's Q (*Chi²*), its degrees of freedom and P value; ``df`` 0 or ``None``
        gives *Heterogeneity: Not applicable*.
    i2
        I² in percent (0-100), as metafor reports it.
    stat, stat_name, pval
        Test for the overall effect: statistic, ``"z"`` (shown *Z*) or ``"t"``
        (Knapp-Hartung), P value.
    pi_low, pi_high
        Prediction interval, drawn under the diamond when given.
    """

    estimate: float
    ci_low: float
    ci_high: float
    model: str = "random"
    tau2: float | None = None
    q: float | None = None
    df: float | None = None
    q_pval: float | None = None
    i2: float | None = None
    stat: float | None = None
    stat_name: str = "z"
    pval: float | None = None
    pi_low: float | None = None
    pi_high: float | None = None

    @property
    def model_label(self) -> str:
        """``"Random"`` or ``"Fixed"``."""
        try:
            return _MODELS[self.model.lower()]
        except KeyError:
            raise ValueError(f"unknown model {self.model!r}; use 'random' or 'fixed'") from None


@dataclass(frozen=True)
class SubgroupTest:
    """Test for subgroup differences: ``Chi² = q, df = df (P = pval), I² = i2%``."""

    q: float
    df: float
    pval: float
    i2: float | None = None


@dataclass(frozen=True)
class ForestSubgroup:
    """A subgroup: its heading, its studies and its subtotal (``None``: not pooled)."""

    label: str
    studies: tuple[ForestStudy, ...]
    pooled: ForestPooled | None = None


@dataclass(frozen=True)
class ForestData:
    """Everything a forest plot shows.

    Give either ``studies`` (a plain forest plot) or ``subgroups``.

    Attributes
    ----------
    studies, subgroups
        The study rows, or the subgroups holding them, in the order drawn.
    pooled
        The total; ``None`` draws no *Total* row (e.g. subgroups not pooled overall).
    subgroup_test
        Test for subgroup differences (subgroup plots).
    measure
        ``"SMD"``, ``"MD"``, ``"OR"``...: names the effect columns.
    method
        Weighting method named in the header (``"IV"``).
    int_label, ctl_label
        Arm headings.
    favours_left, favours_right
        Labels under the axis, left and right of the null.
    digits
        Decimals of effects.
    xlim
        Axis limits; default symmetric around the null, chosen to show the pooled
        results and most studies (the rest are clipped with arrows).
    show_prediction
        Draw the prediction interval when the pooled result has one.
    rob_domains
        Names of the risk-of-bias domains whose judgements :attr:`ForestStudy.rob`
        holds; drawn as RevMan's coloured dots A, B, C... with a legend.
    title
        Optional title above the plot.
    """

    studies: tuple[ForestStudy, ...] = ()
    subgroups: tuple[ForestSubgroup, ...] = ()
    pooled: ForestPooled | None = None
    subgroup_test: SubgroupTest | None = None
    measure: str = "SMD"
    method: str = "IV"
    int_label: str = "Intervention"
    ctl_label: str = "Control"
    favours_left: str = "Favours [intervention]"
    favours_right: str = "Favours [control]"
    digits: int = 2
    xlim: tuple[float, float] | None = None
    show_prediction: bool = True
    rob_domains: tuple[str, ...] = ()
    title: str | None = None

    def __post_init__(self) -> None:
        if bool(self.studies) == bool(self.subgroups):
            raise ValueError("give either studies or subgroups (one of them, not both)")
        for study in self.all_studies:
            if study.estimable:
                lo, yi, hi = study.ci_low, study.yi, study.ci_high
                assert lo is not None and yi is not None and hi is not None
                if not lo <= yi <= hi:
                    raise ValueError(f"{study.label}: need ci_low <= yi <= ci_high")
            if study.rob and len(study.rob) != len(self.rob_domains):
                raise ValueError(
                    f"{study.label}: {len(study.rob)} risk-of-bias judgements for "
                    f"{len(self.rob_domains)} rob_domains"
                )
        if self.xlim is not None and not self.xlim[0] < self.xlim[1]:
            raise ValueError("xlim must be (low, high) with low < high")

    @property
    def all_studies(self) -> tuple[ForestStudy, ...]:
        """Every study, across subgroups, in the order drawn."""
        if self.studies:
            return self.studies
        return tuple(s for g in self.subgroups for s in g.studies)

    @property
    def log_scale(self) -> bool:
        """Ratio measures are drawn on a log axis."""
        return self.measure.upper() in _RATIO_MEASURES

    @property
    def model_label(self) -> str:
        """``"Random"`` or ``"Fixed"``, from the total (or the first subtotal)."""
        pooled = [self.pooled] + [g.pooled for g in self.subgroups]
        for p in pooled:
            if p is not None:
                return p.model_label
        return "Fixed"


# ---------------------------------------------------------------------------------------
# Footer texts
# ---------------------------------------------------------------------------------------


def heterogeneity_text(pooled: ForestPooled | None) -> str:
    """``Heterogeneity: Tau² = 0.12; Chi² = 45.67, df = 10 (P < 0.00001); I² = 78%``.

    No *Tau²* part for a fixed-effect model (or a missing tau²); *Not applicable*
    when there is nothing to test (one study, ``df`` 0 or missing).
    """
    if pooled is None or pooled.df is None or pooled.df < 1 or pooled.q is None:
        return "Heterogeneity: Not applicable"
    parts = []
    if pooled.model_label == "Random" and pooled.tau2 is not None:
        parts.append(f"Tau\u00b2 = {format_number(pooled.tau2, 2)}; ")
    chi = f"Chi\u00b2 = {format_number(pooled.q, 2)}, df = {format_df(pooled.df)}"
    if pooled.q_pval is not None:
        chi += f" ({format_p(pooled.q_pval)})"
    parts.append(chi)
    if pooled.i2 is not None:
        parts.append(f"; I\u00b2 = {_format_i2(pooled.i2)}")
    return "Heterogeneity: " + "".join(parts)


def overall_effect_text(pooled: ForestPooled | None) -> str:
    """``Test for overall effect: Z = 2.34 (P = 0.02)`` (``t = ...`` for Knapp-Hartung)."""
    if pooled is None or pooled.stat is None or pooled.pval is None:
        return "Test for overall effect: Not applicable"
    name = {"z": "Z", "t": "t"}.get(pooled.stat_name.lower(), pooled.stat_name)
    stat = format_number(abs(pooled.stat), 2)
    return f"Test for overall effect: {name} = {stat} ({format_p(pooled.pval)})"


def subgroup_test_text(test: SubgroupTest) -> str:
    """``Test for subgroup differences: Chi² = 0.25, df = 1 (P = 0.62), I² = 0%``."""
    text = (
        f"Test for subgroup differences: Chi\u00b2 = {format_number(test.q, 2)}, "
        f"df = {format_df(test.df)} ({format_p(test.pval)})"
    )
    if test.i2 is not None:
        text += f", I\u00b2 = {_format_i2(test.i2)}"
    return text


# ---------------------------------------------------------------------------------------
# Axis scale
# ---------------------------------------------------------------------------------------

_LINEAR_LIMITS = (0.1, 0.2, 0.5, 1, 2, 4, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
_LOG_TICKS = {
    2.0: (0.5, 0.7, 1, 1.5, 2),
    5.0: (0.2, 0.5, 1, 2, 5),
    10.0: (0.1, 0.2, 0.5, 1, 2, 5, 10),
    20.0: (0.05, 0.2, 1, 5, 20),
    50.0: (0.02, 0.1, 1, 10, 50),
    100.0: (0.01, 0.1, 1, 10, 100),
    1000.0: (0.001, 0.1, 1, 10, 1000),
}


@dataclass(frozen=True)
class _Scale:
    """Maps effects to x positions (points) inside the plot column."""

    lo: float
    hi: float
    log: bool
    ticks: tuple[float, ...]
    x0: float = 0.0
    width: float = 1.0

    @property
    def null(self) -> float:
        return 1.0 if self.log else 0.0

    def t(self, v: float) -> float:
        return math.log(v) if self.log else v

    def x(self, v: float) -> float:
        """Position of effect ``v``; values beyond the limits map beyond the edges."""
        if self.log and v <= 0:
            return self.x0 - self.width
        frac = (self.t(v) - self.t(self.lo)) / (self.t(self.hi) - self.t(self.lo))
        return self.x0 + frac * self.width

    def placed(self, x0: float, width: float) -> _Scale:
        return _Scale(self.lo, self.hi, self.log, self.ticks, x0, width)


def _auto_limit(pooled_bounds: Sequence[float], study_bounds: Sequence[float]) -> float:
    """Half-width of a symmetric axis: the pooled results, most studies, nice numbers."""
    base = max((abs(v) for v in pooled_bounds), default=0.0)
    studies = sorted(abs(v) for v in study_bounds)
    if studies:
        q75 = studies[min(len(studies) - 1, int(0.75 * len(studies)))]
        need = max(base, q75)
        if studies[-1] <= 1.5 * need:
            need = max(need, studies[-1])
    else:
        need = base
    for limit in _LINEAR_LIMITS:
        if need <= limit * 1.02:
            return float(limit)
    return float(_LINEAR_LIMITS[-1])


def _linear_ticks(lo: float, hi: float) -> tuple[float, ...]:
    if lo == -hi:
        return (lo, lo / 2, 0.0, hi / 2, hi)
    span = hi - lo
    raw = span / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    v = first
    while v <= hi + 1e-9 * step:
        ticks.append(round(v, 10))
        v += step
    return tuple(ticks)


def _make_scale(
    xlim: tuple[float, float] | None,
    log: bool,
    pooled_bounds: Sequence[float],
    study_bounds: Sequence[float],
) -> _Scale:
    if log:
        logs = [abs(math.log(v)) for v in pooled_bounds if v > 0]
        study_logs = [abs(math.log(v)) for v in study_bounds if v > 0]
        if xlim is not None:
            lo, hi = xlim
            ticks = tuple(
                t for t in (0.001, 0.01, 0.1, 0.2, 0.5, 1, 2, 5, 10, 100, 1000) if lo <= t <= hi
            )
            return _Scale(lo, hi, True, ticks or (lo, hi))
        need = math.exp(_auto_limit(logs, study_logs)) if logs or study_logs else 2.0
        for limit, ticks in _LOG_TICKS.items():
            if need <= limit * 1.02:
                return _Scale(1 / limit, limit, True, ticks)
        return _Scale(0.001, 1000.0, True, _LOG_TICKS[1000.0])
    if xlim is not None:
        return _Scale(float(xlim[0]), float(xlim[1]), False, _linear_ticks(*xlim))
    limit = _auto_limit(pooled_bounds, study_bounds)
    return _Scale(-limit, limit, False, _linear_ticks(-limit, limit))


def _tick_label(v: float) -> str:
    return _minus(f"{v:g}")


# ---------------------------------------------------------------------------------------
# Table-and-plot layout engine (shared with the leave-one-out plot)
# ---------------------------------------------------------------------------------------

_PT = 1.0 / 72.0  # inches per point
_SQUARE_FULL_WEIGHT = 20.0  # percent weight drawn as the largest square


@dataclass
class _Col:
    key: str
    width: float = 0.0
    x: float = 0.0
    stretch: bool = False


@dataclass(frozen=True)
class _Text:
    """A text cell: spans the columns ``first`` to ``last`` (inclusive)."""

    text: str
    first: str
    last: str = ""
    align: str = "left"
    bold: bool = False
    italic: bool = False
    size: str = "table"
    gid: str | None = None


@dataclass(frozen=True)
class _Mark:
    """Something drawn in the plot column (or the RoB columns) of a row."""

    kind: str  # "study" (square sized by weight), "point", "diamond", "interval", "rob"
    est: float | None = None
    lo: float | None = None
    hi: float | None = None
    weight: float | None = None
    colour: str | None = None
    judgements: tuple[str | None, ...] = ()


@dataclass
class _Row:
    texts: list[_Text] = field(default_factory=list)
    marks: list[_Mark] = field(default_factory=list)
    height: float = 1.0  # in row units
    y: float = 0.0


@dataclass
class _Layout:
    """What the engine draws: columns, rows, footer lines beside the axis, legend lines."""

    columns: list[_Col]
    header: list[_Row]
    rows: list[_Row]
    footers: list[_Text]
    legend: list[_Text]
    scale: _Scale
    favours: tuple[str, str]
    table_first: str
    table_last: str
    reference: float | None = None
    title: str | None = None
    rob_letters: tuple[str, ...] = ()
    max_weight: float = 100.0


def _sizes() -> dict[str, float]:
    return {
        "table": style.FONT_SIZES["small"],
        "footer": style.FONT_SIZES["small"] - 0.5,
        "header": style.FONT_SIZES["small"],
        "title": style.FONT_SIZES["large"],
        "symbol": style.FONT_SIZES["small"],
    }


class _Measurer:
    """Text widths in points, measured with the same font engine that draws them."""

    def __init__(self, fig: Figure) -> None:
        self._renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        self._dpi = fig.dpi
        self._sizes = _sizes()
        self._cache: dict[tuple[str, str, bool, bool], float] = {}

    def font(self, size: str, bold: bool = False, italic: bool = False) -> FontProperties:
        return FontProperties(
            family=style.FONT_FAMILY,
            size=self._sizes[size],
            weight="bold" if bold else "normal",
            style="italic" if italic else "normal",
        )

    def width(
        self, text: str, size: str = "table", bold: bool = False, italic: bool = False
    ) -> float:
        key = (text, size, bold, italic)
        if key not in self._cache:
            if not text:
                self._cache[key] = 0.0
            else:
                w, _, _ = self._renderer.get_text_width_height_descent(
                    text, self.font(size, bold, italic), ismath=False
                )
                self._cache[key] = w * 72.0 / self._dpi
        return self._cache[key]

    def text_width(self, t: _Text) -> float:
        return self.width(t.text, t.size, t.bold, t.italic)


def _fit_columns(layout: _Layout, m: _Measurer, pad: float) -> None:
    """Column widths from the widest cell; spanning cells widen their columns."""
    index = {c.key: i for i, c in enumerate(layout.columns)}
    cells = [t for row in layout.header + layout.rows for t in row.texts]
    cells += [t for t in layout.footers]
    single = [t for t in cells if not t.last or t.last == t.first]
    spans = [t for t in cells if t.last and t.last != t.first]
    for t in single:
        col = layout.columns[index[t.first]]
        col.width = max(col.width, m.text_width(t) + pad)
    spans.sort(key=lambda t: index[t.last] - index[t.first])
    for t in spans:
        cols = layout.columns[index[t.first] : index[t.last] + 1]
        need = m.text_width(t) + pad
        have = sum(c.width for c in cols)
        if need > have:
            stretch = [c for c in cols if c.stretch] or cols
            extra = (need - have) / len(stretch)
            for c in stretch:
                c.width += extra


def _text_x(layout: _Layout, t: _Text, pad: float) -> float:
    index = {c.key: c for c in layout.columns}
    first, last = index[t.first], index[t.last or t.first]
    left, right = first.x, last.x + last.width
    if t.align == "left":
        return left + pad / 2
    if t.align == "right":
        return right - pad / 2
    return (left + right) / 2


def _draw_text(ax: Axes, x: float, y: float, t: _Text, m: _Measurer, ha: str | None = None) -> None:
    ax.text(
        x,
        y,
        t.text,
        ha=ha or t.align,
        va="center_baseline",
        fontproperties=m.font(t.size, t.bold, t.italic),
        color=style.ROLES["text"],
        parse_math=False,
        gid=t.gid,
    )


def _arrow(ax: Axes, x: float, y: float, direction: int, size: float, colour: str) -> None:
    """A small filled triangle at ``x`` pointing left (-1) or right (+1)."""
    tip = x
    base = x - direction * size
    ax.add_patch(
        Polygon(
            [(tip, y), (base, y - size / 2), (base, y + size / 2)],
            closed=True,
            facecolor=colour,
            edgecolor="none",
            linewidth=0,
        )
    )


def _draw_interval(
    ax: Axes,
    scale: _Scale,
    y: float,
    lo: float,
    hi: float,
    colour: str,
    lw: float,
    caps: float = 0.0,
) -> None:
    left_edge, right_edge = scale.x0, scale.x0 + scale.width
    x_lo, x_hi = scale.x(lo), scale.x(hi)
    a = 4.0
    if x_hi < left_edge:
        _arrow(ax, left_edge, y, -1, a, colour)
        return
    if x_lo > right_edge:
        _arrow(ax, right_edge, y, +1, a, colour)
        return
    clip_lo, clip_hi = max(x_lo, left_edge), min(x_hi, right_edge)
    ax.plot([clip_lo, clip_hi], [y, y], color=colour, linewidth=lw, solid_capstyle="butt")
    if x_lo < left_edge:
        _arrow(ax, left_edge, y, -1, a, colour)
    elif caps:
        ax.plot([clip_lo, clip_lo], [y - caps, y + caps], color=colour, linewidth=lw)
    if x_hi > right_edge:
        _arrow(ax, right_edge, y, +1, a, colour)
    elif caps:
        ax.plot([clip_hi, clip_hi], [y - caps, y + caps], color=colour, linewidth=lw)


def _draw_mark(ax: Axes, layout: _Layout, row: _Row, mark: _Mark, row_h: float) -> None:
    scale = layout.scale
    colours = style.FOREST_COLOURS
    sizes = style.FOREST_SIZES
    y = row.y
    if mark.kind in ("study", "point"):
        assert mark.est is not None and mark.lo is not None and mark.hi is not None
        _draw_interval(ax, scale, y, mark.lo, mark.hi, colours["ci"], 0.8)
        x = scale.x(mark.est)
        if mark.kind == "point" and scale.x0 <= x <= scale.x0 + scale.width:
            side = sizes["point"]
            ax.add_patch(
                Rectangle(
                    (x - side / 2, y - side / 2),
                    side,
                    side,
                    facecolor=mark.colour or colours["square"],
                    edgecolor="none",
                    linewidth=0,
                    zorder=3,
                )
            )
        elif scale.x0 <= x <= scale.x0 + scale.width:
            # Area proportional to weight; the largest square is full size only when its
            # study carries a fifth of the weight or more, so 60 equal studies get small
            # squares (as in RevMan), not 60 full-size ones.
            reference = max(layout.max_weight, _SQUARE_FULL_WEIGHT)
            if mark.weight is None:
                side = sizes["square_min"]
            else:
                frac = max(mark.weight, 0.0) / reference
                side = max(sizes["square_min"], sizes["square_max"] * math.sqrt(frac))
            ax.add_patch(
                Rectangle(
                    (x - side / 2, y - side / 2),
                    side,
                    side,
                    facecolor=mark.colour or colours["square"],
                    edgecolor="none",
                    linewidth=0,
                    zorder=3,
                )
            )
    elif mark.kind == "diamond":
        assert mark.est is not None and mark.lo is not None and mark.hi is not None
        h = 0.36 * row_h
        pts = [
            (scale.x(mark.lo), y),
            (scale.x(mark.est), y - h),
            (scale.x(mark.hi), y),
            (scale.x(mark.est), y + h),
        ]
        diamond = Polygon(
            pts, closed=True, facecolor=colours["diamond"], edgecolor="none", linewidth=0, zorder=3
        )
        ax.add_patch(diamond)
        clip = Rectangle((scale.x0, y - row_h), scale.width, 2 * row_h, transform=ax.transData)
        diamond.set_clip_path(clip)
        if scale.x(mark.lo) < scale.x0:
            _arrow(ax, scale.x0, y, -1, 4.0, colours["diamond"])
        if scale.x(mark.hi) > scale.x0 + scale.width:
            _arrow(ax, scale.x0 + scale.width, y, +1, 4.0, colours["diamond"])
    elif mark.kind == "interval":
        assert mark.lo is not None and mark.hi is not None
        _draw_interval(
            ax,
            scale,
            y,
            mark.lo,
            mark.hi,
            mark.colour or colours["prediction"],
            1.6,
            caps=0.2 * row_h,
        )


def _draw_rob(ax: Axes, layout: _Layout, row: _Row, mark: _Mark, m: _Measurer) -> None:
    cols = {c.key: c for c in layout.columns}
    radius = 0.36 * style.FOREST_SIZES["row"]
    for letter, code in zip(layout.rob_letters, mark.judgements, strict=False):
        if code is None:
            continue
        col = cols[f"rob_{letter}"]
        cx = col.x + col.width / 2
        ax.add_patch(
            Circle(
                (cx, row.y),
                radius,
                facecolor=style.ROB_COLOURS[code],
                edgecolor="none",
                linewidth=0,
            )
        )
        ax.text(
            cx,
            row.y,
            REVMAN_SYMBOLS[code],
            ha="center",
            va="center_baseline",
            fontproperties=m.font("symbol", bold=True),
            color=style.ROLES["text"],
            parse_math=False,
        )


def _render(layout: _Layout) -> Figure:
    """Measure, place and draw a :class:`_Layout`; returns the figure."""
    sizes = style.FOREST_SIZES
    fs = _sizes()
    pad = sizes["cell_pad"]
    margin = sizes["margin"]
    row_h = sizes["row"]

    fig = style.new_figure(1.0, 1.0)
    m = _Measurer(fig)

    # --- widths -----------------------------------------------------------------------
    _fit_columns(layout, m, pad)
    scale = layout.scale
    tick_w = max(m.width(_tick_label(t), "table") for t in scale.ticks)
    inner = tick_w / 2 + 2.0
    fav_size = "table"
    fav_lines = [textwrap.wrap(f, 26) or [""] for f in layout.favours]
    fav_w = [max(m.width(line, fav_size) for line in lines) for lines in fav_lines]
    plot_col = next(c for c in layout.columns if c.key == "plot")
    frac = (scale.t(scale.null) - scale.t(scale.lo)) / (scale.t(scale.hi) - scale.t(scale.lo))
    frac = min(max(frac, 0.2), 0.8)
    data_w = max(
        sizes["plot_width"],
        (fav_w[0] + 6 - inner) / frac,
        (fav_w[1] + 6 - inner) / (1 - frac),
    )
    plot_col.width = max(plot_col.width, data_w + 2 * inner)
    data_w = plot_col.width - 2 * inner

    x = margin
    for col in layout.columns:
        col.x = x
        x += col.width
    table_right = x
    scale = scale.placed(plot_col.x + inner, data_w)
    layout.scale = scale
    legend_w = max((m.text_width(t) for t in layout.legend), default=0.0)
    title_w = m.width(layout.title, "title", bold=True) if layout.title else 0.0
    width_pt = max(table_right, margin + legend_w, margin + title_w) + margin

    # --- heights ----------------------------------------------------------------------
    y = margin
    title_h = 0.0
    if layout.title:
        title_h = fs["title"] * 1.8
        y += title_h
    for row in layout.header + layout.rows:
        h = row.height * row_h
        row.y = y + h / 2
        y += h
    data_top = layout.rows[0].y - row_h / 2 if layout.rows else y
    axis_y = y + 2.0
    tick_len = 3.0
    tick_label_y = axis_y + tick_len + 1.5 + fs["table"] * 0.5
    fav_y0 = tick_label_y + fs["table"] * 1.5
    fav_n = max(len(lines) for lines in fav_lines)
    axis_bottom = fav_y0 + (fav_n - 0.5) * fs["table"] * 1.25
    footer_bottom = y + len(layout.footers) * row_h
    y = max(axis_bottom, footer_bottom) + 4.0
    legend_y0 = y
    y += len(layout.legend) * row_h
    height_pt = y + margin

    fig.set_size_inches(width_pt * _PT, height_pt * _PT)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width_pt)
    ax.set_ylim(height_pt, 0)
    ax.set_axis_off()

    # --- draw -------------------------------------------------------------------------
    if layout.title:
        title = _Text(layout.title, layout.columns[0].key, bold=True, size="title", gid="title")
        _draw_text(ax, margin, margin + title_h / 2, title, m, ha="left")
    for row in layout.header + layout.rows:
        for t in row.texts:
            _draw_text(ax, _text_x(layout, t, pad), row.y, t, m)
    for row in layout.rows:
        for mark in row.marks:
            if mark.kind == "rob":
                _draw_rob(ax, layout, row, mark, m)
            else:
                _draw_mark(ax, layout, row, mark, row_h)

    colours = style.FOREST_COLOURS
    left_edge, right_edge = scale.x0, scale.x0 + scale.width
    x_null = scale.x(scale.null)
    if left_edge <= x_null <= right_edge:
        ax.plot(
            [x_null, x_null],
            [data_top, axis_y],
            color=colours["null_line"],
            linewidth=0.6,
            zorder=1,
        )
    if layout.reference is not None:
        x_ref = scale.x(layout.reference)
        if left_edge <= x_ref <= right_edge:
            ax.plot(
                [x_ref, x_ref],
                [data_top, axis_y],
                color=colours["reference_line"],
                linewidth=0.8,
                linestyle=(0, (3, 2)),
                zorder=1,
            )
    ax.plot([left_edge, right_edge], [axis_y, axis_y], color=colours["null_line"], linewidth=0.6)
    for i, tick in enumerate(scale.ticks):
        tx = scale.x(tick)
        ax.plot([tx, tx], [axis_y, axis_y + tick_len], color=colours["null_line"], linewidth=0.6)
        label = _Text(_tick_label(tick), "plot", align="center", gid=f"tick_{i}")
        _draw_text(ax, tx, tick_label_y, label, m, ha="center")
    halves = ((left_edge - inner + x_null) / 2, (x_null + right_edge + inner) / 2)
    if not left_edge < x_null < right_edge:
        mid = (left_edge + right_edge) / 2
        halves = ((left_edge + mid) / 2, (mid + right_edge) / 2)
    for side, (cx, lines) in enumerate(zip(halves, fav_lines, strict=False)):
        for j, line in enumerate(lines):
            t = _Text(
                line, "plot", align="center", gid=f"favours_{'left' if side == 0 else 'right'}_{j}"
            )
            _draw_text(ax, cx, fav_y0 + j * fs["table"] * 1.25, t, m, ha="center")

    first = {c.key: c for c in layout.columns}[layout.table_first]
    for i, t in enumerate(layout.footers):
        _draw_text(ax, first.x + pad / 2, _y_footer(i, axis_y - 2.0, row_h), t, m, ha="left")
    for i, t in enumerate(layout.legend):
        _draw_text(ax, margin + pad / 2, legend_y0 + (i + 0.5) * row_h, t, m, ha="left")
    return fig


def _y_footer(i: int, top: float, row_h: float) -> float:
    """Centre of the ``i``-th footer line below ``top``."""
    return top + (i + 0.5) * row_h


# ---------------------------------------------------------------------------------------
# The forest plot
# ---------------------------------------------------------------------------------------


def _study_row(study: ForestStudy, data: ForestData, index: int, letters: tuple[str, ...]) -> _Row:
    row = _Row()
    row.texts.append(_Text(study.label, "study", gid=f"study_{index}_label"))
    if study.source_text:
        # One cell across both arms' columns (RevMan cannot merge around the totals):
        # the statistics the effect came from, then the arm sizes.
        text = _minus(study.source_text.strip())
        if study.int_n is not None and study.ctl_n is not None:
            text += f" (n = {study.int_n} vs {study.ctl_n})"
        row.texts.append(
            _Text(
                text, "int_mean", "ctl_n", align="center", italic=True, gid=f"study_{index}_source"
            )
        )
        cells = []
    else:
        cells = [
            ("int_mean", study.int_mean),
            ("int_sd", study.int_sd),
            ("int_n", study.int_n),
            ("ctl_mean", study.ctl_mean),
            ("ctl_sd", study.ctl_sd),
            ("ctl_n", study.ctl_n),
        ]
    for key, value in cells:
        if value is not None:
            row.texts.append(
                _Text(format_given(value), key, align="right", gid=f"study_{index}_{key}")
            )
    if study.weight is not None:
        row.texts.append(
            _Text(format_weight(study.weight), "weight", align="right", gid=f"study_{index}_weight")
        )
    row.texts.append(
        _Text(
            effect_text(study.yi, study.ci_low, study.ci_high, data.digits),
            "effect",
            align="center",
            gid=f"study_{index}_effect",
        )
    )
    if study.estimable:
        row.marks.append(_Mark("study", study.yi, study.ci_low, study.ci_high, study.weight))
    if study.rob:
        codes = tuple(
            normalise_judgement(j, row=index + 1, column=f"rob {letter}")
            for j, letter in zip(study.rob, letters, strict=False)
        )
        row.marks.append(_Mark("rob", judgements=codes))
    return row


def _sum_or_none(values: Sequence[int | None]) -> int | None:
    given = [v for v in values if v is not None]
    return sum(given) if given else None


def _pooled_rows(
    label: str,
    pooled: ForestPooled | None,
    studies: Sequence[ForestStudy],
    data: ForestData,
    gid: str,
) -> list[_Row]:
    row = _Row()
    row.texts.append(_Text(label, "study", bold=True, gid=f"{gid}_label"))
    for key, n in (
        ("int_n", _sum_or_none([s.int_n for s in studies])),
        ("ctl_n", _sum_or_none([s.ctl_n for s in studies])),
    ):
        if n is not None:
            row.texts.append(_Text(str(n), key, align="right", bold=True, gid=f"{gid}_{key}"))
    weights = [s.weight for s in studies if s.weight is not None]
    if weights and pooled is not None:
        row.texts.append(
            _Text(
                format_weight(sum(weights)), "weight", align="right", bold=True, gid=f"{gid}_weight"
            )
        )
    if pooled is None:
        row.texts.append(
            _Text("Not estimable", "effect", align="center", bold=True, gid=f"{gid}_effect")
        )
        return [row]
    row.texts.append(
        _Text(
            effect_text(pooled.estimate, pooled.ci_low, pooled.ci_high, data.digits),
            "effect",
            align="center",
            bold=True,
            gid=f"{gid}_effect",
        )
    )
    row.marks.append(_Mark("diamond", pooled.estimate, pooled.ci_low, pooled.ci_high))
    rows = [row]
    if data.show_prediction and pooled.pi_low is not None and pooled.pi_high is not None:
        pi = _Row()
        pi.texts.append(_Text("Prediction interval", "study", gid=f"{gid}_pi_label"))
        d = data.digits
        pi.texts.append(
            _Text(
                f"[{format_number(pooled.pi_low, d)}, {format_number(pooled.pi_high, d)}]",
                "effect",
                align="center",
                gid=f"{gid}_pi",
            )
        )
        pi.marks.append(_Mark("interval", lo=pooled.pi_low, hi=pooled.pi_high))
        rows.append(pi)
    return rows


def _note(text: str, gid: str) -> _Text:
    return _Text(text, "study", "effect", size="footer", gid=gid)


def _forest_layout(data: ForestData) -> _Layout:
    letters = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ"[: len(data.rob_domains)])
    columns = [_Col("study", stretch=True)]
    columns += [_Col(k) for k in ("int_mean", "int_sd", "int_n", "ctl_mean", "ctl_sd", "ctl_n")]
    columns += [_Col("weight"), _Col("effect"), _Col("plot")]
    columns += [_Col(f"rob_{letter}", width=style.FOREST_SIZES["row"] + 1) for letter in letters]

    measure = measure_label(data.measure)
    model = f"{data.method}, {data.model_label}, 95% CI"
    h1 = _Row(
        texts=[
            _Text(
                data.int_label,
                "int_mean",
                "int_n",
                align="center",
                bold=True,
                size="header",
                gid="header_int",
            ),
            _Text(
                data.ctl_label,
                "ctl_mean",
                "ctl_n",
                align="center",
                bold=True,
                size="header",
                gid="header_ctl",
            ),
            _Text(
                measure, "effect", align="center", bold=True, size="header", gid="header_measure"
            ),
            _Text(
                measure, "plot", align="center", bold=True, size="header", gid="header_measure_plot"
            ),
        ]
    )
    h2 = _Row(
        texts=[
            _Text("Study or Subgroup", "study", bold=True, size="header", gid="header_study"),
            _Text("Mean", "int_mean", align="right", bold=True, size="header"),
            _Text("SD", "int_sd", align="right", bold=True, size="header"),
            _Text("Total", "int_n", align="right", bold=True, size="header"),
            _Text("Mean", "ctl_mean", align="right", bold=True, size="header"),
            _Text("SD", "ctl_sd", align="right", bold=True, size="header"),
            _Text("Total", "ctl_n", align="right", bold=True, size="header"),
            _Text("Weight", "weight", align="right", bold=True, size="header", gid="header_weight"),
            _Text(model, "effect", align="center", bold=True, size="header", gid="header_model"),
            _Text(model, "plot", align="center", bold=True, size="header", gid="header_model_plot"),
        ]
    )
    if letters:
        h1.texts.append(
            _Text(
                "Risk of Bias",
                f"rob_{letters[0]}",
                f"rob_{letters[-1]}",
                align="center",
                bold=True,
                size="header",
                gid="header_rob",
            )
        )
        h2.texts.extend(
            _Text(letter, f"rob_{letter}", align="center", bold=True, size="header")
            for letter in letters
        )

    rows: list[_Row] = []
    index = 0
    if data.studies:
        for study in data.studies:
            rows.append(_study_row(study, data, index, letters))
            index += 1
    else:
        for g, group in enumerate(data.subgroups):
            rows.append(_Row(texts=[_Text(group.label, "study", bold=True, gid=f"subgroup_{g}")]))
            for study in group.studies:
                rows.append(_study_row(study, data, index, letters))
                index += 1
            rows.extend(
                _pooled_rows(
                    "Subtotal (95% CI)", group.pooled, group.studies, data, f"subtotal_{g}"
                )
            )
            rows.append(
                _Row(texts=[_note(heterogeneity_text(group.pooled), f"subtotal_{g}_heterogeneity")])
            )
            rows.append(
                _Row(texts=[_note(overall_effect_text(group.pooled), f"subtotal_{g}_overall")])
            )
            rows.append(_Row(height=0.6))

    footers: list[_Text] = []
    if data.pooled is not None:
        if data.studies:
            rows.append(_Row(height=0.6))
        rows.extend(_pooled_rows("Total (95% CI)", data.pooled, data.all_studies, data, "total"))
        footers.append(_note(heterogeneity_text(data.pooled), "total_heterogeneity"))
        footers.append(_note(overall_effect_text(data.pooled), "total_overall"))
    if data.subgroup_test is not None:
        footers.append(_note(subgroup_test_text(data.subgroup_test), "subgroup_test"))

    legend: list[_Text] = []
    if letters:
        legend.append(
            _Text("Risk of bias legend", "study", bold=True, size="footer", gid="rob_legend")
        )
        for letter, domain in zip(letters, data.rob_domains, strict=False):
            legend.append(
                _Text(f"({letter}) {domain}", "study", size="footer", gid=f"rob_legend_{letter}")
            )

    pooled_bounds: list[float] = []
    for p in [data.pooled] + [g.pooled for g in data.subgroups]:
        if p is not None:
            pooled_bounds += [p.ci_low, p.ci_high]
            if data.show_prediction and p.pi_low is not None and p.pi_high is not None:
                pooled_bounds += [p.pi_low, p.pi_high]
    study_bounds = [
        max(abs(s.ci_low), abs(s.ci_high))
        if not data.log_scale
        else max(s.ci_high, 1 / s.ci_low)
        if s.ci_low and s.ci_low > 0
        else s.ci_high
        for s in data.all_studies
        if s.estimable and s.ci_low is not None and s.ci_high is not None
    ]
    scale = _make_scale(data.xlim, data.log_scale, pooled_bounds, study_bounds)
    weights = [s.weight for s in data.all_studies if s.weight is not None]
    return _Layout(
        columns=columns,
        header=[h1, h2],
        rows=rows,
        footers=footers,
        legend=legend,
        scale=scale,
        favours=(data.favours_left, data.favours_right),
        table_first="study",
        table_last="effect",
        title=data.title,
        rob_letters=letters,
        max_weight=max(weights, default=0.0),
    )


def build_forest_figure(data: ForestData) -> Figure:
    """Draw the forest plot of ``data`` on a new figure (nothing is saved).

    Returns
    -------
    matplotlib.figure.Figure
        Sized to its content; all text in one full-figure axes, in points.
    """
    with style.figure_style():
        return _render(_forest_layout(data))


def plot_forest(data: ForestData, prefix: str | Path) -> list[Path]:
    """Draw the forest plot of ``data`` and save ``prefix.svg``, ``.png`` and ``.pdf``.

    Parameters
    ----------
    data
        What to draw.
    prefix
        Output path without suffix, e.g. ``results/figures/forest/recovery``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    fig = build_forest_figure(data)
    return style.save_figure_formats(fig, prefix)


# ---------------------------------------------------------------------------------------
# Layout checks (used by the tests; handy when adding a figure)
# ---------------------------------------------------------------------------------------


def drawn_texts(fig: Figure) -> list[Text]:
    """Every non-empty text artist that a render of ``fig`` draws.

    Figure texts and legends, and per axes its texts and titles, plus tick labels (of
    ticks in view) and axis labels of axes whose axis is on.  Draws the figure once, in
    the srma style, so that tick labels and legends have their final positions.
    """
    # Tick labels are made at draw time from the rcParams: draw and collect in the style.
    with style.figure_style():
        return _collect_texts(fig)


def _collect_texts(fig: Figure) -> list[Text]:
    fig.canvas.draw()
    texts: list[Text] = list(fig.texts)
    for legend in fig.legends:
        texts += legend.get_texts()
    for ax in fig.axes:
        texts += [c for c in ax.get_children() if isinstance(c, Text)]
        ax_legend = ax.get_legend()
        if ax_legend is not None:
            texts += ax_legend.get_texts()
        if ax.axison:
            for labels, locs, view in (
                (ax.get_xticklabels(), ax.get_xticks(), ax.get_xlim()),
                (ax.get_yticklabels(), ax.get_yticks(), ax.get_ylim()),
            ):
                lo, hi = min(view), max(view)
                span = (hi - lo) * 1e-9
                texts += [
                    t for t, v in zip(labels, locs, strict=False) if lo - span <= v <= hi + span
                ]
            texts += [ax.xaxis.label, ax.yaxis.label]
    return [t for t in texts if t.get_visible() and t.get_text()]


def overlapping_texts(fig: Figure, tolerance: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose bounding boxes overlap by more than ``tolerance`` pixels.

    Returns
    -------
    list of (str, str)
        The texts of each overlapping pair; empty when the layout is clean.
    """
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    items = [(t.get_text(), t.get_window_extent(renderer)) for t in drawn_texts(fig)]
    items.sort(key=lambda item: item[1].x0)
    pairs: list[tuple[str, str]] = []
    for i, (text_a, a) in enumerate(items):
        for text_b, b in items[i + 1 :]:
            if b.x0 >= a.x1 - tolerance:
                break  # sorted by x0: nothing further right can overlap a
            dx = min(a.x1, b.x1) - max(a.x0, b.x0)
            dy = min(a.y1, b.y1) - max(a.y0, b.y0)
            if dx > tolerance and dy > tolerance:
                pairs.append((text_a, text_b))
    return pairs


def texts_outside(fig: Figure, tolerance: float = 0.5) -> list[str]:
    """Drawn texts that stick out of the figure (by more than ``tolerance`` pixels)."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    box = fig.bbox
    out = []
    for t in drawn_texts(fig):
        bb = t.get_window_extent(renderer)
        if (
            bb.x0 < box.x0 - tolerance
            or bb.y0 < box.y0 - tolerance
            or bb.x1 > box.x1 + tolerance
            or bb.y1 > box.y1 + tolerance
        ):
            out.append(t.get_text())
    return out
