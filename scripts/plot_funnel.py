"""Rule plot_funnel: one pooled analysis -> its funnel plot with Egger's test."""

import json
from pathlib import Path

from srma.figures.from_results import funnel_data
from srma.figures.funnel import plot_funnel
from srma.scripting import step


def main(pooled_path, svg_path, title, log):
    with open(pooled_path, encoding="utf-8") as fh:
        analysis = json.load(fh)
    written = plot_funnel(funnel_data(analysis, title=title), Path(svg_path).with_suffix(""))
    log.info("wrote %s", ", ".join(map(str, written)))


if __name__ == "__main__":
    with step(snakemake.log[0], "plot_funnel", job=snakemake) as log:  # noqa: F821
        main(snakemake.input.pooled, snakemake.output.svg, snakemake.params.title, log)  # noqa: F821
