"""Rule summarise_pooled: every pooled analysis -> results/pooled/summary.csv."""

import json

from srma.analysis import summary_rows, summary_table
from srma.io.tables import write_csv
from srma.scripting import step


def main(paths, summary_path, log):
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            analysis = json.load(fh)
        a = analysis["analysis"]
        rows += summary_rows(analysis, a["outcome"], a["timepoint"], a["population"])
    table = summary_table(rows)
    write_csv(table, summary_path)
    log.info("%d analyses, %d rows", len(paths), len(table))


if __name__ == "__main__":
    with step(snakemake.log[0], "summarise_pooled", job=snakemake) as log:  # noqa: F821
        main(snakemake.input.pooled, snakemake.output.summary, log)  # noqa: F821
