"""Making a new review folder (``srma init``).

A review folder holds::

    Snakefile            includes srma's workflow; `snakemake --cores 4` runs it here
    config/config.yaml   every key commented (from the config schema)
    data/exports/        the search exports (listed under `sources:` in the config)
    data/dedup/          decisions on uncertain duplicate pairs
    data/screening/      screening logs, consensus, reports-to-studies mapping
    data/extraction/     studies, outcome data, risk of bias
    templates/           every input table, empty and headed, as CSV and XLSX
    README.md  .gitignore

The input tables in ``data/`` are empty, headed templates at the paths the
config names; the workflow leaves a stage out until its tables have rows
(:mod:`srma.review.progress`).  Existing files are never overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from srma import __version__
from srma.config import load_schema, read_yaml
from srma.errors import InputError
from srma.io.tables import write_csv, write_xlsx
from srma.review.config_template import TABLE_SUFFIXES, config_text, slug
from srma.review.paths import CONFIG_FILE, EXPORTS_DIR, workflow_root
from srma.review.tables import INPUT_TABLES, InputTable, config_value, empty_table

__all__ = ["GITIGNORE", "SNAKEFILE", "InitResult", "init_review", "readme_text"]

#: The review's Snakefile: srma's workflow, included from where srma is installed.
SNAKEFILE = """\
# srma review folder: `snakemake --cores 4` here runs srma's workflow on this review.
# The rules, scripts and config schema are srma's own, found through the installed srma
# package (srma.review.workflow_root); this folder holds the review's configuration, data
# and results. `srma check` checks the inputs without running anything.
import sys

from srma.errors import SrmaError
from srma.review import next_steps, preflight, workflow_root

try:
    for _warning in preflight("."):
        print(f"srma: warning: {_warning}", file=sys.stderr)
    SRMA_WORKFLOW = workflow_root()
except SrmaError as _err:
    raise WorkflowError(f"srma: this review cannot run yet.\\n{_err}") from None


include: str(SRMA_WORKFLOW / "Snakefile")


# The default target: every result the review's inputs allow so far (all_targets, in
# srma's workflow/rules/common.smk, leaves out the stages whose input tables are empty).
rule review:
    input:
        all_targets,
    default_target: True


onsuccess:
    for _step in next_steps(config, "."):
        print(f"srma: next: {_step}.", file=sys.stderr)
"""

#: The review's .gitignore.
GITIGNORE = """\
# srma: the workflow remakes everything under results/ from config/ and data/
results/
.snakemake/
# spreadsheet lock files
~$*
.~lock.*#
"""

TEMPLATES_DIR = "templates"


@dataclass(frozen=True)
class InitResult:
    """What :func:`init_review` wrote."""

    root: Path
    written: tuple[str, ...]  # paths relative to root, in the order written
    config: dict[str, Any]


def _reference_config(root: Path | None) -> dict[str, Any] | None:
    if root is None or not (root / CONFIG_FILE).is_file():
        return None
    reference = read_yaml(root / CONFIG_FILE)
    return reference if isinstance(reference, dict) else None


def _table_rows(config: Mapping[str, Any]) -> list[tuple[InputTable, str]]:
    return [(t, str(config_value(config, t.config_key))) for t in INPUT_TABLES]


def readme_text(title: str, config: Mapping[str, Any], suffix: str) -> str:
    """The review folder's README (Markdown)."""
    rows = "\n".join(
        f"| `{path}` | {table.title} | `{'`, `'.join(table.columns[:6])}`"
        f"{', ...' if len(table.columns) > 6 else ''} |"
        for table, path in _table_rows(config)
    )
    logs = " and ".join(f"`{p}`" for p in config["screening"]["logs"])
    return f"""\
# {title}

A systematic review run with srma {__version__}: from the raw search exports in `data/`
to meta-analysis results in `results/`. `srma init` made this folder; everything the
workflow writes goes under `results/` and can be remade from `config/` and `data/`.

## How to run it

1. **Exports.** Save each database's search results in `{EXPORTS_DIR}/` (RIS, PubMed
   `.nbib`, Web of Science, Scopus or Embase CSV, BibTeX, EndNote XML...) and list each under
   `sources:` in `config/config.yaml` (one line each: `id`, `path`, `database`).
2. **Check.** `srma check` reads the configuration and every input table, without running
   anything, and lists every problem at once.
3. **Run.** `snakemake --cores 4` imports, de-duplicates and writes the screening sheets,
   then goes as far as the inputs allow and says what is missing next
   (`srma: next: ...`).
4. **De-duplication.** Pairs of records the de-duplicator cannot settle are in
   `results/dedup/uncertain_pairs.csv`; write `same` or `different` for each `pair_id` in
   `{config["dedup"]["decisions"]}`.
5. **Screening.** The works still to screen are in `results/screening/sheets/`
   (`title_abstract.xlsx`, then `full_text.xlsx`). Each reviewer fills in a copy
   (`reviewer`, `decision` include/exclude/maybe, `reason` for full-text exclusions) and
   saves it as a screening log: {logs}, or any file listed under
   `screening.logs`.
   Conflicts (`results/screening/sheets/conflicts.csv`) are settled in
   `{config["screening"]["consensus"]}`.
6. **Extraction.** Declare the outcomes under `outcomes:` in the config, and fill in
   `{config["extraction"]["studies"]}`, `{config["extraction"]["outcome_data"]}` and
   `{config["extraction"]["risk_of_bias"]}`. Pooled results appear in
   `results/pooled/summary.csv`, figures in `results/figures/`.

## Input tables

Empty, headed templates of every table are in `templates/` (CSV and XLSX); the ones in
`data/` are the files the configuration names ({suffix[1:].upper()}). Columns, types and
allowed values of each: srma's `docs/formats.md`.

| file | what | columns |
|---|---|---|
{rows}
"""


