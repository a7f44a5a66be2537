"""PubMed MEDLINE format (``.nbib``, also saved as ``.txt`` or ``.ris``).

Tags are 4 characters wide followed by ``- `` (``PMID- ``, ``FAU - ``,
``AU  - ``); long values continue on lines indented by 6 spaces; records are
separated by blank lines and start with ``PMID-`` (ERIC's MEDLINE-style export
starts with ``OWN -`` instead).  Authors come from ``FAU`` (full 'Surname,
Given' form) and fall back to ``AU`` (``Wu D``) and ``CN`` (collective names).
"""

from __future__ import annotations

import re
from typing import Any

from srma.io.fields import Entry, head, split_lines

# a tag of up to 4 characters padded with spaces, then "- " (ERIC also writes "ISSN - ")
_TAG_LINE = re.compile(r"([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$")
_DOI_MARK = re.compile(r"^(.*?)\s*\[doi\]\s*$", re.IGNORECASE)


def parse_nbib(text: str) -> list[Entry]:
    """Split MEDLINE text into records and map their tags.

    Parameters
    ----------
    text
        The decoded export (any line endings).

    Returns
    -------
    list of Entry
        One entry per record, in file order.
    """
    lines = split_lines(text)
    entries: list[Entry] = []
    match = _TAG_LINE.match
    pairs: list[list[str]] = []
    start = 0
    last = 0
    for i, line in enumerate(lines):
        if not line.strip():
            if pairs:
                entries.append(_entry(lines, start, last, pairs))
                pairs = []
            continue
        m = match(line)
        if m is not None and not line.startswith(" "):
            tag = m.group(1)
            if tag == "PMID" and pairs:
                entries.append(_entry(lines, start, last, pairs))
                pairs = []
            if not pairs:
                start = i
            pairs.append([tag, m.group(2)])
            last = i
        elif pairs:
            pairs[-1].append(line.strip())
            last = i
    if pairs:
        entries.append(_entry(lines, start, last, pairs))
        if not text.endswith(("\n", "\r")) and all(p[0] != "SO" for p in pairs):
            # PubMed ends every record with its SO (source) line and the file with a
            # line break: without both, the download stopped inside this record
            entries[-1] = Entry(
                line=start + 1,
                raw=entries[-1].raw,
                error="the file ends inside this record (no line break at the end, and no "
                "'SO  -' line, which PubMed writes last in every record): the download was "
                "probably cut off",
            )
    return entries


def _entry(lines: list[str], start: int, last: int, pairs: list[list[str]]) -> Entry:
    tags: dict[str, list[str]] = {}
    for pair in pairs:
        value = " ".join(pair[1:]) if len(pair) > 2 else pair[1]
        tags.setdefault(pair[0], []).append(value)
    return Entry(line=start + 1, raw="\n".join(lines[start : last + 1]), fields=map_nbib_tags(tags))


def map_nbib_tags(tags: dict[str, list[str]]) -> dict[str, Any]:
    """Map one MEDLINE record's tags (tag -> values) onto record columns."""
    g = tags.get
    ids = (g("LID") or []) + (g("AID") or [])
    dois = [m.group(1) for m in (_DOI_MARK.match(v) for v in ids) if m]
    dois += [v for v in ids if "doi.org/" in v.lower()]
    owner = head(g("OWN"))
    if owner and owner.strip().upper() == "ERIC":
        database: str | None = "ERIC"
    elif g("PMID"):
        database = "PubMed"
    else:
        database = owner
    authors = g("FAU") or g("AU") or g("CN") or []
    return {
        "database": database,
        "title": (g("TI") or []) + (g("BTI") or []),
        "authors": authors,
        "year": (g("DP") or []) + (g("DEP") or []) + (g("EDAT") or []),
        "journal": (g("JT") or []) + (g("BTI") or []),
        "journal_abbrev": g("TA") or [],
        "issn": (g("IS") or []) + (g("ISSN") or []),
        "volume": g("VI") or [],
        "issue": g("IP") or [],
        "pages": g("PG") or [],
        "doi": dois,
        "pmid": g("PMID") or [],
        "abstract": g("AB") or [],
        "keywords": (g("MH") or []) + (g("OT") or []),
        "language": g("LA") or [],
        "record_type": g("PT") or [],
        "accession": g("OID") or [],
    }
