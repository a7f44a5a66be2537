"""Writing and reading the project's tables: Parquet, CSV and XLSX.

Every writer

* writes atomically: to a temporary file in the destination folder, then
  renamed over the destination, so a failure never leaves a half-written
  output (and Snakemake never sees one);
* is deterministic: the same frame gives the same bytes on every run (for the
  same library versions).  Column order is kept as given; sort the rows before
  writing if their order is not already fixed.

CSV and XLSX are meant to be opened in spreadsheet programs, so text cells
that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or CR) get a leading ``'`` (OWASP's advice on CSV injection).  Text
that is a plain number (``-0.35``) is left alone, and numeric columns stay
numeric.  :func:`read_table` removes that ``'`` again, so tables round-trip.
Lists (authors, keywords) are written ``'; '``-joined.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from srma.errors import InputError, Problem
from srma.io.atomic import atomic_path, atomic_write_bytes
from srma.io.encoding import decode_bytes, is_zip, read_file_bytes

__all__ = [
    "LIST_SEPARATOR",
    "neutralise_formula",
    "read_table",
    "restore_formula",
    "write_csv",
    "write_parquet",
    "write_xlsx",
]

#: How list cells are joined in CSV and XLSX.
LIST_SEPARATOR = "; "
#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_TRIGGERS = "=+-@\t\r"
_NEEDS_ESCAPE = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
#: Excel's limit on characters in one cell.
XLSX_MAX_CELL = 32767
XLSX_TRUNCATED = " [truncated by srma: longer than an Excel cell can hold]"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Timestamp written into XLSX document properties and zip entries.
FIXED_TIMESTAMP = _dt.datetime(2000, 1, 1, 0, 0, 0)
PARQUET_COMPRESSION = "zstd"
PARQUET_COMPRESSION_LEVEL = 9


# --------------------------------------------------------------------------- cells


def neutralise_formula(value: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula.

    Also prefixes text that already starts with quotes followed by a trigger
    character, so that :func:`restore_formula` is an exact inverse.

    Examples
    --------
    >>> neutralise_formula("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> neutralise_formula("-0.35")
    '-0.35'
    >>> neutralise_formula("'t Hooft")
    "'t Hooft"
    """
    if _NEEDS_ESCAPE.match(value) and not _NUMBER.match(value):
        return "'" + value
    return value


def restore_formula(value: str) -> str:
    """Undo :func:`neutralise_formula`."""
    if _ESCAPED.match(value):
        return value[1:]
    return value


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


def _no_nul(text: str) -> str:
    return text.replace("\x00", "") if "\x00" in text else text


