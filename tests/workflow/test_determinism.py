"""Two clean runs of the example review give byte-identical results (issue 9).

The second run is made in another folder (at another depth), with another string hash seed
(set and dict orders of strings) and another time zone than the shared full run
(``example_run``: PYTHONHASHSEED=0, UTC), so that neither absolute paths, iteration order nor
local time can leak into a result. Compared: every file under results/, except the provenance
records (``*.prov.json``: they hold the times and the run's identity, on purpose) and the
rules' logs (results/logs/: they hold timings).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.workflow.review import FULL_RUN_ENV, copy_review, snakemake

pytestmark = [pytest.mark.workflow, pytest.mark.slow]

OTHER_ENV = {"PYTHONHASHSEED": "4242", "TZ": "Pacific/Auckland"}


def results(review: Path) -> dict[str, str]:
    """SHA-256 of every result (provenance records and logs aside), by path."""
    out = {}
    for path in sorted((review / "results").rglob("*")):
        rel = path.relative_to(review / "results").as_posix()
        if path.is_file() and not rel.startswith("logs/") and not rel.endswith(".prov.json"):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def two_runs(example_run, tmp_path_factory) -> tuple[dict[str, str], dict[str, str]]:
    assert OTHER_ENV.keys() == FULL_RUN_ENV.keys() and OTHER_ENV != FULL_RUN_ENV
    second = copy_review(tmp_path_factory.mktemp("second") / "a" / "b" / "review")
    run = snakemake(second, timeout=1500, env=OTHER_ENV)
    assert run.returncode == 0, run.output[-4000:]
    return results(example_run), results(second)


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
