"""Every figure of one outcome, drawn in one go: what rule plot_outcome_figures runs.

An outcome has one pooled analysis per timepoint and population
(``results/pooled/{outcome}.{timepoint}.{population}.pooled.json``).  Each analysis gets

* a forest plot (always),
* a leave-one-out plot when pooling computed leave-one-out fits,
* a funnel plot when pooling ran Egger's test (enough studies for small-study tests),
* a subgroup forest plot for every subgroup column pooling split the studies by,

each as SVG, PNG (300 dpi) and PDF, named ``{timepoint}.{population}.{figure}.{ext}`` in the
outcome's folder, where ``{figure}`` is ``forest``, ``leave_one_out``, ``funnel`` or
``subgroups.{column}``.  Which figures exist follows from what pooling computed, so the
figures never disagree with the pooled results.

Why one job per outcome: a figure job is a fresh Python interpreter, and importing
matplotlib and srma costs about as much CPU as drawing and saving two figures
(docs/benchmarks/workflow.md); drawing all figures of an outcome in one process pays it once.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from srma.figures.forest import plot_forest
from srma.figures.from_results import forest_data, funnel_data, loo_data
from srma.figures.funnel import plot_funnel
from srma.figures.loo import plot_loo

#: The figure kinds, in the order they are drawn (subgroup plots follow, one per column).
KINDS: tuple[str, ...] = ("forest", "leave_one_out", "funnel")

#: Human names of the figure kinds (report labels, log lines).
KIND_LABELS: dict[str, str] = {
    "forest": "Forest plot",
    "leave_one_out": "Leave-one-out",
    "funnel": "Funnel plot",
    "subgroups": "Forest plot by {column}",
}


@dataclass(frozen=True)
class FigureOptions:
    """The review's figure options (config ``figures:``)."""

    favours_intervention: str = "Favours [intervention]"
    favours_control: str = "Favours [control]"
    prediction_interval: bool = False
    risk_of_bias_dots: bool = False

    @classmethod
    def from_config(cls, options: Mapping[str, Any]) -> FigureOptions:
        known = {k: options[k] for k in cls.__dataclass_fields__ if k in options}
        return cls(**known)


def figure_kinds(analysis: Mapping[str, Any]) -> list[str]:
    """The figures one pooled analysis calls for, from what pooling computed.

    ``forest`` always; ``leave_one_out`` when the analysis has leave-one-out fits;
    ``funnel`` when Egger's test was run; ``subgroups.{column}`` for each subgroup split.
    """
    kinds = ["forest"]
    if analysis.get("leave_one_out"):
        kinds.append("leave_one_out")
    if (analysis.get("bias") or {}).get("egger"):
        kinds.append("funnel")
    kinds += [f"subgroups.{column}" for column in sorted(analysis.get("subgroups") or {})]
    return kinds


def figure_label(kind: str) -> str:
    """The label of a figure kind: ``"Forest plot"``, ``"Leave-one-out"``, ``"Funnel plot"``,
    ``"Forest plot by comparator type"``."""
    base, _, column = kind.partition(".")
    if base == "subgroups":
        return KIND_LABELS["subgroups"].format(column=column.replace("_", " "))
    return KIND_LABELS[base]


def plot_figure(
    analysis: Mapping[str, Any],
    kind: str,
    prefix: str | Path,
    *,
    options: FigureOptions,
    title: str | None = None,
    subgroup_labels: Mapping[str, str] | None = None,
    rob: Mapping[str, Sequence[str | None]] | None = None,
    rob_tool: str = "rob1",
) -> list[Path]:
    """Draw one figure (a kind of :func:`figure_kinds`) of one pooled analysis.

    Files are ``{prefix}.{kind}.svg``, ``.png`` and ``.pdf``.
    """
    prefix = Path(prefix)
    stem = prefix.with_name(f"{prefix.name}.{kind}")
    if kind == "forest":
        data = forest_data(
            analysis,
            favours_intervention=options.favours_intervention,
            favours_control=options.favours_control,
            rob=rob if options.risk_of_bias_dots else None,
            rob_tool=rob_tool,
            prediction_interval=options.prediction_interval,
            title=title,
        )
        return plot_forest(data, stem)
    if kind == "leave_one_out":
        loo = loo_data(
            analysis,
            favours_intervention=options.favours_intervention,
            favours_control=options.favours_control,
            title=title,
        )
        return plot_loo(loo, stem)
    if kind == "funnel":
        return plot_funnel(funnel_data(analysis, title=title), stem)
    base, _, column = kind.partition(".")
    if base != "subgroups" or not column:
        raise ValueError(f"unknown figure kind {kind!r}")
    data = forest_data(
        analysis,
        favours_intervention=options.favours_intervention,
        favours_control=options.favours_control,
        subgroup_by=column,
        subgroup_labels=subgroup_labels,
        prediction_interval=options.prediction_interval,
        title=f"{title}: subgroups by {column.replace('_', ' ')}" if title else None,
    )
    return plot_forest(data, stem)


def plot_outcome_figures(
    analyses: Mapping[str, Mapping[str, Any]],
    folder: str | Path,
    *,
    options: FigureOptions,
    titles: Mapping[str, str] | None = None,
    subgroup_labels: Mapping[str, str] | None = None,
    rob: Mapping[str, Sequence[str | None]] | None = None,
    rob_tool: str = "rob1",
    workers: int = 1,
) -> list[Path]:
    """Draw the figures of every analysis of one outcome into ``folder``.

    Parameters
    ----------
    analyses
        Pooled analyses (the documents of ``*.pooled.json``) by their name inside the
        outcome, ``"{timepoint}.{population}"``.
    folder
        The outcome's figure folder (created if missing).
    options
        The review's figure options.
    titles
        Figure title of each analysis, by the same names.
    subgroup_labels
        Display labels of subgroup levels.
    rob, rob_tool
        Risk-of-bias judgements by study (and the tool's domains), for the dots beside
        forest plots when ``options.risk_of_bias_dots`` is set.
    workers
        Figures drawn side by side: with more than one, in that many processes forked from
        this one (which has already imported matplotlib and srma, so they need not import
        them again). The files are the same bytes either way.

    Returns
    -------
    list of pathlib.Path
        Every file written: analyses in name order, figures in :func:`figure_kinds` order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    common: dict[str, Any] = dict(
        options=options, subgroup_labels=subgroup_labels, rob=rob, rob_tool=rob_tool
    )
    tasks = [(name, kind) for name in sorted(analyses) for kind in figure_kinds(analyses[name])]

    def args(name: str, kind: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
        title = (titles or {}).get(name)
        return (analyses[name], kind, folder / name), {**common, "title": title}

    if workers <= 1 or len(tasks) <= 1 or "fork" not in mp.get_all_start_methods():
        written: list[Path] = []
        for name, kind in tasks:
            a, kw = args(name, kind)
            written += plot_figure(*a, **kw)
        return written
    with ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)), mp_context=mp.get_context("fork")
    ) as pool:
        futures = [pool.submit(plot_figure, *a, **kw) for a, kw in (args(*t) for t in tasks)]
        return [path for future in futures for path in future.result()]
