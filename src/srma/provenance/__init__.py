"""Provenance: every output under results/ auditable back to the raw exports.

* :func:`write_job_provenance` writes ``<output>.prov.json`` (W3C PROV-JSON)
  beside each output of a Snakemake job, with the whole lineage of its inputs;
  :func:`srma.scripting.step` calls it when given ``job=snakemake``.
* :func:`audit` re-hashes every file of the lineages and says which outputs
  are stale (``srma audit``).
* :mod:`srma.provenance.crate` exports a run as an RO-Crate (``srma crate``).

See docs/provenance.md for the record format.
"""

from srma.provenance.audit import AuditReport, audit, find_records, render_text, report_to_json
from srma.provenance.environment import PACKAGES, Environment, capture_environment
from srma.provenance.hashing import HashCache, sha256_file
from srma.provenance.prov import FileState, JobRecord, UsedFile, job_document, to_jsonable
from srma.provenance.records import (
    PROV_SUFFIX,
    RecordError,
    WrittenRecords,
    load_record,
    record_path,
    write_job_provenance,
)

__all__ = [
    "PACKAGES",
    "PROV_SUFFIX",
    "AuditReport",
    "Environment",
    "FileState",
    "HashCache",
    "JobRecord",
    "RecordError",
    "UsedFile",
    "WrittenRecords",
    "audit",
    "capture_environment",
    "find_records",
    "job_document",
    "load_record",
    "record_path",
    "render_text",
    "report_to_json",
    "sha256_file",
    "to_jsonable",
    "write_job_provenance",
]
