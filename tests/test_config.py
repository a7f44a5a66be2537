from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from srma.config import load_config, validate_config
from srma.errors import InputError

MINIMAL = {
    "review": {"title": "A review"},
    "sources": [{"id": "pubmed", "path": "data/exports/pubmed.nbib", "database": "PubMed"}],
}


def test_defaults_are_filled():
    cfg = validate_config(copy.deepcopy(MINIMAL))
    src = cfg["sources"][0]
    assert src["stream"] == "databases"
    assert src["format"] == "auto"
    assert src["on_error"] == "stop"
    assert cfg["dedup"]["decisions"] == "data/dedup/decisions.csv"
    assert cfg["review"]["id"] == "review"


def test_unknown_key_is_rejected_with_suggestion():
    cfg = copy.deepcopy(MINIMAL)
    cfg["sources"][0]["databse"] = "x"
    with pytest.raises(InputError) as err:
        validate_config(cfg)
    text = str(err.value)
    assert "unknown key 'databse'" in text
    assert "Did you mean 'database'" in text
    assert "config/config.yaml" in text


def test_wrong_type_and_enum_reported_together():
    cfg = copy.deepcopy(MINIMAL)
    cfg["sources"][0]["on_error"] = "ignore"
    cfg["review"]["title"] = 3
    with pytest.raises(InputError) as err:
        validate_config(cfg)
    assert len(err.value.problems) == 2
    text = str(err.value)
    assert "Use one of: stop, skip" in text
    assert "review.title" in text


@pytest.mark.parametrize("path", ["../elsewhere.ris", "/etc/passwd", "data/../../x.ris"])
def test_paths_may_not_leave_review_folder(path, tmp_path):
    cfg = copy.deepcopy(MINIMAL)
    cfg["sources"][0]["path"] = path
    with pytest.raises(InputError, match="leaves the review folder"):
        validate_config(cfg, review_dir=tmp_path)


def test_duplicate_source_ids():
    cfg = copy.deepcopy(MINIMAL)
    cfg["sources"].append(dict(cfg["sources"][0]))
    with pytest.raises(InputError, match="used twice"):
        validate_config(cfg)


def test_bad_source_id_pattern():
    cfg = copy.deepcopy(MINIMAL)
    cfg["sources"][0]["id"] = "Pub Med"
    with pytest.raises(InputError, match="lower-case letters"):
        validate_config(cfg)


def test_yaml_python_objects_are_refused(tmp_path):
    path = tmp_path / "config" / "config.yaml"
    path.parent.mkdir()
    path.write_text("review: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(InputError) as err:
        load_config(path)
    assert "invalid YAML" in str(err.value)
    assert "line 1" in str(err.value)


def test_example_config_is_valid(repo: Path):
    cfg = load_config(repo / "config" / "config.yaml", review_dir=repo)
    assert cfg["sources"], "the example review lists its sources"
    for src in cfg["sources"]:
        assert (repo / src["path"]).exists(), src["path"]


def test_schema_gives_every_optional_key_a_default_and_description(repo: Path):
    schema = yaml.safe_load((repo / "workflow/schemas/config.schema.yaml").read_text())

    def walk(node, where):
        if not isinstance(node, dict):
            return
        props = node.get("properties", {})
        required = set(node.get("required", []))
        if props:
            assert node.get("additionalProperties") is False, f"{where} must reject unknown keys"
        for key, sub in props.items():
            assert "description" in sub or "$ref" in sub, f"{where}.{key} has no description"
            # override entries change only the keys they name: no defaults there
            inherits = where.endswith("overrides[]")
            if key not in required and node.get("type") == "object" and not inherits:
                assert "default" in sub, f"{where}.{key} is optional but has no default"
            walk(sub, f"{where}.{key}")
            walk(sub.get("items", {}), f"{where}.{key}[]")

    walk(schema, "config")
