"""EndNote XML (EndNote, Mendeley, Zotero) and EndNote/refer tagged text (``%T``).

EndNote XML: every ``<record>`` is located in the text (for its line and
original text) and parsed on its own with the standard library's
ElementTree, so one broken record does not hide the others.  EndNote itself
wraps every value in ``<style face="normal" ...>`` elements; Mendeley does
not.  Both are read by joining an element's text nodes.

EndNote tagged (refer) text: ``%X value`` lines, records separated by blank
lines; untagged lines continue the previous value.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from srma.io.fields import Entry, doi_from_text, split_lines

_RECORD_OPEN = re.compile(r"<record(?:\s[^>]*)?>")
_RECORD_CLOSE = "</record>"
_NUMERIC = re.compile(r"^\s*\d{1,9}\s*$")


def _text(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def _all(record: ET.Element, path: str) -> list[str]:
    return [t for t in (_text(e) for e in record.iterfind(path)) if t]


def parse_endnote_xml(text: str) -> list[Entry]:
    """Split EndNote XML into ``<record>`` elements and map them.

    Parameters
    ----------
    text
        The decoded export.

    Returns
    -------
    list of Entry
        One entry per ``<record>``, in file order.
    """
    entries: list[Entry] = []
    pos = 0
    line = 1
    counted_to = 0
    while True:
        m = _RECORD_OPEN.search(text, pos)
        if m is None:
            break
        start = m.start()
        line += text.count("\n", counted_to, start)
        counted_to = start
        end = text.find(_RECORD_CLOSE, m.end())
        next_open = _RECORD_OPEN.search(text, m.end())
        if end < 0 or (next_open is not None and next_open.start() < end):
            stop = next_open.start() if next_open is not None else len(text)
            entries.append(
                Entry(
                    line=line,
                    raw=text[start:stop].rstrip(),
                    error=(
                        "<record> element is not closed"
                        + (
                            " before the next one starts"
                            if next_open is not None
                            else ": the file is truncated"
                        )
                    ),
                )
            )
            pos = stop
            continue
        stop = end + len(_RECORD_CLOSE)
        raw = text[start:stop]
        try:
            element = ET.fromstring(raw)
        except ET.ParseError as exc:
            entries.append(Entry(line=line, raw=raw, error=f"malformed XML in <record>: {exc}"))
        else:
            entries.append(Entry(line=line, raw=raw, fields=map_endnote_record(element)))
        pos = stop
    return entries


def map_endnote_record(record: ET.Element) -> dict[str, Any]:
    """Map one EndNote XML ``<record>`` element onto record columns."""
    ref_type = record.find("ref-type")
    record_type = None
    if ref_type is not None:
        record_type = ref_type.get("name") or _text(ref_type)
    remote_name = _text(record.find("remote-database-name"))
    remote_provider = _text(record.find("remote-database-provider"))
    accession = _text(record.find("accession-num"))
    db_text = f"{remote_name or ''} {remote_provider or ''}".lower()
    pmid = None
    if (
        accession
        and _NUMERIC.match(accession)
        and any(k in db_text for k in ("nlm", "pubmed", "medline"))
    ):
        pmid = accession
    urls = _all(record, "urls/related-urls/url") + _all(record, "urls/web-urls/url")
    return {
        "database": [remote_name, remote_provider],
        "title": _all(record, "titles/title"),
        "authors": _all(record, "contributors/authors/author"),
        "year": _all(record, "dates/year") + _all(record, "dates/pub-dates/date"),
        "journal": _all(record, "periodical/full-title")
        + _all(record, "titles/secondary-title")
        + _all(record, "alt-periodical/full-title"),
        "journal_abbrev": _all(record, "periodical/abbr-1")
        + _all(record, "alt-periodical/abbr-1")
        + _all(record, "titles/alt-title"),
        "issn": _all(record, "isbn"),
        "volume": _text(record.find("volume")),
        "issue": [_text(record.find("number")), _text(record.find("issue"))],
        "pages": _text(record.find("pages")),
        "doi": [_text(record.find("electronic-resource-num")), doi_from_text(urls)],
        "pmid": pmid,
        "abstract": _text(record.find("abstract")),
        "keywords": _all(record, "keywords/keyword"),
        "language": _text(record.find("language")),
        "record_type": record_type,
        "accession": accession,
    }


_REFER_LINE = re.compile(r"%(\S) ?(.*)$")


def parse_endnote_tagged(text: str) -> list[Entry]:
    """Read EndNote/refer tagged text (``%0 Journal Article``, ``%T Title`` ...).

    Records are separated by blank lines; untagged lines continue the previous
    value.
    """
    lines = split_lines(text)
    entries: list[Entry] = []
    pairs: list[list[str]] = []
    start = 0
    last = 0
    for i, line in enumerate(lines):
        if not line.strip():
            if pairs:
                entries.append(_refer_entry(lines, start, last, pairs))
                pairs = []
            continue
        m = _REFER_LINE.match(line)
        if m is not None:
            if not pairs:
                start = i
            pairs.append([m.group(1), m.group(2)])
            last = i
        elif pairs:
            pairs[-1].append(line)
            last = i
    if pairs:
        entries.append(_refer_entry(lines, start, last, pairs))
    return entries


def _refer_entry(lines: list[str], start: int, last: int, pairs: list[list[str]]) -> Entry:
    tags: dict[str, list[str]] = {}
    for pair in pairs:
        tags.setdefault(pair[0], []).append("\n".join(pair[1:]))
    g = tags.get
    keywords: list[str] = []
    for value in g("K") or []:
        for line in value.split("\n"):
            keywords.extend(k.strip() for k in line.split(";"))
    fields = {
        "database": (g("~") or []) + (g("W") or []),
        "title": g("T") or [],
        "authors": g("A") or [],
        "year": (g("D") or []) + (g("8") or []),
        "journal": (g("J") or []) + (g("B") or []),
        "journal_abbrev": [],
        "issn": g("@") or [],
        "volume": g("V") or [],
        "issue": g("N") or [],
        "pages": g("P") or [],
        "doi": (g("R") or []) + [doi_from_text(g("U") or [])],
        "pmid": [],
        "abstract": g("X") or [],
        "keywords": keywords,
        "language": g("G") or [],
        "record_type": g("0") or [],
        "accession": g("M") or [],
    }
    return Entry(line=start + 1, raw="\n".join(lines[start : last + 1]), fields=fields)
