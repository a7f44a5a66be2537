"""Reading and writing ``<output>.prov.json`` records, and writing them for a job.

:func:`write_job_provenance` takes any object shaped like Snakemake's
``snakemake`` object in a script (``.input``, ``.output``, ``.params``,
``.wildcards``, ``.rule``, ``.log``; duck-typed, snakemake is never imported)
and writes one record beside each output file, holding the job and, read from
the inputs' own records, the whole lineage back to the raw files.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from srma.errors import SrmaError
from srma.provenance.environment import Environment, capture_environment
from srma.provenance.hashing import HashCache
from srma.provenance.prov import (
    RELATIONS,
    SUBJECT,
    FileState,
    JobRecord,
    UsedFile,
    entity_id,
    job_document,
    lineage_document,
    mark_subject,
    to_jsonable,
)

__all__ = [
    "PROV_SUFFIX",
    "RESULTS_DIR",
    "RecordError",
    "dump_record",
    "load_record",
    "record_path",
    "subject_of",
    "utc_now",
    "write_job_provenance",
    "write_record",
]

#: Suffix of a provenance record, appended to the output's file name.
PROV_SUFFIX = ".prov.json"
#: Folder (relative to the review) whose files are made by the workflow.
RESULTS_DIR = "results"
#: Keys a record must have.
REQUIRED_SECTIONS = ("prefix", "entity", "activity", "wasGeneratedBy", "used")
#: Relation attributes that name another record of the document.
_REFERENCES = (
    "prov:entity",
    "prov:activity",
    "prov:agent",
    "prov:plan",
    "prov:generatedEntity",
    "prov:usedEntity",
)
#: Name of a script Snakemake copied to .snakemake/scripts (tempfile prefix + 8 characters).
_SNAKEMAKE_SCRIPT_COPY = re.compile(r"^tmp[a-z0-9_]{8}\.(?P<name>.+)$")


class RecordError(SrmaError):
    """A provenance record is missing, unreadable or incomplete."""

    exit_code = 2

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


def utc_now() -> str:
    """The current time, ISO 8601 in UTC with milliseconds (``2025-01-31T12:00:00.123+00:00``)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def record_path(output: str | os.PathLike[str]) -> Path:
    """Where the record of ``output`` lies: ``<output>.prov.json``."""
    return Path(os.fspath(output) + PROV_SUFFIX)


def relative_path(path: str | os.PathLike[str], root: Path) -> str:
    """``path`` relative to ``root``, POSIX style, or absolute if it lies outside ``root``."""
    p = Path(path)
    full = Path(os.path.normpath(p if p.is_absolute() else root / p))
    try:
        return full.relative_to(root).as_posix()
    except ValueError:
        return full.as_posix()


def resolve(path: str, root: Path) -> Path:
    """The file a record's ``path`` names, for a review in ``root``."""
    p = Path(path)
    return p if p.is_absolute() else root / p


# --------------------------------------------------------------------------- reading


