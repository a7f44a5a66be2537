"""Fixtures for the importer tests: the shared sample exports, read once per session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from srma.io import ImportResult, read_export


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


EXPORTS = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "exports"


@pytest.fixture(scope="session")
def exports_dir() -> Path:
    """``../shared/benchmarks/exports`` (the tests using it skip if it is absent)."""
    if not EXPORTS.is_dir():
        pytest.skip("../shared/benchmarks/exports is not beside the repository")
    return EXPORTS


@pytest.fixture(scope="session")
def load(exports_dir: Path) -> Callable[..., ImportResult]:
    """``load("ris/wos/x.ris", **kwargs)``: ``read_export`` of a sample export, cached."""
    cache: dict[tuple[str, tuple[tuple[str, Any], ...]], ImportResult] = {}

    def _load(relative: str, **kwargs: Any) -> ImportResult:
        key = (relative, tuple(sorted(kwargs.items())))
        if key not in cache:
            cache[key] = read_export(exports_dir / relative, **kwargs)
        return cache[key]

    return _load
