#!/usr/bin/env python3
"""De-duplication benchmark: accuracy on the labelled sets, speed on synthetic exports.

Run as ``make bench-dedup`` (or ``python benchmarks/bench_dedup.py``).  Writes
``docs/benchmarks/dedup.md``.

* Every labelled set in ``../shared/benchmarks/dedup/`` is de-duplicated with the
  same settings and scored by that folder's own ``score.py``, run as a separate
  process the way a user would run it, beside the published figures in
  ``_reported_results/``.
* Synthetic multi-database exports of 10,000, 30,000 and 100,000 records
  (``make_synthetic_exports.py``, seeded) are de-duplicated, each size in a fresh
  process so that its peak memory (``resource.getrusage(...).ru_maxrss``) is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from machine import cpu_model  # noqa: E402  (benchmarks/machine.py)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BENCH = (REPO / ".." / "shared" / "benchmarks" / "dedup").resolve()
OUT = REPO / "docs" / "benchmarks" / "dedup.md"
SIZES = (10_000, 30_000, 100_000)

#: Figures not in bib-dedupe's results table, with their source.
OTHER_PUBLISHED = {
    "diabetes": (
        0.998,
        "ASySD, Hair et al. 2023 (TP 1259, FN 2, FP 0; _reported_results/REPORTED_RESULTS.md §1)",
    ),
}


def machine() -> dict[str, str]:
    cpu = cpu_model()
    import numpy
    import rapidfuzz

    return {
        "uname": subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip()
        or " ".join(platform.uname()),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": numpy.__version__,
        "rapidfuzz": rapidfuzz.__version__,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def published_results() -> dict[str, dict[str, dict[str, float]]]:
    """bib-dedupe's per-dataset table: {dataset: {package: {sensitivity, FP, ...}}}."""
    path = BENCH / "_reported_results" / "bibdedupe_current_results.md"
    out: dict[str, dict[str, dict[str, float]]] = {}
    section = None
    header: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"## (\S+) \(n=", line)
        if m:
            section, header = m.group(1), []
            continue
        if section and line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not header:
                header = cells
            elif not set(cells[0]) <= {":", "-"}:
                row = dict(zip(header, cells, strict=False))
                out.setdefault(section, {})[row["package"]] = {
                    k: float(row[k]) for k in ("TP", "FP", "FN", "sensitivity", "precision")
                }
    return out


def dataset_name(folder: str) -> str:
    return re.sub(r"^(rathbone|asysd|bibdedupe)_", "", folder)


