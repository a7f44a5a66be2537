"""Checking a review folder without running the workflow (``srma check``).

:func:`check_review` reads the configuration and every input the workflow
would read -- the search exports, the de-duplication decisions, the screening
logs, consensus and study mapping, and the extraction tables -- with the same
library functions the workflow's steps use, and collects *every* problem of
every file as :class:`~srma.errors.Problem` s, so that they read exactly like
the workflow's errors.

:func:`preflight` is the cheap part that the review's ``Snakefile`` runs
before the workflow starts: is there a configuration, does it list sources,
do their files exist, and is an export in ``data/exports/`` left unlisted.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from srma.config import read_yaml, validate_config
from srma.conservation import check_hits
from srma.errors import InputError, Problem
from srma.review.config_template import flow, slug
from srma.review.paths import CONFIG_FILE, EXPORTS_DIR
from srma.review.progress import count_rows, review_progress
from srma.review.tables import config_value

__all__ = ["CheckReport", "FileCheck", "check_review", "preflight", "unlisted_exports"]

#: Files in data/exports/ that are not exports.
NOT_EXPORTS = ("readme", "license", "licence")
WORKS = "results/dedup/works.parquet"
STAGE_LABELS = {"title_abstract": "title/abstract", "full_text": "full text"}
#: Works awaiting a decision, by why (srma.screening.decide.PENDING_BASES).
BASIS_LABELS = {
    "conflict": "in conflict (settle them in the consensus file)",
    "undecided": "undecided (only 'maybe')",
    "incomplete": "with fewer decisions than reviewers required",
    "missing": "without a decision",
}
SCREENING_RULE_KEYS = (
    "reviewers",
    "maybe_counts_as_include",
    "allow_pending",
    "not_retrieved_reasons",
)


@dataclass(frozen=True)
class FileCheck:
    """What :func:`check_review` found in one file."""

    path: str
    status: str  # "ok", "empty", "absent" or "problems"
    detail: str = ""


@dataclass
class CheckReport:
    """Everything :func:`check_review` found.

    Attributes
    ----------
    root
        The review folder.
    files
        One entry per file checked, in the order the workflow reads them.
    problems
        Every mistake found; file names relative to ``root``.
    notes
        What is not a mistake but worth knowing: unlisted exports, stale
        de-duplication decisions, screening still in progress.
    next_steps
        When there are no problems: what the workflow waits for
        (:func:`srma.review.progress.review_progress`).
    """

    root: Path
    files: list[FileCheck] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def error(self) -> InputError | None:
        """The problems as one :class:`~srma.errors.InputError` (``None`` if there are none)."""
        return InputError.collect(self.problems)


# --------------------------------------------------------------------------- helpers


def _relative(problem: Problem, root: Path) -> Problem:
    """The problem with its file named relative to the review folder."""
    if not problem.file:
        return problem
    path = Path(problem.file)
    for base in (root, root.resolve()):
        try:
            return dataclasses.replace(problem, file=str(path.relative_to(base)))
        except ValueError:
            continue
    return problem


def _collect(problems: list[Problem], func: Callable[[], Any]) -> Any:
    """Run ``func``; an InputError's problems are added to ``problems`` (``None`` returned)."""
    try:
        return func()
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def _is_export(path: Path) -> bool:
    name = path.name.lower()
    return path.is_file() and not name.startswith((".", "~$")) and not name.startswith(NOT_EXPORTS)


def unlisted_exports(config: Mapping[str, Any], root: str | Path = ".") -> list[str]:
    """Files in ``data/exports/`` that no source of the config names (relative paths)."""
    root = Path(root)
    folder = root / EXPORTS_DIR
    if not folder.is_dir():
        return []
    listed = set()
    for src in config.get("sources") or []:
        if isinstance(src, Mapping) and isinstance(src.get("path"), str):
            listed.add(PurePosixPath(src["path"].replace("\\", "/")).as_posix())
    out = []
    for path in sorted(folder.rglob("*")):
        if not _is_export(path):
            continue
        rel = path.relative_to(root).as_posix()
        if rel not in listed:
            out.append(rel)
    return out


