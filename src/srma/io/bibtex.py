"""BibTeX exports (Zotero, Web of Science, Scopus, EBSCO, ASySD ...), read with
bibtexparser (v1 API).

Entries are first located line by line (an entry starts with ``@type{`` at the
start of a line), which gives each record its line number and original text
and lets one broken entry be reported without losing the others.  The whole
file then goes through bibtexparser in one call (fast path); if bibtexparser
returns a different list of entries (it silently drops entries it cannot
parse, such as EBSCO's with unbalanced braces inside keywords), each entry is
parsed on its own, falling back to a lenient one-field-per-line reading.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

import bibtexparser
from bibtexparser.bparser import BibTexParser
from bibtexparser.latexenc import latex_to_unicode

from srma.io.fields import Entry, doi_from_text, split_lines

_ENTRY_START = re.compile(r"\s*@\s*([A-Za-z][\w-]*)\s*([{(])\s*([^,\s]*)")
_SKIP_TYPES = frozenset({"comment", "preamble"})
_FIELD_START = re.compile(r"\s*([A-Za-z][\w:.+/-]*)\s*=\s*(.*)$", re.DOTALL)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_URL_AN = re.compile(r"[?&]AN=([^&\s]+)")
_URL_EID = re.compile(r"[?&]eid=(2-s2\.0-\d+)")
_PAGES_DASH = re.compile(r"\s*-+\s*")


def _new_parser() -> BibTexParser:
    return BibTexParser(
        common_strings=True,
        ignore_nonstandard_types=False,
        interpolate_strings=True,
    )


def _chunks(lines: list[str]) -> list[tuple[int, int, str, str]]:
    """(start, end, entry type, key) of every ``@`` block, lines 0-based, end exclusive."""
    starts: list[tuple[int, str, str]] = []
    for i, line in enumerate(lines):
        if "@" not in line:
            continue
        m = _ENTRY_START.match(line)
        if m:
            starts.append((i, m.group(1).lower(), m.group(3).strip()))
    chunks = []
    for n, (i, kind, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        while end > i + 1 and not lines[end - 1].strip():
            end -= 1
        chunks.append((i, end, kind, key))
    return chunks


def _brace_balance(text: str) -> int:
    return text.count("{") - text.count("}")


def parse_bibtex(text: str) -> list[Entry]:
    """Split BibTeX text into entries and map their fields.

    Parameters
    ----------
    text
        The decoded export.

    Returns
    -------
    list of Entry
        One entry per ``@type{...}`` block other than ``@comment``,
        ``@preamble`` and ``@string``, in file order.
    """
    lines = split_lines(text)
    chunks = _chunks(lines)
    strings = "\n".join("\n".join(lines[s:e]) for s, e, kind, _ in chunks if kind == "string")
    records = [c for c in chunks if c[1] > c[0] and c[2] not in _SKIP_TYPES | {"string"}]
    raws = ["\n".join(lines[s:e]) for s, e, _, _ in records]
    parsed: list[dict[str, str] | None]
    try:
        whole = (
            bibtexparser.loads(strings + "\n" + "\n\n".join(raws), parser=_new_parser()).entries
            if records
            else []
        )
    except Exception:  # noqa: BLE001 - e.g. UndefinedString for 'author = Smith,': entry by entry
        whole = None
    if whole is not None and [e.get("ID", "").strip() for e in whole] == [
        c[3].rstrip(",") for c in records
    ]:
        parsed = list(whole)
    else:
        parsed = [
            _parse_one(raw, strings, kind, key)
            for raw, (_, _, kind, key) in zip(raws, records, strict=True)
        ]
    entries: list[Entry] = []
    for (start, _end, _kind, _key), raw, fields in zip(records, raws, parsed, strict=True):
        if _brace_balance(raw) > 0 and not raw.rstrip().endswith(("}", ")")):
            entries.append(
                Entry(
                    line=start + 1,
                    raw=raw,
                    error=("BibTeX entry is not closed (missing '}'): the file may be truncated"),
                )
            )
        elif fields is None:
            entries.append(
                Entry(line=start + 1, raw=raw, error="BibTeX entry has no readable fields")
            )
        else:
            entries.append(Entry(line=start + 1, raw=raw, fields=map_bibtex_fields(fields)))
    return entries


def _parse_one(raw: str, strings: str, kind: str, key: str) -> dict[str, str] | None:
    try:
        found = bibtexparser.loads(strings + "\n" + raw, parser=_new_parser()).entries
    except Exception:  # noqa: BLE001 - bibtexparser raises assorted pyparsing errors
        found = []
    if len(found) == 1:
        return dict(found[0])
    return _lenient_fields(raw, kind, key)


def _strip_value(value: str) -> str:
    value = value.strip().rstrip(",").strip()
    if value.endswith("}") and value.count("{") < value.count("}"):
        value = value[:-1].rstrip().rstrip(",").strip()  # the entry's closing brace
    if len(value) >= 2 and value[0] == "{" and value[-1] == "}":
        return value[1:-1]
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def _lenient_fields(raw: str, kind: str, key: str) -> dict[str, str] | None:
    """Read ``name = {value},`` pairs one field per line, tolerating bad braces."""
    body = raw.split("\n")[1:]
    first_line = raw.split("\n")[0]
    m = _ENTRY_START.match(first_line)
    rest = first_line[m.end() :].lstrip(",") if m else ""
    if rest.strip():
        body.insert(0, rest)
    fields: dict[str, str] = {}
    name: str | None = None
    parts: list[str] = []
    for line in body:
        m = _FIELD_START.match(line)
        if m and (name is None or _brace_balance("\n".join(parts)) <= 0 or line[:1] != " "):
            if name is not None:
                fields[name] = _strip_value("\n".join(parts))
            name = m.group(1).lower()
            parts = [m.group(2)]
        elif name is not None:
            parts.append(line)
    if name is not None:
        fields[name] = _strip_value("\n".join(parts))
    if not fields:
        return None
    fields["ENTRYTYPE"] = kind
    fields["ID"] = key.rstrip(",")
    return fields


def _to_unicode(value: str) -> str:
    """LaTeX accents and commands to Unicode; braces removed.

    bibtexparser's converter is only called when a backslash is present: it is
    slow, and on brace-only text it makes odd replacements (``'n`` -> ``ŉ``).
    """
    if "\\" in value:
        return latex_to_unicode(value)
    return unicodedata.normalize("NFC", value.replace("{", "").replace("}", ""))


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = _to_unicode(value)
    return html.unescape(value) if "&" in value else value


def _split_authors(value: str | None) -> list[str]:
    if not value:
        return []
    # split at top-level ' and ' only, so '{World Health Organization and Partners}' stays whole
    out: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and ch.isspace():
            m = _AND.match(value, i)
            if m:
                out.append(value[start:i])
                start = m.end()
                i = m.end()
                continue
        i += 1
    out.append(value[start:])
    return [a for a in (_clean(x) for x in out) if a and a.strip()]


def map_bibtex_fields(entry: dict[str, str]) -> dict[str, Any]:
    """Map one bibtexparser entry (lower-case field names) onto record columns."""
    g = entry.get

    def c(name: str) -> str | None:
        value = g(name)
        return _clean(value) if isinstance(value, str) else None

    authors = _split_authors(g("author"))
    keywords_text = c("keywords") or c("keyword") or ""
    sep = ";" if ";" in keywords_text else ","
    keywords = [k.strip() for k in keywords_text.split(sep)] if keywords_text else []
    keywords += [k.strip() for k in (c("mesh") or "").split(";")]
    urls = [c("url"), c("link")]
    accession = [c("unique-id"), c("accession")]
    accession += [m.group(1) for m in (_URL_EID.search(u or "") for u in urls) if m]
    accession += [m.group(1) for m in (_URL_AN.search(u or "") for u in urls) if m]
    unique_id = c("unique-id") or ""
    database = c("source") or c("database")
    if database and database.strip().isdigit():
        database = None
    if not database and unique_id.upper().startswith("WOS:"):
        database = "Web of Science"
    pages = c("pages")
    if pages:
        pages = _PAGES_DASH.sub("-", pages.strip())
    return {
        "database": database,
        "title": c("title"),
        "authors": authors,
        "year": [c("year"), c("date")],
        "journal": [c("journal"), c("journaltitle"), c("booktitle"), c("series")],
        "journal_abbrev": [c("journal-iso"), c("shortjournal"), c("journalabbreviation")],
        "issn": [c("issn"), c("eissn")],
        "volume": c("volume"),
        "issue": [c("number"), c("issue")],
        "pages": [pages, c("art_number"), c("article-number"), c("eid")],
        "doi": [c("doi"), doi_from_text(urls)],
        "pmid": [c("pmid"), c("pubmed-id")],
        "abstract": c("abstract"),
        "keywords": keywords,
        "language": c("language") or c("langid"),
        "record_type": [g("ENTRYTYPE"), c("type")],
        "accession": accession,
    }
