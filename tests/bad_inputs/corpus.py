"""The bad-input corpus (``tests/data/bad/cases.yaml``) and how each stage's entry point
is run on it.  Shared by the tests of this folder and ``reliability_doc.py``."""

from __future__ import annotations

import argparse
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from srma.errors import InputError, Problem

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "data" / "bad"
MANIFEST = CORPUS / "cases.yaml"
STAGES = ("import", "screening", "dedup", "extraction", "config", "pool")
#: Keys a problem's location may be checked on.
LOCATION_KEYS = ("line", "row", "column", "value")

SCREENING_BASE = {
    "title_abstract": CORPUS / "screening" / "base" / "title_abstract.csv",
    "full_text": CORPUS / "screening" / "base" / "full_text.csv",
    "consensus": CORPUS / "screening" / "base" / "consensus.csv",
    "studies": CORPUS / "screening" / "base" / "studies.csv",
}
EXTRACTION_BASE = {
    "studies": CORPUS / "extraction" / "base" / "studies.csv",
    "outcome_data": CORPUS / "extraction" / "base" / "outcomes.csv",
    "included": CORPUS / "extraction" / "base" / "included_studies.csv",
}
DEDUP_RECORDS = CORPUS / "dedup" / "records.ris"
DEDUP_SOURCE = "records"  # the source id `srma dedup` gives records.ris


@dataclass(frozen=True)
class Case:
    """One bad input and what srma must answer."""

    id: str
    stage: str
    file: str
    input: str
    fragments: tuple[str, ...]
    location: dict[str, Any]
    expect_file: str | None
    cli: str | bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return CORPUS / self.file

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True)
class WorkflowCase:
    """One input of the example review, broken, and what the Snakemake run must say."""

    id: str
    input: str
    edit: dict[str, Any]
    target: str
    job: bool
    fragments: tuple[str, ...]
    known_failure: str | None = None
    never_created: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.id


@functools.cache
def manifest() -> dict[str, Any]:
    with open(MANIFEST, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


_CASE_KEYS = ("id", "stage", "file", "input", "expect", "cli")


@functools.cache
def cases() -> tuple[Case, ...]:
    out = []
    for raw in manifest()["cases"]:
        expect = dict(raw["expect"])
        fragments = tuple(expect.pop("fragments"))
        expect_file = expect.pop("file", raw["file"])
        extra = {k: v for k, v in raw.items() if k not in _CASE_KEYS}
        out.append(
            Case(
                id=raw["id"],
                stage=raw["stage"],
                file=raw["file"],
                input=raw["input"],
                fragments=fragments,
                location=expect,
                expect_file=expect_file,
                cli=raw.get("cli", True),
                extra=extra,
            )
        )
    return tuple(out)


@functools.cache
def workflow_cases() -> tuple[WorkflowCase, ...]:
    return tuple(
        WorkflowCase(
            id=raw["id"],
            input=raw["input"],
            edit=dict(raw["edit"]),
            target=raw["target"],
            job=bool(raw["job"]),
            fragments=tuple(raw["fragments"]),
            known_failure=raw.get("known_failure"),
            never_created=tuple(raw.get("never_created") or ()),
        )
        for raw in manifest()["workflow"]
    )


# --------------------------------------------------------------------------- entry points


def _import(case: Case) -> None:
    from srma.io import read_export

    read_export(case.path, **case.extra.get("args", {}))


def _screening(case: Case) -> None:
    from srma import screening as scr

    files = dict(SCREENING_BASE)
    files[case.extra["replaces"]] = case.path
    works = pd.read_csv(CORPUS / "screening" / "works.csv", dtype=str)
    log = scr.read_logs([files["title_abstract"], files["full_text"]])
    consensus = scr.read_consensus(files["consensus"])
    studies = scr.read_studies(files["studies"])
    result = scr.resolve(log, works, consensus)
    scr.included_reports(result.decisions, works, studies)


def dedup_records() -> pd.DataFrame:
    from srma.io import read_export

    return read_export(DEDUP_RECORDS, source_id=DEDUP_SOURCE).records


def _dedup(case: Case) -> None:
    from srma.dedup import deduplicate
    from srma.io import read_export
    from srma.io.tables import read_table

    records = dedup_records()
    if case.extra["role"] == "decisions":
        deduplicate(records, decisions=read_table(case.path))
    else:
        second = read_export(case.path, source_id=DEDUP_SOURCE).records
        deduplicate(pd.concat([records, second], ignore_index=True))


@functools.cache
def extraction_settings() -> tuple[Any, Any]:
    from srma.extraction import ExtractionSettings, outcome_specs

    with open(CORPUS / "extraction" / "review.yaml", encoding="utf-8") as fh:
        review = yaml.safe_load(fh)
    return outcome_specs(review["outcomes"]), ExtractionSettings.from_config(review["extraction"])


def _extraction(case: Case) -> None:
    from srma.conservation import check_included_data
    from srma.extraction import load_extraction

    outcomes, settings = extraction_settings()
    files = dict(EXTRACTION_BASE)
    files[case.extra["replaces"]] = case.path
    extraction = load_extraction(
        files["studies"],
        files["outcome_data"],
        outcomes=outcomes,
        settings=settings,
        included=files["included"],
    )
    assert extraction.included is not None
    check_included_data(
        extraction.included,
        extraction.outcome_data,
        included_file=str(files["included"]),
        outcome_data_file=str(files["outcome_data"]),
    )


def _config(case: Case) -> None:
    from srma.config import load_config

    load_config(case.path, review_dir=CORPUS)


def pool_argv(case: Case) -> list[str]:
    return ["pool", str(case.path), *case.extra.get("args", [])]


def _pool(case: Case) -> None:
    from srma.cli import build_parser

    args: argparse.Namespace = build_parser().parse_args(pool_argv(case))
    args.func(args)


ENTRY_POINTS = {
    "import": _import,
    "screening": _screening,
    "dedup": _dedup,
    "extraction": _extraction,
    "config": _config,
    "pool": _pool,
}


def run(case: Case) -> InputError | None:
    """Run the case's entry point; the InputError it raised, or None if it raised none.

    Any other exception propagates: that is a bug the tests report.
    """
    try:
        ENTRY_POINTS[case.stage](case)
    except InputError as exc:
        return exc
    return None


def cli_argv(case: Case, out: Path) -> list[str] | None:
    """The ``srma`` command line of a case (writing to ``out``), or None if it has none."""
    if case.cli is False:
        return None
    if case.stage == "import":
        return ["import", str(case.path), "--out", str(out), *case.extra.get("cli_args", [])]
    if case.stage == "dedup" and case.extra["role"] == "decisions":
        return ["dedup", str(DEDUP_RECORDS), "--decisions", str(case.path), "--groups", str(out)]
    if case.stage == "pool":
        return pool_argv(case)
    return None


def matches(problem: Problem, case: Case) -> bool:
    """Whether ``problem`` points where the case says (file, line/row, column, value)."""
    if case.expect_file is None:
        if problem.file is not None:
            return False
    elif problem.file is None:
        return False
    elif Path(problem.file).resolve() != (CORPUS / case.expect_file).resolve():
        return False
    for key in LOCATION_KEYS:
        if key in case.location and not _same(getattr(problem, key), case.location[key]):
            return False
    return True


def _same(actual: Any, expected: Any) -> bool:
    if actual == expected:
        return True
    return str(actual) == str(expected)


def relative(text: str) -> str:
    """A message with the corpus folder left out of its file names."""
    return text.replace(str(CORPUS) + "/", "")