def _source_line(rel: str, taken: set[str]) -> str:
    stem = PurePosixPath(rel).stem
    sid = slug(stem, "source")
    base, k = sid, 2
    while sid in taken:
        sid, k = f"{base}_{k}", k + 1
    taken.add(sid)
    name = stem.replace("_", " ").replace("-", " ").strip()
    database = name[:1].upper() + name[1:] if name else sid
    return "  - " + flow({"id": sid, "path": rel, "database": database})


def _sources_problems(raw: Mapping[str, Any], root: Path) -> list[Problem]:
    """No sources listed: say which lines to add."""
    sources = raw.get("sources")
    if sources:
        return []
    unlisted = unlisted_exports(raw, root)
    if unlisted:
        taken: set[str] = set()
        lines = "\n".join(_source_line(rel, taken) for rel in unlisted)
        hint = (
            f"list every search export under sources; for the files in {EXPORTS_DIR}/:\n"
            f"sources:\n{lines}\n(id: a short name used in file names; database: the name "
            "PRISMA shows; add stream: other_methods to citation searching, hand searching and "
            "other sources that are not database searches)"
        )
    else:
        hint = (
            f"put your search exports (RIS, PubMed .nbib, Web of Science, Scopus or Embase CSV, "
            f"BibTeX, EndNote XML) in {EXPORTS_DIR}/ and list each under sources, e.g. "
            f"'- {{id: pubmed, path: {EXPORTS_DIR}/pubmed.nbib, database: PubMed}}'"
        )
    return [Problem("no sources listed yet", file=CONFIG_FILE, column="sources", hint=hint)]


def _about_empty_sources(problem: Problem) -> bool:
    return problem.column == "sources" or "'sources' is a required property" in problem.message


def _missing_export_problems(config: Mapping[str, Any], root: Path) -> list[Problem]:
    problems = []
    for i, src in enumerate(config.get("sources") or []):
        if not isinstance(src, Mapping) or not isinstance(src.get("path"), str):
            continue
        if not (root / src["path"]).is_file():
            problems.append(
                Problem(
                    "the export file does not exist",
                    file=CONFIG_FILE,
                    column=f"sources[{i}].path",
                    value=src["path"],
                    hint=f"put the export there (exports go in {EXPORTS_DIR}/), or fix the path",
                )
            )
    return problems


def preflight(root: str | Path = ".") -> list[str]:
    """The checks a review's ``Snakefile`` runs before the workflow starts.

    Returns
    -------
    list of str
        Warnings: exports in ``data/exports/`` that no source lists.

    Raises
    ------
    InputError
        If ``config/config.yaml`` is missing, lists no sources (the hint gives
        the lines to add for the exports found), or names exports that do
        not exist.  Other mistakes of the configuration are left to the
        workflow's own validation.
    """
    root = Path(root)
    if not (root / CONFIG_FILE).is_file():
        raise InputError(
            "no configuration: this folder is not a review folder",
            file=CONFIG_FILE,
            hint="create a review folder with `srma init DIR`, or run snakemake in one",
        )
    try:
        raw = read_yaml(root / CONFIG_FILE)
    except InputError:
        return []  # the workflow reports it
    if not isinstance(raw, Mapping):
        return []
    err = InputError.collect(_sources_problems(raw, root) + _missing_export_problems(raw, root))
    if err:
        raise err
    return [
        f"{rel} is not listed under sources in {CONFIG_FILE}: it will not be imported"
        for rel in unlisted_exports(raw, root)
    ]


# --------------------------------------------------------------------------- check


