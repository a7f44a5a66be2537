"""RIS, in the dialects real databases and reference managers write.

rispy is not used for parsing: it has no notion of line numbers or of a
record's original text (both needed for the audit trail and for error
messages), treats a bare CR as part of a value (Web of Science RIS separates
tags with one), stops at a missing ``ER`` without saying where, and does not
know APA PsycNET's 4-letter ``PMID  -`` tag.  The tokenizer here finds record
boundaries with one regular expression over the whole text and each record's
tag lines (with their continuation lines) with another, so Python only touches
tags, not characters; see ``docs/benchmarks/import.md`` for its speed.

Dialects handled
----------------
* Tags ``XX  - value`` (two spaces, a dash) and 4-letter tags (``PMID  -``);
  values after the dash may start with extra spaces (Cochrane ``TY  -  JOUR``).
* Anything outside ``TY`` ... ``ER`` is ignored: Ovid's numbered lines (``1.``),
  Cochrane's ``Record #3 of 18`` / ``Provider:`` preamble, blank lines, Ovid's
  ``NL`` tag and "Link to the Ovid Full Text" lines after ``ER``.
* Untagged lines inside a record continue the previous tag: for multi-valued
  tags (``KW``, ``AU``, ``DB``, ``SN``, ``UR`` ...) each line is one more value
  (EndNote and Rayyan write keywords that way), for others the text is
  appended (wrapped abstracts in Lens, Citavi, Web of Science).
* Tag sets ``AU/TI/PY/AB`` and ``A1/T1/Y1/N2``; journal from ``JF``, ``T2``,
  ``JO``, ``BT``; Embase ``U2`` L-number, ``C5`` PMID and repeated ``DB``;
  Scopus ``C2`` PMID, ``C7`` article number and EID in the ``UR`` link; Ovid
  accession number and PMID in the ``L2`` link; Cochrane ``C3  - PUBMED ...``.
"""

from __future__ import annotations

import re
from typing import Any

from srma.io.fields import Entry, doi_from_text, join_pages

# The patterns below start with a literal newline, which lets the regex engine
# jump from line to line instead of trying every character position; the text
# is scanned with a newline put in front of it.
_TAG_LINES = re.compile(r"\n([A-Z][A-Z0-9]{1,3})  -(?: ([^\n]*))?(?![^\n])")
_MARKER = re.compile(r"\n(TY|ER)  -(?: [^\n]*)?(?![^\n])")
# A tag line, its value, and the untagged lines after it (lines that are not tag lines).
_TAG_BLOCKS = re.compile(
    r"\n([A-Z][A-Z0-9]{1,3})  -(?: ([^\n]*))?(?![^\n])"
    r"((?:\n(?![A-Z][A-Z0-9]{1,3}  -(?:[ \n]|$))[^\n]*)*)"
)
#: Tags whose untagged continuation lines are further values, not more text.
MULTI_TAGS = frozenset(
    {"AU", "A1", "A2", "A3", "A4", "AE", "KW", "DB", "SN", "UR", "L1", "L2", "L3", "L4", "LK"}
)
_RE_EID = re.compile(r"[?&]eid=(2-s2\.0-\d+)")
_RE_OVID = re.compile(r"ovidweb\.cgi\?.*?\bD=([a-z0-9]+).*?\bAN=([^&\s]+)", re.IGNORECASE)
_RE_LNUMBER = re.compile(r"^L\d{6,}$")
_RE_COCHRANE_PMID = re.compile(r"^\s*PUBMED\s+(\d+)", re.IGNORECASE)


