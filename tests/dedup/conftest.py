from __future__ import annotations

from pathlib import Path

import pytest

DEDUP_BENCH = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "dedup"


@pytest.fixture(scope="session")
def dedup_bench() -> Path:
    if not DEDUP_BENCH.exists():
        pytest.skip("../shared/benchmarks/dedup is not beside the repository")
    return DEDUP_BENCH.resolve()
