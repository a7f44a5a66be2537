"""Write docs/reliability.md from the bad-input corpus (tests/data/bad/cases.yaml).

Each case is run through its stage's entry point and srma's actual message goes in the
table, so the document shows what a user sees.  ``test_reliability_doc.py`` checks that
the file is up to date.

    python tests/bad_inputs/reliability_doc.py          # rewrite docs/reliability.md
    python tests/bad_inputs/reliability_doc.py --check  # exit 1 if it is out of date
"""

# ruff: noqa: E501 (the document's Markdown tables are one line per row)

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bad_inputs.corpus import REPO, STAGES, cases, relative, run, workflow_cases

DOC = REPO / "docs" / "reliability.md"

STAGE_TITLES = {
    "import": "Import: `srma.io.read_export`, `srma import`",
    "screening": "Screening: `srma.screening.read_logs` / `read_consensus` / `read_studies`, "
    "`resolve`, `included_reports`",
    "dedup": "De-duplication: `srma.dedup.deduplicate` with a decisions table, `srma dedup`",
    "extraction": "Extraction: `srma.extraction.load_extraction`, "
    "`srma.conservation.check_included_data`",
    "config": "Configuration: `srma.config.load_config` (and Snakemake's start-up)",
    "pool": "`srma pool`",
}

HEAD = """\
# Reliability: bad inputs, and what srma does with them

A systematic review's inputs are written by people and exported by databases, and both get
things wrong. srma's promise for every input it reads:

* **One clear message.** A mistake in a user's file is an `srma.errors.InputError` naming
  the file, the line (text) or spreadsheet row (tables), the column, the value, and what to
  do. All problems of a file are reported at once. The command line prints it without a
  traceback and exits with status 2; a workflow step prints it, logs it and fails the job.
* **Nothing lost.** Every record, decision, study and effect is accounted for from stage to
  stage (see *Conservation checks*); a record that cannot be read stops the run, or with
  `on_error: skip` is set aside and counted in PRISMA, never dropped silently.
* **Nothing left behind.** Tables are written atomically (temporary file, then rename); a
  failed job leaves none of its outputs, and no provenance record of an earlier run.
* **Data is never code.** YAML is read with the safe loader; XML entities are not
  expanded; text that a spreadsheet would run as a formula is neutralised in every CSV and
  XLSX srma writes; titles and labels are text in figures (escaped in SVG, no mathtext).

The tables below are generated from the corpus of bad inputs in `tests/data/bad/`
(`cases.yaml` says what each file must produce) by `tests/bad_inputs/reliability_doc.py`,
with srma's actual messages; `tests/bad_inputs/` runs every case through the library entry
point, the import, dedup and pool cases also through the command line (in-process, and a
few as real subprocesses), and a few representative cases through the workflow.  File
names are relative to `tests/data/bad/`.
"""

