"""End to end: the example review's provenance after a real run of the workflow.

After ``snakemake``, ``srma audit --all`` passes and every file the workflow wrote under
results/ has its record.  Changing one byte of one database export makes the audit fail
(exit 1), naming that export and every output downstream: a superset of what Snakemake
then remakes, since it stops where a remade file has the same bytes as before (and so does
the audit, which follows each intermediate file's current record).  After the rerun the
audit passes again.  Runs the whole workflow, then part of it again (about 5 minutes on 2
shared cores with every rule of the example review), hence the ``workflow`` and ``slow``
marks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from srma.cli import main
from srma.provenance.records import PROV_SUFFIX
from tests.workflow.review import copy_run

pytestmark = [pytest.mark.workflow, pytest.mark.slow]

SNAKEMAKE = Path(sys.executable).parent / "snakemake"
RUN_TIMEOUT = 900
EXPORT = "data/exports/embase.ris"


def _snakemake(review: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(SNAKEMAKE), "--cores", "2", *args],
        cwd=review,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _pending(review: Path) -> set[str]:
    """Outputs Snakemake plans to remake (``--summary``; it cannot see past a checkpoint)."""
    out = _snakemake(review, "--summary").stdout.splitlines()
    header = out.index(next(line for line in out if line.startswith("output_file\t")))
    rows = [line.split("\t") for line in out[header + 1 :] if "\t" in line]
    return {row[0] for row in rows if row[-1] != "no update"}


def _results(review: Path) -> dict[str, int]:
    """Modification time of every file the workflow made (records, logs and the empty marker
    Snakemake leaves in each directory() output aside)."""
    return {
        p.relative_to(review).as_posix(): p.stat().st_mtime_ns
        for p in (review / "results").rglob("*")
        if p.is_file()
        and not p.name.endswith(PROV_SUFFIX)
        and "logs" not in p.parts
        and p.name != ".snakemake_timestamp"
    }


def _change_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    at = data.find(b" the ")
    if at >= 0:  # " the " -> " The ": still a valid export, one byte different
        data[at + 1] = ord("T")
    else:
        at = next(i for i in range(len(data) // 2, len(data)) if chr(data[i]).isalpha())
        data[at] ^= 0x20
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def review(example_run, tmp_path_factory) -> Path:
    """A copy of the shared full run of the example review (this test changes an export)."""
    return copy_run(example_run, tmp_path_factory.mktemp("audit") / "review")


def test_audit_after_a_run_change_and_rerun(review, capsys, monkeypatch):
    monkeypatch.chdir(review)
    # every file the workflow wrote (logs aside) has a record, and all of them pass
    made = _results(review)
    assert made
    unrecorded = [p for p in made if not (review / (p + PROV_SUFFIX)).exists()]
    assert unrecorded == []
    assert main(["audit", "--all", "--quiet"]) == 0, capsys.readouterr().out
    capsys.readouterr()

    # one byte of one export: stale, naming it and every output downstream
    _change_one_byte(review / EXPORT)
    assert main(["audit", "--all", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [c["path"] for c in report["changed"]] == [EXPORT]
    affects = set(report["changed"][0]["affects"])
    assert f"results/records/{Path(EXPORT).stem}.parquet" in affects
    assert _pending(review) <= affects  # what Snakemake sees before its checkpoints
    # every figure whose recorded lineage reaches the export, and no other figure
    figures = {p for p in made if p.startswith("results/figures/")}
    downstream = {p for p in figures if f'"{EXPORT}"' in (review / (p + PROV_SUFFIX)).read_text()}
    assert any(p.startswith("results/figures/outcomes/") for p in downstream)
    assert figures & affects == downstream
    assert main(["audit", "--all", "--quiet"]) == 1
    text = capsys.readouterr().out
    assert f"CHANGED {EXPORT}" in text
    for path in affects:
        assert f"      {path}\n" in text

    # rerun: Snakemake remakes only outputs the audit named (it stops where a remade file
    # has the same bytes as before), and the audit passes again
    _snakemake(review)
    after = _results(review)
    remade = {p for p, mtime in after.items() if made.get(p) != mtime}
    assert f"results/records/{Path(EXPORT).stem}.parquet" in remade
    assert remade <= affects
    assert main(["audit", "--all", "--quiet"]) == 0, capsys.readouterr().out
    assert main(["crate", "--out", str(review / "crate.zip")]) == 0
    assert (review / "crate.zip").stat().st_size > 0
