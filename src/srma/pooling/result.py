"""Result objects of the pooling engine and their JSON form."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

#: Keys of :meth:`PoolResult.to_dict`, in order: the documented JSON keys first,
#: then the extras (``df`` of the t test, ``level``, ``se_tau2``, H² interval,
#: convergence status and message).
POOL_KEYS = (
    "k",
    "measure",
    "method",
    "test",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "stat",
    "pval",
    "tau2",
    "tau2_ci_low",
    "tau2_ci_high",
    "i2",
    "i2_ci_low",
    "i2_ci_high",
    "h2",
    "q",
    "q_df",
    "q_pval",
    "pi_low",
    "pi_high",
    "df",
    "level",
    "se_tau2",
    "h2_ci_low",
    "h2_ci_high",
    "converged",
    "message",
)


def _clean(value: Any) -> Any:
    """Plain Python scalars for JSON: numpy numbers to int/float, NaN and inf to None."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


@dataclass(frozen=True)
class PoolResult:
    """One inverse-variance meta-analysis (metafor ``rma.uni`` without moderators).

    Every statistic is ``None`` where it is undefined: heterogeneity with one
    study, tau² and the prediction interval of a common-effect model, the
    tau² interval when not asked for.  ``i2`` and its interval are in percent,
    as metafor prints them.  ``converged`` is ``False`` when an iterative step
    (tau² estimation or the Q-profile search) stopped at its iteration cap:
    the numbers are then those of the last iterate and ``message`` says so.
    """

    k: int
    method: str
    test: str
    level: float
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    stat: float
    pval: float
    df: float | None = None
    measure: str | None = None
    tau2: float | None = None
    se_tau2: float | None = None
    tau2_ci_low: float | None = None
    tau2_ci_high: float | None = None
    i2: float | None = None
    i2_ci_low: float | None = None
    i2_ci_high: float | None = None
    h2: float | None = None
    h2_ci_low: float | None = None
    h2_ci_high: float | None = None
    q: float | None = None
    q_df: int | None = None
    q_pval: float | None = None
    pi_low: float | None = None
    pi_high: float | None = None
    converged: bool = True
    iterations: int = 0
    messages: tuple[str, ...] = field(default=())

    @property
    def message(self) -> str | None:
        """All notes joined by ``"; "``, or ``None`` when there are none."""
        return "; ".join(self.messages) if self.messages else None

    @property
    def is_random(self) -> bool:
        """Whether the model has a random-effects component."""
        return self.method not in ("FE", "EE")

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready plain Python values, keys in :data:`POOL_KEYS` order."""
        return {key: _clean(getattr(self, key)) for key in POOL_KEYS}


@dataclass(frozen=True)
class LeaveOneOut:
    """The meta-analysis repeated without one study."""

    study: str
    result: PoolResult

    def to_dict(self) -> dict[str, Any]:
        return {"study": self.study, **self.result.to_dict()}


@dataclass(frozen=True)
class SubgroupResult:
    """Separate fits per subgroup and the test for subgroup differences.

    ``q_between`` is Cochran's Q of the subgroup estimates around their
    inverse-variance weighted mean (weights ``1 / se²`` of each subgroup's
    own fit), with ``J - 1`` degrees of freedom: the RevMan test, i.e. metafor
    ``rma(estimates, sei=ses, method="FE")$QE``.
    """

    levels: tuple[str, ...]
    results: dict[str, PoolResult]
    q_between: float | None
    q_between_df: int | None
    q_between_pval: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "subgroups": {level: self.results[level].to_dict() for level in self.levels},
            "q_between": _clean(self.q_between),
            "q_between_df": _clean(self.q_between_df),
            "q_between_pval": _clean(self.q_between_pval),
        }


@dataclass(frozen=True)
class MixedEffectsResult:
    """Subgroups as a moderator with one common tau²: ``rma(yi, vi, mods=~factor(g))``.

    ``coefficients`` are R's treatment contrasts (intercept = first level in
    sorted order, then each other level minus the first); ``level_estimates``
    are the fitted means per level.  ``qm`` tests that all levels share one
    mean (chi-square with ``qm_df``, or F with ``(qm_df, qm_df2)`` under
    Knapp-Hartung); ``qe`` is the test for residual heterogeneity.
    """

    levels: tuple[str, ...]
    method: str
    test: str
    coefficients: tuple[str, ...]
    estimate: tuple[float, ...]
    se: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    level_estimates: dict[str, float]
    level_se: dict[str, float]
    qm: float
    qm_df: int
    qm_df2: int | None
    qm_pval: float
    tau2: float
    se_tau2: float | None
    i2: float
    h2: float
    qe: float
    qe_df: int
    qe_pval: float
    k: int
    converged: bool
    messages: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "method": self.method,
            "test": self.test,
            "levels": list(self.levels),
            "coefficients": {
                name: {
                    "estimate": _clean(b),
                    "se": _clean(s),
                    "ci_low": _clean(lo),
                    "ci_high": _clean(hi),
                }
                for name, b, s, lo, hi in zip(
                    self.coefficients,
                    self.estimate,
                    self.se,
                    self.ci_low,
                    self.ci_high,
                    strict=True,
                )
            },
            "level_estimates": {k: _clean(v) for k, v in self.level_estimates.items()},
            "qm": _clean(self.qm),
            "qm_df": self.qm_df,
            "qm_df2": self.qm_df2,
            "qm_pval": _clean(self.qm_pval),
            "tau2": _clean(self.tau2),
            "se_tau2": _clean(self.se_tau2),
            "i2": _clean(self.i2),
            "h2": _clean(self.h2),
            "qe": _clean(self.qe),
            "qe_df": self.qe_df,
            "qe_pval": _clean(self.qe_pval),
            "converged": self.converged,
            "message": "; ".join(self.messages) if self.messages else None,
        }
