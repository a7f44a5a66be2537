"""Tabular exports: CSV, TSV and XLSX from Scopus, Embase, PubMed, EBSCO,
Cochrane, Covidence, Rayyan, Zotero, Lens, OpenAlex, IEEE Xplore, RefWorks,
EPPI-Reviewer and EndNote.

Columns are recognised by their (normalised) header names; the header row is
the first row, within the first :data:`HEADER_SEARCH_ROWS`, that names at least
two known columns, so preambles (Embase's ``"SEARCH QUERY"`` rows) are
skipped.  A few exports need their own rules ("profiles"): how author lists
are separated, what the ``Source`` column means, and Embase's older layout
where journal, year, volume, issue and pages sit in one ``Source`` cell.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from srma.io.fields import (
    Entry,
    doi_from_text,
    head,
    join_pages,
    pages_from_count,
    split_lines,
    split_top_level,
    split_values,
    unique,
)

#: How many rows may precede the header row.
HEADER_SEARCH_ROWS = 20
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_EXCEL_FORMULA = re.compile(r'^="(.*)"$', re.DOTALL)
_MISSING = frozenset({"NA", "N/A", "null", "NULL", "None", "#N/A"})
_SCOPUS_AUTHOR_ID = re.compile(r"\s*\(\d+\)\s*$")
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?)\s+\((?P<year>\d{4})\)\s*(?P<volume>[^:\s(.]+)?(?::(?P<issue>[^\s(.]+))?"
    r"(?:\s+\((?P<pages>[^)]*)\)|\s+Article\s+Number:\s*(?P<article>[^.\s]+))?"
)
_PUBMED_CITATION = re.compile(r";(?P<volume>[^(:;]+)?(?:\((?P<issue>[^)]+)\))?:(?P<pages>[^.;\s]+)")
_EBSCO_DB = re.compile(r"[?&]db=([^&\s]+)")


def normalise_header(name: str) -> str:
    """``'Author(s) ID'`` -> ``'author s id'``: lower case, other characters to one space."""
    return _NON_ALNUM.sub(" ", name.lower()).strip()


# normalised header -> role
ALIASES: dict[str, str] = {}
for _role, _names in {
    "title": [
        "title",
        "article title",
        "document title",
        "title primary",
        "display_name",
        "primary title",
    ],
    "authors": [
        "authors",
        "author",
        "author(s)",
        "author names",
        "author/s",
        "authorships.author.display_name",
        "authors, primary",
        "author list",
        "creator",
    ],
    "authors_full": ["author full names"],
    "year": ["year", "publication year", "published year", "pub year", "publication_year"],
    "date": [
        "publication date",
        "date published",
        "date",
        "date of publication",
        "issue date",
        "pub date free from",
    ],
    "journal": [
        "journal",
        "journal title",
        "source title",
        "publication title",
        "periodical full",
        "secondary title",
        "primary_location.source.display_name",
        "journal name",
        "publication name",
        "container title",
        "periodical",
    ],
    "journal_abbrev": [
        "abbreviated source title",
        "journal abbreviation",
        "periodical abbrev",
        "journal abbrev",
        "iso abbreviation",
        "journal/book",
    ],
    "issn": [
        "issn",
        "issns",
        "issn/isbn",
        "isbn/issn",
        "eissn",
        "e-issn",
        "primary_location.source.issn_l",
    ],
    "volume": ["volume"],
    "issue": ["issue", "issue number", "number"],
    "pages": ["pages"],
    "start_page": ["first page", "page start", "start page", "beginning page"],
    "end_page": ["last page", "page end", "end page", "ending page", "other pages"],
    "page_count": ["page count"],
    "article_number": ["art. no.", "article number"],
    "doi": ["doi"],
    "pmid": ["pmid", "pubmed id", "pubmed_id", "medline pmid", "ids.pmid", "pubmed"],
    "abstract": ["abstract", "abstract note"],
    "keywords": [
        "keywords",
        "author keywords",
        "index keywords",
        "subjects",
        "manual tags",
        "automatic tags",
        "mesh terms",
        "mesh_terms",
        "ieee terms",
        "inspec controlled terms",
        "emtree drug index terms (major focus)",
        "emtree drug index terms",
        "emtree medical index terms (major focus)",
        "emtree medical index terms",
        "keywords plus",
        "mesh headings",
        "subject headings",
    ],
    "language": ["language", "language of original document", "article language"],
    "record_type": [
        "document type",
        "publication type",
        "item type",
        "type",
        "reference type",
        "doctype",
    ],
    "accession": [
        "eid",
        "accession number",
        "lens id",
        "central id",
        "pui",
        "key",
        "id",
        "ut (unique wos id)",
        "embase accession number",
        "accession",
    ],
    "database": ["database", "database name", "name of database", "archive", "library catalog"],
    "url": [
        "url",
        "link",
        "links",
        "pdf link",
        "full text link",
        "link attachments",
        "external url",
        "open url link",
        "plink",
        "source urls",
        "doi link",
    ],
    "source": ["source"],
    "citation": ["citation"],
}.items():
    for _name in _names:
        ALIASES[normalise_header(_name)] = _role
#: Roles that identify a header row (a row naming two of them is the header).
_HEADER_ROLES = frozenset(
    {
        "title",
        "authors",
        "authors_full",
        "year",
        "journal",
        "doi",
        "pmid",
        "abstract",
        "issn",
        "volume",
        "accession",
    }
)


@dataclass(frozen=True)
class Row:
    """One data row: 1-based first and last physical line and its cells."""

    line: int
    end_line: int
    cells: list[str]


def csv_rows(text: str, delimiter: str) -> Iterator[Row]:
    """Rows of delimited text, with the physical lines each spans.

    Raises
    ------
    csv.Error
        On malformed input (the caller turns it into an InputError).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    for cells in reader:
        yield Row(line=previous + 1, end_line=reader.line_num, cells=cells)
        previous = reader.line_num


