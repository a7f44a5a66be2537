from __future__ import annotations

import subprocess
import sys

from srma import __version__
from srma.cli import main


def test_version(capsys):
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert f"srma {__version__}" in capsys.readouterr().out


def test_help_lists_commands(capsys):
    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    assert "snakemake --cores 4" in out


def test_console_script_installed():
    proc = subprocess.run(
        [sys.executable, "-m", "srma.cli", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("srma ")
