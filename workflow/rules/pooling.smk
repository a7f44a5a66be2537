# Pooling: one job per analysis (outcome x timepoint x population found in the outcome's
# effect table), then one summary of every analysis and variant.


rule pool_analysis:
    input:
        effects=effects_of_outcome,
    output:
        pooled="results/pooled/{outcome}.{timepoint}.{population}.pooled.json",
    params:
        settings=analysis_settings,
        measure=lambda wc: OUTCOMES[wc.outcome].get("measure", "SMD"),
    log:
        "results/logs/pool_analysis/{outcome}.{timepoint}.{population}.log",
    conda:
        ENV
    script:
        "../../scripts/pool_analysis.py"


rule summarise_pooled:
    input:
        pooled=all_pooled,
    output:
        summary=report(
            "results/pooled/summary.csv",
            caption="../report/pooled_summary.rst",
            category=REPORT_ALL_ANALYSES,
            labels={"Table": "Pooled results of every analysis (CSV)"},
        ),
    log:
        "results/logs/summarise_pooled/summarise_pooled.log",
    conda:
        ENV
    script:
        "../../scripts/summarise_pooled.py"
