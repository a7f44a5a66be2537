"""Rule plot_forest: one pooled analysis -> its forest plot in the Cochrane layout."""

import json
from pathlib import Path

import pandas as pd

from srma.figures.forest import plot_forest
from srma.figures.from_results import forest_data, rob_judgements
from srma.scripting import step


def main(pooled_path, rob_path, svg_path, options, title, log):
    with open(pooled_path, encoding="utf-8") as fh:
        analysis = json.load(fh)
    rob, tool = None, "rob1"
    if options.get("risk_of_bias_dots") and rob_path and Path(rob_path).exists():
        table = pd.read_parquet(rob_path)  # checked by rule check_risk_of_bias
        tool, rob, _ = rob_judgements(table, analysis["analysis"]["outcome"])
    data = forest_data(
        analysis,
        favours_intervention=options["favours_intervention"],
        favours_control=options["favours_control"],
        rob=rob,
        rob_tool=tool,
        prediction_interval=options.get("prediction_interval", False),
        title=title,
    )
    written = plot_forest(data, Path(svg_path).with_suffix(""))
    log.info("wrote %s", ", ".join(map(str, written)))


if __name__ == "__main__":
    with step(snakemake.log[0], "plot_forest", job=snakemake) as log:  # noqa: F821
        main(
            snakemake.input.pooled,  # noqa: F821
            snakemake.input.rob,  # noqa: F821
            snakemake.output.svg,  # noqa: F821
            snakemake.params.options,  # noqa: F821
            snakemake.params.title,  # noqa: F821
            log,
        )
