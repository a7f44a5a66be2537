"""The input tables of a review: where the config puts them and which columns they have.

One :class:`InputTable` per table a reviewer fills in.  The columns come from
the modules that read the tables (:mod:`srma.dedup.decisions`,
:mod:`srma.screening.schema`, :mod:`srma.extraction.schema`), so a template
written from them always has the columns the workflow expects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from srma.dedup.decisions import DECISION_COLUMNS
from srma.extraction.schema import OUTCOME_DATA_FIELDS, RISK_OF_BIAS_FIELDS, STUDY_FIELDS
from srma.screening.schema import CONSENSUS_USER_COLUMNS, LOG_USER_COLUMNS, STUDIES_COLUMNS

__all__ = ["INPUT_TABLES", "InputTable", "config_value", "empty_table", "table_by_name"]


@dataclass(frozen=True)
class InputTable:
    """A table a reviewer fills in.

    Attributes
    ----------
    name
        Short name, also the template's file name (``templates/<name>.csv``).
    title
        What the table is, for people.
    config_key
        Where the config names its path, dotted (``screening.logs[0]``).
    columns
        The columns, in the order a template has them.
    stage
        The workflow stage that reads it: ``dedup``, ``screening`` or ``extraction``.
    """

    name: str
    title: str
    config_key: str
    columns: tuple[str, ...]
    stage: str


INPUT_TABLES: tuple[InputTable, ...] = (
    InputTable(
        "dedup_decisions",
        "De-duplication decisions",
        "dedup.decisions",
        tuple(DECISION_COLUMNS),
        "dedup",
    ),
    InputTable(
        "screening_log_title_abstract",
        "Screening log, title/abstract",
        "screening.logs[0]",
        tuple(LOG_USER_COLUMNS),
        "screening",
    ),
    InputTable(
        "screening_log_full_text",
        "Screening log, full text",
        "screening.logs[1]",
        tuple(LOG_USER_COLUMNS),
        "screening",
    ),
    InputTable(
        "screening_consensus",
        "Screening consensus",
        "screening.consensus",
        tuple(CONSENSUS_USER_COLUMNS),
        "screening",
    ),
    InputTable(
        "screening_studies",
        "Reports to studies",
        "screening.studies",
        tuple(STUDIES_COLUMNS),
        "screening",
    ),
    InputTable(
        "extraction_studies",
        "Study characteristics",
        "extraction.studies",
        tuple(STUDY_FIELDS),
        "extraction",
    ),
    InputTable(
        "extraction_outcomes",
        "Outcome data",
        "extraction.outcome_data",
        tuple(OUTCOME_DATA_FIELDS),
        "extraction",
    ),
    InputTable(
        "extraction_risk_of_bias",
        "Risk of bias",
        "extraction.risk_of_bias",
        tuple(RISK_OF_BIAS_FIELDS),
        "extraction",
    ),
)


def table_by_name(name: str) -> InputTable:
    """The :class:`InputTable` called ``name``."""
    for table in INPUT_TABLES:
        if table.name == name:
            return table
    raise KeyError(name)


_PART = re.compile(r"^(\w+)(?:\[(\d+)\])?$")


def config_value(config: Mapping[str, Any], key: str) -> Any:
    """The value at a dotted key (``screening.logs[0]``), or ``None`` if absent.

    >>> config_value({"screening": {"logs": ["a.csv"]}}, "screening.logs[0]")
    'a.csv'
    """
    value: Any = config
    for part in key.split("."):
        m = _PART.match(part)
        if m is None or not isinstance(value, Mapping):
            return None
        value = value.get(m.group(1))
        if m.group(2) is not None:
            index = int(m.group(2))
            if not isinstance(value, list) or index >= len(value):
                return None
            value = value[index]
    return value


def empty_table(table: InputTable) -> pd.DataFrame:
    """A headed table with no rows (every column text)."""
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in table.columns})
