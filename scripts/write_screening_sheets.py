"""Rule write_screening_sheets: the works still to screen, and conflicts to settle."""

import dataclasses

import pandas as pd

from srma import screening as scr
from srma.io.tables import write_csv, write_xlsx
from srma.scripting import step


def main(inputs, outputs, rules, log):
    works = pd.read_parquet(inputs.works)
    screening_log = scr.read_logs(inputs.logs) if inputs.logs else scr.schema.empty_log()
    consensus = scr.read_consensus(inputs.consensus[0] if inputs.consensus else None)
    settings = dataclasses.replace(scr.ScreeningRules.from_dict(rules), allow_pending=True)
    result = scr.resolve(screening_log, works, consensus, settings)
    for stage, csv_out, xlsx_out in (
        ("title_abstract", outputs.ta_csv, outputs.ta_xlsx),
        ("full_text", outputs.ft_csv, outputs.ft_xlsx),
    ):
        sheet = scr.screening_sheet(works, result, stage)
        write_csv(sheet, csv_out)
        write_xlsx(sheet, xlsx_out)
        log.info("%s: %d works still to screen", stage, len(sheet))
    write_csv(scr.conflict_sheet(works, result), outputs.conflicts)


if __name__ == "__main__":
    with step(snakemake.log[0], "write_screening_sheets", job=snakemake) as log:  # noqa: F821
        main(snakemake.input, snakemake.output, snakemake.params.rules, log)  # noqa: F821
