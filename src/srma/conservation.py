"""Conservation checks: nothing is lost, or counted twice, between stages.

Each stage of a review hands its results to the next; a bug, a rule that reads
the wrong files or a table edited by hand can lose records on the way without
any error.  These checks compare what went into a stage with what came out
and stop the run when they differ:

========================  ===================================================================
:func:`check_hits`        the export holds as many records as the database reported
:func:`check_import`      every record of an export is read or rejected, once
:func:`check_records`     records imported + rejected = unique works + duplicates removed +
                          rejected, for every source
:func:`check_deduplication`  :func:`check_records`, and de-duplication's counts (which PRISMA
                          reports) agree with the records, source by source
:func:`check_identification`  PRISMA's identification table: records identified (read +
                          rejected) = works kept + duplicates removed + rejected, for every
                          configured source, each with its rejected file
:func:`check_screening`   every work has one title/abstract decision; exactly the works
                          included there have one full-text decision; exactly those included
                          at full text are the included reports, each with a study
:func:`check_included_data`  every study included at screening has outcome data, or an
                          explicit ``no_usable_data`` reason
:func:`check_effects`     every study, timepoint and population of an outcome's data is in
                          its effect table, usable (finite ``yi``, positive ``vi``) or with
                          the reason why not
:func:`check_analysis`    every study of an analysis is pooled or listed without data
:func:`check_pooled`      ``srma pool``: every study (or cluster) of the table is in the model,
                          its leave-one-out rows and its subgroups
========================  ===================================================================

A broken internal equation raises :class:`~srma.errors.ConsistencyError`;
:func:`check_included_data` raises :class:`~srma.errors.InputError`, since the
gap is in the user's extraction tables and the user closes it.  The PRISMA
counts have their own check, :func:`srma.prisma.check_flow`.

No I/O: the Snakemake scripts (and the ``srma import``, ``dedup`` and ``pool``
commands) pass the tables they read and are about to write, and call the checks
before writing anything, so a failure leaves no output behind.  Where each
check is called is listed in ``docs/reliability.md`` (*Conservation checks*).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from srma.errors import ConsistencyError, InputError, Problem

__all__ = [
    "check_analysis",
    "check_deduplication",
    "check_effects",
    "check_identification",
    "check_import",
    "check_included_data",
    "check_pooled",
    "check_records",
    "check_screening",
]

#: At most this many ids are named in one message.
MAX_NAMED = 10


def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        return False
    return isinstance(value, str) and not value.strip()


def _named(ids: Iterable[Any]) -> str:
    items = sorted(str(i) for i in ids)
    text = ", ".join(items[:MAX_NAMED])
    return text + (f" and {len(items) - MAX_NAMED} more" if len(items) > MAX_NAMED else "")


def _difference(what: str, expected: set[Any], actual: set[Any]) -> str:
    parts = []
    if expected - actual:
        parts.append(f"missing {what}: {_named(expected - actual)}")
    if actual - expected:
        parts.append(f"unexpected {what}: {_named(actual - expected)}")
    return "; ".join(parts)


def _repeated(values: Iterable[Any]) -> list[Any]:
    return [v for v, n in Counter(values).items() if n > 1]


# --------------------------------------------------------------------------- import


def check_hits(
    result: Any,
    hits: int | None,
    *,
    column: str = "records",
    where_counted: str = "config/config.yaml",
) -> None:
    """The export holds as many records as the database reported for the search.

    A download that stopped between two records leaves a file that parses; only the
    count the database gave (``sources[].records`` in the config, ``--records`` of
    ``srma import``) shows the loss.  ``column`` names where the count was given, and
    ``where_counted`` where to correct it.

    Raises
    ------
    InputError
        If records read + rejected differ from ``hits``.
    """
    if hits is None:
        return
    found = len(result.records) + len(result.rejected)
    if found == hits:
        return
    if found < hits:
        missing = hits - found
        what = (
            f"the export holds {found} records, but the database reported {hits} for the "
            f"search: {missing} record{'s are' if missing > 1 else ' is'} missing"
        )
        hint = (
            "export the search again (the download may have stopped, or the database may "
            "export a limited number of records at a time: export in batches and list "
            f"each file as a source), or correct the count in {where_counted}"
        )
    else:
        what = (
            f"the export holds {found} records, more than the {hits} the database reported "
            "for the search"
        )
        hint = (
            "check that the file is the export of this search alone (not two exports "
            f"pasted together), or correct the count in {where_counted}"
        )
    raise InputError(what, file=str(result.path), column=column, value=hits, hint=hint)


def check_import(result: Any, expected: int | None = None) -> None:
    """Every record of an export is in the record table or rejected, exactly once.

    Parameters
    ----------
    result
        An :class:`srma.io.ImportResult` (``records``, ``rejected``, ``path``).
    expected
        The number of records the export holds by another count (the hits the
        database reported for the search), if known.  Without it, records
        after the last one the reader found cannot be missed by this check.

    Raises
    ------
    ConsistencyError
        If the positions of records and rejected records are not exactly
        1..N (N = ``expected`` when given), or a record id is not
        ``{source_id}:{position}``.
    """
    records, rejected = result.records, result.rejected
    positions = [int(p) for p in records["position"]] + [int(p) for p in rejected["position"]]
    n = len(positions)
    if expected is not None and n != expected:
        raise ConsistencyError(
            f"import of {result.path}: the export should hold {expected} records, but "
            f"{len(records)} were read and {len(rejected)} rejected"
        )
    if sorted(positions) != list(range(1, n + 1)):
        lost = sorted(set(range(1, max(positions, default=0) + 1)) - set(positions))
        raise ConsistencyError(
            f"import of {result.path} lost or repeated records: {len(records)} read + "
            f"{len(rejected)} rejected, but positions "
            f"{'missing: ' + _named(lost) if lost else 'repeated: ' + _named(_repeated(positions))}"
        )
    ids = [f"{s}:{p}" for s, p in zip(records["source_id"], records["position"], strict=True)]
    wrong = [r for r, i in zip(records["record_id"], ids, strict=True) if r != i]
    if wrong:
        raise ConsistencyError(
            f"import of {result.path}: record ids are not '{{source_id}}:{{position}}': "
            f"{_named(wrong)}"
        )


# --------------------------------------------------------------------------- dedup


def _source_of(record_id: str) -> str:
    return str(record_id).split(":", 1)[0]


def check_records(
    imported: Mapping[str, int],
    works: pd.DataFrame,
    duplicates: pd.DataFrame,
    rejected: Mapping[str, int] | None = None,
    *,
    source_of: Mapping[str, str] | None = None,
) -> None:
    """Records in = unique works + duplicates removed + rejected, for every source.

    Parameters
    ----------
    imported
        Records read from each source's export (``{source_id: n}``: the rows of
        ``results/records/{source}.parquet``).
    works
        De-duplication's works (``work_id``, ``kept_record_id``, ``record_ids``).
    duplicates
        De-duplication's duplicates (``record_id``, ``work_id``, ``kept_record_id``).
    rejected
        Records set aside at import per source (``{source_id: n}``); they are
        counted in and out, so the check holds with or without them.
    source_of
        The source of each record id; by default the part of the id before
        its first ``:`` (ids are ``{source_id}:{position}``).  Records of the
        de-duplication benchmarks keep their file's own ids, so ``srma dedup``
        passes the mapping.

    Raises
    ------
    ConsistencyError
        Naming the source (or the record) where the numbers part.
    """
    rejected = dict(rejected or {})
    identified = sum(imported.values()) + sum(rejected.values())
    out = len(works) + len(duplicates) + sum(rejected.values())
    if identified != out:
        raise ConsistencyError(
            f"records lost between import and de-duplication: {identified} records identified "
            f"({sum(imported.values())} read + {sum(rejected.values())} rejected), but "
            f"{len(works)} unique works + {len(duplicates)} duplicates removed + "
            f"{sum(rejected.values())} rejected = {out}"
        )
    members = [r for ids in works["record_ids"] for r in ids]
    repeated = _repeated(members)
    if repeated:
        raise ConsistencyError(f"records in more than one work: {_named(repeated)}")
    if source_of is None:
        per_source = Counter(_source_of(r) for r in members)
    else:
        per_source = Counter(str(source_of.get(r, "?")) for r in members)
    for sid in sorted(set(imported) | set(per_source)):
        if per_source.get(sid, 0) != imported.get(sid, 0):
            raise ConsistencyError(
                f"source {sid!r}: {imported.get(sid, 0)} records imported, but "
                f"{per_source.get(sid, 0)} reached the works of de-duplication"
            )
    kept = set(works["kept_record_id"])
    removed = set(duplicates["record_id"])
    if removed & kept:
        raise ConsistencyError(
            f"records both kept and removed as duplicates: {_named(removed & kept)}"
        )
    if removed | kept != set(members):
        raise ConsistencyError(
            "records neither kept nor removed: "
            + _difference("records", set(members), removed | kept)
        )


_COUNT_COLUMNS = ("records_identified", "duplicates_removed", "works_kept")


def _per_source_counts(counts: pd.DataFrame) -> dict[str, dict[str, int]]:
    """De-duplication's counts summed per source (a source may list several databases)."""
    out: dict[str, dict[str, int]] = {}
    for rec in counts.to_dict("records"):
        mine = out.setdefault(str(rec["source_id"]), dict.fromkeys(_COUNT_COLUMNS, 0))
        for column in _COUNT_COLUMNS:
            mine[column] += int(rec[column])
    return out


