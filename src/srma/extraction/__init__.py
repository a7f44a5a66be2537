"""Data extraction: the study, outcome and risk-of-bias tables, checked, and effect sizes.

Extraction is where reviews go wrong silently: a standard error typed as a
standard deviation, a scale where lower is better pooled as if higher were,
a study that was never included.  This package

- declares outcomes and their instruments (:mod:`srma.extraction.spec`):
  which way each scale runs, and how several instruments of one study are
  combined (``aggregate`` with an assumed correlation, or ``priority``);
- reads the tables (CSV or XLSX) and checks them at the boundary
  (:mod:`srma.extraction.schema`, :mod:`srma.extraction.tables`,
  :mod:`srma.extraction.checks`): pandera models per table and rules across
  tables, every problem reported at once with file, row, column and value;
- computes one effect size per study, timepoint and population of an outcome
  from whatever statistics the papers report (:func:`outcome_effects`, using
  :mod:`srma.effects` and :func:`srma.pooling.aggregate`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from srma._lazy import lazy_exports

if TYPE_CHECKING:
    from srma.extraction.checks import (
        effect_problems,
        included_problems,
        outcome_data_problems,
        risk_of_bias_problems,
        study_problems,
    )
    from srma.extraction.effects import outcome_effects, statistics_text, usable_effects
    from srma.extraction.load import Extraction, load_extraction, validate_extraction
    from srma.extraction.schema import (
        EFFECT_COLUMNS,
        EFFECT_FIELDS,
        INCLUDED_FIELDS,
        JUDGEMENTS,
        OUTCOME_DATA_FIELDS,
        RISK_OF_BIAS_FIELDS,
        ROB_DOMAINS,
        ROB_TOOLS,
        STUDY_FIELDS,
        EffectTableSchema,
        IncludedStudiesSchema,
        OutcomeDataSchema,
        RiskOfBiasSchema,
        StudySchema,
    )
    from srma.extraction.spec import (
        Choice,
        ExtractionSettings,
        Instrument,
        OutcomeSpec,
        outcome_config_problems,
        outcome_specs,
    )
    from srma.extraction.tables import (
        ParsedTable,
        parse_included_studies,
        parse_outcome_data,
        parse_risk_of_bias,
        parse_studies,
    )

#: Where each public name lives, imported on first use (PEP 562): a workflow step that needs
#: one table parser does not pay for the effect-size code, or the reverse (each Snakemake job
#: is a fresh process).
_LAZY = {
    "Choice": "srma.extraction.spec",
    "EFFECT_COLUMNS": "srma.extraction.schema",
    "EFFECT_FIELDS": "srma.extraction.schema",
    "EffectTableSchema": "srma.extraction.schema",
    "Extraction": "srma.extraction.load",
    "ExtractionSettings": "srma.extraction.spec",
    "INCLUDED_FIELDS": "srma.extraction.schema",
    "IncludedStudiesSchema": "srma.extraction.schema",
    "Instrument": "srma.extraction.spec",
    "JUDGEMENTS": "srma.extraction.schema",
    "OUTCOME_DATA_FIELDS": "srma.extraction.schema",
    "OutcomeDataSchema": "srma.extraction.schema",
    "OutcomeSpec": "srma.extraction.spec",
    "ParsedTable": "srma.extraction.tables",
    "RISK_OF_BIAS_FIELDS": "srma.extraction.schema",
    "ROB_DOMAINS": "srma.extraction.schema",
    "ROB_TOOLS": "srma.extraction.schema",
    "RiskOfBiasSchema": "srma.extraction.schema",
    "STUDY_FIELDS": "srma.extraction.schema",
    "StudySchema": "srma.extraction.schema",
    "effect_problems": "srma.extraction.checks",
    "included_problems": "srma.extraction.checks",
    "load_extraction": "srma.extraction.load",
    "outcome_config_problems": "srma.extraction.spec",
    "outcome_data_problems": "srma.extraction.checks",
    "outcome_effects": "srma.extraction.effects",
    "outcome_specs": "srma.extraction.spec",
    "parse_included_studies": "srma.extraction.tables",
    "parse_outcome_data": "srma.extraction.tables",
    "parse_risk_of_bias": "srma.extraction.tables",
    "parse_studies": "srma.extraction.tables",
    "risk_of_bias_problems": "srma.extraction.checks",
    "statistics_text": "srma.extraction.effects",
    "study_problems": "srma.extraction.checks",
    "usable_effects": "srma.extraction.effects",
    "validate_extraction": "srma.extraction.load",
}

__all__ = [
    "Choice",
    "EFFECT_COLUMNS",
    "EFFECT_FIELDS",
    "EffectTableSchema",
    "Extraction",
    "ExtractionSettings",
    "INCLUDED_FIELDS",
    "IncludedStudiesSchema",
    "Instrument",
    "JUDGEMENTS",
    "OUTCOME_DATA_FIELDS",
    "OutcomeDataSchema",
    "OutcomeSpec",
    "ParsedTable",
    "RISK_OF_BIAS_FIELDS",
    "ROB_DOMAINS",
    "ROB_TOOLS",
    "RiskOfBiasSchema",
    "STUDY_FIELDS",
    "StudySchema",
    "effect_problems",
    "included_problems",
    "load_extraction",
    "outcome_config_problems",
    "outcome_data_problems",
    "outcome_effects",
    "outcome_specs",
    "parse_included_studies",
    "parse_outcome_data",
    "parse_risk_of_bias",
    "parse_studies",
    "risk_of_bias_problems",
    "statistics_text",
    "study_problems",
    "usable_effects",
    "validate_extraction",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
