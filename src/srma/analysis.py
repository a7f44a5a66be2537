"""The analysis plan: which model pools each analysis, and everything reported about it.

An *analysis* is one outcome at one timepoint in one population (e.g. personal
recovery, post-test, complete cases).  :func:`run_analysis` applies a review's
plan to the effect sizes of one analysis:

- fewer than two studies, or an override ``pool: false``, gives a result that is
  explicitly *not pooled*, with the reason, and the studies listed;
- otherwise the model is fixed per analysis (``fixed`` or ``random``) or chosen
  by the rule of the reference review (``auto``): a common-effect
  (inverse-variance) model when heterogeneity is low, random effects (REML by
  default) when Cochran's Q has P below ``q_pval_below`` **and** I² is at least
  ``i2_at_least`` (Goh et al. 2023, Methods: P < 0.10 and I² >= 50%);
- each leave-one-out variant and each subgroup refits the model chosen for the
  main analysis (as the reference review and RevMan do);
- I² is reported both as metafor computes it for the fitted model (``i2``) and
  as Higgins' (Q - df) / Q (``i2_q``), which is what RevMan and the reference
  review print; the summary table shows the latter;
- Egger's test and trim-and-fill are added when there are enough studies.

No I/O: the Snakemake script reads the effect table and writes the JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from srma.errors import InputError
from srma.pooling import PoolResult, egger_test, pool, subgroups, trim_and_fill

MODELS = ("auto", "fixed", "random")
SUMMARY_COLUMNS = [
    "outcome",
    "timepoint",
    "population",
    "variant",
    "k",
    "participants",
    "model",
    "method",
    "estimate",
    "ci_low",
    "ci_high",
    "pval",
    "tau2",
    "i2",
    "q",
    "q_pval",
    "pooled",
    "reason",
]


@dataclass(frozen=True)
class AnalysisSettings:
    """How one analysis is pooled (see the ``analysis`` section of the config)."""

    model: str = "auto"
    method: str = "REML"
    test: str = "z"
    level: float = 0.95
    q_pval_below: float = 0.10
    i2_at_least: float = 50.0
    leave_one_out: bool = True
    subgroup_by: tuple[str, ...] = ("comparator_type",)
    min_studies_bias: int = 3
    pool: bool = True
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise InputError(
                f"unknown model {self.model!r}",
                column="analysis.model",
                value=self.model,
                hint=f"use one of: {', '.join(MODELS)}",
            )

    @classmethod
    def from_config(
        cls, analysis: Mapping[str, Any], outcome: str, timepoint: str, population: str
    ) -> AnalysisSettings:
        """The settings of one analysis: the defaults, then every matching override."""
        base = {k: v for k, v in analysis.items() if k not in ("overrides",)}
        auto = base.pop("auto", {}) or {}
        settings = cls(
            model=base.get("model", "auto"),
            method=base.get("method", "REML"),
            test=base.get("test", "z"),
            level=base.get("level", 0.95),
            q_pval_below=auto.get("q_pval_below", 0.10),
            i2_at_least=auto.get("i2_at_least", 50.0),
            leave_one_out=base.get("leave_one_out", True),
            subgroup_by=tuple(base.get("subgroup_by", ("comparator_type",))),
            min_studies_bias=base.get("min_studies_bias", 3),
        )
        for override in analysis.get("overrides", []) or []:
            if all(
                override.get(key) in (None, value)
                for key, value in (
                    ("outcome", outcome),
                    ("timepoint", timepoint),
                    ("population", population),
                )
            ):
                changes = {
                    k: (tuple(v) if k == "subgroup_by" else v)
                    for k, v in override.items()
                    if k not in ("outcome", "timepoint", "population")
                }
                settings = replace(settings, **changes)
        return settings


def _clean(value: Any) -> Any:
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def choose_model(yi: np.ndarray, vi: np.ndarray, settings: AnalysisSettings) -> tuple[str, str]:
    """The tau² method to use and why, by the plan's rule."""
    if settings.model == "fixed":
        return "FE", "fixed effect (set in the analysis plan)"
    if settings.model == "random":
        return settings.method, f"random effects, {settings.method} (set in the analysis plan)"
    fe = pool(yi, vi, method="FE", ci_tau2=False)
    if fe.q_pval is None or fe.i2 is None:
        return "FE", "fixed effect (heterogeneity not estimable)"
    if fe.q_pval < settings.q_pval_below and fe.i2 >= settings.i2_at_least:
        return settings.method, (
            f"random effects, {settings.method}: Chi² P = {fe.q_pval:.3g} < "
            f"{settings.q_pval_below:g} and I² (from Q) = {fe.i2:.0f}% >= {settings.i2_at_least:g}%"
        )
    return "FE", (
        f"fixed effect: Chi² P = {fe.q_pval:.3g}, I² (from Q) = {fe.i2:.0f}% "
        f"(random effects only when P < {settings.q_pval_below:g} and I² >= "
        f"{settings.i2_at_least:g}%)"
    )


