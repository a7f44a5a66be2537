"""srma's provenance records as W3C PROV-JSON documents (pure functions, no I/O).

A record is a PROV-JSON document (https://www.w3.org/submissions/prov-json/)
that uses the sections ``prefix``, ``entity``, ``activity``, ``agent``,
``used``, ``wasGeneratedBy``, ``wasDerivedFrom`` and ``wasAssociatedWith``
(docs/provenance.md describes the subset).  Identifiers are content
addresses, so the same file version or job has the same identifier in every
record, and the lineages of several inputs merge without conflicts:

* a file version: ``srma:file/<path>@<first 16 hex digits of its SHA-256>``;
* a job: ``srma:job/<rule>[/<wildcard>=<value>,...]@<digest of its outputs' ids>``;
* the software a job ran with: ``srma:environment/<digest of the versions>``;
* a relation: ``_:<relation>/<digest of its attributes>``.

The one entity a record is *about* (the file beside which it lies) carries
``"srma:subject": true``; :func:`strip_subject` removes that mark when the
record is copied into the lineage of a downstream output.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from srma.provenance.environment import Environment

__all__ = [
    "JSON_TYPE",
    "PREFIXES",
    "RECORD_VERSION",
    "RELATIONS",
    "SECTIONS",
    "SUBJECT",
    "FileState",
    "JobRecord",
    "UsedFile",
    "activity_id",
    "build_record",
    "lineage_document",
    "mark_subject",
    "decode_json_literal",
    "entity_id",
    "json_literal",
    "job_document",
    "merge_documents",
    "strip_subject",
    "to_jsonable",
]

#: Namespaces of the identifiers and attributes.
PREFIXES: dict[str, str] = {
    "prov": "http://www.w3.org/ns/prov#",
    "srma": "urn:srma:",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
#: Version of the record layout, on the subject entity as ``srma:record_version``.
RECORD_VERSION = 1
#: The relation sections a record uses.
RELATIONS: tuple[str, ...] = ("used", "wasGeneratedBy", "wasDerivedFrom", "wasAssociatedWith")
#: Every section of a record but ``prefix``.
SECTIONS: tuple[str, ...] = ("entity", "activity", "agent", *RELATIONS)
#: Attribute marking the entity a record is about.
SUBJECT = "srma:subject"
#: PROV-JSON datatype of attributes whose value is JSON text (parameters, wildcards).
JSON_TYPE = "srma:json"

#: How the lineage of an input could be followed when the record was written.
#: ``source``: a file with no record outside results/ (a raw file, the config);
#: ``recorded``: its own record was read and merged in;
#: ``unrecorded``: under results/ but without a record (the rule that makes it
#: does not write provenance); ``damaged``: its record could not be read;
#: ``stale``: its record describes other content (the file changed after).
LINEAGE_STATES = ("source", "recorded", "unrecorded", "damaged", "stale")


@dataclass(frozen=True)
class FileState:
    """One file (or folder) as a step saw it.

    Attributes
    ----------
    path
        Path relative to the review folder, POSIX style (absolute if outside it).
    sha256
        Hex SHA-256 of the bytes (of the tree, for a folder); ``None`` if absent.
    size
        Bytes; ``None`` if absent.
    kind
        ``"file"``, ``"directory"`` or ``"missing"``.
    """

    path: str
    sha256: str | None
    size: int | None = None
    kind: str = "file"


@dataclass(frozen=True)
class UsedFile:
    """An input of a job: its role (input name), state and how far its lineage goes."""

    role: str | None
    file: FileState
    lineage: str = "source"


@dataclass(frozen=True)
class JobRecord:
    """Everything a provenance record says about one job (one rule with its wildcards).

    Attributes
    ----------
    rule
        The Snakemake rule.
    wildcards
        Wildcard values, JSON-ready.
    params
        The rule's ``params``, JSON-ready.
    inputs
        The job's input files.
    outputs
        ``(role, state)`` of each output file.
    code
        The script the job ran (its plan), if known.
    logs
        The job's log files (paths only: they are still being written).
    start, end
        ISO 8601 UTC times of the step's start and end.
    environment
        The software it ran with.
    """

    rule: str
    wildcards: Mapping[str, Any]
    params: Any
    inputs: tuple[UsedFile, ...]
    outputs: tuple[tuple[str | None, FileState], ...]
    code: FileState | None
    logs: tuple[str, ...]
    start: str
    end: str
    environment: Environment
    warnings: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- values


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: dicts, lists, strings, numbers, booleans, ``None``.

    Snakemake's named lists become dicts of their named items (with unnamed items
    under ``"_unnamed"``), or lists when nothing is named; sets become sorted
    lists; paths become strings; numpy scalars and arrays become numbers and
    lists; non-finite floats become their ``repr``; anything else its ``repr``.

    >>> to_jsonable({"b": (1, 2.5), "a": {3, 1}})
    {'b': [1, 2.5], 'a': [1, 3]}
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    names = getattr(value, "_names", None)
    if isinstance(value, list) and isinstance(names, Mapping):  # snakemake Namedlist
        return _namedlist_to_jsonable(value)
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if hasattr(value, "__fspath__"):
        return str(value.__fspath__()).replace("\\", "/")
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():  # numpy scalar
        return to_jsonable(item())
    tolist = getattr(value, "tolist", None)
    if callable(tolist):  # numpy array
        return to_jsonable(tolist())
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return to_jsonable(asdict(value))
    return repr(value)


def _namedlist_to_jsonable(value: list[Any]) -> Any:
    allitems = getattr(value, "_allitems", None)
    pairs = list(allitems()) if callable(allitems) else [(None, v) for v in value]
    named = {name: to_jsonable(v) for name, v in pairs if name is not None}
    unnamed = [to_jsonable(v) for name, v in pairs if name is None]
    if not named:
        return unnamed
    if unnamed:
        named["_unnamed"] = unnamed
    return named


def json_literal(value: Any) -> dict[str, str]:
    """A PROV-JSON typed literal holding ``value`` as canonical JSON text."""
    text = json.dumps(to_jsonable(value), sort_keys=True, ensure_ascii=False, allow_nan=False)
    return {"$": text, "type": JSON_TYPE}


def decode_json_literal(value: Any) -> Any:
    """The JSON data inside a literal made by :func:`json_literal` (other values unchanged)."""
    if isinstance(value, Mapping) and value.get("type") == JSON_TYPE and "$" in value:
        return json.loads(value["$"])
    return value


def _digest(value: Any, n: int = 16) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


# --------------------------------------------------------------------------- identifiers


def entity_id(state: FileState) -> str:
    """Identifier of one version of one file: its path and the start of its digest."""
    version = state.sha256[:16] if state.sha256 else "missing"
    return f"srma:file/{state.path}@{version}"


def activity_id(rule: str, wildcards: Mapping[str, Any], output_ids: Iterable[str]) -> str:
    """Identifier of one job, from its rule, wildcards and the versions it generated."""
    label = rule
    if wildcards:
        label += "/" + ",".join(f"{k}={wildcards[k]}" for k in sorted(wildcards))
    return f"srma:job/{label}@{_digest(sorted(output_ids), 12)}"


def environment_id(env: Environment) -> str:
    """Identifier of a software environment (Python and package versions)."""
    return f"srma:environment/{_digest([env.python, list(env.packages)], 12)}"


def _relation_id(kind: str, attrs: Mapping[str, Any]) -> str:
    return f"_:{kind}/{_digest(attrs)}"


# --------------------------------------------------------------------------- documents


def empty_document() -> dict[str, Any]:
    """A record with its prefixes and empty sections."""
    doc: dict[str, Any] = {"prefix": dict(PREFIXES)}
    for section in SECTIONS:
        doc[section] = {}
    return doc


def _file_entity(state: FileState, role: str | None = None) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "prov:label": state.path,
        "prov:type": {"$": "srma:File", "type": "prov:QUALIFIED_NAME"},
        "srma:path": state.path,
        "srma:kind": state.kind,
    }
    if state.sha256 is not None:
        attrs["srma:sha256"] = state.sha256
    if state.size is not None:
        attrs["srma:size"] = state.size
    return attrs


def _job_label(rule: str, wildcards: Mapping[str, Any]) -> str:
    if not wildcards:
        return rule
    return f"{rule} (" + ", ".join(f"{k}={wildcards[k]}" for k in sorted(wildcards)) + ")"


def job_document(job: JobRecord) -> dict[str, Any]:
    """The PROV-JSON document of one job alone (without its inputs' lineages).

    It holds the job's activity, the software agent, an entity for every input,
    output and the script, and the relations ``used`` (inputs),
    ``wasGeneratedBy`` (outputs), ``wasDerivedFrom`` (each output from each
    input) and ``wasAssociatedWith`` (agent, with the script as plan).
    """
    doc = empty_document()
    out_ids = [entity_id(state) for _, state in job.outputs]
    act = activity_id(job.rule, job.wildcards, out_ids)
    env = job.environment
    agent = environment_id(env)

    activity: dict[str, Any] = {
        "prov:label": _job_label(job.rule, job.wildcards),
        "prov:type": {"$": "srma:Job", "type": "prov:QUALIFIED_NAME"},
        "prov:startTime": job.start,
        "prov:endTime": job.end,
        "srma:rule": job.rule,
        "srma:wildcards": json_literal(dict(job.wildcards)),
        "srma:params": json_literal(job.params),
        "srma:srma_version": env.srma_version,
        "srma:log": json_literal(list(job.logs)),
    }
    if env.git_commit is not None:
        activity["srma:git_commit"] = env.git_commit
    if env.git_dirty is not None:
        activity["srma:git_dirty"] = env.git_dirty
    if job.warnings:
        activity["srma:warnings"] = json_literal(list(job.warnings))
    doc["activity"][act] = activity

    agent_attrs: dict[str, Any] = {
        "prov:label": f"srma {env.srma_version} on Python {env.python}",
        "prov:type": {"$": "prov:SoftwareAgent", "type": "prov:QUALIFIED_NAME"},
        "srma:python": env.python,
    }
    for name, ver in env.packages:
        agent_attrs[f"srma:package/{name}"] = ver if ver is not None else "not installed"
    doc["agent"][agent] = agent_attrs

    def add(kind: str, attrs: dict[str, Any]) -> None:
        doc[kind][_relation_id(kind, attrs)] = attrs

    for role, state in job.outputs:
        eid = entity_id(state)
        doc["entity"][eid] = _file_entity(state)
        rel: dict[str, Any] = {"prov:entity": eid, "prov:activity": act}
        if role:
            rel["srma:role"] = role
        add("wasGeneratedBy", rel)

    for used in job.inputs:
        iid = entity_id(used.file)
        attrs = doc["entity"].setdefault(iid, _file_entity(used.file))
        if used.lineage not in ("source", "recorded"):
            attrs["srma:lineage"] = used.lineage
        rel = {"prov:activity": act, "prov:entity": iid}
        if used.role:
            rel["srma:role"] = used.role
        add("used", rel)
        for out in out_ids:
            add(
                "wasDerivedFrom",
                {"prov:generatedEntity": out, "prov:usedEntity": iid, "prov:activity": act},
            )

    assoc: dict[str, Any] = {"prov:activity": act, "prov:agent": agent}
    if job.code is not None:
        cid = entity_id(job.code)
        code_attrs = doc["entity"].setdefault(cid, _file_entity(job.code))
        code_attrs["srma:role"] = "code"
        assoc["prov:plan"] = cid
    add("wasAssociatedWith", assoc)
    return doc


def strip_subject(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``doc`` with the subject mark (and record version) removed."""
    out = copy.deepcopy(dict(doc))
    for attrs in out.get("entity", {}).values():
        if isinstance(attrs, dict):
            attrs.pop(SUBJECT, None)
            attrs.pop("srma:record_version", None)
    return out


def merge_documents(docs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The union of PROV-JSON documents.

    Records with the same identifier are combined attribute by attribute; where
    two documents disagree on an attribute, the first document wins (identifiers
    are content addresses, so this only happens for times of identical jobs run
    twice).
    """
    merged = empty_document()
    for doc in docs:
        for prefix, uri in doc.get("prefix", {}).items():
            merged["prefix"].setdefault(prefix, uri)
        for section in SECTIONS:
            for key, attrs in doc.get(section, {}).items():
                if key not in merged[section]:
                    merged[section][key] = copy.deepcopy(attrs)
                else:
                    for name, value in attrs.items():
                        merged[section][key].setdefault(name, copy.deepcopy(value))
    return merged


def build_record(
    job_doc: Mapping[str, Any],
    upstream: Sequence[Mapping[str, Any]],
    subject: str,
) -> dict[str, Any]:
    """The record of one output: its job, every upstream lineage, and the subject mark.

    Parameters
    ----------
    job_doc
        :func:`job_document` of the job that made the output.
    upstream
        The records of the job's inputs (as read from their ``.prov.json``).
    subject
        Entity identifier of the output the record is about.
    """
    return mark_subject(lineage_document(job_doc, upstream), subject)


def lineage_document(
    job_doc: Mapping[str, Any], upstream: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """A job and every upstream lineage, merged, with no subject marked yet.

    The outputs of one job share it: :func:`mark_subject` makes each one's record from it
    (a job writing many files merges the lineage once, not once per file).
    """
    return merge_documents([job_doc, *(strip_subject(u) for u in upstream)])


def mark_subject(lineage: Mapping[str, Any], subject: str) -> dict[str, Any]:
    """The record of ``subject`` from a :func:`lineage_document` (which is left unchanged)."""
    if subject not in lineage["entity"]:
        raise KeyError(f"{subject} is not an entity of the job")
    entities = dict(lineage["entity"])
    entities[subject] = {
        **entities[subject],
        SUBJECT: True,
        "srma:record_version": RECORD_VERSION,
    }
    return {**lineage, "entity": entities}
