"""``read_export``: any supported export file -> the normalised record table."""

from __future__ import annotations

import csv
import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import pandas as pd

from srma.errors import InputError, Problem
from srma.io.bibtex import parse_bibtex
from srma.io.detect import FORMAT_DESCRIPTIONS, FORMATS, sniff_format
from srma.io.encoding import decode_bytes, is_zip, read_file_bytes
from srma.io.endnote import parse_endnote_tagged, parse_endnote_xml
from srma.io.fields import Entry, finish_record
from srma.io.nbib import parse_nbib
from srma.io.ris import parse_ris
from srma.io.tabular import (
    find_header,
    parse_delimited,
    parse_xlsx_rows,
    sniff_table,
    xlsx_rows,
)
from srma.io.wos import parse_wos_plaintext, parse_wos_tabdelimited
from srma.records import LIST_COLUMNS, RECORD_COLUMNS, RecordSchema

__all__ = ["ImportResult", "detect_format", "read_export", "source_id_from_path"]

REJECTED_COLUMNS = ["source_id", "position", "line", "reason", "raw"]
#: Columns that come from each record (the others are the same for a whole file).
_ROW_COLUMNS = [c for c in RECORD_COLUMNS if c not in ("source_id", "record_id", "format")]
#: At most this many bad records are listed in one error message.
MAX_LISTED_PROBLEMS = 20
_SOURCE_ID = re.compile(r"^[a-z0-9_]+$")
_SUPPORTED = ", ".join(FORMAT_DESCRIPTIONS.values())

_TEXT_PARSERS: dict[str, Callable[[str], list[Entry]]] = {
    "ris": parse_ris,
    "nbib": parse_nbib,
    "wos_plaintext": parse_wos_plaintext,
    "wos_tabdelimited": parse_wos_tabdelimited,
    "bibtex": parse_bibtex,
    "endnote_xml": parse_endnote_xml,
    "endnote_tagged": parse_endnote_tagged,
}
_START_MARK = {
    "ris": "'TY  -' line",
    "nbib": "MEDLINE tag line ('PMID- ...')",
    "wos_plaintext": "'PT' line",
    "wos_tabdelimited": "data row",
    "bibtex": "'@type{' entry",
    "endnote_xml": "<record> element",
    "endnote_tagged": "'%' tag line",
    "csv": "data row",
    "tsv": "data row",
    "xlsx": "data row",
}


@dataclass(frozen=True)
class ImportResult:
    """What :func:`read_export` found in one export file.

    Attributes
    ----------
    records
        The record table (:class:`srma.records.RecordSchema`), one row per
        readable record, in file order.
    rejected
        Records that could not be read (only with ``on_error="skip"``):
        ``source_id, position, line, reason, raw``.
    format
        The format read (one of :data:`srma.io.FORMATS`).
    encoding
        The character encoding the text was decoded with.
    path
        The file read.
    """

    records: pd.DataFrame
    rejected: pd.DataFrame
    format: str
    encoding: str
    path: str

    @property
    def n_records(self) -> int:
        """Number of records read."""
        return len(self.records)

    @property
    def n_rejected(self) -> int:
        """Number of records set aside."""
        return len(self.rejected)


def source_id_from_path(path: str | PathLike[str]) -> str:
    """A source id from a file name: ``'PubMed 2024-01.nbib'`` -> ``'pubmed_2024_01'``."""
    stem = Path(path).name
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    text = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")
    return text or "source"


def _unknown_format(file: str) -> InputError:
    return InputError(
        "cannot recognise the export format",
        file=file,
        line=1,
        hint=(
            f"supported formats are: {_SUPPORTED}. Export the records again in one of "
            "them, or name the format explicitly if the file is one of them"
        ),
    )


def _xlsx_entries(data: bytes, file: str) -> list[Entry]:
    try:
        rows = xlsx_rows(data)
    except ValueError as exc:
        raise InputError(
            f"cannot read the Excel workbook ({exc})",
            file=file,
            hint="save the sheet again as .xlsx or export the records as CSV",
        ) from None
    header = find_header(rows)
    if header is None:
        raise InputError(
            "the first worksheet has no header row naming known columns "
            "(such as Title, Authors, Year, DOI) in its first 20 rows",
            file=file,
            row=1,
            hint="put the column names in the first row",
        )
    return parse_xlsx_rows(rows, header)