def _raise_field_limit() -> None:
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # pragma: no cover - 32-bit C long
            limit //= 2


def header_score(cells: Iterable[str]) -> int:
    """How many distinct known identifying columns a row names."""
    roles = {ALIASES.get(normalise_header(c)) for c in cells}
    return len(roles & _HEADER_ROLES)


def sniff_table(text: str) -> tuple[str, int] | None:
    """The delimiter and 0-based header row of a bibliographic table, or ``None``.

    Tries comma, tab, semicolon and pipe; the header is the first of the first
    :data:`HEADER_SEARCH_ROWS` rows that names at least two known columns.
    """
    _raise_field_limit()
    best: tuple[int, str, int] | None = None
    head = "\n".join(split_lines(text[:200_000])[: HEADER_SEARCH_ROWS + 5])
    for delimiter in (",", "\t", ";", "|"):
        if delimiter not in head:
            continue
        try:
            for index, row in enumerate(csv_rows(head, delimiter)):
                if index >= HEADER_SEARCH_ROWS:
                    break
                if len(row.cells) < 2:
                    continue
                score = header_score(row.cells)
                if score >= 2 and (best is None or score > best[0]):
                    best = (score, delimiter, index)
                    break
        except csv.Error:
            continue
    if best is None:
        return None
    return best[1], best[2]


def _clean_cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    m = _EXCEL_FORMULA.match(text)
    if m:
        text = m.group(1).strip()
    return "" if text in _MISSING else text


def _profile(keys: set[str]) -> str:
    if "author full names" in keys or ("eid" in keys and "source title" in keys):
        return "scopus"
    if "author names" in keys:
        return "embase"
    if "citation" in keys and "first author" in keys:
        return "pubmed"
    if "central id" in keys:
        return "cochrane"
    if "authorships author display name" in keys:
        return "openalex"
    if "authors primary" in keys:
        return "refworks"
    if "plink" in keys:
        return "ebsco"
    if "item type" in keys and "key" in keys and "publication title" in keys:
        return "zotero"
    return "generic"


