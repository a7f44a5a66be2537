"""``docs/formats.md``: every input of a review, generated from srma's own definitions.

The columns, types, empty-cell rules and allowed values come from the pandera
models that check each table (:mod:`srma.screening.schema`,
:mod:`srma.extraction.schema`); descriptions from the ``*_FIELDS`` mappings of
those modules (or, where a module has none, :data:`DESCRIPTIONS` here); the
configuration keys from ``workflow/schemas/config.schema.yaml``; the export
formats from :mod:`srma.io.detect`.  ``tools/make_formats_doc.py`` writes the
file and ``tests/review/test_formats_doc.py`` checks that the committed file
is the generated one.  The example rows (:data:`EXAMPLES`) are checked by the
same tests against the readers.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandera.pandas as pa

from srma.review.config_template import describe, flow, schema_keys
from srma.review.tables import INPUT_TABLES, InputTable, config_value

__all__ = [
    "DESCRIPTIONS",
    "EXAMPLES",
    "ColumnDoc",
    "column_docs",
    "formats_markdown",
]

#: Descriptions of the columns of tables whose modules have no ``*_FIELDS`` mapping.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "dedup_decisions": {
        "pair_id": "the pair, as in results/dedup/uncertain_pairs.csv: two record ids joined "
        "by '|' (either order)",
        "decision": "same (merge the two records) or different (keep them apart, also "
        "through other links)",
        "reviewer": "* who decided",
        "note": "* why",
    },
    "screening_log": {
        "work_id": "the work, as in the screening sheet (results/screening/sheets/)",
        "stage": "title_abstract or full_text ('Title/abstract', 'full text', 'TiAb', 'FT' "
        "are read too)",
        "reviewer": "who decided (initials or name; the same spelling throughout)",
        "decision": "include, exclude or maybe ('Included', 'yes', 'no', 'unsure' are read too); "
        "a row whose decision and reason are both empty is a work not screened yet",
        "reason": "* why a work was excluded: required for a full-text exclusion (PRISMA counts "
        "one reason per report)",
        "note": "* anything else",
        "time": "* when (ISO 8601 date or date-time, e.g. 2024-03-01T14:30); of two different "
        "decisions of one reviewer on one work, the later one counts",
    },
    "screening_consensus": {
        "work_id": "the work",
        "stage": "title_abstract or full_text",
        "decision": "include or exclude: settles the work at this stage, whatever the "
        "reviewers said",
        "reason": "* why it was excluded: required for a full-text exclusion",
        "note": "* anything else, e.g. who settled it",
    },
    "screening_studies": {
        "work_id": "a report included at full text",
        "study_id": "the study it belongs to (reports of one trial share a study id; "
        "unmapped reports are studies of their own)",
    },
}

#: What one row of each table is.
ROW_IS: dict[str, str] = {
    "dedup_decisions": "pair of records a reviewer settled",
    "screening_log_title_abstract": "decision of one reviewer on one work",
    "screening_log_full_text": "decision of one reviewer on one work",
    "screening_consensus": "work settled by consensus at one stage",
    "screening_studies": "included report",
    "extraction_studies": "included study",
    "extraction_outcomes": "study, outcome, instrument, timepoint and population",
    "extraction_risk_of_bias": "study (or study and outcome) and risk-of-bias domain",
}

#: Example rows (as typed in a spreadsheet); tests read each through its reader.
EXAMPLES: dict[str, dict[str, str]] = {
    "dedup_decisions": {
        "pair_id": "proquest:31|psycinfo:105",
        "decision": "same",
        "reviewer": "YSG",
        "note": "same dissertation in two databases",
    },
    "screening_log_title_abstract": {
        "work_id": "W000c89ee4b",
        "stage": "title_abstract",
        "reviewer": "YSG",
        "decision": "exclude",
        "reason": "",
        "note": "",
        "time": "2022-03-13T13:40",
    },
    "screening_log_full_text": {
        "work_id": "W237dc5c462",
        "stage": "full_text",
        "reviewer": "JQOY",
        "decision": "exclude",
        "reason": "wrong intervention",
        "note": "",
        "time": "2022-04-06T15:11",
    },
    "screening_consensus": {
        "work_id": "W237dc5c462",
        "stage": "full_text",
        "decision": "exclude",
        "reason": "wrong intervention",
        "note": "settled at consensus meeting with AZL",
    },
    "screening_studies": {"work_id": "W0c2b9e4149", "study_id": "tan2016"},
    "extraction_studies": {
        "study_id": "tan2016",
        "label": "Tan 2016",
        "reports": "W0c2b9e4149",
        "year": "2016",
        "country": "Singapore",
        "design": "RCT",
        "arms": "2",
        "intervention": "IMR + TAU",
        "comparator": "TAU",
        "comparator_type": "tau",
        "n_randomised_intervention": "30",
        "n_randomised_comparator": "30",
        "condition": "Schizophrenia",
        "source": "paper: Table 1",
        "note": "",
    },
    "extraction_outcomes": {
        "study_id": "tan2016",
        "outcome": "global_functioning",
        "instrument": "gas",
        "timepoint": "followup",
        "population": "cc",
        "n_intervention": "25",
        "n_comparator": "25",
        "mean_intervention": "81.12",
        "mean_comparator": "52.2",
        "sd_intervention": "14.3",
        "sd_comparator": "16.8",
        "source": "paper: Table 2",
    },
    "extraction_risk_of_bias": {
        "study_id": "tan2016",
        "outcome": "",
        "tool": "rob1",
        "domain": "allocation_concealment",
        "judgement": "unclear",
        "support": "the method of concealment is not described",
        "source": "paper: Methods",
        "note": "",
    },
}

#: Rules of check functions whose docstrings do not list them as items.
SUMMARY_RULES: dict[str, str] = {
    "effect_problems": "An effect size can be computed from every usable row (by the first "
    "conversion of `extraction.routes` whose statistics the row has)",
}

#: Human words for the patterns the models use.
PATTERNS: dict[str, str] = {
    r"^[a-z0-9_]+$": "lower-case letters, digits and _",
    r"^\S+$": "no spaces",
    r"\S": "not blank",
}


@dataclass(frozen=True)
class ColumnDoc:
    """One column of an input table, for people."""

    name: str
    required: bool  # the header must name it
    type: str
    empty: bool  # a cell may be left empty
    allowed: str
    description: str
    example: str = ""


def _type(dtype: Any) -> str:
    text = str(dtype).lower()
    if text.startswith(("string", "str", "object")):
        return "text"
    if text.startswith("float"):
        return "number"
    if text.startswith("int"):
        return "whole number"
    if text.startswith("datetime"):
        return "date or date-time"
    if text.startswith("bool"):
        return "true/false"
    return text


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_text(check: pa.Check) -> str:
    name, stats = check.name, dict(check.statistics or {})
    if name == "isin":
        return "one of: " + ", ".join(_number(v) for v in stats["allowed_values"])
    if name == "str_matches":
        pattern = str(stats["pattern"])
        return PATTERNS.get(pattern, f"matches {pattern}")
    ops = {
        "greater_than_or_equal_to": ">=",
        "greater_than": ">",
        "less_than_or_equal_to": "<=",
        "less_than": "<",
    }
    if name in ops:
        (value,) = stats.values()
        return f"{ops[name]} {_number(value)}"
    if name == "in_range":
        return f"{_number(stats['min_value'])} to {_number(stats['max_value'])}"
    return str(name).replace("_", " ")


def _optional(description: str) -> tuple[bool, str]:
    """``*``-marked descriptions (the ``*_FIELDS`` convention) are optional columns."""
    if description.startswith("*"):
        return False, description.lstrip("* ").strip()
    return True, description


def _schema_of(table: InputTable) -> pa.DataFrameSchema | None:
    from srma.extraction.schema import OutcomeDataSchema, RiskOfBiasSchema, StudySchema
    from srma.screening.schema import ConsensusSchema, ScreeningLogSchema, StudiesSchema

    models: dict[str, Any] = {
        "screening_log_title_abstract": ScreeningLogSchema,
        "screening_log_full_text": ScreeningLogSchema,
        "screening_consensus": ConsensusSchema,
        "screening_studies": StudiesSchema,
        "extraction_studies": StudySchema,
        "extraction_outcomes": OutcomeDataSchema,
        "extraction_risk_of_bias": RiskOfBiasSchema,
    }
    model = models.get(table.name)
    if model is None:
        return None
    return model if isinstance(model, pa.DataFrameSchema) else model.to_schema()


def _descriptions(table: InputTable) -> dict[str, str]:
    from srma.extraction.schema import OUTCOME_DATA_FIELDS, RISK_OF_BIAS_FIELDS, STUDY_FIELDS

    fields: dict[str, Mapping[str, str]] = {
        "extraction_studies": STUDY_FIELDS,
        "extraction_outcomes": OUTCOME_DATA_FIELDS,
        "extraction_risk_of_bias": RISK_OF_BIAS_FIELDS,
        "screening_log_title_abstract": DESCRIPTIONS["screening_log"],
        "screening_log_full_text": DESCRIPTIONS["screening_log"],
    }
    return dict(fields.get(table.name) or DESCRIPTIONS[table.name])


def _dedup_docs(table: InputTable) -> list[ColumnDoc]:
    """The decisions table has no pandera model: :func:`srma.dedup.decisions.read_decisions`
    checks it (pair_id and decision required; decision same or different)."""
    docs = []
    allowed = {"pair_id": "two record ids joined by |", "decision": "one of: same, different"}
    for name in table.columns:
        required, text = _optional(DESCRIPTIONS[table.name][name])
        docs.append(ColumnDoc(name, required, "text", not required, allowed.get(name, ""), text))
    return docs


def column_docs(table: InputTable) -> list[ColumnDoc]:
    """The columns of one input table, from its pandera model and field descriptions."""
    example = EXAMPLES.get(table.name, {})
    if table.name == "dedup_decisions":
        docs = _dedup_docs(table)
    else:
        schema = _schema_of(table)
        assert schema is not None
        texts = _descriptions(table)
        docs = []
        for name in table.columns:
            column = schema.columns[name]
            required, text = _optional(texts.get(name, ""))
            if table.name.startswith("screening_"):
                from srma.screening.schema import CONSENSUS_REQUIRED, LOG_REQUIRED

                needed = {
                    "screening_consensus": CONSENSUS_REQUIRED,
                    "screening_studies": ["work_id", "study_id"],
                }.get(table.name, LOG_REQUIRED)
                required = name in needed
            allowed = [_check_text(c) for c in column.checks]
            if column.unique:
                allowed.append("unique")
            docs.append(
                ColumnDoc(
                    name,
                    required,
                    _type(column.dtype),
                    bool(column.nullable),
                    "; ".join(allowed),
                    text,
                )
            )
    return [
        ColumnDoc(
            d.name, d.required, d.type, d.empty, d.allowed, d.description, example.get(d.name, "")
        )
        for d in docs
    ]


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table_rules(table: InputTable) -> list[str]:
    """Rules across columns and rows: the model's dataframe checks, and srma.extraction.checks."""
    rules: list[str] = []
    schema = _schema_of(table)
    if schema is not None:
        for check in schema.checks:
            rules.append(check.name.replace("_", " ").capitalize())
    from srma.extraction import checks

    funcs: dict[str, list[Callable[..., Any]]] = {
        "extraction_studies": [checks.study_problems, checks.included_problems],
        "extraction_outcomes": [checks.outcome_data_problems, checks.effect_problems],
        "extraction_risk_of_bias": [checks.risk_of_bias_problems],
    }
    for func in funcs.get(table.name, []):
        rules += _doc_rules(func)
    return rules


