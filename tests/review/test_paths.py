from __future__ import annotations

from pathlib import Path

import pytest

import srma
from srma.review import WorkflowNotFoundError, workflow_root
from srma.review.paths import WORKFLOW_ENV, WORKFLOW_FILES


def test_workflow_root_is_the_repository(repo: Path):
    root = workflow_root(environ={})
    assert root == Path(srma.__file__).resolve().parents[2] == repo.resolve()
    for part in WORKFLOW_FILES:
        assert (root / part).exists(), part


def test_environment_variable_overrides(repo: Path):
    assert workflow_root(environ={WORKFLOW_ENV: str(repo)}) == repo.resolve()


def test_missing_workflow_fails_clearly(tmp_path: Path):
    (tmp_path / "Snakefile").write_text("")
    with pytest.raises(WorkflowNotFoundError) as info:
        workflow_root(environ={WORKFLOW_ENV: str(tmp_path)})
    message = str(info.value)
    assert str(tmp_path) in message
    # the Snakefile exists: only the rest is listed as missing
    assert ": workflow/rules/common.smk, workflow/schemas/config.schema.yaml, scripts missing" in (
        message
    )
    assert "pip install -e" in message and WORKFLOW_ENV in message