def check_deduplication(
    imported: Mapping[str, int],
    works: pd.DataFrame,
    duplicates: pd.DataFrame,
    counts: pd.DataFrame,
    *,
    source_of: Mapping[str, str] | None = None,
) -> None:
    """De-duplication's outputs account for every imported record, and its counts agree.

    :func:`check_records` on the works and duplicates, then the counts table
    (``results/dedup/counts.csv``, from which PRISMA counts the records
    identified and the duplicates removed) source by source: records
    identified = records imported, duplicates removed = that source's rows of
    ``duplicates``, and records identified = duplicates removed + works kept;
    the works kept add up to the works.

    Parameters
    ----------
    imported
        Records read per source (``{source_id: n}``), counted from the import's
        record tables, not from de-duplication's own input.
    works, duplicates, counts
        :class:`srma.dedup.DedupResult`'s tables (``counts``: ``source_id``,
        ``records_identified``, ``duplicates_removed``, ``works_kept``).
    source_of
        As in :func:`check_records`.

    Raises
    ------
    ConsistencyError
        Naming the source whose numbers part.
    """
    check_records(imported, works, duplicates, source_of=source_of)
    per_source = _per_source_counts(counts)
    removed = Counter(str(s) for s in duplicates["source_id"])
    zero = dict.fromkeys(_COUNT_COLUMNS, 0)
    for sid in sorted(set(imported) | set(per_source) | set(removed)):
        mine = per_source.get(sid, zero)
        n_in = int(imported.get(sid, 0))
        if mine["records_identified"] != n_in:
            raise ConsistencyError(
                f"de-duplication counts of source {sid!r}: {mine['records_identified']} records "
                f"identified, but {n_in} were imported"
            )
        if mine["duplicates_removed"] != removed.get(sid, 0):
            raise ConsistencyError(
                f"de-duplication counts of source {sid!r}: {mine['duplicates_removed']} "
                f"duplicates removed, but the duplicates table lists {removed.get(sid, 0)}"
            )
        if mine["records_identified"] != mine["duplicates_removed"] + mine["works_kept"]:
            raise ConsistencyError(
                f"de-duplication counts of source {sid!r}: {mine['records_identified']} records "
                f"identified, but {mine['duplicates_removed']} duplicates removed + "
                f"{mine['works_kept']} works kept = "
                f"{mine['duplicates_removed'] + mine['works_kept']}"
            )
    kept = sum(m["works_kept"] for m in per_source.values())
    if kept != len(works):
        raise ConsistencyError(
            f"de-duplication counts: {kept} works kept over all sources, but there are "
            f"{len(works)} works"
        )


