"""Nothing partial is left behind, and nothing outside the review folder is read.

- The table writers are atomic: a write that fails leaves neither the destination nor a
  temporary file.
- A workflow step that fails leaves no provenance record of an earlier run beside the
  outputs Snakemake deletes (``srma.scripting.step``).
- Every path the configuration schema declares (``$ref: relpath``) is checked: a value that
  climbs out of the review folder is refused, at the line of its key.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from srma.config import load_config, load_schema
from srma.errors import InputError
from srma.io.tables import write_csv, write_parquet, write_xlsx
from srma.scripting import step


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("cannot be written")


@pytest.mark.parametrize(
    ("write", "name"), [(write_csv, "t.csv"), (write_xlsx, "t.xlsx"), (write_parquet, "t.parquet")]
)
def test_a_failed_write_leaves_nothing(write: Any, name: str, tmp_path: Path) -> None:
    frame = pd.DataFrame({"title": ["fine", Unprintable()]})
    with pytest.raises(Exception):  # noqa: B017 - whatever the writer raises
        write(frame, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv(pd.DataFrame({"title": ["old"]}), path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError):
        write_csv(pd.DataFrame({"title": [Unprintable()]}), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_a_failed_step_leaves_no_provenance_of_an_earlier_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "results" / "decisions.csv"
    output.parent.mkdir()
    output.write_text("from an earlier run\n")
    record = Path(f"{output}.prov.json")
    record.write_text("{}")
    job = SimpleNamespace(
        input=SimpleNamespace(),
        output={"decisions": str(output)},
        params={},
        wildcards={},
        rule="screen_records",
        log=[str(tmp_path / "log.txt")],
    )
    with pytest.raises(SystemExit) as info:
        with step(tmp_path / "log.txt", "screen_records", job=job, root=tmp_path):
            raise InputError("unknown decision", file="data/screening/x.csv", row=3)
    assert info.value.code == 1
    assert not record.exists(), "the record of the earlier run outlived the failed step"
    err = capsys.readouterr().err
    assert "data/screening/x.csv, row 3: unknown decision" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- config paths


def _relpath_keys(schema: dict[str, Any]) -> list[tuple[str, ...]]:
    """Key paths whose values are relpaths (``*`` for the items of a list)."""
    out: list[tuple[str, ...]] = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        if node.get("$ref") == "#/definitions/relpath":
            out.append(path)
        for key, sub in (node.get("properties") or {}).items():
            walk(sub, (*path, key))
        if "items" in node:
            walk(node["items"], (*path, "*"))

    walk(schema, ())
    return out


def _config_with(path: tuple[str, ...], value: str) -> str:
    """A minimal config (YAML) with ``value`` at ``path`` (``*``: the first list item)."""
    import yaml

    config: dict[str, Any] = {
        "review": {"title": "t"},
        "sources": [{"id": "a", "path": "data/a.ris", "database": "A"}],
    }
    parent: Any = config
    for key, following in zip(path, [*path[1:], None], strict=True):
        if key == "*":
            if following is None:
                parent[0] = value
            else:
                parent = parent[0]
            continue
        if following is None:
            parent[key] = value
        else:
            parent = parent.setdefault(key, [{}] if following == "*" else {})
    return yaml.safe_dump(config, sort_keys=False)


def test_schema_declares_the_review_paths() -> None:
    keys = _relpath_keys(load_schema())
    assert ("sources", "*", "path") in keys
    assert ("extraction", "studies") in keys and ("dedup", "decisions") in keys
    assert len(keys) >= 8


@pytest.mark.parametrize("key", _relpath_keys(load_schema()), ids=lambda k: ".".join(k))
@pytest.mark.parametrize("value", ["../outside.csv", "/etc/passwd", "data/../../x.csv"])
def test_every_schema_path_may_not_leave_the_review(
    key: tuple[str, ...], value: str, tmp_path: Path
) -> None:
    review = tmp_path / "review"
    (review / "config").mkdir(parents=True)
    path = review / "config" / "config.yaml"
    path.write_text(_config_with(key, value), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_config(path, review_dir=review)
    climbing = [p for p in info.value.problems if "leaves the review folder" in p.message]
    assert climbing, str(info.value)
    (problem,) = climbing
    assert problem.value == value and problem.line is not None
    assert value in path.read_text().splitlines()[problem.line - 1]  # the line of the key


def test_a_symlink_out_of_the_review_is_refused(tmp_path: Path) -> None:
    review = tmp_path / "review"
    (review / "config").mkdir(parents=True)
    (review / "data").symlink_to(tmp_path)  # data/ points above the review folder
    path = review / "config" / "config.yaml"
    path.write_text(_config_with(("sources", "*", "path"), "data/secret.ris"), encoding="utf-8")
    with pytest.raises(InputError, match="leaves the review folder"):
        load_config(path, review_dir=review)


def test_an_unwritable_output_is_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from srma.cli import main

    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the output's folder should be")
    out = blocker / "records.csv"
    export = Path(__file__).resolve().parents[1] / "data" / "bad" / "dedup" / "records.ris"
    assert main(["import", str(export), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("srma: error: ") and str(blocker) in err
    assert "Traceback" not in err
