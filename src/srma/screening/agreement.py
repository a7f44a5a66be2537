"""Agreement between two reviewers: percentage agreement and Cohen's kappa.

Decisions are compared on moving a work on: ``include`` and ``maybe`` against
``exclude`` (a 2x2 table per pair of reviewers and stage).  With cells

=============  ==========  ==========
               B include   B exclude
=============  ==========  ==========
A include      a           b
A exclude      c           d
=============  ==========  ==========

and n = a + b + c + d, the observed agreement is p_o = (a + d) / n, the
agreement expected by chance from the two reviewers' margins is
p_e = ((a + b)(a + c) + (c + d)(b + d)) / n², and Cohen's kappa is
κ = (p_o − p_e) / (1 − p_e) (Cohen J. A coefficient of agreement for nominal
scales. Educ Psychol Meas 1960;20:37-46).  κ is undefined (NaN) when
p_e = 1, i.e. both reviewers put every work in the same category.

Cohen's kappa is defined for one fixed pair of raters, so the table has one
row per stage and pair.  When a stage has several pairs, a pooled row
(``reviewer_a = reviewer_b = "all"``) adds up their 2x2 tables.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from srma.screening.rules import STAGES

AGREEMENT_COLUMNS: list[str] = [
    "stage",
    "reviewer_a",
    "reviewer_b",
    "n",
    "both_include",
    "a_include_b_exclude",
    "a_exclude_b_include",
    "both_exclude",
    "percent_agreement",
    "kappa",
]


class Agreement(NamedTuple):
    """Agreement of two raters on a binary decision."""

    n: int
    both_include: int
    a_include_b_exclude: int
    a_exclude_b_include: int
    both_exclude: int
    percent_agreement: float
    kappa: float


def kappa_from_table(a: int, b: int, c: int, d: int) -> Agreement:
    """Percentage agreement and Cohen's kappa from a 2x2 table (see the module).

    Parameters
    ----------
    a, b, c, d
        Counts: both include; A include & B exclude; A exclude & B include;
        both exclude.
    """
    for value in (a, b, c, d):
        if value < 0:
            raise ValueError("cell counts must be non-negative")
    n = a + b + c + d
    if n == 0:
        return Agreement(0, 0, 0, 0, 0, math.nan, math.nan)
    p_o = (a + d) / n
    p_e = ((a + b) * (a + c) + (c + d) * (b + d)) / (n * n)
    kappa = math.nan if math.isclose(p_e, 1.0) else (p_o - p_e) / (1.0 - p_e)
    return Agreement(n, a, b, c, d, 100.0 * p_o, kappa)


def cohen_kappa(rater_a: np.ndarray | list[bool], rater_b: np.ndarray | list[bool]) -> Agreement:
    """Agreement of two raters' binary decisions on the same items (True = include)."""
    x = np.asarray(rater_a, dtype=bool)
    y = np.asarray(rater_b, dtype=bool)
    if x.shape != y.shape:
        raise ValueError("both raters must rate the same items")
    a = int(np.sum(x & y))
    b = int(np.sum(x & ~y))
    c = int(np.sum(~x & y))
    d = int(np.sum(~x & ~y))
    return kappa_from_table(a, b, c, d)


def agreement(log: pd.DataFrame) -> pd.DataFrame:
    """Agreement per stage and pair of reviewers (see the module).

    Parameters
    ----------
    log
        One decision per reviewer, work and stage (``ScreeningResult.log``).

    Returns
    -------
    pandas.DataFrame
        :data:`AGREEMENT_COLUMNS`; one row per stage and pair of reviewers who
        both decided at least one work, plus a pooled ``all``/``all`` row per
        stage with several pairs.  Sorted by stage, then reviewers.
    """
    rows: list[dict[str, object]] = []
    for stage in STAGES:
        part = log[log["stage"] == stage]
        if part.empty:
            continue
        moves = part.assign(moves_on=part["decision"] != "exclude")
        wide = moves.pivot(index="work_id", columns="reviewer", values="moves_on")
        reviewers = sorted(wide.columns)
        totals = [0, 0, 0, 0]
        pairs = 0
        for i, ra in enumerate(reviewers):
            for rb in reviewers[i + 1 :]:
                both = wide[[ra, rb]].dropna()
                if both.empty:
                    continue
                res = cohen_kappa(both[ra].to_numpy(dtype=bool), both[rb].to_numpy(dtype=bool))
                cells = res[1:5]
                totals = [t + int(c) for t, c in zip(totals, cells, strict=True)]
                pairs += 1
                rows.append({"stage": stage, "reviewer_a": ra, "reviewer_b": rb, **res._asdict()})
        if pairs > 1:
            res = kappa_from_table(*totals)
            rows.append({"stage": stage, "reviewer_a": "all", "reviewer_b": "all", **res._asdict()})
    frame = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    for col in ("n", "both_include", "a_include_b_exclude", "a_exclude_b_include", "both_exclude"):
        frame[col] = frame[col].astype("int64")
    for col in ("percent_agreement", "kappa"):
        frame[col] = frame[col].astype("float64")
    return frame
