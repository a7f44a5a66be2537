"""Rule plot_leave_one_out: one pooled analysis -> its leave-one-out plot."""

import json
from pathlib import Path

from srma.figures.from_results import loo_data
from srma.figures.loo import plot_loo
from srma.scripting import step


def main(pooled_path, svg_path, options, title, log):
    with open(pooled_path, encoding="utf-8") as fh:
        analysis = json.load(fh)
    data = loo_data(
        analysis,
        favours_intervention=options["favours_intervention"],
        favours_control=options["favours_control"],
        title=title,
    )
    written = plot_loo(data, Path(svg_path).with_suffix(""))
    log.info("wrote %s", ", ".join(map(str, written)))


if __name__ == "__main__":
    with step(snakemake.log[0], "plot_leave_one_out", job=snakemake) as log:  # noqa: F821
        main(
            snakemake.input.pooled,  # noqa: F821
            snakemake.output.svg,  # noqa: F821
            snakemake.params.options,  # noqa: F821
            snakemake.params.title,  # noqa: F821
            log,
        )
