"""Rule screen_records: reviewers' logs + consensus -> decisions, agreement, included studies."""

import pandas as pd

from srma import screening as scr
from srma.conservation import check_screening
from srma.io.tables import write_csv
from srma.scripting import step


def main(inputs, outputs, rules, log):
    works = pd.read_parquet(inputs.works)
    screening_log = scr.read_logs(inputs.logs) if inputs.logs else scr.schema.empty_log()
    if screening_log.empty:
        from srma.errors import InputError

        raise InputError(
            "no screening decisions yet",
            hint=(
                "screening sheets listing every work to screen are in "
                "results/screening/sheets/; fill them in, save them as the files listed under "
                "screening.logs in config/config.yaml, and run again"
            ),
        )
    consensus = scr.read_consensus(inputs.consensus[0] if inputs.consensus else None)
    studies = scr.read_studies(inputs.studies[0] if inputs.studies else None)
    result = scr.resolve(screening_log, works, consensus, scr.ScreeningRules.from_dict(rules))
    reports = scr.included_reports(result.decisions, works, studies)
    check_screening(works, result.decisions, reports)
    write_csv(result.decisions, outputs.decisions)
    write_csv(scr.agreement(result.log), outputs.agreement)
    write_csv(scr.exclusion_reasons(result.decisions), outputs.reasons)
    write_csv(reports, outputs.reports)
    write_csv(
        reports[["work_id", "study_id"]].sort_values(["study_id", "work_id"]), outputs.studies
    )
    log.info(
        "%d works, %d decisions in the logs; %d reports of %d studies included",
        len(works),
        len(screening_log),
        len(reports),
        reports["study_id"].nunique(),
    )


if __name__ == "__main__":
    with step(snakemake.log[0], "screen_records", job=snakemake) as log:  # noqa: F821
        main(snakemake.input, snakemake.output, snakemake.params.rules, log)  # noqa: F821
