"""The PRISMA 2020 flow diagram, drawn from the counts table of :mod:`srma.prisma`.

The layout follows Figure 1 of Page et al. (2021), *The PRISMA 2020
statement*, BMJ 372:n71, "identification of studies via databases and
registers and other methods": phase bars (Identification, Screening,
Included) on the left, a column for databases and registers with its
exclusion boxes beside it, and a column for other methods.  Every number
comes from the counts table; none is typed here.

Differences from the template, on purpose:

* The other-methods column also shows *records removed before screening*,
  *records screened* and *records excluded*: srma screens those records like
  any other (see :mod:`srma.prisma`); the template leaves that step implicit.
* *Awaiting classification* is drawn (beside the included box) only when
  some works are still undecided.
* If nothing was identified by other methods, the single-column template
  (databases and registers only) is drawn.

Boxes have a fixed width per column and grow downwards to fit their text,
which is wrapped by measuring it in the figure font; so long reason lists,
long database names and large counts lay out without overlap.
:func:`layout_prisma` computes the geometry (pure, testable);
:func:`draw_prisma` draws it; :func:`save_prisma` writes SVG, PNG and PDF.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.textpath import TextToPath

from srma.figures import style
from srma.prisma import as_mapping, get, sub_boxes

# Geometry, in inches.
MARGIN = 0.12
PHASE_W = 0.30
PHASE_GAP = 0.12
MAIN_W = 2.05
SIDE_W = 2.45
H_GAP = 0.32  # between a main box and its side box (horizontal arrow)
GROUP_GAP = 0.40  # between the two columns
ROW_GAP = 0.28  # between rows (vertical arrows)
PAD_X = 0.08
PAD_Y = 0.07
INDENT = 0.12  # per list level
HANGING = 0.10  # extra indent of a wrapped list line
SLACK = 0.04  # width kept free in each box, for viewers whose fallback font is wider

FONT_SIZE = style.FONT_SIZES["small"] + 0.5  # 7.5 pt
HEADER_SIZE = style.FONT_SIZE + 0.5  # 8.5 pt
LINE_H = FONT_SIZE * 1.32 / 72.0

PHASES: tuple[tuple[str, tuple[int, int]], ...] = (
    ("Identification", (1, 1)),
    ("Screening", (2, 4)),
    ("Included", (5, 5)),
)


def fmt(n: int) -> str:
    """A count as the diagram shows it: ``1,234,567``."""
    return f"{int(n):,}"


# --------------------------------------------------------------------------- text


@dataclass(frozen=True)
class Text:
    """A paragraph, wrapped on spaces."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class Entry:
    """A list entry ``label (n = count)``; the count never breaks across lines."""

    label: str
    n: int
    level: int = 0


Item = Text | Entry


@dataclass(frozen=True)
class Line:
    """One laid-out line of text; ``indent`` in inches from the box's text edge."""

    text: str
    bold: bool = False
    indent: float = 0.0


@lru_cache(maxsize=16)
def _font(size: float, bold: bool) -> FontProperties:
    return FontProperties(family=style.FONT_FAMILY, size=size, weight="bold" if bold else "normal")


_TEXT_TO_PATH = TextToPath()


@lru_cache(maxsize=4096)
def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """Width of ``text`` in inches, in the figure font."""
    width, _, _ = _TEXT_TO_PATH.get_text_width_height_descent(text, _font(size, bold), ismath=False)
    return width / 72.0


def _break_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    """Split a word that is wider than ``width`` into pieces that fit."""
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and text_width(current + ch, size, bold) > width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def wrap(
    tokens: Sequence[str],
    width: float,
    *,
    size: float = FONT_SIZE,
    bold: bool = False,
    first_indent: float = 0.0,
    next_indent: float = 0.0,
) -> list[Line]:
    """Greedy word wrap of ``tokens`` (joined by spaces) by measured width."""
    lines: list[Line] = []
    current: list[str] = []
    indent = first_indent
    queue = list(tokens)
    while queue:
        token = queue.pop(0)
        avail = width - indent
        trial = " ".join([*current, token])
        if text_width(trial, size, bold) <= avail:
            current.append(token)
            continue
        if current:
            lines.append(Line(" ".join(current), bold, indent))
            current, indent = [], next_indent
            queue.insert(0, token)
            continue
        # a single token wider than the line: break it
        pieces = _break_word(token, width - indent, size, bold)
        lines.append(Line(pieces[0], bold, indent))
        indent = next_indent
        queue[:0] = pieces[1:]
    if current:
        lines.append(Line(" ".join(current), bold, indent))
    return lines


