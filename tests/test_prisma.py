from __future__ import annotations

import pandas as pd
import pytest

from srma.errors import ConsistencyError
from srma.prisma import as_mapping, check_flow, prisma_counts
from srma.screening import ScreeningRules, resolve, validate_consensus, validate_log

TA, FT = "title_abstract", "full_text"

DATABASES = [
    ("CINAHL", 150),
    ("Embase", 300),
    ("ProQuest", 80),
    ("PsycINFO", 140),
    ("PubMed", 90),
    ("Scopus", 233),
    ("Web of Science", 100),
]  # 1,093 records
OTHER = [("Citation searching", 400), ("Hand searching", 76)]  # 476 records
FT_REASONS = ["wrong study design"] * 6 + ["wrong intervention"] * 4 + ["wrong population"] * 3


def reference_case():
    """A review shaped like Goh et al. (2023): databases 1,093 records -> 168 works ->
    142 excluded -> 26 assessed -> 13 excluded, 13 included; other methods 476 records
    -> 176 works (300 duplicates of database works or of each other) -> 4 sought ->
    3 excluded, 1 included.  Two reviewers; some conflicts settled by consensus."""
    db = [f"D{i:03d}" for i in range(168)]
    om = [f"O{i:03d}" for i in range(176)]
    works = pd.DataFrame(
        {
            "work_id": db + om,
            "stream": ["databases"] * len(db) + ["other_methods"] * len(om),
            "title": [f"Work {w}" for w in db + om],
        }
    )
    rows, cons = [], []

    def pair(work, stage, a, b, reason_a="", reason_b=None):
        reason_b = reason_a if reason_b is None else reason_b
        rows.append((work, stage, "alice", a, reason_a if a == "exclude" else ""))
        rows.append((work, stage, "bob", b, reason_b if b == "exclude" else ""))

    for k, w in enumerate(db):
        if k < 26:
            pair(w, TA, "include", "maybe" if k % 5 == 0 else "include")
        elif k < 30:  # conflicts, settled: exclude
            pair(w, TA, "include", "exclude")
            cons.append((w, TA, "exclude", ""))
        else:
            pair(w, TA, "exclude", "exclude")
    for k, w in enumerate(db[:26]):
        if k < 13:
            pair(w, FT, "include", "include")
        elif k == 13:  # conflict on the reason, settled
            pair(w, FT, "exclude", "exclude", FT_REASONS[0], "wrong outcome")
            cons.append((w, FT, "exclude", FT_REASONS[0]))
        else:
            pair(w, FT, "exclude", "exclude", FT_REASONS[k - 13])
    for k, w in enumerate(om):
        pair(w, TA, *(("include", "include") if k < 4 else ("exclude", "exclude")))
    pair(om[0], FT, "include", "include")
    for w in om[1:4]:
        pair(w, FT, "exclude", "exclude", "not a randomised controlled trial")

    log = validate_log(
        pd.DataFrame(rows, columns=["work_id", "stage", "reviewer", "decision", "reason"]),
        file="data/screening/log.csv",
    )
    consensus = validate_consensus(
        pd.DataFrame(cons, columns=["work_id", "stage", "decision", "reason"]),
        file="data/screening/consensus.csv",
    )
    ident = pd.DataFrame(
        [{"stream": "databases", "database": d, "records_identified": n} for d, n in DATABASES]
        + [{"stream": "other_methods", "database": d, "records_identified": n} for d, n in OTHER]
    )
    return works, log, consensus, ident


@pytest.fixture(scope="module")
def reference():
    works, log, consensus, ident = reference_case()
    result = resolve(log, works, consensus)
    return ident, result, prisma_counts(ident, result.decisions)


def test_reference_review_counts(reference, shared):
    _, _, counts = reference
    expected = pd.read_csv(shared / "reference" / "prisma-counts.csv")
    got = as_mapping(counts)
    assert len(expected) == 16
    for row in expected.itertuples():
        assert got[(row.stream, row.box)] == row.count, (row.stream, row.box)