def _doc_rules(func: Callable[..., Any]) -> list[str]:
    """The rules a check function's docstring lists (its ``- `` items, else its first lines)."""
    doc = inspect.getdoc(func) or ""
    paragraphs = [p for p in doc.split("\n\n") if p.strip()]
    items: list[str] = []
    for paragraph in paragraphs[1:]:
        if paragraph.lstrip().startswith("- "):
            for item in re.split(r"\n(?=- )", paragraph.strip()):
                items.append(" ".join(item.removeprefix("- ").split()))
    if not items and len(paragraphs) > 1 and func.__name__ not in SUMMARY_RULES:
        items = [" ".join(paragraphs[1].split())]
    if not items and func.__name__ in SUMMARY_RULES:
        items = [SUMMARY_RULES[func.__name__]]
    return [_sentence(re.sub(r":\w+:`", "`", i.replace("``", "`"))) for i in items]


def _sentence(text: str) -> str:
    text = text.rstrip(";").strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else f"{text}."


def _table_section(table: InputTable, config: Mapping[str, Any]) -> list[str]:
    docs = column_docs(table)
    path = config_value(config, table.config_key)
    lines = [
        f"### {table.title}",
        "",
        f"`{path}` (config key `{table.config_key}`; template "
        f"`templates/{table.name}.csv`): one row per {ROW_IS[table.name]}.",
        "",
        "| column | required | type | may be empty | allowed values | description | example |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in docs:
        lines.append(
            f"| `{d.name}` | {'yes' if d.required else 'no'} | {d.type} | "
            f"{'yes' if d.empty else 'no'} | {_cell(d.allowed)} | {_cell(d.description)} | "
            f"{_cell(d.example)} |"
        )
    rules = _table_rules(table)
    if rules:
        lines += ["", "Rules across columns, rows and tables:", ""]
        lines += [f"- {r}" for r in rules]
    example = {d.name: d.example for d in docs if d.example or d.required}
    if example:
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(list(example))
        writer.writerow(list(example.values()))
        left_out = len(docs) - len(example)
        lines += ["", "Example" + (" (empty columns left out):" if left_out else ":")]
        lines += ["", "```csv", buffer.getvalue().rstrip("\n"), "```"]
    if table.name == "extraction_risk_of_bias":
        lines += _rob_domains()
    lines.append("")
    return lines


def _rob_domains() -> list[str]:
    from srma.extraction.schema import JUDGEMENTS, ROB_DOMAINS, ROB_OPTIONAL_DOMAINS

    lines = ["", "Domains of each tool (`domain`; the full names are read too):", ""]
    lines += ["| tool | domain | name | judgements |", "|---|---|---|---|"]
    for tool, domains in ROB_DOMAINS.items():
        for domain, name in domains.items():
            optional = " (optional)" if domain in ROB_OPTIONAL_DOMAINS.get(tool, ()) else ""
            judgements = ", ".join(JUDGEMENTS[tool])
            lines.append(f"| `{tool}` | `{domain}`{optional} | {_cell(name)} | {judgements} |")
    return lines


def _config_type(node: Mapping[str, Any]) -> str:
    kind = node.get("type", "")
    if isinstance(kind, list):
        kind = " or ".join(map(str, kind))
    if kind == "array":
        item = (node.get("items") or {}).get("type", "")
        kind = f"list of {item}s" if item and item != "object" else "list"
    return str(kind)


def _config_section(schema: Mapping[str, Any]) -> list[str]:
    lines = [
        "## `config/config.yaml`",
        "",
        "YAML, checked against `workflow/schemas/config.schema.yaml` when the workflow starts "
        "(and by `srma check`): an unknown key is an error. `srma init` writes every key with "
        "its description as a comment. Keys marked `[]` are those of each entry of a list.",
        "",
        "| key | type | default | description |",
        "|---|---|---|---|",
    ]
    for path, node, required in schema_keys(schema):
        default = f"`{flow(node['default'])}`" if "default" in node else ""
        if required:
            default = "(required)"
        lines.append(
            f"| `{path}` | {_config_type(node)} | {_cell(default)} | {_cell(describe(node))} |"
        )
    lines.append("")
    return lines


def _exports_section() -> list[str]:
    from srma.io.detect import FORMAT_DESCRIPTIONS

    lines = [
        "## Search exports (`data/exports/`)",
        "",
        "One file per database search or other method, listed under `sources:` in the "
        "configuration. The format is recognised from the content (not the extension); "
        "`format:` in a source's entry forces one. Readable formats (`srma.io.FORMATS`):",
        "",
        "| format | what |",
        "|---|---|",
    ]
    lines += [f"| `{k}` | {_cell(v)} |" for k, v in FORMAT_DESCRIPTIONS.items()]
    lines.append("")
    return lines


def formats_markdown(schema: Mapping[str, Any], config: Mapping[str, Any]) -> str:
    """The text of ``docs/formats.md``.

    Parameters
    ----------
    schema
        The config schema.
    config
        A configuration with the default paths (e.g. the one ``srma init`` writes).
    """
    stages = {"dedup": "De-duplication", "screening": "Screening", "extraction": "Extraction"}
    lines = [
        "# Input formats",
        "",
        "<!-- Generated by tools/make_formats_doc.py from srma's pandera models, field",
        "     descriptions and config schema. Do not edit: run the tool. -->",
        "",
        "Every file a reviewer writes or drops into a review folder. Tables are CSV (UTF-8, "
        "with `,` `;` tab or `|` between cells) or XLSX (the first sheet); the header is row 1 "
        "and a problem names the spreadsheet row. Column names ignore case, spaces and "
        "hyphens; an empty cell is a missing value; blank rows are skipped. *Required* columns "
        "must be in the header; the others may be left out. `srma check` reads every file "
        "below and lists every problem at once.",
        "",
    ]
    lines += _exports_section()
    lines += _config_section(schema)
    current = None
    for table in INPUT_TABLES:
        if table.stage != current:
            current = table.stage
            lines += [f"## {stages[current]}", ""]
        lines += _table_section(table, config)
    return "\n".join(lines).rstrip("\n") + "\n"
