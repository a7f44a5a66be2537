"""Rule plot_subgroup_forest: one pooled analysis -> a forest plot split by a subgroup column."""

import json
from pathlib import Path

from srma.figures.forest import plot_forest
from srma.figures.from_results import forest_data
from srma.scripting import step


def main(pooled_path, svg_path, column, options, title, labels, log):
    with open(pooled_path, encoding="utf-8") as fh:
        analysis = json.load(fh)
    data = forest_data(
        analysis,
        favours_intervention=options["favours_intervention"],
        favours_control=options["favours_control"],
        subgroup_by=column,
        subgroup_labels=labels,
        prediction_interval=options.get("prediction_interval", False),
        title=f"{title}: subgroups by {column.replace('_', ' ')}",
    )
    written = plot_forest(data, Path(svg_path).with_suffix(""))
    log.info("wrote %s", ", ".join(map(str, written)))


if __name__ == "__main__":
    with step(snakemake.log[0], "plot_subgroup_forest", job=snakemake) as log:  # noqa: F821
        main(
            snakemake.input.pooled,  # noqa: F821
            snakemake.output.svg,  # noqa: F821
            snakemake.wildcards.column,  # noqa: F821
            snakemake.params.options,  # noqa: F821
            snakemake.params.title,  # noqa: F821
            snakemake.params.subgroup_labels,  # noqa: F821
            log,
        )