def test_reference_review_counts_without_shared(reference):
    # the same numbers, pinned here so the check runs without ../shared
    _, _, counts = reference
    got = as_mapping(counts)
    assert [
        got[("databases", b)]
        for b in (
            "records_identified",
            "duplicates_removed",
            "records_screened",
            "records_excluded",
            "reports_sought",
            "reports_not_retrieved",
            "reports_assessed",
            "reports_excluded",
            "reports_included",
            "studies_included",
        )
    ] == [1093, 925, 168, 142, 26, 0, 26, 13, 13, 13]
    assert [
        got[("other_methods", b)]
        for b in (
            "records_identified",
            "duplicates_removed",
            "records_screened",
            "records_excluded",
            "reports_sought",
            "reports_assessed",
            "reports_excluded",
            "studies_included",
        )
    ] == [476, 300, 176, 172, 4, 4, 3, 1]
    assert got[("total", "studies_included")] == 14
    assert got[("total", "reports_included")] == 14


def test_table_layout(reference):
    _, _, counts = reference
    assert list(counts.columns) == ["stream", "box", "count"]
    got = as_mapping(counts)
    assert [s for s in dict.fromkeys(counts["stream"])] == [
        "databases",
        "registers",
        "other_methods",
        "total",
    ]
    assert counts["box"].iloc[0] == "records_identified"
    assert [b for b in counts.loc[counts["stream"] == "databases", "box"] if ":" in b][:7] == [
        f"records_identified:{d}" for d, _ in DATABASES
    ]
    # reasons: most frequent first; the reason-conflict was settled to "wrong study design"
    assert got[("databases", "reports_excluded:wrong study design")] == 6
    assert got[("databases", "reports_excluded:wrong intervention")] == 4
    assert got[("databases", "reports_excluded:wrong population")] == 3
    assert got[("other_methods", "reports_excluded:not a randomised controlled trial")] == 3
    assert got[("registers", "records_identified")] == 0
    assert got[("total", "awaiting_classification")] == 0
    assert got[("other_methods", "records_identified:Citation searching")] == 400


def test_flow_arithmetic_is_asserted_and_names_the_box(reference):
    _, _, counts = reference
    broken = counts.copy()
    broken.loc[
        (broken["stream"] == "databases") & (broken["box"] == "reports_excluded"), "count"
    ] = 12
    with pytest.raises(ConsistencyError, match="databases/reports_assessed"):
        check_flow(broken)
    broken = counts.copy()
    mask = (broken["stream"] == "other_methods") & (
        broken["box"] == "records_identified:Hand searching"
    )
    broken.loc[mask, "count"] = 75
    with pytest.raises(ConsistencyError, match="other_methods/records_identified"):
        check_flow(broken)
    broken = counts.copy()
    broken.loc[(broken["stream"] == "total") & (broken["box"] == "studies_included"), "count"] = 13
    with pytest.raises(ConsistencyError, match="total/studies_included"):
        check_flow(broken)


def test_duplicates_given_by_dedup_are_checked(reference):
    ident, result, _ = reference
    with_dups = ident.assign(
        duplicates_removed=[100, 200, 50, 100, 75, 200, 200, 250, 50],
        source_id=[f"s{i}" for i in range(9)],  # extra columns are ignored
    )
    counts = prisma_counts(with_dups, result.decisions)
    assert as_mapping(counts)[("databases", "duplicates_removed")] == 925
    wrong = with_dups.assign(duplicates_removed=[100, 200, 50, 100, 75, 200, 201, 250, 50])
    with pytest.raises(ConsistencyError, match="databases/records_screened"):
        prisma_counts(wrong, result.decisions)


def test_more_works_than_records_is_inconsistent(reference):
    ident, result, _ = reference
    few = ident.assign(records_identified=1)
    with pytest.raises(ConsistencyError, match="databases/duplicates_removed"):
        prisma_counts(few, result.decisions)