def _delimited_entries(text: str, file: str, fmt: str) -> list[Entry]:
    sniffed = sniff_table(text)
    delimiter = "\t" if fmt == "tsv" else None
    if sniffed is None or (delimiter is not None and sniffed[0] != delimiter):
        raise InputError(
            "no header row naming known columns (such as Title, Authors, Year, DOI) "
            "in the first 20 rows",
            file=file,
            line=1,
            hint="check that this is a bibliographic export and that its first row names the "
            "columns",
        )
    try:
        return parse_delimited(text, sniffed[0], sniffed[1])
    except csv.Error as exc:
        raise InputError(
            f"malformed {fmt.upper()}: {exc}",
            file=file,
            hint="open the file in a spreadsheet program and save it again as CSV (UTF-8)",
        ) from None


def _decode_and_sniff(data: bytes, file: str, fmt: str) -> tuple[str, str | None, str]:
    """(format, text or None for xlsx, encoding)."""
    if is_zip(data):
        if fmt not in ("auto", "xlsx"):
            raise InputError(
                f"the file is a zip archive (an Excel .xlsx workbook?), not {fmt}",
                file=file,
                hint="use format 'auto' or 'xlsx'",
            )
        return "xlsx", None, "utf-8"
    if fmt == "xlsx":
        raise InputError(
            "the file is not an Excel .xlsx workbook", file=file, hint="use format 'auto'"
        )
    text, encoding = decode_bytes(data, file)
    if fmt == "auto":
        sniffed = sniff_format(text)
        if sniffed is None:
            raise _unknown_format(file)
        return sniffed, text, encoding
    return fmt, text, encoding


def detect_format(path: str | PathLike[str]) -> str:
    """The format of an export file, recognised from its content.

    Returns
    -------
    str
        One of :data:`srma.io.FORMATS`.

    Raises
    ------
    InputError
        If the file cannot be read, is empty or binary, or its format is unknown.
    """
    p = Path(path)
    fmt, _, _ = _decode_and_sniff(read_file_bytes(p), str(p), "auto")
    return fmt


def _parse(data: bytes, file: str, fmt: str) -> tuple[str, str, list[Entry]]:
    fmt, text, encoding = _decode_and_sniff(data, file, fmt)
    if fmt == "xlsx":
        return fmt, encoding, _xlsx_entries(data, file)
    assert text is not None
    if "\ufeff" in text:  # a BOM, or several in exports pasted together
        text = text.replace("\ufeff", "")
    if fmt in ("csv", "tsv"):
        entries = _delimited_entries(text, file, fmt)
    else:
        entries = _TEXT_PARSERS[fmt](text)
        if not entries:
            raise InputError(
                f"no {FORMAT_DESCRIPTIONS[fmt]} records found (no {_START_MARK[fmt]})",
                file=file,
                line=1,
                hint=(
                    "check the file is the export you meant; if the format was given "
                    "explicitly, try format 'auto'"
                ),
            )
    return fmt, encoding, entries


def _frame(columns: dict[str, list]) -> pd.DataFrame:
    """The record table from its columns, each converted once to its final dtype."""
    data: dict[str, object] = {}
    for name in RECORD_COLUMNS:
        values = columns[name]
        if name == "year":
            data[name] = pd.array(values, dtype="Int64")
        elif name in ("position", "line"):
            data[name] = pd.array(values, dtype="int64")
        elif name in LIST_COLUMNS:
            data[name] = pd.Series(values, dtype=object)
        else:
            data[name] = pd.array(values, dtype="str")
    return pd.DataFrame(data, columns=RECORD_COLUMNS)


def _rejected_frame(rows: dict[str, list]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=REJECTED_COLUMNS)
    frame["position"] = frame["position"].astype("int64")
    frame["line"] = frame["line"].astype("int64")
    return frame


