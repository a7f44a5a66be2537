"""Copies of the example review for workflow tests, and running Snakemake on them."""

from __future__ import annotations

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


def snakemake(review: Path, *args: str, timeout: float = 600) -> Run:
    proc = subprocess.run(
        [SNAKEMAKE, "--cores", "2", *args],
        cwd=review,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)
