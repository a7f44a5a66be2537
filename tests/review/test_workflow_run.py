"""A new user's first hour: srma init, drop in one export, run, follow the messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from srma.cli import main
from srma.io.tables import read_table
from srma.review import init_review
from tests.review.conftest import add_source
from tests.workflow.review import snakemake

pytestmark = pytest.mark.workflow


def test_init_run_check(tmp_path: Path, ris_export: Path, capsys):
    review = tmp_path / "myreview"
    init_review(review)

    # 1. the export is dropped in, but not listed: the run says what to add
    shutil.copyfile(ris_export, review / "data" / "exports" / "psycinfo.ris")
    run = snakemake(review)
    assert run.returncode != 0
    assert "no sources listed yet" in run.output
    assert "  - {id: psycinfo, path: data/exports/psycinfo.ris, database: Psycinfo}" in run.output
    assert "Traceback" not in run.output

    # 2. listed: import, de-duplication and screening sheets; the empty extraction
    #    templates are left alone, and the run says what to do next
    (review / "data" / "exports" / "psycinfo.ris").unlink()
    add_source(review, ris_export)
    run = snakemake(review)
    assert run.returncode == 0, run.output[-3000:]
    assert sorted(set(run.rules_run())) == [
        "deduplicate_records",
        "import_source",
        "review",
        "write_screening_sheets",
    ]
    sheet = read_table(review / "results/screening/sheets/title_abstract.xlsx")
    works = pd.read_parquet(review / "results/dedup/works.parquet")
    assert len(works) > 0 and sorted(sheet["work_id"]) == sorted(works["work_id"])
    assert (
        f"srma: next: no screening decisions yet: the {len(works)} works to screen are in "
        "results/screening/sheets/title_abstract.xlsx"
    ) in run.output
    assert not (review / "results" / "screening" / "decisions.csv").exists()
    assert not (review / "results" / "extraction").exists()

    # 3. srma check agrees that nothing is wrong
    assert main(["check", str(review)]) == 0
    assert "No problems found." in capsys.readouterr().out

    # 4. two reviewers exclude every work at title/abstract: screening and PRISMA run,
    #    and the next message is about extraction
    log = pd.DataFrame(
        [
            {"work_id": w, "stage": "title_abstract", "reviewer": r, "decision": "exclude"}
            for w in works["work_id"]
            for r in ("alice", "bob")
        ]
    )
    log.to_csv(review / "data/screening/title_abstract.csv", index=False)
    run = snakemake(review)
    assert run.returncode == 0, run.output[-3000:]
    assert {"screen_records", "count_prisma", "plot_prisma"} <= set(run.rules_run())
    counts = pd.read_csv(review / "results/prisma/counts.csv")
    box = {b: c for s, b, c in counts.itertuples(index=False) if s == "databases"}
    assert box["records_identified"] == 64  # the export's records
    assert box["records_screened"] == box["records_excluded"] == len(works)
    assert box["reports_sought"] == box["studies_included"] == 0
    assert "srma: next: no extraction data yet: fill in data/extraction/studies.csv" in run.output
    assert "srma: next: no screening decisions yet" not in run.output
