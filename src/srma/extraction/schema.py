"""The extraction tables: their columns, pandera models and the output effect table.

Three user tables (CSV or XLSX, in ``data/extraction/``), one row per fact:

studies
    One row per study: :data:`STUDY_FIELDS`.
outcome data
    One row per study, outcome, instrument, timepoint and population: the
    arm statistics of :mod:`srma.effects` (:data:`srma.effects.ARM_STATISTICS_COLUMNS`,
    any subset), where they come from (``source``), or why the study has no
    usable numbers (``no_usable_data``).  See :data:`OUTCOME_DATA_FIELDS`.
risk of bias
    One row per study (or study and outcome) and domain of Cochrane's RoB 1
    (seven domains) or RoB 2 (five domains and the overall judgement):
    :data:`RISK_OF_BIAS_FIELDS`.

The pandera models check each column on its own (types, ids, ranges).  The
checks that need several columns, rows or tables are in
:mod:`srma.extraction.checks`.  Every model also has ``file`` and ``row``
(the spreadsheet row: the header is row 1), so that each problem can say
where it is.
"""

from __future__ import annotations

from typing import Optional

import pandas as pd
import pandera.pandas as pa

from srma.effects import ARM_FIELDS, ARM_STATISTICS_COLUMNS, ARMS, COMPARISON_FIELDS

__all__ = [
    "EFFECT_COLUMNS",
    "EFFECT_FIELDS",
    "ID_PATTERN",
    "INCLUDED_FIELDS",
    "JUDGEMENTS",
    "OUTCOME_DATA_FIELDS",
    "RISK_OF_BIAS_FIELDS",
    "ROB_DOMAINS",
    "ROB_TOOLS",
    "STUDY_FIELDS",
    "EffectTableSchema",
    "IncludedStudiesSchema",
    "OutcomeDataSchema",
    "RiskOfBiasSchema",
    "StudySchema",
    "outcome_data_schema",
]

ID_PATTERN = r"^[a-z0-9_]+$"

# --------------------------------------------------------------------------- studies

#: Columns of the studies table and their meaning (``*`` = optional column).
STUDY_FIELDS: dict[str, str] = {
    "study_id": "the study's id (lower-case letters, digits, underscores), e.g. tan_2016",
    "label": "the study as figures show it, e.g. 'Tan 2016'",
    "reports": "the study's reports: work ids from screening and/or citations, ';'-separated",
    "year": "year of the main report",
    "country": "country or countries where the study ran",
    "design": "study design, e.g. 'parallel RCT'",
    "arms": "number of arms randomised",
    "intervention": "the intervention arm, e.g. 'IMR + TAU'",
    "comparator": "the comparator arm, e.g. 'TAU'",
    "comparator_type": "comparator type, one of extraction.comparator_types (tau, wl, active)",
    "n_randomised_intervention": "participants randomised to the intervention",
    "n_randomised_comparator": "participants randomised to the comparator",
    "condition": "* the condition(s) studied",
    "source": "where the characteristics come from, e.g. 'paper: Table 1'",
    "note": "* anything else",
}
STUDY_OPTIONAL: tuple[str, ...] = ("condition", "note")
STUDY_INTEGERS: tuple[str, ...] = (
    "year",
    "arms",
    "n_randomised_intervention",
    "n_randomised_comparator",
)


class StudySchema(pa.DataFrameModel):
    """One row per included study (:data:`STUDY_FIELDS`)."""

    study_id: str = pa.Field(str_matches=ID_PATTERN, unique=True)
    label: str
    reports: str
    year: pd.Int64Dtype = pa.Field(ge=1900, le=2100)
    country: str
    design: str
    arms: pd.Int64Dtype = pa.Field(ge=2)
    intervention: str
    comparator: str
    comparator_type: str = pa.Field(str_matches=ID_PATTERN)
    n_randomised_intervention: pd.Int64Dtype = pa.Field(ge=1)
    n_randomised_comparator: pd.Int64Dtype = pa.Field(ge=1)
    condition: str = pa.Field(nullable=True)
    source: str
    note: str = pa.Field(nullable=True)
    file: Optional[str] = pa.Field(nullable=True)  # noqa: UP045 (pandera needs Optional)
    row: Optional[pd.Int64Dtype] = pa.Field(nullable=True, ge=2)  # noqa: UP045

    class Config:
        strict = True
        coerce = True


