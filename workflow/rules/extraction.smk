# Data extraction: one effect table per outcome, from the checked extraction tables.
# Outcomes and instruments are declared under `outcomes:` in the config, the tables and
# the conversion settings under `extraction:`.

# One outcome's config entry goes to its job as params, so editing another outcome's
# entry does not rerun it.
OUTCOMES = {entry["id"]: entry for entry in config["outcomes"]}
# The extraction decisions (allowed values, conversions); the files are inputs.
EXTRACTION_SETTINGS = {
    key: value
    for key, value in config["extraction"].items()
    if key
    not in ("studies", "outcome_data", "risk_of_bias", "included_studies", "check_included")
}
# Every outcome's effect table (for `rule all`).
EXTRACTION_TARGETS = expand(
    "results/extraction/{outcome}.effects.parquet", outcome=sorted(OUTCOMES)
)


# The outcome data table, checked whole (every outcome; against screening's included studies),
# split into one file per outcome: an edit to one outcome's rows leaves the other outcomes'
# files with the same bytes, so their jobs do not run (see common.smk). A small job: it runs
# on the submitting machine.
localrules:
    split_outcome_data,


checkpoint split_outcome_data:
    input:
        studies=config["extraction"]["studies"],
        outcome_data=config["extraction"]["outcome_data"],
        included=included_studies,
    output:
        outcome_data=expand(
            "results/extraction/{outcome}.outcome_data.csv", outcome=sorted(OUTCOMES)
        ),
    params:
        outcomes=[OUTCOMES[outcome] for outcome in sorted(OUTCOMES)],
        settings=EXTRACTION_SETTINGS,
    log:
        "results/logs/split_outcome_data/split_outcome_data.log",
    conda:
        ENV
    script:
        "../../scripts/split_outcome_data.py"


checkpoint extract_outcome:
    input:
        studies=config["extraction"]["studies"],
        outcome_data=outcome_data_of_outcome,
    output:
        effects="results/extraction/{outcome}.effects.parquet",
    params:
        outcome=lambda wildcards: OUTCOMES[wildcards.outcome],
        settings=EXTRACTION_SETTINGS,
    log:
        "results/logs/extract_outcome/{outcome}.log",
    wildcard_constraints:
        outcome="[a-z0-9_]+",
    conda:
        ENV
    script:
        "../../scripts/extract_outcome.py"


# The risk-of-bias table, checked once: each forest plot that shows risk-of-bias dots reads
# the checked table instead of checking the CSV again (which costs every plot job the
# validation library's start-up).
rule check_risk_of_bias:
    input:
        rob=config["extraction"]["risk_of_bias"],
    output:
        rob="results/extraction/risk_of_bias.parquet",
    log:
        "results/logs/check_risk_of_bias/check_risk_of_bias.log",
    conda:
        ENV
    script:
        "../../scripts/check_risk_of_bias.py"
