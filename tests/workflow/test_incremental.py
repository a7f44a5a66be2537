"""Incremental rebuilds you can trust (issue 9): after a full run of the example review, each
kind of edit reruns exactly the jobs whose inputs' content changed, and nothing else.

The jobs that ran are read from Snakemake's own output: the block it prints when a job starts
(rule, ``jobid``, ``wildcards``) and its ``Finished jobid: N (Rule: x)`` line. The target rule
``all``, which does no work, is left out. One full run is shared by the session
(``example_run``); each test edits a ``cp -a`` copy of it (modification times kept, so
Snakemake sees only the edit). The design these tests hold to is described in
``workflow/rules/common.smk`` ("incremental rebuilds").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.workflow.review import Run, copy_run, snakemake

# One full run of the example review (about 4 minutes of CPU: 2 on 2 idle cores), then about
# a minute of edits: hence `slow`.
pytestmark = [pytest.mark.workflow, pytest.mark.slow]

#: The rule that draws every figure of one outcome (results/figures/outcomes/{outcome}/).
FIGURE_RULE = "plot_outcome_figures"
ANALYSIS_WILDCARDS = ("outcome", "timepoint", "population")
#: The outcome edited below: two analyses, with leave-one-out and subgroup plots.
OUTCOME = "quality_of_life"
OUTCOME_ROW = (
    '"salyers2014","quality_of_life","qol_scale","post","cc",48,4.9,0.87,47,4.77,1.0,',
    '"salyers2014","quality_of_life","qol_scale","post","cc",48,4.95,0.87,47,4.77,1.0,',
)
#: A field of one Embase record that no de-duplicated work carries (the date the record was
#: last updated in Embase): the record table changes (it keeps each record's raw text), the
#: works do not.
EXPORT = "data/exports/embase.ris"
EXPORT_EDIT = ("U4  - 2011-08-10\n", "U4  - 2011-08-11\n")
#: Both reviewers' full-text decisions on one work: same decision, another exclusion reason.
SCREENING_LOG = "data/screening/full_text.csv"
SCREENING_REASON = (
    "W0d8105f8bb,full_text,JQOY,exclude,wrong study design,,2022-04-13T11:54\n"
    "W0d8105f8bb,full_text,YSG,exclude,wrong study design,,",
    "W0d8105f8bb,full_text,JQOY,exclude,wrong population,,2022-04-13T11:54\n"
    "W0d8105f8bb,full_text,YSG,exclude,wrong population,,",
)
#: The time one reviewer logged a decision: no decision changes.
SCREENING_TIME = (
    "W0d8105f8bb,full_text,JQOY,exclude,wrong study design,,2022-04-13T11:54\n",
    "W0d8105f8bb,full_text,JQOY,exclude,wrong study design,,2022-04-13T11:59\n",
)


# --------------------------------------------------------------------------- jobs


@dataclass(frozen=True, order=True)
class Job:
    """A job by rule and wildcards, e.g. ``pool_analysis(outcome=hope, ...)``."""

    rule: str
    wildcards: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.rule}({', '.join(f'{k}={v}' for k, v in self.wildcards)})"


def job(rule: str, **wildcards: str) -> Job:
    return Job(rule, tuple(sorted(wildcards.items())))


_STARTED = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):\n((?:    .*\n)*)", re.M)
_CHECKPOINT = re.compile(r"^(?:local)?checkpoint \w+:$", re.M)
#: The target rule: it does no work (whether Snakemake lists it depends on its bookkeeping).
TARGET = "all"
_FINISHED = re.compile(r"^Finished jobid: (\d+) \(Rule: (\w+)\)$", re.M)


def _started(output: str) -> dict[str, Job]:
    """Jobs Snakemake started (or, in a dry run, would start), by job id."""
    jobs = {}
    for rule, body in _STARTED.findall(output):
        jobid = re.search(r"^\s+jobid: (\d+)$", body, re.M)
        assert jobid, f"no jobid in the block of rule {rule}:\n{body}"
        found = re.search(r"^\s+wildcards: (.*)$", body, re.M)
        pairs = [w.split("=", 1) for w in found.group(1).split(", ")] if found else []
        jobs[jobid.group(1)] = job(rule, **dict(pairs))
    return jobs


def _without_target(jobs: set[Job]) -> set[Job]:
    return {j for j in jobs if j.rule != TARGET}


def jobs_run(run: Run) -> set[Job]:
    """The jobs that ran, each exactly once, all of them to the end."""
    assert run.returncode == 0, run.output[-4000:]
    started = _started(run.output)
    finished = _FINISHED.findall(run.output)
    ran = [started[jobid] for jobid, _ in finished]
    assert [j.rule for j in ran] == [rule for _, rule in finished]
    assert len(set(ran)) == len(ran), f"a job ran twice: {sorted(map(str, ran))}"
    assert set(started) == {jobid for jobid, _ in finished}, "a job started but did not finish"
    return _without_target(set(ran))


def assert_nothing_left(review: Path) -> None:
    """No job was forgotten: a job left waiting on a checkpoint that had nothing to do would
    show up here, in the next run."""
    run = snakemake(review, "--dry-run")
    assert run.returncode == 0, run.output[-4000:]
    assert "Nothing to be done" in run.output, run.output[-4000:]


def jobs_planned(run: Run) -> set[Job]:
    """The jobs of a dry run: exactly those that would run, when no checkpoint is among them
    (a checkpoint that runs makes Snakemake look again at the jobs after it)."""
    assert run.returncode == 0, run.output[-4000:]
    assert not _CHECKPOINT.search(run.output), "a checkpoint would run: the dry run is not the plan"
    return _without_target(set(_started(run.output).values()))


def _show(jobs: set[Job]) -> str:
    return "\n".join(sorted(map(str, jobs)))


def assert_jobs(ran: set[Job], expected: set[Job]) -> None:
    assert ran == expected, (
        f"\nunexpected:\n{_show(ran - expected)}\nmissing:\n{_show(expected - ran)}"
    )


def analysis_jobs(review: Path, outcome: str) -> set[Job]:
    """Pooling and figure jobs of one outcome's analyses, from the files a full run made."""
    jobs = set()
    for path in (review / "results" / "pooled").glob(f"{outcome}.*.pooled.json"):
        parts = path.name.removesuffix(".pooled.json").split(".")
        jobs.add(job("pool_analysis", **dict(zip(ANALYSIS_WILDCARDS, parts, strict=False))))
    jobs |= figure_jobs(review, outcome=outcome)
    return jobs