def check_identification(
    identification: pd.DataFrame,
    dedup_counts: pd.DataFrame,
    rejected: Mapping[str, int],
    sources: Iterable[str],
) -> None:
    """PRISMA's records identified = unique works + duplicates removed + rejected, per source.

    The identification table that :func:`srma.prisma.prisma_counts` turns into
    the PRISMA boxes is built from de-duplication's counts and the records set
    aside at import (``results/records/{source}.rejected.csv``).  A source
    missing from it, or a rejected file not read, would drop records from the
    diagram while the flow still adds up; this check compares it with both.

    Parameters
    ----------
    identification
        One row per source: ``source_id``, ``records_identified`` (read +
        rejected), ``duplicates_removed``, ``records_removed_other``.
    dedup_counts
        De-duplication's counts (``source_id``, ``records_identified``,
        ``duplicates_removed``, ``works_kept``; several rows per source allowed).
    rejected
        Records set aside at import, per rejected file read (``{source_id: n}``).
    sources
        The configured sources.

    Raises
    ------
    ConsistencyError
        Naming the source whose numbers part.
    """
    configured = {str(s) for s in sources}
    if set(rejected) != configured:
        raise ConsistencyError(
            "PRISMA identification: the rejected-record files read do not match the sources ("
            + _difference("sources", configured, set(rejected))
            + ")"
        )
    per_source = _per_source_counts(dedup_counts)
    if set(per_source) - configured:
        raise ConsistencyError(
            "PRISMA identification: de-duplication counted records of sources that are not "
            f"configured: {_named(set(per_source) - configured)}"
        )
    rows = list(identification["source_id"].astype(str))
    if _repeated(rows) or set(rows) != configured:
        raise ConsistencyError(
            "PRISMA identification: one row per source expected ("
            + (
                _difference("sources", configured, set(rows))
                or f"repeated: {_named(_repeated(rows))}"
            )
            + ")"
        )
    zero = dict.fromkeys(_COUNT_COLUMNS, 0)
    for rec in identification.to_dict("records"):
        sid = str(rec["source_id"])
        mine = per_source.get(sid, zero)
        n_rej = int(rejected[sid])
        identified = int(rec["records_identified"])
        dups = int(rec["duplicates_removed"])
        other = int(rec["records_removed_other"])
        expected = (mine["records_identified"] + n_rej, mine["duplicates_removed"], n_rej)
        if (identified, dups, other) != expected:
            raise ConsistencyError(
                f"PRISMA identification of source {sid!r}: {identified} records identified, "
                f"{dups} duplicates removed, {other} removed for other reasons; de-duplication "
                f"and import give {expected[0]}, {expected[1]} and {expected[2]}"
            )
        if identified != mine["works_kept"] + dups + other:
            raise ConsistencyError(
                f"PRISMA identification of source {sid!r}: {identified} records identified, but "
                f"{mine['works_kept']} unique works + {dups} duplicates removed + {other} "
                f"rejected = {mine['works_kept'] + dups + other}"
            )


