"""Fixtures for tests/workflow. SLURM: a one-node cluster on localhost (tools/slurm/cluster.py)."""

from __future__ import annotations

import fcntl
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
SLURM_TOOL = REPO / "tools" / "slurm" / "cluster.py"
# One test cluster per machine at a time (it owns /etc/slurm/slurm.conf and ports 6817/6818):
# a second test session waits here for the first to finish.
SLURM_LOCK = Path("/tmp/srma-slurm.lock")
SLURM_LOCK_WAIT = 600.0


def _load_slurm_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("srma_slurm_cluster", SLURM_TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example review after one full run, made once per test session and shared by every
    module (and every pytest-xdist worker). Read it; to change anything, work on a
    ``copy_run`` of it (tests/workflow/review.py)."""
    from tests.workflow.review import full_run

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this session
    return full_run(root)


@pytest.fixture(scope="session")
def slurm_tool() -> ModuleType:
    """tools/slurm/cluster.py, imported as a module."""
    return _load_slurm_tool()


@pytest.fixture(scope="session")
def slurm_cluster(slurm_tool: ModuleType) -> Iterator:
    """A running one-node SLURM cluster (installs slurm-wlm and munge first when root).

    A cluster already started by hand with ``tools/slurm/cluster.py start`` is used as it is and
    left running; otherwise one is started in a temporary folder, stopped by PID at the end of
    the session whatever the tests did, and its folder deleted.
    """
    if os.geteuid() != 0:
        missing = slurm_tool.missing_programs()
        why = f"{', '.join(missing)} not installed and " if missing else ""
        pytest.skip(
            f"{why}not root: the test cluster runs slurmd as root and writes "
            "/etc/slurm/slurm.conf (see docs/cluster.md)"
        )
    lock = open(SLURM_LOCK, "w")  # noqa: SIM115 - held for the whole session
    deadline = time.monotonic() + SLURM_LOCK_WAIT
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                lock.close()
                pytest.fail(f"another test session held {SLURM_LOCK} for {SLURM_LOCK_WAIT:.0f} s")
            time.sleep(1)
    try:
        running = slurm_tool.running_cluster()
        if running is not None:
            yield running
            return
        slurm_tool.install()
        # Not under pytest's basetemp: munged wants every folder above its socket world-searchable.
        state_dir = Path(tempfile.mkdtemp(prefix="srma-slurm-"))
        try:
            cluster = slurm_tool.start(state_dir)
            yield cluster
        finally:
            slurm_tool.stop(state_dir, clean=True)
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


@pytest.fixture(scope="session")
def slurm_env(slurm_cluster) -> dict[str, str]:
    """Environment for a Snakemake run on the test cluster (sbatch --export=ALL passes it on)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["SLURM_CONF"] = slurm_cluster.slurm_conf
    return env
