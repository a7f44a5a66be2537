"""tools/calibrate_extraction: seeded and deterministic; it rewrites data/extraction exactly."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import EXAMPLE, REPO

TOOL = REPO / "tools" / "calibrate_extraction" / "calibrate.py"


@pytest.mark.slow
def test_calibration_regenerates_the_example_tables_byte_for_byte(tmp_path):
    # about 10-15 s: an integer programme for the sample sizes and a least-squares
    # calibration per analysis, then the check that pools the written tables
    proc = subprocess.run(
        [sys.executable, str(TOOL), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all published results reproduced" in proc.stdout
    for name in ("studies.csv", "outcomes.csv", "risk_of_bias.csv"):
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), name
