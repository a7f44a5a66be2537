"""Rule plot_risk_of_bias: the risk-of-bias table -> traffic-light and summary plots."""

from pathlib import Path

from srma.extraction.tables import parse_risk_of_bias, parse_studies
from srma.figures.from_results import rob_data
from srma.figures.rob import plot_rob_summary, plot_rob_traffic_light
from srma.io.tables import read_table
from srma.scripting import step


def main(rob_path, studies_path, outputs, log):
    table = parse_risk_of_bias(read_table(rob_path), file=str(rob_path)).frame
    studies = parse_studies(read_table(studies_path), file=str(studies_path)).frame
    labels = dict(zip(studies["study_id"], studies["label"], strict=True))
    data = rob_data(table, labels)
    written = plot_rob_traffic_light(data, Path(outputs.traffic_svg).with_suffix(""))
    written += plot_rob_summary(data, Path(outputs.summary_svg).with_suffix(""))
    log.info("wrote %s", ", ".join(map(str, written)))


if __name__ == "__main__":
    with step(snakemake.log[0], "plot_risk_of_bias", job=snakemake) as log:  # noqa: F821
        main(snakemake.input.rob, snakemake.input.studies, snakemake.output, log)  # noqa: F821
