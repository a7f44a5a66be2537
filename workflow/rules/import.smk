# A checkpoint: see `imported` in common.smk.
checkpoint import_source:
    input:
        export=source_file,
    output:
        records="results/records/{source}.parquet",
        rejected="results/records/{source}.rejected.csv",
    params:
        source=source_settings,
    log:
        "results/logs/import_source/{source}.log",
    conda:
        ENV
    script:
        "../../scripts/import_source.py"
