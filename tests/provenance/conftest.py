"""Fixtures: the tiny review of _prov_helpers.py after a complete run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _prov_helpers import Review, make_review


@pytest.fixture
def review(tmp_path: Path) -> Review:
    """The review after a complete run: every output and its record."""
    rev = make_review(tmp_path / "review")
    rev.run_import()
    rev.run_plot()
    return rev


@pytest.fixture
def in_review(review: Review):
    """Run the test inside the review folder."""
    old = Path.cwd()
    os.chdir(review.root)
    try:
        yield review
    finally:
        os.chdir(old)