def _xml_text(text: str) -> str:
    """Text as XLSX can hold it: XML 1.0 has no control characters, and its
    parsers turn CR and CRLF into LF, so line breaks are stored as LF."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub("", text)


def _text_cell(value: Any, fix: Callable[[str], str] = _no_nul) -> Any:
    """A cell value for CSV/XLSX: lists joined, text neutralised, numbers kept.

    ``fix`` is applied to text before it is neutralised, so that removing
    characters can never uncover a formula.
    """
    if isinstance(value, (list, tuple, np.ndarray)):
        text = LIST_SEPARATOR.join("" if _is_missing(v) else str(v) for v in value)
        return neutralise_formula(fix(text))
    if _is_missing(value):
        return None
    if isinstance(value, str):
        return neutralise_formula(fix(value))
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (_dt.datetime, _dt.date, pd.Timestamp)):
        return value.isoformat()
    return neutralise_formula(fix(str(value)))


def _cell_frame(df: pd.DataFrame, fix: Callable[[str], str] = _no_nul) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(df)))
    for name in df.columns:
        column = df[name]
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            out[str(name)] = column.reset_index(drop=True)
        else:
            out[str(name)] = pd.Series([_text_cell(v, fix) for v in column.tolist()], dtype=object)
    return out


# --------------------------------------------------------------------------- atomic


# --------------------------------------------------------------------------- parquet


def _parquet_table(df: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(df, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    if b"pandas" in metadata:
        pandas_meta = json.loads(metadata[b"pandas"])
        # versions of the writing libraries would make the bytes differ between
        # environments while the data are the same
        pandas_meta.pop("creator", None)
        pandas_meta.pop("pandas_version", None)
        metadata[b"pandas"] = json.dumps(pandas_meta, sort_keys=True).encode()
    return table.replace_schema_metadata(metadata)


def write_parquet(df: pd.DataFrame, path: str | PathLike[str]) -> None:
    """Write a frame to Parquet deterministically and atomically.

    No index is written; the pandas schema metadata is kept (it restores
    nullable integer and string dtypes on reading) without the library
    versions; compression is fixed (zstd, level 9).
    """
    table = _parquet_table(df)
    with atomic_path(path) as tmp:
        pq.write_table(
            table,
            tmp,
            compression=PARQUET_COMPRESSION,
            compression_level=PARQUET_COMPRESSION_LEVEL,
            version="2.6",
            data_page_version="1.0",
            use_dictionary=True,
            write_statistics=True,
            row_group_size=1_000_000,
        )


# --------------------------------------------------------------------------- csv


def write_csv(df: pd.DataFrame, path: str | PathLike[str]) -> None:
    """Write a frame to CSV (UTF-8, LF line ends, ``,``-separated, text quoted).

    Text cells are protected against formula injection (see the module
    docstring); lists are ``'; '``-joined; missing values are empty cells.
    """
    cells = _cell_frame(df)
    buffer = io.StringIO()
    # every text cell quoted: the csv module would leave a bare CR inside a value
    # unquoted when lines end with LF, and readers would split the row there
    cells.to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    atomic_write_bytes(path, buffer.getvalue().encode("utf-8"))


# --------------------------------------------------------------------------- xlsx


def _xlsx_value(value: Any) -> Any:
    if value is None or _is_missing(value):
        return None
    if isinstance(value, str):
        if len(value) > XLSX_MAX_CELL:
            value = value[: XLSX_MAX_CELL - len(XLSX_TRUNCATED)] + XLSX_TRUNCATED
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps, order and permissions."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            member.create_system = 0
            target.writestr(member, source.read(info.filename), compresslevel=6)
    return out.getvalue()


def xlsx_bytes(df: pd.DataFrame, sheet_name: str = "data") -> bytes:
    """The bytes of an XLSX workbook holding ``df`` (see :func:`write_xlsx`)."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    cells = _cell_frame(df, fix=_xml_text)
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "srma"
    workbook.properties.lastModifiedBy = "srma"
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP
    sheet = workbook.create_sheet(title=sheet_name[:31])
    sheet.append([_xlsx_value(neutralise_formula(_xml_text(str(c)))) for c in cells.columns])
    for row in cells.itertuples(index=False, name=None):
        sheet.append([_xlsx_value(v) for v in row])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return _normalise_zip(buffer.getvalue())


def write_xlsx(df: pd.DataFrame, path: str | PathLike[str], sheet_name: str = "data") -> None:
    """Write a frame to an XLSX workbook, deterministically and atomically.

    Text is protected against formula injection like :func:`write_csv`;
    numbers stay numbers; document properties and zip timestamps are fixed
    so the bytes are identical across runs.  Control characters XML cannot
    hold are dropped, and text longer than Excel's 32,767-character cell
    limit is cut with a visible ``[truncated by srma ...]`` note (write
    Parquet or CSV where every character matters).
    """
    atomic_write_bytes(path, xlsx_bytes(df, sheet_name=sheet_name))


# --------------------------------------------------------------------------- reading


def _guess_delimiter(text: str) -> str:
    """The delimiter (``,``, tab, ``;`` or ``|``) that splits the first rows most evenly."""
    sample = "\n".join(text.splitlines()[:50])
    best = ","
    best_score = (0, 0)
    for delimiter in (",", "\t", ";", "|"):
        if delimiter not in sample:
            continue
        try:
            rows = [
                r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if r
            ]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows if len(r) == width)
        score = (consistent, width)
        if width > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _frame_from_rows(
    rows: list[tuple[int, list[str]]], file: str, unescape: bool, where: str
) -> pd.DataFrame:
    def error(message: str, number: int, hint: str) -> InputError:
        if where == "line":
            return InputError(message, file=file, line=number, hint=hint)
        return InputError(message, file=file, row=number, hint=hint)

    if not rows:
        raise InputError("the table has no header row", file=file, hint="name the columns")
    header_line, header = rows[0]
    header = [h.strip() for h in header]
    width = len(header)
    while (
        width
        and not header[width - 1]
        and all(len(r) < width or not r[width - 1].strip() for _, r in rows[1:])
    ):
        width -= 1
    header = header[:width]
    problems = []
    seen: set[str] = set()
    for name in header:
        if not name:
            problems.append("a column has no name")
        elif name in seen:
            problems.append(f"column {name!r} appears twice")
        seen.add(name)
    if problems:
        raise error(
            "; ".join(problems) + " in the header",
            header_line,
            hint="give every column a unique name in the first row",
        )
    data: list[list[str]] = []
    for number, cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            raise error(
                f"row has {len(cells)} cells but the header names {width} columns",
                number,
                hint="check for a delimiter or quote out of place",
            )
        if len(cells) < width:
            raise error(
                f"row has {len(cells)} cells but the header names {width} columns",
                number,
                hint="the file may be truncated, or a quote is not closed",
            )
        values = cells[:width]
        if unescape:
            values = [restore_formula(v) for v in values]
        data.append(values)
    if unescape:
        header = [restore_formula(h) for h in header]
    return (
        pd.DataFrame(data, columns=header, dtype=str)
        if data
        else pd.DataFrame({h: pd.Series([], dtype=str) for h in header})
    )