# --------------------------------------------------------------------------- screening

_STAGE_DECISIONS = {
    "title_abstract": {"include", "exclude", "awaiting"},
    "full_text": {"include", "exclude", "not_retrieved", "awaiting"},
}


def check_screening(
    works: pd.DataFrame,
    decisions: pd.DataFrame,
    included_reports: pd.DataFrame | None = None,
) -> None:
    """Screening counts add up, stage by stage.

    - every work (and no other) has exactly one title/abstract decision, in its
      own stream;
    - the works included at title/abstract, and no others, have exactly one
      full-text decision;
    - each decision is one its stage allows;
    - with ``included_reports``: they are exactly the works included at full
      text, each with a study id.

    Parameters
    ----------
    works
        The works (``work_id``, ``stream``).
    decisions
        Final decisions (``work_id``, ``stream``, ``stage``, ``decision``).
    included_reports
        The included reports (``work_id``, ``study_id``), if written.

    Raises
    ------
    ConsistencyError
        Naming the stage and the works that break the flow.
    """
    all_works = set(works["work_id"])
    stream_of = dict(zip(works["work_id"], works["stream"], strict=True))
    unknown_stage = set(decisions["stage"]) - set(_STAGE_DECISIONS)
    if unknown_stage:
        raise ConsistencyError(f"screening decisions at unknown stages: {_named(unknown_stage)}")
    expected = all_works
    for stage in ("title_abstract", "full_text"):
        rows = decisions[decisions["stage"] == stage]
        ids = list(rows["work_id"])
        repeated = _repeated(ids)
        if repeated:
            raise ConsistencyError(
                f"screening at {stage}: works with more than one decision: {_named(repeated)}"
            )
        if set(ids) != expected:
            raise ConsistencyError(
                f"screening at {stage}: {len(expected)} works to decide, {len(ids)} decided ("
                + _difference("works", expected, set(ids))
                + ")"
            )
        bad = set(rows["decision"]) - _STAGE_DECISIONS[stage]
        if bad:
            raise ConsistencyError(f"screening at {stage}: decisions {_named(bad)} not allowed")
        wrong = [
            w for w, s in zip(rows["work_id"], rows["stream"], strict=True) if stream_of[w] != s
        ]
        if wrong:
            raise ConsistencyError(
                f"screening at {stage}: works counted in another stream: {_named(wrong)}"
            )
        counts = rows["decision"].value_counts()
        if int(counts.sum()) != len(expected):
            raise ConsistencyError(f"screening at {stage}: decisions do not add up")
        expected = set(rows.loc[rows["decision"] == "include", "work_id"])
    if included_reports is not None:
        reports = list(included_reports["work_id"])
        repeated = _repeated(reports)
        if repeated:
            raise ConsistencyError(f"included reports listed twice: {_named(repeated)}")
        if set(reports) != expected:
            raise ConsistencyError(
                "included reports differ from the works included at full text ("
                + _difference("reports", expected, set(reports))
                + ")"
            )
        no_study = [
            w for w, s in zip(reports, included_reports["study_id"], strict=True) if _blank(s)
        ]
        if no_study:
            raise ConsistencyError(f"included reports without a study: {_named(no_study)}")


