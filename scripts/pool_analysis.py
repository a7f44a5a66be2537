"""Rule pool_analysis: one outcome's effect table -> the analysis of one timepoint x population."""

import json

import pandas as pd

from srma.analysis import AnalysisSettings, run_analysis
from srma.conservation import check_analysis
from srma.io.tables import atomic_write_bytes
from srma.scripting import step


def main(effects_path, pooled_path, wildcards, settings, measure, log):
    table = pd.read_parquet(effects_path)
    rows = table[
        (table["timepoint"] == wildcards.timepoint) & (table["population"] == wildcards.population)
    ]
    usable = rows[rows["usable"]]
    no_data = rows[~rows["usable"]]
    plan = AnalysisSettings(**{**settings, "subgroup_by": tuple(settings["subgroup_by"])})
    result = run_analysis(usable, plan, measure=measure)
    result["analysis"] = {
        "outcome": wildcards.outcome,
        "timepoint": wildcards.timepoint,
        "population": wildcards.population,
    }
    result["studies_without_data"] = [
        {
            "study_id": r.study_id,
            "label": r.label,
            "notes": r.notes if isinstance(r.notes, str) else "",
        }
        for r in no_data.itertuples()
    ]
    if not result["pooled"] and len(no_data):
        labels = ", ".join(no_data["label"])
        result["reason"] = f"{result['reason']} (no usable data: {labels})"
    forest = {}
    for r in usable.itertuples():
        forest[r.study_id] = {
            "mean_intervention": _num(r.mean_intervention),
            "sd_intervention": _num(r.sd_intervention),
            "mean_comparator": _num(r.mean_comparator),
            "sd_comparator": _num(r.sd_comparator),
            "statistics": r.statistics if isinstance(r.statistics, str) else "",
            "method": r.method,
            "instruments": r.instruments,
            "combine": r.combine,
        }
    for s in result["studies"]:
        s.update(forest.get(s["study_id"], {}))
    check_analysis(rows, result)
    text = json.dumps(result, indent=1, sort_keys=True, allow_nan=False) + "\n"
    atomic_write_bytes(pooled_path, text.encode("utf-8"))
    main_fit = result["main"]
    log.info(
        "%s.%s.%s: k = %d, %s",
        wildcards.outcome,
        wildcards.timepoint,
        wildcards.population,
        result["k"],
        f"{main_fit['model']} estimate {main_fit['estimate']:.3f}"
        if main_fit
        else result["reason"],
    )


def _num(value):
    return None if pd.isna(value) else float(value)


if __name__ == "__main__":
    with step(snakemake.log[0], "pool_analysis", job=snakemake) as log:  # noqa: F821
        main(
            snakemake.input.effects,  # noqa: F821
            snakemake.output.pooled,  # noqa: F821
            snakemake.wildcards,  # noqa: F821
            snakemake.params.settings,  # noqa: F821
            snakemake.params.measure,  # noqa: F821
            log,
        )