def small_review(rows, ident, consensus=None, rules=None, studies=None, streams=None):
    ids = sorted({r[0] for r in rows} | set(streams or {}))
    works = pd.DataFrame(
        {"work_id": ids, "stream": [(streams or {}).get(w, "databases") for w in ids]}
    )
    log = validate_log(
        pd.DataFrame(rows, columns=["work_id", "stage", "reviewer", "decision", "reason"]),
        file="log.csv",
    )
    result = resolve(
        log,
        works,
        consensus,
        rules or ScreeningRules(reviewers_title_abstract=1, reviewers_full_text=1),
    )
    return as_mapping(prisma_counts(pd.DataFrame(ident), result.decisions, studies))


def test_registers_join_the_left_column_and_removals_before_screening():
    rows = [
        ("W1", TA, "a", "include", ""),
        ("W2", TA, "a", "exclude", ""),
        ("W3", TA, "a", "exclude", ""),
        ("W1", FT, "a", "include", ""),
    ]
    ident = [
        {
            "stream": "databases",
            "database": "PubMed",
            "records_identified": 3,
            "records_removed_other": 1,
        },
        {"stream": "registers", "database": "ClinicalTrials.gov", "records_identified": 2},
    ]
    got = small_review(rows, ident)
    assert got[("databases", "records_identified")] == 3
    assert got[("registers", "records_identified")] == 2
    assert got[("registers", "records_identified:ClinicalTrials.gov")] == 2
    assert got[("databases", "records_removed_other")] == 1
    assert got[("databases", "duplicates_removed")] == 1  # 3 + 2 - 1 - 3 screened
    assert got[("databases", "records_screened")] == 3


def test_awaiting_classification_and_not_retrieved():
    rows = [
        ("W1", TA, "a", "include", ""),
        ("W2", TA, "a", "include", ""),
        ("W3", TA, "a", "include", ""),
        ("W1", FT, "a", "include", ""),
        ("W2", FT, "a", "exclude", "Report not retrieved"),
        # W3: no full-text decision; W4: no title/abstract decision
    ]
    ident = [{"stream": "databases", "database": "PubMed", "records_identified": 4}]
    rules = ScreeningRules(reviewers_title_abstract=1, reviewers_full_text=1, allow_pending=True)
    got = small_review(rows, ident, rules=rules, streams={"W4": "databases"})
    assert got[("databases", "records_screened")] == 4
    assert got[("databases", "reports_sought")] == 3
    assert got[("databases", "reports_not_retrieved")] == 1
    assert got[("databases", "reports_assessed")] == 1
    assert got[("databases", "reports_excluded")] == 0
    assert got[("databases", "awaiting_classification")] == 2
    assert got[("databases", "awaiting_classification:title_abstract")] == 1
    assert got[("databases", "awaiting_classification:full_text")] == 1
    assert got[("total", "awaiting_classification")] == 2


def test_studies_with_several_reports():
    from srma.screening import validate_studies

    rows = []
    for w in ("W1", "W2", "W3"):
        rows += [(w, TA, "a", "include", ""), (w, FT, "a", "include", "")]
    ident = [
        {"stream": "databases", "database": "PubMed", "records_identified": 2},
        {"stream": "other_methods", "database": "Citation searching", "records_identified": 1},
    ]
    studies = validate_studies(
        pd.DataFrame({"work_id": ["W1", "W3"], "study_id": ["trial_a", "trial_a"]}), file="s.csv"
    )
    got = small_review(rows, ident, studies=studies, streams={"W3": "other_methods"})
    # W1 (databases) and W3 (other methods) are one study: counted under databases
    assert got[("databases", "reports_included")] == 2
    assert got[("databases", "studies_included")] == 2
    assert got[("other_methods", "reports_included")] == 1
    assert got[("other_methods", "studies_included")] == 0
    assert got[("total", "studies_included")] == 2
    assert got[("total", "reports_included")] == 3