def _check_config(report: CheckReport, root: Path) -> dict[str, Any] | None:
    path = root / CONFIG_FILE
    if not path.is_file():
        report.files.append(FileCheck(CONFIG_FILE, "absent"))
        report.problems.append(
            Problem(
                "no configuration: this folder is not a review folder",
                file=CONFIG_FILE,
                hint="create a review folder with `srma init DIR`",
            )
        )
        return None
    raw = _collect(report.problems, lambda: read_yaml(path))
    if raw is None and report.problems:
        report.files.append(FileCheck(CONFIG_FILE, "problems"))
        return None
    problems = _sources_problems(raw, root) if isinstance(raw, Mapping) else []
    config = copy.deepcopy(raw)
    try:
        validate_config(config, review_dir=root, file=CONFIG_FILE)
    except InputError as exc:
        found = exc.problems
        if problems:
            found = [p for p in found if not _about_empty_sources(p)]
        problems += found
    if not isinstance(config, dict):
        report.problems += problems
        report.files.append(FileCheck(CONFIG_FILE, "problems"))
        return None
    outcomes = config.get("outcomes")
    if isinstance(outcomes, list) and all(isinstance(o, Mapping) for o in outcomes):
        from srma.extraction import outcome_config_problems

        problems += outcome_config_problems(outcomes, CONFIG_FILE)
    problems += _missing_export_problems(config, root)
    report.problems += problems
    n_sources = len(config.get("sources") or [])
    n_outcomes = len(outcomes) if isinstance(outcomes, list) else 0
    detail = f"{n_sources} source(s), {n_outcomes} outcome(s)"
    report.files.append(FileCheck(CONFIG_FILE, "problems" if problems else "ok", detail))
    for rel in unlisted_exports(config, root):
        if config.get("sources"):
            report.notes.append(
                f"{rel} is not listed under sources in {CONFIG_FILE}: it will not be imported"
            )
    return config


def _check_exports(report: CheckReport, config: Mapping[str, Any], root: Path) -> list[str] | None:
    """Read every export; the record ids, or None if some export could not be read."""
    from srma.io import read_export

    record_ids: list[str] = []
    complete = True
    for src in config.get("sources") or []:
        if not isinstance(src, Mapping) or not isinstance(src.get("path"), str):
            complete = False
            continue
        path = root / src["path"]
        if not path.is_file():
            report.files.append(FileCheck(src["path"], "absent"))
            complete = False
            continue
        found: list[Problem] = []
        try:
            result = _collect(
                found,
                partial(
                    read_export,
                    path,
                    source_id=str(src.get("id")),
                    database=src.get("database"),
                    format=src.get("format", "auto"),
                    on_error=src.get("on_error", "stop"),
                ),
            )
        except ValueError:  # an invalid id, format or on_error: the config check says which
            report.files.append(FileCheck(src["path"], "not checked"))
            complete = False
            continue
        if result is not None and isinstance(src.get("records"), int):
            _collect(
                found,
                partial(check_hits, result, src["records"], column=f"sources[{src['id']}].records"),
            )
            if found:
                result = None
        report.problems += found
        if result is None:
            report.files.append(FileCheck(src["path"], "problems"))
            complete = False
            continue
        detail = f"{len(result.records)} records, {result.format}"
        if len(result.rejected):
            detail += f", {len(result.rejected)} set aside (on_error: skip)"
        report.files.append(FileCheck(src["path"], "ok", detail))
        record_ids += result.records["record_id"].tolist()
    return record_ids if complete else None


def _table_status(path: Path, rel: str) -> FileCheck | None:
    """Absent or empty tables; ``None`` when the table has rows to check."""
    n = count_rows(path)
    if not path.is_file():
        return FileCheck(rel, "absent")
    if n == 0:
        return FileCheck(rel, "empty")
    return None


def _check_dedup(
    report: CheckReport, config: Mapping[str, Any], root: Path, record_ids: list[str] | None
) -> None:
    from srma.dedup.decisions import read_decisions
    from srma.io.tables import read_table

    rel = str(config_value(config, "dedup.decisions"))
    path = root / rel
    status = _table_status(path, rel)
    if status is not None:
        report.files.append(status)
        return
    found: list[Problem] = []
    table = _collect(found, lambda: read_table(path))
    decisions = None
    if table is not None:
        decisions = _collect(found, lambda: read_decisions(table, record_ids or [], file=rel))
    report.problems += found
    if decisions is None:
        report.files.append(FileCheck(rel, "problems"))
        return
    n = len(decisions.table) + len(decisions.stale)
    report.files.append(FileCheck(rel, "ok", f"{n} decision(s)"))
    if record_ids is not None and len(decisions.stale):
        report.notes.append(
            f"{len(decisions.stale)} decision(s) in {rel} name records that are not in the "
            "exports (an export was replaced?): they will not be applied"
        )