def lay_out_items(items: Iterable[Item], width: float, size: float = FONT_SIZE) -> list[Line]:
    """Wrap box content to ``width`` inches of text."""
    lines: list[Line] = []
    for item in items:
        if isinstance(item, Text):
            lines += wrap(item.text.split(), width, size=size, bold=item.bold)
        else:
            indent = INDENT * item.level
            tokens = [*item.label.split(), f"(n = {fmt(item.n)})"]
            lines += wrap(
                tokens, width, size=size, first_indent=indent, next_indent=indent + HANGING
            )
    return lines


# --------------------------------------------------------------------------- layout


@dataclass
class Box:
    """A box of the diagram; ``y`` is its top, measured downwards from the figure top."""

    key: str
    x: float
    y: float
    w: float
    h: float
    lines: list[Line]
    align: str = "center"  # or "left"
    kind: str = "box"  # "box", "header" or "phase"
    size: float = FONT_SIZE

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class PrismaLayout:
    """Geometry of the diagram, in inches (y downwards)."""

    width: float
    height: float
    boxes: dict[str, Box] = field(default_factory=dict)
    arrows: list[list[tuple[float, float]]] = field(default_factory=list)


def _content(counts: pd.DataFrame) -> tuple[dict[str, tuple[list[Item], str]], bool]:
    """What each box says: ``{key: (items, align)}`` and whether there is a right column."""
    t = as_mapping(counts)

    def n(stream: str, box: str) -> int:
        return get(t, stream, box)

    def removed(stream: str) -> list[Item]:
        return [
            Text("Records removed before screening:"),
            Entry("Duplicate records removed", n(stream, "duplicates_removed")),
            Entry("Records removed for other reasons", n(stream, "records_removed_other")),
        ]

    def excluded_reports(stream: str) -> tuple[list[Item], str]:
        reasons = sub_boxes(t, stream, "reports_excluded")
        total = n(stream, "reports_excluded")
        if not reasons:
            return [Text("Reports excluded"), Text(f"(n = {fmt(total)})")], "center"
        items: list[Item] = [Text(f"Reports excluded (n = {fmt(total)}):")]
        return items + [Entry(reason, count) for reason, count in reasons], "left"

    def simple(label: str, stream: str, box: str) -> list[Item]:
        return [Text(label), Text(f"(n = {fmt(n(stream, box))})")]

    db_sources = sub_boxes(t, "databases", "records_identified")
    reg_sources = sub_boxes(t, "registers", "records_identified")
    identified: list[Item] = [
        Text("Records identified from:"),
        Entry("Databases", n("databases", "records_identified")),
        *[Entry(name, c, 1) for name, c in db_sources],
        Entry("Registers", n("registers", "records_identified")),
        *[Entry(name, c, 1) for name, c in reg_sources],
    ]
    content: dict[str, tuple[list[Item], str]] = {
        "L1": (identified, "left"),
        "L1s": (removed("databases"), "left"),
        "L2": (simple("Records screened", "databases", "records_screened"), "center"),
        "L2s": (simple("Records excluded", "databases", "records_excluded"), "center"),
        "L3": (simple("Reports sought for retrieval", "databases", "reports_sought"), "center"),
        "L3s": (
            simple("Reports not retrieved", "databases", "reports_not_retrieved"),
            "center",
        ),
        "L4": (
            simple("Reports assessed for eligibility", "databases", "reports_assessed"),
            "center",
        ),
        "L4s": excluded_reports("databases"),
        "L5": (
            [
                Text("Studies included in review"),
                Text(f"(n = {fmt(n('total', 'studies_included'))})"),
                Text("Reports of included studies"),
                Text(f"(n = {fmt(n('total', 'reports_included'))})"),
            ],
            "center",
        ),
    }
    right = (
        n("other_methods", "records_identified") > 0 or n("other_methods", "records_screened") > 0
    )
    if right:  # where the included studies came from
        items, align = content["L5"]
        split: list[Item] = [
            Text(f"{fmt(n('databases', 'studies_included'))} via databases and registers"),
            Text(f"{fmt(n('other_methods', 'studies_included'))} via other methods"),
        ]
        content["L5"] = (items[:2] + split + items[2:], align)
    if right:
        methods = sub_boxes(t, "other_methods", "records_identified")
        content.update(
            {
                "R1": (
                    [
                        Text("Records identified from:"),
                        Entry("Other methods", n("other_methods", "records_identified")),
                        *[Entry(m, c, 1) for m, c in methods],
                    ],
                    "left",
                ),
                "R1s": (removed("other_methods"), "left"),
                "R2": (
                    simple("Records screened", "other_methods", "records_screened"),
                    "center",
                ),
                "R2s": (
                    simple("Records excluded", "other_methods", "records_excluded"),
                    "center",
                ),
                "R3": (
                    simple("Reports sought for retrieval", "other_methods", "reports_sought"),
                    "center",
                ),
                "R3s": (
                    simple("Reports not retrieved", "other_methods", "reports_not_retrieved"),
                    "center",
                ),
                "R4": (
                    simple("Reports assessed for eligibility", "other_methods", "reports_assessed"),
                    "center",
                ),
                "R4s": excluded_reports("other_methods"),
            }
        )
    awaiting = n("total", "awaiting_classification")
    if awaiting:
        entries: list[Item] = [Text(f"Awaiting classification (n = {fmt(awaiting)}):")]
        names = {"databases": "Databases and registers", "other_methods": "Other methods"}
        stages = {"title_abstract": "title/abstract", "full_text": "full text"}
        for stream, name in names.items():
            for stage, label in stages.items():
                c = n(stream, f"awaiting_classification:{stage}")
                if c:
                    entries.append(Entry(f"{name}, {label}", c))
        content["A"] = (entries, "left")
    return content, right