def run_labelled(folder: Path) -> dict[str, object]:
    from srma.dedup import deduplicate
    from srma.dedup.benchmark_io import read_benchmark_csv, write_groups

    records_csv = folder / "records_pre_merged.csv"
    if not records_csv.exists():
        records_csv = folder / "labelled_test_set.csv"
    t0 = time.perf_counter()
    recs = read_benchmark_csv(records_csv, "bench")
    t1, c1 = time.perf_counter(), time.process_time()
    res = deduplicate(recs)
    t2, c2 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.csv"
        write_groups(res.groups(), pred)
        score_records = records_csv
        if "ID" not in pd.read_csv(records_csv, nrows=0, encoding_errors="replace").columns:
            # score.py reads an ID column; ASySD's file numbers records instead
            score_records = Path(tmp) / "records.csv"
            pd.DataFrame({"ID": recs["record_id"]}).to_csv(score_records, index=False)
        proc = subprocess.run(
            [
                sys.executable,
                str(BENCH / "score.py"),
                str(score_records),
                str(folder / "merged_record_ids.csv"),
                str(pred),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    score = json.loads(proc.stdout)
    return {
        "set": folder.name,
        "records": len(recs),
        "read_s": t1 - t0,
        "dedup_s": t2 - t1,
        "dedup_cpu_s": c2 - c1,
        "uncertain": len(res.uncertain),
        "score": score,
    }


def run_size(n: int, seed: int) -> dict[str, object]:
    """One synthetic size, timed in this (fresh) process."""
    import gc

    sys.path.insert(0, str(HERE))
    from make_synthetic_exports import make_exports

    from srma.dedup import deduplicate
    from srma.dedup.benchmark_io import score_groups

    frame = make_exports(n, seed)
    truth = frame.groupby("true_work")["record_id"].apply(list).tolist()
    records = frame.drop(columns="true_work")
    streams = {
        s: ("other_methods" if s == "citations" else "databases") for s in records["source_id"]
    }
    del frame
    gc.collect()
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    res = deduplicate(records, streams=streams)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    s = score_groups(list(records["record_id"]), truth, res.groups())
    return {
        "records": len(records),
        "works_true": len(truth),
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": peak / 1024,
        "rss_before_mb": base_rss / 1024,
        "precision": s["precision"],
        "sensitivity": s["sensitivity"],
        "FP": s["FP"],
        "FN": s["FN"],
        "uncertain": len(res.uncertain),
        "load_after": os.getloadavg()[0],
    }


def fmt(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}"


def write_report(
    info: dict[str, str],
    labelled: list[dict[str, object]],
    synthetic: list[dict[str, object]],
    out: Path,
) -> None:
    pub = published_results()
    lines = [
        "# De-duplication benchmark",
        "",
        f"Generated by `benchmarks/bench_dedup.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"- machine: `{info['uname']}`",
        f"- CPU: {info['cpu']}, {info['nproc']} cores (`nproc`)",
        f"- Python {info['python']}, pandas {info['pandas']}, numpy {info['numpy']}, "
        f"rapidfuzz {info['rapidfuzz']}",
        f"- load average when the run started: {info['load']} (the machine is shared; wall "
        "times include waiting for a core, CPU times do not)",
        "",
        "## Labelled sets",
        "",
        "Scored by each set's own `score.py` (removable-duplicate confusion counts: a predicted",
        "cluster of size s spanning g gold groups gives s-g true merges and g-1 false merges).",
        "Same settings for every set. Uncertain pairs are never merged and count as not merged.",
        "",
        "| set | records | TP | FP | FN | precision | sensitivity | F1 | published sensitivity "
        "(FP) | uncertain pairs | read s | dedup s (CPU s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in labelled:
        s = r["score"]  # type: ignore[index]
        name = dataset_name(str(r["set"]))
        refs = []
        bd = pub.get(name, {}).get("bib-dedupe")
        if bd:
            refs.append(f"bib-dedupe {fmt(bd['sensitivity'])} ({int(bd['FP'])})")
        best_other = max(
            (v for k, v in pub.get(name, {}).items() if k not in {"bib-dedupe", "asysd"}),
            key=lambda v: v["sensitivity"] - v["FP"],
            default=None,
        )
        if best_other:
            pkg = next(k for k, v in pub[name].items() if v is best_other)
            refs.append(f"{pkg} {fmt(best_other['sensitivity'])} ({int(best_other['FP'])})")
        if name in OTHER_PUBLISHED:
            refs.append(f"ASySD paper {OTHER_PUBLISHED[name][0]:.3f} (0)")
        lines.append(
            f"| {r['set']} | {r['records']} | {s['TP']} | {s['FP']} | {s['FN']} | "
            f"{fmt(s['precision'])} | {fmt(s['sensitivity'], 4)} | {fmt(s['f1'], 4)} | "
            f"{'; '.join(refs)} | {r['uncertain']} | {fmt(r['read_s'], 2)} | "
            f"{fmt(r['dedup_s'], 2)} ({fmt(r['dedup_cpu_s'], 2)}) |"
        )
    lines += [
        "",
        "Published figures: `_reported_results/bibdedupe_current_results.md` (bib-dedupe's "
        "2025-10-05 run on these very groups; asysd rows there are broken, see "
        "REPORTED_RESULTS.md §2) and, for diabetes, " + OTHER_PUBLISHED["diabetes"][1] + ".",
        "",
        "## Synthetic multi-database exports",
        "",
        "`benchmarks/make_synthetic_exports.py` (seed 1): four databases with their own "
        "title, author, journal and page styles, a citation-searching list, and planted "
        "near-identical distinct works (errata, comments and replies, conference abstract "
        "a year before the article, Part 1 / Part 2, protocol before results, same authors "
        "and year with another title). Time is `deduplicate()` alone, each size in a fresh "
        "process; peak memory is that process's `ru_maxrss` (it includes the generated "
        "table, whose size before de-duplication is shown too).",
        "",
        "| records | true works | wall s | CPU s | CPU µs / record | peak RSS MB | RSS before "
        "MB | precision | sensitivity | FP | FN | uncertain |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in synthetic:
        lines.append(
            f"| {r['records']} | {r['works_true']} | {fmt(r['wall_s'], 1)} | "
            f"{fmt(r['cpu_s'], 1)} | {1e6 * r['cpu_s'] / r['records']:.0f} | "  # type: ignore[operator]
            f"{r['peak_rss_mb']:.0f} | {r['rss_before_mb']:.0f} | {fmt(r['precision'], 4)} | "
            f"{fmt(r['sensitivity'], 4)} | {r['FP']} | {r['FN']} | {r['uncertain']} |"
        )
    if len(synthetic) >= 2:
        a, b = synthetic[0], synthetic[-1]
        growth = (b["cpu_s"] / a["cpu_s"]) / (b["records"] / a["records"])  # type: ignore[operator]
        lines += [
            "",
            f"CPU time per record from {a['records']} to {b['records']} records grows by a "
            f"factor of {growth:.2f} (1.00 is linear).",
        ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_size:
        print(json.dumps(run_size(args.one_size, args.seed)))
        return 0
    if not BENCH.exists():
        print(f"bench_dedup: {BENCH} not found", file=sys.stderr)
        return 1
    info = machine()
    labelled = []
    for folder in sorted(p for p in BENCH.iterdir() if (p / "merged_record_ids.csv").exists()):
        r = run_labelled(folder)
        s = r["score"]
        print(
            f"{folder.name}: TP {s['TP']} FP {s['FP']} FN {s['FN']} "  # type: ignore[index]
            f"sensitivity {s['sensitivity']:.4f} in {r['dedup_s']:.2f} s",  # type: ignore[index]
            file=sys.stderr,
        )
        labelled.append(r)
    synthetic = []
    for n in args.sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--one-size", str(n), "--seed", str(args.seed)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"synthetic {r['records']}: {r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU, "
            f"{r['peak_rss_mb']:.0f} MB, precision {r['precision']:.4f}, "
            f"sensitivity {r['sensitivity']:.4f}",
            file=sys.stderr,
        )
        synthetic.append(r)
    write_report(info, labelled, synthetic, args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
