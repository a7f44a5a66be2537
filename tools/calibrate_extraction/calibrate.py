"""Write the example review's extraction tables, calibrated to the published results.

The example review (Goh, Ow Yong & Li 2023) publishes pooled results but few
study-level numbers.  This script writes ``data/extraction/studies.csv``,
``outcomes.csv`` and ``risk_of_bias.csv`` so that srma, run by the review's
analysis plan, reproduces every row of ``published-results.csv``:

1. **Sample sizes.**  Complete-case and ITT sizes per study, outcome,
   timepoint and population are chosen by a small integer programme
   (:func:`scipy.optimize.milp`): each analysis's sizes add up exactly to the
   participants the paper reports, no arm exceeds the numbers randomised,
   follow-up samples are no larger than post-test ones and ITT samples no
   smaller than complete-case ones, and a study's sizes stay as close as
   possible to one value per timepoint and population.
2. **Effect sizes.**  Study-level numbers the paper prints are used as
   printed, through the matching conversion of :mod:`srma.effects` (means
   with a P value, a mean difference with its CI, a t statistic).  The other
   effect sizes (Hedges' g per instrument) are solved for by least squares
   (:func:`scipy.optimize.least_squares`) so that pooling with
   :mod:`srma.pooling` by the plan gives the published SMD, CI and I², for
   the main and the leave-one-out analyses at once, with a weak pull
   towards seeded random values so the solution is unique.  Instruments of
   one study differ by seeded offsets and are aggregated as the config says.
3. **Arm statistics.**  Each synthetic g becomes means and SDs on the
   instrument's scale (seeded SDs and comparator mean, the intervention mean
   solved for), rounded to two decimals as a paper prints them.
4. **Check.**  The written files are read back through
   :func:`srma.extraction.load_extraction` and pooled; the script fails if
   any published number is missed by more than the tolerance.

Usage (from the repository root)::

    python tools/calibrate_extraction/calibrate.py          # writes data/extraction/
    python tools/calibrate_extraction/calibrate.py --out DIR
    python tools/calibrate_extraction/calibrate.py --check  # only check data/extraction/

Everything is seeded: running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import math
import sys
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, least_squares, milp

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from design import (  # noqa: E402
    CC_FRACTION,
    CELLS,
    EFFECT_BOUNDS,
    FIXED_N,
    NOT_POOLED,
    REVERSED_OUTCOMES,
    ROB,
    SCALES,
    STUDIES,
    STUDY_BY_ID,
    STUDY_EFFECT_BOUNDS,
    STUDY_IDS,
    STUDY_SCALES,
    TARGETS,
    UNREACHABLE_I2,
    Entry,
    Target,
)

from srma.config import load_config  # noqa: E402
from srma.effects import compute_effect, hedges_j  # noqa: E402
from srma.extraction import (  # noqa: E402
    ROB_DOMAINS,
    ExtractionSettings,
    OutcomeSpec,
    load_extraction,
    outcome_effects,
    outcome_specs,
    usable_effects,
)
from srma.io.tables import read_table, write_csv  # noqa: E402
from srma.pooling import aggregate, pool  # noqa: E402

SEED = 20230515
SYNTHETIC = "synthetic: calibrated to the review's pooled results (srma example data)"
#: Tolerances of the check: the brief's 0.02 on SMD and CI bounds and 3 points on I²;
#: the calibration itself aims well inside them.
TOL_SMD = 0.02
TOL_I2 = 3.0
VERBOSE = False


def rng_for(*key: object) -> np.random.Generator:
    """A generator seeded by SEED and a key, so each cell's draws do not depend on others."""
    text = "|".join(str(k) for k in key)
    return np.random.default_rng([SEED, zlib.crc32(text.encode())])


# --------------------------------------------------------------------------- sample sizes

Unit = tuple[str, str, str, str]  # study, outcome, timepoint, population


