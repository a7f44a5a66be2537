"""Speed of the importers (``python benchmarks/bench_import.py``).

Builds large exports by repeating real records (the sample exports in
``../shared/benchmarks/exports``, or the example review's ``data/exports`` when
those are absent) and times :func:`srma.io.read_export` on them, end to end:
decoding, format detection, parsing, field cleaning, building and validating
the record table.

* RIS, 100,000 records: a mix of Embase, Ovid MEDLINE, EBSCO PsycINFO, Web of
  Science and Scopus records (about 3.2 kB and 40 lines each, with abstracts,
  keywords and Scopus reference lists), and the same at 10,000;
* RIS, 100,000 lean records (title, authors, journal, year, volume, pages, DOI:
  what a citation-searching list or a reference manager often holds);
* PubMed MEDLINE, Web of Science plain text and Scopus CSV, 20,000 each;
* BibTeX, 2,000 entries (bibtexparser is the slow part).

Wall time and CPU time (``time.process_time``) of one run each; the machine may
be shared, so CPU time is the steadier number.  Writes ``docs/benchmarks/import.md``.

Usage::

    python benchmarks/bench_import.py [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from machine import cpu_model  # noqa: E402  (benchmarks/machine.py)

from srma import __version__
from srma.io import read_export

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared" / "benchmarks" / "exports"
OUT = REPO / "docs" / "benchmarks" / "import.md"

RIS_SOURCES = [
    "ris/embase_elsevier/cff_baseline_embase.ris",
    "ris/ovid/citesource_ovid_medline_84.ris",
    "ris/ebsco/citesource_ebsco_psycinfo_64.ris",
    "ris/wos/citesource_wos_79.ris",
    "ris/scopus/cff_baseline_scopus.ris",
]
LEAN_TAGS = {"TY", "TI", "AU", "PY", "T2", "JO", "VL", "IS", "SP", "EP", "DO", "ER"}


def _text(path: Path) -> str:
    data = path.read_bytes()
    text = data.decode("utf-16") if data[:2] == b"\xff\xfe" else data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _ris_records(paths: list[Path]) -> list[str]:
    records = []
    for path in paths:
        records += [m.group(0) for m in re.finditer(r"(?ms)^TY  -.*?^ER  -[^\n]*", _text(path))]
    return records


def _lean(record: str) -> str:
    return "\n".join(line for line in record.split("\n") if line[:2] in LEAN_TAGS)


def _repeat(records: list[str], n: int, separator: str = "\n\n") -> str:
    return separator.join(records[i % len(records)] for i in range(n)) + "\n"


def build_inputs(folder: Path, quick: bool) -> list[tuple[str, Path, int]]:
    """(label, file, records) for every benchmark input."""
    big = 10_000 if quick else 100_000
    mid = 2_000 if quick else 20_000
    bib = 300 if quick else 2_000
    if SHARED.is_dir():
        ris = _ris_records([SHARED / p for p in RIS_SOURCES])
        nbib_text = _text(SHARED / "pubmed_nbib/revtools_restoration_pubmed.nbib")
        nbib = [b.strip() for b in re.split(r"\n\s*\n", nbib_text) if b.strip()]
        wos_text = _text(SHARED / "wos_plaintext/revtools_restoration_wos.ciw")
        wos = [m.group(0) for m in re.finditer(r"(?ms)^PT .*?^ER$", wos_text)]
        csv_path = SHARED / "scopus_csv/cff_baseline_scopus.csv"
        bib_text = _text(SHARED / "bibtex/asysd_zotero_export.bib")
        bibs = [b.strip() for b in re.split(r"\n(?=@)", bib_text) if b.strip().startswith("@")]
    else:  # the example review's exports
        data = REPO / "data" / "exports"
        ris = _ris_records(sorted(data.glob("*.ris")))
        nbib = [b.strip() for b in re.split(r"\n\s*\n", _text(data / "pubmed.nbib")) if b.strip()]
        wos = [m.group(0) for m in re.finditer(r"(?ms)^PT .*?^ER$", _text(data / "wos.txt"))]
        csv_path = data / "scopus.csv"
        bibs = [
            b.strip()
            for b in re.split(r"\n(?=@)", _text(data / "hand_searching.bib"))
            if b.strip().startswith("@")
        ]
    inputs = []

    def add(label: str, name: str, text: str, n: int) -> None:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        inputs.append((label, path, n))

    add(f"RIS, database exports ({big:,})", "big.ris", _repeat(ris, big), big)
    add(f"RIS, database exports ({big // 10:,})", "small.ris", _repeat(ris, big // 10), big // 10)
    add(f"RIS, lean records ({big:,})", "lean.ris", _repeat([_lean(r) for r in ris], big), big)
    add(f"PubMed MEDLINE ({mid:,})", "pubmed.nbib", _repeat(nbib, mid), mid)
    add(
        f"Web of Science plain text ({mid:,})",
        "wos.txt",
        "FN Clarivate Analytics Web of Science\nVR 1.0\n" + _repeat(wos, mid, "\n\n") + "EF\n",
        mid,
    )
    table = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    copies = pd.concat([table] * (mid // len(table) + 1), ignore_index=True).head(mid)
    copies.to_csv(folder / "scopus.csv", index=False)
    inputs.append((f"Scopus CSV ({mid:,})", folder / "scopus.csv", mid))
    add(f"BibTeX ({bib:,})", "zotero.bib", _repeat(bibs, bib), bib)
    return inputs


def _machine() -> dict[str, str]:
    cpu = cpu_model()
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip()
    return {"uname": uname or platform.platform(), "cpu": cpu, "nproc": str(os.cpu_count())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller inputs")
    args = parser.parse_args()
    read_export(REPO / "data" / "exports" / "pubmed.nbib", source_id="warmup")  # imports
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for label, path, n in build_inputs(Path(folder), args.quick):
            size = path.stat().st_size
            cpu0, wall0 = time.process_time(), time.perf_counter()
            result = read_export(path, source_id="bench")
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            assert len(result.records) == n, (label, len(result.records))
            rows.append((label, size, n, wall, cpu))
            print(f"{label}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    machine = _machine()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "# Import benchmark",
        "",
        f"Generated by `benchmarks/bench_import.py` on {dt.date.today().isoformat()}"
        + (" (`--quick`)" if args.quick else "")
        + ".",
        "",
        f"- machine: `{machine['uname']}`",
        f"- CPU: {machine['cpu']}, nproc = {machine['nproc']}; load average at the end of the "
        f"run: {load} (the machine is shared: CPU time is the steadier number)",
        f"- srma {__version__}, pandas {pd.__version__}, Python {sys.version.split()[0]}",
        "- inputs: real records from `../shared/benchmarks/exports` repeated to the size shown; "
        "one run each, end to end (`read_export`: decode, detect, parse, clean, build and "
        "validate the record table)",
        "",
        "| input | MB | records | wall | CPU | records/s (CPU) | µs/record (CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, size, n, wall, cpu in rows:
        lines.append(
            f"| {label} | {size / 1e6:.1f} | {n:,} | {wall:.2f} s | {cpu:.2f} s | "
            f"{n / cpu:,.0f} | {cpu / n * 1e6:.0f} |"
        )
    lines += [
        "",
        "Where the time goes (RIS): about half in tokenizing and mapping tags, half in",
        "cleaning the fields and building the pandas table; it grows linearly with the",
        "number of records and of tag lines.  BibTeX is bound by bibtexparser (pyparsing).",
        "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"written {OUT}")


if __name__ == "__main__":
    main()
