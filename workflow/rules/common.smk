# Shared set-up: validate the config, input functions, wildcard constraints.
import functools
import os
from pathlib import Path

from snakemake.exceptions import IncompleteCheckpointException

from srma.config import load_schema, validate_config
from srma.errors import InputError

_SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
if not _SCHEMA.exists():  # the rules are included from another Snakefile
    _SCHEMA = Path(workflow.current_basedir) / ".." / "schemas" / "config.schema.yaml"
CONFIG_FILE = "config/config.yaml"


def _load_config():
    """config/config.yaml through srma's safe reader (no Python tags, no yte templates), with
    what the command line gave (`--config`, `--configfile`) on top, then validated and filled
    with defaults.  Problems name the line of their key."""
    from snakemake.utils import update_config

    from srma.config import read_yaml, yaml_key_lines

    overrides = dict(config)
    settings = read_yaml(CONFIG_FILE)
    if not isinstance(settings, dict):
        validate_config(settings, file=CONFIG_FILE)  # says it must be a mapping
    update_config(settings, overrides)
    config.clear()
    config.update(settings)
    lines = yaml_key_lines(Path(CONFIG_FILE).read_text(encoding="utf-8"))
    validate_config(
        config, review_dir=Path.cwd(), file=CONFIG_FILE, schema=load_schema(_SCHEMA), lines=lines
    )


try:
    _load_config()
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


@functools.cache
def _review_progress():
    """srma.review.progress for this run: the input tables do not change while Snakemake runs,
    and `rule all` asks again after every checkpoint."""
    from srma.review.progress import review_progress

    return review_progress(config)


def all_targets(wildcards=None):
    """Every result the inputs allow so far: a stage whose input tables are still empty
    templates is left out (srma.review.progress), so a new review runs up to its
    screening sheets and stops cleanly.

    A stage's results are asked for once the checkpoints before it are done: until then this
    waits on the first one not done, as raising would, but keeps what it has already asked
    for, so that Snakemake runs every import (or every extraction) side by side rather than
    one after the other. Asking before would make jobs that Snakemake never looks at again
    after the checkpoints ("incremental rebuilds" below).
    """
    ready = _review_progress()
    targets = expand("results/records/{source}.parquet", source=sorted(SOURCES))
    if ready.risk_of_bias:
        targets.append("results/figures/risk_of_bias/traffic_light.svg")
    try:
        deduplicated("works")()
        targets += [
            "results/dedup/works.parquet",
            "results/dedup/duplicates.csv",
            "results/dedup/uncertain_pairs.csv",
            "results/dedup/counts.csv",
            "results/screening/sheets/title_abstract.csv",
        ]
        if ready.screening:
            screened("decisions")()
            targets += [
                "results/screening/decisions.csv",
                "results/prisma/counts.csv",
                "results/figures/prisma/prisma.svg",
            ]
        if ready.extraction:
            _found(("split_outcome_data",), _split_outcome_data)
            targets += ["results/pooled/summary.csv"] + EXTRACTION_TARGETS
            targets += figure_targets()
    except IncompleteCheckpointException as waiting:
        missing = waiting.targetfile
        targets += missing if isinstance(missing, list) else [missing]
    return targets


wildcard_constraints:
    source="[a-z0-9_]+",


# --- incremental rebuilds: a job runs only when the content of its inputs changed
#
# import_source, deduplicate_records, screen_records, split_outcome_data and extract_outcome are
# checkpoints. When a checkpoint has run, Snakemake looks again at the jobs that depend on it
# directly, and one whose inputs were rewritten with the same bytes (same checksum) does not
# run. Two facts of Snakemake 9 shape the functions below:
#  - jobs further down keep the verdict of the first look ("input updated by another job") and
#    run anyway, so every rule below a checkpoint takes its inputs through these functions
#    (`.get()`), never as a literal path;
#  - a job waiting on a checkpoint that turns out to have nothing to do is never looked at
#    again, so each function first asks for every checkpoint upstream, in order: a job then
#    always waits on the first checkpoint of its lineage that really runs.
# tests/workflow/test_incremental.py checks the promises this makes.

# Checkpoint outputs found so far. Snakemake never forgets a checkpoint output it has made
# known within a run, so what `.get()` found once (with everything upstream) stands; this spares
# thousands of `.get()` calls in large reviews, as Snakemake asks again after each checkpoint.
_FOUND = {}


def _found(key, find):
    """`find()` (which raises until the checkpoints it asks for are done), remembered."""
    if key not in _FOUND:
        _FOUND[key] = find()
    return _FOUND[key]


def imported(what):
    """Input function: output `what` (records, rejected) of import_source, for every source."""

    def _find():
        return [
            checkpoints.import_source.get(source=source).output[what]
            for source in sorted(SOURCES)
        ]

    def _input(wildcards=None):
        return list(_found(("import_source", what), _find))

    return _input


def deduplicated(what):
    """Input function: output `what` (works, counts, ...) of deduplicate_records."""

    def _find():
        imported("records")()
        return checkpoints.deduplicate_records.get().output[what]

    def _input(wildcards=None):
        return _found(("deduplicate_records", what), _find)

    return _input


def screened(what):
    """Input function: output `what` (decisions, studies, ...) of screen_records."""

    def _find():
        deduplicated("works")()
        return checkpoints.screen_records.get().output[what]

    def _input(wildcards=None):
        return _found(("screen_records", what), _find)

    return _input


