"""deduplicate(): works, duplicates, streams and counts, decisions, stable work ids."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from _dedup_helpers import ARTICLE, article_variants, make_records

from srma.dedup import DedupResult, deduplicate
from srma.dedup.core import _check_conservation
from srma.errors import ConsistencyError, InputError

OTHER = dict(
    title="Sleep quality and cognitive decline in community-dwelling older adults",
    authors=["Garcia, L.", "Chen, W."],
    year=2018,
    journal="Sleep Medicine",
    volume="44",
    pages="10-17",
)
ERRATUM = dict(
    ARTICLE,
    title="Erratum: " + ARTICLE["title"],
    pages="400",
    issue="6",
    doi=None,
    authors=["Smith, J. A."],
)


def review_records() -> pd.DataFrame:
    """Four databases, one article in each, an erratum, another work, and a citation."""
    rows = article_variants()
    rows.append(dict(OTHER, source_id="pubmed"))
    rows.append(dict(OTHER, source_id="embase", authors=["Garcia L.", "Chen W."], pages="10-7"))
    rows.append(dict(ERRATUM, source_id="embase"))
    rows.append(
        dict(
            source_id="citations",
            title=ARTICLE["title"],
            authors=["Smith John"],
            year=2015,
            journal="J Geriatr Psychiatry",
        )
    )
    return make_records(*rows)


STREAMS = {
    "pubmed": "databases",
    "embase": "databases",
    "wos": "databases",
    "cinahl": "databases",
    "citations": "other_methods",
}


@pytest.fixture(scope="module")
def result() -> DedupResult:
    return deduplicate(review_records(), streams=STREAMS)


def test_groups_and_conservation(result):
    records = review_records()
    assert result.groups() == [
        ["cinahl:1", "citations:1", "embase:1", "pubmed:1", "wos:1"],
        ["embase:2", "pubmed:2"],
    ]
    assert len(result.works) + len(result.duplicates) == len(records) == 8
    # the erratum stays a work of its own
    erratum = result.works[result.works["record_ids"].map(lambda r: r == ["embase:3"])]
    assert len(erratum) == 1
    grouped = {"cinahl:1", "citations:1", "embase:1", "pubmed:1", "wos:1", "embase:2", "pubmed:2"}
    assert set(result.duplicates["record_id"]) == grouped - set(result.works["kept_record_id"])
    assert len(result.duplicates) == 5


def test_merged_work_keeps_best_fields(result):
    work = result.works[result.works["n_records"] == 5].iloc[0]
    assert work["stream"] == "databases"
    assert re.fullmatch(r"W[0-9a-f]{10}", work["work_id"])
    assert work["doi"] == "10.1000/jgp.2015.123"
    assert work["pmid"] == "25000001"
    assert work["pages"] == "123-129"
    # the longest author list, with full given names where a database has them
    assert work["authors"] == ["Smith John", "Jones Mary", "Brown Kate"]
    assert work["journal"] == "Journal of Geriatric Psychiatry"
    assert not work["title"].endswith(".")
    assert work["source_ids"] == ["cinahl", "citations", "embase", "pubmed", "wos"]
    assert work["record_ids"] == sorted(work["record_ids"])
    # the kept record is a database record, never the citation
    assert not work["kept_record_id"].startswith("citations")


def test_duplicates_table(result):
    d = result.duplicates
    assert list(d.columns[:7]) == [
        "record_id",
        "source_id",
        "stream",
        "work_id",
        "kept_record_id",
        "reason",
        "score",
    ]
    assert d["reason"].str.len().min() > 5
    assert d["score"].between(0, 1).all()
    assert set(d["work_id"]) <= set(result.works["work_id"])


def test_streams_and_counts(result):
    c = result.counts.set_index("source_id")
    assert c.loc["citations", "stream"] == "other_methods"
    assert c.loc["citations", "records_identified"] == 1
    assert c.loc["citations", "duplicates_removed"] == 1  # absorbed by a database work
    assert c.loc["citations", "works_kept"] == 0
    assert c["records_identified"].sum() == 8
    assert c.loc["embase", "records_identified"] == 3
    s = result.stream_counts.set_index("stream")
    assert s.loc["databases", "records_identified"] == 7
    assert s.loc["databases", "unique_works"] == 3
    assert s.loc["databases", "duplicates_removed"] == 4
    assert s.loc["other_methods", "duplicates_removed"] == 1
    assert s.loc["other_methods", "unique_works"] == 0


def test_other_methods_record_alone_is_an_other_methods_work():
    rows = [dict(OTHER, source_id="pubmed"), dict(ARTICLE, source_id="citations")]
    res = deduplicate(
        make_records(*rows), streams={"pubmed": "databases", "citations": "other_methods"}
    )
    s = res.stream_counts.set_index("stream")
    assert s.loc["other_methods", "unique_works"] == 1
    assert s.loc["other_methods", "duplicates_removed"] == 0


def test_missing_stream_is_an_input_error():
    with pytest.raises(InputError, match="has no stream"):
        deduplicate(review_records(), streams={"pubmed": "databases"})
    with pytest.raises(InputError, match="unknown stream"):
        deduplicate(review_records(), streams=dict(STREAMS, wos="journals"))


def test_conservation_check_raises():
    works = pd.DataFrame({"record_ids": [["a"]], "stream": ["databases"]})
    dups = pd.DataFrame({"record_id": []})
    counts = pd.DataFrame(
        {
            "stream": ["databases"],
            "records_identified": [2],
            "duplicates_removed": [0],
            "works_kept": [1],
        }
    )
    with pytest.raises(ConsistencyError):
        _check_conservation(2, works, dups, counts)


# --- order independence and stable work ids ------------------------------------


def _work_of(res: DedupResult) -> dict[str, str]:
    return {
        r: w
        for w, ids in zip(res.works["work_id"], res.works["record_ids"], strict=True)
        for r in ids
    }


def test_shuffled_rows_give_the_same_result(result):
    records = review_records()
    for seed in range(3):
        shuffled = records.sample(frac=1, random_state=seed).reset_index(drop=True)
        res = deduplicate(shuffled, streams=STREAMS)
        assert _work_of(res) == _work_of(result)
        pd.testing.assert_frame_equal(res.works, result.works)
        pd.testing.assert_frame_equal(res.duplicates, result.duplicates)


def test_work_ids_survive_an_added_export(result):
    extra = make_records(
        dict(ARTICLE, source_id="scopus", authors=["Smith J.A.", "Jones M."]),
        dict(
            title="An unrelated trial of music therapy after stroke",
            authors=["Lee, K."],
            year=2020,
            source_id="scopus",
        ),
    )
    res = deduplicate(
        pd.concat([review_records(), extra], ignore_index=True),
        streams=dict(STREAMS, scopus="databases"),
    )
    before, after = _work_of(result), _work_of(res)
    assert all(after[r] == w for r, w in before.items())
    assert after["scopus:1"] == before["pubmed:1"]
    assert len(res.works) == len(result.works) + 1


def test_work_ids_do_not_depend_on_record_ids(result):
    records = review_records()
    renamed = records.assign(record_id="x" + records["record_id"])
    res = deduplicate(renamed, streams=STREAMS)
    assert sorted(res.works["work_id"]) == sorted(result.works["work_id"])


def test_colliding_work_keys_get_distinct_ids():
    a = dict(
        title="Eculizumab",
        authors=["Parker, C."],
        year=2009,
        journal="Drugs",
        volume="6",
        pages="515-516",
    )
    b = dict(a, authors=["Dubois, E."], journal="Br J Clin Pharmacol", volume="68", pages="318-319")
    res = deduplicate(make_records(a, b))
    assert res.works["work_id"].nunique() == 2


# --- decisions ---------------------------------------------------------------------


def _decisions(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"pair_id": p, "decision": d, "reviewer": "ab", "note": ""} for p, d in rows]
    )


UNSURE = [
    dict(title="Music therapy for aphasia after stroke", year=2012),
    dict(title="Music therapy for aphasia after stroke", year=2012, source_id="embase"),
]


def test_uncertain_pair_listed_then_decided_same():
    recs = make_records(*UNSURE)
    res = deduplicate(recs)
    assert len(res.works) == 2
    assert list(res.uncertain["pair_id"]) == ["embase:1|pubmed:1"]
    row = res.uncertain.iloc[0]
    assert row["title_a"] == row["title_b"] == "Music therapy for aphasia after stroke"
    assert row["record_id_a"] == "embase:1" and row["record_id_b"] == "pubmed:1"

    res = deduplicate(recs, decisions=_decisions(("embase:1|pubmed:1", "same")))
    assert len(res.works) == 1
    assert len(res.uncertain) == 0
    assert res.duplicates.iloc[0]["reason"] == "decided same by ab"


def test_decision_different_keeps_apart_and_blocks_transitive_merge():
    recs = review_records()
    # pubmed:1 and wos:1 are the same work by the rules; a reviewer says otherwise
    res = deduplicate(recs, streams=STREAMS, decisions=_decisions(("pubmed:1|wos:1", "different")))
    work = _work_of(res)
    assert work["pubmed:1"] != work["wos:1"]
    assert len(res.works) + len(res.duplicates) == len(recs)


def test_decision_in_reversed_order_is_accepted():
    res = deduplicate(make_records(*UNSURE), decisions=_decisions(("pubmed:1|embase:1", "same")))
    assert len(res.works) == 1


def test_stale_decisions_are_reported():
    res = deduplicate(
        make_records(*UNSURE),
        decisions=_decisions(("embase:1|pubmed:1", "same"), ("pubmed:1|wos:9", "different")),
    )
    assert len(res.works) == 1
    assert list(res.stale_decisions["pair_id"]) == ["pubmed:1|wos:9"]
    assert res.stale_decisions.iloc[0]["missing_record_ids"] == "wos:9"


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("embase:1", "same")], "malformed pair id"),
        ([("embase:1|pubmed:1", "maybe")], "unknown decision"),
        ([("embase:1|pubmed:1", "same"), ("pubmed:1|embase:1", "different")], "both"),
    ],
)
def test_invalid_decisions(rows, message):
    with pytest.raises(InputError, match=message):
        deduplicate(make_records(*UNSURE), decisions=_decisions(*rows))


def test_contradicting_decisions():
    recs = make_records(*UNSURE, dict(UNSURE[0], source_id="wos"))
    bad = _decisions(
        ("embase:1|pubmed:1", "same"), ("pubmed:1|wos:1", "same"), ("embase:1|wos:1", "different")
    )
    with pytest.raises(InputError, match="contradicts"):
        deduplicate(recs, decisions=bad)


def test_missing_decision_column():
    with pytest.raises(InputError, match="decision"):
        deduplicate(make_records(*UNSURE), decisions=pd.DataFrame({"pair_id": ["a|b"]}))


def test_chaining_guard_keeps_a_different_doi_out():
    # A-B and B-C look alike, but A and C carry different DOIs: no single cluster of three
    a = dict(ARTICLE, doi="10.1000/a", source_id="pubmed")
    b = dict(ARTICLE, doi=None, source_id="embase")
    c = dict(ARTICLE, doi="10.1000/c", source_id="wos")
    res = deduplicate(make_records(a, b, c))
    assert max(len(g) for g in res.groups()) == 2


def test_empty_and_single_inputs(tmp_path):
    from srma.records import empty_records

    res = deduplicate(empty_records())
    assert len(res.works) == len(res.duplicates) == len(res.uncertain) == 0
    res = deduplicate(make_records(dict(title="A lone record", year=2000)))
    assert list(res.works["n_records"]) == [1]
    assert res.works.iloc[0]["record_ids"] == ["pubmed:1"]


def test_works_round_trip_through_parquet(result, tmp_path):
    path = tmp_path / "works.parquet"
    result.works.to_parquet(path, index=False)
    back = pd.read_parquet(path)
    assert [list(x) for x in back["record_ids"]] == list(result.works["record_ids"])
    assert list(back["work_id"]) == list(result.works["work_id"])


def test_reviewer_same_overrides_the_rules():
    recs = review_records()
    # the rules keep the erratum (embase:3) apart; a reviewer merges it anyway
    res = deduplicate(recs, streams=STREAMS, decisions=_decisions(("embase:3|pubmed:1", "same")))
    work = _work_of(res)
    assert work["embase:3"] == work["pubmed:1"] == work["wos:1"]
    dup = res.duplicates.set_index("record_id")
    assert dup.loc["embase:3", "reason"] == "decided same by ab"


def test_progress_bars_go_to_stderr(capsys):
    res = deduplicate(review_records(), streams=STREAMS, progress=True)
    assert len(res.works) == 3
    captured = capsys.readouterr()
    assert captured.out == ""


def test_records_read_back_from_parquet(tmp_path, result):
    # the workflow stores record tables as parquet: list columns come back as arrays
    path = tmp_path / "records.parquet"
    review_records().to_parquet(path, index=False)
    res = deduplicate(pd.read_parquet(path), streams=STREAMS)
    assert res.groups() == result.groups()
    assert list(res.works["work_id"]) == list(result.works["work_id"])
    assert all(isinstance(a, list) for a in res.works["authors"])
