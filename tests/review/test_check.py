from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from srma.cli import main
from srma.errors import InputError
from srma.review import check_review, preflight, unlisted_exports

#: A small RIS export (three records), enough to check imports without ../shared.
RIS = """\
TY  - JOUR
TI  - Illness management and recovery: a randomized controlled trial
AU  - Smith, Jane
PY  - 2016
JO  - Psychiatric Services
DO  - 10.5555/srma.test.1
ER  -

TY  - JOUR
TI  - Recovery-oriented care in community mental health
AU  - Jones, Ann
PY  - 2018
JO  - Community Mental Health Journal
ER  -

TY  - JOUR
TI  - A pilot study of a recovery programme
AU  - Brown, Bob
PY  - 2020
ER  -
"""


def _list_source(review: Path, name: str = "pubmed.ris", sid: str = "pubmed") -> None:
    (review / "data" / "exports" / name).write_text(RIS)
    config = review / "config" / "config.yaml"
    line = f"  - {{id: {sid}, path: data/exports/{name}, database: PubMed}}"
    config.write_text(config.read_text().replace("\nsources: []\n", f"\nsources:\n{line}\n"))


def _statuses(report) -> dict[str, str]:
    return {f.path: f.status for f in report.files}


def test_a_new_review_needs_sources(pristine: Path):
    report = check_review(pristine)
    assert not report.ok
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.file, problem.column, problem.message) == (
        "config/config.yaml",
        "sources",
        "no sources listed yet",
    )
    assert "data/exports/" in problem.hint
    # the tables are templates: empty, nothing wrong with them
    statuses = _statuses(report)
    assert statuses["config/config.yaml"] == "problems"
    assert statuses["data/screening/title_abstract.csv"] == "empty"
    assert statuses["data/extraction/outcomes.csv"] == "empty"


def test_unlisted_exports_are_named_with_the_lines_to_add(review: Path):
    (review / "data" / "exports" / "PsycINFO export.ris").write_text(RIS)
    (review / "data" / "exports" / "README.txt").write_text("not an export")
    (review / "data" / "exports" / ".hidden").write_text("")
    report = check_review(review)
    (problem,) = report.problems
    assert "sources:\n  - {id: psycinfo_export, path: data/exports/PsycINFO export.ris, " in (
        problem.hint
    )
    assert "database: PsycINFO export}" in problem.hint


def test_a_clean_review(review: Path, capsys):
    _list_source(review)
    report = check_review(review)
    assert report.ok, [p.render() for p in report.problems]
    assert _statuses(report)["data/exports/pubmed.ris"] == "ok"
    assert [f.detail for f in report.files if f.path == "data/exports/pubmed.ris"] == [
        "3 records, ris"
    ]
    assert report.next_steps[0].startswith("no screening decisions yet")
    assert main(["check", str(review)]) == 0
    out = capsys.readouterr().out
    assert "data/exports/pubmed.ris" in out and "No problems found." in out


def test_three_mistakes_in_three_files_are_all_reported(review: Path, capsys):
    """A typo in the config, a screening log and the studies table: one run lists all three."""
    _list_source(review)
    config = review / "config" / "config.yaml"
    config.write_text(config.read_text().replace("  allow_pending: false", "  allow_pendng: false"))
    (review / "data/screening/title_abstract.csv").write_text(
        "work_id,stage,reviewer,decision,reason,note,time\n"
        "W1,title_abstract,alice,exclude,,,\n"
        "W1,title_abstract,bob,exlcude,,,\n"
    )
    studies = review / "data/extraction/studies.csv"
    studies.write_text(
        studies.read_text()
        + '"tan2016","Tan 2016","W1","20l6","Singapore","RCT",2,"IMR","TAU","tau",30,30,'
        + '"","paper",""\n'
    )
    report = check_review(review)
    found = sorted((p.file, p.row, p.column, p.value) for p in report.problems)
    assert found == [
        ("config/config.yaml", None, "screening.allow_pendng", None),
        ("data/extraction/studies.csv", 2, "year", "20l6"),
        ("data/screening/title_abstract.csv", 3, "decision", "exlcude"),
    ]
    assert "did you mean 'allow_pending'?" in report.problems[0].hint
    assert main(["check", str(review)]) == 2
    captured = capsys.readouterr()
    assert "srma: error: 3 problems found:" in captured.err
    assert "data/screening/title_abstract.csv, row 3, column 'decision'" in captured.err
    assert "Traceback" not in captured.err
    assert "data/extraction/studies.csv" in captured.out and "problems" in captured.out


def test_export_problems(review: Path):
    _list_source(review)
    (review / "data/exports/pubmed.ris").unlink()
    report = check_review(review)
    (problem,) = report.problems
    assert (problem.column, problem.value) == ("sources[0].path", "data/exports/pubmed.ris")
    assert problem.message == "the export file does not exist"
    (review / "data/exports/pubmed.ris").write_bytes(b"\x00\x01\x02 not an export")
    report = check_review(review)
    assert report.problems and report.problems[0].file == "data/exports/pubmed.ris"


