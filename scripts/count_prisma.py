"""Rule count_prisma: dedup counts + import rejections + screening decisions -> PRISMA counts."""

from pathlib import Path

import pandas as pd

from srma.conservation import check_identification
from srma.io.tables import write_csv
from srma.prisma import prisma_counts
from srma.scripting import step


def rejected_per_source(paths):
    """Records set aside at import, per source (``results/records/{source}.rejected.csv``)."""
    return {
        Path(path).name.removesuffix(".rejected.csv"): len(
            pd.read_csv(path, dtype=str, keep_default_na=False)
        )
        for path in paths
    }


def identification(counts, rejected, databases, streams):
    """Records identified per source, including those set aside at import."""
    rows = []
    for source_id in sorted(databases):
        mine = counts[counts["source_id"] == source_id]
        n_rej = rejected.get(source_id, 0)
        rows.append(
            {
                "stream": streams[source_id],
                "source_id": source_id,
                "database": databases[source_id],
                "records_identified": int(mine["records_identified"].sum()) + n_rej,
                "duplicates_removed": int(mine["duplicates_removed"].sum()),
                "records_removed_other": n_rej,
            }
        )
    return pd.DataFrame(rows)


def main(inputs, outputs, params, log):
    dedup = pd.read_csv(inputs.dedup_counts, dtype={"database": str}, keep_default_na=False)
    rejected = rejected_per_source(inputs.rejected)
    ident = identification(dedup, rejected, params.databases, params.streams)
    check_identification(ident, dedup, rejected, params.databases)
    decisions = pd.read_csv(inputs.decisions, dtype=str, keep_default_na=False)
    studies = pd.read_csv(inputs.studies, dtype=str, keep_default_na=False)
    counts = prisma_counts(ident, decisions, studies)
    write_csv(counts, outputs.counts)
    log.info("PRISMA counts: %d boxes", len(counts))


if __name__ == "__main__":
    with step(snakemake.log[0], "count_prisma", job=snakemake) as log:  # noqa: F821
        main(snakemake.input, snakemake.output, snakemake.params, log)  # noqa: F821
