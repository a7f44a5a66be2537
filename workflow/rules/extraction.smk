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
# Screening's included studies, when the extraction is checked against them.
INCLUDED_STUDIES = (
    [config["extraction"]["included_studies"]]
    if config["extraction"]["check_included"]
    else []
)
# Every outcome's effect table (for `rule all`).
EXTRACTION_TARGETS = expand(
    "results/extraction/{outcome}.effects.parquet", outcome=sorted(OUTCOMES)
)


checkpoint extract_outcome:
    input:
        studies=config["extraction"]["studies"],
        outcome_data=config["extraction"]["outcome_data"],
        included=INCLUDED_STUDIES,
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