# --------------------------------------------------------------------------- outcome data

#: Columns of the outcome data table (``*`` = optional column); the statistics are
#: those of :mod:`srma.effects`.
OUTCOME_DATA_FIELDS: dict[str, str] = {
    "study_id": "the study (a study_id of the studies table)",
    "outcome": "the outcome (an id declared in the config's outcomes:)",
    "instrument": "the instrument (declared under the outcome); may be empty in a "
    "no_usable_data row",
    "timepoint": "the timepoint (extraction.timepoints, e.g. post, followup)",
    "population": "the analysis population (extraction.populations, e.g. cc, itt)",
    **{
        f"{name}{suffix}": f"* {text} ({arm})"
        for name, text in ARM_FIELDS.items()
        for arm, suffix in ARMS.items()
    },
    **{name: f"* {text}" for name, text in COMPARISON_FIELDS.items()},
    "no_usable_data": "* why the study reports this outcome without usable numbers "
    "(leave the statistics empty)",
    "source": "where the numbers come from, e.g. 'paper: Table 2', 'synthetic: calibrated'",
    "note": "* anything else",
}
OUTCOME_DATA_KEY: tuple[str, ...] = ("study_id", "outcome", "instrument", "timepoint", "population")
OUTCOME_DATA_TEXT: tuple[str, ...] = (*OUTCOME_DATA_KEY, "no_usable_data", "source", "note")
OUTCOME_DATA_OPTIONAL: tuple[str, ...] = (*ARM_STATISTICS_COLUMNS, "no_usable_data", "note")
#: Statistics that are not the size of an arm: a no_usable_data row must leave them empty.
EFFECT_STATISTICS: tuple[str, ...] = tuple(
    c for c in ARM_STATISTICS_COLUMNS if c not in ("n_intervention", "n_comparator")
)


def _number_checks(column: str) -> list[pa.Check]:
    """Column-level range checks of one statistic (relations are checked elsewhere)."""
    name = column
    for suffix in ARMS.values():
        if column.endswith(suffix):
            name = column[: -len(suffix)]
    if name == "n":
        return [pa.Check.ge(2)]
    if name in ("sd", "se", "sd_change", "se_change", "sd_pre", "md_se"):
        return [pa.Check.gt(0)]
    if name == "p":
        return [pa.Check.gt(0), pa.Check.lt(1)]
    if name == "f":
        return [pa.Check.ge(0)]
    if name == "r_pre_post":
        return [pa.Check.in_range(-1, 1)]
    if name == "direction":
        return [pa.Check.isin([-1.0, 1.0])]
    if name == "ci_level":
        return [pa.Check.gt(0), pa.Check.lt(100)]
    return []


def outcome_data_schema() -> pa.DataFrameSchema:
    """The pandera schema of the outcome data table (columns from :mod:`srma.effects`).

    Built from :data:`srma.effects.ARM_STATISTICS_COLUMNS` rather than written
    out as a class, so that it follows the effect-size vocabulary.
    """
    text = {
        "study_id": pa.Column(str, pa.Check.str_matches(ID_PATTERN)),
        "outcome": pa.Column(str, pa.Check.str_matches(ID_PATTERN)),
        "instrument": pa.Column(str, pa.Check.str_matches(ID_PATTERN), nullable=True),
        "timepoint": pa.Column(str, pa.Check.str_matches(ID_PATTERN)),
        "population": pa.Column(str, pa.Check.str_matches(ID_PATTERN)),
    }
    numbers = {
        col: pa.Column(float, _number_checks(col), nullable=True) for col in ARM_STATISTICS_COLUMNS
    }
    tail = {
        "no_usable_data": pa.Column(str, nullable=True),
        "source": pa.Column(str),
        "note": pa.Column(str, nullable=True),
        "file": pa.Column(str, nullable=True, required=False),
        "row": pa.Column("Int64", pa.Check.ge(2), nullable=True, required=False),
    }
    return pa.DataFrameSchema(
        {**text, **numbers, **tail}, strict=True, coerce=True, name="OutcomeDataSchema"
    )


