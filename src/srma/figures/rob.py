"""Risk-of-bias figures in the style of robvis: traffic-light plot and summary bar chart.

Two tools are supported, with their own vocabularies:

* ``"rob1"`` - Cochrane risk-of-bias tool 1 (RevMan): judgements *Low risk*, *Unclear
  risk*, *High risk*; seven domains, from random sequence generation to other bias.
* ``"rob2"`` - RoB 2: judgements *Low*, *Some concerns*, *High*; five domains D1-D5.

Both also accept *No information*.  Judgements are given as text, in any of the
spellings people type (``"Low risk"``, ``"low"``, ``"+"``, ``"Some concerns"``,
``"unclear"``, ``"?"`` ...) and normalised by :func:`normalise_judgement` to one of
the codes in :data:`JUDGEMENT_CODES`.

The figures follow robvis (McGuinness & Higgins 2021): coloured circles with a
symbol (``+`` low, ``-`` unclear / some concerns, ``x`` high, ``?`` no information),
a grey *Overall* column, a legend and a caption naming the domains; and stacked
horizontal percentage bars per domain, *Overall* in bold at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.patches as mpatches
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from srma.errors import InputError, Problem
from srma.figures import style

__all__ = [
    "JUDGEMENT_CODES",
    "ROB1_DOMAINS",
    "ROB2_DOMAINS",
    "RobData",
    "RobStudy",
    "build_rob_summary_figure",
    "build_rob_traffic_light_figure",
    "domain_proportions",
    "judgement_label",
    "normalise_judgement",
    "percent_labels",
    "plot_rob_summary",
    "plot_rob_traffic_light",
]

#: Normalised judgement codes, from best to worst, then "no information".
JUDGEMENT_CODES: tuple[str, ...] = ("low", "unclear", "some_concerns", "high", "no_information")

#: The seven domains of Cochrane's RoB 1 tool, as RevMan names them.
ROB1_DOMAINS: tuple[str, ...] = (
    "Random sequence generation (selection bias)",
    "Allocation concealment (selection bias)",
    "Blinding of participants and personnel (performance bias)",
    "Blinding of outcome assessment (detection bias)",
    "Incomplete outcome data (attrition bias)",
    "Selective reporting (reporting bias)",
    "Other bias",
)

#: The five domains of RoB 2, as robvis names them.
ROB2_DOMAINS: tuple[str, ...] = (
    "Bias arising from the randomization process",
    "Bias due to deviations from intended intervention",
    "Bias due to missing outcome data",
    "Bias in measurement of the outcome",
    "Bias in selection of the reported result",
)

_TOOLS = ("rob1", "rob2")

# Spellings accepted for each code (compared lower-cased, spaces/underscores/hyphens
# collapsed to one space).  "some concerns" and "unclear" are kept apart so that each
# tool can label them in its own words; they share a colour.
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "low": ("low", "low risk", "low risk of bias", "l", "+"),
    "unclear": ("unclear", "unclear risk", "unclear risk of bias", "u", "?"),
    "some_concerns": ("some concerns", "some concern", "moderate", "s", "m", "!"),
    "high": ("high", "high risk", "high risk of bias", "h", "-", "x", "serious"),
    "no_information": ("no information", "no info", "ni", "n", "not reported", "n/a"),
}
_LOOKUP = {spelling: code for code, spellings in _SPELLINGS.items() for spelling in spellings}

# Labels per tool.  RoB 1 has no separate "some concerns": it is its "unclear".
_LABELS: dict[str, dict[str, str]] = {
    "rob1": {
        "low": "Low risk",
        "unclear": "Unclear risk",
        "some_concerns": "Unclear risk",
        "high": "High risk",
        "no_information": "No information",
    },
    "rob2": {
        "low": "Low",
        "unclear": "Some concerns",
        "some_concerns": "Some concerns",
        "high": "High",
        "no_information": "No information",
    },
}

# robvis symbols (ggplot shapes 43, 45, 120, 63): + low, - some concerns, x high, ? no info.
TRAFFIC_SYMBOLS: dict[str, str] = {
    "low": "+",
    "unclear": "\u2212",
    "some_concerns": "\u2212",
    "high": "\u00d7",
    "no_information": "?",
}

# RevMan's symbols for the risk-of-bias dots beside a forest plot: + / ? / -.
REVMAN_SYMBOLS: dict[str, str] = {
    "low": "+",
    "unclear": "?",
    "some_concerns": "?",
    "high": "\u2212",
    "no_information": "?",
}


def normalise_judgement(
    text: str | None,
    *,
    file: str | None = None,
    row: int | None = None,
    column: str | None = None,
) -> str | None:
    """Map a typed risk-of-bias judgement to one of :data:`JUDGEMENT_CODES`.

    Parameters
    ----------
    text
        The judgement as typed (``"Low risk"``, ``"some concerns"``, ``"+"``...).
        ``None`` or an empty string mean "not assessed" and give ``None``.
    file, row, column
        Where the value came from, for the error message.

    Returns
    -------
    str or None
        The code, or ``None`` when no judgement was given.

    Raises
    ------
    InputError
        When the text is not a known judgement.
    """
    if text is None:
        return None
    key = " ".join(str(text).strip().lower().replace("_", " ").replace("-", " - ").split())
    key = key.replace(" - ", " ") if key != "-" else key
    if key == "":
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    if key in JUDGEMENT_CODES:
        return key
    raise InputError(
        "unknown risk-of-bias judgement",
        file=file,
        row=row,
        column=column,
        value=text,
        hint="write one of Low, Unclear, Some concerns, High or No information "
        "(RoB 1 also accepts 'Low risk', 'Unclear risk', 'High risk')",
    )


def judgement_label(code: str, tool: str) -> str:
    """The label of a judgement code in the words of ``tool`` (``"rob1"`` or ``"rob2"``)."""
    return _LABELS[_check_tool(tool)][code]


def _check_tool(tool: str) -> str:
    if tool not in _TOOLS:
        raise ValueError(f"tool must be one of {_TOOLS}, not {tool!r}")
    return tool


@dataclass(frozen=True)
class RobStudy:
    """One study's risk-of-bias assessment.

    Attributes
    ----------
    label
        Study label, e.g. ``"Tan 2016"``.
    judgements
        One judgement per domain, in the order of :attr:`RobData.domains`; codes of
        :data:`JUDGEMENT_CODES` or any spelling :func:`normalise_judgement` accepts;
        ``None`` for a domain not assessed (drawn as an empty cell).
    overall
        Overall judgement, or ``None``.
    weight
        The study's weight for a weighted summary plot (any positive scale).
    """

    label: str
    judgements: tuple[str | None, ...]
    overall: str | None = None
    weight: float | None = None


@dataclass(frozen=True)
class RobData:
    """What the risk-of-bias figures need.

    Attributes
    ----------
    studies
        The assessments, in the order the rows are drawn.
    tool
        ``"rob1"`` or ``"rob2"``.
    domains
        Full domain names; default :data:`ROB1_DOMAINS` or :data:`ROB2_DOMAINS`.
    short_labels
        Column headings of the traffic-light plot; default ``D1``, ``D2``...
    """

    studies: tuple[RobStudy, ...]
    tool: str = "rob1"
    domains: tuple[str, ...] = ()
    short_labels: tuple[str, ...] = ()
    _codes: tuple[tuple[str | None, ...], ...] = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        _check_tool(self.tool)
        if not self.domains:
            default = ROB1_DOMAINS if self.tool == "rob1" else ROB2_DOMAINS
            object.__setattr__(self, "domains", default)
        if not self.short_labels:
            labels = tuple(f"D{i + 1}" for i in range(len(self.domains)))
            object.__setattr__(self, "short_labels", labels)
        if len(self.short_labels) != len(self.domains):
            raise ValueError("short_labels and domains differ in length")
        problems: list[Problem] = []
        codes: list[tuple[str | None, ...]] = []
        for i, study in enumerate(self.studies, start=1):
            if len(study.judgements) != len(self.domains):
                problems.append(
                    Problem(
                        f"{len(study.judgements)} judgements for {len(self.domains)} domains",
                        row=i,
                        column="judgements",
                        value=study.label,
                        hint="give one judgement per domain, empty for a domain not assessed",
                    )
                )
                codes.append(())
                continue
            row: list[str | None] = []
            for name, value in [
                *zip(self.short_labels, study.judgements, strict=False),
                ("Overall", study.overall),
            ]:
                try:
                    row.append(normalise_judgement(value, row=i, column=name))
                except InputError as error:
                    problems.extend(error.problems)
                    row.append(None)
            codes.append(tuple(row))
        if problems:
            raise InputError(problems=problems)
        object.__setattr__(self, "_codes", tuple(codes))

    @property
    def codes(self) -> tuple[tuple[str | None, ...], ...]:
        """Normalised codes per study: the domains, then the overall judgement."""
        return self._codes

    @property
    def has_overall(self) -> bool:
        """Whether any study carries an overall judgement."""
        return any(row[-1] is not None for row in self._codes)


def domain_proportions(
    data: RobData, *, weighted: bool = False
) -> list[tuple[str, dict[str, float]]]:
    """Share of each judgement per domain (and *Overall*), as in robvis's summary plot.

    Parameters
    ----------
    data
        The assessments.
    weighted
        Weight each study by :attr:`RobStudy.weight` (all must be given and positive)
        instead of counting each study once.

    Returns
    -------
    list of (domain, {code: proportion})
        One entry per domain in order, then ``("Overall risk of bias", ...)`` when any
        study has an overall judgement.  Proportions of a domain sum to 1 over the
        studies assessed in it; codes absent from the domain are omitted.
    """
    if weighted:
        bad = [s.label for s in data.studies if s.weight is None or not s.weight > 0]
        if bad:
            raise ValueError(f"weighted summary needs a positive weight for every study: {bad}")
    names = list(data.domains)
    columns = list(range(len(names)))
    if data.has_overall:
        names.append("Overall risk of bias")
        columns.append(len(data.domains))
    out: list[tuple[str, dict[str, float]]] = []
    for name, j in zip(names, columns, strict=False):
        totals: dict[str, float] = {}
        for study, row in zip(data.studies, data.codes, strict=False):
            code = row[j] if j < len(row) else None
            if code is None:
                continue
            w = float(study.weight) if weighted else 1.0  # type: ignore[arg-type]
            key = "some_concerns" if code == "unclear" else code
            totals[key] = totals.get(key, 0.0) + w
        grand = sum(totals.values())
        shares = {c: totals[c] / grand for c in _SUMMARY_ORDER if c in totals and grand > 0}
        out.append((name, shares))
    return out


# Order of the stacked segments, left to right (robvis: low first).
_SUMMARY_ORDER = ("low", "some_concerns", "high", "no_information")


def percent_labels(shares: dict[str, float]) -> dict[str, int]:
    """Whole percentages that add up to 100 (largest remainder), for the bar labels.

    Parameters
    ----------
    shares
        Proportions summing to 1, as :func:`domain_proportions` gives per domain.

    Returns
    -------
    dict
        The same keys, integer percentages summing to 100 (empty input: empty output).
    """
    if not shares:
        return {}
    raw = {k: v * 100 for k, v in shares.items()}
    out = {k: int(v) for k, v in raw.items()}
    short = 100 - sum(out.values())
    order = sorted(
        raw,
        key=lambda k: (
            -(raw[k] - out[k]),
            _SUMMARY_ORDER.index(k) if k in _SUMMARY_ORDER else 99,
            k,
        ),
    )
    for k in order[: max(short, 0)]:
        out[k] += 1
    return out


# ---------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------

_PT = 1.0 / 72.0
_STRIP = "#A9A9A9"  # robvis facet strips
_OVERALL_PANEL = "#D3D3D3"  # robvis: grey panel behind the Overall column
_PANEL_EDGE = "#BEBEBE"
# Legend order of robvis: worst first.
_LEGEND_ORDER = ("high", "some_concerns", "unclear", "low", "no_information")


def _font(size: float, bold: bool = False) -> FontProperties:
    return FontProperties(family=style.FONT_FAMILY, size=size, weight="bold" if bold else "normal")


def _width(fig: Figure, text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in points."""
    if not text:
        return 0.0
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    w, _, _ = renderer.get_text_width_height_descent(text, _font(size, bold), ismath=False)
    return w * 72.0 / fig.dpi


