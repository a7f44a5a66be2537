from __future__ import annotations

import shutil
import subprocess
from importlib.metadata import version

import pytest

from srma.provenance.environment import PACKAGES, capture_environment, git_state, package_versions


def test_package_versions_cover_the_packages_that_matter():
    found = dict(package_versions())
    assert set(found) == set(PACKAGES)
    assert found["pandas"] == version("pandas")
    assert found["srma"] == version("srma")
    assert (
        dict(package_versions(("srma", "no-such-distribution-xyz")))["no-such-distribution-xyz"]
        is None
    )


def test_git_state_without_a_repository(tmp_path):
    assert git_state(tmp_path) == (None, None)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_state_commit_and_dirty(tmp_path):
    def git(*args):
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    git("init", "-q")
    (tmp_path / "a.txt").write_text("a\n")
    git("add", "a.txt")
    git("commit", "-q", "-m", "one")
    head = git("rev-parse", "HEAD")
    assert git_state(tmp_path) == (head, False)
    (tmp_path / "a.txt").write_text("b\n")
    assert git_state(tmp_path) == (head, True)
    (tmp_path / ".gitignore").write_text("results/\n")
    git("add", ".gitignore", "a.txt")
    git("commit", "-q", "-m", "two")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "x.csv").write_text("x\n")  # ignored: not dirty
    commit, dirty = git_state(tmp_path / "results")
    assert commit == git("rev-parse", "HEAD") and commit != head and dirty is False


def test_capture_environment(tmp_path):
    env = capture_environment(tmp_path)
    assert env.srma_version == version("srma")
    assert env.git_commit is None and env.git_dirty is None
    assert dict(env.packages)["numpy"] == version("numpy")
