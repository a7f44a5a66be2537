from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from srma.errors import ConsistencyError, InputError
from srma.screening import ScreeningRules, resolve, validate_consensus, validate_log


def works_table(ids: list[str], stream: str = "databases") -> pd.DataFrame:
    return pd.DataFrame(
        {"work_id": ids, "stream": [stream] * len(ids), "title": [f"Title {i}" for i in ids]}
    )


def log(*rows: tuple) -> pd.DataFrame:
    """rows: (work_id, stage, reviewer, decision[, reason[, time]])"""
    recs = []
    for r in rows:
        r = list(r) + [""] * (6 - len(r))
        recs.append(
            dict(
                zip(["work_id", "stage", "reviewer", "decision", "reason", "time"], r, strict=False)
            )
        )
    return validate_log(pd.DataFrame(recs, dtype=str), file="log.csv")


def consensus(*rows: tuple) -> pd.DataFrame:
    recs = []
    for r in rows:
        r = list(r) + [""] * (4 - len(r))
        recs.append(dict(zip(["work_id", "stage", "decision", "reason"], r, strict=False)))
    return validate_consensus(pd.DataFrame(recs, dtype=str), file="consensus.csv")


TA, FT = "title_abstract", "full_text"
PENDING = ScreeningRules(allow_pending=True)


def final(result, stage: str) -> dict[str, tuple[str, str]]:
    f = result.final(stage)
    return dict(zip(f["work_id"], zip(f["decision"], f["basis"], strict=True), strict=True))


def test_dual_review_agreement_conflict_consensus_and_maybe():
    works = works_table(["W1", "W2", "W3", "W4"])
    lg = log(
        ("W1", TA, "alice", "include"),
        ("W1", TA, "bob", "maybe"),  # maybe counts as include: agreement
        ("W2", TA, "alice", "exclude"),
        ("W2", TA, "bob", "exclude"),
        ("W3", TA, "alice", "include"),
        ("W3", TA, "bob", "exclude"),  # conflict ...
        ("W4", TA, "alice", "exclude"),
        ("W4", TA, "bob", "exclude"),
        ("W1", FT, "alice", "include"),
        ("W1", FT, "bob", "include"),
        ("W3", FT, "alice", "exclude", "wrong population"),
        ("W3", FT, "bob", "exclude", "Wrong  Population"),  # same reason, other spelling
    )
    cons = consensus(("W3", TA, "include"), ("W4", TA, "include"))  # ... settled; W4 overridden
    # W4 passed title/abstract by consensus but has no full-text decision yet: the run
    # stops, unless pending decisions are allowed
    with pytest.raises(InputError, match="1 work\\(s\\) have no full_text decision: W4"):
        resolve(lg, works, cons)
    res = resolve(lg, works, cons, PENDING)
    assert final(res, TA) == {
        "W1": ("include", "agreement"),
        "W2": ("exclude", "agreement"),
        "W3": ("include", "consensus"),
        "W4": ("include", "consensus"),
    }
    assert final(res, FT) == {
        "W1": ("include", "agreement"),
        "W3": ("exclude", "agreement"),
        "W4": ("awaiting", "missing"),
    }
    ft = res.final(FT).set_index("work_id")
    assert ft.loc["W3", "reason"] == "wrong population"
    assert ft.loc["W1", "votes"] == "alice=include; bob=include"
    assert int(ft.loc["W1", "n_reviewers"]) == 2