def map_table(
    header: list[str],
    rows: Iterable[Row],
    raw_lines: list[str] | None = None,
    raw_of: Any = None,
) -> list[Entry]:
    """Map table rows onto record entries.

    Parameters
    ----------
    header
        The header cells.
    rows
        Data rows (after the header).
    raw_lines
        The text's physical lines, to give each entry its original text; if
        ``None``, ``raw_of(row)`` is called instead.
    raw_of
        Callable giving a row's original text when ``raw_lines`` is ``None``.
    """
    keys = [normalise_header(h) for h in header]
    roles_by_key = {k: ALIASES[k] for k in keys if k in ALIASES}
    profile = _profile(set(keys))
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    entries: list[Entry] = []
    for row in rows:
        cells = row.cells
        if not any(c.strip() for c in cells):
            continue
        raw = (
            "\n".join(raw_lines[row.line - 1 : row.end_line])
            if raw_lines is not None
            else raw_of(row)
        )
        if len(cells) < width:
            entries.append(
                Entry(
                    line=row.line,
                    raw=raw,
                    error=(
                        f"row has {len(cells)} fields but the header has {width} "
                        "(truncated file, or a quote or delimiter out of place)"
                    ),
                )
            )
            continue
        if any(c.strip() for c in cells[len(header) :]):
            entries.append(
                Entry(
                    line=row.line,
                    raw=raw,
                    error=(
                        f"row has {len(cells)} fields but the header has {width} "
                        "(a delimiter inside an unquoted value?)"
                    ),
                )
            )
            continue
        values: dict[str, list[tuple[str, str]]] = {}
        for key, cell in zip(keys, cells, strict=False):
            role = roles_by_key.get(key)
            if role is None:
                continue
            text = _clean_cell(cell)
            if text:
                values.setdefault(role, []).append((key, text))
        entries.append(Entry(line=row.line, raw=raw, fields=_map_row(values, profile)))
    return entries


def _vals(values: dict[str, list[tuple[str, str]]], role: str) -> list[str]:
    return [v for _, v in values.get(role, [])]


def _map_row(values: dict[str, list[tuple[str, str]]], profile: str) -> dict[str, Any]:
    v = lambda role: _vals(values, role)  # noqa: E731
    # authors
    if profile == "scopus" and v("authors_full"):
        authors = [_SCOPUS_AUTHOR_ID.sub("", a) for a in split_values(v("authors_full"), [";"])]
    elif profile in {"pubmed", "embase"}:
        authors = []
        for value in v("authors"):
            if profile == "pubmed":
                value = value.rstrip(".")  # "Griffin DK, Larkin DM, O'Connor RE."
            authors += split_top_level(value, ",")
    elif profile == "openalex":
        authors = split_values(v("authors"), ["|"])
    elif profile == "refworks":
        authors = split_values(v("authors"), [";"])
    else:
        authors = split_values(v("authors"), [";", "|", " and "])
    # keywords
    keywords: list[str] = []
    for _key, value in values.get("keywords", []):
        if profile == "embase" and ";" not in value:
            keywords += split_top_level(value, ",")
        else:
            keywords += split_values(value, [";", "|"])
    keywords = unique(keywords)

    journal = v("journal")
    year = v("year") + v("date")
    volume = v("volume")
    issue = v("issue")
    pages: list[str | None] = list(v("pages"))
    start = head(v("start_page"))
    end = head(v("end_page"))
    count = head(v("page_count"))
    if start and count and not end:
        pages.append(pages_from_count(start, count))
    elif start or end:
        pages.append(join_pages(start, end))
    pages += v("article_number")
    database = v("database")
    accession = v("accession")
    urls = v("url")

    source = v("source")
    if profile == "scopus":
        database += source
    elif profile == "cochrane":
        journal += source
    elif profile == "embase":
        for text in source:
            m = _EMBASE_SOURCE.match(text)
            if m:
                journal.append(m.group("journal"))
                year.append(m.group("year"))
                volume += [m.group("volume")] if m.group("volume") else []
                issue += [m.group("issue")] if m.group("issue") else []
                pages += [m.group("pages") or m.group("article")]
    if profile == "pubmed":
        for text in v("citation"):
            m = _PUBMED_CITATION.search(text)
            if m:
                volume += [m.group("volume")] if m.group("volume") else []
                issue += [m.group("issue")] if m.group("issue") else []
                pages += [m.group("pages")]
    if profile == "ebsco":
        database += [m.group(1) for m in (_EBSCO_DB.search(u) for u in urls) if m]
    if profile == "openalex":
        accession = [a.rsplit("/", 1)[-1] for a in accession]
    if profile == "zotero":  # Zotero's 'Key' is its own item key, not the database's id
        accession = [a for k, a in values.get("accession", []) if k != "key"]
    pmid = [p.rstrip("/").rsplit("/", 1)[-1] if "/" in p else p for p in v("pmid")]
    return {
        "database": database,
        "title": v("title"),
        "authors": authors,
        "year": year,
        "journal": journal,
        "journal_abbrev": v("journal_abbrev"),
        "issn": v("issn"),
        "volume": volume,
        "issue": issue,
        "pages": pages,
        "doi": v("doi") + [doi_from_text(urls)],
        "pmid": pmid,
        "abstract": v("abstract"),
        "keywords": keywords,
        "language": v("language"),
        "record_type": v("record_type"),
        "accession": accession,
    }


