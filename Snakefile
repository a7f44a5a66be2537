# srma: from raw database exports to meta-analysis results.
# Run in a review folder: `snakemake --cores 4`.  Everything lives in workflow/rules/.

# The configuration (config/config.yaml) is read by common.smk with srma's safe YAML reader,
# not with `configfile:`: Snakemake's loader runs `?...` expressions as Python once a file sets
# `__use_yte__: true`, and a review's config is data, never code.  `--config` still overrides.

include: "workflow/rules/common.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/import.smk"
include: "workflow/rules/dedup.smk"
include: "workflow/rules/screening.smk"
include: "workflow/rules/extraction.smk"
include: "workflow/rules/pooling.smk"
include: "workflow/rules/figures.smk"


rule all:
    input:
        all_targets,
    default_target: True
