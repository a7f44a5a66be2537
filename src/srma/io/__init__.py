"""Importers for bibliographic database exports, and the project's table writers.

>>> from srma.io import read_export
>>> result = read_export("pubmed.nbib", source_id="pubmed", database="PubMed")  # doctest: +SKIP
>>> result.records        # the record table (srma.records.RecordSchema)  # doctest: +SKIP

Formats are recognised from the content (:func:`detect_format`): RIS in the
dialects of Ovid, EBSCO, Embase, ProQuest, Scopus, Web of Science, Cochrane,
APA PsycNET and the reference managers; PubMed MEDLINE (.nbib); Web of Science
plain text and tab-delimited; BibTeX; EndNote XML and tagged (%-tags); CSV,
TSV and XLSX from Scopus, Embase, PubMed, EBSCO, Cochrane, Covidence, Rayyan,
Zotero, Lens, OpenAlex, IEEE Xplore, RefWorks and EPPI-Reviewer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from srma._lazy import lazy_exports

if TYPE_CHECKING:
    from srma.io.detect import FORMATS
    from srma.io.reader import ImportResult, detect_format, read_export, source_id_from_path
    from srma.io.tables import read_table, write_csv, write_parquet, write_xlsx

#: Where each public name lives.  They are imported on first use (PEP 562), so that a
#: workflow step needing only the table writers (``srma.io.tables``) does not pay for the
#: readers and their validation schemas at start-up: each Snakemake job is a fresh process.
_LAZY = {
    "FORMATS": "srma.io.detect",
    "ImportResult": "srma.io.reader",
    "detect_format": "srma.io.reader",
    "read_export": "srma.io.reader",
    "source_id_from_path": "srma.io.reader",
    "read_table": "srma.io.tables",
    "write_csv": "srma.io.tables",
    "write_parquet": "srma.io.tables",
    "write_xlsx": "srma.io.tables",
}

__all__ = [
    "FORMATS",
    "ImportResult",
    "detect_format",
    "read_export",
    "read_table",
    "source_id_from_path",
    "write_csv",
    "write_parquet",
    "write_xlsx",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