def parse_delimited(text: str, delimiter: str, header_index: int) -> list[Entry]:
    """Read a CSV/TSV export whose header is row ``header_index`` (0-based).

    Raises
    ------
    csv.Error
        On malformed input (the caller turns it into an InputError).
    """
    _raise_field_limit()
    lines = split_lines(text)
    rows = csv_rows(text, delimiter)
    header: list[str] | None = None
    for index, row in enumerate(rows):
        if index == header_index:
            header = row.cells
            break
    if header is None:
        return []
    last: list[Row] = []

    def tracked(rows: Iterable[Row]) -> Iterator[Row]:
        for row in rows:
            last[:] = [row]
            yield row

    entries = map_table(header, tracked(rows), raw_lines=lines)
    if last and entries and entries[-1].line == last[0].line:
        if ends_inside_quotes(lines, last[0].line, delimiter):
            entries[-1] = Entry(
                line=last[0].line,
                raw=entries[-1].raw,
                error="the file ends inside a quoted cell of this row: it is truncated "
                "(a failed download) or a quote is not closed",
            )
    return entries


def ends_inside_quotes(lines: list[str], start_line: int, delimiter: str) -> bool:
    """Whether the row that starts at 1-based ``start_line`` runs to the end of the
    text inside a quoted cell (the csv module reads such a cell to the end of the
    file without complaint).

    ``lines`` are the text's physical lines (:func:`srma.io.fields.split_lines`).
    """
    tail = "\n".join(lines[start_line - 1 :])
    if '"' not in tail:
        return False
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def xlsx_rows(data: bytes) -> list[list[str]]:
    """All rows of the first worksheet of an XLSX file, as strings.

    Rows are padded with ``""`` to the widest row: XLSX leaves empty cells out,
    so a row whose last cells are empty would otherwise come back short.

    Raises
    ------
    ValueError
        If the bytes are not a readable XLSX workbook.
    """
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl/zipfile raise many types
        raise ValueError(str(exc) or type(exc).__name__) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong sheet size; read every cell
        rows = [[cell_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:  # noqa: BLE001 - malformed sheet XML
        raise ValueError(str(exc) or type(exc).__name__) from exc
    finally:
        workbook.close()
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def cell_text(value: Any) -> str:
    """A spreadsheet cell's value as text (``2024.0`` -> ``'2024'``, dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"  # as pandas writes booleans to CSV
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def find_header(rows: list[list[str]]) -> int | None:
    """0-based index of the header among the first rows, or ``None``."""
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if header_score(cells) >= 2:
            return index
    return None


def parse_xlsx_rows(rows: list[list[str]], header_index: int) -> list[Entry]:
    """Map worksheet rows (header at ``header_index``) onto record entries."""
    header = rows[header_index]

    def raw_of(row: Row) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(row.cells)
        return buffer.getvalue().rstrip("\n")

    data = (
        Row(line=i + 1, end_line=i + 1, cells=cells)
        for i, cells in enumerate(rows)
        if i > header_index
    )
    return map_table(header, data, raw_lines=None, raw_of=raw_of)