def layout_prisma(counts: pd.DataFrame) -> PrismaLayout:
    """Compute the diagram's geometry from the counts table (see the module)."""
    content, right = _content(counts)
    x_phase = MARGIN
    x_l = x_phase + PHASE_W + PHASE_GAP
    x_ls = x_l + MAIN_W + H_GAP
    x_r = x_ls + SIDE_W + GROUP_GAP
    x_rs = x_r + MAIN_W + H_GAP
    width = (x_rs + SIDE_W if right else x_ls + SIDE_W) + MARGIN
    col_x = {"L": x_l, "Ls": x_ls, "R": x_r, "Rs": x_rs}

    def place(key: str) -> tuple[float, float]:
        if key == "A":
            return (x_rs, SIDE_W) if right else (x_ls, SIDE_W)
        side = key.endswith("s")
        col = key[0] + ("s" if side else "")
        return col_x[col], SIDE_W if side else MAIN_W

    layout = PrismaLayout(width=width, height=0.0)

    # header row
    y = MARGIN
    headers = {"HL": ("Identification of studies via databases and registers", x_l, x_ls + SIDE_W)}
    if right:
        headers["HR"] = ("Identification of studies via other methods", x_r, x_rs + SIDE_W)
    header_boxes = {}
    for key, (label, x0, x1) in headers.items():
        inner = x1 - x0 - 2 * PAD_X - SLACK
        lines = wrap(label.split(), inner, size=HEADER_SIZE, bold=True)
        h = 2 * PAD_Y + len(lines) * HEADER_SIZE * 1.32 / 72.0
        header_boxes[key] = Box(key, x0, y, x1 - x0, h, lines, "center", "header", HEADER_SIZE)
    header_h = max(b.h for b in header_boxes.values())
    for b in header_boxes.values():
        b.h = header_h
        layout.boxes[b.key] = b
    y += header_h + ROW_GAP * 0.8

    # rows 1..5
    row_keys: dict[int, list[str]] = {r: [] for r in range(1, 6)}
    for key in content:
        row = 5 if key == "A" else int(key[1])
        row_keys[row].append(key)
    row_boxes: dict[int, list[Box]] = {}
    row_h: dict[int, float] = {}
    for row in range(1, 6):
        boxes = []
        for key in row_keys[row]:
            items, align = content[key]
            x, w = place(key)
            lines = lay_out_items(items, w - 2 * PAD_X - SLACK)
            h = 2 * PAD_Y + len(lines) * LINE_H
            boxes.append(Box(key, x, 0.0, w, h, lines, align))
        row_boxes[row] = boxes
        row_h[row] = max(b.h for b in boxes)
    # a phase bar must be tall enough for its (rotated) label: grow its last row
    for label, (first, last) in PHASES:
        need = text_width(label, HEADER_SIZE, True) + 2 * PAD_Y
        span = sum(row_h[r] for r in range(first, last + 1)) + ROW_GAP * (last - first)
        if span < need:
            row_h[last] += need - span
    row_top: dict[int, float] = {}
    for row in range(1, 6):
        for b in row_boxes[row]:
            b.y = y + (row_h[row] - b.h) / 2
            layout.boxes[b.key] = b
        row_top[row] = y
        y += row_h[row] + ROW_GAP
    layout.height = y - ROW_GAP + MARGIN

    # phase bars
    for label, (first, last) in PHASES:
        top = row_top[first]
        bottom = row_top[last] + row_h[last]
        layout.boxes[f"P:{label}"] = Box(
            f"P:{label}",
            x_phase,
            top,
            PHASE_W,
            bottom - top,
            [Line(label, True)],
            "center",
            "phase",
            HEADER_SIZE,
        )

    # arrows: down each main column, across to each side box, and from the
    # other-methods column's last box into the included box
    placed = layout.boxes
    columns = ("L", "R") if right else ("L",)
    for col in columns:
        last_row = 5 if col == "L" else 4
        for row in range(1, last_row):
            upper, lower = placed[f"{col}{row}"], placed[f"{col}{row + 1}"]
            layout.arrows.append([(upper.cx, upper.bottom), (upper.cx, lower.y)])
        for row in range(1, 5):
            main, side = placed[f"{col}{row}"], placed[f"{col}{row}s"]
            layout.arrows.append([(main.right, main.cy), (side.x, main.cy)])
    if right:
        src, dst = placed["R4"], placed["L5"]
        layout.arrows.append([(src.cx, src.bottom), (src.cx, dst.cy), (dst.right, dst.cy)])
    return layout