def _units() -> list[Unit]:
    units = []
    for (outcome, tp, pop), entries in CELLS.items():
        for e in entries:
            if e.no_usable_data is None:
                units.append((e.study_id, outcome, tp, pop))
    return units


def _base_target(study: str, tp: str, pop: str) -> float:
    n = STUDY_BY_ID[study].n
    frac = {("post", "cc"): 0.85, ("followup", "cc"): 0.75}.get((tp, pop), 1.0)
    if pop == "cc" and study in CC_FRACTION:
        frac = CC_FRACTION[study] * (1.0 if tp == "post" else 0.9)
    return frac * n


def sample_sizes() -> dict[Unit, tuple[int, int]]:
    """Arm sizes per study, outcome, timepoint and population (see the module docstring)."""
    units = _units()
    bases = sorted({(u[0], u[2], u[3]) for u in units})
    nu, nb = len(units), len(bases)
    # variables: n (nu), b (nb), dplus/dminus (2 nu), eplus/eminus (2 nb)
    size = nu + nb + 2 * nu + 2 * nb
    iu = {u: i for i, u in enumerate(units)}
    ib = {b: nu + i for i, b in enumerate(bases)}
    rows: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []

    def add(coefs: Mapping[int, float], low: float, high: float) -> None:
        row = np.zeros(size)
        for k, v in coefs.items():
            row[k] += v
        rows.append(row)
        lo.append(low)
        hi.append(high)

    for i, u in enumerate(units):  # n - b - d+ + d- = 0
        add({i: 1, ib[(u[0], u[2], u[3])]: -1, nu + nb + i: -1, nu + nb + nu + i: 1}, 0, 0)
    for j, b in enumerate(bases):  # b - e+ + e- = target
        t = round(_base_target(*b))
        k = nu + nb + 2 * nu
        add({nu + j: 1, k + j: -1, k + nb + j: 1}, t, t)
    for target in TARGETS:
        if target.variant == "main" and target.participants is not None:
            members = [iu[(STUDY_IDS[r], *target.cell)] for r in target.refs]
            add(dict.fromkeys(members, 1.0), target.participants, target.participants)
    for (study, outcome, tp, pop), n in FIXED_N.items():
        add({iu[(study, outcome, tp, pop)]: 1}, n, n)
    for study, tp, pop in bases:  # follow-up <= post-test; ITT >= complete cases
        if tp == "followup" and (study, "post", pop) in ib:
            add({ib[(study, tp, pop)]: 1, ib[(study, "post", pop)]: -1}, -np.inf, 0)
        if pop == "itt" and (study, tp, "cc") in ib:
            add({ib[(study, tp, pop)]: 1, ib[(study, tp, "cc")]: -1}, 0, np.inf)
    lower = np.zeros(size)
    upper = np.full(size, np.inf)
    for i, u in enumerate(units):
        lower[i] = max(10, math.ceil(0.15 * STUDY_BY_ID[u[0]].n))
        upper[i] = STUDY_BY_ID[u[0]].n
    for j, b in enumerate(bases):
        upper[nu + j] = STUDY_BY_ID[b[0]].n
    cost = np.zeros(size)
    cost[nu + nb : nu + nb + 2 * nu] = 1.0
    cost[nu + nb + 2 * nu :] = 0.3
    integrality = np.zeros(size)
    integrality[: nu + nb] = 1
    res = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), lo, hi),
        bounds=Bounds(lower, upper),
        integrality=integrality,
    )
    if not res.success:
        raise SystemExit(f"sample sizes: no solution ({res.message})")
    out: dict[Unit, tuple[int, int]] = {}
    for i, u in enumerate(units):
        n = int(round(res.x[i]))
        s = STUDY_BY_ID[u[0]]
        # as balanced as the numbers randomised allow: the published CIs of the
        # fixed-effect analyses are as narrow as balanced arms make them
        n1 = min(s.n_intervention, max(n - s.n_comparator, math.ceil(n / 2)))
        out[u] = (n1, n - n1)
    return out


# --------------------------------------------------------------------------- effect sizes


