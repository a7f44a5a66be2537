"""srma audit: OK / stale (exit 1, naming every affected output) / broken (exit 2)."""

from __future__ import annotations

import json

import pytest

from srma.cli import main
from srma.provenance.audit import audit, find_records, render_text, report_to_json
from srma.provenance.hashing import HashCache, sha256_file
from srma.provenance.records import record_path

OUTPUTS = ["results/figures/plot.svg", "results/records/raw.csv", "results/tables/plot.csv"]


def _records(review):
    """The three records, in path order (as OUTPUTS)."""
    return sorted(record_path(p) for p in review.outputs())


def _flip_one_byte(path):
    data = bytearray(path.read_bytes())
    data[0] ^= 0x01
    path.write_bytes(bytes(data))


def test_find_records_walks_results_and_skips_crates(review):
    found = find_records(review.root / "results")
    assert [p.relative_to(review.root).as_posix() for p in found] == [
        f"{o}.prov.json" for o in OUTPUTS
    ]
    crate = review.root / "results" / "crate"
    (crate / "results").mkdir(parents=True)
    (crate / "ro-crate-metadata.json").write_text("{}")
    (crate / "results" / "copy.csv.prov.json").write_text("{}")
    assert len(find_records(review.root / "results")) == 3


def test_audit_passes_on_a_fresh_run(review):
    report = audit(_records(review), root=review.root)
    assert report.exit_code == 0 and report.status == "ok"
    assert [r.status for r in report.records] == ["ok"] * 3
    assert report.changed == [] and report.lineage_problems == []
    assert all(n.status == "OK" and not n.stale for n in report.nodes)
    # every file of every lineage hashed exactly once (7 distinct files, 3 records)
    assert report.files_hashed == 7


def test_audit_tree_goes_back_to_the_raw_files(review):
    text = render_text(audit([record_path(review.figure)], root=review.root))
    lines = text.splitlines()
    short = {
        p: sha256_file(review.root / p)[:8] for p in ("data/raw.ris", "results/figures/plot.svg")
    }
    assert lines[0] == f"results/figures/plot.svg  {short['results/figures/plot.svg']}  OK"
    assert lines[1].startswith("└── plot  2025-01-01T00:01:00.000+00:00  srma 0.1.0  git 0123456")
    assert "    ├── code: scripts/plot.py  " in text
    assert "    └── records: results/records/raw.csv  " in text
    assert "        └── import_raw (source=raw)  " in text
    assert f"            └── export: data/raw.ris  {short['data/raw.ris']}  OK" in text
    assert text.rstrip().endswith("OK: every output matches its recorded lineage.")


def test_one_changed_byte_in_a_raw_file_makes_every_output_stale(review):
    _flip_one_byte(review.raw)
    report = audit(_records(review), root=review.root)
    assert report.exit_code == 1
    (changed,) = report.changed
    assert changed.path == "data/raw.ris" and changed.status == "CHANGED"
    assert changed.current == sha256_file(review.raw)
    assert changed.affects == tuple(OUTPUTS)
    text = render_text(report)
    assert "export: data/raw.ris  " in text and "CHANGED (now " in text
    assert "affects 3 output(s):" in text
    for out in OUTPUTS:
        assert f"      {out}\n" in text
    assert "records: results/records/raw.csv  " in text
    assert "STALE" in text


def test_a_changed_setting_affects_only_what_was_made_from_it(review):
    review.settings.write_text("method: DL\n")
    report = audit(_records(review), root=review.root)
    assert report.exit_code == 1
    (changed,) = report.changed
    assert changed.path == "data/settings.txt"
    assert changed.affects == ("results/figures/plot.svg", "results/tables/plot.csv")
    assert [r.status for r in report.records] == ["stale", "ok", "stale"]


def test_changed_code_makes_its_outputs_stale(review):
    (review.root / "scripts" / "import_raw.py").write_text("print('new')\n")
    report = audit(_records(review), root=review.root)
    (changed,) = report.changed
    assert changed.path == "scripts/import_raw.py"
    assert changed.affects == tuple(OUTPUTS)