# --------------------------------------------------------------------------- drawing


def _draw_box(ax: object, box: Box) -> None:
    colour = style.ROLES
    if box.kind == "box":
        ax.add_patch(  # type: ignore[attr-defined]
            Rectangle(
                (box.x, box.y),
                box.w,
                box.h,
                facecolor=colour["box_fill"],
                edgecolor=colour["box_edge"],
                linewidth=0.8,
            )
        )
    else:
        fill = {
            "HL": colour["prisma_header_databases"],
            "HR": colour["prisma_header_other"],
        }.get(box.key, colour["prisma_phase"])
        ax.add_patch(  # type: ignore[attr-defined]
            FancyBboxPatch(
                (box.x, box.y),
                box.w,
                box.h,
                boxstyle="round,pad=0,rounding_size=0.06",
                facecolor=fill,
                edgecolor="none",
            )
        )
    if box.kind == "phase":
        ax.text(  # type: ignore[attr-defined]
            box.cx,
            box.cy,
            box.lines[0].text,
            rotation=90,
            ha="center",
            va="center",
            fontsize=box.size,
            fontweight="bold",
            color=colour["text"],
            parse_math=False,  # '$' in a name is text, not mathtext
        )
        return
    line_h = box.size * 1.32 / 72.0
    for i, line in enumerate(box.lines):
        yy = box.y + PAD_Y + (i + 0.5) * line_h
        if box.align == "left":
            xx, ha = box.x + PAD_X + line.indent, "left"
        else:
            xx, ha = box.cx, "center"
        ax.text(  # type: ignore[attr-defined]
            xx,
            yy,
            line.text,
            ha=ha,
            va="center_baseline",
            fontsize=box.size,
            fontweight="bold" if line.bold else "normal",
            color=colour["text"],
            parse_math=False,  # exclusion reasons and database names are users' text
        )


def draw_prisma(layout: PrismaLayout) -> Figure:
    """Draw a laid-out diagram on a new figure (call inside ``style.figure_style()``)."""
    fig = style.new_figure(layout.width, layout.height)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0.0, layout.width)
    ax.set_ylim(layout.height, 0.0)
    ax.set_axis_off()
    for box in layout.boxes.values():
        _draw_box(ax, box)
    for path in layout.arrows:
        for (x0, y0), (x1, y1) in zip(path[:-2], path[1:-1], strict=False):
            ax.plot([x0, x1], [y0, y1], color=style.ROLES["line"], linewidth=0.8)
        (x0, y0), (x1, y1) = path[-2], path[-1]
        ax.add_patch(
            FancyArrowPatch(
                (x0, y0),
                (x1, y1),
                arrowstyle="-|>",
                mutation_scale=7,
                linewidth=0.8,
                color=style.ROLES["line"],
                shrinkA=0,
                shrinkB=0,
            )
        )
    return fig


def prisma_figure(counts: pd.DataFrame) -> Figure:
    """The PRISMA 2020 flow diagram of a counts table."""
    with style.figure_style():
        return draw_prisma(layout_prisma(counts))


def save_prisma(
    counts: pd.DataFrame, stem: str | Path, formats: Iterable[str] = style.FORMATS
) -> list[Path]:
    """Draw the diagram and write ``stem.svg``, ``stem.png`` (300 dpi) and ``stem.pdf``."""
    fig = prisma_figure(counts)
    return style.save_figure_formats(fig, stem, formats)
