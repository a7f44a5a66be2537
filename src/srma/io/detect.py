"""Recognising an export's format from its content (never from its name).

File extensions lie: Web of Science plain text is saved as ``.ris``, MEDLINE
as ``.ris``, RIS as ``.txt``.  :func:`sniff_format` looks at the text itself.
"""

from __future__ import annotations

import re

from srma.io.tabular import sniff_table

#: Every format name :func:`srma.io.read_export` can report or be told to use.
FORMATS: tuple[str, ...] = (
    "ris",
    "nbib",
    "wos_plaintext",
    "wos_tabdelimited",
    "bibtex",
    "endnote_xml",
    "endnote_tagged",
    "csv",
    "tsv",
    "xlsx",
)
FORMAT_DESCRIPTIONS = {
    "ris": "RIS",
    "nbib": "PubMed MEDLINE (.nbib)",
    "wos_plaintext": "Web of Science plain text",
    "wos_tabdelimited": "Web of Science tab-delimited",
    "bibtex": "BibTeX",
    "endnote_xml": "EndNote XML",
    "endnote_tagged": "EndNote tagged (refer, %-tags)",
    "csv": "CSV",
    "tsv": "tab-separated table",
    "xlsx": "Excel workbook (.xlsx)",
}

_NBIB_TAG = re.compile(r"^[A-Z][A-Z0-9 ]{3}- ", re.MULTILINE)
_WOS_FIRST = re.compile(r"^(?:FN |VR |PT [A-Z])")
_WOS_END = re.compile(r"^ER\s*$", re.MULTILINE)
_BIBTEX = re.compile(r"^\s*@\s*[A-Za-z][\w-]*\s*[{(]", re.MULTILINE)
_REFER = re.compile(r"^%[0-9A-Z@!#$&()*+^|~?>\[\]] ", re.MULTILINE)
_XML_RECORD = re.compile(r"<record[\s>]")
_WOS_TAB_REQUIRED = {"PT", "AU", "TI", "UT"}


def _has_line_start(text: str, prefix: str) -> bool:
    """Whether a line starts with ``prefix`` (plain substring search: fast on big files)."""
    return text.startswith(prefix) or f"\n{prefix}" in text or f"\r{prefix}" in text


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def sniff_format(text: str) -> str | None:
    """The format of an export's decoded text, or ``None`` if unknown.

    Parameters
    ----------
    text
        The decoded text (a leading BOM is ignored).

    Returns
    -------
    str or None
        One of :data:`FORMATS` except ``'xlsx'`` (that is recognised from the
        bytes), or ``None``.
    """
    body = text.lstrip("\ufeff")
    head = body[:200_000]
    first = _first_line(head[:20_000])
    stripped = head.lstrip()
    if stripped.startswith("<") and _XML_RECORD.search(head):
        return "endnote_xml"
    if _WOS_FIRST.match(first) and (_WOS_END.search(body) or first.startswith("FN ")):
        return "wos_plaintext"
    if "\t" in first:
        cells = {c.strip() for c in first.split("\t")}
        if _WOS_TAB_REQUIRED <= cells:
            return "wos_tabdelimited"
    if _has_line_start(body, "TY  -"):
        return "ris"
    if _has_line_start(head, "PMID- ") or (
        _NBIB_TAG.match(first) and len(_NBIB_TAG.findall(head[:20_000])) >= 3
    ):
        return "nbib"
    if _BIBTEX.search(head):
        return "bibtex"
    if _REFER.match(first) and len(_REFER.findall(head[:20_000])) >= 2:
        return "endnote_tagged"
    table = sniff_table(body)
    if table is not None:
        return "tsv" if table[0] == "\t" else "csv"
    return None
