"""Fixtures for tests/review: fresh review folders made by srma init."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from srma.review import init_review

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared").resolve()
#: A small real export (64 EBSCOhost PsycINFO records, RIS) from ../shared.
RIS_EXPORT = (
    SHARED / "benchmarks" / "exports" / "ris" / "ebsco" / "citesource_ebsco_psycinfo_64.ris"
)


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> Path:
    """One review folder as `srma init` leaves it (do not modify: copy it)."""
    root = tmp_path_factory.mktemp("pristine") / "myreview"
    init_review(root, title="IMR for severe mental illness")
    return root


@pytest.fixture
def review(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy of the pristine review folder, to modify."""
    dest = tmp_path / "myreview"
    shutil.copytree(pristine, dest)
    return dest


@pytest.fixture(scope="session")
def ris_export() -> Path:
    if not RIS_EXPORT.is_file():
        pytest.skip("../shared is not beside the repository")
    return RIS_EXPORT


def add_source(review: Path, export: Path, source_id: str = "psycinfo", database: str = "PsycINFO"):
    """Copy an export into data/exports/ and list it under sources in the config."""
    target = review / "data" / "exports" / f"{source_id}{export.suffix}"
    shutil.copyfile(export, target)
    config = review / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    line = f"  - {{id: {source_id}, path: data/exports/{target.name}, database: {database}}}"
    assert "\nsources: []\n" in text
    config.write_text(text.replace("\nsources: []\n", f"\nsources:\n{line}\n"), encoding="utf-8")
    return target