#: The outcome data schema (see :func:`outcome_data_schema`).
OutcomeDataSchema: pa.DataFrameSchema = outcome_data_schema()

# --------------------------------------------------------------------------- risk of bias

#: The tools and their domains, in the order of the tools' own forms; ``overall``
#: is required for RoB 2 and optional for RoB 1 (which has no overall judgement).
ROB_DOMAINS: dict[str, dict[str, str]] = {
    "rob1": {
        "random_sequence_generation": "Random sequence generation (selection bias)",
        "allocation_concealment": "Allocation concealment (selection bias)",
        "blinding_participants_personnel": "Blinding of participants and personnel "
        "(performance bias)",
        "blinding_outcome_assessment": "Blinding of outcome assessment (detection bias)",
        "incomplete_outcome_data": "Incomplete outcome data (attrition bias)",
        "selective_reporting": "Selective reporting (reporting bias)",
        "other_bias": "Other bias",
        "overall": "Overall",
    },
    "rob2": {
        "randomisation_process": "D1 Bias arising from the randomisation process",
        "deviations_from_intended_interventions": "D2 Bias due to deviations from intended "
        "interventions",
        "missing_outcome_data": "D3 Bias due to missing outcome data",
        "measurement_of_the_outcome": "D4 Bias in measurement of the outcome",
        "selection_of_the_reported_result": "D5 Bias in selection of the reported result",
        "overall": "Overall risk of bias",
    },
}
ROB_TOOLS: tuple[str, ...] = tuple(ROB_DOMAINS)
#: Domains that may be left out of a complete assessment.
ROB_OPTIONAL_DOMAINS: dict[str, tuple[str, ...]] = {"rob1": ("overall",), "rob2": ()}
#: Judgements allowed by each tool.
JUDGEMENTS: dict[str, tuple[str, ...]] = {
    "rob1": ("low", "unclear", "high"),
    "rob2": ("low", "some_concerns", "high"),
}

#: Columns of the risk-of-bias table (``*`` = optional column).
RISK_OF_BIAS_FIELDS: dict[str, str] = {
    "study_id": "the study",
    "outcome": "* the outcome the judgement is for; empty = every outcome of the study",
    "tool": "rob1 (Cochrane RoB 1) or rob2 (RoB 2)",
    "domain": "the domain, e.g. allocation_concealment (RoB 1) or randomisation_process (RoB 2)",
    "judgement": "low / unclear / high (RoB 1); low / some_concerns / high (RoB 2)",
    "support": "the support for the judgement (quote or reasoning)",
    "source": "where the judgement comes from, e.g. 'paper: Figure 2'",
    "note": "* anything else",
}


class RiskOfBiasSchema(pa.DataFrameModel):
    """One row per study (or study and outcome) and domain (:data:`RISK_OF_BIAS_FIELDS`)."""

    study_id: str = pa.Field(str_matches=ID_PATTERN)
    outcome: str = pa.Field(str_matches=ID_PATTERN, nullable=True)
    tool: str = pa.Field(isin=list(ROB_TOOLS))
    domain: str = pa.Field(str_matches=ID_PATTERN)
    judgement: str = pa.Field(isin=sorted({j for js in JUDGEMENTS.values() for j in js}))
    support: str
    source: str
    note: str = pa.Field(nullable=True)
    file: Optional[str] = pa.Field(nullable=True)  # noqa: UP045
    row: Optional[pd.Int64Dtype] = pa.Field(nullable=True, ge=2)  # noqa: UP045

    class Config:
        strict = True
        coerce = True


# --------------------------------------------------------------------------- included studies

