"""Benchmark files, scoring, the ``srma dedup`` command, and two labelled sets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from srma.cli import main
from srma.dedup import deduplicate
from srma.dedup.benchmark_io import (
    is_benchmark_csv,
    read_benchmark_csv,
    read_groups,
    score_groups,
    split_authors,
    write_groups,
)

#: Best published sensitivity with no false merge, per set (from
#: ../shared/benchmarks/dedup/_reported_results/bibdedupe_current_results.md, 2025-10-05 run:
#: stroke TP 312 / FN 2 = 0.9936; special_cases TP 1 / FN 2 = 0.3333).
PUBLISHED = {"rathbone_stroke": 0.9936, "bibdedupe_special_cases": 0.3333}


def test_split_authors():
    assert split_authors("Zuna, R E and Wang, S S") == ["Zuna, R E", "Wang, S S"]
    assert split_authors("Adeli K.Lewis G. F.") == ["Adeli K.", "Lewis G. F."]
    assert split_authors("Chen C. H.Chen Y. C.Ko S. F.") == ["Chen C. H.", "Chen Y. C.", "Ko S. F."]
    assert split_authors("Smith, J.A.") == ["Smith, J.A."]
    assert split_authors(None) == []


def test_read_bibdedupe_csv(dedup_bench):
    path = dedup_bench / "bibdedupe_special_cases" / "records_pre_merged.csv"
    assert is_benchmark_csv(path)
    recs = read_benchmark_csv(path, "special")
    assert len(recs) == 12
    assert recs["record_id"].iloc[0] == "id_0000001"
    first = recs.iloc[0]
    assert first["authors"] == ["Deng, Chaoqun", "Ravichandran, Thiagarajan"]
    assert first["journal"] == "Americas Conference on Information Systems"  # from booktitle
    # record 7 keeps its DOI in the note column
    assert recs.set_index("record_id").loc["id_0000007", "doi"] == "10.1080/1097198X.2004.10856384"


def test_read_asysd_csv(tmp_path):
    text = (
        '"author","title","year","journal","abstract","doi","number","pages","volume","isbn",'
        '"record_id","label","source"\n'
        '"Adeli K.Lewis G. F.","Intestinal lipoprotein \xa9 overproduction",2008,"Curr Opin '
        'Lipidol","An abstract","10.1097/MOL.0b013e3282ffaf82","3","221-8","19",'
        '"0957-9672 (Print)\r\n0957-9672",1,"In_database","unique"\n'
        '"Adeli K.","Intestinal lipoprotein overproduction",2008,"Curr Opin Lipidol","",'
        '"NA","3","221-8","19","",699,"Duplicate_in_trash","duplicate"\n'
    )
    path = tmp_path / "labelled_test_set.csv"
    path.write_bytes(text.encode("cp1252"))
    assert is_benchmark_csv(path)
    recs = read_benchmark_csv(path, "asysd")
    assert list(recs["record_id"]) == ["id_0000001", "id_0000699"]
    assert recs.iloc[0]["authors"] == ["Adeli K.", "Lewis G. F."]
    assert recs.iloc[0]["issn"] == "0957-9672 (Print) 0957-9672"
    assert "\xa9" in recs.iloc[0]["title"]
    assert pd.isna(recs.iloc[1]["doi"])


def test_groups_round_trip(tmp_path):
    path = tmp_path / "g.csv"
    write_groups([["b", "a"], ["c"], ["e", "d", "f"]], path)
    assert path.read_text().splitlines() == ["merged_ids", '"a;b"', '"d;e;f"']
    assert read_groups(path) == [["a", "b"], ["d", "e", "f"]]


def test_score_groups_matches_score_py(tmp_path, dedup_bench):
    ids = [f"r{i}" for i in range(8)]
    gold = [["r0", "r1", "r2"], ["r3", "r4"]]
    pred = [["r0", "r1"], ["r2", "r3", "r4", "r5"]]
    pd.DataFrame({"ID": ids}).to_csv(tmp_path / "recs.csv", index=False)
    write_groups(gold, tmp_path / "gold.csv")
    write_groups(pred, tmp_path / "pred.csv")
    out = subprocess.run(
        [
            sys.executable,
            str(dedup_bench / "score.py"),
            str(tmp_path / "recs.csv"),
            str(tmp_path / "gold.csv"),
            str(tmp_path / "pred.csv"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = json.loads(out.stdout)
    got = score_groups(ids, gold, pred)
    for key in ("TP", "FP", "FN", "TN", "sensitivity", "precision", "specificity", "f1"):
        assert got[key] == pytest.approx(expected[key]), key
    assert (got["TP"], got["FP"], got["FN"]) == (2, 2, 1)


@pytest.mark.parametrize("name", ["bibdedupe_special_cases", "rathbone_stroke"])
def test_labelled_set(dedup_bench, name):
    d = dedup_bench / name
    recs = read_benchmark_csv(d / "records_pre_merged.csv", "bench")
    res = deduplicate(recs)
    s = score_groups(
        list(recs["record_id"]), read_groups(d / "merged_record_ids.csv"), res.groups()
    )
    assert s["FP"] == 0
    assert s["precision"] == 1.0
    assert s["sensitivity"] >= PUBLISHED[name]
    assert len(res.works) + len(res.duplicates) == len(recs)


# --- the command line ------------------------------------------------------------


def test_cli_writes_groups_that_score_py_reads(tmp_path, dedup_bench, capsys):
    src = dedup_bench / "bibdedupe_special_cases" / "records_pre_merged.csv"
    groups, unsure = tmp_path / "groups.csv", tmp_path / "uncertain.csv"
    rc = main(["dedup", str(src), "--groups", str(groups), "--uncertain", str(unsure)])
    assert rc == 0
    assert read_groups(groups) == read_groups(src.parent / "merged_record_ids.csv")
    assert list(pd.read_csv(unsure).columns[:3]) == ["pair_id", "score", "reason"]
    assert "12 records, 9 works, 3 duplicates removed" in capsys.readouterr().err


def test_cli_applies_decisions_and_reports_stale(tmp_path, dedup_bench):
    src = dedup_bench / "bibdedupe_special_cases" / "records_pre_merged.csv"
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "pair_id,decision,reviewer,note\n"
        "id_0000001|id_0000002,different,ab,two versions\n"
        "id_0000001|id_9999999,same,ab,\n"
    )
    groups, stale = tmp_path / "groups.csv", tmp_path / "stale.csv"
    rc = main(
        [
            "dedup",
            str(src),
            "--groups",
            str(groups),
            "--decisions",
            str(decisions),
            "--stale",
            str(stale),
        ]
    )
    assert rc == 0
    assert ["id_0000001", "id_0000002"] not in read_groups(groups)
    assert list(pd.read_csv(stale)["pair_id"]) == ["id_0000001|id_9999999"]


def test_cli_bad_decision_is_reported_without_traceback(tmp_path, dedup_bench, capsys):
    src = dedup_bench / "bibdedupe_special_cases" / "records_pre_merged.csv"
    decisions = tmp_path / "d.csv"
    decisions.write_text("pair_id,decision\nid_0000001|id_0000002,yes\n")
    rc = main(
        ["dedup", str(src), "--groups", str(tmp_path / "g.csv"), "--decisions", str(decisions)]
    )
    assert rc == 2
    err = capsys.readouterr().err
    assert "d.csv, line 2, column 'decision': unknown decision" in err
    assert "Traceback" not in err


def test_cli_unknown_file(tmp_path, capsys):
    rc = main(["dedup", str(tmp_path / "missing.ris"), "--groups", str(tmp_path / "g.csv")])
    assert rc == 2
    assert "file not found" in capsys.readouterr().err


def test_cli_stream_option(tmp_path, dedup_bench, capsys):
    src = dedup_bench / "bibdedupe_special_cases" / "records_pre_merged.csv"
    rc = main(
        ["dedup", str(src), "--groups", str(tmp_path / "g.csv"), "--stream", "nope=other_methods"]
    )
    assert rc == 2
    assert "unknown source" in capsys.readouterr().err
    rc = main(
        [
            "dedup",
            str(src),
            "--groups",
            str(tmp_path / "g.csv"),
            "--stream",
            "records_pre_merged=other_methods",
        ]
    )
    assert rc == 0


def test_source_ids_from_file_names():
    from srma.commands.dedup_cmd import source_id_for

    taken: set[str] = set()
    assert source_id_for(Path("a/records_pre_merged.csv"), taken) == "records_pre_merged"
    assert source_id_for(Path("b/records_pre_merged.csv"), taken) == "records_pre_merged_2"