def _weights(vi: np.ndarray, result: PoolResult) -> np.ndarray:
    tau2 = result.tau2 if (result.is_random and result.tau2 is not None) else 0.0
    w = 1.0 / (vi + tau2)
    return 100.0 * w / w.sum()


def _fit(
    yi: np.ndarray,
    vi: np.ndarray,
    settings: AnalysisSettings,
    measure: str,
    forced: tuple[str, str] | None = None,
) -> dict[str, Any]:
    method, why = forced or choose_model(yi, vi, settings)
    res = pool(yi, vi, method=method, test=settings.test, level=settings.level, measure=measure)
    out = {k: _clean(v) for k, v in res.to_dict().items()}
    out["model"] = "random" if res.is_random else "fixed"
    out["model_reason"] = why
    out["converged"] = bool(res.converged)
    out["message"] = res.message
    out["weights"] = [float(w) for w in _weights(vi, res)]
    out["i2_q"] = i2_from_q(res.q, res.q_df)
    return out


def i2_from_q(q: float | None, df: int | None) -> float | None:
    """Higgins' I² = max(0, (Q - df) / Q) in percent: what RevMan and most papers report.

    metafor's ``I^2`` of a random-effects fit is based on the tau² estimate
    instead, so the two differ under REML; srma reports both (``i2`` is
    metafor's, ``i2_q`` Higgins').
    """
    if q is None or df is None or not math.isfinite(q):
        return None
    if q <= 0:
        return 0.0
    return max(0.0, 100.0 * (q - df) / q)


def _participants(rows: pd.DataFrame) -> int:
    return int(rows["n_intervention"].sum() + rows["n_comparator"].sum())