def _check_screening(report: CheckReport, config: Mapping[str, Any], root: Path) -> None:
    from srma import screening as scr

    logs = []
    section = config.get("screening") or {}
    for rel in section.get("logs") or []:
        path = root / rel
        status = _table_status(path, rel)
        if status is not None:
            report.files.append(status)
            continue
        found: list[Problem] = []
        log = _collect(found, partial(scr.read_log, path))
        report.problems += found
        if log is None:
            report.files.append(FileCheck(rel, "problems"))
            continue
        report.files.append(FileCheck(rel, "ok", f"{len(log)} decision(s)"))
        logs.append(log)
    consensus = None
    rel = str(section.get("consensus"))
    status = _table_status(root / rel, rel)
    if status is not None:
        report.files.append(status)
    else:
        found = []
        consensus = _collect(found, lambda: scr.read_consensus(root / rel))
        report.problems += found
        report.files.append(
            FileCheck(rel, "problems", "")
            if consensus is None
            else FileCheck(rel, "ok", f"{len(consensus)} decision(s)")
        )
    rel = str(section.get("studies"))
    status = _table_status(root / rel, rel)
    if status is not None:
        report.files.append(status)
    else:
        found = []
        studies = _collect(found, lambda: scr.read_studies(root / rel))
        report.problems += found
        report.files.append(
            FileCheck(rel, "problems")
            if studies is None
            else FileCheck(rel, "ok", f"{len(studies)} report(s) mapped")
        )
    if logs and (root / WORKS).is_file():
        newer = _newer_inputs(config, root)
        if newer:
            report.notes.append(
                f"the screening logs were not checked against the works: {newer[0]} changed "
                f"after {WORKS} was written (run snakemake to update it)"
            )
        else:
            _check_screening_against_works(report, section, pd.concat(logs), consensus, root)


def _newer_inputs(config: Mapping[str, Any], root: Path) -> list[str]:
    """Exports and de-duplication decisions changed since the works table was written."""
    made = (root / WORKS).stat().st_mtime
    paths = [src.get("path") for src in config.get("sources") or [] if isinstance(src, Mapping)]
    paths.append(config_value(config, "dedup.decisions"))
    return [
        str(p)
        for p in paths
        if isinstance(p, str) and (root / p).is_file() and (root / p).stat().st_mtime > made
    ]


def _check_screening_against_works(
    report: CheckReport,
    section: Mapping[str, Any],
    log: pd.DataFrame,
    consensus: pd.DataFrame | None,
    root: Path,
) -> None:
    """Decisions against the works of the last run: unknown works, impossible decisions."""
    from srma import screening as scr

    works = pd.read_parquet(root / WORKS)
    settings = {k: section[k] for k in SCREENING_RULE_KEYS if k in section}
    rules = dataclasses.replace(scr.ScreeningRules.from_dict(settings), allow_pending=True)
    found: list[Problem] = []
    result = _collect(found, lambda: scr.resolve(log, works, consensus, rules))
    report.problems += found
    if result is None:
        return
    for r in result.unknown.itertuples(index=False):
        what = "a consensus decision" if r.kind == "consensus" else "a decision"
        report.problems.append(
            Problem(
                f"{what} for a work that is not in the works table",
                file=None if pd.isna(r.file) else str(r.file),
                row=None if pd.isna(r.row) else int(r.row),
                column="work_id",
                value=r.work_id,
                hint=f"check the id against the screening sheet ({WORKS} of the last run lists "
                "every work), or delete the row",
            )
        )
    pending = result.pending
    if len(pending):
        parts = []
        for stage, label in STAGE_LABELS.items():
            here = pending[pending["stage"] == stage]
            counts = here.groupby("basis").size()
            if len(counts):
                items = [f"{n} {BASIS_LABELS.get(b, b)}" for b, n in counts.items()]
                parts.append(f"at {label}, {' and '.join(items)}")
        report.notes.append("screening is not finished: " + "; ".join(parts))


