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


def all_targets(wildcards=None):
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
        "results/pooled/summary.csv",
        "results/figures/risk_of_bias/traffic_light.svg",
    ]
    targets += figure_targets()
    return targets


wildcard_constraints:
    source="[a-z0-9_]+",


# --- analyses: known once each outcome's effect table exists (extract_outcome is a checkpoint)


def effects_of_outcome(wildcards):
    return checkpoints.extract_outcome.get(outcome=wildcards.outcome).output.effects


def analyses_of_outcome(outcome):
    """(timepoint, population) pairs with data for one outcome, read from its effect table."""
    import pandas as pd

    path = checkpoints.extract_outcome.get(outcome=outcome).output.effects
    table = pd.read_parquet(path, columns=["timepoint", "population"])
    return sorted(set(zip(table["timepoint"], table["population"])))


def all_analyses():
    return [
        (outcome, tp, pop)
        for outcome in sorted(OUTCOMES)
        for tp, pop in analyses_of_outcome(outcome)
    ]


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


def usable_studies(outcome, timepoint, population):
    """Studies with usable data in one analysis, and their subgroup values."""
    import pandas as pd

    path = checkpoints.extract_outcome.get(outcome=outcome).output.effects
    table = pd.read_parquet(path)
    rows = table[
        (table["timepoint"] == timepoint)
        & (table["population"] == population)
        & table["usable"]
    ]
    return rows


def figure_targets(wildcards=None):
    """Every figure the analyses call for: a forest plot per analysis; leave-one-out and
    funnel plots where 3+ studies are pooled; a subgroup forest plot per subgroup column
    with 2+ levels."""
    from srma.analysis import AnalysisSettings

    targets = []
    for o, t, p in all_analyses():
        stem = f"{o}.{t}.{p}"
        targets.append(f"results/figures/forest/{stem}.svg")
        plan = AnalysisSettings.from_config(config["analysis"], o, t, p)
        rows = usable_studies(o, t, p)
        if not plan.pool or len(rows) < 2:
            continue
        if len(rows) >= 3 and plan.leave_one_out:
            targets.append(f"results/figures/leave_one_out/{stem}.svg")
        if len(rows) >= plan.min_studies_bias:
            targets.append(f"results/figures/funnel/{stem}.svg")
        for column in plan.subgroup_by:
            if column in rows.columns and rows[column].nunique() >= 2:
                targets.append(f"results/figures/subgroups/{stem}.{column}.svg")
    return targets


def analysis_title(wildcards):
    outcome = OUTCOMES[wildcards.outcome]["label"]
    tps = {x["id"]: x["label"] for x in config["extraction"]["timepoints"]}
    pops = {x["id"]: x["label"] for x in config["extraction"]["populations"]}
    return (
        f"{outcome}, {tps.get(wildcards.timepoint, wildcards.timepoint).lower()}, "
        f"{pops.get(wildcards.population, wildcards.population).lower()}"
    )


wildcard_constraints:
    outcome="[a-z0-9_]+",
    timepoint="[a-z0-9_]+",
    population="[a-z0-9_]+",
    column="[a-z0-9_]+",
