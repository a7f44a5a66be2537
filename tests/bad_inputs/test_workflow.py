"""Bad inputs through the workflow: a copy of the example review with one input broken.

One copy of the example review is run up to screening and one outcome's extraction (about
40 s); each case copies it, breaks one input (the ``workflow:`` cases of
tests/data/bad/cases.yaml) and runs Snakemake on a target downstream of it.  The run must
fail (non-zero exit) with srma's message naming the file, without a traceback from srma's
code, and leave none of the failing job's outputs -- nor their provenance records.
About 2 minutes on 2 shared cores, hence the ``workflow`` and ``slow`` marks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.bad_inputs.corpus import WorkflowCase, workflow_cases
from tests.workflow.review import copy_review, snakemake

pytestmark = [pytest.mark.workflow, pytest.mark.slow]

#: Targets the shared copy is run to: every input the cases break is read by then.
BASE_TARGETS = (
    "results/screening/included_studies.csv",
    "results/extraction/personal_recovery.effects.parquet",
)


@pytest.fixture(scope="module")
def base_review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    review = copy_review(tmp_path_factory.mktemp("bad_inputs_workflow") / "base")
    run = snakemake(review, *BASE_TARGETS)
    assert run.returncode == 0, run.output[-4000:]
    return review


def break_input(review: Path, edit: dict) -> None:
    """Apply one ``edit`` of the manifest to a file of ``review``."""
    path = review / edit["file"]
    data = path.read_bytes()
    if "truncate" in edit:
        data = data[: int(len(data) * float(edit["truncate"]))]
    if "replace" in edit:
        old, new = (s.encode("utf-8") for s in edit["replace"])
        assert old in data, f"{edit['file']} has no {old!r}"
        data = data.replace(old, new, 1)
    if "append" in edit:
        data = data.rstrip(b"\n") + b"\n" + edit["append"].encode("utf-8") + b"\n"
    if "prepend" in edit:
        data = edit["prepend"].encode("utf-8") + b"\n" + data
    path.write_bytes(data)


def _params() -> list:
    params = []
    for case in workflow_cases():
        marks = []
        if case.known_failure:
            marks.append(pytest.mark.xfail(strict=True, reason=case.known_failure))
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


def srma_frames(output: str) -> list[str]:
    """Traceback lines that point into srma's own code (library or scripts)."""
    return [
        line
        for line in output.splitlines()
        if line.strip().startswith('File "') and ("/srma/" in line or "/scripts/" in line)
    ]


_FAILED_JOB = re.compile(r"^Error in rule (\w+):\n((?:    .*\n)+)", re.MULTILINE)


def failed_jobs(output: str) -> dict[str, list[str]]:
    """Rule -> output files of every job Snakemake reports as failed."""
    jobs: dict[str, list[str]] = {}
    for rule, block in _FAILED_JOB.findall(output):
        for line in block.splitlines():
            key, _, value = line.strip().partition(": ")
            if key == "output":
                jobs.setdefault(rule, []).extend(v.strip() for v in value.split(","))
    return jobs


@pytest.mark.parametrize("case", _params())
def test_broken_input_stops_the_run_cleanly(
    case: WorkflowCase, base_review: Path, tmp_path: Path
) -> None:
    review = tmp_path / "review"
    shutil.copytree(base_review, review, symlinks=True)
    break_input(review, case.edit)
    run = snakemake(review, case.target, timeout=300)
    for name in case.never_created:
        assert not (review / name).exists(), f"the configuration ran code: {name} was created"
    assert run.returncode != 0, run.output[-3000:]
    for fragment in case.fragments:
        assert fragment in run.output, f"{fragment!r} not in the output:\n{run.output[-3000:]}"
    assert "Traceback (most recent call last)" not in run.output, run.output[-3000:]
    assert srma_frames(run.output) == []
    jobs = failed_jobs(run.output)
    if not case.job:
        assert jobs == {} and "Finished jobid" not in run.output, "jobs ran on a bad config"
        return
    assert jobs, f"no failed job reported:\n{run.output[-3000:]}"
    for rule, outputs in jobs.items():
        assert outputs, rule
        for name in outputs:
            assert not (review / name).exists(), f"{name} of the failed {rule} job survived"
            assert not (review / f"{name}.prov.json").exists(), f"{name}.prov.json survived"
