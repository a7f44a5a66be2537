"""Leave-one-out sensitivity plot.

One row per study, *Omitting <study>*, with the pooled estimate and 95% CI of the
analysis without it (as text and as a point with a line), its I² and the P value of
its overall effect; then an *All studies* row with the diamond of the full analysis and
a dashed reference line at its estimate.  Same table-and-plot layout, number formats
and axis as :mod:`srma.figures.forest`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from srma.figures import style
from srma.figures.forest import (
    ForestPooled,
    _Col,
    _Layout,
    _make_scale,
    _Mark,
    _render,
    _Row,
    _Text,
    effect_text,
    format_p,
    heterogeneity_text,
    measure_label,
    overall_effect_text,
)

__all__ = ["LeaveOneOutData", "LeaveOneOutRow", "build_loo_figure", "plot_loo"]


@dataclass(frozen=True)
class LeaveOneOutRow:
    """The analysis without one study.

    Attributes
    ----------
    omitted
        Label of the study left out.
    estimate, ci_low, ci_high
        Pooled effect and confidence limits without it (ratios unlogged).
    i2
        I² in percent (0-100) without it, or ``None``.
    pval
        P value of the overall effect without it, or ``None``.
    """

    omitted: str
    estimate: float
    ci_low: float
    ci_high: float
    i2: float | None = None
    pval: float | None = None


@dataclass(frozen=True)
class LeaveOneOutData:
    """What the leave-one-out plot shows.

    Attributes
    ----------
    rows
        One per omitted study, in the order drawn.
    overall
        The analysis with all studies (diamond, reference line, footer lines).
    measure, method
        Name the effect column (``"SMD"``, ``"IV"``).
    favours_left, favours_right
        Labels under the axis.
    digits
        Decimals of effects.
    xlim
        Axis limits; default symmetric around the null, covering every row.
    title
        Optional title.
    """

    rows: tuple[LeaveOneOutRow, ...]
    overall: ForestPooled
    measure: str = "SMD"
    method: str = "IV"
    favours_left: str = "Favours [intervention]"
    favours_right: str = "Favours [control]"
    digits: int = 2
    xlim: tuple[float, float] | None = None
    title: str | None = None

    def __post_init__(self) -> None:
        if not self.rows:
            raise ValueError("a leave-one-out plot needs at least one row")
        for row in self.rows:
            if not row.ci_low <= row.estimate <= row.ci_high:
                raise ValueError(f"omitting {row.omitted}: need ci_low <= estimate <= ci_high")


def _p_cell(p: float | None) -> str:
    return "" if p is None else format_p(p).removeprefix("P ").removeprefix("= ")


def _loo_layout(data: LeaveOneOutData) -> _Layout:
    from srma.figures.forest import _RATIO_MEASURES

    columns = [_Col("study", stretch=True), _Col("effect"), _Col("i2"), _Col("p"), _Col("plot")]
    measure = measure_label(data.measure)
    model = f"{data.method}, {data.overall.model_label}, 95% CI"
    header = [
        _Row(
            texts=[
                _Text(measure, "effect", align="center", bold=True, gid="header_measure"),
                _Text(measure, "plot", align="center", bold=True, gid="header_measure_plot"),
            ]
        ),
        _Row(
            texts=[
                _Text("Study omitted", "study", bold=True, gid="header_study"),
                _Text(model, "effect", align="center", bold=True, gid="header_model"),
                _Text("I\u00b2", "i2", align="right", bold=True, gid="header_i2"),
                _Text("P", "p", align="right", bold=True, gid="header_p"),
                _Text(model, "plot", align="center", bold=True, gid="header_model_plot"),
            ]
        ),
    ]
    rows: list[_Row] = []
    for i, r in enumerate(data.rows):
        row = _Row(
            texts=[
                _Text(f"Omitting {r.omitted}", "study", gid=f"loo_{i}_label"),
                _Text(
                    effect_text(r.estimate, r.ci_low, r.ci_high, data.digits),
                    "effect",
                    align="center",
                    gid=f"loo_{i}_effect",
                ),
            ]
        )
        if r.i2 is not None:
            row.texts.append(
                _Text(f"{math.floor(r.i2 + 0.5):d}%", "i2", align="right", gid=f"loo_{i}_i2")
            )
        if r.pval is not None:
            row.texts.append(_Text(_p_cell(r.pval), "p", align="right", gid=f"loo_{i}_p"))
        row.marks.append(_Mark("point", r.estimate, r.ci_low, r.ci_high))
        rows.append(row)
    rows.append(_Row(height=0.6))
    o = data.overall
    total = _Row(
        texts=[
            _Text("All studies", "study", bold=True, gid="total_label"),
            _Text(
                effect_text(o.estimate, o.ci_low, o.ci_high, data.digits),
                "effect",
                align="center",
                bold=True,
                gid="total_effect",
            ),
        ]
    )
    if o.i2 is not None:
        total.texts.append(
            _Text(f"{math.floor(o.i2 + 0.5):d}%", "i2", align="right", bold=True, gid="total_i2")
        )
    if o.pval is not None:
        total.texts.append(_Text(_p_cell(o.pval), "p", align="right", bold=True, gid="total_p"))
    total.marks.append(_Mark("diamond", o.estimate, o.ci_low, o.ci_high))
    rows.append(total)
    footers = [
        _Text(heterogeneity_text(o), "study", "p", size="footer", gid="total_heterogeneity"),
        _Text(overall_effect_text(o), "study", "p", size="footer", gid="total_overall"),
    ]
    log = data.measure.upper() in _RATIO_MEASURES
    bounds = [o.ci_low, o.ci_high] + [v for r in data.rows for v in (r.ci_low, r.ci_high)]
    if log:
        study_bounds = [max(v, 1 / v) for v in bounds if v > 0]
    else:
        study_bounds = [abs(v) for v in bounds]
    scale = _make_scale(data.xlim, log, [o.ci_low, o.ci_high], study_bounds)
    return _Layout(
        columns=columns,
        header=header,
        rows=rows,
        footers=footers,
        legend=[],
        scale=scale,
        favours=(data.favours_left, data.favours_right),
        table_first="study",
        table_last="p",
        reference=o.estimate,
        title=data.title,
    )


def build_loo_figure(data: LeaveOneOutData) -> Figure:
    """Draw the leave-one-out plot of ``data`` on a new figure (nothing is saved)."""
    with style.figure_style():
        return _render(_loo_layout(data))


def plot_loo(data: LeaveOneOutData, prefix: str | Path) -> list[Path]:
    """Draw the leave-one-out plot and save ``prefix.svg``, ``.png`` and ``.pdf``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    fig = build_loo_figure(data)
    return style.save_figure_formats(fig, prefix)
