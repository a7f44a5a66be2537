"""De-duplication of a record table into works: :func:`deduplicate`."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from rapidfuzz import fuzz, process
from tqdm import tqdm

from srma.dedup.blocking import candidate_pairs, union_pairs
from srma.dedup.cluster import Link, cluster_links
from srma.dedup.compare import compare
from srma.dedup.decisions import STALE_COLUMNS, read_decisions
from srma.dedup.merge import STREAMS, WORK_COLUMNS, merge_work, work_ids
from srma.dedup.normalise import NormRecord, normalise_records, records_as_dicts
from srma.dedup.rules import Decision, Verdict, classify
from srma.dedup.schemas import (
    CountSchema,
    DuplicateSchema,
    StaleSchema,
    UncertainSchema,
    WorkSchema,
)
from srma.errors import ConsistencyError, InputError, Problem
from srma.records import RecordSchema

__all__ = [
    "COUNT_COLUMNS",
    "DUPLICATE_COLUMNS",
    "UNCERTAIN_COLUMNS",
    "DedupResult",
    "deduplicate",
]

DUPLICATE_COLUMNS = [
    "record_id",
    "source_id",
    "stream",
    "work_id",
    "kept_record_id",
    "reason",
    "score",
]
_SIDE_FIELDS = [
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
UNCERTAIN_COLUMNS = [
    "pair_id",
    "score",
    "reason",
    *[f"{c}_a" for c in _SIDE_FIELDS],
    *[f"{c}_b" for c in _SIDE_FIELDS],
]
COUNT_COLUMNS = [
    "stream",
    "source_id",
    "database",
    "records_identified",
    "duplicates_removed",
    "works_kept",
]
#: Candidate pairs found only through a shared first author and year are compared
#: only if their normalised titles are at least this similar (rapidfuzz ratio).
AUTHOR_YEAR_TITLE_MIN = 50.0


@dataclass(frozen=True)
class DedupResult:
    """The outcome of :func:`deduplicate`.

    Attributes
    ----------
    works
        One row per work: ``work_id``, ``stream``, the merged bibliographic fields,
        ``kept_record_id``, ``record_ids``, ``source_ids``, ``databases`` (lists) and
        ``n_records``.  Sorted by ``work_id``.
    duplicates
        One row per record removed as a duplicate: ``record_id``, ``source_id``,
        ``stream``, ``work_id``, ``kept_record_id``, ``reason``, ``score``.
    uncertain
        One row per pair the rules could not settle (never merged): ``pair_id``,
        ``score``, ``reason`` and the two records side by side (``*_a``, ``*_b``).
    stale_decisions
        Decisions about record ids absent from this input, with ``missing_record_ids``.
    counts
        One row per stream, source and database: ``records_identified``,
        ``duplicates_removed`` (records of that source removed as duplicates) and
        ``works_kept`` (works represented by a record of that source).
    """

    works: pd.DataFrame
    duplicates: pd.DataFrame
    uncertain: pd.DataFrame
    stale_decisions: pd.DataFrame
    counts: pd.DataFrame

    @property
    def stream_counts(self) -> pd.DataFrame:
        """PRISMA counts per stream: records identified, duplicates removed, unique works."""
        c = self.counts.groupby("stream", sort=False)[
            ["records_identified", "duplicates_removed", "works_kept"]
        ].sum()
        c = c.reindex([s for s in STREAMS if s in c.index]).reset_index()
        return c.rename(columns={"works_kept": "unique_works"})

    def groups(self) -> list[list[str]]:
        """Record ids of every work with more than one record, each list sorted."""
        multi = self.works.loc[self.works["n_records"] > 1, "record_ids"]
        return sorted(sorted(ids) for ids in multi)


def _stream_of(records: pd.DataFrame, streams: Mapping[str, str] | None) -> list[str]:
    sources = sorted(records["source_id"].unique())
    if streams is None:
        return ["databases"] * len(records)
    problems = []
    for s, stream in sorted(streams.items()):
        if stream not in STREAMS:
            problems.append(
                Problem(
                    f"unknown stream for source {s!r}",
                    column="streams",
                    value=stream,
                    hint=f"use one of {', '.join(STREAMS)}",
                )
            )
    for s in sources:
        if s not in streams:
            problems.append(
                Problem(
                    f"source {s!r} has no stream",
                    column="streams",
                    value=s,
                    hint=f"give every source one of {', '.join(STREAMS)}",
                )
            )
    if problems:
        raise InputError(problems=problems)
    return [streams[s] for s in records["source_id"]]


def _compare_all(
    norm: list[NormRecord], rank: list[int], progress: bool
) -> tuple[np.ndarray, list[Verdict]]:
    n = len(norm)
    by_key = candidate_pairs(norm, rank)
    strong = union_pairs({k: v for k, v in by_key.items() if k != "author_year"}, n)
    weak = by_key.get("author_year", np.empty((0, 2), dtype=np.int64))
    if weak.size:
        weak = union_pairs({"w": weak}, n)
        strong_codes = strong[:, 0] * np.int64(n) + strong[:, 1]
        weak = weak[~np.isin(weak[:, 0] * np.int64(n) + weak[:, 1], strong_codes)]
        if weak.size:
            titles = [r.title.compact for r in norm]
            sim = process.cpdist(
                [titles[i] for i in weak[:, 0]],
                [titles[j] for j in weak[:, 1]],
                scorer=fuzz.ratio,
                workers=1,
            )
            weak = weak[np.asarray(sim) >= AUTHOR_YEAR_TITLE_MIN]
    pairs = union_pairs({"s": strong, "w": weak}, n)
    verdicts = []
    for i, j in tqdm(
        pairs.tolist(), desc="comparing pairs", unit="pair", disable=not progress, leave=False
    ):
        verdicts.append(classify(compare(norm[i], norm[j])))
    return pairs, verdicts


def _choose_kept(
    members: list[int], prec: list[int], rows: list[dict[str, Any]], rid: list[str]
) -> int:
    """The record that represents a work: from the highest stream, the most complete."""
    if len(members) == 1:
        return members[0]
    return min(members, key=lambda i: (prec[i], -_fill(rows[i]), rid[i]))


_FILL_COLUMNS = ["title", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "abstract"]


def _fill(row: dict[str, Any]) -> int:
    n = sum(1 for c in _FILL_COLUMNS if _present(row.get(c)))
    a = row.get("authors")
    return n + (1 if a is not None and len(a) else 0)


def _present(v: Any) -> bool:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return False
    return bool(str(v).strip())


def _side(row: dict[str, Any], suffix: str) -> dict[str, Any]:
    out = {}
    for c in _SIDE_FIELDS:
        v = row.get(c)
        if c == "authors":
            v = "; ".join(v) if v is not None and len(v) else None
        elif not _present(v):
            v = None
        out[f"{c}{suffix}"] = v
    return out


def deduplicate(
    records: pd.DataFrame,
    streams: Mapping[str, str] | None = None,
    decisions: pd.DataFrame | None = None,
    progress: bool = False,
) -> DedupResult:
    """Group the records of a review into works.

    Parameters
    ----------
    records
        The normalised record table (:class:`srma.records.RecordSchema`), all
        sources together.
    streams
        PRISMA stream of each ``source_id``: ``databases``, ``registers`` or
        ``other_methods``.  ``None`` puts every source in ``databases``.
    decisions
        Reviewers' decisions (columns ``pair_id``, ``decision``, ``reviewer``,
        ``note``; see :mod:`srma.dedup.decisions`), or ``None``.
    progress
        Show tqdm progress bars on stderr.

    Returns
    -------
    DedupResult

    Raises
    ------
    InputError
        For an invalid record table, a source without a stream, or invalid decisions.
    ConsistencyError
        If records in differs from works plus duplicates removed (never expected).
    """
    with _gc_paused():
        return _deduplicate(records, streams, decisions, progress)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: the work allocates millions of small
    acyclic objects, and collections that rescan them all make the time superlinear."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _deduplicate(
    records: pd.DataFrame,
    streams: Mapping[str, str] | None,
    decisions: pd.DataFrame | None,
    progress: bool,
) -> DedupResult:
    records = _valid_records(records).reset_index(drop=True)
    n = len(records)
    stream = _stream_of(records, streams)
    rid = records["record_id"].astype(str).tolist()
    index_of = {r: i for i, r in enumerate(rid)}
    rank_order = sorted(range(n), key=rid.__getitem__)
    rank = [0] * n
    for pos, i in enumerate(rank_order):
        rank[i] = pos
    dec = read_decisions(decisions, rid)

    with tqdm(total=n, desc="normalising", unit="rec", disable=not progress, leave=False) as bar:
        norm = normalise_records(records, progress=bar)
    pairs, verdicts = _compare_all(norm, rank, progress)

    human: dict[tuple[int, int], str] = {}
    for a, b in dec.same:
        human[tuple(sorted((index_of[a], index_of[b])))] = "same"  # type: ignore[index]
    for a, b in dec.different:
        human[tuple(sorted((index_of[a], index_of[b])))] = "different"  # type: ignore[index]
    reviewer = {
        tuple(sorted((index_of[a], index_of[b]))): r
        for (a, b), r in zip(
            [tuple(p.split("|")) for p in dec.table["pair_id"]],
            dec.table["reviewer"],
            strict=True,
        )
    }
    links: list[Link] = []
    cannot: list[tuple[int, int]] = []  # reviewers' "different"
    apart: list[tuple[int, int]] = []  # the rules' "different"
    for (i, j), d in human.items():
        if d == "same":
            who = reviewer.get((i, j)) or "a reviewer"
            links.append(Link(i, j, 1.0, f"decided same by {who}", human=True))
        else:
            cannot.append((i, j))
    verdict_of: dict[tuple[int, int], Verdict] = {}
    for (i, j), v in zip(pairs.tolist(), verdicts, strict=True):
        if (i, j) in human:
            continue
        verdict_of[(i, j)] = v
        if v.decision is Decision.SAME:
            links.append(Link(i, j, v.score, v.reason))
        elif v.decision is Decision.DIFFERENT:
            apart.append((i, j))

    result = cluster_links(norm, links, cannot, rank, rules_apart=apart)
    labels = result.labels

    # works
    clusters_by_root: dict[int, list[int]] = {}
    for i, root in enumerate(labels):
        clusters_by_root.setdefault(root, []).append(i)
    clusters = list(clusters_by_root.values())
    ids = work_ids(clusters, norm, rid)
    rows = records_as_dicts(records)
    prec = [STREAMS.index(s) for s in stream]
    best_link: dict[int, Link] = {}
    for link in result.accepted:
        for k in (link.i, link.j):
            cur = best_link.get(k)
            if cur is None or (link.human, link.score) > (cur.human, cur.score):
                best_link[k] = link

    work_rows = []
    dup_rows = []
    work_of = [""] * n
    for members, wid in zip(clusters, ids, strict=True):
        members = sorted(members, key=rid.__getitem__)
        kept = _choose_kept(members, prec, rows, rid)
        merged = merge_work([rows[i] for i in members], [norm[i] for i in members])
        work_rows.append(
            {
                "work_id": wid,
                "stream": stream[kept],
                **merged,
                "kept_record_id": rid[kept],
                "record_ids": [rid[i] for i in members],
                "source_ids": sorted({rows[i]["source_id"] for i in members}),
                "databases": sorted(
                    {str(rows[i]["database"]) for i in members if _present(rows[i]["database"])}
                ),
                "n_records": len(members),
            }
        )
        for i in members:
            work_of[i] = wid
            if i == kept:
                continue
            link = best_link[i]
            dup_rows.append(
                {
                    "record_id": rid[i],
                    "source_id": rows[i]["source_id"],
                    "stream": stream[i],
                    "work_id": wid,
                    "kept_record_id": rid[kept],
                    "reason": link.reason,
                    "score": link.score,
                }
            )
    works = pd.DataFrame(work_rows, columns=WORK_COLUMNS)
    works["year"] = works["year"].astype("Int64")
    works = works.sort_values("work_id", kind="stable").reset_index(drop=True)
    duplicates = pd.DataFrame(dup_rows, columns=DUPLICATE_COLUMNS)
    duplicates = duplicates.sort_values("record_id", kind="stable").reset_index(drop=True)

    # uncertain pairs: unsettled, or "same" links refused by the chaining guard
    # one question per pair of works: the best-scoring pair of their records; none for
    # works a reviewer already declared different
    refused = {(min(x.i, x.j), max(x.i, x.j)) for x in result.refused if not x.human}
    kept_apart = {
        (min(labels[i], labels[j]), max(labels[i], labels[j]))
        for (i, j), d in human.items()
        if d == "different"
    }
    best: dict[tuple[int, int], tuple[float, str, str, int, int]] = {}
    for (i, j), v in verdict_of.items():
        if labels[i] == labels[j]:
            continue
        if v.decision is Decision.UNCERTAIN:
            reason = v.reason
        elif (i, j) in refused:
            reason = "rules say same, but the merge would join records kept apart: " + v.reason
        else:
            continue
        works_pair = (min(labels[i], labels[j]), max(labels[i], labels[j]))
        if works_pair in kept_apart:
            continue
        a, b = (i, j) if rid[i] < rid[j] else (j, i)
        pair_id = f"{rid[a]}|{rid[b]}"
        cand = (v.score, pair_id, reason, a, b)
        cur = best.get(works_pair)
        if cur is None or (-cand[0], cand[1]) < (-cur[0], cur[1]):
            best[works_pair] = cand
    unc_rows = [
        {
            "pair_id": pair_id,
            "score": sc,
            "reason": reason,
            **_side(rows[a], "_a"),
            **_side(rows[b], "_b"),
        }
        for sc, pair_id, reason, a, b in best.values()
    ]
    uncertain = pd.DataFrame(unc_rows, columns=UNCERTAIN_COLUMNS)
    if len(uncertain):
        uncertain["year_a"] = uncertain["year_a"].astype("Int64")
        uncertain["year_b"] = uncertain["year_b"].astype("Int64")
    uncertain = uncertain.sort_values(
        ["score", "pair_id"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)

    counts = _counts(
        records, stream, rid, set(duplicates["record_id"]), set(works["kept_record_id"])
    )
    _check_conservation(n, works, duplicates, counts)
    stale = dec.stale if len(dec.stale) else pd.DataFrame(columns=STALE_COLUMNS)
    return DedupResult(
        works=WorkSchema.validate(works),
        duplicates=DuplicateSchema.validate(duplicates),
        uncertain=UncertainSchema.validate(uncertain),
        stale_decisions=StaleSchema.validate(stale.reset_index(drop=True)),
        counts=CountSchema.validate(counts),
    )


def _valid_records(records: pd.DataFrame) -> pd.DataFrame:
    """The record table validated; a table that breaks the schema is an InputError."""
    try:
        return RecordSchema.validate(records, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    problems: list[Problem] = []
    dup = cases[(cases["column"] == "record_id") & (cases["check"] == "field_uniqueness")]
    for value in dict.fromkeys(dup["failure_case"]):
        rows = [i + 1 for i in np.flatnonzero((records["record_id"] == value).to_numpy())]
        problems.append(
            Problem(
                f"record id {value!r} appears more than once (table rows "
                f"{', '.join(map(str, rows))})",
                column="record_id",
                value=value,
                hint="record ids must be unique across the sources de-duplicated together: "
                "give every source its own id",
            )
        )
    for case in cases.drop(dup.index).head(MAX_LISTED_RECORD_PROBLEMS).itertuples(index=False):
        index = case.index
        problems.append(
            Problem(
                f"the record table fails the check {case.check}",
                row=None if index is None or pd.isna(index) else int(index) + 1,
                column=None if case.column is None else str(case.column),
                value=case.failure_case,
                hint="pass the record table of srma.io.read_export (srma import)",
            )
        )
    raise InputError(problems=problems)


#: At most this many schema failures of a record table are listed.
MAX_LISTED_RECORD_PROBLEMS = 20


def _counts(
    records: pd.DataFrame,
    stream: list[str],
    rid: list[str],
    removed: set[str],
    kept: set[str],
) -> pd.DataFrame:
    db = records["database"].astype("object").where(records["database"].notna(), "")
    frame = pd.DataFrame(
        {
            "stream": stream,
            "source_id": records["source_id"].to_numpy(),
            "database": db.to_numpy(),
            "records_identified": 1,
            "duplicates_removed": [int(r in removed) for r in rid],
            "works_kept": [int(r in kept) for r in rid],
        }
    )
    out = frame.groupby(["stream", "source_id", "database"], sort=False, as_index=False)[
        ["records_identified", "duplicates_removed", "works_kept"]
    ].sum()
    out["_s"] = out["stream"].map(STREAMS.index)
    out = out.sort_values(["_s", "source_id", "database"], kind="stable").drop(columns="_s")
    return out[COUNT_COLUMNS].reset_index(drop=True)


def _check_conservation(
    n: int, works: pd.DataFrame, duplicates: pd.DataFrame, counts: pd.DataFrame
) -> None:
    if n != len(works) + len(duplicates):
        raise ConsistencyError(
            f"de-duplication lost records: {n} records in, {len(works)} works plus "
            f"{len(duplicates)} duplicates out"
        )
    assigned = Counter(r for ids in works["record_ids"] for r in ids)
    if len(assigned) != n or any(c != 1 for c in assigned.values()):
        raise ConsistencyError("a record belongs to no work or to more than one work")
    by_stream = counts.groupby("stream")[
        ["records_identified", "duplicates_removed", "works_kept"]
    ].sum()
    works_per_stream = works["stream"].value_counts()
    for s, row in by_stream.iterrows():
        if row["records_identified"] != row["duplicates_removed"] + row["works_kept"]:
            raise ConsistencyError(f"stream {s}: records identified != duplicates + works")
        if row["works_kept"] != works_per_stream.get(s, 0):
            raise ConsistencyError(f"stream {s}: works counted twice or not at all")
