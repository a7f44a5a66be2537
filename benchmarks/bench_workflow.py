"""Speed of the Snakemake workflow (``make bench-workflow``).

On a copy of the example review:

* a cold run (``snakemake --cores 2``; target <= 60 s wall on 2 cores);
* a no-op dry run after it (``snakemake -n``; target <= 3 s);
* one outcome's rows edited in the outcome data, then a run (target <= 10 s).

On a generated review with ``--outcomes`` outcomes (default 200), each with 4 analyses
(2 timepoints x 2 populations, ``--studies`` studies each), on the example review's exports,
screening and studies:

* the dry run of a cold review (the DAG as far as the first checkpoints);
* with ``--scale-run`` (the default; ``--no-scale-run`` skips it): the full local run (job count,
  wall and CPU time), then the no-op dry run, which builds the whole DAG (target <= 10 s), and
  one outcome's rows edited.

Script start-up is profiled too: the CPU time a fresh interpreter spends importing what each
script in ``scripts/`` imports, and the modules that cost most for a figure script
(``python -X importtime``).

Timings are wall clock; "CPU" is the user + system time of Snakemake and every job it ran
(``os.wait4``), and "Snakemake CPU" that of Snakemake's own process. The machine may be shared:
the load average is recorded before and after each step. The library is byte-compiled first and
``PYTHONDONTWRITEBYTECODE`` dropped, as for a user's ``make run``, unless ``--keep-env`` is given.

Writes ``docs/benchmarks/workflow.md``.  Usage::

    python benchmarks/bench_workflow.py [--outcomes 200] [--studies 2] [--no-scale-run]
"""

from __future__ import annotations

import argparse
import ast
import csv
import datetime as dt
import io
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from machine import cpu_model  # noqa: E402  (benchmarks/machine.py)

from tests.workflow.review import copy_review  # noqa: E402

OUT = REPO / "docs" / "benchmarks" / "workflow.md"
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
CORES = 2
TARGETS = {"cold": 60.0, "noop": 3.0, "edit": 10.0, "scale_dag": 10.0}
#: The edit of the example review: one row of one outcome (as tests/workflow/test_incremental.py).
EDIT_FILE = "data/extraction/outcomes.csv"
EDIT = (
    '"salyers2014","quality_of_life","qol_scale","post","cc",48,4.9,0.87,47,4.77,1.0,',
    '"salyers2014","quality_of_life","qol_scale","post","cc",48,4.95,0.87,47,4.77,1.0,',
)
SEED = 20261122


# ----------------------------------------------------------------------- running


@dataclass
class Timing:
    wall: float
    cpu: float
    snakemake_cpu: float
    jobs: int
    returncode: int
    load_before: float
    load_after: float
    planned: int = 0  # jobs a dry run lists
    walls: list[float] | None = None  # every repeat's wall time, when the median is shown

    def check(self, what: str, output: str) -> Timing:
        if self.returncode != 0:
            sys.exit(f"{what} failed:\n{output[-4000:]}")
        return self


def environment(keep: bool) -> dict[str, str]:
    """The jobs' environment: as a user's (`make run` byte-compiles src/ first, so jobs load
    srma from bytecode), unless `--keep-env`."""
    env = dict(os.environ)
    if not keep:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("PYTHONPYCACHEPREFIX", None)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", "-j", "0", str(REPO / "src")], check=True
        )
    return env