#: Columns read from screening's ``included_studies.csv`` (others are ignored).
INCLUDED_FIELDS: dict[str, str] = {
    "work_id": "a report included at full text",
    "study_id": "the study it belongs to",
}


class IncludedStudiesSchema(pa.DataFrameModel):
    """The reports included at screening and their studies."""

    work_id: str = pa.Field(str_matches=r"^\S+$", unique=True)
    study_id: str = pa.Field(str_matches=r"^\S+$")
    file: Optional[str] = pa.Field(nullable=True)  # noqa: UP045
    row: Optional[pd.Int64Dtype] = pa.Field(nullable=True, ge=2)  # noqa: UP045

    class Config:
        strict = True
        coerce = True


# --------------------------------------------------------------------------- effects (output)

#: Columns of ``results/extraction/{outcome}.effects.parquet``, in order.
EFFECT_FIELDS: dict[str, str] = {
    "study_id": "the study",
    "label": "the study's label (studies table)",
    "year": "the study's year",
    "outcome": "the outcome",
    "timepoint": "the timepoint",
    "population": "the analysis population",
    "comparator_type": "the study's comparator type (subgroups)",
    "usable": "False when the study reports the outcome without usable numbers",
    "yi": "effect size (positive favours the intervention); empty when not usable",
    "vi": "its sampling variance",
    "n_intervention": "participants analysed in the intervention arm",
    "n_comparator": "participants analysed in the comparator arm",
    "mean_intervention": "mean, when one instrument with arm means was used",
    "sd_intervention": "its SD",
    "mean_comparator": "mean of the comparator arm",
    "sd_comparator": "its SD",
    "statistics": "the statistics the effect comes from, as text (for forest plots)",
    "method": "the conversion(s) used, e.g. mean_sd, md_ci, p; no_usable_data",
    "notes": "every conversion, assumption and combination step",
    "instruments": "the instrument(s) that went in, ';'-separated",
    "combine": "how instruments were combined: single, aggregate (rho = ...), priority: ...",
    "source": "where the numbers come from (the rows' source, ';'-joined)",
}
EFFECT_COLUMNS: list[str] = list(EFFECT_FIELDS)


class EffectTableSchema(pa.DataFrameModel):
    """One row per study, timepoint and population of one outcome (:data:`EFFECT_FIELDS`)."""

    study_id: str = pa.Field(str_matches=ID_PATTERN)
    label: str
    year: pd.Int64Dtype = pa.Field(nullable=True)
    outcome: str = pa.Field(str_matches=ID_PATTERN)
    timepoint: str = pa.Field(str_matches=ID_PATTERN)
    population: str = pa.Field(str_matches=ID_PATTERN)
    comparator_type: str = pa.Field(str_matches=ID_PATTERN)
    usable: bool
    yi: float = pa.Field(nullable=True)
    vi: float = pa.Field(nullable=True, gt=0)
    n_intervention: pd.Int64Dtype = pa.Field(nullable=True, ge=1)
    n_comparator: pd.Int64Dtype = pa.Field(nullable=True, ge=1)
    mean_intervention: float = pa.Field(nullable=True)
    sd_intervention: float = pa.Field(nullable=True, gt=0)
    mean_comparator: float = pa.Field(nullable=True)
    sd_comparator: float = pa.Field(nullable=True, gt=0)
    statistics: str = pa.Field(nullable=True)
    method: str
    notes: str = pa.Field(nullable=True)
    instruments: str = pa.Field(nullable=True)
    combine: str
    source: str

    class Config:
        strict = True
        coerce = True
        ordered = True

    @pa.dataframe_check
    @classmethod
    def usable_rows_have_an_effect(cls, df: pd.DataFrame) -> pd.Series:
        has = df["yi"].notna() & df["vi"].notna()
        none = df["yi"].isna() & df["vi"].isna()
        return (df["usable"] & has) | (~df["usable"] & none)

    @pa.dataframe_check
    @classmethod
    def one_row_per_study_timepoint_population(cls, df: pd.DataFrame) -> pd.Series:
        return ~df.duplicated(["study_id", "timepoint", "population"], keep=False)
