# Figures: forest (and subgroup forest), leave-one-out and funnel plots per analysis;
# risk of bias for the review. Each as SVG, PNG (300 dpi) and PDF.


rule plot_forest:
    input:
        pooled="results/pooled/{outcome}.{timepoint}.{population}.pooled.json",
        rob=risk_of_bias_for_forest,
    output:
        svg=report(
            "results/figures/forest/{outcome}.{timepoint}.{population}.svg",
            caption="../report/forest.rst",
            category=report_outcome,
            subcategory=report_analysis,
            labels={"Figure": "Forest plot"},
        ),
        png="results/figures/forest/{outcome}.{timepoint}.{population}.png",
        pdf="results/figures/forest/{outcome}.{timepoint}.{population}.pdf",
    params:
        options=figure_options(
            "favours_intervention", "favours_control", "prediction_interval", "risk_of_bias_dots"
        ),
        title=analysis_title,
    log:
        "results/logs/plot_forest/{outcome}.{timepoint}.{population}.log",
    conda:
        ENV
    script:
        "../../scripts/plot_forest.py"


rule plot_subgroup_forest:
    input:
        pooled="results/pooled/{outcome}.{timepoint}.{population}.pooled.json",
    output:
        svg=report(
            "results/figures/subgroups/{outcome}.{timepoint}.{population}.{column}.svg",
            caption="../report/subgroup_forest.rst",
            category=report_outcome,
            subcategory=report_analysis,
            labels=report_subgroup_figure,
        ),
        png="results/figures/subgroups/{outcome}.{timepoint}.{population}.{column}.png",
        pdf="results/figures/subgroups/{outcome}.{timepoint}.{population}.{column}.pdf",
    params:
        options=figure_options(
            "favours_intervention", "favours_control", "prediction_interval"
        ),
        title=analysis_title,
        subgroup_labels={c["id"]: c["label"] for c in config["extraction"]["comparator_types"]},
    log:
        "results/logs/plot_subgroup_forest/{outcome}.{timepoint}.{population}.{column}.log",
    conda:
        ENV
    script:
        "../../scripts/plot_subgroup_forest.py"


rule plot_leave_one_out:
    input:
        pooled="results/pooled/{outcome}.{timepoint}.{population}.pooled.json",
    output:
        svg=report(
            "results/figures/leave_one_out/{outcome}.{timepoint}.{population}.svg",
            caption="../report/leave_one_out.rst",
            category=report_outcome,
            subcategory=report_analysis,
            labels={"Figure": "Leave-one-out"},
        ),
        png="results/figures/leave_one_out/{outcome}.{timepoint}.{population}.png",
        pdf="results/figures/leave_one_out/{outcome}.{timepoint}.{population}.pdf",
    params:
        options=figure_options("favours_intervention", "favours_control"),
        title=analysis_title,
    log:
        "results/logs/plot_leave_one_out/{outcome}.{timepoint}.{population}.log",
    conda:
        ENV
    script:
        "../../scripts/plot_leave_one_out.py"


rule plot_funnel:
    input:
        pooled="results/pooled/{outcome}.{timepoint}.{population}.pooled.json",
    output:
        svg=report(
            "results/figures/funnel/{outcome}.{timepoint}.{population}.svg",
            caption="../report/funnel.rst",
            category=report_outcome,
            subcategory=report_analysis,
            labels={"Figure": "Funnel plot"},
        ),
        png="results/figures/funnel/{outcome}.{timepoint}.{population}.png",
        pdf="results/figures/funnel/{outcome}.{timepoint}.{population}.pdf",
    params:
        title=analysis_title,
    log:
        "results/logs/plot_funnel/{outcome}.{timepoint}.{population}.log",
    conda:
        ENV
    script:
        "../../scripts/plot_funnel.py"


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
