from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from srma.cli import main
from srma.config import validate_config
from srma.errors import InputError
from srma.io.tables import read_table
from srma.review import INPUT_TABLES, init_review, workflow_root
from srma.review.init import GITIGNORE
from srma.review.tables import config_value, table_by_name


def _config(review: Path) -> dict:
    return yaml.safe_load((review / "config" / "config.yaml").read_text(encoding="utf-8"))


def test_layout(pristine: Path):
    files = sorted(p.relative_to(pristine).as_posix() for p in pristine.rglob("*") if p.is_file())
    config = _config(pristine)
    tables = sorted(str(config_value(config, t.config_key)) for t in INPUT_TABLES)
    templates = sorted(f"templates/{t.name}.{ext}" for t in INPUT_TABLES for ext in ("csv", "xlsx"))
    assert files == sorted(
        [".gitignore", "README.md", "Snakefile", "config/config.yaml", *tables, *templates]
    )
    assert (pristine / "data" / "exports").is_dir()
    assert tables == sorted(
        [
            "data/dedup/decisions.csv",
            "data/screening/title_abstract.csv",
            "data/screening/full_text.csv",
            "data/screening/consensus.csv",
            "data/screening/studies.csv",
            "data/extraction/studies.csv",
            "data/extraction/outcomes.csv",
            "data/extraction/risk_of_bias.csv",
        ]
    )
    assert (pristine / ".gitignore").read_text() == GITIGNORE


@pytest.mark.parametrize("table", INPUT_TABLES, ids=lambda t: t.name)
def test_every_template_is_headed_and_empty(pristine: Path, table):
    config = _config(pristine)
    for path in (
        pristine / str(config_value(config, table.config_key)),
        pristine / "templates" / f"{table.name}.csv",
        pristine / "templates" / f"{table.name}.xlsx",
    ):
        frame = read_table(path)
        assert list(frame.columns) == list(table.columns), path
        assert len(frame) == 0, path


def test_templates_are_read_by_the_workflows_readers(pristine: Path):
    """The empty templates are valid inputs: nothing to report, nothing to do."""
    from srma import screening as scr
    from srma.dedup.decisions import read_decisions
    from srma.extraction import load_extraction

    data = pristine / "data"
    assert len(scr.read_logs([data / "screening/title_abstract.csv"])) == 0
    assert len(scr.read_consensus(data / "screening/consensus.csv")) == 0
    assert len(scr.read_studies(data / "screening/studies.csv")) == 0
    decisions = read_decisions(read_table(data / "dedup/decisions.csv"), ["a:1", "b:2"])
    assert decisions.same == [] and decisions.different == []
    extraction = load_extraction(
        data / "extraction/studies.csv",
        data / "extraction/outcomes.csv",
        data / "extraction/risk_of_bias.csv",
        outcomes={},
    )
    assert len(extraction.studies) == len(extraction.outcome_data) == 0


def test_config_names_the_review(pristine: Path):
    config = _config(pristine)
    assert config["review"] == {"title": "IMR for severe mental illness", "id": "myreview"}
    config["sources"] = [{"id": "x", "path": "data/exports/x.ris", "database": "X"}]
    validate_config(config, review_dir=pristine)


def test_snakefile_includes_srmas_workflow(pristine: Path):
    text = (pristine / "Snakefile").read_text()
    assert 'include: str(SRMA_WORKFLOW / "Snakefile")' in text
    assert "SRMA_WORKFLOW = workflow_root()" in text
    assert "default_target: True" in text and "all_targets" in text
    assert (workflow_root() / "Snakefile").is_file()
    compile(text.split("\ninclude:")[0], "Snakefile", "exec")  # the Python part is valid


def test_readme_lists_every_input(pristine: Path):
    readme = (pristine / "README.md").read_text()
    assert readme.startswith("# IMR for severe mental illness\n")
    config = _config(pristine)
    for table in INPUT_TABLES:
        assert f"`{config_value(config, table.config_key)}`" in readme
    for command in ("srma check", "snakemake --cores 4"):
        assert command in readme


def test_xlsx_tables(tmp_path: Path):
    result = init_review(tmp_path / "r", tables="xlsx")
    config = result.config
    assert config["extraction"]["studies"] == "data/extraction/studies.xlsx"
    frame = read_table(tmp_path / "r" / "data/extraction/studies.xlsx")
    assert list(frame.columns) == list(table_by_name("extraction_studies").columns)
    assert not (tmp_path / "r" / "data/extraction/studies.csv").exists()
    assert config["review"]["title"] == "r"


def test_never_overwrites(review: Path):
    config = review / "config" / "config.yaml"
    config.write_text("mine\n")
    log = review / "data" / "screening" / "title_abstract.csv"
    log.write_text("work_id\nW1\n")
    (review / "README.md").unlink()
    with pytest.raises(InputError) as info:
        init_review(review)
    message = str(info.value)
    assert "config/config.yaml" in message and "data/screening/title_abstract.csv" in message
    assert "never overwrites" in message
    assert config.read_text() == "mine\n" and log.read_text() == "work_id\nW1\n"
    assert not (review / "README.md").exists()  # nothing written at all


def test_a_file_is_not_a_folder(tmp_path: Path):
    (tmp_path / "f").write_text("")
    with pytest.raises(InputError, match="not a folder"):
        init_review(tmp_path / "f")


def test_command(tmp_path: Path, capsys):
    assert main(["init", str(tmp_path / "rev"), "--title", "A review"]) == 0
    out = capsys.readouterr().out
    assert f"Made the review folder {tmp_path / 'rev'}/ (28 files)" in out
    assert "data/extraction/outcomes.csv" in out and "srma check" in out
    assert _config(tmp_path / "rev")["review"]["title"] == "A review"
    # a second time: refused, with exit status 2 and no traceback
    assert main(["init", str(tmp_path / "rev")]) == 2
    assert "never overwrites" in capsys.readouterr().err


def test_empty_table_frame():
    from srma.review.tables import empty_table

    frame = empty_table(table_by_name("screening_studies"))
    assert list(frame.columns) == ["work_id", "study_id"] and len(frame) == 0
    assert isinstance(frame, pd.DataFrame)


def test_help_lists_init_and_check(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "    init " in out and "    check " in out


def test_the_tutorial_shows_what_init_prints(repo: Path, tmp_path: Path, capsys, monkeypatch):
    """docs/tutorial.md pastes the output of `srma init`: it must still be what init prints."""
    text = (repo / "docs" / "tutorial.md").read_text(encoding="utf-8")
    command = (
        '$ srma init imr --title "Illness Management and Recovery for severe mental illness"\n'
    )
    start = text.index(command) + len(command)
    shown = text[start : text.index("```", start)]
    monkeypatch.chdir(tmp_path)
    assert (
        main(
            ["init", "imr", "--title", "Illness Management and Recovery for severe mental illness"]
        )
        == 0
    )
    assert capsys.readouterr().out == shown