def after(path, *upstream):
    """Input function: `path`, made by a plain rule, asked for only once the checkpoint outputs
    that the input functions `upstream` need are known (so that a job reading it is looked at
    again after those checkpoints, like the job that makes it)."""

    def _input(wildcards=None):
        for function in upstream:
            function(wildcards)
        return path

    return _input


def included_studies(wildcards=None):
    """Screening's included studies, when the extraction is checked against them."""
    if not config["extraction"]["check_included"]:
        return []
    path = config["extraction"]["included_studies"]
    if os.path.normpath(path) == os.path.normpath(rules.screen_records.output.studies):
        return [screened("studies")(wildcards)]
    return [path]


def _split_outcome_data():
    included_studies()
    return checkpoints.split_outcome_data.get().output.outcome_data


def outcome_data_file(outcome):
    """One outcome's rows of the outcome data, as split_outcome_data wrote them."""
    _found(("split_outcome_data",), _split_outcome_data)
    return f"results/extraction/{outcome}.outcome_data.csv"


def outcome_data_of_outcome(wildcards):
    return outcome_data_file(wildcards.outcome)


def effects_table(outcome):
    """One outcome's effect table (extract_outcome), once it and everything upstream exist."""

    def _find():
        outcome_data_file(outcome)
        return checkpoints.extract_outcome.get(outcome=outcome).output.effects

    return _found(("extract_outcome", outcome), _find)


# --- analyses: known once each outcome's effect table exists (extract_outcome is a checkpoint)


def _read_effects(path):
    """An effect table, read once per version of the file (Snakemake evaluates the functions
    that read it again after every checkpoint)."""
    stat = os.stat(path)
    return _read_effects_version(path, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _read_effects_version(path, mtime_ns, size):
    import pandas as pd

    return pd.read_parquet(path)


def effects_of_outcome(wildcards):
    return effects_table(wildcards.outcome)


def analyses_of_outcome(outcome):
    """(timepoint, population) pairs with data for one outcome, read from its effect table."""
    table = _read_effects(effects_table(outcome))
    return sorted(set(zip(table["timepoint"], table["population"])))


def all_analyses():
    """Every (outcome, timepoint, population) with data.

    Until every outcome's effect table is known, this raises for all the missing ones at
    once (the targets of the checkpoints still to be looked at), not for the first only:
    Snakemake then resolves them in one update of the DAG instead of one per outcome, which
    in a review of many outcomes is most of the time a no-op run takes
    (docs/benchmarks/workflow.md)."""
    found, waiting = [], []
    for outcome in sorted(OUTCOMES):
        try:
            found += [(outcome, tp, pop) for tp, pop in analyses_of_outcome(outcome)]
        except IncompleteCheckpointException as missing:
            waiting.append(missing)
    if waiting:
        raise IncompleteCheckpointException(
            waiting[0].rule, [w.targetfile for w in waiting]
        )
    return found


def all_pooled(wildcards=None):
    return [f"results/pooled/{o}.{t}.{p}.pooled.json" for o, t, p in all_analyses()]


def analysis_settings(wildcards):
    """The plan for one analysis, as a plain dict (only this analysis's overrides matter)."""
    from srma.analysis import AnalysisSettings
    from dataclasses import asdict

    settings = AnalysisSettings.from_config(
        config["analysis"], wildcards.outcome, wildcards.timepoint, wildcards.population
    )
    return {**asdict(settings), "subgroup_by": list(settings.subgroup_by)}


def figure_targets(wildcards=None):
    """The figure folder of every outcome with at least one analysis (rule
    plot_outcome_figures draws each analysis's forest plot, and its leave-one-out, funnel and
    subgroup forest plots where pooling computed them: srma.figures.outcome)."""
    outcomes = sorted({o for o, _, _ in all_analyses()})
    return [f"results/figures/outcomes/{o}" for o in outcomes]


def pooled_of_outcome(wildcards):
    """The pooled results of every analysis of one outcome."""
    return [
        f"results/pooled/{wildcards.outcome}.{t}.{p}.pooled.json"
        for t, p in analyses_of_outcome(wildcards.outcome)
    ]


def figure_options(*keys):
    """The figure options that one figure rule uses (its params; the others do not rerun it)."""
    return {key: config["figures"][key] for key in keys}


def risk_of_bias_for_forest(wildcards=None):
    """The checked risk-of-bias table, an input of forest plots only when they show its dots."""
    if not config["figures"]["risk_of_bias_dots"]:
        return []
    return rules.check_risk_of_bias.output.rob


def analysis_title(outcome, timepoint, population):
    """"Personal recovery, post-test, complete cases": the title of one analysis's figures."""
    label = OUTCOMES[outcome]["label"]
    tps = {x["id"]: x["label"] for x in config["extraction"]["timepoints"]}
    pops = {x["id"]: x["label"] for x in config["extraction"]["populations"]}
    return (
        f"{label}, {tps.get(timepoint, timepoint).lower()}, "
        f"{pops.get(population, population).lower()}"
    )


def analysis_titles(wildcards):
    """Figure titles of every analysis of one outcome, by "{timepoint}.{population}"."""
    return {
        f"{t}.{p}": analysis_title(wildcards.outcome, t, p)
        for t, p in analyses_of_outcome(wildcards.outcome)
    }


wildcard_constraints:
    outcome="[a-z0-9_]+",
    timepoint="[a-z0-9_]+",
    population="[a-z0-9_]+",
    column="[a-z0-9_]+",