def snakemake(review: Path, *args: str, env: dict[str, str]) -> tuple[Timing, str]:
    """Run Snakemake in `review`; wall time, CPU of the whole tree and of Snakemake itself."""
    log = review / ".bench.log"
    tick = os.sysconf("SC_CLK_TCK")
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [SNAKEMAKE, "--cores", str(CORES), *args],
            cwd=review,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
        own = 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            try:
                fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
                own = (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                pass
            time.sleep(0.05)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text()
    jobs = len(re.findall(r"^Finished jobid: \d+", text, flags=re.M))
    timing = Timing(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        snakemake_cpu=own,
        jobs=jobs,
        returncode=proc.returncode,
        load_before=load_before,
        load_after=os.getloadavg()[0],
    )
    return timing, text


def dry_run(review: Path, env: dict[str, str], repeats: int = 3) -> tuple[float, Timing, str]:
    """Median wall time of `repeats` dry runs, and the last one."""
    walls = []
    for _ in range(repeats):
        timing, text = snakemake(review, "--dry-run", env=env)
        timing.check("dry run", text)
        walls.append(timing.wall)
    return statistics.median(walls), timing, text


def median_run(runs: list[Timing]) -> Timing:
    """The run of median wall time (the upper median of an even number), its `walls` noted."""
    ranked = sorted(runs, key=lambda t: t.wall)
    chosen = ranked[len(ranked) // 2]
    chosen.walls = [t.wall for t in runs]
    return chosen


def planned_jobs(dry_run_output: str) -> int:
    found = re.search(r"^total\s+(\d+)$", dry_run_output, flags=re.M)
    return int(found.group(1)) if found else 0


def copy_run(src: Path, dest: Path) -> Path:
    subprocess.run(["cp", "-a", str(src), str(dest)], check=True)
    return dest


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if text.count(old) != 1:
        sys.exit(f"{old!r} is not in {path} exactly once")
    path.write_text(text.replace(old, new), encoding="utf-8")


# ----------------------------------------------------------------------- a large review


def scale_review(dest: Path, outcomes: int, studies: int) -> tuple[Path, tuple[str, str]]:
    """The example review with `outcomes` generated outcomes of 4 analyses each.

    Each analysis has `studies` studies with the same comparator type (so: a forest plot,
    leave-one-out from 3 studies on, no subgroup plot). Returns the review and an edit of one
    row of the middle outcome.
    """
    review = copy_review(dest)
    rng = random.Random(SEED)
    config_path = review / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text())
    ids = [f"outcome_{i:03d}" for i in range(1, outcomes + 1)]
    config["outcomes"] = [
        {
            "id": oid,
            "label": f"Outcome {i}",
            "instruments": [
                {"id": f"scale_{i:03d}", "label": f"Scale {i}", "higher_is_better": True}
            ],
        }
        for i, oid in enumerate(ids, start=1)
    ]
    config["analysis"]["overrides"] = []
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))

    randomised: dict[str, tuple[int, int]] = {}
    with open(review / "data" / "extraction" / "studies.csv", newline="") as fh:
        by_type: dict[str, list[str]] = {}
        for row in csv.DictReader(fh):
            by_type.setdefault(row["comparator_type"], []).append(row["study_id"])
            randomised[row["study_id"]] = (
                int(row["n_randomised_intervention"]),
                int(row["n_randomised_comparator"]),
            )
    groups = sorted((sorted(v) for v in by_type.values() if len(v) >= studies), key=len)
    if not groups:
        sys.exit(f"no comparator type has {studies} studies")
    pool = groups[-1]
    out_path = review / EDIT_FILE
    with open(out_path, newline="") as fh:
        header = next(csv.reader(fh))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, quoting=csv.QUOTE_NONNUMERIC)
    writer.writeheader()
    edit_row = None
    for i, oid in enumerate(ids, start=1):
        for timepoint in ("post", "followup"):
            for population in ("cc", "itt"):
                chosen = rng.sample(pool, studies)
                for study in sorted(chosen):
                    # at most the numbers randomised, at least 70% of them
                    n1, n2 = (rng.randint(-(-7 * n // 10), n) for n in randomised[study])
                    row = dict.fromkeys(header, "")
                    row.update(
                        study_id=study,
                        outcome=oid,
                        instrument=f"scale_{i:03d}",
                        timepoint=timepoint,
                        population=population,
                        n_intervention=n1,
                        mean_intervention=round(rng.gauss(52, 4), 2),
                        sd_intervention=round(rng.uniform(8, 12), 2),
                        n_comparator=n2,
                        mean_comparator=round(rng.gauss(50, 4), 2),
                        sd_comparator=round(rng.uniform(8, 12), 2),
                        source="synthetic (benchmarks/bench_workflow.py)",
                    )
                    writer.writerow(row)
                    if i == outcomes // 2 and edit_row is None:
                        edit_row = row
    # the other included studies report none of the generated outcomes: say so (the
    # pipeline refuses an included study with no outcome row and no reason)
    for study in sorted(set(randomised) - set(pool)):
        row = dict.fromkeys(header, "")
        row.update(
            study_id=study,
            outcome=ids[0],
            instrument=f"scale_{1:03d}",
            timepoint="post",
            population="cc",
            no_usable_data="outcome not measured (synthetic benchmark)",
            source="synthetic (benchmarks/bench_workflow.py)",
        )
        writer.writerow(row)
    out_path.write_text(buf.getvalue())
    assert edit_row is not None
    line = next(x for x in buf.getvalue().splitlines() if f'"{edit_row["outcome"]}"' in x)
    mean = edit_row["mean_intervention"]
    return review, (line, line.replace(f",{mean},", f",{round(mean + 0.5, 2)},", 1))


# ----------------------------------------------------------------------- start-up


def script_imports(path: Path) -> list[str]:
    modules = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            modules += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.append(node.module)
    return sorted(set(modules))


PROBE = """
import importlib, resource, sys
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
start = cpu()
for name in sys.argv[1:]:
    importlib.import_module(name)
heavy = [m for m in ("pandas", "pandera", "scipy", "matplotlib") if m in sys.modules]
print(f"{cpu() - start:.3f} {','.join(heavy)}")
"""


def startup(env: dict[str, str], repeats: int = 3) -> list[tuple[str, float, str]]:
    """CPU seconds a fresh interpreter spends on each script's imports (median of repeats)."""
    rows = []
    for path in sorted((REPO / "scripts").glob("*.py")):
        mods = script_imports(path)
        times, heavy = [], ""
        for _ in range(repeats):
            out = subprocess.run(
                [sys.executable, "-c", PROBE, *mods],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            ).stdout.split()
            times.append(float(out[0]))
            heavy = out[1] if len(out) > 1 else ""
        rows.append((path.name, statistics.median(times), heavy))
    return rows


def importtime(script: str, env: dict[str, str], top: int = 8) -> list[tuple[str, float]]:
    """The modules with the largest cumulative import time for one script (-X importtime)."""
    mods = script_imports(REPO / "scripts" / script)
    code = "; ".join(f"import {m}" for m in mods)
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stderr
    cumulative = {}
    for line in err.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].strip()
            if name.split(".")[0] in {"srma", "pandas", "pandera", "scipy", "matplotlib", "numpy"}:
                cumulative[name] = max(cumulative.get(name, 0), int(parts[1]) / 1e6)
    return sorted(cumulative.items(), key=lambda kv: -kv[1])[:top]


FIGURE_PROBE = """
import json, resource, statistics, sys, tempfile
from pathlib import Path
from srma.figures import style
from srma.figures.forest import build_forest_figure
from srma.figures.from_results import forest_data
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
with open(sys.argv[1], encoding="utf-8") as fh:
    analysis = json.load(fh)
data = forest_data(analysis, favours_intervention="Favours [IMR]",
                   favours_control="Favours [control]", title="benchmark")
times = {"draw": [], "svg": [], "png": [], "pdf": []}
with tempfile.TemporaryDirectory() as tmp:
    for _ in range(3):
        start = cpu()
        fig = build_forest_figure(data)
        times["draw"].append(cpu() - start)
        for fmt in ("svg", "png", "pdf"):
            start = cpu()
            style.save_figure(fig, Path(tmp) / f"forest.{fmt}")
            times[fmt].append(cpu() - start)
print(json.dumps({k: statistics.median(v) for k, v in times.items()}))
"""
#: The analysis whose forest plot is timed format by format (the example review's largest).
FIGURE_ANALYSIS = "results/pooled/personal_recovery.post.cc.pooled.json"


def figure_formats(review: Path, env: dict[str, str]) -> dict[str, float]:
    """CPU seconds to draw one forest plot and to save it as SVG, PNG (300 dpi) and PDF."""
    out = subprocess.run(
        [sys.executable, "-c", FIGURE_PROBE, FIGURE_ANALYSIS],
        cwd=review,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    return json.loads(out)


# ----------------------------------------------------------------------- report

#: How to read the numbers (what the profile above shows, and what was done about it).
NOTES = [
    "## Where the time goes",
    "",
    "- Every job is a fresh Python interpreter running one script (`script:`). It pays the "
    "interpreter and Snakemake's script preamble (about 0.1 s), the imports in the start-up "
    "table, its work, and its provenance records. In a review of this size the work is "
    "small next to the imports, so the workflow is cut into as few jobs as incremental "
    "rebuilds allow.",
    "- Figures: one job per outcome (rule plot_outcome_figures, `srma.figures.outcome`) "
    "draws the forest, leave-one-out, funnel and subgroup plots of all its analyses, so "
    "matplotlib is imported once per outcome rather than once per figure (the example "
    "review went from 105 jobs, 53 of them figures, to 60 jobs with 8 figure jobs). The "
    "job has two threads: its figures are drawn in two processes forked after the imports, "
    "which halves the wait after an edit to one outcome. The figure files of an outcome are "
    "one `directory()` output; each still gets its own provenance record and report entry.",
    "- Saving a figure as SVG, PNG (300 dpi) and PDF costs more than drawing it (the "
    "format table above). The PDF embeds subsets of the DejaVu fonts; srma drops the "
    "OpenType layout tables (GSUB, GPOS, GDEF, kern, MATH) from those subsets, which no PDF "
    "reader uses and which took most of fontTools' subsetting time "
    "(`srma.figures.style.lean_pdf_font_subsets`; about 0.55 -> 0.33 s of CPU per PDF).",
    "- Imports are kept light: `srma.io` and `srma.extraction` export their names lazily "
    "(PEP 562 `__getattr__`), `srma.__version__` is looked up on first use, figure jobs "
    "read the risk-of-bias table with pyarrow instead of pandas, and the table is checked "
    "once (rule check_risk_of_bias). Provenance: the outputs of one job share their merged "
    "lineage, which is built once per job, not once per file.",
    "- Job grouping does not help here: Snakemake ignores groups when it runs jobs on the "
    "local machine (Snakemake docs, 'Job Grouping'); they pay off on a cluster "
    "(workflow/profiles/slurm).",
    "- Snakemake's own CPU (parsing, validating the config, building the DAG, looking at the "
    "jobs after each checkpoint again) is the `Snakemake CPU` column. About 2 s of every "
    "invocation is Snakemake starting up: importing it and its executor plugins (the SLURM "
    "plugin imports pandas and SQLAlchemy), before the Snakefile is read. In large reviews "
    "its scheduler adds to it: while many jobs are ready it re-evaluates them about every "
    "second (the default `--max-jobs-per-timespan 100/1s` schedules a re-evaluation after "
    "each selection), at a cost that grows with the number of ready jobs.",
    "- The one-outcome edit is a chain of five steps, each waiting for the one before: "
    "Snakemake's start-up (about 2 s), the split of the outcome data (a checkpoint that "
    "checks every extraction table with pandera, about 2 s), the outcome's extraction "
    "(about 1.5 s), its analyses (pooled side by side, about 1 s) and its figures.",
    "- Checkpoints: import_source, deduplicate_records, screen_records, split_outcome_data "
    "and extract_outcome are checkpoints, so that a job whose inputs were rewritten with the "
    "same bytes does not run (tests/workflow/test_incremental.py). Snakemake looks at the "
    "DAG again after each of them; `rule all` asks for each stage's results as soon as the "
    "checkpoints before it are done, so that the imports, and then the extractions, run "
    "side by side.",
    "- Large reviews: a review with many outcomes has many checkpoints (each outcome's "
    "extraction is one, so that its analyses are known and an unchanged effect table spares "
    "them). Each time Snakemake learns a checkpoint's output (`update_checkpoint_dependencies`) "
    "it decides again for every job whether it must run (`update_needrun`), reading each "
    "output's metadata record, so the cost grows with checkpoints x jobs. `rule all` asks for "
    "every missing effect table at once (`all_analyses` in workflow/rules/common.smk), so "
    "Snakemake resolves them in one update rather than one per outcome (the 200-outcome "
    "no-op dry run went from 58 s to 6.9 s with that change).",
    "",
]


def machine() -> dict[str, str]:
    cpu = cpu_model()
    return {
        "uname": " ".join(platform.uname()),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
    }


def repeats(t: Timing) -> str:
    """ " (runs: 49.1, 50.2, 52.5 s)": every repeat's wall time."""
    if not t.walls or len(t.walls) < 2:
        return ""
    return " (runs: " + ", ".join(f"{w:.1f}" for w in sorted(t.walls)) + " s)"


def fmt(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.1f} s"


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "**missed**"


def timing_row(what: str, t: Timing, target: float | None) -> str:
    floor = t.cpu / CORES
    goal = (
        f"<= {target:.0f} s: wall {verdict(t.wall, target)}, CPU / {CORES} {verdict(floor, target)}"
        if target
        else ""
    )
    per_job = fmt((t.cpu - t.snakemake_cpu) / t.jobs) if t.jobs else ""
    jobs = f"{t.jobs}" if t.jobs or not t.planned else f"(lists {t.planned})"
    return (
        f"| {what} | {jobs} | {fmt(t.wall)} | {fmt(t.cpu)} | {fmt(floor)} | "
        f"{fmt(t.snakemake_cpu)} | {per_job} | {t.load_before:.1f} / {t.load_after:.1f} | "
        f"{goal} |"
    )


TABLE_HEAD = [
    f"| step | jobs | wall | CPU | CPU / {CORES} | Snakemake CPU | CPU per job | load | target |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outcomes", type=int, default=200)
    parser.add_argument("--studies", type=int, default=2)
    parser.add_argument("--scale-run", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--repeats", type=int, default=3, help="cold and edit runs of the example (median)"
    )
    parser.add_argument("--keep-env", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="srma-bench-workflow-"))
    env = environment(args.keep_env)
    lines: list[str] = []
    try:
        print("start-up profile ...", flush=True)
        starts = startup(env)
        heaviest = importtime("plot_outcome_figures.py", env)

        print(f"example review: {args.repeats} cold runs ...", flush=True)
        colds, edits = [], []
        for i in range(args.repeats):
            example = copy_review(work / f"example{i}")
            cold, text = snakemake(example, env=env)
            colds.append(cold.check("cold run", text))
            print(f"  {cold}", flush=True)
        cold = median_run(colds)
        formats = figure_formats(example, env)
        noop_wall, noop, text = dry_run(example, env)
        noop.wall = noop_wall
        for i in range(args.repeats):
            edited = copy_run(example, work / f"example_edit{i}")
            replace_once(edited / EDIT_FILE, *EDIT)
            edit, text = snakemake(edited, env=env)
            edits.append(edit.check("edit run", text))
            print(f"  edit {edit}", flush=True)
        edit = median_run(edits)
        print(f"  no-op dry run {noop_wall:.1f} s", flush=True)

        print(f"generated review: {args.outcomes} outcomes ...", flush=True)
        scale, scale_edit = scale_review(work / "scale", args.outcomes, args.studies)
        cold_dag_wall, cold_dag, text = dry_run(scale, env, repeats=1)
        cold_dag.planned = planned_jobs(text)
        scale_full = scale_noop = scale_edit_run = None
        if args.scale_run:
            scale_full, text = snakemake(scale, env=env)
            scale_full.check("scale run", text)
            print(f"  full run {scale_full}", flush=True)
            scale_noop_wall, scale_noop, text = dry_run(scale, env)
            scale_noop.wall = scale_noop_wall
            edited = copy_run(scale, work / "scale_edit")
            replace_once(edited / EDIT_FILE, *scale_edit)
            scale_edit_run, text = snakemake(edited, env=env)
            scale_edit_run.check("scale edit run", text)
            print(f"  no-op dry run {scale_noop_wall:.1f} s; edit {scale_edit_run}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    m = machine()
    today = dt.date.today().isoformat()
    lines += [
        "# Workflow benchmark",
        "",
        f"Generated by `benchmarks/bench_workflow.py` (`make bench-workflow`) on {today}.",
        "",
        f"- machine: `{m['uname']}`",
        f"- CPU: {m['cpu']}, nproc = {m['nproc']}; Snakemake runs with `--cores {CORES}`",
        f"- Python {platform.python_version()}, Snakemake "
        + subprocess.run([SNAKEMAKE, "--version"], capture_output=True, text=True).stdout.strip(),
        "- bytecode: "
        + ("as in the environment" if args.keep_env else "src/ compiled first, as by `make run`"),
        "",
        "Wall: elapsed time. CPU: user + system time of Snakemake and every job it ran; on 2 "
        "cores, CPU / 2 is the least wall time the same work can take (what an idle machine "
        "would show). Snakemake CPU: Snakemake's own process (parsing, DAG, scheduling); CPU "
        "per job: the rest, divided by the jobs run (start-up of a Python interpreter, imports, "
        "the work, the provenance record). Load: the 1-minute load average before / after the "
        "step (the machine is shared: when it exceeds nproc, wall times include waiting for a "
        "CPU, and CPU time is the better measure). Dry runs (`-n`) list no jobs as run.",
        "",
        "## Example review",
        "",
        *TABLE_HEAD,
        timing_row(
            f"cold run (`snakemake --cores 2`), median of {args.repeats}{repeats(cold)}",
            cold,
            TARGETS["cold"],
        ),
        timing_row("no-op dry run (`snakemake -n`, median of 3)", noop, TARGETS["noop"]),
        timing_row(
            f"one outcome's rows edited (quality_of_life), then a run, median of "
            f"{args.repeats}{repeats(edit)}",
            edit,
            TARGETS["edit"],
        ),
        "",
        f"## Generated review: {args.outcomes} outcomes x 4 analyses, {args.studies} studies each",
        "",
        *TABLE_HEAD,
        timing_row("dry run of the cold review (DAG up to the first checkpoints)", cold_dag, None),
    ]
    if scale_full is not None:
        lines += [
            timing_row("full local run", scale_full, None),
            timing_row(
                f"no-op dry run: the whole DAG ({scale_full.jobs} jobs), median of 3",
                scale_noop,
                TARGETS["scale_dag"],
            ),
            timing_row("one outcome's rows edited, then a run", scale_edit_run, None),
        ]
    else:
        lines += ["", "(full run skipped: `--no-scale-run`)"]
    lines += [
        "",
        "## Script start-up",
        "",
        "CPU time of a fresh interpreter importing what each script imports (median of 3), and "
        "which heavy libraries that pulls in. Every job pays it once.",
        "",
        "| script | import CPU | heavy libraries imported |",
        "|---|---:|---|",
        *[f"| `{name}` | {cpu:.2f} s | {heavy} |" for name, cpu, heavy in starts],
        "",
        "Largest cumulative import times for `plot_outcome_figures.py` "
        "(`python -X importtime`, wall):",
        "",
        "| module | cumulative |",
        "|---|---:|",
        *[f"| `{name}` | {sec:.2f} s |" for name, sec in heaviest],
        "",
        "## One figure, format by format",
        "",
        f"CPU time to draw the forest plot of `{FIGURE_ANALYSIS}` and to save it in each "
        "format (median of 3; every figure job saves all three).",
        "",
        "| draw | SVG | PNG (300 dpi) | PDF |",
        "|---:|---:|---:|---:|",
        "| " + " | ".join(f"{formats[k]:.2f} s" for k in ("draw", "svg", "png", "pdf")) + " |",
        "",
        *NOTES,
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