# --------------------------------------------------------------------------- extraction


def check_included_data(
    included: pd.DataFrame,
    outcome_data: pd.DataFrame,
    *,
    included_file: str | None = None,
    outcome_data_file: str | None = None,
) -> None:
    """Every study included at screening has outcome data, or says why it has none.

    A study counts as extracted when the outcome data table has at least one
    row for it: with statistics, or with a ``no_usable_data`` reason (why the
    study reports no usable numbers).  A study with no row at all would vanish
    from every analysis without a trace.

    Parameters
    ----------
    included
        Screening's included studies (``study_id``; ``row`` if read from a file).
    outcome_data
        The whole outcome data table (``study_id``), every outcome.
    included_file, outcome_data_file
        File names for the message.

    Raises
    ------
    InputError
        One problem per study without a row.
    """
    extracted = {str(s) for s in outcome_data["study_id"] if not _blank(s)}
    problems: list[Problem] = []
    seen: set[str] = set()
    for rec in included.to_dict("records"):
        study = str(rec.get("study_id"))
        if _blank(rec.get("study_id")) or study in extracted or study in seen:
            continue
        seen.add(study)
        row = rec.get("row")
        problems.append(
            Problem(
                "a study included at screening has no outcome data and no reason why",
                file=included_file,
                row=None if row is None or _blank(row) else int(row),
                column="study_id",
                value=study,
                hint=f"add its outcome rows to {outcome_data_file or 'the outcome data table'}, "
                "or one row per outcome it reports with a no_usable_data reason "
                "(e.g. 'only medians reported')",
            )
        )
    if problems:
        raise InputError(problems=problems)


def _key(rec: Mapping[Any, Any]) -> str:
    """``study/timepoint/population`` of one row (ids match ``^[a-z0-9_]+$``, no ``/``)."""
    return f"{rec['study_id']}/{rec['timepoint']}/{rec['population']}"


def check_effects(outcome_data: pd.DataFrame, effects: pd.DataFrame, outcome: str) -> None:
    """The effect table of ``outcome`` accounts for every row of its outcome data.

    Every study, timepoint and population with outcome data for ``outcome``
    has exactly one row in ``effects``: usable with a finite ``yi`` and a
    positive finite ``vi``, or not usable with its reason (``notes``).

    Raises
    ------
    ConsistencyError
        Naming the study, timepoint and population that went missing.
    """
    rows = outcome_data[outcome_data["outcome"] == outcome]
    expected = {_key(r) for r in rows.to_dict("records")}
    keys = [_key(r) for r in effects.to_dict("records")]
    repeated = _repeated(keys)
    if repeated:
        raise ConsistencyError(f"{outcome}: effect rows repeated: {_named(repeated)}")
    if set(keys) != expected:
        raise ConsistencyError(
            f"{outcome}: the effect table does not match the outcome data ("
            + _difference("study/timepoint/population", expected, set(keys))
            + ")"
        )
    for rec in effects.to_dict("records"):
        where = _key(rec)
        if bool(rec["usable"]):
            yi, vi = rec["yi"], rec["vi"]
            if _blank(yi) or _blank(vi) or not math.isfinite(yi) or not (0 < vi < math.inf):
                raise ConsistencyError(f"{outcome} {where}: usable effect with yi={yi}, vi={vi}")
        elif _blank(rec.get("notes")):
            raise ConsistencyError(f"{outcome} {where}: effect not usable, and no reason given")