def smd_vi(g: np.ndarray, n1: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """metafor's large-sample variance of Hedges' g (escalc "SMD", vtype "LS")."""
    return 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))


@dataclass
class CellModel:
    """The effect sizes of one cell as a function of the free per-study parameters."""

    outcome: OutcomeSpec
    cell: tuple[str, str, str]
    entries: list[Entry]
    sizes: dict[Unit, tuple[int, int]]
    free: list[str]  # studies with a free parameter, in order
    offsets: dict[tuple[str, str], float]  # (study, instrument) -> offset from the study's base
    fixed: dict[tuple[str, str], tuple[float, float]]  # (study, instrument) -> (yi, vi)

    def study_effects(self, theta: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
        base = dict(zip(self.free, theta, strict=True))
        studies, ys, vs = [], [], []
        for e in self.entries:
            if e.no_usable_data is not None:
                continue
            n1, n2 = self.sizes[(e.study_id, *self.cell)]
            y, v = [], []
            for inst in e.instruments:
                if (e.study_id, inst) in self.fixed:
                    yi, vi = self.fixed[(e.study_id, inst)]
                else:
                    yi = base[e.study_id] + self.offsets[(e.study_id, inst)]
                    vi = float(smd_vi(np.array(yi), np.array(n1), np.array(n2)))
                y.append(yi)
                v.append(vi)
            if len(y) > 1 and self.outcome.combine == "aggregate":
                agg = aggregate(y, v, [e.study_id] * len(y), self.outcome.rho or 0.0)
                ys.append(float(agg.yi[0]))
                vs.append(float(agg.vi[0]))
            else:
                ys.append(y[0])
                vs.append(v[0])
            studies.append(e.study_id)
        return studies, np.array(ys), np.array(vs)


def higgins_i2(q: float | None, df: int | None) -> float | None:
    """I² = (Q - df) / Q in percent (Higgins & Thompson 2002), 0 when Q < df.

    This is the I² the review reports for every analysis, whatever the tau²
    estimator (as R's meta package and RevMan print it): with REML, metafor's
    tau²-based I² of the personal recovery and global functioning analyses is
    98% where the paper reports 91% and 95%, while (Q - df) / Q gives the
    published values.
    """
    if q is None or df is None or df < 1:
        return None
    return 0.0 if q <= 0 else max(0.0, (q - df) / q) * 100


def plan_model(yi: np.ndarray, vi: np.ndarray) -> str:
    """The review's plan: REML when Cochran's Q has P < 0.10 and I² >= 50%, else FE."""
    if len(yi) < 2:
        return "FE"
    fe = pool(yi, vi, method="FE", ci_tau2=False)
    assert fe.q_pval is not None and fe.i2 is not None
    return "REML" if fe.q_pval < 0.10 and fe.i2 >= 50 else "FE"


def oriented(target: Target) -> tuple[float | None, float | None, float | None]:
    """The published SMD and CI in srma's orientation (positive favours the intervention)."""
    if target.smd is None:
        return None, None, None
    assert target.ci_low is not None and target.ci_high is not None
    if target.outcome in REVERSED_OUTCOMES:
        return -target.smd, -target.ci_high, -target.ci_low
    return target.smd, target.ci_low, target.ci_high


def _published_model(targets: Sequence[Target]) -> str:
    main = next(t for t in targets if t.variant == "main")
    return "REML" if (main.i2 or 0) >= 50 else "FE"


def _fit(studies: list[str], y: np.ndarray, v: np.ndarray, target: Target, method: str):
    keep = [i for i, s in enumerate(studies) if s != target.left_out]
    return pool(y[keep], v[keep], method=method, ci_tau2=False)


def calibrate_cell(
    cell: tuple[str, str, str],
    outcome: OutcomeSpec,
    sizes: dict[Unit, tuple[int, int]],
) -> dict[tuple[str, str], float]:
    """Solve the cell's free effect sizes; returns g per (study, instrument)."""
    entries = list(CELLS[cell])
    targets = [
        t
        for t in TARGETS
        if t.cell == cell and (t.pooled or (t.i2 is not None and cell not in UNREACHABLE_I2))
    ]
    rng = rng_for("cell", *cell)
    fixed: dict[tuple[str, str], tuple[float, float]] = {}
    offsets: dict[tuple[str, str], float] = {}
    free: list[str] = []
    for e in entries:
        if e.no_usable_data is not None:
            continue
        n1, n2 = sizes[(e.study_id, *cell)]
        synthetic = []
        for inst in e.instruments:
            given = e.given.get(inst)
            if given is not None and not given.free_sd:
                row = {**given.stats, "n_intervention": n1, "n_comparator": n2}
                est = compute_effect(
                    row,
                    measure=outcome.measure,
                    higher_is_better=outcome.instrument(inst).higher_is_better,
                )
                fixed[(e.study_id, inst)] = (est.yi, est.vi)
            elif given is not None and given.free_sd and not targets:
                fixed[(e.study_id, inst)] = _free_sd_effect(e, inst, cell, sizes, outcome)
            else:
                synthetic.append(inst)
        if synthetic:
            free.append(e.study_id)
            raw = rng.normal(0.0, 0.12, len(synthetic)) if len(synthetic) > 1 else np.zeros(1)
            raw = raw - raw.mean()
            for inst, off in zip(synthetic, raw, strict=True):
                offsets[(e.study_id, inst)] = float(off)
    model = CellModel(outcome, cell, entries, sizes, free, offsets, fixed)
    if not free:
        return {k: v[0] for k, v in fixed.items()}
    method = _published_model(targets) if targets else "FE"
    main = next((t for t in targets if t.variant == "main"), None)
    centre = oriented(main)[0] if main is not None and main.smd is not None else 0.3
    spread = 0.35 if method == "REML" else 0.12
    bounds = np.array([STUDY_EFFECT_BOUNDS.get(s, EFFECT_BOUNDS) for s in free]).T
    prior = centre + rng.normal(0.0, spread, len(free))
    for i, study in enumerate(free):
        # a study with printed numbers for one instrument: its other instruments agree
        known = [v[0] for (s, _), v in fixed.items() if s == study]
        if known:
            prior[i] = float(np.mean(known))
    if cell == ("global_functioning", "followup", "cc"):
        prior[:] = 3.0  # Tan 2016's GAS: M 81.12 vs 52.2, far from Jensen's 50.4 vs 50.2
    prior = np.clip(prior, bounds[0] + 0.01, bounds[1] - 0.01)

    def residuals(theta: np.ndarray, weight: float) -> np.ndarray:
        studies, y, v = model.study_effects(theta)
        out: list[float] = []
        for t in targets:
            res = _fit(studies, y, v, t, method)
            smd, lo, hi = oriented(t)
            if smd is not None:
                out += [
                    (res.estimate - smd) / 0.002,
                    (res.ci_low - lo) / 0.002,
                    (res.ci_high - hi) / 0.002,
                ]
            if t.i2 is not None:
                out.append(((higgins_i2(res.q, res.q_df) or 0.0) - t.i2) / 0.3)
        out += list(weight * (theta - prior) / spread)
        return np.array(out)

    # the strongest pull towards the seeded values that still meets the targets well
    # inside the tolerances (a quarter of them), so that no study is pushed to an
    # extreme value to serve as a knob
    best = None
    start = prior
    for weight in (1.0, 0.5, 0.25, 0.1, 0.05, 0.02):
        fit = least_squares(
            residuals,
            start,
            args=(weight,),
            method="trf",
            x_scale=spread,
            max_nfev=4000,
            bounds=(bounds[0], bounds[1]),
        )
        best = fit
        start = np.clip(fit.x, bounds[0] + 1e-6, bounds[1] - 1e-6)
        if _cell_error(model, best.x, targets, method) < 0.25:
            break
    assert best is not None
    base = dict(zip(free, best.x, strict=True))
    if VERBOSE:
        error = _cell_error(model, best.x, targets, method)
        values = ", ".join(
            f"{s} {b:.2f} (prior {p:.2f})" for s, b, p in zip(free, best.x, prior, strict=True)
        )
        print(f"{'.'.join(cell)}: weight {weight}, error {error:.3f}, {values}", file=sys.stderr)
    out = {k: v[0] for k, v in fixed.items()}
    for (study, inst), off in offsets.items():
        out[(study, inst)] = base[study] + off
    return out


def _cell_error(model: CellModel, theta: np.ndarray, targets: list[Target], method: str) -> float:
    """Largest miss in units of the tolerances (1 = at the tolerance)."""
    studies, y, v = model.study_effects(theta)
    worst = 0.0
    for t in targets:
        res = _fit(studies, y, v, t, method)
        smd, lo, hi = oriented(t)
        if smd is not None:
            worst = max(
                worst,
                *(
                    abs(a - b) / TOL_SMD
                    for a, b in ((res.estimate, smd), (res.ci_low, lo), (res.ci_high, hi))
                ),
            )
        if t.i2 is not None:
            worst = max(worst, abs((higgins_i2(res.q, res.q_df) or 0.0) - t.i2) / TOL_I2)
    return worst


def _free_sd_effect(
    e: Entry,
    inst: str,
    cell: tuple[str, str, str],
    sizes: dict[Unit, tuple[int, int]],
    outcome: OutcomeSpec,
) -> tuple[float, float]:
    """g of a row with printed means and synthetic SDs (no target to calibrate to)."""
    n1, n2 = sizes[(e.study_id, *cell)]
    sd_i, sd_c = _free_sds(e, inst, cell, sizes, outcome)
    given = e.given[inst]
    row = {
        **given.stats,
        "sd_intervention": sd_i,
        "sd_comparator": sd_c,
        "n_intervention": n1,
        "n_comparator": n2,
    }
    est = compute_effect(
        row, measure=outcome.measure, higher_is_better=outcome.instrument(inst).higher_is_better
    )
    return est.yi, est.vi


def _free_sds(
    e: Entry,
    inst: str,
    cell: tuple[str, str, str],
    sizes: dict[Unit, tuple[int, int]],
    outcome: OutcomeSpec,
) -> tuple[float, float]:
    """Synthetic SDs for printed means: like the SD the study's post-test P value implies."""
    rng = rng_for("free_sd", e.study_id, inst, *cell)
    post_cell = (cell[0], "post", cell[2])
    post = next((x for x in CELLS.get(post_cell, ()) if x.study_id == e.study_id), None)
    if post is not None and inst in post.given and "p" in post.given[inst].stats:
        stats = post.given[inst].stats
        n1, n2 = sizes[(e.study_id, *post_cell)]
        est = compute_effect({**stats, "n_intervention": n1, "n_comparator": n2})
        d = abs(est.yi) / float(hedges_j(n1 + n2 - 2))
        sp = abs(stats["mean_intervention"] - stats["mean_comparator"]) / d
    else:
        sp = SCALES[inst][1]
    return (round(sp * rng.uniform(0.9, 1.15), 2), round(sp * rng.uniform(0.9, 1.15), 2))


# --------------------------------------------------------------------------- arm statistics


def arm_statistics(
    study: str,
    inst: str,
    cell: tuple[str, str, str],
    g: float,
    n1: int,
    n2: int,
    higher_is_better: bool,
) -> dict[str, float]:
    """Means and SDs on the instrument's scale that give Hedges' g = ``g``."""
    mu, sd, dec = STUDY_SCALES.get((study, inst), SCALES[inst])
    rng = rng_for("arms", study, inst, *cell)
    sd_i = round(sd * rng.uniform(0.85, 1.15), dec)
    sd_c = round(sd * rng.uniform(0.85, 1.15), dec)
    mean_c = round(mu + rng.normal(0.0, 0.15 * sd), dec)
    raw = g if higher_is_better else -g
    sp = math.sqrt(((n1 - 1) * sd_i**2 + (n2 - 1) * sd_c**2) / (n1 + n2 - 2))
    d = raw / float(hedges_j(n1 + n2 - 2))
    mean_i = round(mean_c + d * sp, dec)
    return {
        "mean_intervention": mean_i,
        "sd_intervention": sd_i,
        "mean_comparator": mean_c,
        "sd_comparator": sd_c,
    }


def sds_for_means(
    study: str,
    inst: str,
    cell: tuple[str, str, str],
    g: float,
    n1: int,
    n2: int,
    mean_i: float,
    mean_c: float,
    higher_is_better: bool,
) -> tuple[float, float]:
    """SDs that give Hedges' g = ``g`` for printed means."""
    raw = g if higher_is_better else -g
    d = raw / float(hedges_j(n1 + n2 - 2))
    sp = (mean_i - mean_c) / d
    ratio = rng_for("sds", study, inst, *cell).uniform(0.9, 1.1)
    sd_i = sp * ratio
    sd_c = math.sqrt(((n1 + n2 - 2) * sp**2 - (n1 - 1) * sd_i**2) / (n2 - 1))
    return round(sd_i, 2), round(sd_c, 2)


# --------------------------------------------------------------------------- tables


def outcome_rows(
    specs: Mapping[str, OutcomeSpec], sizes: dict[Unit, tuple[int, int]]
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for cell, entries in CELLS.items():
        outcome = specs[cell[0]]
        effects = calibrate_cell(cell, outcome, sizes)
        for e in entries:
            if e.no_usable_data is not None:
                for inst in e.instruments:
                    rows.append(
                        {
                            "study_id": e.study_id,
                            "outcome": cell[0],
                            "instrument": inst,
                            "timepoint": cell[1],
                            "population": cell[2],
                            "no_usable_data": e.no_usable_data,
                            "source": "paper: Results and Table 1",
                        }
                    )
                continue
            n1, n2 = sizes[(e.study_id, *cell)]
            for inst in e.instruments:
                better = outcome.instrument(inst).higher_is_better
                row: dict[str, Any] = {
                    "study_id": e.study_id,
                    "outcome": cell[0],
                    "instrument": inst,
                    "timepoint": cell[1],
                    "population": cell[2],
                    "n_intervention": n1,
                    "n_comparator": n2,
                }
                given = e.given.get(inst)
                if given is None:
                    row.update(
                        arm_statistics(
                            e.study_id, inst, cell, effects[(e.study_id, inst)], n1, n2, better
                        )
                    )
                    row["source"] = SYNTHETIC
                elif given.free_sd:
                    row.update(given.stats)
                    if (e.study_id, inst) in effects and any(
                        t.cell == cell and t.i2 is not None for t in TARGETS
                    ):
                        sd_i, sd_c = sds_for_means(
                            e.study_id,
                            inst,
                            cell,
                            effects[(e.study_id, inst)],
                            n1,
                            n2,
                            given.stats["mean_intervention"],
                            given.stats["mean_comparator"],
                            better,
                        )
                    else:
                        sd_i, sd_c = _free_sds(e, inst, cell, sizes, outcome)
                    row.update({"sd_intervention": sd_i, "sd_comparator": sd_c})
                    row["source"] = given.source
                else:
                    row.update(given.stats)
                    row["source"] = given.source
                rows.append(row)
    columns = [
        "study_id",
        "outcome",
        "instrument",
        "timepoint",
        "population",
        "n_intervention",
        "mean_intervention",
        "sd_intervention",
        "n_comparator",
        "mean_comparator",
        "sd_comparator",
        "md",
        "md_ci_low",
        "md_ci_high",
        "t",
        "p",
        "direction",
        "no_usable_data",
        "source",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("n_intervention", "n_comparator", "direction"):
        frame[col] = pd.array([None if pd.isna(v) else int(v) for v in frame[col]], dtype="Int64")
    order_o = {o: i for i, o in enumerate(specs)}
    order_t = {"post": 0, "followup": 1}
    order_p = {"cc": 0, "itt": 1}
    order_i = {(o, inst): i for o, s in specs.items() for i, inst in enumerate(s.instrument_ids)}
    key = frame.apply(
        lambda r: (
            order_o[r["outcome"]],
            order_t[r["timepoint"]],
            order_p[r["population"]],
            r["study_id"],
            order_i[(r["outcome"], r["instrument"])],
        ),
        axis=1,
    )
    return frame.iloc[sorted(range(len(frame)), key=lambda i: key.iloc[i])].reset_index(drop=True)


def study_rows(review_dir: Path) -> pd.DataFrame:
    mapping_file = review_dir / "data" / "screening" / "studies.csv"
    works: dict[str, list[str]] = {}
    if mapping_file.exists():
        mapping = read_table(mapping_file)
        for work, study in zip(mapping["work_id"], mapping["study_id"], strict=True):
            works.setdefault(study, []).append(work)
    rows = []
    for s in sorted(STUDIES, key=lambda s: s.study_id):
        rows.append(
            {
                "study_id": s.study_id,
                "label": s.label,
                "reports": "; ".join(sorted(works.get(s.study_id, []))) or s.citation,
                "year": s.year,
                "country": s.country,
                "design": "RCT",
                "arms": 2,
                "intervention": s.intervention,
                "comparator": s.comparator,
                "comparator_type": s.comparator_type,
                "n_randomised_intervention": s.n_intervention,
                "n_randomised_comparator": s.n_comparator,
                "condition": s.condition,
                "source": f"paper: Table 1 and ref. {s.ref} ({s.citation})",
            }
        )
    return pd.DataFrame(rows)


_SUPPORT = {
    ("allocation_concealment", "u"): "Method of concealment not described (synthetic; the "
    "review: unclear risk chiefly from allocation concealment)",
    ("blinding_outcome_assessment", "h"): "Participant-reported outcomes; participants not "
    "blinded (synthetic; the review: high risk from outcome blinding)",
}
_WORD = {"l": "low", "u": "unclear", "h": "high"}


def rob_rows() -> pd.DataFrame:
    domains = [d for d in ROB_DOMAINS["rob1"]]
    rows = []
    for study in sorted(ROB):
        codes = ROB[study].replace(" ", "")
        for domain, code in zip(domains, codes, strict=True):
            support = _SUPPORT.get(
                (domain, code),
                f"Synthetic judgement ({_WORD[code]} risk): the review shows per-study "
                "judgements only in its Figure 2",
            )
            rows.append(
                {
                    "study_id": study,
                    "outcome": None,
                    "tool": "rob1",
                    "domain": domain,
                    "judgement": _WORD[code],
                    "support": support,
                    "source": "synthetic: consistent with the review's Results, 'Risk of bias in "
                    "the studies' (srma example data)",
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- check


@dataclass
class Check:
    target: Target
    k: int
    participants: int | None
    pooled: bool
    method: str | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    i2: float | None

    def misses(self) -> list[str]:
        t = self.target
        out = []
        if self.pooled != t.pooled:
            out.append(f"pooled {self.pooled} vs {t.pooled}")
        smd, lo, hi = oriented(t)
        if smd is not None and self.estimate is not None:
            assert lo is not None and hi is not None
            for name, a, b in (
                ("SMD", self.estimate, smd),
                ("CI low", self.ci_low, lo),
                ("CI high", self.ci_high, hi),
            ):
                if a is None or abs(a - b) > TOL_SMD:
                    out.append(f"{name} {a} vs {b}")
        if t.i2 is not None and t.cell not in UNREACHABLE_I2:
            if self.i2 is None or abs(self.i2 - t.i2) > TOL_I2:
                out.append(f"I2 {self.i2} vs {t.i2}")
        if t.participants is not None and self.participants != t.participants:
            out.append(f"participants {self.participants} vs {t.participants}")
        return out


def check(review_dir: Path, data_dir: Path) -> list[Check]:
    config = load_config(review_dir / "config" / "config.yaml", review_dir=review_dir)
    specs = outcome_specs(config["outcomes"])
    settings = ExtractionSettings.from_config(config["extraction"])
    ex = load_extraction(
        data_dir / "studies.csv",
        data_dir / "outcomes.csv",
        data_dir / "risk_of_bias.csv",
        outcomes=specs,
        settings=settings,
    )
    effects = {
        o: outcome_effects(ex.studies, ex.outcome_data, s, settings) for o, s in specs.items()
    }
    results = []
    for t in TARGETS:
        eff = effects[t.outcome]
        rows = usable_effects(
            eff[(eff["timepoint"] == t.timepoint) & (eff["population"] == t.population)]
        )
        main_model = plan_model(rows["yi"].to_numpy(), rows["vi"].to_numpy())
        if t.left_out is not None:
            rows = rows[rows["study_id"] != t.left_out]
        k = len(rows)
        pooled = k >= 2 and t.cell not in NOT_POOLED
        participants = int((rows["n_intervention"] + rows["n_comparator"]).sum())
        est = lo = hi = i2 = None
        if k >= 2:
            res = pool(
                rows["yi"].to_numpy(), rows["vi"].to_numpy(), method=main_model, ci_tau2=False
            )
            est, lo, hi = res.estimate, res.ci_low, res.ci_high
            i2 = higgins_i2(res.q, res.q_df)
        results.append(
            Check(t, k, participants, pooled, main_model if k >= 2 else None, est, lo, hi, i2)
        )
    return results


def report(results: list[Check]) -> bool:
    ok = True
    print(
        f"{'analysis':55} {'k':>2} {'N':>5} {'model':5} {'SMD':>6} {'CI':>15} {'I2':>5}  published"
    )
    for r in results:
        t = r.target
        name = f"{t.outcome}.{t.timepoint}.{t.population}.{t.variant}"
        smd, lo, hi = oriented(t)
        pub = (
            f"{smd:.2f} [{lo:.2f}, {hi:.2f}] I2 {t.i2}"
            if smd is not None
            else f"not pooled, I2 {t.i2}"
            if t.i2 is not None
            else "not pooled"
        )
        ours = (
            f"{r.estimate:6.2f} [{r.ci_low:6.2f}, {r.ci_high:5.2f}] {r.i2:5.1f}"
            if r.estimate is not None and r.pooled
            else f"{'-':>6} {'-':>15} {r.i2 if r.i2 is None else round(r.i2, 1)!s:>5}"
        )
        misses = r.misses()
        ok &= not misses
        flag = "" if not misses else "   MISS: " + "; ".join(misses)
        print(f"{name:55} {r.k:2d} {r.participants:5d} {r.method or '-':5} {ours}  {pub}{flag}")
    return ok


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "data" / "extraction",
        help="folder to write studies.csv, outcomes.csv, risk_of_bias.csv",
    )
    parser.add_argument("--check", action="store_true", help="only check the existing files")
    parser.add_argument("--verbose", action="store_true", help="print the calibration per cell")
    args = parser.parse_args(argv)
    global VERBOSE
    VERBOSE = args.verbose
    if not args.check:
        config = load_config(REPO / "config" / "config.yaml", review_dir=REPO)
        specs = outcome_specs(config["outcomes"])
        sizes = sample_sizes()
        args.out.mkdir(parents=True, exist_ok=True)
        write_csv(study_rows(REPO), args.out / "studies.csv")
        write_csv(outcome_rows(specs, sizes), args.out / "outcomes.csv")
        write_csv(rob_rows(), args.out / "risk_of_bias.csv")
    ok = report(check(REPO, args.out))
    print("all published results reproduced" if ok else "SOME PUBLISHED RESULTS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
