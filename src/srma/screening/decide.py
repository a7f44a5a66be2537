"""Combining reviewers' decisions into one final decision per work and stage.

The rules (see :class:`~srma.screening.rules.ScreeningRules`):

* Each reviewer has at most one decision per work and stage.  If a reviewer
  has several rows for the same work and stage, identical ones count once,
  otherwise the one with the latest ``time`` wins; without times to tell them
  apart, it is a problem to fix in the log.
* A consensus row settles a work at a stage, whatever the reviewers said.
* Otherwise the reviewers' decisions are compared on *moving on*: ``include``
  and (by default) ``maybe`` move a work on, ``exclude`` does not.  Decisions
  that differ are a *conflict*; at full text, two exclusions with different
  reasons are a conflict too (PRISMA counts one reason per report).  A
  conflict needs a consensus row.
* With fewer decisions than the reviewers required, a work is *incomplete*;
  with none, *missing*.
* Only works included at title/abstract need full-text decisions; a full-text
  decision for a work excluded at title/abstract is a problem.
* A full-text exclusion whose reason means "not retrieved" (see
  :attr:`ScreeningRules.not_retrieved_reasons`) becomes ``not_retrieved``.

Conflicts, incomplete and missing works, and decisions for works that are
not in the works table stop the run (one :class:`~srma.errors.InputError`
listing all of them) unless ``allow_pending`` is set; then such works are
``awaiting`` classification.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa

from srma.errors import ConsistencyError, InputError, Problem
from srma.screening.rules import STAGES, ScreeningRules
from srma.screening.schema import (
    CONSENSUS_COLUMNS,
    LOG_COLUMNS,
    ConsensusSchema,
    ScreeningLogSchema,
    empty_consensus,
    records_with_location,
)

#: Streams a work can belong to (the config's source streams).
STREAMS: tuple[str, ...] = ("databases", "registers", "other_methods")

#: Final decisions.
FINAL_DECISIONS: tuple[str, ...] = ("include", "exclude", "not_retrieved", "awaiting")

#: How a final decision came about.
BASES: tuple[str, ...] = (
    "consensus",  # settled in the consensus file
    "agreement",  # all required reviewers agree
    "single",  # one reviewer required, one decided
    "conflict",  # reviewers disagree (or differ on the full-text reason): needs consensus
    "undecided",  # only "maybe", and maybe does not count as include: needs consensus
    "incomplete",  # fewer decisions than reviewers required
    "missing",  # no decision yet
)
PENDING_BASES = ("conflict", "undecided", "incomplete", "missing")

DECISION_COLUMNS: list[str] = [
    "work_id",
    "stream",
    "stage",
    "decision",
    "reason",
    "basis",
    "votes",
    "n_reviewers",
]

#: How many missing works a message lists before it says "and N more".
MAX_LISTED = 20


class DecisionSchema(pa.DataFrameModel):
    """One row per work and stage: the final decision."""

    work_id: str
    stream: str = pa.Field(isin=list(STREAMS))
    stage: str = pa.Field(isin=list(STAGES))
    decision: str = pa.Field(isin=list(FINAL_DECISIONS))
    reason: str = pa.Field(nullable=True)
    basis: str = pa.Field(isin=list(BASES))
    votes: str
    n_reviewers: int = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True
        coerce = True
        unique = ["work_id", "stage"]


@dataclass(frozen=True)
class ScreeningResult:
    """Outcome of :func:`resolve`.

    Attributes
    ----------
    decisions
        :class:`DecisionSchema`: one row per work at title/abstract, and one per
        work included at title/abstract at full text.
    log
        The reviewers' decisions that were used: one per reviewer, work and
        stage, for known works only (the input of :func:`agreement`).
    unknown
        Log and consensus rows naming works that are not in the works table
        (only non-empty with ``allow_pending``; otherwise they stop the run).
    rules
        The rules applied.
    """

    decisions: pd.DataFrame
    log: pd.DataFrame
    unknown: pd.DataFrame
    rules: ScreeningRules

    @property
    def pending(self) -> pd.DataFrame:
        """Decisions still awaiting classification."""
        return self.decisions[self.decisions["decision"] == "awaiting"].reset_index(drop=True)

    def final(self, stage: str) -> pd.DataFrame:
        """The decisions at one stage."""
        return self.decisions[self.decisions["stage"] == stage].reset_index(drop=True)


def check_works(works: pd.DataFrame) -> pd.DataFrame:
    """The works table must have unique ``work_id`` and a valid ``stream``."""
    missing = [c for c in ("work_id", "stream") if c not in works.columns]
    if missing:
        raise ConsistencyError(f"the works table has no column(s) {', '.join(missing)}")
    dup = works["work_id"][works["work_id"].duplicated()]
    if len(dup):
        raise ConsistencyError(
            f"the works table has duplicate work ids: {', '.join(map(str, dup[:10]))}"
        )
    bad = sorted(set(works["stream"]) - set(STREAMS))
    if bad:
        raise ConsistencyError(f"the works table has unknown streams: {bad}")
    return works


def _key(text: Any) -> str:
    return " ".join(str(text).split()).casefold() if text is not None else ""


def _is_na(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str | None:
    return None if _is_na(value) else str(value)


def one_decision_per_reviewer(log: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Keep one decision per reviewer, work and stage (see the module's rules)."""
    if log.empty:
        return log, []
    keys = ["stage", "work_id", "reviewer"]
    dup_mask = log.duplicated(keys, keep=False)
    if not dup_mask.any():
        return log, []
    problems: list[Problem] = []
    keep = log.index[~dup_mask].tolist()
    for (stage, work_id, reviewer), group in log[dup_mask].groupby(keys, sort=True):
        same = {(r.decision, _key(_text(r.reason))) for r in group.itertuples()}
        if len(same) == 1:
            keep.append(group.index[-1])
            continue
        times = group["time"]
        if times.notna().all() and (times == times.max()).sum() == 1:
            keep.append(times.idxmax())
            continue
        where = "; ".join(
            f"{records_with_location(r)}: {r['decision']}" for r in group.to_dict("records")
        )
        first = group.iloc[0]
        keep.append(group.index[-1])  # so that nothing else is reported for this work
        problems.append(
            Problem(
                f"reviewer {reviewer!r} has {len(group)} different decisions on work "
                f"{work_id} at {stage} ({where})",
                file=_text(first["file"]),
                row=None if _is_na(first["row"]) else int(first["row"]),
                column="decision",
                hint="delete the outdated rows, or give each row its time so the latest wins",
            )
        )
    return log.loc[sorted(keep)], problems


