"""What ran a step: srma's version, the git commit of the review, package versions."""

from __future__ import annotations

import platform
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["PACKAGES", "Environment", "capture_environment", "git_state", "package_versions"]

#: Distributions whose versions can change srma's numbers, figures or tables.
PACKAGES: tuple[str, ...] = (
    "srma",
    "snakemake",
    "pandas",
    "numpy",
    "scipy",
    "pyarrow",
    "matplotlib",
    "pandera",
    "rapidfuzz",
    "rispy",
    "bibtexparser",
)
#: Seconds one git call may take before srma gives up on it.
GIT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Environment:
    """The software a step ran with.

    Attributes
    ----------
    srma_version
        ``srma.__version__`` as installed.
    python
        Python's version, e.g. ``"3.11.9"``.
    packages
        ``(distribution, version)`` pairs, sorted; version ``None`` when not installed.
    git_commit
        ``HEAD`` of the git work tree holding the review, or ``None`` (no git, no repository).
    git_dirty
        Whether that work tree had uncommitted changes (tracked or untracked files not
        ignored by ``.gitignore``), or ``None`` when unknown.
    """

    srma_version: str
    python: str
    packages: tuple[tuple[str, str | None], ...]
    git_commit: str | None = None
    git_dirty: bool | None = None


def package_versions(packages: tuple[str, ...] = PACKAGES) -> tuple[tuple[str, str | None], ...]:
    """Installed versions of ``packages`` (``None`` for one that is not installed), sorted."""
    found: dict[str, str | None] = {}
    for name in packages:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return tuple(sorted(found.items()))


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_state(path: str | Path) -> tuple[str | None, bool | None]:
    """``(commit, dirty)`` of the git work tree holding ``path``; ``(None, None)`` without git.

    Parameters
    ----------
    path
        Any folder inside the work tree.
    """
    cwd = Path(path)
    head = _git(["rev-parse", "--verify", "--quiet", "HEAD"], cwd)
    if head is None or not head.strip():
        return None, None
    status = _git(["status", "--porcelain"], cwd)
    dirty = None if status is None else bool(status.strip())
    return head.strip(), dirty


@lru_cache(maxsize=8)
def _cached_environment(root: str) -> Environment:
    from srma import __version__

    commit, dirty = git_state(root)
    return Environment(
        srma_version=__version__,
        python=platform.python_version(),
        packages=package_versions(),
        git_commit=commit,
        git_dirty=dirty,
    )


def capture_environment(root: str | Path) -> Environment:
    """The :class:`Environment` of this process for a review in ``root`` (cached per root)."""
    return _cached_environment(str(Path(root).absolute()))