def run_analysis(
    effects: pd.DataFrame,
    settings: AnalysisSettings,
    *,
    measure: str = "SMD",
    studies: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Pool one analysis by the plan.

    Parameters
    ----------
    effects
        The rows of one analysis: ``study_id``, ``label``, ``yi``, ``vi``,
        ``n_intervention``, ``n_comparator`` and the subgroup columns, one row
        per study (instruments already combined).
    settings
        The plan for this analysis (:meth:`AnalysisSettings.from_config`).
    measure
        ``"SMD"`` or ``"MD"``, carried into the result.

    Returns
    -------
    dict
        JSON-ready: ``settings``, ``studies``, ``pooled`` (bool), ``reason``,
        ``main``, ``leave_one_out``, ``subgroups``, ``bias``.
    """
    rows = effects.sort_values(["label", "study_id"], kind="stable").reset_index(drop=True)
    yi = rows["yi"].to_numpy(dtype=float)
    vi = rows["vi"].to_numpy(dtype=float)
    k = len(rows)
    out: dict[str, Any] = {
        "measure": measure,
        "settings": {**asdict(settings), "subgroup_by": list(settings.subgroup_by)},
        "k": k,
        "participants": _participants(rows) if k else 0,
        "studies": [],
        "pooled": False,
        "reason": None,
        "main": None,
        "leave_one_out": [],
        "subgroups": {},
        "bias": {},
    }
    for i, r in rows.iterrows():
        se = math.sqrt(vi[i])
        z = 1.959963984540054 if settings.level == 0.95 else _z(settings.level)
        out["studies"].append(
            {
                "study_id": r["study_id"],
                "label": r["label"],
                "yi": float(yi[i]),
                "vi": float(vi[i]),
                "ci_low": float(yi[i] - z * se),
                "ci_high": float(yi[i] + z * se),
                "n_intervention": int(r["n_intervention"]),
                "n_comparator": int(r["n_comparator"]),
                **{c: _clean(r[c]) for c in settings.subgroup_by if c in rows.columns},
            }
        )
    if not settings.pool:
        out["reason"] = settings.reason or "not pooled (set in the analysis plan)"
        return out
    if k == 0:
        out["reason"] = "no studies"
        return out
    if k == 1:
        out["reason"] = "single study"
        return out
    main = _fit(yi, vi, settings, measure)
    out["pooled"] = True
    out["main"] = main
    for s, w in zip(out["studies"], main["weights"], strict=True):
        s["weight"] = w
    # Sensitivity analyses refit the model of the main analysis (Goh et al. 2023 report the
    # leave-one-out results of their REML analyses as REML fits).
    main_model = (main["method"], "the model of the main analysis")
    if settings.leave_one_out and k >= 3:
        for i in range(k):
            keep = np.arange(k) != i
            fit = _fit(yi[keep], vi[keep], settings, measure, main_model)
            fit["omitted"] = rows.loc[i, "study_id"]
            fit["omitted_label"] = rows.loc[i, "label"]
            fit["participants"] = _participants(rows[keep])
            out["leave_one_out"].append(fit)
    for column in settings.subgroup_by:
        if column not in rows.columns or rows[column].nunique() < 2:
            continue
        levels = rows[column].astype(str).to_numpy()
        method = main["method"]
        sub = subgroups(yi, vi, levels, method=method, test=settings.test, level=settings.level)
        block: dict[str, Any] = {
            "method": method,
            "q_between": _clean(sub.q_between),
            "q_between_df": _clean(sub.q_between_df),
            "q_between_pval": _clean(sub.q_between_pval),
            "levels": {},
        }
        if sub.q_between is not None and sub.q_between_df:
            q, df = sub.q_between, sub.q_between_df
            block["i2_between"] = max(0.0, 100.0 * (q - df) / q) if q > 0 else 0.0
        for level in sub.levels:
            mask = levels == level
            forced = (method, "the model of the whole analysis, as RevMan does for subgroups")
            fit = _fit(yi[mask], vi[mask], settings, measure, forced) if mask.sum() >= 2 else None
            block["levels"][level] = {
                "k": int(mask.sum()),
                "participants": _participants(rows[mask]),
                "studies": [str(s) for s in rows.loc[mask, "study_id"]],
                "fit": fit,
            }
        out["subgroups"][column] = block
    if k >= settings.min_studies_bias:
        method = "FE" if main["model"] == "fixed" else settings.method
        try:
            eg = egger_test(yi, vi, method=method, test=settings.test)
            out["bias"]["egger"] = {k2: _clean(v) for k2, v in eg.to_dict().items()}
        except (ValueError, InputError) as exc:
            out["bias"]["egger"] = {"error": str(exc)}
        try:
            tf = trim_and_fill(yi, vi, method=method)
            out["bias"]["trim_and_fill"] = _clean_tree(tf.to_dict())
        except (ValueError, InputError) as exc:
            out["bias"]["trim_and_fill"] = {"error": str(exc)}
    return out


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def _clean_tree(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _clean_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_tree(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_clean_tree(v) for v in value.tolist()]
    return _clean(value)


def summary_rows(
    analysis: Mapping[str, Any], outcome: str, timepoint: str, population: str
) -> list[dict[str, Any]]:
    """Rows of ``results/pooled/summary.csv`` for one analysis: main, leave-one-out, subgroups."""
    base = {"outcome": outcome, "timepoint": timepoint, "population": population}

    def row(variant: str, k: int, participants: int, fit: Mapping[str, Any] | None, reason) -> dict:
        r = {**base, "variant": variant, "k": k, "participants": participants}
        for col in (
            "model",
            "method",
            "estimate",
            "ci_low",
            "ci_high",
            "pval",
            "tau2",
            "q",
            "q_pval",
        ):
            r[col] = fit.get(col) if fit else None
        # Higgins' I² from Q, as RevMan and the reference review report it
        r["i2"] = fit.get("i2_q") if fit else None
        r["pooled"] = "yes" if fit else "no"
        r["reason"] = reason if not fit else (fit.get("model_reason") or "")
        return r

    rows = [
        row("main", analysis["k"], analysis["participants"], analysis["main"], analysis["reason"])
    ]
    for fit in analysis.get("leave_one_out", []):
        rows.append(row(f"leave_out_{fit['omitted']}", fit["k"], fit["participants"], fit, None))
    for column, block in analysis.get("subgroups", {}).items():
        for level, sub in block["levels"].items():
            reason = None if sub["fit"] else "single study in subgroup"
            rows.append(
                row(f"subgroup_{column}_{level}", sub["k"], sub["participants"], sub["fit"], reason)
            )
    return rows


def summary_table(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=SUMMARY_COLUMNS)
    return frame.sort_values(
        ["outcome", "timepoint", "population", "variant"], kind="stable"
    ).reset_index(drop=True)
