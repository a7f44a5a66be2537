"""Cleaning of field values shared by every export reader.

The readers map their own tags or columns onto the columns of the record
table (:data:`srma.records.RECORD_COLUMNS`) and hand the raw strings to
:func:`finish_record`, which tidies whitespace, extracts the year, DOI, PMID and
ISSNs, and decides whether the record can be identified at all.  Everything
here is pure: strings in, strings out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

#: Columns that hold one string each (the reader may pass a list of candidates).
SCALAR_FIELDS = (
    "database",
    "title",
    "journal",
    "journal_abbrev",
    "issn",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "abstract",
    "language",
    "record_type",
    "accession",
)
#: Columns that hold a list of strings.
LIST_FIELDS = ("authors", "keywords")
#: A record needs at least one of these to be told apart from others.
IDENTIFYING_FIELDS = ("title", "authors", "doi", "pmid", "accession", "abstract")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_YEAR = re.compile(r"(?<!\d)([12]\d{3})(?!\d)")
_DOI_PREFIX = re.compile(
    r"^(?:(?:https?://)?(?:dx\.|www\.)?doi\.org/|doi\s*:\s*|doi\s+(?=10\.))",
    re.IGNORECASE,
)
_DOI_IN_TEXT = re.compile(
    r"(?:doi\.org/|doi\s*[:=]\s*|[?&]doi=)(10\.\d{3,9}(?:/|%2[fF])[^\s\"<>&|,;]+)", re.IGNORECASE
)
_DOI_SHAPE = re.compile(r"^10\.\d{3,9}/\S+$")
_ISSN = re.compile(r"(?<![\dXx-])(\d{4})-?(\d{3}[\dXx])(?![\dXx]|-\d)")
_ISSN_LABEL = re.compile(r"\bE?ISSN[-:\s]*", re.IGNORECASE)
_PMID = re.compile(r"(?<!\d)(\d{1,9})(?!\d)")
_NUMERIC = re.compile(r"^\d+$")
_NULL_GIVEN = re.compile(r",\s*null$")


@dataclass(frozen=True)
class Entry:
    """One record as a reader found it, before the table is built.

    Parameters
    ----------
    line
        1-based line where the record starts.
    raw
        The record's original text.
    fields
        Raw field values keyed by record column; ``None`` when ``error`` is set.
    error
        Why the record cannot be read, or ``None``.
    """

    line: int
    raw: str
    fields: dict[str, Any] | None = None
    error: str | None = None


def split_lines(text: str) -> list[str]:
    """Split on CRLF, LF and bare CR alike (Python's universal newlines).

    Line numbers reported anywhere in :mod:`srma.io` count lines this way, as
    most editors do; form feeds and Unicode line separators do not end a line.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def strip_controls(text: str) -> str:
    """Remove C0 control characters other than tab, LF and CR."""
    return _CONTROL.sub("", text)


def clean_line(value: Any) -> str | None:
    """Collapse all whitespace (line breaks included) to single spaces.

    Returns ``None`` for an empty value.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    if (
        len(value) > 60  # for long text, checking is cheaper than splitting and joining
        and value.isprintable()  # no tab, line break, control or non-ASCII space
        and "  " not in value
        and value[0] != " "
        and value[-1] != " "
    ):
        return value
    text = " ".join(value.split())
    if not text.isprintable():
        text = " ".join(strip_controls(text).split())
    return text or None


def clean_block(value: Any) -> str | None:
    """Tidy a long text (abstract): one paragraph per line, spaces collapsed.

    Exports that continue an abstract on further lines (RIS continuation
    lines, CSV cells with line breaks) start a new paragraph or section there,
    so line breaks are kept, as single newlines; blank lines are dropped.
    Formats that hard-wrap long values (MEDLINE, Web of Science plain text)
    are joined by their readers before they get here.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    if "\n" not in value and "\r" not in value:
        return clean_line(value)
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p for p in (clean_line(line) for line in text.split("\n")) if p]
    return "\n".join(paragraphs) or None


