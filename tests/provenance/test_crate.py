"""srma crate: an RO-Crate of the run (Workflow Run Crate profiles) from the records."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from srma.cli import main
from srma.provenance.hashing import sha256_file
from srma.provenance.records import load_record, record_path

WORKFLOW_RUN = "https://w3id.org/ro/wfrun/workflow/0.5"
PROFILES = {
    "https://w3id.org/ro/wfrun/process/0.5",
    WORKFLOW_RUN,
    "https://w3id.org/ro/wfrun/provenance/0.5",
    "https://w3id.org/workflowhub/workflow-ro-crate/1.0",
}


def _ids(value):
    items = value if isinstance(value, list) else [value]
    return [item["@id"] for item in items]


def _types(entity):
    t = entity["@type"]
    return set(t if isinstance(t, list) else [t])


@pytest.fixture
def crate_dir(in_review, tmp_path):
    out = tmp_path / "crate"
    assert main(["crate", "--out", str(out)]) == 0
    return out


def _graph(folder: Path) -> dict[str, dict]:
    metadata = json.loads((folder / "ro-crate-metadata.json").read_text())
    return {e["@id"]: e for e in metadata["@graph"]}


def test_crate_conforms_to_the_workflow_run_profiles(crate_dir):
    graph = _graph(crate_dir)
    descriptor = graph["ro-crate-metadata.json"]
    assert "https://w3id.org/ro/crate/1.1" in _ids(descriptor["conformsTo"])
    root = graph["./"]
    assert set(_ids(root["conformsTo"])) == PROFILES
    for profile in PROFILES:
        assert graph[profile]["@type"] == "CreativeWork"
    for key in ("name", "description", "datePublished", "license"):
        assert key in root, key
    workflow = graph[root["mainEntity"]["@id"]]
    assert workflow["@id"] == "Snakefile"
    assert {"File", "SoftwareSourceCode", "ComputationalWorkflow", "HowTo"} <= _types(workflow)
    assert graph[workflow["programmingLanguage"]["@id"]]["name"] == "Snakemake"
    assert set(_ids(workflow["hasPart"])) == {"scripts/import_raw.py", "scripts/plot.py"}
    assert _ids(workflow["step"]) == ["#step/import_raw", "#step/plot"]
    assert graph["#step/plot"]["workExample"]["@id"] == "scripts/plot.py"


def test_one_create_action_per_job_from_the_records(crate_dir, in_review):
    graph = _graph(crate_dir)
    actions = {i: e for i, e in graph.items() if "CreateAction" in _types(e)}
    assert len(actions) == 3  # two jobs and the whole run
    jobs = {i: a for i, a in actions.items() if i != "#run"}
    doc = load_record(record_path(in_review.figure))
    for action in jobs.values():
        instrument = graph[action["instrument"]["@id"]]
        assert "SoftwareSourceCode" in _types(instrument)
        files = [i for i in _ids(action["object"]) if not i.startswith("#param/")]
        files += _ids(action["result"])
        for fid in files:
            assert "File" in _types(graph[fid]), fid
            assert graph[fid]["sha256"] == sha256_file(crate_dir / fid), fid
        (recorded,) = [
            a for a in doc["activity"].values() if action["name"].endswith(a["prov:label"])
        ]
        assert action["startTime"] == recorded["prov:startTime"]
        assert action["endTime"] == recorded["prov:endTime"]
    (plot,) = [a for a in jobs.values() if a["name"] == "Run of rule plot"]
    assert set(_ids(plot["object"])) == {
        "data/settings.txt",
        "results/records/raw.csv",
        "#param/job/" + plot["@id"].split("/", 1)[1] + "/level",
        "#param/job/" + plot["@id"].split("/", 1)[1] + "/model",
    }
    assert set(_ids(plot["result"])) == {"results/figures/plot.svg", "results/tables/plot.csv"}
    level = graph["#param/job/" + plot["@id"].split("/", 1)[1] + "/level"]
    assert level["@type"] == "PropertyValue" and level["value"] == "0.95"
    run = actions["#run"]
    assert run["instrument"]["@id"] == "Snakefile"
    assert set(_ids(run["object"])) == {"data/raw.ris", "data/settings.txt"}
    assert set(_ids(run["result"])) == {"results/figures/plot.svg", "results/tables/plot.csv"}
    assert run["startTime"] == "2025-01-01T00:00:00.000+00:00"
    assert run["endTime"] == "2025-01-01T00:01:02.000+00:00"
    assert "#run" in _ids(graph["./"]["mentions"])
    engine = graph["#engine-run"]
    assert engine["@type"] == "OrganizeAction" and engine["result"]["@id"] == "#run"
    controls = [graph[i] for i in _ids(engine["object"])]
    assert {c["object"]["@id"] for c in controls} == set(jobs)


def test_crate_bundles_data_results_records_and_workflow(crate_dir, in_review):
    graph = _graph(crate_dir)
    for rel in (
        "Snakefile",
        "workflow/rules/all.smk",
        "data/raw.ris",
        "results/figures/plot.svg",
        "results/figures/plot.svg.prov.json",
    ):
        assert (crate_dir / rel).read_bytes() == (in_review.root / rel).read_bytes(), rel
        assert rel in graph
    record = graph["results/figures/plot.svg.prov.json"]
    assert record["encodingFormat"] == "application/json"
    assert graph[record["about"]["@id"]]["name"] == "Run of rule plot"


def test_crate_reads_back_with_rocrate(crate_dir):
    from rocrate.rocrate import ROCrate

    crate = ROCrate(crate_dir)
    assert crate.mainEntity.id == "Snakefile"
    assert len(crate.get_by_type("CreateAction")) == 3


def test_zip_crate(in_review, tmp_path):
    out = tmp_path / "run.zip"
    assert main(["crate", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        metadata = json.loads(z.read("ro-crate-metadata.json"))
    assert {"data/raw.ris", "results/tables/plot.csv.prov.json", "Snakefile"} <= names
    root = next(e for e in metadata["@graph"] if e["@id"] == "./")
    assert WORKFLOW_RUN in _ids(root["conformsTo"])


def test_default_destination_and_force(in_review, capsys):
    assert main(["crate"]) == 0
    assert (in_review.root / "results" / "crate.zip").is_file()
    assert main(["crate"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["crate", "--force", "--license", "https://spdx.org/licenses/CC-BY-4.0"]) == 0
    with zipfile.ZipFile(in_review.root / "results" / "crate.zip") as z:
        metadata = json.loads(z.read("ro-crate-metadata.json"))
    root = next(e for e in metadata["@graph"] if e["@id"] == "./")
    assert root["license"]["@id"] == "https://spdx.org/licenses/CC-BY-4.0"
    # the crate does not disturb the audit
    assert main(["audit", "--all", "--quiet"]) == 0


def test_stale_run_is_not_exported_unless_allowed(in_review, tmp_path, capsys):
    in_review.settings.write_text("method: DL\n")
    assert main(["crate", "--out", str(tmp_path / "c")]) == 1
    err = capsys.readouterr().err
    assert "CHANGED data/settings.txt" in err and "--allow-stale" in err
    assert not (tmp_path / "c").exists()
    assert main(["crate", "--out", str(tmp_path / "c"), "--allow-stale"]) == 0
    graph = _graph(tmp_path / "c")
    # the file as it is now, with the digest the records hold
    assert graph["data/settings.txt"]["sha256"] != sha256_file(tmp_path / "c" / "data/settings.txt")


def test_crate_refuses_to_replace_a_foreign_folder(in_review, tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me\n")
    assert main(["crate", "--out", str(folder), "--force"]) == 2
    assert "not an RO-Crate" in capsys.readouterr().err
    assert (folder / "notes.txt").read_text() == "keep me\n"


def test_crate_passes_the_profile_validator(crate_dir, tmp_path):
    """REQUIRED checks of roc-validator's provenance-run-crate-0.5 profile (optional package).

    The validator fetches the RO-Crate 1.1 JSON-LD context from the web; offline, this test
    inlines the RO-Crate context shipped with the rocrate package (1.3, with 1.1's bioschemas
    IRIs for ComputationalWorkflow) so that no network is needed.
    """
    validator = pytest.importorskip("rocrate_validator")
    import shutil

    from rocrate_validator import models, services

    copy = tmp_path / "inline"
    shutil.copytree(crate_dir, copy)
    import rocrate

    context_file = Path(rocrate.__file__).parent / "data" / "ro-crate.jsonld"
    context = json.loads(context_file.read_text())["@context"]
    context["ComputationalWorkflow"] = "https://bioschemas.org/ComputationalWorkflow"
    metadata = json.loads((copy / "ro-crate-metadata.json").read_text())
    metadata["@context"] = [context, {"sha256": "urn:srma:sha256"}]
    (copy / "ro-crate-metadata.json").write_text(json.dumps(metadata))
    settings = services.ValidationSettings(
        rocrate_uri=str(copy),
        profile_identifier="provenance-run-crate-0.5",
        requirement_severity=models.Severity.REQUIRED,
        offline=True,
    )
    result = services.validate(settings)
    issues = [f"{i.check.identifier}: {i.message}" for i in result.get_issues()]
    assert result.passed(), issues
    assert validator is not None
