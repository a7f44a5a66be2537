"""Funnel plot: effect against its standard error, with pseudo 95% confidence limits.

The y axis is inverted (precise studies at the top); dashed lines mark the pseudo 95%
confidence limits ``estimate +/- 1.96 SE`` around the pooled estimate, a vertical line
the estimate itself.  Optionally, trim-and-fill's filled studies are drawn as open
circles (with the adjusted estimate as a dotted line) and Egger's regression test is
written in a corner: ``Egger's test: z = 1.23, P = 0.22``.

Ratio measures (OR, RR, HR, ROM) take effects unlogged and standard errors of the log,
and draw a log x axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from srma.figures import style
from srma.figures.forest import _RATIO_MEASURES, format_number, format_p, measure_label

__all__ = ["EggerTest", "FunnelData", "build_funnel_figure", "egger_text", "plot_funnel"]


@dataclass(frozen=True)
class EggerTest:
    """Egger's regression test for funnel plot asymmetry (metafor ``regtest``)."""

    stat: float
    pval: float
    stat_name: str = "z"


@dataclass(frozen=True)
class FunnelData:
    """What the funnel plot shows.

    Attributes
    ----------
    yi, sei
        Study effects (ratios unlogged) and their standard errors (of the log for ratios).
    estimate
        Pooled estimate the funnel is centred on.
    measure
        ``"SMD"``, ``"MD"``, ``"OR"``...: labels the x axis, picks a log axis for ratios.
    egger
        Egger's test, written in the top right corner when given.
    filled_yi, filled_sei
        Studies imputed by trim-and-fill (open circles).
    filled_estimate
        Estimate after trim-and-fill (dotted line), or ``None``.
    xlim
        x limits; points outside are drawn as arrows at the edge.  Default: everything.
    level
        Confidence level of the pseudo confidence limits.
    title
        Optional title.
    """

    yi: tuple[float, ...]
    sei: tuple[float, ...]
    estimate: float
    measure: str = "SMD"
    egger: EggerTest | None = None
    filled_yi: tuple[float, ...] = ()
    filled_sei: tuple[float, ...] = ()
    filled_estimate: float | None = None
    xlim: tuple[float, float] | None = None
    level: float = 0.95
    title: str | None = None

    def __post_init__(self) -> None:
        if len(self.yi) != len(self.sei) or not self.yi:
            raise ValueError("yi and sei must be non-empty and of equal length")
        if len(self.filled_yi) != len(self.filled_sei):
            raise ValueError("filled_yi and filled_sei must be of equal length")
        if any(not (s > 0 and math.isfinite(s)) for s in (*self.sei, *self.filled_sei)):
            raise ValueError("standard errors must be positive and finite")
        if self.log_scale and any(v <= 0 for v in (*self.yi, *self.filled_yi, self.estimate)):
            raise ValueError(f"{self.measure} effects must be positive (give them unlogged)")

    @property
    def log_scale(self) -> bool:
        """Ratio measures are drawn on a log axis."""
        return self.measure.upper() in _RATIO_MEASURES


def egger_text(test: EggerTest) -> str:
    """``Egger's test: z = 1.23, P = 0.22`` (``t`` for the classical regression test)."""
    return f"Egger's test: {test.stat_name} = {format_number(test.stat, 2)}, {format_p(test.pval)}"


def _nice_ceiling(x: float) -> float:
    """Smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 times a power of ten that is >= x."""
    mag = 10 ** math.floor(math.log10(x))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * mag >= x * (1 - 1e-9):
            return m * mag
    return 10 * mag


def build_funnel_figure(data: FunnelData) -> Figure:
    """Draw the funnel plot of ``data`` on a new figure (nothing is saved)."""
    with style.figure_style():
        return _build(data)