def head(values: list[str] | None) -> str | None:
    """The first item of a list, or ``None`` for a missing or empty list."""
    return values[0] if values else None


def first(*values: Any) -> Any:
    """The first value that is not ``None``, not empty and not only spaces."""
    for value in values:
        if isinstance(value, str):
            if value.strip():
                return value
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, str) and item.strip():
                    return item
        elif value is not None:
            return value
    return None


def parse_year(*candidates: Any) -> int | None:
    """The first 4-digit year (1000-2999) found in the candidates, in order."""
    for value in candidates:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            found = parse_year(*value)
            if found is not None:
                return found
            continue
        match = _YEAR.search(str(value))
        if match:
            return int(match.group(1))
    return None


def clean_doi(value: Any) -> str | None:
    """A DOI without URL or ``doi:`` prefix, case kept; ``None`` if it is not a DOI.

    Examples
    --------
    >>> clean_doi("https://doi.org/10.1000/ABC")
    '10.1000/ABC'
    >>> clean_doi("10.1016/j.x.2019.03.004 [doi]")
    '10.1016/j.x.2019.03.004'
    >>> clean_doi("DOI 1") is None
    True
    """
    text = clean_line(value)
    if not text:
        return None
    text = text.replace("\\_", "_")
    text = _DOI_PREFIX.sub("", text).strip()
    if text.lower().startswith("10.") is False:
        # maybe a URL or sentence holding a DOI
        return doi_from_text(text)
    text = text.split()[0].rstrip(".,;")
    return text if _DOI_SHAPE.match(text) else None


def doi_from_text(*values: Any) -> str | None:
    """A DOI found inside a URL or citation (``doi.org/...``, ``doi: ...``, ``doi=...``)."""
    for value in values:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            found = doi_from_text(*value)
            if found:
                return found
            continue
        match = _DOI_IN_TEXT.search(str(value))
        if match:
            doi = unquote(match.group(1)).rstrip(".,;)")
            if _DOI_SHAPE.match(doi):
                return doi
    return None


def clean_pmid(value: Any) -> str | None:
    """The digits of a PubMed id (``'PUBMED 21314913'`` -> ``'21314913'``)."""
    text = clean_line(value)
    if not text:
        return None
    match = _PMID.search(text)
    return match.group(1) if match else None


def extract_issns(values: Iterable[Any]) -> str | None:
    """ISSNs found in the values, as ``NNNN-NNNC``, de-duplicated, ``';'``-joined."""
    found: list[str] = []
    for value in values:
        if value is None:
            continue
        text = _ISSN_LABEL.sub(" ", str(value))
        for a, b in _ISSN.findall(text):
            issn = f"{a}-{b.upper()}"
            if issn not in found:
                found.append(issn)
    return ";".join(found) or None


def join_pages(start: Any, end: Any = None) -> str | None:
    """``'SP-EP'`` from a start and an end page (either may be missing)."""
    sp = clean_line(start)
    ep = clean_line(end)
    if sp and sp.lower() in {"no", "no pagination", "n/a", "-"}:
        sp = None
    if ep and ep.lower() in {"specified", "no pagination", "n/a", "-"}:
        ep = None
    if sp and ep and ep != sp and "-" not in sp:
        return f"{sp}-{ep}"
    return sp or ep


def pages_from_count(start: Any, count: Any) -> str | None:
    """``'SP-EP'`` from a first page and a page count (EBSCO CSV)."""
    sp = clean_line(start)
    n = clean_line(count)
    if sp and n and _NUMERIC.match(sp) and _NUMERIC.match(n) and int(n) > 1:
        return f"{sp}-{int(sp) + int(n) - 1}"
    return sp


