"""A few cases of the corpus through the installed ``srma`` program, as a user runs it:
exit status 2, the message on stderr, no traceback, no output file.  (Every import, dedup
and pool case also runs through ``srma.cli.main`` in test_corpus.py.)"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.bad_inputs.corpus import Case, cases, cli_argv

SRMA = str(Path(sys.executable).with_name("srma"))
SUBPROCESS_CASES = [c for c in cases() if c.cli == "subprocess"]
TIMEOUT = 120
Completed = subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Completed]]:
    """Every subprocess case, run two at a time (each pays Python's start-up)."""

    folders = {c.id: tmp_path_factory.mktemp(c.id) for c in SUBPROCESS_CASES}  # not in threads

    def one(case: Case) -> tuple[str, tuple[Path, Completed]]:
        folder = folders[case.id]
        argv = cli_argv(case, folder / "out.csv")
        assert argv is not None, case.id
        proc = subprocess.run(
            [SRMA, *argv], capture_output=True, text=True, timeout=TIMEOUT, cwd=folder
        )
        return case.id, (folder, proc)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, SUBPROCESS_CASES))


def test_each_command_has_subprocess_cases() -> None:
    commands = {c.stage for c in SUBPROCESS_CASES}
    assert commands == {"import", "dedup", "pool"}


@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=str)
def test_srma_exits_2_with_one_clear_message(case: Case, runs) -> None:
    folder, proc = runs[case.id]
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.startswith("srma: error: ")
    for fragment in case.fragments:
        assert fragment in proc.stderr
    assert str(case.path) in proc.stderr
    assert list(folder.iterdir()) == [], "a failed command left files behind"
