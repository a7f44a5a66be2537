from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import combinations

import pandas as pd
import pytest

from srma.figures import style
from srma.figures.prisma import (
    HANGING,
    PAD_X,
    fmt,
    layout_prisma,
    prisma_figure,
    save_prisma,
    text_width,
)
from srma.prisma import COUNT_COLUMNS, as_mapping, check_flow


def make_counts(
    databases,
    registers=(),
    methods=(),
    *,
    dup=0,
    removed=0,
    not_retrieved=0,
    reasons=(),
    included=0,
    awaiting_ta=0,
    awaiting_ft=0,
    om_dup=0,
    om_reasons=(),
    om_included=0,
) -> pd.DataFrame:
    """A consistent PRISMA counts table (checked with check_flow)."""

    def flow(stream, identified, dup, removed, not_retr, reasons, included, a_ta, a_ft):
        screened = identified - dup - removed
        excluded_ft = sum(n for _, n in reasons)
        assessed = excluded_ft + included
        sought = not_retr + assessed + a_ft
        rows = [
            (stream, "duplicates_removed", dup),
            (stream, "records_removed_other", removed),
            (stream, "records_screened", screened),
            (stream, "records_excluded", screened - sought - a_ta),
            (stream, "reports_sought", sought),
            (stream, "reports_not_retrieved", not_retr),
            (stream, "reports_assessed", assessed),
            (stream, "reports_excluded", excluded_ft),
            *[(stream, f"reports_excluded:{r}", n) for r, n in reasons],
            (stream, "reports_included", included),
            (stream, "studies_included", included),
            (stream, "awaiting_classification", a_ta + a_ft),
            (stream, "awaiting_classification:title_abstract", a_ta),
            (stream, "awaiting_classification:full_text", a_ft),
        ]
        return rows

    def ident(stream, sources):
        return [(stream, "records_identified", sum(n for _, n in sources))] + [
            (stream, f"records_identified:{d}", n) for d, n in sources
        ]

    n_left = sum(n for _, n in databases) + sum(n for _, n in registers)
    rows = ident("databases", databases)
    rows += flow(
        "databases",
        n_left,
        dup,
        removed,
        not_retrieved,
        reasons,
        included,
        awaiting_ta,
        awaiting_ft,
    )
    rows += ident("registers", registers)
    rows += ident("other_methods", methods)
    rows += flow(
        "other_methods", sum(n for _, n in methods), om_dup, 0, 0, om_reasons, om_included, 0, 0
    )
    rows += [
        ("total", "studies_included", included + om_included),
        ("total", "reports_included", included + om_included),
        ("total", "awaiting_classification", awaiting_ta + awaiting_ft),
    ]
    counts = pd.DataFrame(rows, columns=COUNT_COLUMNS)
    check_flow(counts)
    return counts


EXAMPLE = dict(
    databases=[
        ("CINAHL", 150),
        ("Embase", 300),
        ("ProQuest", 80),
        ("PsycINFO", 140),
        ("PubMed", 90),
        ("Scopus", 233),
        ("Web of Science", 100),
    ],
    methods=[("Citation searching", 400), ("Hand searching", 76)],
    dup=925,
    reasons=[("wrong study design", 6), ("wrong intervention", 4), ("wrong population", 3)],
    included=13,
    om_dup=300,
    om_reasons=[("wrong study design", 3)],
    om_included=1,
)

LONG_DATABASES = [
    ("MEDLINE (Ovid) 1946 to present with daily update", 100_000),
    ("Embase.com", 100_001),
    ("CINAHL Complete (EBSCOhost)", 100_002),
    ("APA PsycINFO (Ovid)", 100_003),
    ("Scopus", 100_004),
    ("Web of Science Core Collection", 100_005),
    ("Cochrane Central Register of Controlled Trials (CENTRAL)", 100_006),
    ("ProQuest Dissertations & Theses Global", 100_007),
    ("LILACS", 100_008),
    ("Global Index Medicus", 100_009),
    ("ERIC", 100_010),
    ("Sociological Abstracts", 100_011),
]
LONG_REASONS = [
    (f"reason {i}: " + "wrong population or setting " * (1 + i % 3) + f"variant{i}", 10 + i)
    for i in range(15)
]


