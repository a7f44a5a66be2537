"""``srma pool FILE.csv``: a meta-analysis of one table, on its own.

The table uses metafor's column names: ``yi`` and ``vi`` (or ``sei``), or the
arm statistics ``m1i, sd1i, n1i, m2i, sd2i, n2i`` (converted to Hedges' g or
a mean difference, ``--measure``), and optionally ``study``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from srma.conservation import check_pooled
from srma.errors import InputError, Problem
from srma.io.tables import read_table
from srma.pooling import (
    METHODS,
    aggregate,
    format_leave_one_out,
    format_subgroups,
    format_summary,
    leave_one_out,
    mixed_effects_subgroups,
    pool,
    subgroups,
)
from srma.pooling._arms import ARM_COLUMNS, _effects_from_arms

HELP = "pool effect sizes from a CSV table (metafor-style columns)"

DESCRIPTION = """\
Pool the effect sizes of FILE.csv with an inverse-variance common-effect or
random-effects model, as R metafor's rma() does.

Columns (metafor's names): yi and vi (or sei), or the arm statistics
m1i, sd1i, n1i, m2i, sd2i, n2i (converted with --measure: SMD = Hedges' g
with the exact small-sample correction, MD = raw mean difference); study
labels in 'study' (optional)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pool",
        help=HELP,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE.csv", help="table of studies (CSV with a header)")
    parser.add_argument(
        "--measure",
        default=None,
        help="SMD or MD for arm statistics (default SMD); with yi/vi only a label",
    )
    parser.add_argument(
        "--method",
        default="REML",
        choices=METHODS,
        help="FE/EE (common effect) or the tau^2 estimator (default REML)",
    )
    parser.add_argument(
        "--test", default="z", choices=("z", "knha"), help="z (Wald) or knha (Knapp-Hartung)"
    )
    parser.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    parser.add_argument("--subgroup", metavar="COLUMN", help="subgroup analysis by this column")
    parser.add_argument(
        "--leave-one-out", action="store_true", help="repeat the analysis without each study"
    )
    parser.add_argument(
        "--aggregate",
        metavar="COLUMN",
        help="first combine the rows of each value of COLUMN (needs --rho)",
    )
    parser.add_argument(
        "--rho",
        type=float,
        help="assumed correlation of effect sizes within an --aggregate cluster",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(func=run)


# ------------------------------------------------------------------- reading


def _line(index: int | np.integer) -> int:
    """File line of data row ``index`` (0-based; the header is line 1)."""
    return int(index) + 2


_MISSING = {"", "na", "n/a", "nan", ".", "-"}


def _numeric(table: pd.DataFrame, column: str, file: str) -> tuple[np.ndarray, list[Problem]]:
    raw = table[column].astype(str).str.strip()
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    problems = []
    for i in np.flatnonzero(~np.isfinite(values)):
        cell = raw.iloc[i]
        if cell.lower() in _MISSING:
            problems.append(
                Problem(
                    "missing value",
                    file=file,
                    line=_line(i),
                    column=column,
                    hint="fill it in or remove the study's row",
                )
            )
        else:
            problems.append(
                Problem(
                    "not a finite number",
                    file=file,
                    line=_line(i),
                    column=column,
                    value=cell,
                    hint="use a plain number with '.' as decimal point",
                )
            )
    return values, problems


def _read_table(path: str) -> pd.DataFrame:
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", file=path, hint="give the path of a CSV table")
    # srma's reader: CSV or XLSX in any encoding srma reads; empty, binary, truncated
    # or ragged files are InputErrors naming the line
    table = read_table(p)
    table.columns = [str(c).strip() for c in table.columns]
    if table.empty:
        raise InputError("the table has no rows", file=path, hint="add one row per study")
    return table


def _effects(table: pd.DataFrame, args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, str]:
    file = args.file
    cols = set(table.columns)
    problems: list[Problem] = []
    measure = args.measure
    if "yi" in cols and ("vi" in cols or "sei" in cols):
        yi, p1 = _numeric(table, "yi", file)
        if "vi" in cols:
            vi, p2 = _numeric(table, "vi", file)
            vname = "vi"
        else:
            sei, p2 = _numeric(table, "sei", file)
            vi = sei**2
            vname = "sei"
        problems += p1 + p2
        for i in np.flatnonzero(np.isfinite(vi) & (vi <= 0)):
            problems.append(
                Problem(
                    "sampling variance must be positive",
                    file=file,
                    line=_line(i),
                    column=vname,
                    value=table[vname].iloc[i],
                    hint="check the study's variance or standard error",
                )
            )
        label = measure or "GEN"
    elif set(ARM_COLUMNS) <= cols:
        measure = (measure or "SMD").upper()
        if measure not in ("SMD", "MD"):
            raise InputError(
                f"--measure {args.measure} cannot be computed from arm statistics",
                hint="use --measure SMD or --measure MD",
            )
        values = {}
        for col in ARM_COLUMNS:
            values[col], p = _numeric(table, col, file)
            problems += p
        for col in ("sd1i", "sd2i"):
            for i in np.flatnonzero(values[col] <= 0):
                problems.append(
                    Problem(
                        "standard deviation is negative"
                        if values[col][i] < 0
                        else "standard deviation is zero",
                        file=file,
                        line=_line(i),
                        column=col,
                        value=table[col].iloc[i],
                        hint="an SD must be positive: check whether a standard error, a "
                        "missing value or a rounded-off SD was typed here",
                    )
                )
        for col in ("n1i", "n2i"):
            for i in np.flatnonzero(values[col] <= 0):
                problems.append(
                    Problem(
                        "group size must be positive",
                        file=file,
                        line=_line(i),
                        column=col,
                        value=table[col].iloc[i],
                        hint="give the number of participants analysed in this group",
                    )
                )
        if problems:
            raise InputError(problems=problems)
        yi, vi = _effects_from_arms(
            values["m1i"],
            values["sd1i"],
            values["n1i"],
            values["m2i"],
            values["sd2i"],
            values["n2i"],
            measure=measure,
        )
        for i in np.flatnonzero(~np.isfinite(yi) | ~np.isfinite(vi) | (vi <= 0)):
            problems.append(
                Problem(
                    f"cannot compute {measure} for this study",
                    file=file,
                    line=_line(i),
                    column="n1i",
                    value=f"n1i={table['n1i'].iloc[i]}, n2i={table['n2i'].iloc[i]}, "
                    f"sd1i={table['sd1i'].iloc[i]}, sd2i={table['sd2i'].iloc[i]}",
                    hint="SMD needs n1i + n2i > 3 and a positive pooled SD; "
                    "MD needs a positive variance",
                )
            )
        label = measure
    else:
        raise InputError(
            "the table needs columns yi and vi (or sei), or m1i, sd1i, n1i, m2i, sd2i, n2i",
            file=file,
            value=", ".join(table.columns),
            hint="rename the columns to metafor's names",
        )
    if problems:
        raise InputError(problems=problems)
    with np.errstate(all="ignore"):
        extreme = ~np.isfinite(1.0 / vi) | ~np.isfinite(yi * yi / vi)
    for i in np.flatnonzero(extreme):
        problems.append(
            Problem(
                "the estimate and variance are too extreme to compute with "
                f"(yi = {yi[i]:.3g}, vi = {vi[i]:.3g})",
                file=file,
                line=_line(i),
                column="vi" if "vi" in cols else ("sei" if "sei" in cols else None),
                hint="check the row for a misplaced decimal point or exponent",
            )
        )
    if problems:
        raise InputError(problems=problems)
    return yi, vi, label


def _labels(table: pd.DataFrame, column: str, file: str) -> list[str]:
    if column not in table.columns:
        raise InputError(
            f"no column {column!r}",
            file=file,
            value=", ".join(table.columns),
            hint="name one of the table's columns",
        )
    values = [str(x).strip() for x in table[column]]
    problems = [
        Problem(
            "missing value",
            file=file,
            line=_line(i),
            column=column,
            hint="fill it in or remove the study's row",
        )
        for i, x in enumerate(values)
        if x == ""
    ]
    if problems:
        raise InputError(problems=problems)
    return values


# ---------------------------------------------------------------------- run


def run(args: argparse.Namespace) -> int:
    if not 0 < args.level < 1:
        raise InputError(
            "--level must lie between 0 and 1", value=args.level, hint="e.g. --level 0.95"
        )
    if (args.aggregate is None) != (args.rho is None):
        raise InputError(
            "--aggregate and --rho go together",
            hint="give the cluster column with --aggregate and the correlation with --rho",
        )
    table = _read_table(args.file)
    yi, vi, measure = _effects(table, args)
    if "study" in table.columns:
        studies = [str(s).strip() or str(i + 1) for i, s in enumerate(table["study"])]
    else:
        studies = [str(i + 1) for i in range(len(table))]
    groups = _labels(table, args.subgroup, args.file) if args.subgroup else None

    aggregated: dict[str, Any] | None = None
    if args.aggregate:
        clusters = _labels(table, args.aggregate, args.file)
        try:
            agg = aggregate(yi, vi, clusters, args.rho)
        except ValueError as exc:
            raise InputError(
                str(exc),
                column=args.aggregate,
                hint="choose --rho between -1/(m-1) and 1 for clusters of m rows",
            ) from exc
        if groups is not None:
            by_cluster: dict[str, set[str]] = {}
            for c, g in zip(clusters, groups, strict=True):
                by_cluster.setdefault(c, set()).add(g)
            mixed = [c for c, gs in by_cluster.items() if len(gs) > 1]
            if mixed:
                raise InputError(
                    "a cluster spans several subgroups",
                    file=args.file,
                    column=args.subgroup,
                    value=", ".join(mixed[:5]),
                    hint="aggregate within subgroups only (one subgroup per cluster)",
                )
            groups = [next(iter(by_cluster[c])) for c in agg.cluster]
        aggregated = {
            "column": args.aggregate,
            "rho": args.rho,
            "rows": len(yi),
            "clusters": len(agg.cluster),
        }
        yi, vi, studies = agg.yi, agg.vi, list(agg.cluster)

    options = {"method": args.method, "test": args.test, "level": args.level, "measure": measure}
    try:
        with np.errstate(all="ignore"):
            result = pool(yi, vi, **options)
    except ArithmeticError as exc:  # overflow on numbers at the limits of floating point
        raise InputError(
            f"the model cannot be fitted to these numbers ({exc})",
            file=args.file,
            hint="check the table for estimates or variances of extreme size",
        ) from None
    if not (np.isfinite(result.estimate) and np.isfinite(result.se)):
        raise InputError(
            "the model cannot be fitted to these numbers (the pooled estimate is not finite)",
            file=args.file,
            hint="check the table for estimates or variances of extreme size",
        )
    out: dict[str, Any] = result.to_dict()
    text = [format_summary(result)]
    if aggregated is not None:
        out["aggregated"] = aggregated
    if args.leave_one_out:
        rows = leave_one_out(yi, vi, studies, **options)
        out["leave_one_out"] = [row.to_dict() for row in rows]
        text.append(format_leave_one_out(rows))
    if groups is not None:
        sub = subgroups(yi, vi, groups, **options)
        out.update(sub.to_dict())
        mixed_fit = None
        if len(sub.levels) >= 2:
            try:
                mixed_fit = mixed_effects_subgroups(
                    yi, vi, groups, method=args.method, test=args.test, level=args.level
                )
            except ValueError as exc:  # e.g. too few studies for the moderators
                out["subgroup_mixed_effects"] = {"error": str(exc)}
            else:
                out["subgroup_mixed_effects"] = mixed_fit.to_dict()
        text.append(format_subgroups(sub, mixed_fit))
    check_pooled(studies, out)
    if args.json:
        print(json.dumps(out, indent=2, allow_nan=False))
    else:
        print("\n".join(text), end="")
    return 0