def test_unresolved_conflict_incomplete_and_missing_stop_the_run_with_the_list():
    works = works_table(["W1", "W2", "W3"])
    lg = log(
        ("W1", TA, "alice", "include"),
        ("W1", TA, "bob", "exclude"),
        ("W2", TA, "alice", "include"),
    )
    with pytest.raises(InputError) as err:
        resolve(lg, works)
    msgs = [p.message for p in err.value.problems]
    assert len(msgs) == 3
    assert any(m.startswith("unresolved conflict on work W1 at title_abstract") for m in msgs)
    assert any("work W2 at title_abstract has 1 of the 2 decisions required" in m for m in msgs)
    assert any(m.startswith("1 work(s) have no title_abstract decision: W3") for m in msgs)
    conflict = next(p for p in err.value.problems if "conflict" in p.message)
    assert (conflict.file, conflict.row) == ("log.csv", 2)
    assert "consensus" in conflict.hint

    res = resolve(lg, works, rules=PENDING)
    assert final(res, TA) == {
        "W1": ("awaiting", "conflict"),
        "W2": ("awaiting", "incomplete"),
        "W3": ("awaiting", "missing"),
    }
    assert res.final(FT).empty
    assert len(res.pending) == 3


def test_single_reviewer_stage():
    works = works_table(["W1", "W2"])
    lg = log(
        ("W1", TA, "alice", "include"),
        ("W2", TA, "alice", "exclude"),
        ("W1", FT, "alice", "include"),
    )
    rules = ScreeningRules(reviewers_title_abstract=1, reviewers_full_text=1)
    res = resolve(lg, works, rules=rules)
    assert final(res, TA) == {"W1": ("include", "single"), "W2": ("exclude", "single")}
    assert final(res, FT) == {"W1": ("include", "single")}
    # with two reviewers required at full text, one decision is not enough
    with pytest.raises(InputError, match="1 of the 2 decisions required"):
        resolve(lg, works, rules=dataclasses.replace(rules, reviewers_full_text=2))


def test_maybe_not_counting_as_include_needs_consensus():
    works = works_table(["W1", "W2"])
    lg = log(
        ("W1", TA, "alice", "maybe"),
        ("W1", TA, "bob", "maybe"),
        ("W2", TA, "alice", "include"),
        ("W2", TA, "bob", "maybe"),
    )
    rules = ScreeningRules(maybe_counts_as_include=False, allow_pending=True)
    res = resolve(lg, works, rules=rules)
    assert final(res, TA) == {"W1": ("awaiting", "undecided"), "W2": ("awaiting", "conflict")}
    res = resolve(lg, works, rules=PENDING)
    assert final(res, TA) == {"W1": ("include", "agreement"), "W2": ("include", "agreement")}


def test_full_text_exclusions_with_different_reasons_are_a_conflict():
    works = works_table(["W1"])
    lg = log(
        ("W1", TA, "alice", "include"),
        ("W1", TA, "bob", "include"),
        ("W1", FT, "alice", "exclude", "wrong population"),
        ("W1", FT, "bob", "exclude", "wrong outcome"),
    )
    with pytest.raises(InputError, match="unresolved conflict on work W1 at full_text"):
        resolve(lg, works)
    res = resolve(lg, works, consensus(("W1", FT, "exclude", "wrong outcome")))
    ft = res.final(FT)
    assert (ft["decision"].item(), ft["reason"].item(), ft["basis"].item()) == (
        "exclude",
        "wrong outcome",
        "consensus",
    )


def test_not_retrieved_reason_counts_as_not_retrieved():
    works = works_table(["W1", "W2"])
    lg = log(
        *[(w, TA, r, "include") for w in ("W1", "W2") for r in ("alice", "bob")],
        ("W1", FT, "alice", "exclude", "Full text not available"),
        ("W1", FT, "bob", "exclude", "full text not available"),
        ("W2", FT, "alice", "exclude", "wrong design"),
        ("W2", FT, "bob", "exclude", "wrong design"),
    )
    res = resolve(lg, works)
    assert final(res, FT) == {
        "W1": ("not_retrieved", "agreement"),
        "W2": ("exclude", "agreement"),
    }


