"""Rule check_risk_of_bias: the risk-of-bias table -> the checked table (Parquet)."""

from srma.extraction.tables import parse_risk_of_bias
from srma.io.tables import read_table, write_parquet
from srma.scripting import step


def main(rob_path, out_path, log):
    table = parse_risk_of_bias(read_table(rob_path), file=str(rob_path)).frame
    write_parquet(table, out_path)
    log.info("%s: %d judgements checked", rob_path, len(table))


if __name__ == "__main__":
    with step(snakemake.log[0], "check_risk_of_bias", job=snakemake) as log:  # noqa: F821
        main(snakemake.input.rob, snakemake.output.rob, log)  # noqa: F821
