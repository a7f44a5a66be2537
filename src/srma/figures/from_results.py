"""Turn the pipeline's results (pooled-analysis JSON, risk-of-bias table) into figure data.

The figure modules take plain dataclasses; this module is the one place that
knows the layout of ``results/pooled/*.pooled.json`` (see :mod:`srma.analysis`)
and of the extraction's risk-of-bias table.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from srma.figures.forest import (
    ForestData,
    ForestPooled,
    ForestStudy,
    ForestSubgroup,
    SubgroupTest,
)
from srma.figures.funnel import EggerTest, FunnelData
from srma.figures.loo import LeaveOneOutData, LeaveOneOutRow
from srma.figures.rob import ROB1_DOMAINS, ROB2_DOMAINS, RobData, RobStudy

if TYPE_CHECKING:  # pandas is imported where a table is read (most figures need none)
    import pandas as pd

#: Domain ids of the extraction table, in the order robvis draws them.
ROB_DOMAIN_IDS = {
    "rob1": (
        "random_sequence_generation",
        "allocation_concealment",
        "blinding_participants_personnel",
        "blinding_outcome_assessment",
        "incomplete_outcome_data",
        "selective_reporting",
        "other_bias",
    ),
    "rob2": ("d1", "d2", "d3", "d4", "d5"),
}
ROB_DOMAIN_NAMES = {"rob1": ROB1_DOMAINS, "rob2": ROB2_DOMAINS}


def _pooled(fit: Mapping[str, Any], measure: str) -> ForestPooled:
    random = fit["model"] == "random"
    return ForestPooled(
        estimate=fit["estimate"],
        ci_low=fit["ci_low"],
        ci_high=fit["ci_high"],
        model="random" if random else "fixed",
        tau2=fit.get("tau2") if random else None,
        q=fit.get("q"),
        df=fit.get("q_df"),
        q_pval=fit.get("q_pval"),
        i2=fit.get("i2_q"),
        stat=fit.get("stat"),
        stat_name="t" if fit.get("test") == "knha" else "z",
        pval=fit.get("pval"),
        pi_low=fit.get("pi_low"),
        pi_high=fit.get("pi_high"),
    )


def _source_text(s: Mapping[str, Any]) -> str | None:
    """What a converted or combined effect came from, short enough for one table cell."""
    combine = str(s.get("combine") or "")
    if combine.startswith("aggregate"):
        n = len([i for i in str(s.get("instruments") or "").split(";") if i.strip()])
        rho = combine.partition("(")[2].rstrip(")").replace("rho", "ρ")
        return f"{n} instruments combined ({rho})" if rho else f"{n} instruments combined"
    return s.get("statistics") or s.get("method")


def _study(s: Mapping[str, Any], rob: Sequence[str | None] = ()) -> ForestStudy:
    combined = str(s.get("combine") or "").startswith("aggregate")
    from_means = (
        s.get("method") == "mean_sd" and s.get("mean_intervention") is not None and not combined
    )
    return ForestStudy(
        label=s["label"],
        int_mean=s.get("mean_intervention") if from_means else None,
        int_sd=s.get("sd_intervention") if from_means else None,
        int_n=s.get("n_intervention"),
        ctl_mean=s.get("mean_comparator") if from_means else None,
        ctl_sd=s.get("sd_comparator") if from_means else None,
        ctl_n=s.get("n_comparator"),
        source_text=None if from_means else _source_text(s),
        yi=s["yi"],
        ci_low=s["ci_low"],
        ci_high=s["ci_high"],
        weight=s.get("weight"),
        rob=tuple(rob),
    )


def forest_data(
    analysis: Mapping[str, Any],
    *,
    favours_intervention: str = "Favours [intervention]",
    favours_control: str = "Favours [control]",
    subgroup_by: str | None = None,
    subgroup_labels: Mapping[str, str] | None = None,
    rob: Mapping[str, Sequence[str | None]] | None = None,
    rob_tool: str = "rob1",
    prediction_interval: bool = False,
    title: str | None = None,
) -> ForestData:
    """Forest-plot data of one pooled analysis (optionally split by a subgroup column)."""
    measure = analysis.get("measure", "SMD")
    rob = rob or {}
    studies = [_study(s, rob.get(s["study_id"], ())) for s in analysis["studies"]]
    pooled = _pooled(analysis["main"], measure) if analysis.get("main") else None
    common = dict(
        pooled=pooled,
        measure=measure,
        int_label="Intervention",
        ctl_label="Control",
        favours_left=favours_control,
        favours_right=favours_intervention,
        show_prediction=prediction_interval,
        rob_domains=tuple(ROB_DOMAIN_NAMES[rob_tool]) if rob else (),
        title=title,
    )
    block = analysis.get("subgroups", {}).get(subgroup_by) if subgroup_by else None
    if not block:
        return ForestData(studies=tuple(studies), **common)
    by_id = {s["study_id"]: st for s, st in zip(analysis["studies"], studies, strict=True)}
    groups = []
    for level, sub in block["levels"].items():
        label = (subgroup_labels or {}).get(level, level)
        groups.append(
            ForestSubgroup(
                label=label,
                studies=tuple(by_id[sid] for sid in sub["studies"]),
                pooled=_pooled(sub["fit"], measure) if sub.get("fit") else None,
            )
        )
    test = None
    if block.get("q_between") is not None:
        test = SubgroupTest(
            q=block["q_between"],
            df=block["q_between_df"],
            pval=block["q_between_pval"],
            i2=block.get("i2_between"),
        )
    return ForestData(subgroups=tuple(groups), subgroup_test=test, **common)


def loo_data(
    analysis: Mapping[str, Any],
    *,
    favours_intervention: str = "Favours [intervention]",
    favours_control: str = "Favours [control]",
    title: str | None = None,
) -> LeaveOneOutData:
    rows = tuple(
        LeaveOneOutRow(
            omitted=fit["omitted_label"],
            estimate=fit["estimate"],
            ci_low=fit["ci_low"],
            ci_high=fit["ci_high"],
            i2=fit.get("i2_q"),
            pval=fit.get("pval"),
        )
        for fit in analysis["leave_one_out"]
    )
    return LeaveOneOutData(
        rows=rows,
        overall=_pooled(analysis["main"], analysis.get("measure", "SMD")),
        measure=analysis.get("measure", "SMD"),
        favours_left=favours_control,
        favours_right=favours_intervention,
        title=title,
    )


def funnel_data(analysis: Mapping[str, Any], *, title: str | None = None) -> FunnelData:
    yi = tuple(s["yi"] for s in analysis["studies"])
    sei = tuple(math.sqrt(s["vi"]) for s in analysis["studies"])
    egger = None
    eg = analysis.get("bias", {}).get("egger") or {}
    if "stat" in eg and eg.get("pval") is not None:
        egger = EggerTest(stat=eg["stat"], pval=eg["pval"], stat_name="t" if eg.get("df") else "z")
    tf = analysis.get("bias", {}).get("trim_and_fill") or {}
    filled_yi = tuple(tf.get("filled_yi") or ())
    filled_vi = tuple(tf.get("filled_vi") or ())
    return FunnelData(
        yi=yi,
        sei=sei,
        estimate=analysis["main"]["estimate"],
        measure=analysis.get("measure", "SMD"),
        egger=egger,
        filled_yi=filled_yi,
        filled_sei=tuple(math.sqrt(v) for v in filled_vi),
        filled_estimate=(tf.get("result") or {}).get("estimate") if filled_yi else None,
        # the funnel is narrow: wrap a long analysis title rather than cut it off
        title=textwrap.fill(title, 36) if title else None,
    )


def rob_judgements(
    table: pd.DataFrame | Sequence[Mapping[str, Any]], outcome: str | None = None
) -> tuple[str, dict[str, list[str | None]], dict[str, str | None]]:
    """Per study, the judgements in domain order (study-level rows, or one outcome's).

    ``table`` is the checked risk-of-bias table: a DataFrame, or its rows as mappings
    (``study_id``, ``tool``, ``domain``, ``judgement`` and optionally ``outcome``), which
    spares a figure job importing pandas.  Rows for ``outcome`` override the study-level
    rows (empty ``outcome``) of the same study and domain.
    """
    rows = table.to_dict("records") if hasattr(table, "to_dict") else list(table)

    def outcome_of(row: Mapping[str, Any]) -> str:
        value = row.get("outcome")
        return value if isinstance(value, str) else ""  # None / NaN: study level

    chosen: dict[tuple[str, str], Mapping[str, Any]] = {}
    for wanted in ("", outcome or None):
        if wanted is None:
            continue
        for row in rows:
            if outcome_of(row) == wanted:
                chosen[(str(row["study_id"]), str(row["domain"]))] = row
    tools = sorted({str(r["tool"]) for r in chosen.values()})
    tool = tools[0] if tools else "rob1"
    ids = ROB_DOMAIN_IDS.get(tool, ())
    by_study: dict[str, dict[str, str | None]] = {}
    for (study, domain), row in chosen.items():
        if row["tool"] == tool:
            by_study.setdefault(study, {})[domain] = row["judgement"]
    judgements = {study: [d.get(i) for i in ids] for study, d in sorted(by_study.items())}
    overall = {study: d.get("overall") for study, d in sorted(by_study.items())}
    return tool, judgements, overall


def rob_data(table: pd.DataFrame, labels: Mapping[str, str]) -> RobData:
    tool, judgements, overall = rob_judgements(table)
    studies = tuple(
        RobStudy(label=labels.get(sid, sid), judgements=tuple(j), overall=overall.get(sid))
        for sid, j in sorted(judgements.items(), key=lambda kv: labels.get(kv[0], kv[0]))
    )
    return RobData(studies=studies, tool=tool)
