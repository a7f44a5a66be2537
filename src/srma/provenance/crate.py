"""A run of the review as an RO-Crate (Workflow Run Crate profiles), from its records.

The crate holds the Snakefile as the main ``ComputationalWorkflow``, the
workflow's rule files and configuration, every file of every lineage (raw
exports under data/, results), the provenance records themselves, and:

* one ``CreateAction`` per job (``instrument``: the script it ran;
  ``object``: its inputs and parameters; ``result``: its outputs;
  ``startTime``/``endTime``), with a ``ControlAction`` tying it to the rule's
  ``HowToStep`` (Provenance Run Crate);
* one ``CreateAction`` for the whole run (``instrument``: the Snakefile;
  ``object``: the files no job made; ``result``: the files no job used), and an
  ``OrganizeAction`` of the Snakemake engine (Workflow Run Crate).

``rocrate`` is imported only here, so scripts that write records never load it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from srma.provenance.audit import OK, AuditReport, Job
from srma.provenance.records import RecordError

__all__ = ["PROFILES", "RunSummary", "build_crate", "collect_run", "write_crate"]

#: RO-Crate version of the metadata file.
RO_CRATE_VERSION = "1.1"
#: Profiles the crate conforms to (root dataset ``conformsTo``), with their names.
PROFILES: dict[str, str] = {
    "https://w3id.org/ro/wfrun/process/0.5": "Process Run Crate",
    "https://w3id.org/ro/wfrun/workflow/0.5": "Workflow Run Crate",
    "https://w3id.org/ro/wfrun/provenance/0.5": "Provenance Run Crate",
    "https://w3id.org/workflowhub/workflow-ro-crate/1.0": "Workflow RO-Crate",
}
WFRUN_CONTEXT = "https://w3id.org/ro/terms/workflow-run/context"
PROV_JSON = "https://www.w3.org/submissions/prov-json/"
#: Extra term for file digests (RO-Crate allows ad hoc terms in the context).
EXTRA_TERMS = {"sha256": "urn:srma:sha256"}
#: Folders of the review added to the crate beside the Snakefile.
WORKFLOW_FOLDERS = ("workflow", "config")

_MEDIA_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".parquet": "application/vnd.apache.parquet",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ris": "application/x-research-info-systems",
    ".bib": "application/x-bibtex",
    ".nbib": "text/plain",
    ".txt": "text/plain",
    ".py": "text/x-python",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".md": "text/markdown",
    ".html": "text/html",
    ".tsv": "text/tab-separated-values",
    ".smk": "text/plain",
    ".rst": "text/x-rst",
}
#: Status of every action: srma only records jobs that succeeded.
COMPLETED = "http://schema.org/CompletedActionStatus"


@dataclass(frozen=True)
class FileInfo:
    path: str
    sha256: str | None
    size: int | None
    kind: str


@dataclass
class RunSummary:
    """The union of the lineages of a set of records.

    Attributes
    ----------
    root
        The review folder.
    files
        Each file path named by a lineage, with the version last seen.
    jobs
        Each job, by identifier.
    records
        ``(record path relative to root, subject path)`` of each record.
    code
        Paths of the scripts the jobs ran.
    engine_version
        Snakemake's version in the records, if any.
    git_commit
        The git commit of the review (``+dirty`` if it had changes) when every job
        ran at the same one; ``None`` otherwise.
    """

    root: Path
    files: dict[str, FileInfo]
    jobs: dict[str, Job]
    job_files: dict[str, tuple[list[str], list[str], str | None]]
    records: list[tuple[str, str]]
    code: set[str]
    engine_version: str | None
    git_commit: str | None = None


def collect_run(report: AuditReport) -> RunSummary:
    """Gather the jobs and files of the audited records (paths relative to the review).

    The lineages are those the audit followed: each intermediate file through its
    own current record when that record describes the bytes that were used.

    Raises
    ------
    RecordError
        When there are no readable records, or they come from different reviews.
    """
    readable = [r for r in report.records if r.node is not None and r.root is not None]
    if not readable:
        raise RecordError("results", "no provenance records to put in the crate")
    roots = {r.root for r in readable}
    if len(roots) != 1:
        raise RecordError(
            readable[0].record, f"records from several reviews: {sorted(map(str, roots))}"
        )
    root = readable[0].root
    assert root is not None
    files: dict[str, FileInfo] = {}
    for node in report.nodes:
        if node.path not in files or node.status == OK:
            files[node.path] = FileInfo(node.path, node.recorded, node.size, node.kind)
    jobs: dict[str, Job] = {}
    job_files: dict[str, tuple[list[str], list[str], str | None]] = {}
    code: set[str] = set()
    engines: set[str] = set()
    commits: set[str] = set()
    for jn in report.jobs:
        if jn.job.id in jobs:
            continue
        jobs[jn.job.id] = jn.job
        script = jn.code.path if jn.code is not None else None
        if script:
            code.add(script)
        job_files[jn.job.id] = ([n.path for _, n in jn.inputs], list(jn.outputs), script)
        if "snakemake" in jn.job.software:
            engines.add(jn.job.software["snakemake"])
        if jn.job.git_commit:
            commits.add(jn.job.git_commit + ("+dirty" if jn.job.git_dirty else ""))
    listed = sorted(
        (Path(os.path.relpath(r.path, root)).as_posix(), r.output or "")
        for r in readable
        if r.path is not None
    )
    engine = sorted(engines)[-1] if engines else None
    commit = commits.pop() if len(commits) == 1 else None
    return RunSummary(root, files, jobs, job_files, listed, code, engine, commit)


def _media_type(path: str) -> str | None:
    return _MEDIA_TYPES.get(Path(path).suffix.lower())


def _fragment(job_id: str) -> str:
    """``#job/<rule>/...`` from ``srma:job/<rule>/...``: a crate-local identifier."""
    return "#" + re.sub(r"\s", "_", job_id.split(":", 1)[-1])


