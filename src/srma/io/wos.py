"""Web of Science plain text (``FN``/``VR`` header, ``PT`` ... ``ER``, ``EF``)
and tab-delimited exports (one row per record, a header of field tags; the
"Windows" variant is UTF-16LE with a BOM and CRLF line ends).

In plain text, a tag is two characters and a space; values continue on lines
indented by three spaces.  For author tags (``AU``, ``AF``, ``CA`` ...) every
continuation line is one more author; keyword tags (``DE``, ``ID``) hold one
'; '-separated list wrapped over several lines; other values are wrapped text.
"""

from __future__ import annotations

import re
from typing import Any

from srma.io.fields import Entry, head, join_pages, split_lines

_TAG_LINE = re.compile(r"([A-Z][A-Z0-9])(?: (.*))?$")
#: Tags holding one value per (continuation) line.
MULTI_TAGS = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "CR", "C1", "C3"})
#: Tags holding '; '-separated lists (also in tab-delimited exports).
LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "DE", "ID"})
_DATABASES = {
    "WOS": "Web of Science",
    "ZOOREC": "Zoological Record",
    "MEDLINE": "MEDLINE",
    "BCI": "BIOSIS Citation Index",
    "BIOSIS": "BIOSIS Previews",
    "CCC": "Current Contents Connect",
    "DIIDW": "Derwent Innovations Index",
    "KJD": "KCI-Korean Journal Database",
    "RSCI": "Russian Science Citation Index",
    "SCIELO": "SciELO Citation Index",
    "CSCD": "Chinese Science Citation Database",
    "CABI": "CAB Abstracts",
    "INSPEC": "Inspec",
    "FSTA": "FSTA",
    "GRANTS": "Grants Index",
    "PQDT": "ProQuest Dissertations & Theses Citation Index",
    "DRCI": "Data Citation Index",
    "PPRN": "Preprint Citation Index",
}
_HEADER_TAGS = frozenset({"FN", "VR", "EF"})


def parse_wos_plaintext(text: str) -> list[Entry]:
    """Split Web of Science plain text into records and map their tags.

    Parameters
    ----------
    text
        The decoded export (any line endings).

    Returns
    -------
    list of Entry
        One entry per record (``PT`` ... ``ER``), in file order.
    """
    lines = split_lines(text)
    entries: list[Entry] = []
    match = _TAG_LINE.match
    in_record = False
    start = 0
    pairs: list[list[str]] = []
    orphan: int | None = None
    for i, line in enumerate(lines):
        if line.startswith(" "):
            if in_record and pairs:
                pairs[-1].append(line.strip())
            continue
        m = match(line)
        if m is None:
            continue
        tag, value = m.group(1, 2)
        if tag == "PT":
            if in_record:
                entries.append(
                    Entry(
                        line=start + 1,
                        raw="\n".join(lines[start:i]),
                        error=(
                            "record has no end tag 'ER' before the next record starts "
                            f"at line {i + 1}"
                        ),
                    )
                )
            in_record = True
            start = i
            orphan = None
            pairs = [["PT", value or ""]]
        elif tag == "ER":
            if in_record:
                entries.append(
                    Entry(
                        line=start + 1,
                        raw="\n".join(lines[start : i + 1]),
                        fields=map_wos_tags(_collect(pairs)),
                    )
                )
                in_record = False
            elif orphan is not None:
                entries.append(
                    Entry(
                        line=orphan + 1,
                        raw="\n".join(lines[orphan : i + 1]),
                        error=f"record ending at line {i + 1} has no start tag 'PT'",
                    )
                )
                orphan = None
        elif tag in _HEADER_TAGS:
            continue
        elif in_record:
            pairs.append([tag, value or ""])
        elif orphan is None:
            orphan = i
    if in_record:
        entries.append(
            Entry(
                line=start + 1,
                raw="\n".join(lines[start:]).rstrip("\n"),
                error=(
                    "record has no end tag 'ER': the file ends inside it "
                    "(truncated download or incomplete record)"
                ),
            )
        )
    return entries


def _collect(pairs: list[list[str]]) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for pair in pairs:
        tag = pair[0]
        if len(pair) == 2:
            values = [pair[1]]
        elif tag in MULTI_TAGS:
            values = pair[1:]
        else:
            values = [" ".join(pair[1:])]
        tags.setdefault(tag, []).extend(values)
    return tags


def _split_list(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or ():
        out.extend(part.strip() for part in value.split(";"))
    return [v for v in out if v]


def database_from_ut(accession: str | None) -> str:
    """The Web of Science database a ``UT`` belongs to (``WOS:`` -> 'Web of Science')."""
    if accession and ":" in accession:
        prefix = accession.split(":", 1)[0].strip().upper()
        return _DATABASES.get(prefix, "Web of Science")
    return "Web of Science"


def map_wos_tags(tags: dict[str, list[str]], *, split_authors: bool = False) -> dict[str, Any]:
    """Map one Web of Science record's tags (tag -> values) onto record columns.

    Parameters
    ----------
    tags
        Tag -> values.
    split_authors
        Author tags hold '; '-separated lists (tab-delimited export) rather
        than one author per value (plain text).
    """
    g = tags.get

    def people(tag: str) -> list[str]:
        return _split_list(g(tag)) if split_authors else list(g(tag) or [])

    authors = people("AF") or people("AU") or people("BF") or people("BA")
    if not authors:
        authors = people("CA") or people("GP")
    accession = [v for v in (g("UT") or []) + (g("AN") or []) if v.strip()]
    bp = head(g("BP"))
    ep = head(g("EP"))
    return {
        "database": database_from_ut(accession[0] if accession else None),
        "title": g("TI") or [],
        "authors": authors,
        "year": (g("PY") or []) + (g("EA") or []) + (g("PD") or []),
        "journal": (g("SO") or []) + (g("SE") or []),
        "journal_abbrev": (g("JI") or []) + (g("J9") or []),
        "issn": (g("SN") or []) + (g("EI") or []),
        "volume": g("VL") or [],
        "issue": g("IS") or [],
        "pages": [join_pages(bp, ep)] + (g("AR") or []) + (g("PS") or []),
        "doi": (g("DI") or []) + (g("D2") or []),
        "pmid": g("PM") or [],
        "abstract": g("AB") or [],
        "keywords": _split_list(g("DE")) + _split_list(g("ID")),
        "language": g("LA") or [],
        "record_type": (g("DT") or []) + (g("PT") or []),
        "accession": accession,
    }


def parse_wos_tabdelimited(text: str) -> list[Entry]:
    """Read a Web of Science tab-delimited export (header row of field tags).

    Values are not quoted in this format, so each physical line is one record.
    """
    lines = split_lines(text)
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        return []
    header = [h.strip() for h in lines[header_index].split("\t")]
    while header and not header[-1]:
        header.pop()
    entries: list[Entry] = []
    for i in range(header_index + 1, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) < len(header):
            entries.append(
                Entry(
                    line=i + 1,
                    raw=line,
                    error=(
                        f"row has {len(cells)} tab-separated fields but the header has "
                        f"{len(header)} (truncated file or a line break inside a value)"
                    ),
                )
            )
            continue
        tags: dict[str, list[str]] = {}
        for name, value in zip(header, cells, strict=False):
            value = value.strip()
            if name and value:
                tags[name] = [value]
        entries.append(Entry(line=i + 1, raw=line, fields=map_wos_tags(tags, split_authors=True)))
    return entries
