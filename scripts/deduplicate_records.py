"""Rule deduplicate_records: all imported sources -> unique works, duplicates, uncertain pairs."""

from pathlib import Path

import pandas as pd

from srma.conservation import check_deduplication
from srma.dedup import deduplicate
from srma.io.tables import read_table, write_csv, write_parquet
from srma.scripting import step


def main(inputs, outputs, streams, log):
    tables = {Path(p).name.removesuffix(".parquet"): pd.read_parquet(p) for p in inputs.records}
    records = pd.concat(list(tables.values()), ignore_index=True)
    decisions = read_table(inputs.decisions[0]) if inputs.decisions else None
    result = deduplicate(records, streams=streams, decisions=decisions)
    imported = {source: len(table) for source, table in tables.items()}
    check_deduplication(imported, result.works, result.duplicates, result.counts)
    write_parquet(result.works, outputs.works)
    write_csv(result.duplicates, outputs.duplicates)
    write_csv(result.uncertain, outputs.uncertain)
    write_csv(result.stale_decisions, outputs.stale)
    write_csv(result.counts, outputs.counts)
    log.info(
        "%d records -> %d works, %d duplicates removed, %d uncertain pairs, %d stale decisions",
        len(records),
        len(result.works),
        len(result.duplicates),
        len(result.uncertain),
        len(result.stale_decisions),
    )
    if len(result.stale_decisions):
        log.warning(
            "%d decisions in the decisions file name pairs that no longer exist: see %s",
            len(result.stale_decisions),
            outputs.stale,
        )


if __name__ == "__main__":
    with step(snakemake.log[0], "deduplicate_records", job=snakemake) as log:  # noqa: F821
        main(snakemake.input, snakemake.output, snakemake.params.streams, log)  # noqa: F821