_TABLE_HINT = "save the table again as CSV (UTF-8) or as an Excel .xlsx workbook"


def _table_problem(problem: Problem) -> Problem:
    """A problem of the export decoder, worded for a table."""
    message = problem.message.replace("not a bibliographic export", "not a table")
    message = message.replace("not a text export", "not a table")
    hint = problem.hint
    if hint and hint.startswith(("export the records", "save the export")):
        hint = _TABLE_HINT
    return replace(problem, message=message, hint=hint)


def read_table(path: str | PathLike[str], *, unescape: bool = True) -> pd.DataFrame:
    """Read a CSV/TSV or XLSX table (recognised by content) as a frame of strings.

    Parameters
    ----------
    path
        The table.  XLSX: the first worksheet is read.  Text: UTF-8 (with or
        without BOM), UTF-16 with BOM or cp1252; the delimiter (``,``, tab,
        ``;`` or ``|``) is guessed from the first rows.
    unescape
        Remove the ``'`` that :func:`write_csv` / :func:`write_xlsx` put before
        formula-like text.

    Returns
    -------
    pandas.DataFrame
        One column per header cell, every value a string (empty cells ``""``);
        ``attrs["source"]`` is the file's name (for messages further on).

    Raises
    ------
    InputError
        If the file is missing, empty, binary, undecodable, or its rows do not
        match its header.
    """
    from srma.io.fields import split_lines
    from srma.io.tabular import cell_text, ends_inside_quotes, xlsx_rows

    p = Path(path)
    file = str(p)
    data = read_file_bytes(p)
    if is_zip(data):
        try:
            sheet = xlsx_rows(data)
        except ValueError as exc:
            raise InputError(
                f"cannot read the Excel workbook ({exc})",
                file=file,
                hint="save it again as .xlsx or as CSV (UTF-8)",
            ) from None
        rows = [
            (i + 1, [cell_text(c) if not isinstance(c, str) else c for c in r])
            for i, r in enumerate(sheet)
        ]
        while rows and not any(c.strip() for c in rows[-1][1]):
            rows.pop()
        frame = _frame_from_rows(rows, file, unescape, "row")
        frame.attrs["source"] = file
        return frame
    # tables written by srma may hold control characters; only NUL bytes mark binary
    try:
        text, _ = decode_bytes(data, file, control_share=1.0)
    except InputError as exc:  # the decoder speaks of exports: say "table"
        raise InputError(problems=[_table_problem(p) for p in exc.problems]) from None
    text = text.lstrip("\ufeff")
    delimiter = _guess_delimiter(text)
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    try:
        for cells in reader:
            if cells or rows:
                rows.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error as exc:
        raise InputError(
            f"malformed table: {exc}",
            file=file,
            line=reader.line_num,
            hint="save the file again as CSV (UTF-8)",
        ) from None
    while rows and not rows[-1][1]:
        rows.pop()
    if rows and ends_inside_quotes(split_lines(text), rows[-1][0], delimiter):
        raise InputError(
            "the file ends inside a quoted cell that starts on this line: it is truncated, "
            "or a quote is not closed",
            file=file,
            line=rows[-1][0],
            hint="save or download the table again; check the quotes on this line",
        )
    rows = [(n, r) for n, r in rows if r or n == rows[0][0]]
    frame = _frame_from_rows(rows, file, unescape, "line")
    frame.attrs["source"] = file
    return frame