def test_missing_and_edited_outputs(review):
    review.table.unlink()
    review.records.write_text("edited\n")
    report = audit(_records(review), root=review.root)
    assert report.exit_code == 1
    by_path = {c.path: c for c in report.changed}
    assert by_path["results/tables/plot.csv"].status == "MISSING"
    assert by_path["results/tables/plot.csv"].current is None
    assert by_path["results/records/raw.csv"].status == "CHANGED"
    assert by_path["results/records/raw.csv"].affects == (
        "results/figures/plot.svg",
        "results/tables/plot.csv",
    )


def test_rerun_brings_the_audit_back_to_ok(review):
    _flip_one_byte(review.raw)
    assert audit(_records(review), root=review.root).exit_code == 1
    review.run_import()
    review.run_plot()
    assert audit(_records(review), root=review.root).exit_code == 0


def test_identical_rebuild_of_an_intermediate_keeps_downstream_current(review):
    """Snakemake does not remake outputs whose inputs were remade with the same bytes."""
    review.raw.write_text(review.raw.read_text().replace("ER  - ", "EX  - "))
    assert review.records.read_text() == "id,title\n1,TY  - JOUR\nTI  - A t\n"
    assert audit(_records(review), root=review.root).exit_code == 1
    before = review.records.read_bytes()
    review.run_import(start="2025-02-02T00:00:00.000+00:00")  # not the plot: same bytes
    assert review.records.read_bytes() == before
    report = audit(_records(review), root=review.root)
    assert report.exit_code == 0, render_text(report)
    text = render_text(audit([record_path(review.figure)], root=review.root))
    # the lineage goes on through the current record of the intermediate file
    assert "import_raw (source=raw)  2025-02-02T00:00:00.000+00:00" in text


def test_a_changed_intermediate_is_where_staleness_starts(review):
    review.raw.write_text("TY  - BOOK\n" + review.raw.read_text()[11:])
    review.run_import(start="2025-02-02T00:00:00.000+00:00")  # the plot is not rerun
    report = audit(_records(review), root=review.root)
    assert report.exit_code == 1
    (changed,) = report.changed  # not data/raw.ris: the records are up to date with it
    assert changed.path == "results/records/raw.csv"
    assert changed.affects == ("results/figures/plot.svg", "results/tables/plot.csv")
    assert [r.status for r in report.records] == ["stale", "ok", "stale"]
    # the tree still shows what the figure was made from
    text = render_text(audit([record_path(review.figure)], root=review.root))
    assert "records: results/records/raw.csv  " in text and "CHANGED (now " in text
    assert "import_raw (source=raw)  2025-01-01T00:00:00.000+00:00" in text


def test_a_lineage_is_healed_by_a_matching_record(review):
    record_path(review.records).unlink()
    review.run_plot()  # the records had no record when the plot used them
    assert audit([record_path(review.figure)], root=review.root).exit_code == 2
    review.run_import()  # same bytes, and now a record
    report = audit([record_path(review.figure)], root=review.root)
    assert report.exit_code == 0, render_text(report)


def test_missing_record_is_broken(review):
    record_path(review.figure).unlink()
    report = audit(_records(review), root=review.root)
    assert report.exit_code == 2
    (broken,) = report.broken
    assert broken.record == "results/figures/plot.svg.prov.json"
    assert broken.problem == "no provenance record"
    assert "BROKEN results/figures/plot.svg.prov.json: no provenance record" in render_text(report)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: "{ truncated", "not valid JSON"),
        (lambda d: json.dumps({k: v for k, v in d.items() if k != "activity"}), "missing section"),
        (lambda d: json.dumps({**d, "wasGeneratedBy": {}}), "nothing generated the subject"),
    ],
)
def test_damaged_record_is_broken(review, damage, message):
    path = record_path(review.records)
    path.write_text(damage(json.loads(path.read_text())))
    report = audit(_records(review), root=review.root)
    assert report.exit_code == 2
    (broken,) = report.broken
    assert message in broken.problem
    assert [r.status for r in report.records] == ["ok", "broken", "ok"]


