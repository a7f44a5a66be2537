"""Rule import_source: one database export -> the normalised record table."""

from srma.conservation import check_hits, check_import
from srma.io import read_export
from srma.io.tables import write_csv, write_parquet
from srma.scripting import step


def main(export, records_out, rejected_out, source, log):
    result = read_export(
        export,
        source_id=source["id"],
        database=source["database"],
        format=source["format"],
        on_error=source["on_error"],
    )
    check_import(result)
    check_hits(result, source.get("records"), column=f"sources[{source['id']}].records")
    write_parquet(result.records, records_out)
    write_csv(result.rejected, rejected_out)
    log.info(
        "%s: %d records read, %d rejected (format %s, encoding %s)",
        export,
        len(result.records),
        len(result.rejected),
        result.format,
        result.encoding,
    )


if __name__ == "__main__":
    with step(snakemake.log[0], "import_source", job=snakemake) as log:  # noqa: F821
        main(
            snakemake.input.export,  # noqa: F821
            snakemake.output.records,  # noqa: F821
            snakemake.output.rejected,  # noqa: F821
            snakemake.params.source,  # noqa: F821
            log,
        )