def parse_ris(text: str) -> list[Entry]:
    """Split RIS text into records and map their tags.

    Records are delimited by scanning for ``TY`` and ``ER`` lines with one
    regular expression over the whole text; inside a record, tag lines are
    found with another, and only records with untagged continuation lines are
    walked line by line.

    Parameters
    ----------
    text
        The decoded export (any line endings).

    Returns
    -------
    list of Entry
        One entry per record, in file order; unreadable records carry an error.
    """
    text = "\n" + normalise_newlines(text)
    entries: list[Entry] = []
    in_record = False
    start = 0  # offset of the newline before the current record's TY line
    start_line = 1
    counted_to = 0
    line_no = 0  # number of newlines in text[:counted_to] = line number there
    previous_end = 0  # offset just after the previous TY/ER line
    count = text.count
    for m in _MARKER.finditer(text):
        pos = m.start()
        line_no += count("\n", counted_to, pos + 1)
        counted_to = pos + 1
        if m.group(1) == "TY":
            if in_record:
                entries.append(
                    Entry(
                        line=start_line,
                        raw=text[start + 1 : pos],
                        error=(
                            "record has no end tag 'ER  -' before the next record "
                            f"starts at line {line_no}"
                        ),
                    )
                )
            in_record = True
            start = pos
            start_line = line_no
        elif in_record:
            end = m.end()
            entries.append(
                Entry(
                    line=start_line,
                    raw=text[start + 1 : end],
                    fields=map_ris_tags(_tags(text, start, end)),
                )
            )
            in_record = False
        else:
            stray = _TAG_LINES.search(text, previous_end, pos)
            if stray is not None:
                entries.append(
                    Entry(
                        line=line_no - count("\n", stray.start(), pos),
                        raw=text[stray.start() + 1 : m.end()],
                        error=(
                            f"record ending at line {line_no} has no start tag 'TY  -' "
                            "(tags outside a record)"
                        ),
                    )
                )
        previous_end = m.end()
    if in_record:
        entries.append(
            Entry(
                line=start_line,
                raw=text[start + 1 :].rstrip("\n"),
                error=(
                    "record has no end tag 'ER  -': the file ends inside it "
                    "(truncated download or incomplete record)"
                ),
            )
        )
    return entries


