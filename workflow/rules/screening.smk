# A checkpoint: see `screened` in common.smk.
checkpoint screen_records:
    input:
        works=deduplicated("works"),
        logs=screening_logs,
        consensus=optional_file(config["screening"]["consensus"]),
        studies=optional_file(config["screening"]["studies"]),
    output:
        decisions="results/screening/decisions.csv",
        agreement="results/screening/agreement.csv",
        reasons="results/screening/exclusion_reasons.csv",
        reports="results/screening/included_reports.csv",
        studies="results/screening/included_studies.csv",
    params:
        rules=screening_rules(),
    log:
        "results/logs/screen_records/screen_records.log",
    conda:
        ENV
    script:
        "../../scripts/screen_records.py"


# Sheets of the works still to screen, and the conflicts to settle: written even while
# screening is unfinished (this rule never fails on pending works), so a reviewer always
# knows what to do next.
rule write_screening_sheets:
    input:
        works=deduplicated("works"),
        logs=screening_logs,
        consensus=optional_file(config["screening"]["consensus"]),
    output:
        ta_csv="results/screening/sheets/title_abstract.csv",
        ta_xlsx="results/screening/sheets/title_abstract.xlsx",
        ft_csv="results/screening/sheets/full_text.csv",
        ft_xlsx="results/screening/sheets/full_text.xlsx",
        conflicts="results/screening/sheets/conflicts.csv",
    params:
        rules=screening_rules(),
    log:
        "results/logs/write_screening_sheets/write_screening_sheets.log",
    conda:
        ENV
    script:
        "../../scripts/write_screening_sheets.py"


rule count_prisma:
    input:
        dedup_counts=deduplicated("counts"),
        rejected=imported("rejected"),
        decisions=screened("decisions"),
        studies=screened("studies"),
    output:
        counts=report(
            "results/prisma/counts.csv",
            caption="../report/prisma_counts.rst",
            category=REPORT_SELECTION,
            labels={"Result": "PRISMA 2020 counts (table)"},
        ),
    params:
        databases={sid: src["database"] for sid, src in SOURCES.items()},
        streams=stream_of_sources(),
    log:
        "results/logs/count_prisma/count_prisma.log",
    conda:
        ENV
    script:
        "../../scripts/count_prisma.py"


rule plot_prisma:
    input:
        counts=after("results/prisma/counts.csv", screened("decisions")),
    output:
        svg=report(
            "results/figures/prisma/prisma.svg",
            caption="../report/prisma.rst",
            category=REPORT_SELECTION,
            labels={"Result": "PRISMA 2020 flow diagram"},
        ),
        png="results/figures/prisma/prisma.png",
        pdf="results/figures/prisma/prisma.pdf",
    log:
        "results/logs/plot_prisma/plot_prisma.log",
    conda:
        ENV
    script:
        "../../scripts/plot_prisma.py"
