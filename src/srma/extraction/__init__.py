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

__all__ = [
    "EFFECT_COLUMNS",
    "EFFECT_FIELDS",
    "INCLUDED_FIELDS",
    "JUDGEMENTS",
    "OUTCOME_DATA_FIELDS",
    "RISK_OF_BIAS_FIELDS",
    "ROB_DOMAINS",
    "ROB_TOOLS",
    "STUDY_FIELDS",
    "Choice",
    "EffectTableSchema",
    "Extraction",
    "ExtractionSettings",
    "IncludedStudiesSchema",
    "Instrument",
    "OutcomeDataSchema",
    "OutcomeSpec",
    "ParsedTable",
    "RiskOfBiasSchema",
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
