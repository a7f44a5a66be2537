"""One outcome's effect table: effect sizes per study, timepoint and population.

:func:`outcome_effects` computes an effect size from every usable row of the
outcome (:func:`srma.effects.compute_effects`, signs oriented by each
instrument's ``higher_is_better``), then reduces the rows of one study,
timepoint and population to one by the outcome's rule:

``aggregate``
    the instruments are combined assuming correlation ``rho`` between them
    (:func:`srma.pooling.aggregate`, metafor ``aggregate(..., rho=)``);
``priority``
    the first instrument of the outcome's list that the study reports is
    used, the others are named in the notes.

A study that reports the outcome only without usable numbers
(``no_usable_data``) keeps a row with ``usable = False`` and no effect, so
that forest plots and reports can list it; pool only ``usable`` rows
(:func:`usable_effects`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from srma.effects import ARMS, compute_effects
from srma.extraction.schema import EFFECT_COLUMNS, EffectTableSchema
from srma.extraction.spec import ExtractionSettings, OutcomeSpec
from srma.pooling import aggregate

__all__ = ["outcome_effects", "statistics_text", "usable_effects"]

_GROUP = ["study_id", "timepoint", "population"]


def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _num(x: float) -> str:
    """A number as a paper would print it: no trailing zeros, no exponent for usual sizes."""
    text = f"{x:.6g}"
    if "e" in text:
        text = f"{x:.6f}".rstrip("0").rstrip(".")
    return text


def statistics_text(row: Mapping[str, Any]) -> str:
    """The statistics of one row of outcome data as text, e.g. for a forest plot.

    >>> statistics_text({"mean_intervention": 81.12, "sd_intervention": 8.4,
    ...                  "n_intervention": 25, "mean_comparator": 52.2,
    ...                  "sd_comparator": 9.1, "n_comparator": 25})
    'M 81.12 (SD 8.4), n 25 vs M 52.2 (SD 9.1), n 25'
    >>> statistics_text({"md": 1.9, "md_ci_low": -0.85, "md_ci_high": 4.65})
    'MD 1.9 (95% CI -0.85 to 4.65)'
    """

    def get(name: str) -> float | None:
        v = row.get(name)
        return None if _blank(v) else float(v)

    level = get("ci_level")
    level_text = _num(level * 100 if level is not None and level < 1 else level or 95.0)
    arms: list[str] = []
    for suffix in ARMS.values():
        parts: list[str] = []
        mean, sd, se = get(f"mean{suffix}"), get(f"sd{suffix}"), get(f"se{suffix}")
        lo, hi = get(f"ci_low{suffix}"), get(f"ci_high{suffix}")
        if mean is not None:
            spread = (
                f" (SD {_num(sd)})"
                if sd is not None
                else f" (SE {_num(se)})"
                if se is not None
                else f" ({level_text}% CI {_num(lo)} to {_num(hi)})"
                if lo is not None and hi is not None
                else ""
            )
            parts.append(f"M {_num(mean)}{spread}")
        median = get(f"median{suffix}")
        if median is not None and mean is None:
            q1, q3 = get(f"q1{suffix}"), get(f"q3{suffix}")
            mn, mx = get(f"min{suffix}"), get(f"max{suffix}")
            text = f"median {_num(median)}"
            if q1 is not None and q3 is not None:
                text += f" (IQR {_num(q1)} to {_num(q3)})"
            if mn is not None and mx is not None:
                text += f" (range {_num(mn)} to {_num(mx)})"
            parts.append(text)
        change = get(f"mean_change{suffix}")
        if change is not None:
            sdc, sec = get(f"sd_change{suffix}"), get(f"se_change{suffix}")
            spread = (
                f" (SD {_num(sdc)})" if sdc is not None else f" (SE {_num(sec)})" if sec else ""
            )
            parts.append(f"change {_num(change)}{spread}")
        n = get(f"n{suffix}")
        if n is not None:
            parts.append(f"n {_num(n)}")
        if parts:
            arms.append(", ".join(parts))
    out: list[str] = []
    if arms:
        out.append(" vs ".join(arms))
    md = get("md")
    if md is not None:
        se, lo, hi = get("md_se"), get("md_ci_low"), get("md_ci_high")
        spread = (
            f" ({level_text}% CI {_num(lo)} to {_num(hi)})"
            if lo is not None and hi is not None
            else f" (SE {_num(se)})"
            if se is not None
            else ""
        )
        out.append(f"MD {_num(md)}{spread}")
    for name, label in (("t", "t"), ("f", "F"), ("p", "P")):
        v = get(name)
        if v is not None:
            out.append(f"{label} = {_num(v)}")
    return "; ".join(out)


def _arm_value(rec: Mapping[str, Any], name: str) -> float | None:
    v = rec.get(name)
    return None if _blank(v) else float(v)


def _max_n(recs: Sequence[Mapping[str, Any]], column: str) -> int | None:
    values = [int(r[column]) for r in recs if not _blank(r.get(column))]
    return max(values) if values else None


def _join(values: Sequence[Any]) -> str:
    out: list[str] = []
    for v in values:
        if not _blank(v) and str(v) not in out:
            out.append(str(v))
    return "; ".join(out)


def outcome_effects(
    studies: pd.DataFrame,
    outcome_data: pd.DataFrame,
    outcome: OutcomeSpec,
    settings: ExtractionSettings | None = None,
) -> pd.DataFrame:
    """The effect table of one outcome (:class:`~srma.extraction.schema.EffectTableSchema`).

    Parameters
    ----------
    studies
        The studies table (parsed and checked, see :func:`srma.extraction.load_extraction`).
    outcome_data
        The outcome data table; rows of other outcomes are ignored.
    outcome
        The outcome's declaration (instruments, direction, combination rule).
    settings
        Conversion settings (CI distribution, quantile method, routes).

    Returns
    -------
    pandas.DataFrame
        :data:`~srma.extraction.schema.EFFECT_COLUMNS`, one row per study,
        timepoint and population, sorted by timepoint and population (in the
        order the settings declare them), then study id.

    Raises
    ------
    InputError
        If an effect size cannot be computed from a row (run the checks of
        :func:`srma.extraction.load_extraction` first to see every problem).
    """
    settings = settings or ExtractionSettings()
    rows = outcome_data[outcome_data["outcome"] == outcome.id]
    usable_mask = rows["no_usable_data"].isna()
    usable = rows[usable_mask]
    effects = pd.DataFrame(columns=["yi", "vi", "method", "notes"])
    if not usable.empty:
        indexed = usable.set_index(pd.Index([int(r) for r in usable["row"]]))
        better = [outcome.instrument(i).higher_is_better for i in indexed["instrument"]]
        effects = compute_effects(
            indexed,
            measure=outcome.measure,
            higher_is_better=better,
            priority=settings.routes,
            ci_distribution=settings.ci_distribution,
            quantile_method=settings.quantile_method,  # type: ignore[arg-type]
            skewed=settings.skewed,
        )
    by_row = {int(r): e for r, e in zip(effects.index, effects.to_dict("records"), strict=True)}
    info = {r["study_id"]: r for r in studies.to_dict("records")}
    labels = {i.id: i.label for i in outcome.instruments}
    out: list[dict[str, Any]] = []
    records = rows.to_dict("records")
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for rec in records:
        groups.setdefault((rec["study_id"], rec["timepoint"], rec["population"]), []).append(rec)
    for (study, timepoint, population), recs in groups.items():
        study_info = info[study]
        base: dict[str, Any] = {
            "study_id": study,
            "label": study_info["label"],
            "year": study_info.get("year"),
            "outcome": outcome.id,
            "timepoint": timepoint,
            "population": population,
            "comparator_type": study_info["comparator_type"],
        }
        good = [r for r in recs if _blank(r.get("no_usable_data"))]
        bad = [r for r in recs if not _blank(r.get("no_usable_data"))]
        bad_notes = [
            f"{labels.get(r.get('instrument'), 'outcome') if not _blank(r.get('instrument')) else 'outcome'}"  # noqa: E501
            f": no usable data ({r['no_usable_data']})"
            for r in bad
        ]
        if not good:
            out.append(
                {
                    **base,
                    "usable": False,
                    "yi": None,
                    "vi": None,
                    "n_intervention": _max_n(bad, "n_intervention"),
                    "n_comparator": _max_n(bad, "n_comparator"),
                    "statistics": None,
                    "method": "no_usable_data",
                    "notes": "; ".join(bad_notes),
                    "instruments": _join([r.get("instrument") for r in bad]) or None,
                    "combine": "none",
                    "source": _join([r.get("source") for r in bad]),
                }
            )
            continue
        out.append({**base, **_combine(good, bad_notes, by_row, outcome, labels)})
    frame = pd.DataFrame(out, columns=[c for c in EFFECT_COLUMNS])
    for column in ("mean_intervention", "sd_intervention", "mean_comparator", "sd_comparator"):
        if column not in frame or frame[column].isna().all():
            frame[column] = np.nan
    frame = frame[EFFECT_COLUMNS]
    order_t = {t: i for i, t in enumerate(settings.timepoint_ids)}
    order_p = {p: i for i, p in enumerate(settings.population_ids)}
    frame = (
        frame.assign(
            _t=frame["timepoint"].map(lambda t: order_t.get(t, len(order_t))),
            _p=frame["population"].map(lambda p: order_p.get(p, len(order_p))),
        )
        .sort_values(["_t", "timepoint", "_p", "population", "study_id"], kind="stable")
        .drop(columns=["_t", "_p"])
        .reset_index(drop=True)
    )
    return EffectTableSchema.validate(_typed(frame))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in (
        "yi",
        "vi",
        "mean_intervention",
        "sd_intervention",
        "mean_comparator",
        "sd_comparator",
    ):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    for column in ("year", "n_intervention", "n_comparator"):
        out[column] = pd.array([None if _blank(v) else int(v) for v in out[column]], dtype="Int64")
    out["usable"] = out["usable"].astype(bool)
    return out


def _combine(
    good: list[dict[str, Any]],
    bad_notes: list[str],
    by_row: Mapping[int, Mapping[str, Any]],
    outcome: OutcomeSpec,
    labels: Mapping[str, str],
) -> dict[str, Any]:
    """The output columns of one study, timepoint and population from its usable rows."""
    order = {iid: i for i, iid in enumerate(outcome.instrument_ids)}
    good = sorted(good, key=lambda r: order[r["instrument"]])
    est = [by_row[int(r["row"])] for r in good]
    notes: list[str] = []
    if len(good) == 1:
        used, combine = good, "single"
        yi, vi = float(est[0]["yi"]), float(est[0]["vi"])
        method = str(est[0]["method"])
        if est[0]["notes"]:
            notes.append(str(est[0]["notes"]))
    elif outcome.combine == "aggregate":
        used, combine = good, outcome.describe_combine()
        agg = aggregate(
            [e["yi"] for e in est], [e["vi"] for e in est], ["study"] * len(est), outcome.rho or 0.0
        )
        yi, vi = float(agg.yi[0]), float(agg.vi[0])
        method = _join([e["method"] for e in est])
        for r, e in zip(good, est, strict=True):
            text = f"{labels[r['instrument']]}: yi = {_num(e['yi'])}, vi = {_num(e['vi'])}"
            if e["notes"]:
                text += f" ({e['notes']})"
            notes.append(text)
        notes.append(
            f"{len(good)} instruments aggregated assuming correlation rho = {outcome.rho:g} "
            "(metafor aggregate, compound symmetry)"
        )
    else:
        used, combine = good[:1], outcome.describe_combine()
        yi, vi = float(est[0]["yi"]), float(est[0]["vi"])
        method = str(est[0]["method"])
        if est[0]["notes"]:
            notes.append(str(est[0]["notes"]))
        notes.append(
            f"{labels[good[0]['instrument']]} used by priority; not used: "
            + ", ".join(labels[r["instrument"]] for r in good[1:])
        )
    notes += bad_notes
    single = used[0] if len(used) == 1 else None
    means: dict[str, float | None] = {
        "mean_intervention": None,
        "sd_intervention": None,
        "mean_comparator": None,
        "sd_comparator": None,
    }
    if single is not None:
        for column in means:
            means[column] = _arm_value(single, column)
    if len(used) == 1:
        statistics = statistics_text(used[0])
    else:
        statistics = " | ".join(f"{labels[r['instrument']]}: {statistics_text(r)}" for r in used)
    return {
        "usable": True,
        "yi": yi,
        "vi": vi,
        "n_intervention": _max_n(used, "n_intervention"),
        "n_comparator": _max_n(used, "n_comparator"),
        **means,
        "statistics": statistics,
        "method": method,
        "notes": "; ".join(notes) or None,
        "instruments": _join([r["instrument"] for r in used]),
        "combine": combine,
        "source": _join([r.get("source") for r in used]),
    }


def usable_effects(effects: pd.DataFrame) -> pd.DataFrame:
    """The rows of an effect table that have an effect size (``usable``)."""
    return effects[effects["usable"]].reset_index(drop=True)
