"""Two clean runs of the example review give byte-identical results (issue 9).

The runs are made in two different folders, with different string hash seeds (set and dict
orders of strings) and time zones, so that neither absolute paths, iteration order nor local
time can leak into a result. Compared: every file under results/, except the provenance
records (``*.prov.json``: they hold the times and the run's identity, on purpose) and the
rules' logs (results/logs/: they hold timings).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from tests.workflow.review import SNAKEMAKE, copy_review

pytestmark = [pytest.mark.workflow, pytest.mark.slow]


def clean_run(review: Path, hash_seed: str, tz: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "TZ": tz}
    proc = subprocess.run(
        [SNAKEMAKE, "--cores", "2"],
        cwd=review,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]


def results(review: Path) -> dict[str, str]:
    """SHA-256 of every result (provenance records and logs aside), by path."""
    out = {}
    for path in sorted((review / "results").rglob("*")):
        rel = path.relative_to(review / "results").as_posix()
        if path.is_file() and not rel.startswith("logs/") and not rel.endswith(".prov.json"):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[dict[str, str], dict[str, str]]:
    first = copy_review(tmp_path_factory.mktemp("first") / "review")
    second = copy_review(tmp_path_factory.mktemp("second") / "a" / "review")
    clean_run(first, hash_seed="0", tz="UTC")
    clean_run(second, hash_seed="4242", tz="Pacific/Auckland")
    return results(first), results(second)


def test_two_clean_runs_make_the_same_files(two_runs):
    first, second = two_runs
    assert set(first) == set(second)
    # every kind of result is there: tables, parquet, pooled JSON, figures in three formats
    suffixes = {Path(p).suffix for p in first}
    assert suffixes >= {".csv", ".parquet", ".json", ".svg", ".png", ".pdf", ".xlsx"}
    assert len(first) > 100


def test_two_clean_runs_make_byte_identical_results(two_runs):
    first, second = two_runs
    differ = sorted(p for p in set(first) & set(second) if first[p] != second[p])
    assert differ == []
