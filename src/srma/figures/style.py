"""The one style of every srma figure: fonts, sizes, colours, and deterministic saving.

Use it like this::

    from srma.figures import style

    with style.figure_style():
        fig = style.new_figure(width=style.WIDTH_DOUBLE, height=3.0)
        ax = fig.add_subplot()
        ax.plot(x, y, color=style.COLOURS["blue"])
        style.save_figure(fig, "results/figures/forest/x.svg")   # also .png, .pdf

* Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot
  state, safe in parallel jobs); sizes are in inches.
* Fonts: DejaVu Sans (shipped with matplotlib, so text measures the same on
  every machine).  SVG keeps text as text (``svg.fonttype: none``); PDF embeds
  TrueType (type 42) fonts.
* Colours: the Okabe-Ito palette (colour-blind safe) plus greys.
* Saving is deterministic: a fixed ``svg.hashsalt``, no dates in SVG/PDF
  metadata, PNG at 300 dpi; two renders of the same figure are byte-identical.
  Files are written atomically (temporary file in the same folder, then
  renamed), so a failure never leaves half a figure behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from srma.io.atomic import atomic_path

#: Font family of every figure (ships with matplotlib).
FONT_FAMILY = "DejaVu Sans"

#: Font sizes in points.
FONT_SIZE = 8.0
FONT_SIZES: dict[str, float] = {"small": 7.0, "base": FONT_SIZE, "large": 9.0, "title": 10.0}

#: Figure widths in inches (one and two journal columns).
WIDTH_SINGLE = 3.5
WIDTH_DOUBLE = 7.2

#: Resolution of raster output.
DPI = 300

#: Okabe & Ito (2008) colour-blind safe palette, and greys.
COLOURS: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
    "light_grey": "#D9D9D9",
    "ink": "#1A1A1A",
}

#: Colours by role, so figures agree on meaning.
ROLES: dict[str, str] = {
    "text": COLOURS["ink"],
    "line": COLOURS["ink"],
    "box_edge": COLOURS["ink"],
    "box_fill": "#FFFFFF",
    "estimate": COLOURS["blue"],
    "pooled": COLOURS["vermillion"],
    "reference_line": COLOURS["grey"],
    # PRISMA 2020 template: yellow header for databases, grey for other
    # methods, light blue phase bars (lightened for black text contrast)
    "prisma_header_databases": "#F8DE8C",
    "prisma_header_other": COLOURS["light_grey"],
    "prisma_phase": "#B9D9EE",
}

#: Fixed salt for SVG ids, so SVG output is byte-identical across runs.
SVG_HASHSALT = "srma"

#: matplotlib settings every srma figure uses.
RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZES["large"],
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": FONT_SIZES["small"],
    "ytick.labelsize": FONT_SIZES["small"],
    "legend.fontsize": FONT_SIZES["small"],
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.0,
    "axes.edgecolor": ROLES["line"],
    "text.color": ROLES["text"],
    "axes.labelcolor": ROLES["text"],
    "xtick.color": ROLES["text"],
    "ytick.color": ROLES["text"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.facecolor": "white",
    "svg.fonttype": "none",
    "svg.hashsalt": SVG_HASHSALT,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "text.usetex": False,
    "path.simplify": False,
}

#: Metadata per output format: no dates, so bytes do not change between runs.
METADATA: dict[str, dict[str, Any]] = {
    "svg": {"Date": None, "Creator": "srma"},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": "srma"},
    "png": {"Software": "srma (matplotlib)"},
}

FORMATS: tuple[str, ...] = ("svg", "png", "pdf")


@contextmanager
def figure_style(**overrides: Any) -> Iterator[None]:
    """Context in which figures are built and saved with the srma style."""
    settings: Any = {**RC, **overrides}
    with matplotlib.rc_context(settings):
        yield


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` x ``height`` inches with an Agg canvas (no pyplot)."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig: Figure, path: str | Path, *, dpi: int = DPI) -> Path:
    """Save ``fig`` to ``path`` deterministically and atomically.

    The format comes from the suffix (``.svg``, ``.png`` or ``.pdf``).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in METADATA:
        raise ValueError(f"unsupported figure format {path.suffix!r}; use .svg, .png or .pdf")
    with atomic_path(path) as tmp, figure_style():
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=METADATA[fmt])
    return path


def save_figure_formats(
    fig: Figure, stem: str | Path, formats: Iterable[str] = FORMATS, *, dpi: int = DPI
) -> list[Path]:
    """Save ``fig`` as ``stem.svg``, ``stem.png`` and ``stem.pdf`` (or ``formats``)."""
    stem = Path(stem)
    return [save_figure(fig, stem.with_name(f"{stem.name}.{fmt}"), dpi=dpi) for fmt in formats]


# --- forest / funnel / risk of bias ---

#: robvis "cochrane" colours of risk-of-bias judgements (robvis R/helpers.R, get_colour).
ROB_COLOURS: dict[str, str] = {
    "low": "#02C100",
    "unclear": "#E2DF07",
    "some_concerns": "#E2DF07",
    "high": "#BF0000",
    "no_information": "#4EA1F7",
}

#: Forest, leave-one-out and funnel plots: colours by element.
FOREST_COLOURS: dict[str, str] = {
    "square": ROLES["estimate"],
    "ci": ROLES["line"],
    "diamond": ROLES["line"],
    "prediction": ROLES["pooled"],
    "null_line": ROLES["line"],
    "reference_line": ROLES["reference_line"],
    "filled_point": ROLES["pooled"],
}

#: Forest plot sizes in points: row height, width of the plot column, largest square.
FOREST_SIZES: dict[str, float] = {
    "row": 12.0,
    "plot_width": 150.0,
    "square_max": 8.0,
    "square_min": 2.5,
    "point": 4.5,
    "cell_pad": 6.0,
    "margin": 8.0,
}
