"""Effect sizes from whatever statistics a paper reports.

- :mod:`srma.effects.formulas`: MD, SMD (Hedges' g), SMD from t, F or p,
  SDs from SEs and CIs, change scores, standardised mean changes;
- :mod:`srma.effects.quantiles`: mean and SD from a median with quartiles
  and/or range (Wan 2014, Luo 2018, Shi 2020);
- :mod:`srma.effects.arms`: :func:`compute_effect`, one effect size from one
  row of arm statistics, choosing the conversion by which columns are filled,
  and :func:`compute_effects` for a table.

Every conversion agrees with R's metafor (``escalc``; for what metafor 3.8-1
lacks, the formulas of metafor >= 4.0's ``conv.*`` helpers): see
``tests/r/make_effects_reference.R``.
"""

from srma.effects.arms import (
    ARM_FIELDS,
    ARM_STATISTICS_COLUMNS,
    ARMS,
    COMPARISON_FIELDS,
    DEFAULT_PRIORITY,
    ROUTES,
    EffectEstimate,
    arm_statistics_problems,
    compute_effect,
    compute_effects,
    validate_arm_statistics,
)
from srma.effects.formulas import (
    EffectSize,
    change_sd,
    ci_critical_value,
    hedges_j,
    mean_difference,
    sd_from_ci,
    sd_from_se,
    sd_pooled_from_se,
    se_from_ci,
    smcc,
    smcr,
    smd_from_d,
    smd_from_md_se,
    smd_from_t,
    standardized_mean_difference,
    t_from_f,
    t_from_p,
)
from srma.effects.quantiles import QUANTILE_METHODS, MeanSdEstimate, mean_sd_from_quantiles

__all__ = [
    "ARMS",
    "ARM_FIELDS",
    "ARM_STATISTICS_COLUMNS",
    "COMPARISON_FIELDS",
    "DEFAULT_PRIORITY",
    "QUANTILE_METHODS",
    "ROUTES",
    "EffectEstimate",
    "EffectSize",
    "MeanSdEstimate",
    "arm_statistics_problems",
    "change_sd",
    "ci_critical_value",
    "compute_effect",
    "compute_effects",
    "hedges_j",
    "mean_difference",
    "mean_sd_from_quantiles",
    "sd_from_ci",
    "sd_from_se",
    "sd_pooled_from_se",
    "se_from_ci",
    "smcc",
    "smcr",
    "smd_from_d",
    "smd_from_md_se",
    "smd_from_t",
    "standardized_mean_difference",
    "t_from_f",
    "t_from_p",
    "validate_arm_statistics",
]
