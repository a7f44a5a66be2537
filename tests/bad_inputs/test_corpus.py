"""Every bad input of the corpus gives one clear InputError at its stage's entry point, and
through ``srma import`` / ``srma dedup`` / ``srma pool`` exit status 2, the message on
stderr, no traceback and no output file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from srma.cli import main
from tests.bad_inputs.corpus import (
    CORPUS,
    LOCATION_KEYS,
    STAGES,
    Case,
    cases,
    cli_argv,
    manifest,
    matches,
    relative,
    run,
    workflow_cases,
)

#: Files of the corpus that are not bad inputs themselves: the fixtures the cases break.
FIXTURES = {
    "cases.yaml",
    "make_corpus.py",
    "screening/works.csv",
    "dedup/records.ris",
    "extraction/review.yaml",
}


def _where(problem) -> str:
    return str({k: getattr(problem, k) for k in ("file", *LOCATION_KEYS)})


@pytest.mark.parametrize("case", cases(), ids=str)
def test_library_entry_point_raises_one_clear_input_error(case: Case) -> None:
    err = run(case)  # any exception but InputError fails the test
    assert err is not None, f"{case.file} was accepted: {case.input}"
    message = str(err)
    for fragment in case.fragments:
        assert fragment in message, f"{fragment!r} not in:\n{relative(message)}"
    assert any(matches(p, case) for p in err.problems), (
        f"no problem points at {case.expect_file} {case.location}; problems: "
        + "; ".join(_where(p) for p in err.problems)
    )
    for problem in err.problems:  # every problem says what to do, or is a listing
        assert problem.hint or problem.message.startswith("..."), problem
    assert "Traceback" not in message


CLI_CASES = [c for c in cases() if c.stage in ("import", "dedup", "pool") and c.cli is not False]


@pytest.mark.parametrize("case", CLI_CASES, ids=str)
def test_command_line_exits_2_with_the_message(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    argv = cli_argv(case, out)
    assert argv is not None
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("srma: error: ")
    for fragment in case.fragments:
        assert fragment in captured.err
    assert str(case.path) in captured.err or case.expect_file != case.file
    assert "Traceback" not in captured.err
    assert not out.exists(), "a failed command left its output behind"
    assert not list(tmp_path.iterdir()), "a failed command left files behind"


# --------------------------------------------------------------------------- the manifest


def test_manifest_cases_are_well_formed() -> None:
    ids = [c.id for c in cases()] + [w.id for w in workflow_cases()]
    assert len(ids) == len(set(ids)), "case ids repeat"
    allowed = {
        "import": set(),
        "screening": {"replaces"},
        "dedup": {"role"},
        "extraction": {"replaces"},
        "config": set(),
        "pool": {"args"},
    }
    for case in cases():
        assert re.fullmatch(r"[a-z0-9_]+", case.id), case.id
        assert case.stage in STAGES, case.id
        assert case.path.is_file(), case.file
        assert case.fragments and all(isinstance(f, str) and f for f in case.fragments)
        assert set(case.location) <= set(LOCATION_KEYS), case.id
        assert not ("line" in case.location and "row" in case.location), case.id
        assert case.cli in (True, False, "subprocess"), case.id
        assert set(case.extra) <= allowed[case.stage] | {"args"}, case.id
        assert case.input.strip(), case.id


def test_every_corpus_file_is_a_case() -> None:
    """No bad file lies in the corpus untested."""
    used = {c.file for c in cases()} | FIXTURES
    files = {
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*")
        if p.is_file() and "base" not in p.parts and "__pycache__" not in p.parts
    }
    assert files - used == set()


def test_every_stage_and_the_brief_are_covered() -> None:
    """The inputs the issue names are all in the corpus."""
    by_stage = {s: [c.id for c in cases() if c.stage == s] for s in STAGES}
    assert all(len(ids) >= 5 for ids in by_stage.values()), by_stage
    ids = {c.id for c in cases()}
    required = {
        "import_empty", "import_ris_no_end_tag", "import_binary_garbage", "import_mixed_encodings",
        "dedup_duplicate_record_ids", "screening_unknown_decision", "screening_conflict",
        "dedup_decided_both_ways", "screening_unknown_work", "extraction_negative_sd",
        "extraction_zero_sd", "extraction_n_zero", "pool_n_zero", "extraction_ci_excludes_estimate",
        "extraction_p_zero", "extraction_p_one", "extraction_unknown_outcome",
        "extraction_unknown_instrument", "extraction_never_included", "config_unknown_key",
        "config_wrong_type", "config_python_object", "config_path_climbs", "config_path_absolute",
    }  # fmt: skip
    assert required <= ids, required - ids
    assert {c.cli for c in cases() if c.stage in ("import", "dedup", "pool")} >= {"subprocess"}


def test_generated_files_are_up_to_date() -> None:
    """The binary files of the corpus are exactly what make_corpus.py writes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, data in module.files().items():
        assert (CORPUS / name).read_bytes() == data, f"{name}: run tests/data/bad/make_corpus.py"


def test_workflow_cases_are_well_formed() -> None:
    for case in workflow_cases():
        assert set(case.edit) <= {"file", "truncate", "replace", "append", "prepend"}, case.id
        assert case.fragments, case.id
        assert case.target.startswith("results/"), case.id
    assert manifest()["workflow"], "no workflow cases"