def _check_fits(
    where: str,
    studies: list[str],
    main: Mapping[str, Any] | None,
    leave_one_out: Iterable[Mapping[str, Any]],
    omitted_key: str,
) -> None:
    """The model and its leave-one-out refits hold every study of ``studies``."""
    k = len(studies)
    if main:
        if "k" in main and int(main["k"]) != k:
            raise ConsistencyError(f"{where}: the model was fitted to k = {main['k']}, not {k}")
        if main.get("weights") is not None and len(main["weights"]) != k:
            raise ConsistencyError(f"{where}: {len(main['weights'])} study weights for {k} studies")
    omitted = [str(fit[omitted_key]) for fit in leave_one_out]
    if omitted and sorted(omitted) != sorted(studies):
        raise ConsistencyError(
            f"{where}: leave-one-out does not omit each study once ("
            + (
                _difference("studies", set(studies), set(omitted))
                or f"repeated: {_named(_repeated(omitted))}"
            )
            + ")"
        )
    for fit in leave_one_out:
        if "k" in fit and int(fit["k"]) != k - 1:
            raise ConsistencyError(
                f"{where}: leave-one-out without {fit[omitted_key]} has k = {fit['k']}, not {k - 1}"
            )


def check_analysis(rows: pd.DataFrame, result: Mapping[str, Any]) -> None:
    """Every study of one analysis is in its result: pooled, or listed without data.

    Parameters
    ----------
    rows
        The effect table's rows of the analysis (``study_id``, ``usable``).
    result
        The analysis (:func:`srma.analysis.run_analysis`; ``studies``, ``k``
        and, when the script added it, ``studies_without_data``).

    Raises
    ------
    ConsistencyError
        If a study with usable data is not among the analysed studies, or one
        without is not listed; or the model (``main``: ``k``, ``weights``), a
        leave-one-out refit or a subgroup analysis leaves out or repeats a
        study.
    """
    usable = [str(s) for s, u in zip(rows["study_id"], rows["usable"], strict=True) if bool(u)]
    unusable = {
        str(s) for s, u in zip(rows["study_id"], rows["usable"], strict=True) if not bool(u)
    }
    analysed = [str(s["study_id"]) for s in result["studies"]]
    if sorted(analysed) != sorted(usable) or int(result["k"]) != len(usable):
        raise ConsistencyError(
            f"analysis has k = {result['k']} and {len(analysed)} studies, but "
            f"{len(usable)} studies have usable data ("
            + (
                _difference("studies", set(usable), set(analysed))
                or f"repeated: {_named(_repeated(analysed) or _repeated(usable))}"
            )
            + ")"
        )
    if "studies_without_data" in result:
        listed = {str(s["study_id"]) for s in result["studies_without_data"]}
        if listed != unusable:
            raise ConsistencyError(
                "studies without usable data not listed in the analysis ("
                + _difference("studies", unusable, listed)
                + ")"
            )
    _check_fits(
        "analysis", analysed, result.get("main"), result.get("leave_one_out") or [], "omitted"
    )
    for column, block in (result.get("subgroups") or {}).items():
        members = [str(s) for level in block["levels"].values() for s in level["studies"]]
        sizes = sum(int(level["k"]) for level in block["levels"].values())
        if sorted(members) != sorted(analysed) or sizes != len(analysed):
            raise ConsistencyError(
                f"analysis: the subgroups by {column} hold {sizes} studies, not the "
                f"{len(analysed)} analysed ("
                + (
                    _difference("studies", set(analysed), set(members))
                    or f"repeated: {_named(_repeated(members))}"
                )
                + ")"
            )


def check_pooled(studies: Iterable[str], result: Mapping[str, Any]) -> None:
    """``srma pool``: every study (or cluster) of the table is in the model and its parts.

    Parameters
    ----------
    studies
        The study labels of the table, after any ``--aggregate`` (one per
        cluster).
    result
        The command's JSON: :meth:`srma.pooling.PoolResult.to_dict` with, when
        asked for, ``leave_one_out`` (``study``, ``k``) and ``subgroups``
        (``{level: {k, ...}}``).

    Raises
    ------
    ConsistencyError
        If the model's ``k``, a leave-one-out row or the subgroups' sizes do
        not account for each study once.
    """
    labels = [str(s) for s in studies]
    _check_fits("pool", labels, result, result.get("leave_one_out") or [], "study")
    if "subgroups" in result:
        sizes = sum(int(level["k"]) for level in result["subgroups"].values())
        if sizes != len(labels):
            raise ConsistencyError(
                f"pool: the subgroups hold {sizes} studies, but the table has {len(labels)}"
            )