def _text(
    ax,
    x,
    y,
    s,
    size,
    *,
    ha="left",
    va="center_baseline",
    bold=False,
    rotation=0,
    colour=None,
    gid=None,
):  # type: ignore[no-untyped-def]
    return ax.text(
        x,
        y,
        s,
        ha=ha,
        va=va,
        fontproperties=_font(size, bold),
        rotation=rotation,
        color=colour or style.ROLES["text"],
        parse_math=False,
        gid=gid,
    )


def _legend_codes(data: RobData) -> list[str]:
    present = {c for row in data.codes for c in row if c is not None}
    if data.tool == "rob1":
        present = {"unclear" if c == "some_concerns" else c for c in present}
    else:
        present = {"some_concerns" if c == "unclear" else c for c in present}
    return [c for c in _LEGEND_ORDER if c in present]


def build_rob_traffic_light_figure(data: RobData) -> Figure:
    """robvis-style traffic-light plot: studies by domains (and *Overall*), nothing saved."""
    with style.figure_style():
        return _traffic_light(data)


def _traffic_light(data: RobData) -> Figure:
    fig = style.new_figure(1.0, 1.0)
    fs = style.FONT_SIZES["base"]
    small = style.FONT_SIZES["small"]
    margin, pad = 8.0, 8.0
    cell = 22.0
    radius = 8.0
    overall = data.has_overall
    headers = list(data.short_labels) + (["Overall"] if overall else [])
    n_cols = len(headers)

    axis_title_w = fs * 1.6  # rotated "Study"
    label_w = max([_width(fig, s.label, fs) for s in data.studies] + [0.0]) + 2 * pad
    grid_x0 = margin + axis_title_w + label_w
    col_w = [max(cell, _width(fig, h, fs) + 8.0) for h in headers]
    col_x = [grid_x0 + sum(col_w[:j]) for j in range(n_cols)]
    grid_w = sum(col_w)
    caption = ["Domains:"] + [
        f"{s}: {d}." for s, d in zip(data.short_labels, data.domains, strict=False)
    ]
    caption_w = max(_width(fig, line, small) for line in caption)
    codes = _legend_codes(data)
    legend_title = "Judgement"
    entry_h = 14.0
    legend_w = max(
        [_width(fig, legend_title, small, bold=True)]
        + [14.0 + _width(fig, judgement_label(c, data.tool), small) for c in codes]
    )
    width = max(grid_x0 + grid_w, margin + caption_w + 16.0 + legend_w) + margin

    strip_h = fs * 1.9
    top = margin
    grid_y0 = top + 2 * strip_h
    n_rows = len(data.studies)
    grid_h = n_rows * cell
    below_y = grid_y0 + grid_h + 10.0
    caption_h = len(caption) * small * 1.45
    legend_h = small * 1.6 + len(codes) * entry_h
    height = below_y + max(caption_h, legend_h) + margin

    fig.set_size_inches(width * _PT, height * _PT)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()

    # strips: "Risk of bias domains", one per column
    ax.add_patch(
        mpatches.Rectangle((grid_x0, top), grid_w, strip_h, facecolor=_STRIP, edgecolor="none")
    )
    _text(
        ax,
        grid_x0 + grid_w / 2,
        top + strip_h / 2,
        "Risk of bias domains",
        fs,
        ha="center",
        gid="header_domains",
    )
    for j, head in enumerate(headers):
        x, w = col_x[j], col_w[j]
        ax.add_patch(
            mpatches.Rectangle(
                (x, top + strip_h), w, strip_h, facecolor=_STRIP, edgecolor="white", linewidth=0.8
            )
        )
        _text(ax, x + w / 2, top + 1.5 * strip_h, head, fs, ha="center", gid=f"header_{j}")
    # rows
    _text(
        ax,
        margin + axis_title_w / 2,
        grid_y0 + grid_h / 2,
        "Study",
        fs,
        ha="center",
        va="center",
        rotation=90,
        gid="axis_study",
    )
    symbol_size = fs + 1
    for i, (study, row) in enumerate(zip(data.studies, data.codes, strict=False)):
        y = grid_y0 + i * cell
        ax.add_patch(
            mpatches.Rectangle(
                (margin + axis_title_w, y),
                label_w,
                cell,
                facecolor=_STRIP,
                edgecolor="white",
                linewidth=0.8,
            )
        )
        _text(ax, margin + axis_title_w + pad, y + cell / 2, study.label, fs, gid=f"study_{i}")
        cells = list(row[:-1]) + ([row[-1]] if overall else [])
        for j, code in enumerate(cells):
            x, w = col_x[j], col_w[j]
            is_overall = overall and j == n_cols - 1
            ax.add_patch(
                mpatches.Rectangle(
                    (x, y),
                    w,
                    cell,
                    facecolor=_OVERALL_PANEL if is_overall else "white",
                    edgecolor=_PANEL_EDGE,
                    linewidth=0.6,
                )
            )
            if code is None:
                continue
            cx, cy = x + w / 2, y + cell / 2
            ax.add_patch(
                mpatches.Circle(
                    (cx, cy),
                    radius,
                    facecolor=style.ROB_COLOURS[code],
                    edgecolor=style.ROLES["line"],
                    linewidth=0.6,
                )
            )
            _text(
                ax,
                cx,
                cy,
                TRAFFIC_SYMBOLS[code],
                symbol_size,
                ha="center",
                va="center",
                bold=True,
                gid=f"cell_{i}_{j}",
            )
    # caption (domains) on the left, legend on the right
    for k, line in enumerate(caption):
        _text(ax, margin, below_y + (k + 0.5) * small * 1.45, line, small, gid=f"caption_{k}")
    lx = width - margin - legend_w
    _text(ax, lx, below_y + small * 0.8, legend_title, small, bold=True, gid="legend_title")
    for k, code in enumerate(codes):
        cy = below_y + small * 1.6 + (k + 0.5) * entry_h
        ax.add_patch(
            mpatches.Circle(
                (lx + 5.5, cy),
                5.5,
                facecolor=style.ROB_COLOURS[code],
                edgecolor=style.ROLES["line"],
                linewidth=0.5,
            )
        )
        _text(ax, lx + 5.5, cy, TRAFFIC_SYMBOLS[code], small, ha="center", va="center", bold=True)
        _text(ax, lx + 14.0, cy, judgement_label(code, data.tool), small, gid=f"legend_{code}")
    return fig


