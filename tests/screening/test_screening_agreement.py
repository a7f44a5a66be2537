from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srma.screening import agreement, cohen_kappa, kappa_from_table, validate_log

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference" / "screening_kappa.json"


def test_textbook_example_by_hand():
    # Cohen J (1960) Educ Psychol Meas 20:37-46: kappa = (p_o - p_e) / (1 - p_e).
    # Worked example of the Wikipedia article "Cohen's kappa" (50 grant proposals):
    # both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    # p_o = (20 + 15) / 50 = 0.70
    # p_e = (25/50)(30/50) + (25/50)(20/50) = 0.30 + 0.20 = 0.50
    # kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
    res = kappa_from_table(20, 5, 10, 15)
    assert res.n == 50
    assert res.percent_agreement == pytest.approx(70.0, abs=1e-12)
    assert res.kappa == pytest.approx(0.4, abs=1e-12)


def test_second_example_by_hand():
    # a=26, b=4, c=2, d=136 (n=168, like title/abstract screening)
    # p_o = 162/168; p_e = (30*28 + 138*140) / 168^2 = (840 + 19320) / 28224 = 20160/28224
    # kappa = (162/168 - 20160/28224) / (1 - 20160/28224) = (27216 - 20160) / (28224 - 20160)
    #       = 7056 / 8064 = 0.875
    assert kappa_from_table(26, 4, 2, 136).kappa == pytest.approx(0.875, abs=1e-12)


def test_against_r_caret_reference():
    ref = json.loads(REFERENCE.read_text())
    assert len(ref["tables"]) == 5
    for t in ref["tables"]:
        res = kappa_from_table(t["a"], t["b"], t["c"], t["d"])
        # caret::confusionMatrix(...)$overall[c("Kappa", "Accuracy")], written with
        # 15 significant digits (jsonlite digits = NA): rel 1e-12 leaves room only for
        # floating-point rounding of the same closed-form formula.
        assert res.kappa == pytest.approx(t["kappa"], rel=1e-12, abs=1e-14), t["call"]
        assert res.percent_agreement / 100 == pytest.approx(t["accuracy"], rel=1e-12), t["call"]


def test_undefined_kappa():
    # both reviewers put every work in one category: p_e = 1, kappa undefined
    assert math.isnan(kappa_from_table(0, 0, 0, 12).kappa)
    assert kappa_from_table(0, 0, 0, 12).percent_agreement == 100.0
    assert math.isnan(kappa_from_table(0, 0, 0, 0).kappa)
    with pytest.raises(ValueError):
        kappa_from_table(-1, 0, 0, 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60))
def test_kappa_properties(pairs):
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    res = cohen_kappa(a, b)
    swapped = cohen_kappa(b, a)
    assert res.n == len(pairs)
    assert res.both_include + res.a_include_b_exclude + res.a_exclude_b_include + (
        res.both_exclude
    ) == len(pairs)
    if math.isnan(res.kappa):
        assert math.isnan(swapped.kappa)
    else:
        assert res.kappa == pytest.approx(swapped.kappa, abs=1e-12)  # symmetric
        assert -1.0 - 1e-12 <= res.kappa <= 1.0 + 1e-12
    if (a == b).all() and 0 < a.sum() < len(a):
        assert res.kappa == pytest.approx(1.0)


def test_agreement_table_per_stage_and_pair():
    rows = []
    # title/abstract: alice and bob on 50 works, table (20, 5, 10, 15) with maybe = include
    cells = [("include", "include")] * 20 + [("maybe", "exclude")] * 5
    cells += [("exclude", "include")] * 10 + [("exclude", "exclude")] * 15
    for i, (x, y) in enumerate(cells):
        rows += [
            {"work_id": f"W{i:02d}", "stage": "title_abstract", "reviewer": "alice", "decision": x},
            {"work_id": f"W{i:02d}", "stage": "title_abstract", "reviewer": "bob", "decision": y},
        ]
    # a third reviewer on 4 works at full text with alice
    for i, (x, y) in enumerate([("include", "include"), ("exclude", "exclude")] * 2):
        rows += [
            {
                "work_id": f"W{i:02d}",
                "stage": "full_text",
                "reviewer": "alice",
                "decision": x,
                "reason": "r" if x == "exclude" else "",
            },
            {
                "work_id": f"W{i:02d}",
                "stage": "full_text",
                "reviewer": "carol",
                "decision": y,
                "reason": "r" if y == "exclude" else "",
            },
        ]
    # bob also decides 4 other works at full text (no overlap with carol)
    for i in range(10, 14):
        rows.append(
            {"work_id": f"W{i:02d}", "stage": "full_text", "reviewer": "bob", "decision": "include"}
        )
        rows.append(
            {
                "work_id": f"W{i:02d}",
                "stage": "full_text",
                "reviewer": "alice",
                "decision": "exclude",
                "reason": "r",
            }
        )
    log = validate_log(pd.DataFrame(rows).fillna("").astype(str), file="log.csv")
    table = agreement(log)
    assert table[["stage", "reviewer_a", "reviewer_b", "n"]].values.tolist() == [
        ["title_abstract", "alice", "bob", 50],
        ["full_text", "alice", "bob", 4],
        ["full_text", "alice", "carol", 4],
        ["full_text", "all", "all", 8],
    ]
    ta = table.iloc[0]
    assert (ta.both_include, ta.a_include_b_exclude, ta.a_exclude_b_include, ta.both_exclude) == (
        20,
        5,
        10,
        15,
    )
    assert ta.kappa == pytest.approx(0.4, abs=1e-12)
    assert ta.percent_agreement == pytest.approx(70.0)
    assert table.iloc[2].kappa == pytest.approx(1.0)
    assert table.iloc[1].percent_agreement == 0.0
    pooled = table.iloc[3]
    assert (
        pooled.both_include,
        pooled.a_include_b_exclude,
        pooled.a_exclude_b_include,
        pooled.both_exclude,
    ) == (2, 0, 4, 2)