def _check_extraction(report: CheckReport, config: Mapping[str, Any], root: Path) -> None:
    from srma.extraction import ExtractionSettings, load_extraction, outcome_config_problems
    from srma.extraction.spec import OutcomeSpec

    section = config.get("extraction") or {}
    rels = {
        key: str(section.get(key))
        for key in ("studies", "outcome_data", "risk_of_bias", "included_studies")
    }
    statuses = {key: _table_status(root / rel, rel) for key, rel in rels.items()}
    if statuses["studies"] is not None and statuses["outcome_data"] is not None:
        for key in ("studies", "outcome_data", "risk_of_bias"):
            report.files.append(statuses[key] or FileCheck(rels[key], "not checked"))
        if statuses["risk_of_bias"] is None:
            report.notes.append(
                f"{rels['risk_of_bias']} has rows but {rels['studies']} and "
                f"{rels['outcome_data']} are empty: the risk of bias is checked with them"
            )
        return
    outcomes = config.get("outcomes") or []
    specs = {}
    if isinstance(outcomes, list) and not outcome_config_problems(outcomes, CONFIG_FILE):
        try:
            specs = {o["id"]: OutcomeSpec.from_config(o) for o in outcomes}
        except (KeyError, TypeError, ValueError):  # reported by the config check
            specs = {}
    try:
        settings = ExtractionSettings.from_config(section)
    except (KeyError, TypeError, ValueError):
        settings = ExtractionSettings()
    included = None
    if section.get("check_included", True) and (root / rels["included_studies"]).is_file():
        included = root / rels["included_studies"]
    rob_path = root / rels["risk_of_bias"]
    # like the workflow, an empty risk-of-bias table waits (it is checked once it has rows)
    rob = rob_path if statuses["risk_of_bias"] is None else None
    found: list[Problem] = []
    _collect(
        found,
        lambda: load_extraction(
            root / rels["studies"],
            root / rels["outcome_data"],
            rob,
            outcomes=specs,
            settings=settings,
            included=included,
        ),
    )
    report.problems += found
    bad = {_relative(p, root).file for p in found}
    for key in ("studies", "outcome_data", "risk_of_bias"):
        rel = rels[key]
        status = statuses[key]
        if rel in bad:
            report.files.append(FileCheck(rel, "problems"))
        elif status is not None:
            report.files.append(status)
        else:
            report.files.append(FileCheck(rel, "ok", f"{count_rows(root / rel)} row(s)"))
    if not rob_path.is_file():
        report.problems.append(
            Problem(
                "the risk-of-bias table does not exist",
                file=rels["risk_of_bias"],
                hint="forest plots read it: create it from templates/extraction_risk_of_bias.csv "
                "(it may stay empty until the risk of bias is assessed)",
            )
        )
    if included is None and section.get("check_included", True):
        report.notes.append(
            "the extraction tables were not checked against the studies included at screening: "
            f"{rels['included_studies']} does not exist yet (the workflow writes it once "
            "screening is complete)"
        )


def check_review(root: str | Path = ".") -> CheckReport:
    """Check a review folder's configuration and every input, without running anything.

    Parameters
    ----------
    root
        The review folder (made by ``srma init``).

    Returns
    -------
    CheckReport
        Every file checked, every problem found (file names relative to
        ``root``, rendered like the workflow's errors) and notes.
    """
    root = Path(root)
    report = CheckReport(root=root)
    config = _check_config(report, root)
    if config is None:
        return report
    record_ids = _check_exports(report, config, root)
    _check_dedup(report, config, root, record_ids)
    _check_screening(report, config, root)
    _check_extraction(report, config, root)
    report.problems = [_relative(p, root) for p in report.problems]
    if not report.problems:
        report.next_steps = list(review_progress(config, root).waiting)
    return report