TAIL = """\
## Conservation checks

`srma.conservation` compares what went into a stage with what came out; a broken equation
raises `ConsistencyError` (records or counts would be lost silently), a gap in the user's
data raises `InputError`. Each check runs before its step writes anything: in the workflow,
`srma.scripting.step` prints a broken check as one paragraph (`srma: consistency check
failed in step <rule>: ...`, with what to do), without a traceback, and the job exits
non-zero, so the run stops and the job leaves no output; the commands print `srma: error:
...` and exit with status 1. `tests/scripts/test_conservation_wiring.py` runs the example
review through every script with its checks, then breaks each equation in each script and
command.

| Check | Equation | Where the pipeline calls it |
|---|---|---|
| `check_import(result, expected=None)` | each record of the export read or rejected, once (and as many as the database reported, when given) | `scripts/import_source.py` and `srma import`, after `read_export`, for each export. No `expected`: the config has no count of the hits each database reported, so a record lost after the last one read is not caught here |
| `check_records(imported, works, duplicates, rejected, *, source_of=None)` | records read + rejected = unique works + duplicates removed + rejected, per source; each record in one work, kept or removed | through `check_deduplication` |
| `check_deduplication(imported, works, duplicates, counts)` | `check_records`, and de-duplication's counts (PRISMA's source) agree per source: records identified = records imported = duplicates removed + works kept | `scripts/deduplicate_records.py`, before writing (imported = rows of each `results/records/{source}.parquet`); `srma dedup` (record ids of benchmark files mapped to their file) |
| `deduplicate` (built in) | records in = works + duplicates; each record in one work | already in `srma.dedup` |
| `check_screening(works, decisions, included_reports)` | one title/abstract decision per work; one full-text decision per work included there; included reports = full-text inclusions, each with a study | `scripts/screen_records.py`, before writing |
| `check_identification(identification, dedup_counts, rejected, sources)` | PRISMA's records identified (read + rejected) = unique works + duplicates removed + rejected, for every configured source, each with its rejected file | `scripts/count_prisma.py`, before `prisma_counts` (rejected = rows of each `results/records/{source}.rejected.csv`) |
| `srma.prisma.check_flow` (built in) | every PRISMA box equals the boxes that feed it | already in `prisma_counts` |
| `check_included_data(included, outcome_data)` | every study included at screening has outcome data or a `no_usable_data` reason (`InputError`) | `scripts/split_outcome_data.py`, after `load_extraction`, with the whole table, when `extraction.check_included` (against `extraction.included_studies`) |
| `check_effects(outcome_data, effects, outcome)` | every study x timepoint x population of the outcome is in its effect table: usable (finite yi, positive vi) or with its reason | `scripts/extract_outcome.py`, after `outcome_effects` |
| `check_analysis(rows, result)` | every study of an analysis is pooled or listed without data; the model, each leave-one-out refit and each subgroup analysis holds each pooled study once | `scripts/pool_analysis.py`, before writing the JSON |
| `check_pooled(studies, result)` | `srma pool`: the model, the leave-one-out rows and the subgroups account for each study (or cluster) of the table once | `srma pool`, before printing |

## Data is never code

* **Spreadsheet formulas.** `srma.io.tables.write_csv` and `write_xlsx` prefix `'` to text
  starting with `=`, `+`, `-`, `@`, tab or CR (numbers such as `-0.35` stay numbers);
  `read_table` removes it again. `tests/bad_inputs/test_injection.py` checks the writers,
  `srma import` (CSV and XLSX), `srma dedup --uncertain`, and that no script or command
  writes a table any other way (no `to_csv`, `to_excel` or `csv.writer` in `scripts/` and
  `src/srma/commands/`).
* **SVG.** Figures keep text as `<text>` (`svg.fonttype: none`); matplotlib escapes it. A
  study label `<script>...`, an exclusion reason `<img onerror=...>`, a database name and a
  title with `$...$` are drawn verbatim in the forest plot, the PRISMA diagram and the funnel
  plot: the SVG parses, holds no `<script>` element and no `on*` attribute, and `$` is text
  (`parse_math=False`), so a reason like `costs > $500 & < $1000` is neither mangled nor,
  with unbalanced `$`, a crash.
* **YAML.** `srma.config` reads with `yaml.safe_load`: `!!python/...` tags are refused,
  with the line. The workflow reads `config/config.yaml` the same way (common.smk, not
  Snakemake's `configfile:`, whose yte loader would evaluate `?...` expressions once a file
  sets `__use_yte__: true`); `--config` on the command line still overrides, and is validated
  with the rest (`workflow_config_yte_template`: refused, nothing run).
* **XML.** EndNote XML records are parsed one by one without their DTD: external entities
  (XXE) and entity bombs are undefined entities, and the record is refused.

## Known limits

* A PubMed (MEDLINE) export has no end-of-record mark: a download cut exactly between two
  records cannot be told from a complete file (cut inside a record, it is caught). The same
  holds for a CSV cut exactly at the end of a row. `check_import(result, expected=n)` with
  the number of hits the database reported closes the gap.
* A file in a legacy encoding that is neither UTF-8, UTF-16 nor Windows-1252 (Shift-JIS,
  Mac Roman...) is decoded by charset-normalizer's best guess, which can be wrong; the
  encoding used is in the import log and in `srma import`'s output. Files that mix UTF-8
  with another encoding are refused (`import_mixed_encodings`).
* Numbers are checked for range and consistency, not plausibility: an SD of 1e300 is
  accepted (the SMD it gives is 0).
* XLSX keeps 15-17 significant digits; a float within 1e-16 of the largest double reads
  back as infinite.
"""


def _cell(text: str) -> str:
    """Text for a Markdown table cell: no markup, no table breaks."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("|", "\\|").replace("\r", "\\r").replace("\t", "\\t")
    return "<br>".join(line for line in text.split("\n") if line.strip())


def _message(case) -> str:
    err = run(case)
    if err is None:
        return "**accepted: no error** (a bug)"
    return relative(str(err))


def render() -> str:
    parts = [HEAD]
    for stage in STAGES:
        stage_cases = [c for c in cases() if c.stage == stage]
        parts.append(f"\n## {STAGE_TITLES[stage]}\n")
        parts.append("| Case | Bad input | File | srma's message |")
        parts.append("|---|---|---|---|")
        for case in stage_cases:
            parts.append(
                f"| `{case.id}` | {_cell(case.input)} | `{case.file}` | {_cell(_message(case))} |"
            )
    parts.append("\n## Through the workflow\n")
    parts.append(
        "A copy of the example review is run up to screening and one outcome's extraction; "
        "each case copies it, breaks one input and runs Snakemake on a target downstream "
        "(`tests/bad_inputs/test_workflow.py`). The run must exit non-zero with these words "
        "in its output, without a traceback from srma's code, and the failing job's outputs "
        "(read from Snakemake's own report) and their provenance records must be gone.\n"
    )
    parts.append("| Case | Input broken | Expected in the output |")
    parts.append("|---|---|---|")
    for case in workflow_cases():
        expected = "; ".join(f"`{f}`" for f in case.fragments)
        if case.known_failure:
            expected += " **(known failure, strict xfail: " + _cell(case.known_failure) + ")**"
        parts.append(f"| `{case.id}` | {_cell(case.input)} | {expected} |")
    parts.append("")
    parts.append(TAIL)
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date: run python tests/bad_inputs/reliability_doc.py")
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
