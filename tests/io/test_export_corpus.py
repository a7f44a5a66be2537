"""Every sample export in ../shared/benchmarks/exports goes through read_export.

Record counts are checked against counts made here without the reader (marker
lines, ``<record>`` elements, csv module rows ...) and against the ``records``
column of the folder's README.md where it gives one.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

from srma.records import RecordSchema

EXPORTS = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "exports"
FILES = (
    sorted(
        str(p.relative_to(EXPORTS)) for p in EXPORTS.rglob("*") if p.is_file() and p.suffix != ".md"
    )
    if EXPORTS.is_dir()
    else []
)

#: Expected format by folder; a few files are named explicitly.
FORMAT_BY_FOLDER = {
    "ris": "ris",
    "pubmed_nbib": "nbib",
    "wos_plaintext": "wos_plaintext",
    "wos_tabdelimited": "wos_tabdelimited",
    "bibtex": "bibtex",
    "endnote_xml": "endnote_xml",
    "ebsco_csv": "csv",
    "embase_csv": "csv",
    "other_csv": "csv",
    "pubmed_csv": "csv",
    "scopus_csv": "csv",
    "tsv": "tsv",
    "xlsx": "xlsx",
}
FORMAT_BY_FILE = {
    "endnote_tagged/colrev_ais_enl.txt": "endnote_tagged",
    # EndNote's tab-delimited export (a header row), not %-tagged
    "endnote_tagged/asysd_test_export_tab.txt": "tsv",
    "embase_csv/cff_baseline_embase.xlsx": "xlsx",
}
#: Slow to parse (bibtexparser reads ~300 entries a second): full file marked slow,
#: a 120-entry prefix is read in the fast suite (test_bibtex.py).
SLOW = {"bibtex/asysd_zotero_export.bib"}


def params(files: list[str]) -> list:
    return [pytest.param(f, marks=pytest.mark.slow) if f in SLOW else f for f in files]


TITLE_HEADERS = {"title", "article title", "document title", "display_name", "title primary"}


def expected_format(relative: str) -> str:
    return FORMAT_BY_FILE.get(relative) or FORMAT_BY_FOLDER[relative.split("/")[0]]


def readme_counts() -> dict[str, int]:
    """``records`` column of README.md's per-file table (blank cells left out)."""
    counts: dict[str, int] = {}
    for line in (EXPORTS / "README.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name = cells[0].strip("`")
        if cells[7].isdigit():
            counts[name] = int(cells[7])
    return counts


def _table_rows_after_header(rows: list[list[str]]) -> int:
    """Non-empty rows after the first row naming a title column."""
    for index, row in enumerate(rows):
        if {c.strip().lower() for c in row} & TITLE_HEADERS:
            return sum(1 for r in rows[index + 1 :] if any(c.strip() for c in r))
    raise AssertionError("no header row with a title column")


def independent_count(path: Path, fmt: str) -> int:
    """Number of records, counted without srma's readers."""
    data = path.read_bytes()
    if fmt == "ris":
        # 'ER  -' at a line start; WoS RIS uses bare CRs, so accept those as line ends
        return len(re.findall(rb"(?:^|[\r\n])ER  -", data))
    if fmt == "nbib":
        return len(re.findall(rb"(?m)^OWN - ", data))  # one owner line per MEDLINE record
    if fmt == "wos_plaintext":
        return len(re.findall(rb"(?m)^ER\s*$", data))
    if fmt == "bibtex":
        return len(re.findall(rb"(?mi)^\s*@(?!comment|string|preamble)[a-z]+\s*\{", data))
    if fmt == "endnote_xml":
        return data.count(b"<record>")
    if fmt == "endnote_tagged":
        return len(re.findall(rb"(?m)^%T ", data))
    if fmt == "xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        rows = [["" if c is None else str(c) for c in r] for r in workbook.worksheets[0].values]
        workbook.close()
        return _table_rows_after_header(rows)
    if data.startswith(b"\xff\xfe"):
        text = data.decode("utf-16")
    else:
        text = data.decode("utf-8-sig")
    if fmt == "wos_tabdelimited":
        rows = list(
            csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
        )
        return sum(1 for r in rows[1:] if any(c.strip() for c in r))
    delimiter = "\t" if fmt == "tsv" else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return _table_rows_after_header(rows)


@pytest.mark.parametrize("relative", params(FILES))
def test_every_export_reads_completely(relative: str, load, exports_dir: Path) -> None:
    result = load(relative)
    fmt = expected_format(relative)
    assert result.format == fmt
    assert result.rejected.empty
    n = independent_count(exports_dir / relative, fmt)
    assert n > 0
    assert len(result.records) == n
    expected = readme_counts().get(relative)
    if expected is not None:
        assert len(result.records) == expected
    records = result.records
    RecordSchema.validate(records)
    # ids, positions and lines
    source = records["source_id"].iloc[0]
    assert list(records["record_id"]) == [f"{source}:{i}" for i in range(1, n + 1)]
    assert records["line"].is_monotonic_increasing
    assert records["line"].iloc[-1] > records["line"].iloc[0] or n == 1 or fmt == "endnote_xml"
    assert (records["raw"].str.len() > 0).all()
    assert (records["format"] == fmt).all()


@pytest.mark.parametrize("relative", params([f for f in FILES if not f.endswith(".xlsx")]))
def test_lines_point_at_the_record(relative: str, load, exports_dir: Path) -> None:
    """The 1-based ``line`` of each record is where its raw text starts in the file."""
    result = load(relative)
    raw_bytes = (exports_dir / relative).read_bytes()
    text = raw_bytes.decode(result.encoding).lstrip("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for line, raw in zip(result.records["line"], result.records["raw"], strict=True):
        first = raw.split("\n")[0]
        assert first[:100] in lines[line - 1], (line, first[:80])


def test_readme_lists_the_files(exports_dir: Path) -> None:
    counts = readme_counts()
    assert len(counts) >= 70
    assert counts["ris/other_sources/citesource_lens_343.ris"] == 343
