"""The example review, run end to end from its raw exports, reproduces the paper's numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.workflow.review import copy_review, snakemake

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    path = copy_review(tmp_path_factory.mktemp("example") / "review")
    run = snakemake(path)
    assert run.returncode == 0, run.output[-4000:]
    return path


def test_every_record_is_imported(review):
    n = sum(len(pd.read_parquet(p)) for p in (review / "results" / "records").glob("*.parquet"))
    assert n == 1093 + 476


def test_prisma_counts_match_the_paper(review, shared):
    ours = pd.read_csv(review / "results/prisma/counts.csv")
    ours = {(s, b): c for s, b, c in ours.itertuples(index=False)}
    ref = pd.read_csv(shared / "reference" / "prisma-counts.csv")
    for stream, box, count in ref.itertuples(index=False):
        assert ours[(stream, box)] == count, f"{stream},{box}: {ours[(stream, box)]} != {count}"


def test_dedup_outputs_are_consistent(review):
    works = pd.read_parquet(review / "results/dedup/works.parquet")
    dups = pd.read_csv(review / "results/dedup/duplicates.csv")
    assert len(works) + len(dups) == 1093 + 476
    assert works["work_id"].is_unique
    assert set(dups["work_id"]) <= set(works["work_id"])


def test_prisma_figure_shows_the_counts(review):
    svg = (review / "results/figures/prisma/prisma.svg").read_text()
    for text in ("n = 1,093", "n = 925", "n = 168", "n = 142", "n = 26", "n = 476", "n = 14"):
        assert text in svg