def build_crate(
    run: RunSummary,
    *,
    snakefile: str = "Snakefile",
    name: str | None = None,
    license: str | None = None,
) -> Any:
    """An ``rocrate.rocrate.ROCrate`` describing the run (not yet written).

    Parameters
    ----------
    run
        From :func:`collect_run`.
    snakefile
        The workflow's Snakefile, relative to the review folder.
    name
        The crate's name (default: from the review folder's name).
    license
        URL of the licence of the crate's content (e.g. an SPDX URL).
    """
    from rocrate.model.contextentity import ContextEntity
    from rocrate.rocrate import ROCrate

    root = run.root
    crate = ROCrate(version=RO_CRATE_VERSION)
    crate.metadata.extra_contexts.append(WFRUN_CONTEXT)
    crate.metadata.extra_terms.update(EXTRA_TERMS)
    crate.name = name or f"srma review run: {root.name}"
    crate.description = (
        "Results of a systematic review and meta-analysis run with srma and Snakemake, "
        "with the W3C PROV-JSON record of every output (*.prov.json) and the raw exports "
        "they were made from."
    )
    if license:
        crate.license = crate.add(
            ContextEntity(crate, license, properties={"@type": "CreativeWork"})
        )
    else:
        crate.license = crate.add(
            ContextEntity(
                crate,
                "#license",
                properties={
                    "@type": "CreativeWork",
                    "name": "Not specified",
                    "description": "No licence was given when the crate was made "
                    "(srma crate --license URL).",
                },
            )
        )
    profiles = [
        crate.add(
            ContextEntity(
                crate,
                pid,
                properties={
                    "@type": "CreativeWork",
                    "name": pname,
                    "version": pid.rsplit("/", 1)[-1],
                },
            )
        )
        for pid, pname in PROFILES.items()
    ]
    crate.root_dataset["conformsTo"] = profiles

    # the workflow, its files and its tools
    wf_source = root / snakefile
    workflow = crate.add_workflow(
        source=wf_source if wf_source.is_file() else None,
        dest_path=snakefile,
        main=True,
        lang="snakemake",
        lang_version=run.engine_version,
        properties={
            "@type": ["File", "SoftwareSourceCode", "ComputationalWorkflow", "HowTo"],
            "name": f"srma workflow ({snakefile})",
            "encodingFormat": "text/plain",
            **({"version": run.git_commit} if run.git_commit else {}),
        },
    )
    added = {snakefile}
    for folder in WORKFLOW_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for file in sorted(p for p in base.rglob("*") if p.is_file()):
            rel = file.relative_to(root).as_posix()
            if "__pycache__" in file.parts or rel in added:
                continue
            crate.add_file(file, dest_path=rel, properties=_file_props(rel, None, None))
            added.add(rel)

    python = crate.add(
        ContextEntity(
            crate,
            "#python",
            properties={
                "@type": "ComputerLanguage",
                "name": "Python",
                "url": "https://www.python.org/",
            },
        )
    )
    tools: dict[str, Any] = {}
    for script in sorted(run.code):
        info = run.files.get(script)
        props = _file_props(script, info.sha256 if info else None, info.size if info else None)
        props["@type"] = ["File", "SoftwareSourceCode"]
        props["programmingLanguage"] = python
        if run.git_commit:
            props["version"] = run.git_commit
        source = _source(root, script)
        tools[script] = crate.add_file(source, dest_path=_dest(script), properties=props)
        added.add(script)
    rule_tools: dict[str, Any] = {}
    for job in run.jobs.values():
        if run.job_files[job.id][2] is None and job.rule not in rule_tools:
            rule_tools[job.rule] = crate.add(
                ContextEntity(
                    crate,
                    f"#rule/{job.rule}",
                    properties={"@type": "SoftwareApplication", "name": f"rule {job.rule}"},
                )
            )
    workflow["hasPart"] = [tools[s] for s in sorted(tools)] + [
        rule_tools[r] for r in sorted(rule_tools)
    ]

    # data files
    data: dict[str, Any] = {}
    for path, info in sorted(run.files.items()):
        if path in added:
            data[path] = crate.dereference(_dest(path)) or tools.get(path)
            continue
        props = _file_props(path, info.sha256, info.size)
        source = _source(root, path)
        if info.kind == "directory" and source is not None and source.is_dir():
            props.pop("encodingFormat", None)
            data[path] = crate.add_dataset(source, dest_path=_dest(path), properties=props)
        else:
            if source is None or not source.exists():
                props["description"] = "absent when the crate was made"
                source = None
            data[path] = crate.add_file(source, dest_path=_dest(path), properties=props)

    # one CreateAction (and ControlAction, HowToStep) per job
    ordered = sorted(run.jobs.values(), key=lambda j: (j.start or "", j.id))
    rules = sorted({j.rule for j in ordered}, key=[j.rule for j in ordered].index)
    steps = {
        rule: crate.add(
            ContextEntity(
                crate,
                f"#step/{rule}",
                properties={"@type": "HowToStep", "name": rule, "position": str(i)},
            )
        )
        for i, rule in enumerate(rules)
    }
    made: set[str] = set()
    used: set[str] = set()
    controls = []
    actions: list[Any] = []
    generated_by: dict[str, Any] = {}
    for job in ordered:
        ins, outs, job_script = run.job_files[job.id]
        tool = tools[job_script] if job_script else rule_tools[job.rule]
        steps[job.rule]["workExample"] = tool
        action_id = _fragment(job.id)
        params = _parameter_values(crate, action_id, job.params)
        action_props: dict[str, Any] = {
            "@type": "CreateAction",
            "name": f"Run of rule {job.label}",
            "description": f"Snakemake job of rule {job.rule}"
            + (f" with {_wildcard_text(job.wildcards)}" if job.wildcards else "")
            + (f", srma {job.srma_version}" if job.srma_version else ""),
            "actionStatus": COMPLETED,
        }
        if job.start:
            action_props["startTime"] = job.start
        if job.end:
            action_props["endTime"] = job.end
        action = crate.add_action(
            tool,
            identifier=action_id,
            object=_single([data[p] for p in ins] + params),
            result=_single([data[p] for p in outs]),
            properties=action_props,
        )
        actions.append(action)
        for p in outs:
            generated_by[p] = action
        made |= set(outs)
        used |= set(ins)
        controls.append(
            crate.add(
                ContextEntity(
                    crate,
                    f"#control/{action_id[1:]}",
                    properties={
                        "@type": "ControlAction",
                        "name": f"orchestrate {job.label}",
                        "instrument": {"@id": steps[job.rule].id},
                        "object": {"@id": action.id},
                    },
                )
            )
        )
    workflow["step"] = [steps[r] for r in rules]

    # the records themselves
    for rec, subject in run.records:
        record_props: dict[str, Any] = {
            "name": f"PROV-JSON record of {subject}",
            "encodingFormat": "application/json",
            "conformsTo": {"@id": PROV_JSON},
        }
        if subject in generated_by:
            record_props["about"] = {"@id": generated_by[subject].id}
        crate.add_file(run.root / rec, dest_path=rec, properties=record_props)

    # the whole run, and the engine that ran it
    starts = [j.start for j in ordered if j.start]
    ends = [j.end for j in ordered if j.end]
    run_props: dict[str, Any] = {
        "@type": "CreateAction",
        "name": f"Run of the srma workflow in {root.name}",
        "description": "The Snakemake run that made the results of this crate "
        "(the earliest start and the latest end of its jobs).",
        "actionStatus": COMPLETED,
    }
    if starts:
        run_props["startTime"] = min(starts)
    if ends:
        run_props["endTime"] = max(ends)
    sources = sorted(p for p in run.files if p not in made and p not in run.code)
    finals = sorted(p for p in made if p not in used)
    run_action = crate.add_action(
        workflow,
        identifier="#run",
        object=_single([data[p] for p in sources]),
        result=_single([data[p] for p in finals]),
        properties=run_props,
    )
    crate.root_dataset["mentions"] = [run_action, *actions]
    engine = crate.add(
        ContextEntity(
            crate,
            "#snakemake",
            properties={
                "@type": "SoftwareApplication",
                "name": f"Snakemake {run.engine_version}" if run.engine_version else "Snakemake",
                "url": "https://snakemake.readthedocs.io",
                **({"softwareVersion": run.engine_version} if run.engine_version else {}),
            },
        )
    )
    crate.add(
        ContextEntity(
            crate,
            "#engine-run",
            properties={
                "@type": "OrganizeAction",
                "name": "Run of Snakemake",
                "instrument": {"@id": engine.id},
                "object": [{"@id": c.id} for c in controls],
                "result": {"@id": run_action.id},
                **({"startTime": min(starts)} if starts else {}),
                **({"endTime": max(ends)} if ends else {}),
            },
        )
    )
    return crate


