"""The one style of every srma figure: fonts, sizes, colours, and deterministic saving.

Use it like this::

    from srma.figures import style

    with style.figure_style():
        fig = style.new_figure(width=style.WIDTH_DOUBLE, height=3.0)
        ax = fig.add_subplot()
        ax.plot(x, y, color=style.COLOURS["blue"])
        style.save_figure(fig, "results/figures/x.svg")   # also .png, .pdf

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

import inspect
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
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


# --- lean font subsets in PDF ---
#
# With ``pdf.fonttype: 42`` matplotlib embeds a subset of every TrueType font it
# uses, made by fontTools (``_backend_pdf_ps.get_glyphs_subset``).  Most of that time
# goes into decompiling, closing over and subsetting the OpenType layout tables
# (GSUB, GPOS, GDEF) and MATH of the DejaVu fonts, and a forest plot embeds 4 to 6
# subsets (DejaVu Sans, Bold, Oblique, and separate ones for the "ff" ligature).
# Measured on the shared 2-core build machine (matplotlib 3.11.2, fontTools 4.68.0;
# CPU time, medians; the machine was loaded, so +-20 %):
#   one DejaVu Sans subset of ~60 glyphs (21 runs):   72-110 ms -> 24-38 ms
#   saving the F3A forest plot of tests/figures/test_forest.py as PDF,
#     first save in a fresh interpreter (9 runs):     533-579 ms -> 327-329 ms
#     later saves in the same interpreter (72 runs):  413-435 ms -> 241-246 ms
#   PDF size: 35.9 kB -> 33.4 kB.
# Every Snakemake job that writes a PDF is a fresh interpreter: ~0.2-0.25 s per job.
#
# A PDF never needs those tables: matplotlib shapes the text itself (with the full
# font, before embedding), writes every glyph by its id at a position given in the
# content stream (Identity-H CIDFontType2 with a CIDToGIDMap and a W width array),
# and text extraction goes through the ToUnicode CMap.  ISO 32000-1, 9.9, lists the
# TrueType tables a PDF reader uses: head, hhea, loca, maxp, cvt, prep, glyf, hmtx,
# fpgm (plus cmap for simple fonts only); all of them are kept, as are OS/2, name,
# post and cmap.  Glyph names (post) stay: the PDF backend does not use them (it maps
# CIDs to glyph ids and reads widths by id), but backend_ps builds its Type 42
# CharStrings from them, dropping them saved no measurable time, and so a PS save in
# another thread while the replacement is in place is still correct.

#: Font tables left out of the font subsets embedded in srma PDFs: OpenType layout
#: (substitution, positioning, glyph classes), legacy kerning and math layout.  Only
#: a text-shaping engine reads them; a PDF reader draws the glyphs it is given where
#: it is told to.
PDF_UNUSED_FONT_TABLES: tuple[str, ...] = ("GSUB", "GPOS", "GDEF", "kern", "MATH")

# Tables matplotlib 3.11 itself drops (copied from ``get_glyphs_subset``), so that the
# replacement differs from matplotlib's function only by PDF_UNUSED_FONT_TABLES.
_MPL_DROP_TABLES: tuple[str, ...] = (
    "FFTM", "PfEd", "BDF", "meta", "MERG", "TSIV", "Zapf", "bdat", "bloc", "cidg",
    "fdsc", "feat", "fmtx", "fond", "just", "kerx", "ltag", "morx", "trak", "xref",
)  # fmt: skip

_lean_lock = threading.Lock()
_lean_depth = 0
_lean_original: Callable[..., Any] | None = None


def _subset_module() -> Any:
    """matplotlib's private PDF/PS helper module if it has the expected 3.11 API, else None.

    ``get_glyphs_subset(fontfile, glyphs)`` returning a context manager of
    ``SubsetResults(font, glyph_index_map)``; older matplotlib (``characters``, a
    bare ``TTFont``) or a future change make srma keep matplotlib's own function.
    """
    try:
        from matplotlib.backends import _backend_pdf_ps as module
    except ImportError:  # pragma: no cover - part of every matplotlib with a PDF backend
        return None
    function = getattr(module, "get_glyphs_subset", None)
    results = getattr(module, "SubsetResults", None)
    if function is None or results is None or not callable(getattr(results, "_as_cm", None)):
        return None
    if getattr(results, "_fields", None) != ("font", "glyph_index_map"):
        return None
    try:
        parameters = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return None
    return module if parameters == ["fontfile", "glyphs"] else None


def _lean_glyphs_subset(fontfile: Any, glyphs: Any) -> Any:
    """``_backend_pdf_ps.get_glyphs_subset`` that also drops PDF_UNUSED_FONT_TABLES."""
    from fontTools import subset  # type: ignore[import-untyped]
    from matplotlib.backends import _backend_pdf_ps

    original = _lean_original
    try:
        options = subset.Options(glyph_names=True, recommended_glyphs=True)
        options.drop_tables += [*_MPL_DROP_TABLES, *PDF_UNUSED_FONT_TABLES]
        options.font_number = getattr(fontfile, "face_index", 0)  # font in a .ttc
        font = subset.load_font(fontfile, options)
        # drop_tables alone is not enough: fontTools 4.68 decompiles GSUB/GPOS/GDEF
        # (``beyond64k._compact_layout_tables``) before it prunes; remove them unread.
        for tag in PDF_UNUSED_FONT_TABLES:
            if tag in font:
                del font[tag]
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(gids=glyphs)
        subsetter.subset(font)
        return _backend_pdf_ps.SubsetResults(font, subsetter.glyph_index_map)._as_cm()
    except Exception:
        if original is None:  # pragma: no cover - only installed with an original
            raise
        return original(fontfile, glyphs)  # slower, and raises if the font is bad


@contextmanager
def lean_pdf_font_subsets() -> Iterator[bool]:
    """Context in which matplotlib embeds fonts in PDFs without layout tables.

    Replaces matplotlib's private ``_backend_pdf_ps.get_glyphs_subset`` by an
    equivalent that also drops :data:`PDF_UNUSED_FONT_TABLES` (they make up most of
    the time of saving a PDF), and puts the original back on leaving, also after an
    error.  Nested and concurrent uses share one replacement.  If matplotlib's
    private API is not the one this was written for (matplotlib 3.11), nothing is
    replaced and matplotlib embeds its own (larger, slower, equally correct) subsets.

    Saving a forest plot as PDF takes ~40 % less CPU time (first save in a fresh
    interpreter, what each Snakemake job pays: median ~550 -> ~330 ms); the numbers
    are in the comment above :data:`PDF_UNUSED_FONT_TABLES`.

    Yields
    ------
    bool
        Whether the lean subsetter is in place.
    """
    global _lean_depth, _lean_original
    with _lean_lock:
        module = _subset_module() if _lean_depth == 0 else None
        if _lean_depth == 0 and module is not None:
            _lean_original = module.get_glyphs_subset
            module.get_glyphs_subset = _lean_glyphs_subset
        active = _lean_depth > 0 or module is not None
        if active:
            _lean_depth += 1
    try:
        yield active
    finally:
        if active:
            with _lean_lock:
                _lean_depth -= 1
                if _lean_depth == 0:
                    from matplotlib.backends import _backend_pdf_ps

                    _backend_pdf_ps.get_glyphs_subset = _lean_original  # type: ignore[assignment]
                    _lean_original = None


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
    lean: AbstractContextManager[Any] = lean_pdf_font_subsets() if fmt == "pdf" else nullcontext()
    with atomic_path(path) as tmp, figure_style(), lean:
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
