# Figures: one job per outcome draws the forest (and subgroup forest), leave-one-out and funnel
# plots of each of its analyses into results/figures/outcomes/{outcome}/ (srma.figures.outcome);
# risk of bias for the review. Each figure as SVG, PNG (300 dpi) and PDF.


rule plot_outcome_figures:
    input:
        pooled=pooled_of_outcome,
        rob=risk_of_bias_for_forest,
    output:
        figures=report(
            directory("results/figures/outcomes/{outcome}"),
            patterns=["{timepoint,[a-z0-9_]+}.{population,[a-z0-9_]+}.{figure}.svg"],
            caption="../report/outcome_figures.rst",
            category=report_outcome,
            subcategory=report_analysis,
            labels=report_figure_label,
        ),
    params:
        options=figure_options(
            "favours_intervention", "favours_control", "prediction_interval", "risk_of_bias_dots"
        ),
        titles=analysis_titles,
        subgroup_labels={c["id"]: c["label"] for c in config["extraction"]["comparator_types"]},
    # The figures are drawn side by side in processes forked after the imports (matplotlib is
    # imported once). Snakemake gives a job no more threads than --cores; set-threads in a
    # profile changes it. Two halve the wait after an edit to one outcome (docs/benchmarks).
    threads: 2
    # An outcome's figures start as soon as its analyses are pooled, ahead of other outcomes'
    # pooling, so the longest figure jobs do not all wait for the end of the run.
    priority: 1
    log:
        "results/logs/plot_outcome_figures/{outcome}.log",
    conda:
        ENV
    script:
        "../../scripts/plot_outcome_figures.py"


rule plot_risk_of_bias:
    input:
        rob=config["extraction"]["risk_of_bias"],
        studies=config["extraction"]["studies"],
    output:
        traffic_svg=report(
            "results/figures/risk_of_bias/traffic_light.svg",
            caption="../report/risk_of_bias_traffic_light.rst",
            category=REPORT_RISK_OF_BIAS,
            labels={"Figure": "Traffic-light plot (study by study)"},
        ),
        traffic_png="results/figures/risk_of_bias/traffic_light.png",
        traffic_pdf="results/figures/risk_of_bias/traffic_light.pdf",
        summary_svg=report(
            "results/figures/risk_of_bias/summary.svg",
            caption="../report/risk_of_bias_summary.rst",
            category=REPORT_RISK_OF_BIAS,
            labels={"Figure": "Summary plot (across studies)"},
        ),
        summary_png="results/figures/risk_of_bias/summary.png",
        summary_pdf="results/figures/risk_of_bias/summary.pdf",
    log:
        "results/logs/plot_risk_of_bias/plot_risk_of_bias.log",
    conda:
        ENV
    script:
        "../../scripts/plot_risk_of_bias.py"
