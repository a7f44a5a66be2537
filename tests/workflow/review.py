"""Copies of the example review for workflow tests, and running Snakemake on them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: What a review folder holds (the rest of the repository is not needed to run it).
REVIEW_PARTS = ("Snakefile", "workflow", "scripts", "config", "data", "environment.yml")
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


def copy_review(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for part in REVIEW_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def rules_run(self) -> list[str]:
        """Rules of the jobs Snakemake finished, from its own log lines."""
        return re.findall(r"Finished jobid: \d+ \(Rule: (\w+)\)", self.output)


def snakemake(
    review: Path, *args: str, timeout: float = 600, env: dict[str, str] | None = None
) -> Run:
    """``snakemake --cores 2 *args`` in ``review``; ``env`` is added to this environment."""
    proc = subprocess.run(
        [SNAKEMAKE, "--cores", "2", *args],
        cwd=review,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env} if env else None,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def copy_run(src: Path, dest: Path) -> Path:
    """A copy of a review after a run, modification times kept (``cp -a``), so that
    Snakemake sees in the copy exactly what it saw in ``src``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", str(src), str(dest)], check=True)
    return dest


#: The environment of the shared full run (tests/workflow/conftest.py, ``example_run``).
FULL_RUN_ENV = {"PYTHONHASHSEED": "0", "TZ": "UTC"}


def full_run(root: Path, timeout: float = 1500) -> Path:
    """One full run of the example review under ``root``, made once and shared.

    Every test process that asks waits on a lock in ``root`` for the first one to make it
    (pytest-xdist workers share ``root``); a failed run is reported to each of them.  Tests
    read the result, or change a :func:`copy_run` of it, never the run itself.
    """
    import fcntl

    review = root / "example_run" / "review"
    status = root / "example_run" / "status"
    output = root / "example_run" / "output.txt"
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "example_run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not status.exists():
                copy_review(review)
                run = snakemake(review, timeout=timeout, env=FULL_RUN_ENV)
                output.write_text(run.output, encoding="utf-8")
                status.write_text(str(run.returncode), encoding="utf-8")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    if status.read_text(encoding="utf-8") != "0":
        raise AssertionError(
            "the full run of the example review failed:\n"
            + output.read_text(encoding="utf-8")[-4000:]
        )
    return review