def build_rob_summary_figure(
    data: RobData, *, weighted: bool = False, show_percent: bool = True
) -> Figure:
    """robvis-style summary plot: stacked percentage bars per domain, nothing saved.

    Parameters
    ----------
    data
        The assessments.
    weighted
        Weight studies by :attr:`RobStudy.weight` (e.g. their weight in the meta-analysis).
    show_percent
        Write each segment's percentage inside it (segments of 8% or more).
    """
    with style.figure_style():
        return _summary(data, weighted=weighted, show_percent=show_percent)


def _summary(data: RobData, *, weighted: bool, show_percent: bool) -> Figure:
    shares = domain_proportions(data, weighted=weighted)
    n = len(shares)
    fig = style.new_figure(style.WIDTH_DOUBLE, 0.9 + 0.3 * n)
    ax = fig.add_subplot()
    small = style.FONT_SIZES["small"]
    dark = {"high"}  # white text on dark red
    for i, (_name, props) in enumerate(shares):
        y = n - 1 - i  # first domain on top, Overall at the bottom
        left = 0.0
        labels = percent_labels(props)
        for code in _SUMMARY_ORDER:
            p = props.get(code, 0.0)
            if p <= 0:
                continue
            ax.barh(
                y,
                p * 100,
                left=left * 100,
                height=0.7,
                color=style.ROB_COLOURS[code],
                edgecolor=style.ROLES["line"],
                linewidth=0.6,
            )
            if show_percent and p >= 0.08:
                ax.text(
                    (left + p / 2) * 100,
                    y,
                    f"{labels[code]}%",
                    ha="center",
                    va="center_baseline",
                    fontsize=small,
                    parse_math=False,
                    color="white" if code in dark else style.ROLES["text"],
                    gid=f"share_{i}_{code}",
                )
            left += p
    ax.set_yticks(range(n), [name for name, _ in reversed(shares)])
    if data.has_overall:
        ax.get_yticklabels()[0].set_fontweight("bold")
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    label = "weighted by study weight" if weighted else "each study counted once"
    ax.set_xlabel(f"Studies ({label})", fontsize=small)
    present = [c for c in _SUMMARY_ORDER if any(c in p for _, p in shares)]
    codes_for_label = {"some_concerns": "unclear" if data.tool == "rob1" else "some_concerns"}
    handles = [
        mpatches.Patch(
            facecolor=style.ROB_COLOURS[c],
            edgecolor=style.ROLES["line"],
            linewidth=0.6,
            label=judgement_label(codes_for_label.get(c, c), data.tool),
        )
        for c in present
    ]
    height = fig.get_figheight()
    legend_h = 0.34  # inches kept free at the bottom for the legend
    fig.tight_layout(pad=0.4, rect=(0.0, legend_h / height, 1.0, 1.0))
    box = ax.get_position()
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(box.x0 + box.width / 2, 0.02),
        ncols=len(handles),
        frameon=True,
        edgecolor=style.ROLES["line"],
        fontsize=small,
        handlelength=1.2,
        columnspacing=1.5,
    )
    return fig


def plot_rob_traffic_light(data: RobData, prefix: str | Path) -> list[Path]:
    """Draw the traffic-light plot and save ``prefix.svg``, ``.png`` and ``.pdf``."""
    return style.save_figure_formats(build_rob_traffic_light_figure(data), prefix)


def plot_rob_summary(
    data: RobData, prefix: str | Path, *, weighted: bool = False, show_percent: bool = True
) -> list[Path]:
    """Draw the summary bar chart and save ``prefix.svg``, ``.png`` and ``.pdf``."""
    fig = build_rob_summary_figure(data, weighted=weighted, show_percent=show_percent)
    return style.save_figure_formats(fig, prefix)
