"""Rule plot_outcome_figures: one outcome's pooled analyses -> all their figures, in one folder."""

import json
from pathlib import Path

from srma.figures.outcome import FigureOptions, plot_outcome_figures
from srma.scripting import step


def main(pooled_paths, rob_path, folder, outcome, options, titles, subgroup_labels, workers, log):
    analyses = {}
    for path in pooled_paths:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        a = doc["analysis"]
        analyses[f"{a['timepoint']}.{a['population']}"] = doc
    figure_options = FigureOptions.from_config(options)
    rob, tool = None, "rob1"
    if figure_options.risk_of_bias_dots and rob_path and Path(rob_path).exists():
        import pyarrow.parquet as pq  # not pandas: a third of the import time

        from srma.figures.from_results import rob_judgements

        rows = pq.read_table(rob_path).to_pylist()  # checked by rule check_risk_of_bias
        tool, rob, _ = rob_judgements(rows, outcome)
    written = plot_outcome_figures(
        analyses,
        folder,
        options=figure_options,
        titles=titles,
        subgroup_labels=subgroup_labels,
        rob=rob,
        rob_tool=tool,
        workers=workers,
    )
    log.info("wrote %d files in %s", len(written), folder)


if __name__ == "__main__":
    with step(snakemake.log[0], "plot_outcome_figures", job=snakemake) as log:  # noqa: F821
        main(
            list(snakemake.input.pooled),  # noqa: F821
            snakemake.input.rob,  # noqa: F821
            snakemake.output.figures,  # noqa: F821
            snakemake.wildcards.outcome,  # noqa: F821
            snakemake.params.options,  # noqa: F821
            snakemake.params.titles,  # noqa: F821
            snakemake.params.subgroup_labels,  # noqa: F821
            snakemake.threads,  # noqa: F821
            log,
        )
