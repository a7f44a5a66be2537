"""Meta-analytic pooling checked against R metafor 3.8-1.

Inverse-variance common-effect and random-effects models (tau² by REML, ML,
DL, PM, EB, HE, SJ or HS), Wald z or Knapp-Hartung inference, Q-profile
intervals for tau², I² and H², prediction intervals, leave-one-out,
subgroups (separate fits with the RevMan test, or a mixed-effects model with
a common tau²), aggregation of dependent effects, Egger's regression test and
trim-and-fill.  numpy/scipy only; no I/O.

>>> from srma.pooling import pool
>>> res = pool([0.1, 0.3, 0.35, 0.6], [0.01, 0.02, 0.015, 0.03], method="REML")
>>> round(res.estimate, 4), res.k
(0.3086, 4)
"""

from srma.pooling._regression import RegressionFit, fit_regression
from srma.pooling._univariate import FE_METHODS, METHODS, RE_METHODS
from srma.pooling.aggregate import Aggregated, aggregate
from srma.pooling.bias import EggerResult, TrimFillResult, egger_test, trim_and_fill
from srma.pooling.core import SINGLE_STUDY, TESTS, PoolingWarning, leave_one_out, pool
from srma.pooling.report import format_leave_one_out, format_subgroups, format_summary
from srma.pooling.result import (
    POOL_KEYS,
    LeaveOneOut,
    MixedEffectsResult,
    PoolResult,
    SubgroupResult,
)
from srma.pooling.subgroups import mixed_effects_subgroups, subgroups

__all__ = [
    "FE_METHODS",
    "METHODS",
    "POOL_KEYS",
    "RE_METHODS",
    "SINGLE_STUDY",
    "TESTS",
    "Aggregated",
    "EggerResult",
    "LeaveOneOut",
    "MixedEffectsResult",
    "PoolResult",
    "PoolingWarning",
    "RegressionFit",
    "SubgroupResult",
    "TrimFillResult",
    "aggregate",
    "egger_test",
    "fit_regression",
    "format_leave_one_out",
    "format_subgroups",
    "format_summary",
    "leave_one_out",
    "mixed_effects_subgroups",
    "pool",
    "subgroups",
    "trim_and_fill",
]