def stress_counts() -> pd.DataFrame:
    return make_counts(
        LONG_DATABASES,
        [("ClinicalTrials.gov", 1_234_567), ("WHO ICTRP", 4_321)],
        [("Citation searching", 1_234_567), ("Websites", 2_000), ("Organisations", 300)],
        dup=1_000_000,
        removed=1_234,
        not_retrieved=7,
        reasons=LONG_REASONS,
        included=100,
        awaiting_ta=50,
        awaiting_ft=40,
        om_dup=1_200_000,
        om_reasons=[("wrong design", 12)],
        om_included=3,
    )


CASES = {
    "example": lambda: make_counts(**EXAMPLE),
    "stress": stress_counts,
    "one_reason": lambda: make_counts(
        [("PubMed", 50)], dup=10, reasons=[("wrong population", 5)], included=5
    ),
    "no_reason": lambda: make_counts(
        [("PubMed", 50), ("Embase", 20)],
        methods=[("Citation searching", 5)],
        dup=10,
        included=5,
        om_dup=1,
    ),
}


def svg_texts(path) -> list[str]:
    root = ET.parse(path).getroot()
    return [el.text or "" for el in root.iter("{http://www.w3.org/2000/svg}text")]


def expected_counts(counts: pd.DataFrame) -> Counter:
    """Every "(n = ...)" the diagram must show, with multiplicity."""
    t = as_mapping(counts)
    two_columns = t[("other_methods", "records_identified")] > 0
    shown = Counter()
    for (stream, box), n in t.items():
        if stream == "total" and box == "awaiting_classification":
            if n:
                shown[fmt(n)] += 1
            continue
        if box.startswith("awaiting_classification"):
            if stream != "total" and ":" in box and n:
                shown[fmt(n)] += 1
            continue
        if box in ("reports_included", "studies_included") and stream != "total":
            continue  # the diagram has one included box (totals) ...
        if stream == "other_methods" and not two_columns:
            continue
        shown[fmt(n)] += 1
    return shown


@pytest.mark.parametrize("case", sorted(CASES))
def test_svg_text_contains_every_count(case, tmp_path):
    counts = CASES[case]()
    (svg,) = save_prisma(counts, tmp_path / case, formats=("svg",))
    text = "\n".join(svg_texts(svg))
    found = Counter(re.findall(r"\(n = ([\d,]+)\)", text))
    expected = expected_counts(counts)
    t = as_mapping(counts)
    if t[("other_methods", "records_identified")] > 0:
        # ... and says where the included studies came from
        assert f"{fmt(t[('databases', 'studies_included')])} via databases and registers" in text
        assert f"{fmt(t[('other_methods', 'studies_included')])} via other methods" in text
    assert found == expected
    # every database, register, method and reason is named next to its count
    for (stream, box), n in t.items():
        if ":" in box and not box.startswith("awaiting") and n:
            name = box.split(":", 1)[1]
            words = " ".join(text.split())
            assert f"{' '.join(name.split())} (n = {fmt(n)})" in words, (stream, box)


def test_example_svg_has_the_reference_numbers(tmp_path):
    (svg,) = save_prisma(make_counts(**EXAMPLE), tmp_path / "ex", formats=("svg",))
    texts = svg_texts(svg)
    for expected in (
        "Databases (n = 1,093)",
        "Other methods (n = 476)",
        "(n = 168)",
        "(n = 142)",
        "(n = 26)",
        "Reports excluded (n = 13):",
        "(n = 14)",
        "Reports excluded (n = 3):",
        "Duplicate records removed (n = 925)",
    ):
        assert any(expected in t for t in texts), expected
    raw = svg.read_text()
    # text is kept as text (svg.fonttype "none"): no glyph outlines are embedded
    assert "font-family: 'DejaVu Sans'" in raw and 'id="DejaVuSans-' not in raw
    assert "<dc:date>" not in raw