def read_export(
    path: str | PathLike[str],
    source_id: str | None = None,
    database: str | None = None,
    format: str = "auto",  # noqa: A002 - the documented keyword
    on_error: str = "stop",
) -> ImportResult:
    """Read one bibliographic database export into the record table.

    Parameters
    ----------
    path
        The export file.
    source_id
        Id of the source (``^[a-z0-9_]+$``); by default derived from the file
        name.  Record ids are ``f"{source_id}:{position}"``.
    database
        Database name for the ``database`` column.  If ``None``, the name the
        export itself gives (RIS ``DB``, EBSCO ``DP``, Web of Science ``UT``
        prefix ...) is kept; otherwise this value is used for every record.
    format
        ``"auto"`` (recognise from the content) or one of :data:`srma.io.FORMATS`.
    on_error
        ``"stop"``: raise :class:`~srma.errors.InputError` listing every record
        that cannot be read.  ``"skip"``: set such records aside in
        ``ImportResult.rejected``.

    Returns
    -------
    ImportResult
        ``records`` is valid against :class:`srma.records.RecordSchema`.

    Raises
    ------
    InputError
        For a missing, empty, binary, undecodable or unrecognised file, and
        (with ``on_error="stop"``) for any unreadable record.
    """
    if on_error not in ("stop", "skip"):
        raise ValueError(f"on_error must be 'stop' or 'skip', not {on_error!r}")
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"format must be 'auto' or one of {', '.join(FORMATS)}; got {format!r}")
    p = Path(path)
    file = str(p)
    if source_id is None:
        source_id = source_id_from_path(p)
    if not _SOURCE_ID.match(source_id):
        raise InputError(
            "source id must contain only lower-case letters, digits and '_'",
            file=file,
            value=source_id,
            hint="rename the source in the configuration",
        )
    data = read_file_bytes(p)
    with _gc_paused():
        fmt, encoding, entries = _parse(data, file, format)
        return build_result(entries, source_id, database, fmt, encoding, file, on_error)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small objects are made.

    The readers create no reference cycles; without the pause, the collector
    walks every live object again and again and a 100,000-record import takes
    about a third longer.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_result(
    entries: list[Entry],
    source_id: str,
    database: str | None,
    fmt: str,
    encoding: str,
    file: str,
    on_error: str = "stop",
) -> ImportResult:
    """Turn parsed entries into the validated record table (pure, no I/O)."""
    rows: list[dict] = []
    rejected: dict[str, list] = {c: [] for c in REJECTED_COLUMNS}
    for position, entry in enumerate(entries, start=1):
        error = entry.error
        values = None
        if error is None:
            assert entry.fields is not None
            values, error = finish_record(entry.fields)
        if error is not None:
            rejected["source_id"].append(source_id)
            rejected["position"].append(position)
            rejected["line"].append(entry.line)
            rejected["reason"].append(error)
            rejected["raw"].append(entry.raw)
            continue
        assert values is not None
        values["position"] = position
        values["line"] = entry.line
        values["raw"] = entry.raw
        rows.append(values)
    columns = {name: [row[name] for row in rows] for name in _ROW_COLUMNS}
    positions = columns["position"]
    columns["source_id"] = [source_id] * len(rows)
    columns["record_id"] = [f"{source_id}:{p}" for p in positions]
    columns["format"] = [fmt] * len(rows)
    if database is not None:
        columns["database"] = [database] * len(rows)
    if rejected["position"] and on_error == "stop":
        problems = [
            Problem(
                reason,
                file=file,
                line=line,
                hint=(
                    "fix or remove this record, or import with on_error='skip' "
                    "(srma import --on-error skip) to set unreadable records aside"
                ),
            )
            for line, reason in zip(
                rejected["line"][:MAX_LISTED_PROBLEMS],
                rejected["reason"][:MAX_LISTED_PROBLEMS],
                strict=True,
            )
        ]
        more = len(rejected["position"]) - MAX_LISTED_PROBLEMS
        if more > 0:
            problems.append(
                Problem(
                    f"... and {more} more unreadable records ({len(rejected['position'])} in all)",
                    file=file,
                )
            )
        raise InputError(problems=problems)
    records = RecordSchema.validate(_frame(columns))
    return ImportResult(
        records=records,
        rejected=_rejected_frame(rejected),
        format=fmt,
        encoding=encoding,
        path=file,
    )