def test_repeated_decisions_of_one_reviewer():
    works = works_table(["W1", "W2", "W3"])
    lg = log(
        ("W1", TA, "alice", "include"),
        ("W1", TA, "alice", "include"),  # identical: counts once
        ("W1", TA, "bob", "include"),
        ("W2", TA, "alice", "exclude", "", "2024-01-01"),
        ("W2", TA, "alice", "include", "", "2024-02-01"),  # later: wins
        ("W2", TA, "bob", "include"),
        ("W3", TA, "alice", "exclude"),
        ("W3", TA, "alice", "include"),  # no times: cannot tell which is current
        ("W3", TA, "bob", "include"),
    )
    with pytest.raises(InputError) as err:
        resolve(lg, works, rules=PENDING)
    assert len(err.value.problems) == 1
    p = err.value.problems[0]
    assert "reviewer 'alice' has 2 different decisions on work W3" in p.message
    assert (p.file, p.row) == ("log.csv", 8)
    ok = lg[lg["row"] != 9]  # alice's "include" on W3 deleted: her "exclude" stands
    res = resolve(ok, works, rules=PENDING)
    assert final(res, TA) == {
        "W1": ("include", "agreement"),
        "W2": ("include", "agreement"),  # alice's later decision won
        "W3": ("awaiting", "conflict"),
    }
    assert res.log.query("work_id == 'W1'")["reviewer"].tolist() == ["alice", "bob"]


def test_decisions_for_unknown_works():
    works = works_table(["W1"])
    lg = log(
        ("W1", TA, "alice", "exclude"), ("W1", TA, "bob", "exclude"), ("W9", TA, "bob", "include")
    )
    cons = consensus(("W8", TA, "include"))
    with pytest.raises(InputError) as err:
        resolve(lg, works, cons)
    got = [(p.file, p.row, p.value) for p in err.value.problems]
    assert got == [("log.csv", 4, "W9"), ("consensus.csv", 2, "W8")]
    res = resolve(lg, works, cons, PENDING)
    assert res.unknown[["kind", "work_id"]].values.tolist() == [["log", "W9"], ["consensus", "W8"]]
    assert final(res, TA) == {"W1": ("exclude", "agreement")}


def test_full_text_decision_for_a_work_excluded_at_title_abstract():
    works = works_table(["W1"])
    lg = log(
        ("W1", TA, "alice", "exclude"),
        ("W1", TA, "bob", "exclude"),
        ("W1", FT, "alice", "include"),
    )
    with pytest.raises(InputError, match="excluded at title/abstract") as err:
        resolve(lg, works, rules=PENDING)  # a contradiction, not a pending decision
    assert err.value.problems[0].row == 4


def test_only_works_passing_title_abstract_get_full_text_rows():
    works = works_table(["W1", "W2"])
    lg = log(
        ("W1", TA, "alice", "include"),
        ("W1", TA, "bob", "include"),
        ("W2", TA, "alice", "exclude"),
        ("W2", TA, "bob", "exclude"),
        ("W1", FT, "alice", "include"),
        ("W1", FT, "bob", "include"),
    )
    res = resolve(lg, works)
    assert res.final(FT)["work_id"].tolist() == ["W1"]
    assert res.decisions["stage"].tolist() == [TA, TA, FT]


def test_rules_from_config_mapping():
    rules = ScreeningRules.from_dict(
        {"reviewers": {"title_abstract": 2, "full_text": 1}, "allow_pending": True}
    )
    assert (rules.reviewers(TA), rules.reviewers(FT), rules.allow_pending) == (2, 1, True)
    assert ScreeningRules.from_dict({"reviewers": 1}).reviewers(TA) == 1
    with pytest.raises(InputError, match="unknown screening setting 'alow_pending'"):
        ScreeningRules.from_dict({"alow_pending": True})
    with pytest.raises(InputError, match="must be 1 or 2"):
        ScreeningRules(reviewers_full_text=3)


def test_works_table_must_be_consistent():
    with pytest.raises(ConsistencyError, match="duplicate work ids"):
        resolve(log(("W1", TA, "a", "include")), works_table(["W1", "W1"]))