def _votes_text(votes: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for v in votes:
        text = f"{v['reviewer']}={v['decision']}"
        reason = _text(v.get("reason"))
        if reason:
            text += f" ({reason})"
        parts.append(text)
    return "; ".join(parts)


def _decide(
    stage: str,
    votes: Sequence[Mapping[str, Any]],
    consensus: Mapping[Any, Any] | None,
    rules: ScreeningRules,
) -> tuple[str, str | None, str]:
    """Final (decision, reason, basis) of one work at one stage."""
    if consensus is not None:
        decision, reason, basis = consensus["decision"], _text(consensus["reason"]), "consensus"
    elif not votes:
        return "awaiting", None, "missing"
    else:
        moves = [
            "include"
            if v["decision"] == "maybe" and rules.maybe_counts_as_include
            else v["decision"]
            for v in votes
        ]
        if len(set(moves)) > 1:
            return "awaiting", None, "conflict"
        if moves[0] == "maybe":
            return "awaiting", None, "undecided"
        if len(votes) < rules.reviewers(stage):
            return "awaiting", None, "incomplete"
        decision = moves[0]
        reasons = [_text(v["reason"]) for v in votes]
        keys = {_key(r) for r in reasons}
        if stage == "full_text" and decision == "exclude" and len(keys) > 1:
            return "awaiting", None, "conflict"
        reason = reasons[0] if len(keys) == 1 else None
        if decision == "include":
            reason = None
        basis = "single" if len(votes) == 1 else "agreement"
    if stage == "full_text" and decision == "exclude" and rules.is_not_retrieved(reason):
        decision = "not_retrieved"
    return decision, reason, basis


def _pending_problem(
    row: Mapping[str, Any], votes: Sequence[Mapping[str, Any]], rules: ScreeningRules
) -> Problem:
    stage, work_id, basis = row["stage"], row["work_id"], row["basis"]
    loc = votes[0] if votes else {}
    file = _text(loc.get("file"))
    line = None if _is_na(loc.get("row")) else int(loc["row"])
    where = ", ".join(
        f"{v['reviewer']}={v['decision']} at {records_with_location(v)}" for v in votes
    )
    if basis == "conflict":
        return Problem(
            f"unresolved conflict on work {work_id} at {stage}: {where}",
            file=file,
            row=line,
            column="decision",
            hint="add a consensus row (work_id, stage, decision, reason) to settle it",
        )
    if basis == "undecided":
        return Problem(
            f"work {work_id} at {stage} has only 'maybe' decisions ({where}) and maybe does "
            "not count as include",
            file=file,
            row=line,
            column="decision",
            hint="add a consensus row to settle it, or set maybe_counts_as_include",
        )
    need = rules.reviewers(stage)
    return Problem(
        f"work {work_id} at {stage} has {len(votes)} of the {need} decisions required ({where})",
        file=file,
        row=line,
        column="reviewer",
        hint="the second reviewer still has to screen it (or set allow_pending to go on)",
    )


def _missing_problems(decisions: pd.DataFrame) -> list[Problem]:
    problems = []
    for stage in STAGES:
        ids = decisions.loc[
            (decisions["stage"] == stage) & (decisions["basis"] == "missing"), "work_id"
        ].tolist()
        if not ids:
            continue
        listed = ", ".join(ids[:MAX_LISTED])
        more = f" and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else ""
        problems.append(
            Problem(
                f"{len(ids)} work(s) have no {stage} decision: {listed}{more}",
                hint=f"screen them (the {stage} screening sheet lists them all), "
                "or set allow_pending to report them as awaiting classification",
            )
        )
    return problems


def _unknown_problems(rows: pd.DataFrame, what: str) -> list[Problem]:
    return [
        Problem(
            f"{what} for a work that is not in the works table",
            file=_text(r["file"]),
            row=None if _is_na(r["row"]) else int(r["row"]),
            column="work_id",
            value=r["work_id"],
            hint="check the id against results/dedup/works.parquet (the screening sheet lists "
            "valid ids), or delete the row",
        )
        for _, r in rows.iterrows()
    ]


def resolve(
    log: pd.DataFrame,
    works: pd.DataFrame,
    consensus: pd.DataFrame | None = None,
    rules: ScreeningRules | None = None,
) -> ScreeningResult:
    """Final decision per work and stage from the reviewers' log and the consensus.

    Parameters
    ----------
    log
        Validated screening log(s) (:class:`~srma.screening.schema.ScreeningLogSchema`).
    works
        The works table (``work_id``, ``stream``, ...), one row per unique work.
    consensus
        Validated consensus table, or None.
    rules
        The review's rules; defaults to dual screening, maybe counts as include,
        nothing pending allowed.

    Returns
    -------
    ScreeningResult

    Raises
    ------
    InputError
        Every problem at once: conflicting rows of one reviewer, decisions for
        unknown works, full-text decisions for works excluded at
        title/abstract, and -- unless ``rules.allow_pending`` -- conflicts,
        incomplete and missing decisions.
    """
    rules = rules or ScreeningRules()
    works = check_works(works)
    log = ScreeningLogSchema.validate(log[LOG_COLUMNS].copy()).reset_index(drop=True)
    if consensus is None or consensus.empty:
        consensus = empty_consensus()
    else:
        consensus = ConsensusSchema.validate(consensus[CONSENSUS_COLUMNS].copy())
    consensus = consensus.reset_index(drop=True)
    problems: list[Problem] = []
    known = set(works["work_id"])

    unknown_log = log[~log["work_id"].isin(known)]
    unknown_cons = consensus[~consensus["work_id"].isin(known)]
    unknown = pd.concat(
        [
            unknown_log.assign(kind="log"),
            unknown_cons.assign(kind="consensus"),
        ],
        ignore_index=True,
    )[["kind", "work_id", "stage", "decision", "reason", "file", "row"]]
    if not rules.allow_pending:
        problems += _unknown_problems(unknown_log, "a decision")
        problems += _unknown_problems(unknown_cons, "a consensus decision")
    log = log[log["work_id"].isin(known)]
    consensus = consensus[consensus["work_id"].isin(known)]

    log, dup_problems = one_decision_per_reviewer(log)
    problems += dup_problems
    log = log.sort_values(["stage", "work_id", "reviewer"], kind="stable").reset_index(drop=True)

    votes: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for rec in log.to_dict("records"):
        votes[(str(rec["stage"]), str(rec["work_id"]))].append({str(k): v for k, v in rec.items()})
    settled = {(r["stage"], r["work_id"]): r for r in consensus.to_dict("records")}

    stream_of = dict(zip(works["work_id"], works["stream"], strict=True))
    rows: list[dict[str, Any]] = []
    pending: list[Problem] = []
    passed: set[str] = set()
    excluded_ta: set[str] = set()
    for stage in STAGES:
        ids = sorted(known) if stage == "title_abstract" else sorted(passed)
        for work_id in ids:
            v = votes.get((stage, work_id), [])
            decision, reason, basis = _decide(stage, v, settled.get((stage, work_id)), rules)
            row = {
                "work_id": work_id,
                "stream": stream_of[work_id],
                "stage": stage,
                "decision": decision,
                "reason": reason,
                "basis": basis,
                "votes": _votes_text(v),
                "n_reviewers": len(v),
            }
            rows.append(row)
            if basis in ("conflict", "undecided", "incomplete"):
                pending.append(_pending_problem(row, v, rules))
            if stage == "title_abstract":
                if decision == "include":
                    passed.add(work_id)
                elif decision == "exclude":
                    excluded_ta.add(work_id)

    # Full-text decisions for works excluded at title/abstract contradict the log.
    for (stage, work_id), v in sorted(votes.items()):
        if stage == "full_text" and work_id in excluded_ta:
            first = v[0]
            problems.append(
                Problem(
                    f"full-text decision for work {work_id}, which was excluded at title/abstract",
                    file=_text(first["file"]),
                    row=None if _is_na(first["row"]) else int(first["row"]),
                    column="work_id",
                    value=work_id,
                    hint="delete the full-text row, or change the title/abstract decision "
                    "(a consensus row) if the work should go on",
                )
            )
    for (stage, work_id), c in sorted(settled.items()):
        if stage == "full_text" and work_id in excluded_ta:
            problems.append(
                Problem(
                    f"full-text consensus for work {work_id}, which was excluded at title/abstract",
                    file=_text(c["file"]),
                    row=None if _is_na(c["row"]) else int(c["row"]),
                    column="work_id",
                    value=work_id,
                    hint="delete the row, or settle the title/abstract decision first",
                )
            )

    decisions = pd.DataFrame(rows, columns=DECISION_COLUMNS)
    if not rules.allow_pending:
        problems += pending + _missing_problems(decisions)
    if problems:
        raise InputError(problems=problems)
    decisions = DecisionSchema.validate(decisions)
    return ScreeningResult(decisions=decisions, log=log, unknown=unknown, rules=rules)