def test_record_moved_away_from_its_output_is_broken(review):
    moved = review.root / "results" / "elsewhere.csv.prov.json"
    record_path(review.records).rename(moved)
    report = audit([moved], root=review.root)
    assert report.exit_code == 2
    assert "describes results/records/raw.csv" in report.records[0].problem


def test_lineage_stopping_at_an_unrecorded_result_is_broken(review):
    record_path(review.records).unlink()
    review.run_plot()  # the plot's inputs now include a result without a record
    report = audit([record_path(review.figure)], root=review.root)
    assert report.exit_code == 2
    (problem,) = report.lineage_problems
    assert problem.path == "results/records/raw.csv"
    assert problem.records == ("results/figures/plot.svg.prov.json",)
    assert "NO RECORD results/records/raw.csv" in render_text(report)


def test_no_records_at_all_is_broken(tmp_path):
    report = audit([], root=tmp_path)
    assert report.exit_code == 2
    assert "No provenance records found." in render_text(report)


def test_json_report_shape(review):
    _flip_one_byte(review.raw)
    data = report_to_json(audit(_records(review), root=review.root, cache=HashCache()))
    json.dumps(data)  # serialisable
    assert set(data) == {
        "status",
        "exit_code",
        "records",
        "changed",
        "lineage_problems",
        "files_checked",
        "files_hashed",
    }
    assert data["status"] == "stale" and data["exit_code"] == 1
    assert data["files_checked"] == 7
    (changed,) = data["changed"]
    assert changed["path"] == "data/raw.ris"
    assert changed["affects"] == OUTPUTS
    assert changed["current_sha256"] == sha256_file(review.raw)
    fig = data["records"][0]
    assert fig["record"] == "results/figures/plot.svg.prov.json"
    assert fig["output"] == "results/figures/plot.svg" and fig["status"] == "stale"
    top = fig["lineage"]
    assert top["status"] == "STALE"  # unchanged itself, made from a changed file
    job = top["generated_by"]
    assert job["rule"] == "plot" and job["params"] == {"level": 0.95, "model": {"method": "REML"}}
    assert job["code"]["path"] == "scripts/plot.py"
    inputs = {n["role"]: n for n in job["inputs"]}
    raw = inputs["records"]["generated_by"]["inputs"][0]
    assert raw["path"] == "data/raw.ris" and raw["status"] == "CHANGED"
    assert raw["recorded_sha256"] != raw["current_sha256"]


# --------------------------------------------------------------------------- the command


def test_cli_audit_all(in_review, capsys):
    assert main(["audit", "--all"]) == 0
    out = capsys.readouterr().out
    assert "Audited 3 record(s), 7 file(s): 3 up to date, 0 not." in out
    _flip_one_byte(in_review.raw)
    assert main(["audit", "--all", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "└──" not in out  # --quiet: no trees
    assert "CHANGED data/raw.ris" in out
    assert main(["audit", "--all", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["changed"][0]["affects"] == OUTPUTS


def test_cli_audit_paths(in_review, capsys):
    # an output, its record, or a folder
    assert main(["audit", "results/figures/plot.svg"]) == 0
    assert main(["audit", "results/records/raw.csv.prov.json", "results/tables"]) == 0
    capsys.readouterr()
    assert main(["audit", "results/nothing.svg"]) == 2
    assert "no provenance record" in capsys.readouterr().out
    assert main(["audit"]) == 2
    assert "nothing to audit" in capsys.readouterr().err


def test_cli_audit_from_another_folder(review, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "--all", "--root", str(review.root)]) == 0
    _flip_one_byte(review.settings)
    assert main(["audit", str(review.figure)]) == 1
