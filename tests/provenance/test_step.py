"""srma.scripting.step(job=...): records written after the body succeeds, never after a failure."""

from __future__ import annotations

import pytest
from _prov_helpers import FakeJob, make_review

from srma.errors import InputError
from srma.provenance.hashing import sha256_file
from srma.provenance.prov import SUBJECT
from srma.provenance.records import load_record, record_path
from srma.scripting import step


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    review = make_review(tmp_path / "review")
    monkeypatch.chdir(review.root)  # Snakemake runs scripts in the review folder
    return review


def _make_outputs(review):
    review.records.parent.mkdir(parents=True)
    review.records.write_text("id\n1\n")


def test_step_with_job_writes_a_record_for_each_output(fresh):
    job = FakeJob(
        input={"export": "data/raw.ris"},
        output={"records": "results/records/raw.csv", "rejected": "results/records/raw.rej.csv"},
        rule="import_raw",
        params={"source": {"id": "raw"}},
        wildcards={"source": "raw"},
        log=["results/logs/import_raw/raw.log"],
        scriptdir=str(fresh.root / "scripts"),
    )
    with step(job.log[0], "import_raw", job=job) as log:
        _make_outputs(fresh)
        (fresh.root / "results" / "records" / "raw.rej.csv").write_text("none\n")
        log.info("made")
    for name in ("raw.csv", "raw.rej.csv"):
        out = fresh.root / "results" / "records" / name
        doc = load_record(record_path(out))
        (subject,) = [a for a in doc["entity"].values() if a.get(SUBJECT)]
        assert subject["srma:path"] == f"results/records/{name}"
        assert subject["srma:sha256"] == sha256_file(out)
        paths = {a["srma:path"] for a in doc["entity"].values()}
        # the script is found from scriptdir and the rule's name
        assert "scripts/import_raw.py" in paths and "data/raw.ris" in paths
        (act,) = doc["activity"].values()
        assert act["prov:startTime"] <= act["prov:endTime"]
        assert act["prov:startTime"].endswith("+00:00")
    text = (fresh.root / job.log[0]).read_text()
    assert "provenance: 2 record(s) written" in text
    assert "done in" in text


def test_step_warns_in_the_log_when_a_lineage_stops(fresh):
    (fresh.root / "results").mkdir()
    (fresh.root / "results" / "orphan.csv").write_text("x\n")
    job = FakeJob(input=["results/orphan.csv"], output=["results/records/raw.csv"], rule="r")
    with step("results/logs/r.log", "r", job=job):
        _make_outputs(fresh)
    text = (fresh.root / "results" / "logs" / "r.log").read_text()
    assert "WARNING" in text and "results/orphan.csv has no provenance record" in text


def test_step_without_job_writes_no_record(fresh):
    with step("results/logs/x.log", "x"):
        _make_outputs(fresh)
    assert not record_path(fresh.records).exists()
    assert "done in" in (fresh.root / "results" / "logs" / "x.log").read_text()


def test_step_writes_no_record_when_the_body_fails(fresh, capsys):
    job = FakeJob(input=["data/raw.ris"], output=["results/records/raw.csv"], rule="r")
    with pytest.raises(SystemExit) as exc:
        with step("results/logs/r.log", "r", job=job):
            _make_outputs(fresh)
            raise InputError("bad value", file="data/raw.ris", line=3)
    assert exc.value.code == 1
    assert not record_path(fresh.records).exists()
    assert "data/raw.ris, line 3: bad value" in capsys.readouterr().err
    with pytest.raises(ZeroDivisionError):
        with step("results/logs/r.log", "r", job=job):
            1 / 0  # noqa: B018
    assert not record_path(fresh.records).exists()


def test_step_root_argument(tmp_path, monkeypatch):
    review = make_review(tmp_path / "review")
    monkeypatch.chdir(tmp_path)  # elsewhere: paths are relative to root
    job = FakeJob(input=[str(review.raw)], output=[str(review.records)], rule="import_raw")
    with step(None, "import_raw", job=job, root=review.root):
        _make_outputs(review)
    doc = load_record(record_path(review.records))
    assert {a["srma:path"] for a in doc["entity"].values()} == {
        "data/raw.ris",
        "results/records/raw.csv",
    }


def test_a_failed_step_leaves_no_earlier_record_behind(review, monkeypatch):
    """A rerun that fails removes the record of the earlier run (Snakemake removes the output)."""
    monkeypatch.chdir(review.root)
    assert record_path(review.records).exists()
    job = FakeJob(input=["data/raw.ris"], output=["results/records/raw.csv"], rule="import_raw")
    with pytest.raises(SystemExit):
        with step(None, "import_raw", job=job):
            raise InputError("bad export", file="data/raw.ris")
    assert not record_path(review.records).exists()
    assert record_path(review.figure).exists()  # other jobs' records are left alone
