# Shared set-up: validate the config, input functions, wildcard constraints.
from pathlib import Path

from srma.config import load_schema, validate_config
from srma.errors import InputError

_SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
if not _SCHEMA.exists():  # the rules are included from another Snakefile
    _SCHEMA = Path(workflow.current_basedir) / ".." / "schemas" / "config.schema.yaml"
try:
    validate_config(config, review_dir=Path.cwd(), schema=load_schema(_SCHEMA))
except InputError as _err:
    raise WorkflowError(f"srma: invalid configuration.\n{_err}") from None

SOURCES = {src["id"]: src for src in config["sources"]}
SCRIPTS = Path(workflow.basedir) / "scripts"
ENV = "../../environment.yml"


def source_settings(wildcards):
    """The config entry of one source, as params (Snakemake reruns when it changes)."""
    return SOURCES[wildcards.source]


def source_file(wildcards):
    return SOURCES[wildcards.source]["path"]


def stream_of_sources():
    return {sid: src["stream"] for sid, src in SOURCES.items()}


def dedup_decisions_file(wildcards=None):
    """The human decisions on uncertain pairs, if the file exists yet."""
    return optional_file(config["dedup"]["decisions"])(wildcards)


def optional_file(path):
    """An input that may not exist yet: [] until the user creates it."""

    def _input(wildcards=None):
        return [path] if Path(path).exists() else []

    return _input


def screening_logs(wildcards=None):
    return [p for p in config["screening"]["logs"] if Path(p).exists()]


def screening_rules():
    s = config["screening"]
    return {
        "reviewers": dict(s["reviewers"]),
        "maybe_counts_as_include": s["maybe_counts_as_include"],
        "allow_pending": s["allow_pending"],
        "not_retrieved_reasons": list(s["not_retrieved_reasons"]),
    }


def all_targets():
    targets = expand("results/records/{source}.parquet", source=sorted(SOURCES))
    targets += [
        "results/dedup/works.parquet",
        "results/dedup/duplicates.csv",
        "results/dedup/uncertain_pairs.csv",
        "results/dedup/counts.csv",
        "results/screening/sheets/title_abstract.csv",
        "results/screening/decisions.csv",
        "results/prisma/counts.csv",
        "results/figures/prisma/prisma.svg",
    ]
    return targets


wildcard_constraints:
    source="[a-z0-9_]+",