def test_renders_are_byte_identical(tmp_path):
    counts = make_counts(**EXAMPLE)
    first = save_prisma(counts, tmp_path / "a" / "prisma")
    second = save_prisma(counts, tmp_path / "b" / "prisma")
    assert [p.suffix for p in first] == [".svg", ".png", ".pdf"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    pdf = first[2].read_bytes()
    assert b"/CreationDate" not in pdf
    assert first[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # 300 dpi PNG: pixel width = inches x 300
    import struct

    width_px = struct.unpack(">I", first[1].read_bytes()[16:20])[0]
    assert width_px == round(layout_prisma(counts).width * style.DPI)


def _overlap(a, b, tol=1e-9) -> bool:
    return (
        a.x < b.right - tol
        and b.x < a.right - tol
        and a.y < b.bottom - tol
        and b.y < a.bottom - tol
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_layout_has_no_overlaps_and_text_fits(case):
    layout = layout_prisma(CASES[case]())
    boxes = list(layout.boxes.values())
    for a, b in combinations(boxes, 2):
        assert not _overlap(a, b), (a.key, b.key)
    for box in boxes:
        assert 0 <= box.x and box.right <= layout.width + 1e-9, box.key
        assert 0 <= box.y and box.bottom <= layout.height + 1e-9, box.key
        if box.kind == "phase":
            # the rotated label fits the bar's height
            assert text_width(box.lines[0].text, box.size, True) <= box.h, box.key
            continue
        for line in box.lines:
            width = text_width(line.text, box.size, line.bold) + line.indent
            assert width <= box.w - 2 * PAD_X + 1e-9, (box.key, line.text)
    # arrows start and end on box edges, never inside another box
    for path in layout.arrows:
        for (x0, y0), (x1, y1) in zip(path[:-1], path[1:], strict=True):
            for box in boxes:
                if box.kind != "box":
                    continue
                inside = (box.x + 1e-6 < (x0 + x1) / 2 < box.right - 1e-6) and (
                    box.y + 1e-6 < (y0 + y1) / 2 < box.bottom - 1e-6
                )
                assert not inside, (box.key, path)


def test_boxes_grow_to_fit():
    small = layout_prisma(CASES["one_reason"]())
    big = layout_prisma(CASES["stress"]())
    assert big.boxes["L4s"].h > 10 * small.boxes["L4s"].h
    assert len(big.boxes["L4s"].lines) >= 16
    # wrapped list entries are indented under their first line
    lines = big.boxes["L1"].lines
    assert any(line.indent > 0.12 + HANGING / 2 for line in lines)
    assert big.height > small.height


def test_single_column_without_other_methods():
    layout = layout_prisma(CASES["one_reason"]())
    assert "R1" not in layout.boxes and "HR" not in layout.boxes
    assert len(layout.arrows) == 8  # 4 down, 4 across
    two = layout_prisma(CASES["example"]())
    assert len(two.arrows) == 16  # left 8, right 3 down + 4 across, 1 elbow to included
    assert two.arrows[-1][-1] == (two.boxes["L5"].right, two.boxes["L5"].cy)
    assert "A" not in two.boxes  # nothing awaiting classification


def test_awaiting_classification_box():
    layout = layout_prisma(stress_counts())
    texts = [line.text for line in layout.boxes["A"].lines]
    assert texts[0] == "Awaiting classification (n = 90):"


def test_figure_uses_the_shared_style():
    fig = prisma_figure(make_counts(**EXAMPLE))
    texts = [t for ax in fig.axes for t in ax.texts]
    assert texts and all(
        t.get_fontfamily() == [style.FONT_FAMILY] or style.FONT_FAMILY in t.get_fontname()
        for t in texts
    )
