"""Auditing provenance records: is every output still what its lineage says?

:func:`audit` follows the lineage of each output back to the raw files and
re-hashes every file on the way, comparing it with the digest recorded when it
was used:

* ``OK``: same bytes;
* ``CHANGED``: different bytes (or a file changed after its own record was written);
* ``MISSING``: the file is gone;
* ``STALE`` (in trees): the file matches, but was made from a changed or missing file.

How far back the lineage of an input is followed: if the input has a record of
its own now (``<input>.prov.json``) that describes the very bytes the output
was made from, the audit continues from that record (so an intermediate file
that Snakemake remade with the same bytes keeps its downstream outputs
current); otherwise it continues in the lineage copied into the output's own
record when the output was made.

A changed or missing file makes every output derived from it stale (exit
status 1).  A record that is absent, is not JSON or lacks a section, or a
lineage that stops at a file under results/ without a record, makes the audit
fail (exit status 2).
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
    "FileNode",
    "JobNode",
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
    software: Mapping[str, str] = field(default_factory=dict)


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
    agents = {
        rel["prov:activity"]: doc.get("agent", {}).get(rel.get("prov:agent"), {})
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
            software={
                k.split("/", 1)[1]: v
                for k, v in agents.get(aid, {}).items()
                if k.startswith("srma:package/") and isinstance(v, str)
            },
        )
    return Lineage(subject, entities, jobs, generated_by)


# --------------------------------------------------------------------------- results


@dataclass
class FileNode:
    """One file version in a lineage, checked against the file as it is now.

    ``changed`` holds the paths of the changed or missing files this version
    depends on (itself included); ``problems`` the paths where its lineage
    could not be followed.
    """

    path: str
    recorded: str | None
    current: str | None
    status: str
    size: int | None
    kind: str
    lineage: str | None = None
    job: JobNode | None = None
    changed: frozenset[str] = frozenset()
    problems: frozenset[str] = frozenset()

    @property
    def stale(self) -> bool:
        return bool(self.changed)


@dataclass
class JobNode:
    """One job of a lineage, with its script and inputs as checked."""

    key: tuple[str, str]
    job: Job
    record: str
    code: FileNode | None
    inputs: list[tuple[str | None, FileNode]]
    outputs: list[str]


@dataclass
class RecordAudit:
    """The audit of one record."""

    record: str
    output: str | None = None
    node: FileNode | None = None
    problem: str | None = None
    path: Path | None = None
    root: Path | None = None

    @property
    def status(self) -> str:
        if self.problem is not None or self.node is None or self.node.problems:
            return "broken"
        return "stale" if self.node.stale else "ok"


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
    nodes: list[FileNode] = field(default_factory=list)
    jobs: list[JobNode] = field(default_factory=list)
    changed: list[ChangedFile] = field(default_factory=list)
    lineage_problems: list[LineageProblem] = field(default_factory=list)
    files_checked: int = 0
    files_hashed: int = 0

    @property
    def broken(self) -> list[RecordAudit]:
        """Records that are absent, unreadable or incomplete."""
        return [r for r in self.records if r.problem is not None]

    @property
    def exit_code(self) -> int:
        """0 when everything matches, 1 when something is stale, 2 when a record is broken."""
        statuses = {r.status for r in self.records}
        if "broken" in statuses or not self.records:
            return 2
        return 1 if "stale" in statuses else 0

    @property
    def status(self) -> str:
        return {0: "ok", 1: "stale", 2: "broken"}[self.exit_code]


# --------------------------------------------------------------------------- walking


@dataclass
class _Context:
    """A loaded record: where it lies, its review folder and its lineage."""

    key: str
    display: str
    root: Path
    lineage: Lineage


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


class _Auditor:
    """Walks lineages, preferring each input's current record; every result memoised."""

    def __init__(self, base: Path, cache: HashCache) -> None:
        self.base = base
        self.cache = cache
        self.contexts: dict[str, _Context | RecordError] = {}
        self.nodes: dict[tuple[str, str], FileNode] = {}
        self.jobs: dict[tuple[str, str], JobNode] = {}
        self.active: set[tuple[str, str]] = set()
        self.checked: set[tuple[str, str]] = set()
        self.notes: dict[str, str] = {}
        self.problem_sites: dict[str, tuple[str, set[str]]] = {}

    def context(self, path: Path) -> _Context:
        """The record at ``path``, loaded once; raises :class:`RecordError`."""
        key = os.path.normpath(os.path.abspath(path))
        if key not in self.contexts:
            try:
                self.contexts[key] = self._load(Path(key))
            except RecordError as exc:
                self.contexts[key] = exc
        found = self.contexts[key]
        if isinstance(found, RecordError):
            raise found
        return found

    def _load(self, path: Path) -> _Context:
        doc = load_record(path)
        try:
            lineage = parse_lineage(doc)
        except (KeyError, TypeError, StopIteration) as exc:
            raise RecordError(path, f"incomplete record ({exc!r})") from None
        subject = lineage.entities[lineage.subject]
        root = review_root(path, subject.path)
        if root is None:
            if not Path(subject.path).is_absolute():
                raise RecordError(
                    path, f"the record describes {subject.path}, which is not the file beside it"
                )
            root = self.base
        return _Context(str(path), _display(path, self.base), root, lineage)

    def subject(self, ctx: _Context) -> FileNode:
        return self.entity(ctx, ctx.lineage.subject, own_record=True)

    def entity(self, ctx: _Context, eid: str, own_record: bool = False) -> FileNode:
        key = (ctx.key, eid)
        if key in self.nodes:
            return self.nodes[key]
        entity = ctx.lineage.entities[eid]
        if not own_record:
            current = self._current_record(ctx, entity)
            if current is not None:
                node = self.subject(current)
                self.nodes[key] = node
                return node
        if key in self.active:  # a cycle in a damaged record: stop here
            return self._file(ctx, entity)
        self.active.add(key)
        try:
            node = self._file(ctx, entity)
            job_id = ctx.lineage.generated_by.get(eid)
            if job_id is not None and job_id in ctx.lineage.jobs:
                node.job = self.job(ctx, ctx.lineage.jobs[job_id])
                # an input that changed since it was used is where staleness starts: the
                # lineage it had then (from the output's own record) is history
                if own_record or not node.changed:
                    parts = [n for _, n in node.job.inputs]
                    if node.job.code is not None:
                        parts.append(node.job.code)
                    node.changed = node.changed.union(*(n.changed for n in parts))
                    node.problems = node.problems.union(*(n.problems for n in parts))
            elif entity.lineage in BROKEN_LINEAGE:
                node.problems = frozenset({entity.path})
                _, sites = self.problem_sites.setdefault(
                    entity.path, (BROKEN_LINEAGE[entity.lineage], set())
                )
                sites.add(ctx.display)
        finally:
            self.active.discard(key)
        self.nodes[key] = node
        return node

    def _current_record(self, ctx: _Context, entity: Entity) -> _Context | None:
        """The input's own record now, if it describes the bytes the lineage recorded."""
        if entity.sha256 is None:
            return None
        path = record_path(resolve(entity.path, ctx.root))
        if os.path.normpath(os.path.abspath(path)) == ctx.key or not path.exists():
            return None
        try:
            other = self.context(path)
        except RecordError:
            return None
        subject = other.lineage.entities[other.lineage.subject]
        return other if subject.sha256 == entity.sha256 else None

    def _file(self, ctx: _Context, entity: Entity) -> FileNode:
        full = resolve(entity.path, ctx.root)
        current = self.cache.sha256(full)
        self.checked.add((str(ctx.root), entity.path))
        if current is None:
            status = OK if entity.sha256 is None else MISSING
        else:
            status = OK if current == entity.sha256 else CHANGED
        changed: frozenset[str] = frozenset()
        if status != OK:
            changed = frozenset({entity.path})
        elif entity.lineage == "stale":
            changed = frozenset({entity.path})
            self.notes[entity.path] = "it changed after its own provenance record was written"
        return FileNode(
            path=entity.path,
            recorded=entity.sha256,
            current=current,
            status=status,
            size=entity.size,
            kind=entity.kind,
            lineage=entity.lineage,
            changed=changed,
        )

    def job(self, ctx: _Context, job: Job) -> JobNode:
        key = (ctx.key, job.id)
        if key not in self.jobs:
            code = self.entity(ctx, job.code) if job.code else None
            inputs = [(role, self.entity(ctx, eid)) for role, eid in job.inputs]
            outputs = [ctx.lineage.entities[e].path for e in job.outputs]
            self.jobs[key] = JobNode(key, job, ctx.display, code, inputs, outputs)
        return self.jobs[key]


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
        Record paths in the report are shown relative to it.
    cache
        Digests already computed in this run.
    """
    base = Path(os.path.normpath(Path(root or Path.cwd()).absolute()))
    walker = _Auditor(base, cache or HashCache())
    report = AuditReport(records=[])
    for given in records:
        path = Path(given)
        if not path.name.endswith(PROV_SUFFIX):
            path = record_path(path)
        item = RecordAudit(record=_display(path.absolute(), base), path=path.absolute())
        report.records.append(item)
        try:
            ctx = walker.context(path)
        except RecordError as exc:
            item.problem = exc.message
            continue
        item.node = walker.subject(ctx)
        item.output, item.root = item.node.path, ctx.root

    nodes = _unique_nodes(walker.nodes.values())
    subjects = [r.node for r in report.records if r.node is not None]
    live_changed = frozenset().union(*(n.changed for n in subjects))
    live_problems = frozenset().union(*(n.problems for n in subjects))
    report.nodes = nodes
    report.jobs = list(walker.jobs.values())
    report.changed = _changed_files(nodes, live_changed, walker.notes)
    report.lineage_problems = [
        LineageProblem(path, message, tuple(sorted(sites)))
        for path, (message, sites) in sorted(walker.problem_sites.items())
        if path in live_problems
    ]
    report.files_checked = len(walker.checked)
    report.files_hashed = walker.cache.hashed
    return report


def _unique_nodes(nodes: Iterable[FileNode]) -> list[FileNode]:
    seen: dict[int, FileNode] = {}
    for node in nodes:
        seen.setdefault(id(node), node)
    return list(seen.values())


def _changed_files(
    nodes: Sequence[FileNode], live: frozenset[str], notes: Mapping[str, str]
) -> list[ChangedFile]:
    """Each changed file some audited output depends on, with every output it affects."""
    by_path: dict[str, dict[str, Any]] = {}
    for node in nodes:
        if node.path not in node.changed or node.path not in live:
            continue
        info = by_path.setdefault(
            node.path,
            {"status": node.status, "recorded": set(), "current": node.current},
        )
        if node.status != OK:
            info["status"] = node.status
        if node.recorded:
            info["recorded"].add(node.recorded)
    changed = []
    for path, info in sorted(by_path.items()):
        affects = sorted(
            {n.path for n in nodes if n.job is not None and path in n.changed and n.path != path}
        )
        changed.append(
            ChangedFile(
                path=path,
                status=info["status"] if info["status"] != OK else CHANGED,
                recorded=tuple(sorted(info["recorded"])),
                current=info["current"],
                affects=tuple(affects),
                note=notes.get(path),
            )
        )
    return changed


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


def _status_word(node: FileNode) -> str:
    return STALE if node.status == OK and node.stale else node.status


def _file_status(node: FileNode) -> str:
    text = _status_word(node)
    if node.status == CHANGED:
        text += f" (now {_short(node.current)})"
    if node.lineage == "stale":
        text += " (changed after its own record was written)"
    elif node.lineage in BROKEN_LINEAGE and node.job is None:
        text += " NO RECORD (lineage unknown)"
    return text


def _tree_lines(node: FileNode, expanded: dict[tuple[str, str], str]) -> list[str]:
    lines: list[str] = []

    def walk_file(item: FileNode, role: str | None, indent: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└── " if last else "├── ")
        prefix = f"{role}: " if role else ""
        lines.append(
            f"{indent}{branch}{prefix}{item.path}  {_short(item.recorded)}  {_file_status(item)}"
        )
        if item.job is not None:
            walk_job(item.job, indent if top else indent + ("    " if last else "│   "))

    def walk_job(job: JobNode, indent: str) -> None:
        if job.key in expanded:
            lines.append(f"{indent}└── {job.job.label}  (see {expanded[job.key]} above)")
            return
        expanded[job.key] = job.outputs[0] if job.outputs else job.job.label
        lines.append(f"{indent}└── {_job_line(job.job)}")
        children: list[tuple[FileNode, str | None]] = []
        if job.code is not None:
            children.append((job.code, "code"))
        children += [(n, role) for role, n in job.inputs]
        for i, (child, role) in enumerate(children):
            walk_file(child, role, indent + "    ", i == len(children) - 1, False)

    walk_file(node, None, "", True, True)
    return lines


def _tree_json(node: FileNode) -> dict[str, Any]:
    expanded: set[tuple[str, str]] = set()

    def as_json(item: FileNode, role: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": item.path,
            "role": role,
            "recorded_sha256": item.recorded,
            "current_sha256": item.current,
            "status": _status_word(item),
        }
        if item.lineage:
            out["lineage"] = item.lineage
        if item.job is not None:
            job = item.job
            if job.key in expanded:
                out["generated_by"] = {"job": job.job.id, "rule": job.job.rule, "see_above": True}
            else:
                expanded.add(job.key)
                out["generated_by"] = {
                    "job": job.job.id,
                    "rule": job.job.rule,
                    "record": job.record,
                    "wildcards": dict(job.job.wildcards),
                    "params": job.job.params,
                    "start": job.job.start,
                    "end": job.job.end,
                    "srma_version": job.job.srma_version,
                    "git_commit": job.job.git_commit,
                    "git_dirty": job.job.git_dirty,
                    "code": as_json(job.code, "code") if job.code else None,
                    "inputs": [as_json(n, r) for r, n in job.inputs],
                }
        return out

    return as_json(node, None)


# --------------------------------------------------------------------------- output


def render_text(report: AuditReport, *, trees: bool = True) -> str:
    """The report as a readable tree per record, then a summary."""
    lines: list[str] = []
    expanded: dict[tuple[str, str], str] = {}
    for item in report.records:
        if item.node is None:
            lines.append(f"{item.record}  BROKEN: {item.problem}")
        elif trees:
            lines += _tree_lines(item.node, expanded)
        if trees:
            lines.append("")
    ok = sum(1 for r in report.records if r.status == "ok")
    lines.append(
        f"Audited {len(report.records)} record(s), {report.files_checked} file(s): "
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
                "lineage": _tree_json(item.node) if item.node is not None else None,
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
        "files_checked": report.files_checked,
        "files_hashed": report.files_hashed,
    }
