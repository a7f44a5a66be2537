"""Pandera models of the tables :func:`srma.dedup.deduplicate` returns.

Scripts that write or read these tables validate them with these models
(``WorkSchema.validate(frame)``); :func:`~srma.dedup.deduplicate` validates its
own output with them before returning.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa

from srma.dedup.merge import STREAMS

__all__ = ["CountSchema", "DuplicateSchema", "StaleSchema", "UncertainSchema", "WorkSchema"]


def _str_list(value: Any) -> bool:
    try:
        return (
            value is not None
            and not isinstance(value, str)
            and all(isinstance(v, str) for v in value)
        )
    except TypeError:
        return False


class WorkSchema(pa.DataFrameModel):
    """One row per work (see :class:`srma.dedup.DedupResult`)."""

    work_id: str = pa.Field(unique=True, str_matches=r"^W[0-9a-f]{10}(?:[0-9a-f]{6})?$")
    stream: str = pa.Field(isin=list(STREAMS))
    title: str = pa.Field(nullable=True)
    authors: object
    year: pd.Int64Dtype = pa.Field(nullable=True)
    journal: str = pa.Field(nullable=True)
    journal_abbrev: str = pa.Field(nullable=True)
    volume: str = pa.Field(nullable=True)
    issue: str = pa.Field(nullable=True)
    pages: str = pa.Field(nullable=True)
    doi: str = pa.Field(nullable=True)
    pmid: str = pa.Field(nullable=True)
    issn: str = pa.Field(nullable=True)
    abstract: str = pa.Field(nullable=True)
    keywords: object
    language: str = pa.Field(nullable=True)
    record_type: str = pa.Field(nullable=True)
    kept_record_id: str = pa.Field(unique=True)
    record_ids: object
    source_ids: object
    databases: object
    n_records: int = pa.Field(ge=1)

    class Config:
        strict = True
        ordered = True
        coerce = True

    @pa.check("authors", "keywords", "record_ids", "source_ids", "databases", element_wise=True)
    @classmethod
    def _lists(cls, value: Any) -> bool:
        return _str_list(value)

    @pa.dataframe_check
    @classmethod
    def _n_records(cls, df: pd.DataFrame) -> pd.Series:
        return df["record_ids"].map(len) == df["n_records"]


class DuplicateSchema(pa.DataFrameModel):
    """One row per record removed as a duplicate."""

    record_id: str = pa.Field(unique=True)
    source_id: str
    stream: str = pa.Field(isin=list(STREAMS))
    work_id: str
    kept_record_id: str
    reason: str
    score: float = pa.Field(ge=0, le=1)

    class Config:
        strict = True
        ordered = True
        coerce = True


_SIDE = [
    "record_id",
    "source_id",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
]


class UncertainSchema(pa.DataFrameModel):
    """One row per pair of records the rules could not settle (never merged)."""

    pair_id: str = pa.Field(unique=True, str_matches=r"^[^|]+\|[^|]+$")
    score: float = pa.Field(ge=0, le=1)
    reason: str

    class Config:
        strict = False  # the side-by-side columns *_a, *_b follow
        coerce = True

    @pa.dataframe_check
    @classmethod
    def _sides(cls, df: pd.DataFrame) -> bool:
        return all(f"{c}_{s}" in df.columns for c in _SIDE for s in "ab")


class CountSchema(pa.DataFrameModel):
    """Records identified, duplicates removed and works kept per stream, source, database."""

    stream: str = pa.Field(isin=list(STREAMS))
    source_id: str
    database: str
    records_identified: int = pa.Field(ge=0)
    duplicates_removed: int = pa.Field(ge=0)
    works_kept: int = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        coerce = True


class StaleSchema(pa.DataFrameModel):
    """Decisions about record ids absent from the input."""

    pair_id: str
    decision: str = pa.Field(isin=["same", "different"])
    reviewer: str = pa.Field(nullable=True)
    note: str = pa.Field(nullable=True)
    missing_record_ids: str

    class Config:
        strict = True
        ordered = True
        coerce = True