def init_review(
    directory: str | Path,
    *,
    title: str | None = None,
    tables: str = "csv",
    reference_root: Path | None = None,
) -> InitResult:
    """Make a new review folder (see the module docstring).

    Parameters
    ----------
    directory
        The folder to make (it may exist, but none of the files to write may).
    title
        The review's title (default: the folder's name).
    tables
        ``csv`` or ``xlsx``: the format of the input tables in ``data/``.
    reference_root
        The folder of the example review whose analysis plan and examples the
        config takes (default: srma's workflow root, :func:`workflow_root`).

    Returns
    -------
    InitResult

    Raises
    ------
    InputError
        If a file to write exists already, or ``directory`` is a file.
    """
    suffix = f".{tables.lower().lstrip('.')}"
    if suffix not in TABLE_SUFFIXES:
        raise ValueError(f"tables must be csv or xlsx, not {tables!r}")
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise InputError(
            "not a folder", file=str(root), hint="give the path of a new folder for the review"
        )
    workflow = reference_root if reference_root is not None else workflow_root()
    schema = load_schema(workflow / "workflow" / "schemas" / "config.schema.yaml")
    name = root.resolve().name
    title = title or name
    header = [
        f"srma configuration of the review {title!r}.",
        f"Written by `srma init` (srma {__version__}). Each comment is the key's description in",
        "srma's config schema (workflow/schemas/config.schema.yaml), which checks this file when",
        "the workflow starts: an unknown key stops the run (it is almost always a typo). Paths",
        "are relative to the review folder. The analysis plan is that of srma's example review",
        "(Goh et al. 2023); set it to your protocol's.",
    ]
    text = config_text(
        schema,
        title=title,
        review_id=slug(name),
        reference=_reference_config(workflow),
        table_suffix=suffix,
        header=header,
    )
    config = yaml.safe_load(text)
    files: dict[str, Any] = {
        "Snakefile": SNAKEFILE,
        CONFIG_FILE: text,
        "README.md": readme_text(title, config, suffix),
        ".gitignore": GITIGNORE,
    }
    for table, path in _table_rows(config):
        files[path] = table
    for table in INPUT_TABLES:
        for ext in TABLE_SUFFIXES:
            files[f"{TEMPLATES_DIR}/{table.name}{ext}"] = table
    existing = sorted(p for p in files if (root / p).exists())
    if existing:
        raise InputError(
            f"{len(existing)} of the files to write exist already: {', '.join(existing)}",
            file=str(root),
            hint="give the path of a new folder; srma init never overwrites files",
        )
    (root / EXPORTS_DIR).mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, InputTable):
            frame = empty_table(content)
            if target.suffix == ".xlsx":
                write_xlsx(frame, target, sheet_name=content.name[:31])
            else:
                write_csv(frame, target)
        else:
            target.write_text(content, encoding="utf-8")
    return InitResult(root=root, written=tuple(files), config=config)
