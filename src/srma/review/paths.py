"""Where srma's workflow lives, and the paths of a review folder.

A review folder holds only its own configuration and data; its ``Snakefile``
includes srma's workflow (the repository's ``Snakefile``, ``workflow/`` and
``scripts/``), found through the installed package by :func:`workflow_root`.
"""

from __future__ import annotations

import os
from pathlib import Path

from srma.errors import SrmaError

__all__ = [
    "CONFIG_FILE",
    "EXPORTS_DIR",
    "WORKFLOW_ENV",
    "WORKFLOW_FILES",
    "WorkflowNotFoundError",
    "workflow_root",
]

#: The configuration file, relative to a review folder.
CONFIG_FILE = "config/config.yaml"
#: Where a review's search exports go.
EXPORTS_DIR = "data/exports"
#: Environment variable naming the folder that holds srma's ``Snakefile``
#: (for an installation that is not an editable one from the repository).
WORKFLOW_ENV = "SRMA_WORKFLOW"
#: What the workflow root must hold.
WORKFLOW_FILES = (
    "Snakefile",
    "workflow/rules/common.smk",
    "workflow/schemas/config.schema.yaml",
    "scripts",
)


class WorkflowNotFoundError(SrmaError):
    """srma's Snakemake workflow is not where the package expects it."""

    exit_code = 2


def _missing(root: Path) -> list[str]:
    return [part for part in WORKFLOW_FILES if not (root / part).exists()]


def workflow_root(environ: dict[str, str] | None = None) -> Path:
    """The folder holding srma's ``Snakefile``, ``workflow/`` and ``scripts/``.

    srma is installed in editable mode from its repository, so the workflow is
    two folders above the package (``src/srma`` -> the repository).  The
    environment variable ``SRMA_WORKFLOW`` overrides this.

    Parameters
    ----------
    environ
        The environment to read ``SRMA_WORKFLOW`` from (default ``os.environ``).

    Returns
    -------
    pathlib.Path
        An absolute path.

    Raises
    ------
    WorkflowNotFoundError
        If that folder lacks any of :data:`WORKFLOW_FILES`.
    """
    env = os.environ if environ is None else environ
    override = env.get(WORKFLOW_ENV)
    if override:
        root = Path(override).expanduser().resolve()
        where = f"{WORKFLOW_ENV}={override}"
    else:
        import srma

        root = Path(srma.__file__).resolve().parents[2]
        where = f"the srma package at {Path(srma.__file__).resolve().parent}"
    missing = _missing(root)
    if missing:
        raise WorkflowNotFoundError(
            f"srma's workflow is not in {root} (found through {where}): "
            f"{', '.join(missing)} missing. Install srma in editable mode from its repository "
            f"(pip install -e /path/to/srma), or set {WORKFLOW_ENV} to the folder holding "
            "srma's Snakefile, workflow/ and scripts/."
        )
    return root