def split_values(value: Any, separators: Sequence[str]) -> list[str]:
    """Split ``value`` on the first separator it contains; strip and drop empties."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for item in value:
            out.extend(split_values(item, separators))
        return out
    text = str(value)
    for sep in separators:
        if sep in text:
            parts = text.split(sep)
            break
    else:
        parts = [text]
    return [p for p in (clean_line(x) for x in parts) if p]


def split_top_level(value: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside parentheses: ``'a (b, c), d'`` -> ``['a (b, c)', 'd']``."""
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(value):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch == sep and depth == 0:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return [p for p in (clean_line(x) for x in parts) if p]


_SEP = "\u241e"  # SYMBOL FOR RECORD SEPARATOR: printable, joins list items for one check


def clean_list(values: Iterable[Any]) -> list[str]:
    """Strip each item, collapse its spaces and drop empty ones (order and duplicates kept)."""
    if isinstance(values, list) and values:
        try:
            joined = _SEP.join(values)
        except TypeError:  # an item is not a string
            pass
        else:
            if (  # every item already clean: one pass over the joined text instead of one per item
                joined
                and joined.isprintable()
                and "  " not in joined
                and " " + _SEP not in joined
                and _SEP + " " not in joined
                and _SEP + _SEP not in joined
                and joined[0] not in (" ", _SEP)
                and joined[-1] not in (" ", _SEP)
            ):
                return list(values)
    out: list[str] = []
    for value in values:
        if value is None:
            continue
        if not isinstance(value, str):
            value = str(value)
        text = " ".join(value.split())
        if text:
            out.append(text)
    if out and not "".join(out).isprintable():  # one check for the whole list
        out = [t for t in (clean_line(x) for x in out) if t]
    return out


def unique(values: Iterable[str]) -> list[str]:
    """Drop exact repeats, keeping the first occurrence."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out


def unescape_entities(text: str | None) -> str | None:
    """Decode HTML entities (``&apos;``, ``&amp;``) some exports leave in values."""
    if text is None or "&" not in text:
        return text
    return html.unescape(text)


_PLAIN_FIELDS = tuple(f for f in SCALAR_FIELDS if f not in {"abstract", "issn", "doi", "pmid"})


def _candidates(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _first_text(value: Any) -> Any:
    """``value`` itself, or the first non-blank item if it is a list of candidates."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        for item in value:
            if item is not None and (not isinstance(item, str) or item.strip()):
                return item
        return None
    return value


def _first_cleaned(value: Any, clean: Any) -> str | None:
    for candidate in _candidates(value):
        if candidate is None:
            continue
        cleaned = clean(candidate)
        if cleaned:
            return cleaned
    return None


def finish_record(fields: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Normalise a reader's raw fields into record-table values.

    Parameters
    ----------
    fields
        Raw values keyed by record column (see :data:`srma.records.RECORD_FIELDS`).
        Scalars may be given as a list of candidates (the first non-empty wins);
        ``year`` may be any string holding a year; lists may hold empty strings.

    Returns
    -------
    tuple
        The cleaned values (every scalar and list column present) and an error
        message if the record has no identifying field, else ``None``.
    """
    out: dict[str, Any] = {}
    get = fields.get
    for name in _PLAIN_FIELDS:
        out[name] = clean_line(_first_text(get(name)))
    out["abstract"] = clean_block(_first_text(get("abstract")))
    out["issn"] = extract_issns(_candidates(get("issn")))
    out["doi"] = _first_cleaned(get("doi"), clean_doi)
    out["pmid"] = _first_cleaned(get("pmid"), clean_pmid)
    out["year"] = parse_year(fields.get("year"))
    for name in LIST_FIELDS:
        value = fields.get(name) or []
        if isinstance(value, str):
            value = [value]
        out[name] = clean_list(value)
    if out["authors"]:
        # Lens and RefWorks write a missing given name as 'null'
        out["authors"] = [_NULL_GIVEN.sub("", a) for a in out["authors"]]
    if not out["journal"] and out["journal_abbrev"]:
        out["journal"] = out["journal_abbrev"]
    if not any(out[name] for name in IDENTIFYING_FIELDS):
        return out, (
            "record has no title, authors, DOI, PMID, accession number or abstract, "
            "so it cannot be identified"
        )
    return out, None
