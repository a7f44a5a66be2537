"""Rule split_outcome_data: the extraction tables, checked whole -> one outcome data file each.

Every table is checked here, with the rows and columns of the user's own files in the messages
(every outcome; when the config asks for it, against screening's included studies, each of
which must then have outcome data or a no_usable_data reason). Each outcome's file then holds
that outcome's rows exactly as read, in their order, so its bytes change only when those rows
do: an edit to one outcome's rows reruns only that outcome's jobs.
"""

from pathlib import Path

from srma.conservation import check_included_data
from srma.extraction import ExtractionSettings, OutcomeSpec, load_extraction
from srma.io.tables import read_table, write_csv
from srma.scripting import step

SUFFIX = ".outcome_data.csv"


def main(inputs, outputs, outcomes, settings, log):
    specs = {entry["id"]: OutcomeSpec.from_config(entry) for entry in outcomes}
    included = inputs.included[0] if len(inputs.included) else None
    extraction = load_extraction(
        inputs.studies,
        inputs.outcome_data,
        outcomes=specs,
        settings=ExtractionSettings.from_config(settings),
        included=included,
    )
    if included:
        check_included_data(
            extraction.included,
            extraction.outcome_data,
            included_file=str(included),
            outcome_data_file=str(inputs.outcome_data),
        )
    raw = read_table(inputs.outcome_data)
    checked = extraction.outcome_data
    # `row` is the spreadsheet row of each data row of `raw`: position + 2 (header is row 1)
    position = checked["row"].astype(int) - 2
    for path in outputs:
        outcome = Path(path).name.removesuffix(SUFFIX)
        rows = raw.iloc[sorted(position[checked["outcome"] == outcome])]
        write_csv(rows, path)
        log.info("%s: %d rows", outcome, len(rows))
    log.info(
        "%d rows of %d outcomes checked%s",
        len(raw),
        len(specs),
        f" against {included}" if included else "; not checked against screening",
    )


if __name__ == "__main__":
    with step(snakemake.log[0], "split_outcome_data", job=snakemake) as log:  # noqa: F821
        main(
            snakemake.input,  # noqa: F821
            snakemake.output.outcome_data,  # noqa: F821
            snakemake.params.outcomes,  # noqa: F821
            snakemake.params.settings,  # noqa: F821
            log,
        )