def _single(items: list[Any]) -> Any:
    """One value rather than a one-item list (RO-Crate 1.1 JSON-LD style)."""
    return items[0] if len(items) == 1 else items


def _wildcard_text(wildcards: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={wildcards[k]}" for k in sorted(wildcards))


def _dest(path: str) -> str:
    """Where a lineage path goes inside the crate (absolute paths under ``external/``)."""
    return "external" + path if Path(path).is_absolute() else path


def _source(root: Path, path: str) -> Path | None:
    full = Path(path) if Path(path).is_absolute() else root / path
    return full if full.exists() else None


def _file_props(path: str, sha256: str | None, size: int | None) -> dict[str, Any]:
    props: dict[str, Any] = {"name": Path(path).name}
    media = _media_type(path)
    if media:
        props["encodingFormat"] = media
    if sha256:
        props["sha256"] = sha256
    if size is not None:
        props["contentSize"] = str(size)
    return props


def _parameter_values(crate: Any, action_id: str, params: Any) -> list[Any]:
    from rocrate.model.contextentity import ContextEntity

    if params is None or params == {} or params == []:
        return []
    items = params.items() if isinstance(params, Mapping) else [("params", params)]
    out = []
    for key, value in sorted(items):
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        out.append(
            crate.add(
                ContextEntity(
                    crate,
                    f"#param/{action_id[1:]}/{key}",
                    properties={"@type": "PropertyValue", "name": str(key), "value": text},
                )
            )
        )
    return out


def write_crate(crate: Any, out: str | os.PathLike[str]) -> Path:
    """Write the crate to a folder, or to a zip file when ``out`` ends in ``.zip``."""
    target = Path(out)
    if target.suffix.lower() == ".zip":
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        crate.write_zip(tmp)
        os.replace(tmp, target)
    else:
        crate.write(target)
    return target
