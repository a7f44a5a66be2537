"""Auditing provenance records: is every output still what its lineage says?

:func:`audit` re-hashes every file named in the lineage of each record and
compares it with the digest recorded when the output was made:

* ``OK``: same bytes;
* ``CHANGED``: different bytes (or a file changed after its own record was written);
* ``MISSING``: the file is gone;
* ``STALE`` (in trees): the file matches, but was made from a changed or missing file.

A changed or missing file makes every output derived from it, in any of the
audited records, stale (exit status 1).  A record that is absent, is not
JSON or lacks a section, or a lineage that stops at a file under results/
without a record, makes the audit fail (exit status 2).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from srma.provenance.hashing import HashCache
from srma.provenance.prov import SUBJECT, decode_json_literal
from srma.provenance.records import (
    PROV_SUFFIX,
    RESULTS_DIR,
    RecordError,
    load_record,
    record_path,
    resolve,
)

__all__ = [
    "AuditReport",
    "ChangedFile",
    "FileCheck",
    "Lineage",
    "RecordAudit",
    "audit",
    "find_records",
    "parse_lineage",
    "render_text",
    "report_to_json",
]

OK = "OK"
CHANGED = "CHANGED"
MISSING = "MISSING"
#: A file that matches its record but was made from a changed or missing file.
STALE = "STALE"
#: Digits of a SHA-256 shown in the tree.
SHORT = 8
#: Lineage states that leave an output untraceable (exit status 2).
BROKEN_LINEAGE = {
    "unrecorded": "no provenance record when it was used: its lineage is unknown",
    "damaged": "its provenance record was damaged when it was used: its lineage is unknown",
}


# --------------------------------------------------------------------------- the lineage


@dataclass(frozen=True)
class Entity:
    """One version of one file in a lineage."""

    id: str
    path: str
    sha256: str | None
    size: int | None
    kind: str
    lineage: str | None = None


@dataclass(frozen=True)
class Job:
    """One job (activity) of a lineage."""

    id: str
    rule: str
    label: str
    wildcards: Mapping[str, Any]
    params: Any
    start: str | None
    end: str | None
    srma_version: str | None
    git_commit: str | None
    git_dirty: bool | None
    code: str | None
    inputs: tuple[tuple[str | None, str], ...]
    outputs: tuple[str, ...]


@dataclass(frozen=True)
class Lineage:
    """A record, parsed: its subject, its files and its jobs."""

    subject: str
    entities: Mapping[str, Entity]
    jobs: Mapping[str, Job]
    generated_by: Mapping[str, str]

    def edges(self) -> Iterable[tuple[str, str]]:
        """``(from entity, to entity)`` for every input or script of every job and its outputs."""
        for job in self.jobs.values():
            sources = [eid for _, eid in job.inputs]
            if job.code:
                sources.append(job.code)
            for src in sources:
                for out in job.outputs:
                    yield src, out


def parse_lineage(doc: Mapping[str, Any]) -> Lineage:
    """Parse a record checked by :func:`srma.provenance.records.load_record`."""
    entities = {
        eid: Entity(
            id=eid,
            path=a["srma:path"],
            sha256=a.get("srma:sha256"),
            size=a.get("srma:size"),
            kind=a.get("srma:kind", "file"),
            lineage=a.get("srma:lineage"),
        )
        for eid, a in doc["entity"].items()
    }
    subject = next(eid for eid, a in doc["entity"].items() if a.get(SUBJECT) is True)
    inputs: dict[str, list[tuple[str | None, str]]] = defaultdict(list)
    for rel in doc.get("used", {}).values():
        inputs[rel["prov:activity"]].append((rel.get("srma:role"), rel["prov:entity"]))
    outputs: dict[str, list[str]] = defaultdict(list)
    generated_by: dict[str, str] = {}
    for rel in doc.get("wasGeneratedBy", {}).values():
        outputs[rel["prov:activity"]].append(rel["prov:entity"])
        generated_by[rel["prov:entity"]] = rel["prov:activity"]
    plans = {
        rel["prov:activity"]: rel.get("prov:plan")
        for rel in doc.get("wasAssociatedWith", {}).values()
    }
    jobs = {}
    for aid, a in doc["activity"].items():
        wildcards = decode_json_literal(a.get("srma:wildcards", {})) or {}
        jobs[aid] = Job(
            id=aid,
            rule=a["srma:rule"],
            label=a.get("prov:label", a["srma:rule"]),
            wildcards=wildcards if isinstance(wildcards, Mapping) else {},
            params=decode_json_literal(a.get("srma:params")),
            start=a.get("prov:startTime"),
            end=a.get("prov:endTime"),
            srma_version=a.get("srma:srma_version"),
            git_commit=a.get("srma:git_commit"),
            git_dirty=a.get("srma:git_dirty"),
            code=plans.get(aid),
            inputs=tuple(sorted(inputs[aid], key=lambda r: (entities[r[1]].path, r[0] or ""))),
            outputs=tuple(sorted(outputs[aid], key=lambda e: entities[e].path)),
        )
    return Lineage(subject, entities, jobs, generated_by)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class FileCheck:
    """One recorded file version compared with the file as it is now."""

    path: str
    recorded: str | None
    current: str | None
    status: str


@dataclass
class RecordAudit:
    """The audit of one record."""

    record: str
    output: str | None = None
    root: Path | None = None
    lineage: Lineage | None = None
    problem: str | None = None
    status: str = "ok"


@dataclass(frozen=True)
class ChangedFile:
    """A file that no longer matches a lineage, and every output derived from it."""

    path: str
    status: str
    recorded: tuple[str, ...]
    current: str | None
    affects: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class LineageProblem:
    """A file whose lineage could not be followed when an output was made."""

    path: str
    message: str
    records: tuple[str, ...]


@dataclass
class AuditReport:
    """The audit of a set of records."""

    records: list[RecordAudit]
    checks: dict[tuple[str, str], FileCheck] = field(default_factory=dict)
    changed: list[ChangedFile] = field(default_factory=list)
    lineage_problems: list[LineageProblem] = field(default_factory=list)
    files_hashed: int = 0
    #: ``(review root, entity id)`` of every file version made from a changed file.
    affected: set[tuple[str, str]] = field(default_factory=set)

    @property
    def broken(self) -> list[RecordAudit]:
        """Records that are absent, unreadable or incomplete."""
        return [r for r in self.records if r.problem is not None]

    @property
    def exit_code(self) -> int:
        """0 when everything matches, 1 when something is stale, 2 when a record is broken."""
        if self.broken or self.lineage_problems or not self.records:
            return 2
        if self.changed:
            return 1
        return 0

    @property
    def status(self) -> str:
        return {0: "ok", 1: "stale", 2: "broken"}[self.exit_code]


def _check(root: Path, entity: Entity, cache: HashCache) -> FileCheck:
    current = cache.sha256(resolve(entity.path, root))
    if current is None:
        status = OK if entity.sha256 is None else MISSING
    else:
        status = OK if current == entity.sha256 else CHANGED
    return FileCheck(entity.path, entity.sha256, current, status)


def review_root(record_file: Path, subject_path: str) -> Path | None:
    """The review folder of a record: its path less the subject's relative path.

    ``None`` when the subject's path is absolute or does not end the record's path.
    """
    sub = Path(subject_path)
    if sub.is_absolute():
        return None
    data = Path(os.path.normpath(os.path.abspath(str(record_file)[: -len(PROV_SUFFIX)])))
    n = len(sub.parts)
    if n == 0 or data.parts[-n:] != sub.parts:
        return None
    return Path(*data.parts[:-n])


def _display(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:
        return path.as_posix()


def find_records(folder: str | os.PathLike[str]) -> list[Path]:
    """Every ``*.prov.json`` under ``folder``, sorted, skipping RO-Crates written there."""
    base = Path(folder)
    found = []
    for current, dirs, files in os.walk(base):
        if "ro-crate-metadata.json" in files:
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(current) / f for f in files if f.endswith(PROV_SUFFIX)]
    return sorted(found)


def audit(
    records: Sequence[str | os.PathLike[str]],
    *,
    root: str | os.PathLike[str] | None = None,
    cache: HashCache | None = None,
) -> AuditReport:
    """Audit records (``*.prov.json``, or outputs whose record lies beside them).

    Parameters
    ----------
    records
        Paths of records, or of the outputs they describe.
    root
        The review folder, used when a record's folder cannot be told from its
        path (its subject has an absolute path); default the working directory.
        Paths in the report are shown relative to it.
    cache
        Digests already computed in this run.
    """
    base = Path(os.path.normpath(Path(root or Path.cwd()).absolute()))
    cache = cache or HashCache()
    report = AuditReport(records=[])
    graph: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    paths_of: dict[tuple[str, str], str] = {}
    bad: dict[tuple[str, str], tuple[str, str | None]] = {}
    unresolved: dict[str, tuple[str, list[str]]] = {}

    for given in records:
        path = Path(given)
        if not path.name.endswith(PROV_SUFFIX):
            path = record_path(path)
        item = RecordAudit(record=_display(path.absolute(), base))
        report.records.append(item)
        try:
            doc = load_record(path)
            lineage = parse_lineage(doc)
        except RecordError as exc:
            item.problem, item.status = exc.message, "broken"
            continue
        except (KeyError, TypeError, StopIteration) as exc:
            item.problem, item.status = f"incomplete record ({exc!r})", "broken"
            continue
        subject = lineage.entities[lineage.subject]
        found_root = review_root(path, subject.path)
        if found_root is None and not Path(subject.path).is_absolute():
            item.problem = f"the record describes {subject.path}, which is not the file beside it"
            item.status = "broken"
            continue
        review = found_root or base
        item.root, item.lineage, item.output = review, lineage, subject.path
        key_root = str(review)
        stale = False
        for entity in lineage.entities.values():
            check = _check(review, entity, cache)
            report.checks[(key_root, entity.id)] = check
            paths_of[(key_root, entity.id)] = entity.path
            if check.status != OK:
                bad[(key_root, entity.id)] = (check.status, None)
                stale = True
            elif entity.lineage == "stale":
                bad[(key_root, entity.id)] = (
                    CHANGED,
                    "it changed after its own provenance record was written",
                )
                stale = True
            if entity.lineage in BROKEN_LINEAGE:
                message, where = unresolved.setdefault(
                    entity.path, (BROKEN_LINEAGE[entity.lineage], [])
                )
                where.append(item.record)
        for src, dst in lineage.edges():
            graph[(key_root, src)].add((key_root, dst))
        if stale:
            item.status = "stale"
        if any(e.lineage in BROKEN_LINEAGE for e in lineage.entities.values()):
            item.status = "broken"

    report.files_hashed = cache.hashed
    report.changed, report.affected = _changed_files(report, bad, graph, paths_of)
    report.lineage_problems = [
        LineageProblem(path, message, tuple(sorted(set(where))))
        for path, (message, where) in sorted(unresolved.items())
    ]
    return report


def _changed_files(
    report: AuditReport,
    bad: Mapping[tuple[str, str], tuple[str, str | None]],
    graph: Mapping[tuple[str, str], set[tuple[str, str]]],
    paths_of: Mapping[tuple[str, str], str],
) -> tuple[list[ChangedFile], set[tuple[str, str]]]:
    by_path: dict[str, dict[str, Any]] = {}
    affected: set[tuple[str, str]] = set()
    for key, (status, note) in bad.items():
        seen: set[tuple[str, str]] = set()
        todo = list(graph.get(key, ()))
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        affected |= seen
        path = paths_of[key]
        check = report.checks[key]
        info = by_path.setdefault(
            path,
            {"status": status, "recorded": set(), "current": check.current, "affects": set()},
        )
        if check.recorded:
            info["recorded"].add(check.recorded)
        info["affects"] |= {paths_of[n] for n in seen if paths_of[n] != path}
        if note:
            info["note"] = note
    changed = [
        ChangedFile(
            path=path,
            status=info["status"],
            recorded=tuple(sorted(info["recorded"])),
            current=info["current"],
            affects=tuple(sorted(info["affects"])),
            note=info.get("note"),
        )
        for path, info in sorted(by_path.items())
    ]
    return changed, affected


# --------------------------------------------------------------------------- trees


def _short(sha: str | None) -> str:
    return sha[:SHORT] if sha else "-" * SHORT


def _job_line(job: Job) -> str:
    parts = [job.label]
    if job.start:
        parts.append(job.start)
    if job.srma_version:
        parts.append(f"srma {job.srma_version}")
    if job.git_commit:
        parts.append(f"git {job.git_commit[:7]}{'+dirty' if job.git_dirty else ''}")
    return "  ".join(parts)


def _file_status(check: FileCheck, entity: Entity, affected: bool) -> str:
    text = STALE if check.status == OK and affected else check.status
    if check.status == CHANGED:
        text += f" (now {_short(check.current)})"
    if entity.lineage == "stale":
        text += " (changed after its own record was written)"
    elif entity.lineage in BROKEN_LINEAGE:
        text += " NO RECORD (lineage unknown)"
    return text


def _tree_lines(
    audit_item: RecordAudit,
    checks: Mapping[tuple[str, str], FileCheck],
    expanded: dict[str, str],
    affected: set[tuple[str, str]],
) -> list[str]:
    lineage = audit_item.lineage
    assert lineage is not None and audit_item.root is not None
    key_root = str(audit_item.root)

    def file_label(eid: str, role: str | None) -> str:
        entity = lineage.entities[eid]
        check = checks[(key_root, eid)]
        prefix = f"{role}: " if role else ""
        status = _file_status(check, entity, (key_root, eid) in affected)
        return f"{prefix}{entity.path}  {_short(entity.sha256)}  {status}"

    lines: list[str] = []

    def walk_file(eid: str, role: str | None, indent: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└── " if last else "├── ")
        lines.append(indent + branch + file_label(eid, role))
        child_indent = indent if top else indent + ("    " if last else "│   ")
        job_id = lineage.generated_by.get(eid)
        if job_id is not None and job_id in lineage.jobs:
            walk_job(lineage.jobs[job_id], child_indent)

    def walk_job(job: Job, indent: str) -> None:
        if job.id in expanded:
            lines.append(f"{indent}└── {job.label}  (see {expanded[job.id]} above)")
            return
        expanded[job.id] = lineage.entities[job.outputs[0]].path if job.outputs else job.label
        lines.append(f"{indent}└── {_job_line(job)}")
        inner = indent + "    "
        children: list[tuple[str, str | None]] = []
        if job.code:
            children.append((job.code, "code"))
        children += [(eid, role) for role, eid in job.inputs]
        for i, (eid, role) in enumerate(children):
            walk_file(eid, role, inner, i == len(children) - 1, False)

    walk_file(lineage.subject, None, "", True, True)
    return lines


def _tree_json(
    audit_item: RecordAudit,
    checks: Mapping[tuple[str, str], FileCheck],
    affected: set[tuple[str, str]],
) -> dict[str, Any]:
    lineage = audit_item.lineage
    assert lineage is not None and audit_item.root is not None
    key_root = str(audit_item.root)
    expanded: set[str] = set()

    def node(eid: str, role: str | None) -> dict[str, Any]:
        entity = lineage.entities[eid]
        check = checks[(key_root, eid)]
        out: dict[str, Any] = {
            "path": entity.path,
            "role": role,
            "recorded_sha256": entity.sha256,
            "current_sha256": check.current,
            "status": STALE if check.status == OK and (key_root, eid) in affected else check.status,
        }
        if entity.lineage:
            out["lineage"] = entity.lineage
        job_id = lineage.generated_by.get(eid)
        if job_id is not None and job_id in lineage.jobs:
            job = lineage.jobs[job_id]
            if job.id in expanded:
                out["generated_by"] = {"job": job.id, "rule": job.rule, "see_above": True}
            else:
                expanded.add(job.id)
                out["generated_by"] = {
                    "job": job.id,
                    "rule": job.rule,
                    "wildcards": dict(job.wildcards),
                    "params": job.params,
                    "start": job.start,
                    "end": job.end,
                    "srma_version": job.srma_version,
                    "git_commit": job.git_commit,
                    "git_dirty": job.git_dirty,
                    "code": node(job.code, "code") if job.code else None,
                    "inputs": [node(e, r) for r, e in job.inputs],
                }
        return out

    return node(lineage.subject, None)


# --------------------------------------------------------------------------- output


def render_text(report: AuditReport, *, trees: bool = True) -> str:
    """The report as a readable tree per record, then a summary."""
    lines: list[str] = []
    expanded: dict[str, str] = {}
    for item in report.records:
        if item.problem is not None:
            lines.append(f"{item.record}  BROKEN: {item.problem}")
            if trees:
                lines.append("")
            continue
        if trees:
            lines += _tree_lines(item, report.checks, expanded, report.affected)
            lines.append("")
    ok = sum(1 for r in report.records if r.status == "ok")
    n_files = len({(root, c.path) for (root, _), c in report.checks.items()})
    lines.append(
        f"Audited {len(report.records)} record(s), {n_files} file(s): "
        f"{ok} up to date, {len(report.records) - ok} not."
    )
    for changed in report.changed:
        was = ", ".join(_short(s) for s in changed.recorded) or "absent"
        now = _short(changed.current) if changed.current else "gone"
        lines.append(f"{changed.status} {changed.path} (recorded {was}, now {now})")
        if changed.note:
            lines.append(f"    {changed.note}")
        if changed.affects:
            lines.append(f"    affects {len(changed.affects)} output(s):")
            lines += [f"      {p}" for p in changed.affects]
    for problem in report.lineage_problems:
        lines.append(f"NO RECORD {problem.path}: {problem.message}")
        lines += [f"    in {r}" for r in problem.records]
        lines.append(
            f"    make the rule that writes it call step(..., job=snakemake) and rerun "
            f"the rules downstream of it (files under {RESULTS_DIR}/ need a record)"
        )
    for item in report.broken:
        lines.append(f"BROKEN {item.record}: {item.problem}")
    if not report.records:
        lines.append("No provenance records found.")
    verdict = {
        0: "OK: every output matches its recorded lineage.",
        1: "STALE: rerun the workflow (snakemake) to bring the outputs above up to date.",
        2: "BROKEN: some outputs cannot be traced (see above).",
    }[report.exit_code]
    lines.append(verdict)
    return "\n".join(lines) + "\n"


def report_to_json(report: AuditReport) -> dict[str, Any]:
    """The report as JSON data (``srma audit --json``)."""
    return {
        "status": report.status,
        "exit_code": report.exit_code,
        "records": [
            {
                "record": item.record,
                "output": item.output,
                "status": item.status,
                "problem": item.problem,
                "lineage": (
                    _tree_json(item, report.checks, report.affected) if item.lineage else None
                ),
            }
            for item in report.records
        ],
        "changed": [
            {
                "path": c.path,
                "status": c.status,
                "recorded_sha256": list(c.recorded),
                "current_sha256": c.current,
                "affects": list(c.affects),
                "note": c.note,
            }
            for c in report.changed
        ],
        "lineage_problems": [
            {"path": p.path, "message": p.message, "records": list(p.records)}
            for p in report.lineage_problems
        ],
        "files_checked": len({(root, c.path) for (root, _), c in report.checks.items()}),
        "files_hashed": report.files_hashed,
    }
