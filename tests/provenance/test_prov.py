"""The PROV-JSON model: values, identifiers, one job's document, merging."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from _prov_helpers import ENV

from srma.provenance.prov import (
    PREFIXES,
    SECTIONS,
    SUBJECT,
    FileState,
    JobRecord,
    UsedFile,
    activity_id,
    build_record,
    decode_json_literal,
    entity_id,
    job_document,
    json_literal,
    merge_documents,
    strip_subject,
    to_jsonable,
)

SHA_A = "a" * 64
SHA_B = "b" * 64
SHA_C = "c" * 64


def test_to_jsonable_plain_values():
    value = {
        "path": Path("data/x.ris"),
        "tuple": (1, 2),
        "set": {"b", "a"},
        "np": np.float64(0.5),
        "npint": np.int64(3),
        "array": np.array([1.0, 2.0]),
        "nan": math.nan,
        "nested": {"k": [None, True]},
        "other": object,
    }
    out = to_jsonable(value)
    assert out == {
        "path": "data/x.ris",
        "tuple": [1, 2],
        "set": ["a", "b"],
        "np": 0.5,
        "npint": 3,
        "array": [1.0, 2.0],
        "nan": "nan",
        "nested": {"k": [None, True]},
        "other": repr(object),
    }
    json.dumps(out, allow_nan=False)  # really JSON


def test_to_jsonable_snakemake_namedlist():
    from snakemake.iocontainers import Namedlist

    named = Namedlist(fromdict={"source": {"id": "embase"}, "level": 0.95})
    assert to_jsonable(named) == {"source": {"id": "embase"}, "level": 0.95}
    mixed = Namedlist(toclone=["a.txt", "b.txt"])
    mixed._set_name("first", 0)
    assert to_jsonable(mixed) == {"first": "a.txt", "_unnamed": ["b.txt"]}
    assert to_jsonable(Namedlist(toclone=[1, 2])) == [1, 2]


def test_json_literal_round_trip():
    literal = json_literal({"b": 1, "a": [Path("x")]})
    assert literal == {"$": '{"a": ["x"], "b": 1}', "type": "srma:json"}
    assert decode_json_literal(literal) == {"a": ["x"], "b": 1}
    assert decode_json_literal("plain") == "plain"


def test_identifiers_are_content_addresses():
    a = FileState("data/x.ris", SHA_A, 3)
    assert entity_id(a) == "srma:file/data/x.ris@" + "a" * 16
    assert entity_id(FileState("results/y", None, None, "missing")) == "srma:file/results/y@missing"
    one = activity_id("import_source", {"source": "x"}, [entity_id(a)])
    assert one.startswith("srma:job/import_source/source=x@")
    assert one == activity_id("import_source", {"source": "x"}, [entity_id(a)])
    changed = FileState("data/x.ris", SHA_B, 3)
    assert one != activity_id("import_source", {"source": "x"}, [entity_id(changed)])
    assert activity_id("all", {}, []).startswith("srma:job/all@")


def _job(**kw) -> JobRecord:
    base = dict(
        rule="pool",
        wildcards={"outcome": "pain"},
        params={"method": "REML"},
        inputs=(
            UsedFile("effects", FileState("results/effects.parquet", SHA_A, 10), "recorded"),
            UsedFile("settings", FileState("config/config.yaml", SHA_B, 5), "source"),
        ),
        outputs=(("pooled", FileState("results/pooled.json", SHA_C, 7)),),
        code=FileState("scripts/pool.py", "d" * 64, 2),
        logs=("results/logs/pool.log",),
        start="2025-01-01T00:00:00.000+00:00",
        end="2025-01-01T00:00:01.000+00:00",
        environment=ENV,
    )
    base.update(kw)
    return JobRecord(**base)


def test_job_document_holds_the_job_its_files_and_relations():
    doc = job_document(_job())
    assert doc["prefix"] == PREFIXES
    assert set(doc) == {"prefix", *SECTIONS}
    ((act_id, act),) = doc["activity"].items()
    assert act["srma:rule"] == "pool"
    assert decode_json_literal(act["srma:params"]) == {"method": "REML"}
    assert decode_json_literal(act["srma:wildcards"]) == {"outcome": "pain"}
    assert decode_json_literal(act["srma:log"]) == ["results/logs/pool.log"]
    assert act["prov:startTime"] == "2025-01-01T00:00:00.000+00:00"
    assert act["srma:git_commit"] == ENV.git_commit and act["srma:git_dirty"] is False
    paths = {a["srma:path"]: a for a in doc["entity"].values()}
    assert set(paths) == {
        "results/effects.parquet",
        "config/config.yaml",
        "results/pooled.json",
        "scripts/pool.py",
    }
    assert paths["results/pooled.json"]["srma:sha256"] == SHA_C
    assert paths["scripts/pool.py"]["srma:role"] == "code"
    used = sorted((u["srma:role"], u["prov:entity"]) for u in doc["used"].values())
    assert [r for r, _ in used] == ["effects", "settings"]
    (gen,) = doc["wasGeneratedBy"].values()
    assert gen == {
        "prov:entity": entity_id(FileState("results/pooled.json", SHA_C)),
        "prov:activity": act_id,
        "srma:role": "pooled",
    }
    assert len(doc["wasDerivedFrom"]) == 2  # one output x two inputs
    (assoc,) = doc["wasAssociatedWith"].values()
    assert assoc["prov:plan"] == entity_id(FileState("scripts/pool.py", "d" * 64))
    agent = doc["agent"][assoc["prov:agent"]]
    assert agent["srma:package/pandas"] == "3.0.0"
    assert agent["prov:type"] == {"$": "prov:SoftwareAgent", "type": "prov:QUALIFIED_NAME"}


def test_only_problem_lineages_are_marked():
    job = _job(
        inputs=(
            UsedFile("a", FileState("results/a", SHA_A), "unrecorded"),
            UsedFile("b", FileState("data/b", SHA_B), "source"),
        )
    )
    ents = {a["srma:path"]: a for a in job_document(job)["entity"].values()}
    assert ents["results/a"]["srma:lineage"] == "unrecorded"
    assert "srma:lineage" not in ents["data/b"]


def test_job_document_is_deterministic_except_for_times():
    one = job_document(_job())
    two = job_document(_job(start="2030-01-01T00:00:00.000+00:00"))
    assert one["entity"] == two["entity"]
    assert one["used"] == two["used"]
    assert list(one["activity"]) == list(two["activity"])


def test_build_record_marks_one_subject_and_merges_upstream():
    upstream_job = _job(
        rule="extract",
        wildcards={},
        inputs=(UsedFile("raw", FileState("data/raw.csv", SHA_B), "source"),),
        outputs=(("effects", FileState("results/effects.parquet", SHA_A, 10)),),
    )
    upstream = build_record(
        job_document(upstream_job), [], entity_id(FileState("results/effects.parquet", SHA_A))
    )
    subject = entity_id(FileState("results/pooled.json", SHA_C))
    record = build_record(job_document(_job()), [upstream], subject)
    marked = [e for e, a in record["entity"].items() if a.get(SUBJECT)]
    assert marked == [subject]
    assert record["entity"][subject]["srma:record_version"] == 1
    assert len(record["activity"]) == 2
    assert "data/raw.csv" in {a["srma:path"] for a in record["entity"].values()}
    # the upstream record itself is not changed
    assert [e for e, a in upstream["entity"].items() if a.get(SUBJECT)] == [
        entity_id(FileState("results/effects.parquet", SHA_A))
    ]
    with pytest.raises(KeyError):
        build_record(job_document(_job()), [], "srma:file/nowhere@x")


def test_merge_keeps_first_value_and_unions_attributes():
    a = {"entity": {"e": {"x": 1}}, "activity": {}, "prefix": {"p": "urn:p:"}}
    b = {"entity": {"e": {"x": 2, "y": 3}, "f": {}}, "activity": {"a": {}}}
    merged = merge_documents([a, b])
    assert merged["entity"] == {"e": {"x": 1, "y": 3}, "f": {}}
    assert merged["activity"] == {"a": {}}
    assert merged["prefix"]["p"] == "urn:p:" and merged["prefix"]["srma"] == "urn:srma:"
    assert strip_subject({"entity": {"e": {SUBJECT: True, "k": 1}}}) == {"entity": {"e": {"k": 1}}}


def test_records_are_valid_prov_json(review):
    """The W3C reference implementation (``prov`` package) reads a record."""
    prov_model = pytest.importorskip("prov.model")
    path = str(review.figure) + ".prov.json"
    doc = prov_model.ProvDocument.deserialize(source=path, format="json")
    records = doc.get_records()
    kinds = {type(r).__name__ for r in records}
    assert {"ProvEntity", "ProvActivity", "ProvAgent", "ProvUsage", "ProvGeneration"} <= kinds
    assert {"ProvDerivation", "ProvAssociation"} <= kinds
    assert len(list(doc.get_records(prov_model.ProvActivity))) == 2
