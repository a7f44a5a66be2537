# A checkpoint: see `deduplicated` in common.smk.
checkpoint deduplicate_records:
    input:
        records=imported("records"),
        decisions=dedup_decisions_file,
    output:
        works="results/dedup/works.parquet",
        duplicates="results/dedup/duplicates.csv",
        uncertain="results/dedup/uncertain_pairs.csv",
        stale="results/dedup/stale_decisions.csv",
        counts="results/dedup/counts.csv",
    params:
        streams=stream_of_sources(),
        databases={sid: src["database"] for sid, src in SOURCES.items()},
    log:
        "results/logs/deduplicate_records/deduplicate_records.log",
    conda:
        ENV
    script:
        "../../scripts/deduplicate_records.py"