def test_dedup_decisions(review: Path):
    _list_source(review)
    decisions = review / "data/dedup/decisions.csv"
    decisions.write_text("pair_id,decision,reviewer,note\npubmed:1|pubmed:2,maybe,a,\n")
    (problem,) = check_review(review).problems
    assert (problem.file, problem.line, problem.column, problem.value) == (
        "data/dedup/decisions.csv",
        2,
        "decision",
        "maybe",
    )
    decisions.write_text("pair_id,decision,reviewer,note\nembase:1|pubmed:2,different,a,\n")
    report = check_review(review)
    assert report.ok
    assert any("name records that are not in the exports" in n for n in report.notes)


def test_screening_against_the_works_of_the_last_run(review: Path):
    _list_source(review)
    works = review / "results" / "dedup"
    works.mkdir(parents=True)
    pd.DataFrame({"work_id": ["W1", "W2"], "stream": ["databases", "databases"]}).to_parquet(
        works / "works.parquet", index=False
    )
    (review / "data/screening/title_abstract.csv").write_text(
        "work_id,stage,reviewer,decision,reason,note,time\n"
        "W1,title_abstract,alice,exclude,,,\n"
        "W9,title_abstract,alice,exclude,,,\n"
    )
    report = check_review(review)
    (problem,) = report.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "data/screening/title_abstract.csv",
        3,
        "work_id",
        "W9",
    )
    assert problem.message == "a decision for a work that is not in the works table"
    # works waiting for decisions are progress, not mistakes
    assert any(n.startswith("screening is not finished: ") for n in report.notes)


def test_the_example_review_is_clean(repo: Path, tmp_path: Path):
    """The example review's own inputs, in a folder of their own (no results yet)."""
    for part in ("config", "data"):
        shutil.copytree(repo / part, tmp_path / part)
    report = check_review(tmp_path)
    assert report.ok, [p.render() for p in report.problems]
    statuses = _statuses(report)
    assert len(statuses) == 1 + 9 + 1 + 4 + 3
    assert set(statuses.values()) == {"ok"}
    assert any("not checked against the studies included" in n for n in report.notes)


def test_extraction_problems_against_the_config(repo: Path, tmp_path: Path):
    for part in ("config", "data"):
        shutil.copytree(repo / part, tmp_path / part)
    outcomes = tmp_path / "data/extraction/outcomes.csv"
    text = outcomes.read_text()
    outcomes.write_text(text.replace(',"mhrm","post"', ',"mhrmm","post"', 1))
    report = check_review(tmp_path)
    assert [(p.file, p.column, p.value) for p in report.problems] == [
        ("data/extraction/outcomes.csv", "instrument", "mhrmm")
    ]


def test_not_a_review_folder(tmp_path: Path, capsys):
    report = check_review(tmp_path)
    (problem,) = report.problems
    assert problem.file == "config/config.yaml" and "srma init" in problem.hint
    assert main(["check", str(tmp_path)]) == 2


def test_preflight(review: Path):
    with pytest.raises(InputError, match="no sources listed yet"):
        preflight(review)
    _list_source(review)
    assert preflight(review) == []
    (review / "data/exports/extra.bib").write_text("@article{a, title={T}}\n")
    assert preflight(review) == [
        "data/exports/extra.bib is not listed under sources in config/config.yaml: it will not "
        "be imported"
    ]
    (review / "data/exports/pubmed.ris").unlink()
    with pytest.raises(InputError, match="the export file does not exist"):
        preflight(review)
    (review / "config/config.yaml").unlink()
    with pytest.raises(InputError, match="not a review folder"):
        preflight(review)


def test_unlisted_exports(review: Path):
    (review / "data/exports/sub").mkdir()
    (review / "data/exports/sub/a.ris").write_text(RIS)
    (review / "data/exports/b.nbib").write_text("PMID- 1\n")
    config = {"sources": [{"id": "b", "path": "data/exports/b.nbib", "database": "PubMed"}]}
    assert unlisted_exports(config, review) == ["data/exports/sub/a.ris"]


def test_works_older_than_the_decisions_are_not_used(review: Path):
    """After new de-duplication decisions, work ids may change: wait for the next run."""
    import os

    _list_source(review)
    works = review / "results" / "dedup"
    works.mkdir(parents=True)
    pd.DataFrame({"work_id": ["W1"], "stream": ["databases"]}).to_parquet(
        works / "works.parquet", index=False
    )
    (review / "data/screening/title_abstract.csv").write_text(
        "work_id,stage,reviewer,decision,reason,note,time\nW9,title_abstract,alice,exclude,,,\n"
    )
    decisions = review / "data/dedup/decisions.csv"
    decisions.write_text("pair_id,decision,reviewer,note\npubmed:1|pubmed:2,same,a,\n")
    made = (works / "works.parquet").stat().st_mtime
    os.utime(decisions, (made + 10, made + 10))
    report = check_review(review)
    assert report.ok, [p.render() for p in report.problems]
    assert any(
        n.startswith(
            "the screening logs were not checked against the works: "
            "data/dedup/decisions.csv changed after"
        )
        for n in report.notes
    )
