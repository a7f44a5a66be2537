"""srma.figures.outcome: every figure of one outcome, drawn in one job."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from srma.analysis import AnalysisSettings, run_analysis
from srma.figures.outcome import (
    FigureOptions,
    figure_kinds,
    figure_label,
    plot_figure,
    plot_outcome_figures,
)


def _effects(k: int) -> pd.DataFrame:
    yi = [0.2, 0.4, -0.1, 0.3, 0.1, 0.5][:k]
    return pd.DataFrame(
        {
            "study_id": [f"s{i}" for i in range(k)],
            "label": [f"Study {i} 20{10 + i}" for i in range(k)],
            "yi": yi,
            "vi": [0.04, 0.05, 0.03, 0.06, 0.05, 0.04][:k],
            "n_intervention": [40] * k,
            "n_comparator": [41] * k,
            "comparator_type": (["tau", "active"] * 3)[:k],
        }
    )


def _analysis(k: int, **settings) -> dict:
    plan = AnalysisSettings(subgroup_by=("comparator_type",), min_studies_bias=3, **settings)
    # through JSON, as the figure job reads it
    return json.loads(json.dumps(run_analysis(_effects(k), plan, measure="SMD")))


def test_figure_kinds_follow_what_pooling_computed() -> None:
    assert figure_kinds(_analysis(1)) == ["forest"]
    # two studies: pooled and split by subgroup, too few for leave-one-out and Egger's test
    assert figure_kinds(_analysis(2)) == ["forest", "subgroups.comparator_type"]
    assert figure_kinds(_analysis(4)) == [
        "forest",
        "leave_one_out",
        "funnel",
        "subgroups.comparator_type",
    ]
    assert figure_kinds(_analysis(4, leave_one_out=False)) == [
        "forest",
        "funnel",
        "subgroups.comparator_type",
    ]


def test_figure_labels() -> None:
    assert figure_label("forest") == "Forest plot"
    assert figure_label("leave_one_out") == "Leave-one-out"
    assert figure_label("funnel") == "Funnel plot"
    assert figure_label("subgroups.comparator_type") == "Forest plot by comparator type"


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown figure kind"):
        plot_figure(_analysis(3), "violin", tmp_path / "x", options=FigureOptions())


def test_outcome_folder_holds_every_figure_of_every_analysis(tmp_path: Path) -> None:
    analyses = {"post.cc": _analysis(4), "followup.cc": _analysis(1)}
    titles = {"post.cc": "Hope, post-test", "followup.cc": "Hope, follow-up"}
    written = plot_outcome_figures(
        analyses,
        tmp_path / "hope",
        options=FigureOptions(favours_control="Favours [usual care]"),
        titles=titles,
        subgroup_labels={"tau": "Treatment as usual", "active": "Active control"},
    )
    names = [p.name for p in written]
    stems = [
        "followup.cc.forest",
        "post.cc.forest",
        "post.cc.leave_one_out",
        "post.cc.funnel",
        "post.cc.subgroups.comparator_type",
    ]
    assert names == [f"{s}.{ext}" for s in stems for ext in ("svg", "png", "pdf")]
    assert sorted(p.name for p in (tmp_path / "hope").iterdir()) == sorted(names)
    # each figure is the one its name says, with the analysis's title and the options
    forest = (tmp_path / "hope" / "post.cc.forest.svg").read_text(encoding="utf-8")
    assert "Hope, post-test" in forest and "Favours [usual care]" in forest
    subgroups = (tmp_path / "hope" / "post.cc.subgroups.comparator_type.svg").read_text("utf-8")
    assert "Hope, post-test: subgroups by comparator type" in subgroups
    assert "Treatment as usual" in subgroups and "Test for subgroup differences" in subgroups
    loo = (tmp_path / "hope" / "post.cc.leave_one_out.svg").read_text(encoding="utf-8")
    assert "Omitting Study 0 2010" in loo
    funnel = (tmp_path / "hope" / "post.cc.funnel.svg").read_text(encoding="utf-8")
    assert "Egger" in funnel
    assert "Hope, follow-up" in (tmp_path / "hope" / "followup.cc.forest.svg").read_text("utf-8")


def test_forked_workers_write_the_same_bytes(tmp_path: Path) -> None:
    analyses = {"post.cc": _analysis(4), "post.itt": _analysis(2)}
    one = plot_outcome_figures(analyses, tmp_path / "one", options=FigureOptions(), workers=1)
    two = plot_outcome_figures(analyses, tmp_path / "two", options=FigureOptions(), workers=2)
    assert [p.name for p in one] == [p.name for p in two]
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_rob_judgements_from_records_or_a_table() -> None:
    from srma.figures.from_results import rob_judgements

    rows = [
        {
            "study_id": "b",
            "tool": "rob1",
            "domain": "random_sequence_generation",
            "judgement": "low",
        },
        {"study_id": "b", "tool": "rob1", "domain": "overall", "judgement": "high"},
        {
            "study_id": "a",
            "tool": "rob1",
            "domain": "random_sequence_generation",
            "judgement": "unclear",
        },
        {"study_id": "a", "tool": "rob1", "domain": "overall", "judgement": "unclear"},
    ]
    outcomes = [None, None, float("nan"), None]
    rows = [{**r, "outcome": o} for r, o in zip(rows, outcomes, strict=True)]
    # an outcome-level judgement overrides the study's own for that outcome only
    specific = {**rows[0], "outcome": "hope", "judgement": "high"}
    table = [*rows, specific]
    tool, judgements, overall = rob_judgements(table, "hope")
    assert tool == "rob1"
    assert list(judgements) == ["a", "b"]
    assert judgements["b"][0] == "high" and judgements["a"][0] == "unclear"
    assert overall == {"a": "unclear", "b": "high"}
    assert rob_judgements(table, "qol")[1]["b"][0] == "low"
    assert rob_judgements(table)[1]["b"][0] == "low"
    # the same from a DataFrame
    assert rob_judgements(pd.DataFrame(table), "hope") == (tool, judgements, overall)
