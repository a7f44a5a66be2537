"""Writing records for a job: the whole lineage, hashes, determinism, damaged inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _prov_helpers import ENV, FakeJob, make_review

from srma.provenance.hashing import sha256_file
from srma.provenance.prov import SUBJECT, decode_json_literal
from srma.provenance.records import (
    RecordError,
    dump_record,
    find_script,
    load_record,
    record_path,
    write_job_provenance,
    write_record,
)

LINEAGE = {
    "data/raw.ris",
    "data/settings.txt",
    "results/records/raw.csv",
    "results/figures/plot.svg",
    "results/tables/plot.csv",
    "scripts/import_raw.py",
    "scripts/plot.py",
}


def _by_path(doc):
    return {a["srma:path"]: (eid, a) for eid, a in doc["entity"].items()}


def _relations(doc, section, a, b):
    return {(rel[a], rel[b]) for rel in doc[section].values()}


def test_every_output_gets_a_record(review):
    for out in review.outputs():
        assert record_path(out).is_file(), out
    assert record_path(review.figure) == Path(str(review.figure) + ".prov.json")


def test_record_holds_the_whole_lineage_with_correct_hashes(review):
    doc = load_record(record_path(review.figure))
    files = _by_path(doc)
    assert set(files) == LINEAGE
    for path, (eid, attrs) in files.items():
        assert attrs["srma:sha256"] == sha256_file(review.root / path), path
        assert eid.startswith(f"srma:file/{path}@")
    subject = [p for p, (_, a) in files.items() if a.get(SUBJECT)]
    assert subject == ["results/figures/plot.svg"]
    rules = {a["srma:rule"]: aid for aid, a in doc["activity"].items()}
    assert set(rules) == {"import_raw", "plot"}
    ids = {p: e for p, (e, _) in files.items()}
    derived = _relations(doc, "wasDerivedFrom", "prov:generatedEntity", "prov:usedEntity")
    assert (ids["results/figures/plot.svg"], ids["results/records/raw.csv"]) in derived
    assert (ids["results/figures/plot.svg"], ids["data/settings.txt"]) in derived
    assert (ids["results/records/raw.csv"], ids["data/raw.ris"]) in derived
    generated = _relations(doc, "wasGeneratedBy", "prov:entity", "prov:activity")
    assert (ids["results/records/raw.csv"], rules["import_raw"]) in generated
    assert (ids["results/tables/plot.csv"], rules["plot"]) in generated
    used = _relations(doc, "used", "prov:activity", "prov:entity")
    assert (rules["import_raw"], ids["data/raw.ris"]) in used
    plans = _relations(doc, "wasAssociatedWith", "prov:activity", "prov:plan")
    assert (rules["plot"], ids["scripts/plot.py"]) in plans
    plot = doc["activity"][rules["plot"]]
    assert decode_json_literal(plot["srma:params"]) == {"level": 0.95, "model": {"method": "REML"}}
    imp = doc["activity"][rules["import_raw"]]
    assert decode_json_literal(imp["srma:wildcards"]) == {"source": "raw"}
    assert imp["prov:startTime"] == "2025-01-01T00:00:00.000+00:00"
    assert imp["prov:endTime"] == "2025-01-01T00:00:01.000+00:00"
    assert imp["srma:git_commit"] == ENV.git_commit


def test_sibling_outputs_share_the_job_and_differ_in_subject(review):
    fig = load_record(record_path(review.figure))
    tab = load_record(record_path(review.table))
    assert fig["activity"] == tab["activity"]
    assert fig["used"] == tab["used"]
    assert [a["srma:path"] for a in tab["entity"].values() if a.get(SUBJECT)] == [
        "results/tables/plot.csv"
    ]


def test_two_runs_differ_only_in_timestamps(review):
    before = {p: record_path(p).read_text() for p in review.outputs()}
    review.run_import(start="2031-05-05T10:00:00.000+00:00")
    review.run_plot(start="2031-05-05T10:01:00.000+00:00")
    for path, text in before.items():
        after = record_path(path).read_text()
        assert after != text
        changed = [
            (a, b) for a, b in zip(text.splitlines(), after.splitlines(), strict=True) if a != b
        ]
        assert changed and all("Time" in a and "Time" in b for a, b in changed), changed


def test_records_are_sorted_json_written_atomically(review):
    text = record_path(review.figure).read_text()
    assert text == dump_record(json.loads(text))
    assert text.endswith("}\n")
    leftovers = [p for p in review.root.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    write_record(review.root / "results" / "new" / "x.prov.json", {"b": 1, "a": 2})
    assert (review.root / "results" / "new" / "x.prov.json").read_text() == (
        '{\n  "a": 2,\n  "b": 1\n}\n'
    )


def test_real_snakemake_object(review):
    """The object Snakemake hands a script (named lists) works as the job."""
    from snakemake.iocontainers import (
        InputFiles,
        Log,
        OutputFiles,
        Params,
        ResourceList,
        Snakemake,
        Wildcards,
    )

    out = review.root / "results" / "sm" / "out.csv"
    out.parent.mkdir(parents=True)
    out.write_text("x\n")
    job = Snakemake(
        InputFiles(fromdict={"records": "results/records/raw.csv", "raw": "data/raw.ris"}),
        OutputFiles(fromdict={"table": "results/sm/out.csv"}),
        Params(fromdict={"source": {"id": "raw"}, "level": 0.9}),
        Wildcards(fromdict={"source": "raw"}),
        1,
        ResourceList(),
        Log(fromdict={"log": "results/logs/sm.log"}),
        {},
        "summarise",
        0,
        str(review.root / "scripts"),
    )
    written = write_job_provenance(
        job, "2025-01-01T00:00:00.000+00:00", root=review.root, environment=ENV
    )
    assert written.paths == (record_path(out),)
    assert written.warnings == ()
    doc = load_record(record_path(out))
    (act,) = [a for a in doc["activity"].values() if a["srma:rule"] == "summarise"]
    assert decode_json_literal(act["srma:params"]) == {"source": {"id": "raw"}, "level": 0.9}
    assert decode_json_literal(act["srma:wildcards"]) == {"source": "raw"}
    assert decode_json_literal(act["srma:log"]) == ["results/logs/sm.log"]
    roles = {rel.get("srma:role") for rel in doc["used"].values()}
    assert {"records", "raw", "export"} <= roles  # "export": the upstream import job's input
    assert {a["srma:path"] for a in doc["entity"].values()} >= {
        "data/raw.ris",
        "scripts/import_raw.py",
    }


def _extra_job(review, inputs, name="extra"):
    out = review.root / "results" / "extra" / f"{name}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(name + "\n")
    job = FakeJob(input=inputs, output=[f"results/extra/{name}.csv"], rule="extra")
    written = write_job_provenance(
        job, "2025-01-01T00:00:00.000+00:00", root=review.root, environment=ENV
    )
    return out, written


def _lineage_of(out, path):
    doc = load_record(record_path(out))
    return _by_path(doc)[path][1].get("srma:lineage")


def test_input_without_record_under_results_is_marked_unrecorded(review):
    orphan = review.root / "results" / "orphan.csv"
    orphan.write_text("o\n")
    out, written = _extra_job(review, ["results/orphan.csv", "data/raw.ris"])
    assert _lineage_of(out, "results/orphan.csv") == "unrecorded"
    assert _lineage_of(out, "data/raw.ris") is None  # a raw file: a source
    assert any("results/orphan.csv has no provenance record" in w for w in written.warnings)


def test_input_with_damaged_record(review):
    record_path(review.records).write_text("{not json")
    out, written = _extra_job(review, ["results/records/raw.csv"])
    assert _lineage_of(out, "results/records/raw.csv") == "damaged"
    assert any("not valid JSON" in w for w in written.warnings)


def test_input_changed_after_its_record(review):
    review.records.write_text("edited by hand\n")
    out, written = _extra_job(review, ["results/records/raw.csv"])
    assert _lineage_of(out, "results/records/raw.csv") == "stale"
    assert any("changed after its provenance record" in w for w in written.warnings)


def test_no_record_for_an_output_the_step_did_not_make(review):
    job = FakeJob(input=["data/raw.ris"], output=["results/never.csv"], rule="x")
    written = write_job_provenance(job, "t0", root=review.root, environment=ENV)
    assert written.paths == ()
    assert not record_path(review.root / "results" / "never.csv").exists()


def test_paths_outside_the_review_stay_absolute(tmp_path, review):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("e\n")
    out, _ = _extra_job(review, [str(outside), str(review.raw)])
    paths = set(_by_path(load_record(record_path(out))))
    assert outside.as_posix() in paths
    assert "data/raw.ris" in paths  # absolute inside the review: made relative


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "not a PROV-JSON object"),
        ('{"prefix": {}, "entity": {}}', "missing section(s) activity, wasGeneratedBy, used"),
    ],
)
def test_load_record_rejects_damaged_files(tmp_path, text, message):
    path = tmp_path / "x.csv.prov.json"
    path.write_text(text)
    with pytest.raises(RecordError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_record(path)


def test_load_record_rejects_incomplete_lineages(review):
    path = record_path(review.figure)
    good = json.loads(path.read_text())
    with pytest.raises(RecordError, match="no provenance record"):
        load_record(review.root / "absent.prov.json")

    no_subject = json.loads(json.dumps(good))
    for attrs in no_subject["entity"].values():
        attrs.pop(SUBJECT, None)
    path.write_text(json.dumps(no_subject))
    with pytest.raises(RecordError, match="0 subject entities"):
        load_record(path)

    dangling = json.loads(json.dumps(good))
    rel = next(iter(dangling["used"].values()))
    rel["prov:entity"] = "srma:file/nowhere@0"
    path.write_text(json.dumps(dangling))
    with pytest.raises(RecordError, match="names unknown srma:file/nowhere@0"):
        load_record(path)

    bad_hash = json.loads(json.dumps(good))
    next(iter(bad_hash["entity"].values()))["srma:sha256"] = "xyz"
    path.write_text(json.dumps(bad_hash))
    with pytest.raises(RecordError, match="malformed srma:sha256"):
        load_record(path)


def test_find_script(tmp_path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "pool_analysis.py").write_text("")
    (scripts / "plot_forest.py").write_text("")
    job = FakeJob(input=[], output=[], rule="plot_forest", scriptdir=str(scripts))
    # Snakemake runs a copy named .snakemake/scripts/tmp<8 chars>.<script name>
    copy = str(tmp_path / ".snakemake" / "scripts" / "tmpa1b2_c3d.pool_analysis.py")
    assert find_script(job, copy) == scripts / "pool_analysis.py"
    # no copy: the script named after the rule
    assert find_script(job, "") == scripts / "plot_forest.py"
    # outside Snakemake: the main file itself, if it is a Python file
    plain = FakeJob(input=[], output=[], rule="nothing")
    assert find_script(plain, str(scripts / "pool_analysis.py")) == scripts / "pool_analysis.py"
    assert find_script(plain, str(tmp_path / "bin" / "pytest")) is None
    assert find_script(plain, "") is None


def test_fake_review_is_independent(tmp_path):
    """make_review builds a fresh review each time (the tests above rely on it)."""
    a = make_review(tmp_path / "a")
    b = make_review(tmp_path / "b")
    assert a.raw.read_text() == b.raw.read_text()
    assert not record_path(a.records).exists()


def test_record_file_mode_follows_the_umask(review):
    import os

    umask = os.umask(0)
    os.umask(umask)
    mode = record_path(review.figure).stat().st_mode & 0o777
    assert mode == 0o666 & ~umask


def test_folder_outputs_get_a_record_for_each_file(review):
    """A Snakemake directory() output (an outcome's figure folder): every file in it is an
    output of the job with its own record, as if listed one by one; records are not outputs."""
    from srma.provenance.audit import audit

    folder = review.root / "results" / "sheets"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.csv").write_text("a\n")
    (folder / "sub" / "b.csv").write_text("b\n")
    (folder / "old.csv.prov.json").write_text("{}")  # a stale record is not an output
    job = FakeJob(input=["results/records/raw.csv"], output=["results/sheets"], rule="sheets")
    written = write_job_provenance(job, "t0", root=review.root, environment=ENV)
    assert sorted(p.relative_to(folder).as_posix() for p in written.paths) == [
        "a.csv.prov.json",
        "sub/b.csv.prov.json",
    ]
    assert not record_path(folder).exists()
    doc = load_record(record_path(folder / "sub" / "b.csv"))
    (subject,) = [a for a in doc["entity"].values() if a.get(SUBJECT)]
    assert subject["srma:path"] == "results/sheets/sub/b.csv"
    assert subject["srma:kind"] == "file"
    assert subject["srma:sha256"] == sha256_file(folder / "sub" / "b.csv")
    # both files share the job, and each knows its sibling as an output of it
    paths = set(_by_path(doc))
    assert {"results/sheets/a.csv", "results/sheets/sub/b.csv", "results/records/raw.csv"} <= paths
    records = [record_path(folder / "a.csv"), record_path(folder / "sub" / "b.csv")]
    assert audit(records, root=review.root).exit_code == 0
    (folder / "sub" / "b.csv").write_text("B\n")
    report = audit(records, root=review.root)
    assert report.exit_code == 1
    assert [c.path for c in report.changed] == ["results/sheets/sub/b.csv"]