def figure_jobs(review: Path, outcome: str = "*") -> set[Job]:
    """The figure jobs that drew an outcome's figures in the full run."""
    folders = (review / "results" / "figures" / "outcomes").glob(outcome)
    return {job(FIGURE_RULE, outcome=f.name) for f in folders if any(f.glob("*.svg"))}


# --------------------------------------------------------------------------- files


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def result_files(review: Path) -> dict[str, tuple[int, bytes]]:
    """Every result (logs and provenance aside): modification time and content."""
    out = {}
    for path in sorted((review / "results").rglob("*")):
        rel = path.relative_to(review).as_posix()
        if path.is_file() and "/logs/" not in rel and not rel.endswith(".prov.json"):
            out[rel] = (path.stat().st_mtime_ns, path.read_bytes())
    return out


def rewritten(before: dict, after: dict) -> set[str]:
    assert set(before) == set(after), set(before) ^ set(after)
    return {p for p in after if after[p][0] != before[p][0]}


def changed(before: dict, after: dict) -> set[str]:
    return {p for p in after if after[p][1] != before[p][1]}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def review(example_run: Path, tmp_path: Path) -> Path:
    """A copy of the shared full run of the example review, with modification times kept."""
    return copy_run(example_run, tmp_path / "review")


# --------------------------------------------------------------------------- tests


def test_a_full_run_leaves_nothing_to_do(review):
    run = snakemake(review, "--dry-run")
    assert run.returncode == 0, run.output[-4000:]
    assert "Nothing to be done" in run.output
    assert jobs_run(snakemake(review)) == set()