def _build(data: FunnelData) -> Figure:
    colours = style.FOREST_COLOURS
    log = data.log_scale
    fwd = np.log if log else (lambda v: np.asarray(v, dtype=float))
    inv = np.exp if log else (lambda v: np.asarray(v, dtype=float))
    z = float(_norm_ppf(0.5 + data.level / 2))

    yi = fwd(np.asarray(data.yi, dtype=float))
    sei = np.asarray(data.sei, dtype=float)
    f_yi = fwd(np.asarray(data.filled_yi, dtype=float)) if data.filled_yi else np.array([])
    f_sei = np.asarray(data.filled_sei, dtype=float)
    est = float(fwd(data.estimate))

    se_max = _nice_ceiling(float(max(sei.max(), f_sei.max() if f_sei.size else 0.0)) * 1.05)
    if data.xlim is not None:
        x_lo, x_hi = (float(v) for v in fwd(np.asarray(data.xlim, dtype=float)))
    else:
        all_x = np.concatenate([yi, f_yi, [est - z * se_max, est + z * se_max]])
        pad = 0.05 * float(all_x.max() - all_x.min())
        x_lo, x_hi = float(all_x.min()) - pad, float(all_x.max()) + pad

    fig = style.new_figure(style.WIDTH_SINGLE, style.WIDTH_SINGLE * 0.85)
    ax = fig.add_subplot()
    ax.set_xlim(float(inv(x_lo)), float(inv(x_hi)))
    if log:
        ax.set_xscale("log")
    ax.set_ylim(se_max, 0.0)

    # pseudo confidence limits and the estimate
    se_line = np.array([0.0, se_max])
    for sign in (-1, 1):
        ax.plot(
            inv(est + sign * z * se_line),
            se_line,
            color=colours["reference_line"],
            linestyle=(0, (4, 3)),
            linewidth=0.8,
            zorder=1,
            gid=f"pseudo_ci_{sign:+d}",
        )
    ax.plot(
        inv([est, est]),
        se_line,
        color=colours["null_line"],
        linewidth=0.8,
        zorder=1,
        gid="estimate",
    )
    if data.filled_estimate is not None:
        adj = float(fwd(data.filled_estimate))
        ax.plot(
            inv([adj, adj]),
            se_line,
            color=colours["filled_point"],
            linewidth=0.8,
            linestyle=(0, (1, 1.5)),
            zorder=1,
            gid="filled_estimate",
        )

    def scatter(x: np.ndarray, se: np.ndarray, filled: bool) -> None:
        inside = (x >= x_lo) & (x <= x_hi)
        colour = colours["filled_point"] if filled else colours["square"]
        face = "white" if filled else colour
        ax.plot(
            inv(x[inside]),
            se[inside],
            linestyle="none",
            marker="o",
            markersize=4.5,
            markerfacecolor=face,
            markeredgecolor=colour,
            markeredgewidth=0.9,
            zorder=3,
        )
        for edge, marker, mask in ((x_lo, "<", x < x_lo), (x_hi, ">", x > x_hi)):
            if mask.any():
                ax.plot(
                    inv(np.full(int(mask.sum()), edge)),
                    se[mask],
                    linestyle="none",
                    marker=marker,
                    markersize=5,
                    markerfacecolor=face,
                    markeredgecolor=colour,
                    markeredgewidth=0.9,
                    clip_on=False,
                    zorder=3,
                )

    scatter(yi, sei, filled=False)
    if f_yi.size:
        scatter(f_yi, f_sei, filled=True)

    label = measure_label(data.measure)
    ax.set_xlabel(label)
    ax.set_ylabel(f"Standard error{' of log ' + data.measure.upper() if log else ''}")
    small = style.FONT_SIZES["small"]
    if data.egger is not None:
        # Above the top right corner of the axes: never over a point, a line or the apex.
        ax.text(
            1.0,
            1.02,
            egger_text(data.egger),
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=small,
            parse_math=False,
            gid="egger",
        )
    if data.title:
        ax.set_title(
            data.title,
            loc="left",
            fontweight="bold",
            pad=4 + (1.6 * small if data.egger is not None else 0),
            parse_math=False,
        )
    if f_yi.size:
        handles = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=4.5,
                markerfacecolor=colours["square"],
                markeredgecolor=colours["square"],
                label="Studies",
            ),
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=4.5,
                markerfacecolor="white",
                markeredgecolor=colours["filled_point"],
                label="Filled (trim and fill)",
            ),
        ]
        # Below the axis label, so it never covers a point or the Egger text.
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            frameon=False,
            fontsize=small,
            ncols=2,
            borderaxespad=0.0,
            handletextpad=0.3,
            columnspacing=1.5,
        )
    fig.tight_layout(pad=0.4)
    return fig


def _norm_ppf(p: float) -> float:
    return NormalDist().inv_cdf(p)


def plot_funnel(data: FunnelData, prefix: str | Path) -> list[Path]:
    """Draw the funnel plot and save ``prefix.svg``, ``.png`` and ``.pdf``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    fig = build_funnel_figure(data)
    return style.save_figure_formats(fig, prefix)
