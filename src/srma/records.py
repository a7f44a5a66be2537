"""The normalised bibliographic record table.

Every reader in :mod:`srma.io` returns one row per record of the export, with
exactly these columns, in this order.  De-duplication and screening read it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa

#: Columns of the record table, in order, with their meaning.
RECORD_FIELDS: dict[str, str] = {
    "source_id": "id of the source (export) in the config, e.g. 'pubmed'",
    "record_id": "'{source_id}:{position}', unique across a review",
    "position": "1-based position of the record in its file",
    "line": "1-based line (or CSV row) where the record starts in its file",
    "database": "database or method the record came from, as the export names it",
    "format": "format the reader detected, e.g. 'ris', 'nbib', 'wos_plaintext'",
    "title": "title of the work",
    "authors": "list of author names as written, 'Surname, Given' where possible",
    "year": "publication year",
    "journal": "full journal (or book / source) title",
    "journal_abbrev": "abbreviated journal title where the export gives one",
    "issn": "ISSN(s), ';'-joined",
    "volume": "volume",
    "issue": "issue",
    "pages": "page range or article number, as exported",
    "doi": "DOI without URL prefix, as exported",
    "pmid": "PubMed id",
    "abstract": "abstract",
    "keywords": "list of keywords and subject headings",
    "language": "language",
    "record_type": "record type (RIS TY or the export's own type)",
    "accession": "the database's own id for the record (Embase L-number, WoS UT, EID, AN)",
    "raw": "the original text of the record, for audit",
}
RECORD_COLUMNS: list[str] = list(RECORD_FIELDS)
TEXT_COLUMNS = [
    c
    for c in RECORD_COLUMNS
    if c not in {"position", "line", "year", "authors", "keywords"}
]
LIST_COLUMNS = ["authors", "keywords"]


def _is_str_list(value: Any) -> bool:
    if value is None:
        return False
    try:
        return all(isinstance(v, str) for v in value)
    except TypeError:
        return False


class RecordSchema(pa.DataFrameModel):
    """One row per exported record (see :data:`RECORD_FIELDS`)."""

    source_id: str = pa.Field(str_matches=r"^[a-z0-9_]+$")
    record_id: str = pa.Field(unique=True)
    position: int = pa.Field(ge=1)
    line: int = pa.Field(ge=1)
    database: str = pa.Field(nullable=True)
    format: str
    title: str = pa.Field(nullable=True)
    authors: object
    year: pd.Int64Dtype = pa.Field(nullable=True, ge=1000, le=2999)
    journal: str = pa.Field(nullable=True)
    journal_abbrev: str = pa.Field(nullable=True)
    issn: str = pa.Field(nullable=True)
    volume: str = pa.Field(nullable=True)
    issue: str = pa.Field(nullable=True)
    pages: str = pa.Field(nullable=True)
    doi: str = pa.Field(nullable=True)
    pmid: str = pa.Field(nullable=True)
    abstract: str = pa.Field(nullable=True)
    keywords: object
    language: str = pa.Field(nullable=True)
    record_type: str = pa.Field(nullable=True)
    accession: str = pa.Field(nullable=True)
    raw: str

    class Config:
        strict = True
        ordered = True
        coerce = True

    @pa.check("authors", "keywords", element_wise=True)
    @classmethod
    def _lists_of_strings(cls, value: Any) -> bool:
        return _is_str_list(value)


def empty_records() -> pd.DataFrame:
    """An empty record table with the right columns and dtypes."""
    frame = pd.DataFrame({c: pd.Series([], dtype="object") for c in RECORD_COLUMNS})
    for c in ("position", "line"):
        frame[c] = frame[c].astype("int64")
    frame["year"] = frame["year"].astype("Int64")
    return frame