def test_one_outcomes_rows_rerun_only_that_outcomes_jobs(review):
    expected = analysis_jobs(review, OUTCOME)
    assert {j.rule for j in expected} == {"pool_analysis", FIGURE_RULE}
    assert len(expected) == 3  # two analyses, one figure job
    before = result_files(review)
    replace_once(review / "data/extraction/outcomes.csv", *OUTCOME_ROW)

    # scheduled at first: only the split (the rest waits on it, the checkpoint)
    dry = snakemake(review, "--dry-run")
    assert dry.returncode == 0, dry.output[-4000:]
    assert _without_target(set(_started(dry.output).values())) == {job("split_outcome_data")}
    ran = jobs_run(snakemake(review))
    assert_nothing_left(review)

    assert_jobs(
        ran,
        expected
        | {
            job("split_outcome_data"),
            job("extract_outcome", outcome=OUTCOME),
            job("summarise_pooled"),
        },
    )
    after = result_files(review)
    # of the other outcomes' files, only their split outcome data was rewritten (same bytes)
    mine = {p for p in after if f"/{OUTCOME}." in p or f"/{OUTCOME}/" in p}
    split = {p for p in after if p.endswith(".outcome_data.csv")} - mine
    assert len(split) == 7
    assert rewritten(before, after) - mine == split | {"results/pooled/summary.csv"}
    assert not split & changed(before, after)
    assert {
        "results/extraction/quality_of_life.outcome_data.csv",
        "results/extraction/quality_of_life.effects.parquet",
        "results/pooled/quality_of_life.post.cc.pooled.json",
        "results/pooled/summary.csv",
    } <= changed(before, after)


def test_one_record_of_one_export_reimports_that_source_only(review):
    before = result_files(review)
    replace_once(review / EXPORT, *EXPORT_EDIT)

    ran = jobs_run(snakemake(review))
    assert_nothing_left(review)

    assert_jobs(ran, {job("import_source", source="embase"), job("deduplicate_records")})
    after = result_files(review)
    assert changed(before, after) == {"results/records/embase.parquet"}
    assert "results/dedup/works.parquet" in rewritten(before, after)  # same bytes


def test_a_screening_reason_reruns_screening_and_prisma_only(review):
    before = result_files(review)
    replace_once(review / SCREENING_LOG, *SCREENING_REASON)

    ran = jobs_run(snakemake(review))
    assert_nothing_left(review)

    assert_jobs(
        ran,
        {
            job("screen_records"),
            job("write_screening_sheets"),
            job("count_prisma"),
            job("plot_prisma"),
        },
    )
    after = result_files(review)
    assert "results/prisma/counts.csv" in changed(before, after)
    # the included studies were rewritten with the same bytes: the extraction did not rerun
    assert "results/screening/included_studies.csv" in rewritten(before, after)
    assert "results/screening/included_studies.csv" not in changed(before, after)


def test_a_screening_time_reruns_screening_only(review):
    before = result_files(review)
    replace_once(review / SCREENING_LOG, *SCREENING_TIME)

    ran = jobs_run(snakemake(review))
    assert_nothing_left(review)

    # the sheets read the logs themselves; screening's results were rewritten with the same
    # bytes, so PRISMA and the extraction did not rerun
    assert_jobs(ran, {job("screen_records"), job("write_screening_sheets")})
    after = result_files(review)
    assert "results/screening/decisions.csv" in rewritten(before, after)
    assert not {p for p in changed(before, after) if not p.startswith("results/screening/sheets")}


# Each figure option reruns the figures (every outcome's figure job), and nothing else.
@pytest.mark.parametrize(
    ("option", "old", "new"),
    [
        ("favours_control", "Favours [control]", "Favours [usual care]"),
        ("prediction_interval", "false", "true"),
        ("risk_of_bias_dots", "true", "false"),
    ],
)
def test_a_figure_option_reruns_only_the_figures(review, option, old, new):
    replace_once(review / "config/config.yaml", f"  {option}: {old}\n", f"  {option}: {new}\n")

    planned = jobs_planned(snakemake(review, "--dry-run"))

    expected = figure_jobs(review)
    assert len(expected) == 8  # the example review's outcomes
    assert_jobs(planned, expected)


def test_a_figure_script_reruns_only_the_figures(review):
    (review / "scripts/plot_outcome_figures.py").touch()

    planned = jobs_planned(snakemake(review, "--dry-run"))

    assert_jobs(planned, figure_jobs(review))
