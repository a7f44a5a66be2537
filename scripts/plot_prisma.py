"""Rule plot_prisma: PRISMA 2020 counts -> the flow diagram (SVG, PNG, PDF)."""

from pathlib import Path

import pandas as pd

from srma.figures.prisma import save_prisma
from srma.scripting import step


def main(counts_path, svg_path, log):
    counts = pd.read_csv(counts_path, keep_default_na=False)
    written = save_prisma(counts, Path(svg_path).with_suffix(""))
    log.info("wrote %s", ", ".join(map(str, written)))


if __name__ == "__main__":
    with step(snakemake.log[0], "plot_prisma", job=snakemake) as log:  # noqa: F821
        main(snakemake.input.counts, snakemake.output.svg, log)  # noqa: F821
