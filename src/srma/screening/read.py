"""Reading screening files (CSV or XLSX) into validated tables.

The only I/O of :mod:`srma.screening`.  Tables are read with
:func:`srma.io.tables.read_table` (CSV or XLSX detected by content, every
cell a string, bad encodings reported as :class:`~srma.errors.InputError`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from srma.errors import InputError
from srma.io.tables import read_table as _read_table
from srma.screening.schema import (
    concat_problems,
    empty_consensus,
    empty_log,
    validate_consensus,
    validate_log,
    validate_studies,
)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or XLSX file into a DataFrame of strings (:func:`srma.io.tables.read_table`).

    Blank rows are skipped by the reader; row numbers in messages count the
    rows that hold data (header = row 1).
    """
    return _read_table(path)


def read_log(path: str | Path) -> pd.DataFrame:
    """Read and validate one screening log (see :mod:`srma.screening.schema`)."""
    return validate_log(read_table(path), file=str(path))


def read_logs(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Read and validate several screening logs; every problem of every file at once.

    The logs are concatenated in the order given (rows keep ``file`` and ``row``).
    """
    frames, problems = concat_problems(sorted(str(p) for p in paths), read_log)
    if problems:
        raise InputError(problems=problems)
    if not frames:
        return empty_log()
    return pd.concat(frames, ignore_index=True)


def read_consensus(path: str | Path | None) -> pd.DataFrame:
    """Read and validate the consensus file; a missing path means no consensus yet."""
    if path is None or not Path(path).exists():
        return empty_consensus()
    return validate_consensus(read_table(path), file=str(path))


def read_studies(path: str | Path | None) -> pd.DataFrame | None:
    """Read the report-to-study mapping; ``None`` when there is no such file."""
    if path is None or not Path(path).exists():
        return None
    studies = validate_studies(read_table(path), file=str(path))
    studies.attrs["source"] = str(path)  # for the messages of included_reports
    return studies