def normalise_newlines(text: str) -> str:
    """CRLF and bare CR to LF (see :func:`srma.io.fields.split_lines`)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


#: The tags :func:`map_ris_tags` reads; others are skipped while tokenizing.
USED_TAGS = frozenset(
    "TY TI T1 CT ST BT AU A1 PY Y1 DA JF T2 JO JA J2 JI J1 J9 SN VL VO IS CP SP EP C7 AR DO DI "
    "L3 M3 UR L2 L1 LK L4 PMID PM C2 C5 C3 AN U2 ID AB N2 KW LA DB DP".split()
)


def _tags(text: str, start: int, end: int) -> dict[str, list[str]]:
    """Tag -> non-empty values of the record in ``text[start:end]``.

    ``text[start]`` is the newline before the record's ``TY`` line.  Only
    :data:`USED_TAGS` are kept.  Untagged lines continue the tag above them:
    for :data:`MULTI_TAGS` each is one more value, otherwise the text goes on.
    """
    tags: dict[str, list[str]] = {}
    for tag, value, more in _TAG_BLOCKS.findall(text, start, end):
        if tag not in USED_TAGS:
            continue
        if not more:  # no continuation lines: the common case
            if value and not value.isspace():
                bucket = tags.get(tag)
                if bucket is None:
                    tags[tag] = [value]
                else:
                    bucket.append(value)
            continue
        # 'more' is '\nline\nline...'
        values = [value, *more[1:].split("\n")] if tag in MULTI_TAGS else [value + more]
        for item in values:
            if item and not item.isspace():
                tags.setdefault(tag, []).append(item)
    return tags


def _first(tags: dict[str, list[str]], names: tuple[str, ...]) -> str | None:
    for name in names:
        values = tags.get(name)
        if values is not None:
            return values[0]
    return None


def _all(tags: dict[str, list[str]], names: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for name in names:
        values = tags.get(name)
        if values is not None:
            out.extend(values)
    return out


def map_ris_tags(tags: dict[str, list[str]]) -> dict[str, Any]:
    """Map one record's RIS tags (tag -> non-empty values) onto record columns."""
    g = tags.get
    database_values = g("DB")
    dp = g("DP")
    db_text = ""
    if database_values is not None or dp is not None:
        db_text = " ".join((database_values or []) + (dp or [])).lower()
    u2 = g("U2")
    is_embase = "embase" in db_text or (
        u2 is not None and any(_RE_LNUMBER.match(v.strip()) for v in u2)
    )

    links = _all(tags, ("UR", "L2", "L1", "L3"))
    ovid = [m for m in (_RE_OVID.search(u) for u in links if "ovidweb" in u) if m]

    journal = _first(tags, ("JF", "T2", "JO", "BT"))
    if journal is not None:
        journal = journal.strip()
    abbrev = _first(tags, ("JA", "J2", "JI", "J1", "J9"))
    if abbrev is None:
        jo = g("JO")
        if jo is not None and jo[0].strip() != journal:
            abbrev = jo[0]

    pages: list[str | None] = []
    sp = g("SP")
    ep = g("EP")
    if sp is not None or ep is not None:
        pages.append(join_pages(sp[0] if sp else None, ep[0] if ep else None))
    pages += _all(tags, ("C7", "AR"))

    # EBSCO puts the bare DOI in L3, APA PsycNET writes 'M3  - doi:...'
    dois: list[str | None] = list(_all(tags, ("DO", "DI", "L3", "M3")))
    if g("DO") is None and g("DI") is None:
        dois.append(doi_from_text(_all(tags, ("M3", "UR", "L2", "L1", "L3", "LK", "L4"))))

    pmids = _all(tags, ("PMID", "PM"))
    if "scopus" in db_text:
        pmids += _all(tags, ("C2",))
    if is_embase:
        pmids += _all(tags, ("C5",))
    for value in g("C3") or ():
        m = _RE_COCHRANE_PMID.match(value)
        if m:
            pmids.append(m.group(1))
    if db_text and ("nlm" in db_text or "pubmed" in db_text or "medline" in db_text):
        pmids += [v for v in g("AN") or () if v.strip().isdigit()]
    pmids += [m.group(2) for m in ovid if m.group(1).lower().startswith(("med", "prem"))]

    accession = list(g("AN") or ())
    if u2 is not None:
        accession += [v for v in u2 if _RE_LNUMBER.match(v.strip())]
    accession += [m.group(1) for m in (_RE_EID.search(u) for u in links if "eid=" in u) if m]
    accession += [m.group(2) for m in ovid]
    accession += [v for v in g("ID") or () if _accession_like(v)]

    database: str | None
    if database_values is not None:
        seen: list[str] = []
        for v in database_values:
            v = v.strip()
            if v not in seen:
                seen.append(v)
        database = "; ".join(seen)
    else:
        database = dp[0] if dp else None
        if database is None and any(v.strip().startswith("WOS:") for v in accession):
            database = "Web of Science"

    au = g("AU")
    a1 = g("A1")
    return {
        "database": database,
        "title": _first(tags, ("TI", "T1", "CT", "ST", "BT")),
        "authors": (au + a1 if a1 else au) if au else (a1 or []),
        "year": _all(tags, ("PY", "Y1", "DA")),
        "journal": journal,
        "journal_abbrev": abbrev,
        "issn": g("SN") or [],
        "volume": _first(tags, ("VL", "VO")),
        "issue": _first(tags, ("IS", "CP")),
        "pages": pages,
        "doi": dois,
        "pmid": pmids,
        "abstract": _first(tags, ("AB", "N2")),
        "keywords": g("KW") or [],
        "language": _first(tags, ("LA",)),
        "record_type": _first(tags, ("TY",)),
        "accession": accession,
    }


def _accession_like(value: str) -> bool:
    """Whether an RIS ``ID`` looks like a database accession number.

    EndNote, Rayyan and RefWorks use ``ID`` for their own running number
    (``889``, ``1``, ``RefID:...``); Ovid, Lens and Embase use it for the
    database's accession (``2019-65183-001``, ``EJ389705``, ``001-955-724-285-100``).
    """
    v = value.strip()
    if not v or v.lower().startswith("refid"):
        return False
    if v.isdigit():
        return len(v) >= 7
    return True