def load_record(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check one record.

    Raises
    ------
    RecordError
        When the file is absent, is not JSON, lacks a section, or does not name
        exactly one subject entity with a path.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordError(p, "no provenance record") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(p, f"cannot read the record ({exc})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(p, f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    check_record(doc, p)
    return doc


def check_record(doc: Any, path: str | os.PathLike[str]) -> None:
    """Raise :class:`RecordError` unless ``doc`` has the shape of an srma record."""
    if not isinstance(doc, dict):
        raise RecordError(path, "not a PROV-JSON object")
    missing = [k for k in REQUIRED_SECTIONS if not isinstance(doc.get(k), dict)]
    if missing:
        raise RecordError(path, f"missing section(s) {', '.join(missing)}")
    entities = doc["entity"]
    for eid, attrs in entities.items():
        if not isinstance(attrs, dict) or not isinstance(attrs.get("srma:path"), str):
            raise RecordError(path, f"entity {eid} has no srma:path")
        sha = attrs.get("srma:sha256")
        if sha is not None and not (isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha)):
            raise RecordError(path, f"entity {eid} has a malformed srma:sha256")
    for aid, attrs in doc["activity"].items():
        if not isinstance(attrs, dict) or not isinstance(attrs.get("srma:rule"), str):
            raise RecordError(path, f"activity {aid} has no srma:rule")
    subjects = [eid for eid, attrs in entities.items() if attrs.get(SUBJECT) is True]
    if len(subjects) != 1:
        raise RecordError(path, f"{len(subjects)} subject entities (need exactly 1)")
    known = set(entities) | set(doc["activity"]) | set(doc.get("agent", {}))
    for section in RELATIONS:
        for rid, attrs in doc.get(section, {}).items():
            if not isinstance(attrs, dict):
                raise RecordError(path, f"{section} {rid} is not an object")
            for key in _REFERENCES:
                value = attrs.get(key)
                if value is not None and value not in known:
                    raise RecordError(path, f"{section} {rid} names unknown {value}")
    generated = {a.get("prov:entity") for a in doc["wasGeneratedBy"].values()}
    if subjects[0] not in generated:
        raise RecordError(path, f"nothing generated the subject {subjects[0]}")


def subject_of(doc: Mapping[str, Any]) -> str:
    """Identifier of the entity a (checked) record is about."""
    return next(eid for eid, a in doc["entity"].items() if a.get(SUBJECT) is True)


# --------------------------------------------------------------------------- writing


def dump_record(doc: Mapping[str, Any]) -> str:
    """The JSON text of a record: sorted keys, two-space indents, a final newline."""
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_record(path: str | os.PathLike[str], doc: Mapping[str, Any]) -> Path:
    """Write ``doc`` to ``path`` atomically (a temporary file renamed over it)."""
    from srma.io.atomic import atomic_write_bytes

    target = Path(path)
    atomic_write_bytes(target, dump_record(doc).encode("utf-8"))
    return target


# --------------------------------------------------------------------------- jobs


def _pairs(files: Any) -> list[tuple[str | None, str]]:
    """``(name, path)`` for every file of a Snakemake ``input``/``output`` or a plain value."""
    if files is None:
        return []
    if isinstance(files, str | os.PathLike):
        return [(None, os.fspath(files))]
    if isinstance(files, Mapping):
        pairs: list[tuple[str | None, str]] = []
        for name, value in files.items():
            pairs += [(str(name), p) for _, p in _pairs(value)]
        return pairs
    allitems = getattr(files, "_allitems", None)
    if callable(allitems):  # snakemake Namedlist
        pairs = []
        for name, value in allitems():
            pairs += [(name, p) for _, p in _pairs(value)]
        return pairs
    pairs = []
    for value in files:
        pairs += _pairs(value)
    return pairs


#: The empty file Snakemake leaves in a directory() output when its job has finished.
_MARKER = ".snakemake_timestamp"


def _files_of(pairs: Iterable[tuple[str | None, str]], root: Path) -> list[tuple[str | None, str]]:
    """Each output folder (Snakemake ``directory()``) replaced by the files in it, so that every
    file a job writes gets its own record; records themselves are not outputs, nor is the
    empty marker Snakemake adds to a finished folder output."""
    files: list[tuple[str | None, str]] = []
    for role, path in pairs:
        folder = resolve(relative_path(path, root), root)
        if not folder.is_dir():
            files.append((role, path))
            continue
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not file.name.endswith(PROV_SUFFIX) and file.name != _MARKER:
                files.append((role, os.path.join(path, file.relative_to(folder).as_posix())))
    return files


def _unique(pairs: Iterable[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    seen: dict[str, str | None] = {}
    for name, path in pairs:
        if path not in seen or (seen[path] is None and name is not None):
            seen[path] = name
    return [(name, path) for path, name in seen.items()]


def _state(path: str, root: Path, cache: HashCache) -> FileState:
    rel = relative_path(path, root)
    found = cache.lookup(resolve(rel, root))
    if found is None:
        return FileState(rel, None, None, "missing")
    sha, kind, size = found
    return FileState(rel, sha, size, kind)


def _in_results(rel: str) -> bool:
    return not Path(rel).is_absolute() and Path(rel).parts[:1] == (RESULTS_DIR,)


def _upstream(
    role: str | None, state: FileState, root: Path
) -> tuple[UsedFile, dict[str, Any] | None, str | None]:
    """How far the lineage of one input goes, and its record if it can be merged."""
    prov = record_path(resolve(state.path, root))
    if not prov.exists():
        lineage = "unrecorded" if _in_results(state.path) else "source"
        warning = (
            f"{state.path} has no provenance record: its lineage stops here"
            if lineage == "unrecorded"
            else None
        )
        return UsedFile(role, state, lineage), None, warning
    try:
        doc = load_record(prov)
    except RecordError as exc:
        return UsedFile(role, state, "damaged"), None, f"{exc}: its lineage stops here"
    if subject_of(doc) != entity_id(state):
        return (
            UsedFile(role, state, "stale"),
            None,
            f"{state.path} changed after its provenance record was written",
        )
    return UsedFile(role, state, "recorded"), doc, None


def _wildcards(job: Any) -> dict[str, Any]:
    value = to_jsonable(getattr(job, "wildcards", None) or {})
    if isinstance(value, list):  # unnamed wildcards cannot exist; keep them anyway
        return {f"_{i}": v for i, v in enumerate(value)}
    return value


def find_script(job: Any, main_file: str | None = None) -> Path | None:
    """The script a Snakemake job runs, or ``None`` when it cannot be told.

    Snakemake runs a copy of the script, ``.snakemake/scripts/tmpXXXXXXXX.<name>``,
    and passes the script's folder as ``job.scriptdir``: the script is
    ``<scriptdir>/<name>``, else ``<scriptdir>/<rule>.py``.  Outside Snakemake it is
    ``__main__``'s file itself when that is a ``.py`` file.
    """
    if main_file is None:
        main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    scriptdir = getattr(job, "scriptdir", None)
    if scriptdir and str(scriptdir).startswith(("http://", "https://")):
        scriptdir = None  # a remote script: nothing to hash here
    match = _SNAKEMAKE_SCRIPT_COPY.match(Path(main_file).name) if main_file else None
    if match and scriptdir and (Path(scriptdir) / match["name"]).is_file():
        return Path(scriptdir) / match["name"]
    rule = getattr(job, "rule", None)
    if scriptdir and rule and (Path(scriptdir) / f"{rule}.py").is_file():
        return Path(scriptdir) / f"{rule}.py"
    if main_file and not match and main_file.endswith(".py") and Path(main_file).is_file():
        return Path(main_file)
    return None


@dataclass(frozen=True)
class WrittenRecords:
    """What :func:`write_job_provenance` wrote."""

    paths: tuple[Path, ...]
    warnings: tuple[str, ...]


def job_record(
    job: Any,
    start: str,
    end: str,
    *,
    root: Path,
    cache: HashCache,
    script: str | os.PathLike[str] | None = None,
    environment: Environment | None = None,
) -> tuple[JobRecord, list[dict[str, Any]]]:
    """The :class:`JobRecord` of a duck-typed job, and the records of its inputs."""
    inputs = _unique(_pairs(getattr(job, "input", None)))
    outputs = _unique(_files_of(_pairs(getattr(job, "output", None)), root))
    used: list[UsedFile] = []
    upstream: list[dict[str, Any]] = []
    warnings: list[str] = []
    for role, path in sorted(inputs, key=lambda p: relative_path(p[1], root)):
        state = _state(path, root, cache)
        item, doc, warning = _upstream(role, state, root)
        used.append(item)
        if doc is not None:
            upstream.append(doc)
        if warning:
            warnings.append(warning)
    out_states = tuple(
        (role, _state(path, root, cache))
        for role, path in sorted(outputs, key=lambda p: relative_path(p[1], root))
    )
    code = None
    if script is not None:
        code = _state(os.fspath(script), root, cache)
    logs = tuple(sorted(relative_path(p, root) for _, p in _pairs(getattr(job, "log", None))))
    record = JobRecord(
        rule=str(getattr(job, "rule", None) or "unknown"),
        wildcards=_wildcards(job),
        params=to_jsonable(getattr(job, "params", None)),
        inputs=tuple(used),
        outputs=out_states,
        code=code,
        logs=logs,
        start=start,
        end=end,
        environment=environment or capture_environment(root),
        warnings=tuple(warnings),
    )
    return record, upstream


def write_job_provenance(
    job: Any,
    start: str,
    end: str | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    script: str | os.PathLike[str] | None = None,
    environment: Environment | None = None,
) -> WrittenRecords:
    """Write ``<output>.prov.json`` beside every output file of ``job``.

    Parameters
    ----------
    job
        Shaped like Snakemake's ``snakemake`` object: ``.input``, ``.output``,
        ``.params``, ``.wildcards``, ``.rule``, ``.log`` (named lists, dicts,
        lists or single paths).
    start, end
        ISO 8601 times of the step (``end`` defaults to now).
    root
        The review folder that relative paths start from (default: the working
        directory, as for Snakemake jobs).
    script
        The script the job ran (default: found with :func:`find_script`).
    environment
        Override the captured software environment (tests).

    Returns
    -------
    WrittenRecords
        The records written, and warnings about inputs whose lineage stops
        short (no record, damaged record, changed since their record).
    """
    base = Path(root) if root is not None else Path.cwd()
    base = Path(os.path.normpath(base.absolute()))
    if script is None:
        script = find_script(job)
    cache = HashCache()
    record, upstream = job_record(
        job,
        start,
        end or utc_now(),
        root=base,
        cache=cache,
        script=script,
        environment=environment,
    )
    lineage = lineage_document(job_document(record), upstream)
    written = []
    for _, state in record.outputs:
        if state.sha256 is None:  # the step did not make it: Snakemake will say so
            continue
        full = mark_subject(lineage, entity_id(state))
        written.append(write_record(record_path(resolve(state.path, base)), full))
    return WrittenRecords(tuple(written), record.warnings)
