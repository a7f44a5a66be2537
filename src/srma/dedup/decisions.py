"""Reviewers' decisions on pairs of records.

A decisions table has one row per pair a reviewer settled:

========== =============================================================
pair_id    ``"<record_id_a>|<record_id_b>"`` with ``a < b`` (as written in
           the uncertain list; the other order is accepted too)
decision   ``same`` (merge the two records) or ``different`` (keep them
           apart, also through other links)
reviewer   who decided (optional)
note       why (optional)
========== =============================================================

A decision whose records are no longer in the input (an export was replaced) is
*stale*: it is reported, not applied and not silently dropped.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from srma.errors import InputError, Problem

__all__ = [
    "DECISION_COLUMNS",
    "STALE_COLUMNS",
    "Decisions",
    "empty_decisions",
    "make_pair_id",
    "read_decisions",
]

DECISION_COLUMNS = ["pair_id", "decision", "reviewer", "note"]
STALE_COLUMNS = [*DECISION_COLUMNS, "missing_record_ids"]
_VALUES = {"same", "different"}


def make_pair_id(a: str, b: str) -> str:
    """The pair id of two record ids: ``"a|b"`` with ``a < b``.

    >>> make_pair_id("pubmed:2", "embase:7")
    'embase:7|pubmed:2'
    """
    return f"{a}|{b}" if a < b else f"{b}|{a}"


def empty_decisions() -> pd.DataFrame:
    """An empty decisions table."""
    return pd.DataFrame({c: pd.Series([], dtype="object") for c in DECISION_COLUMNS})


@dataclass(frozen=True)
class Decisions:
    """Validated decisions, split into those that apply and those that are stale."""

    same: list[tuple[str, str]]
    different: list[tuple[str, str]]
    table: pd.DataFrame
    stale: pd.DataFrame


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def read_decisions(
    decisions: pd.DataFrame | None,
    record_ids: Collection[str],
    file: str | None = None,
) -> Decisions:
    """Validate a decisions table against the record ids of this run.

    Raises
    ------
    InputError
        For a missing column, a malformed pair id, an unknown decision, the same
        pair decided both ways, or ``same`` decisions that chain two records a
        ``different`` decision keeps apart.
    """
    if decisions is None or len(decisions) == 0:
        return Decisions([], [], empty_decisions(), pd.DataFrame(columns=STALE_COLUMNS))
    file = file or decisions.attrs.get("source")
    missing = [c for c in ("pair_id", "decision") if c not in decisions.columns]
    if missing:
        raise InputError(
            f"the decisions table has no column {missing[0]!r}",
            file=file,
            column=missing[0],
            hint="a decisions table needs the columns pair_id, decision, reviewer, note",
        )
    problems: list[Problem] = []
    rows: dict[str, dict[str, str]] = {}
    for pos, row in enumerate(decisions.to_dict("records")):
        line = pos + 2  # header is line 1 in a CSV
        pair = _cell(row.get("pair_id"))
        decision = _cell(row.get("decision")).lower()
        parts = pair.split("|")
        if (
            len(parts) != 2
            or not parts[0].strip()
            or not parts[1].strip()
            or (parts[0].strip() == parts[1].strip())
        ):
            problems.append(
                Problem(
                    "malformed pair id",
                    file=file,
                    line=line,
                    column="pair_id",
                    value=pair,
                    hint="write two different record ids joined by '|', as in the uncertain list",
                )
            )
            continue
        if decision not in _VALUES:
            problems.append(
                Problem(
                    "unknown decision",
                    file=file,
                    line=line,
                    column="decision",
                    value=row.get("decision"),
                    hint="write 'same' or 'different'",
                )
            )
            continue
        pair_id = make_pair_id(parts[0].strip(), parts[1].strip())
        entry = {
            "pair_id": pair_id,
            "decision": decision,
            "reviewer": _cell(row.get("reviewer")),
            "note": _cell(row.get("note")),
        }
        previous = rows.get(pair_id)
        if previous is not None and previous["decision"] != decision:
            problems.append(
                Problem(
                    f"pair decided both 'same' and '{decision}'"
                    if decision == "different"
                    else "pair decided both 'different' and 'same'",
                    file=file,
                    line=line,
                    column="decision",
                    value=pair_id,
                    hint="keep one decision for this pair",
                )
            )
            continue
        rows.setdefault(pair_id, entry)
    if problems:
        raise InputError(problems=problems)

    table = pd.DataFrame(list(rows.values()), columns=DECISION_COLUMNS)
    table = table.sort_values("pair_id", kind="stable").reset_index(drop=True)
    known = set(record_ids)
    live, stale = [], []
    for entry in table.to_dict("records"):
        a, b = entry["pair_id"].split("|")
        absent = [x for x in (a, b) if x not in known]
        if absent:
            stale.append({**entry, "missing_record_ids": ";".join(absent)})
        else:
            live.append(entry)
    same = [tuple(e["pair_id"].split("|")) for e in live if e["decision"] == "same"]
    different = [tuple(e["pair_id"].split("|")) for e in live if e["decision"] == "different"]
    _check_contradictions(same, different, file)  # type: ignore[arg-type]
    return Decisions(
        same=same,  # type: ignore[arg-type]
        different=different,  # type: ignore[arg-type]
        table=pd.DataFrame(live, columns=DECISION_COLUMNS),
        stale=pd.DataFrame(stale, columns=STALE_COLUMNS),
    )


def _check_contradictions(
    same: list[tuple[str, str]], different: list[tuple[str, str]], file: str | None
) -> None:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in same:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    problems = [
        Problem(
            "'different' contradicts a chain of 'same' decisions",
            file=file,
            column="decision",
            value=f"{a}|{b}",
            hint="these two records are joined through other pairs decided 'same'; "
            "change one of those decisions or this one",
        )
        for a, b in different
        if find(a) == find(b)
    ]
    if problems:
        raise InputError(problems=problems)
