"""Readable text summaries in the layout of metafor's ``print.rma.uni``."""

from __future__ import annotations

from srma.pooling.result import LeaveOneOut, MixedEffectsResult, PoolResult, SubgroupResult


def _num(x: float | None, digits: int = 4) -> str:
    return "NA" if x is None else f"{x:.{digits}f}"


def _p(p: float | None) -> str:
    if p is None:
        return "NA"
    return "<.0001" if p < 1e-4 else f"{p:.4f}"


def _p_eq(p: float | None) -> str:
    """``p-val = 0.0123`` or ``p-val < .0001`` as metafor prints it."""
    text = _p(p)
    return "p-val < .0001" if text.startswith("<") else f"p-val = {text}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    for r in rows:
        lines.append("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))
    return lines


def format_summary(result: PoolResult) -> str:
    """The result as metafor's ``print(res)``, plus the tau² intervals and prediction interval."""
    r = result
    lines: list[str] = []
    if r.k == 1:
        kind = "Single study (k = 1)"
    elif r.is_random:
        kind = f"Random-Effects Model (k = {r.k}; tau^2 estimator: {r.method})"
    else:
        kind = f"{'Equal' if r.method == 'EE' else 'Fixed'}-Effects Model (k = {r.k})"
    lines += [kind, ""]
    if r.measure:
        lines += [f"Effect measure: {r.measure}", ""]
    if r.k > 1:
        if r.is_random and r.tau2 is not None:
            se_tau2 = f" (SE = {_num(r.se_tau2)})" if r.se_tau2 is not None else ""
            lines.append(
                f"tau^2 (estimated amount of total heterogeneity): {_num(r.tau2)}{se_tau2}"
            )
            lines.append(f"tau (square root of estimated tau^2 value):      {_num(r.tau2**0.5)}")
        lines.append(f"I^2 (total heterogeneity / total variability):   {_num(r.i2, 2)}%")
        lines.append(f"H^2 (total variability / sampling variability):  {_num(r.h2, 2)}")
        lines += [
            "",
            "Test for Heterogeneity:",
            f"Q(df = {r.q_df}) = {_num(r.q)}, {_p_eq(r.q_pval)}",
        ]
        if r.tau2_ci_low is not None and r.tau2_ci_high is not None:
            lines += ["", f"Heterogeneity ({100 * r.level:g}% Q-profile confidence intervals):", ""]
            lines += _table(
                ["", "estimate", "ci.lb", "ci.ub"],
                [
                    ["tau^2", _num(r.tau2), _num(r.tau2_ci_low), _num(r.tau2_ci_high)],
                    [
                        "tau",
                        _num(r.tau2**0.5 if r.tau2 is not None else None),
                        _num(r.tau2_ci_low**0.5),
                        _num(r.tau2_ci_high**0.5),
                    ],
                    ["I^2(%)", _num(r.i2), _num(r.i2_ci_low), _num(r.i2_ci_high)],
                    ["H^2", _num(r.h2), _num(r.h2_ci_low), _num(r.h2_ci_high)],
                ],
            )
        lines.append("")
    lines += ["Model Results:", ""]
    stat_name = "tval" if r.test == "knha" else "zval"
    header = ["estimate", "se", stat_name]
    row = [_num(r.estimate), _num(r.se), _num(r.stat)]
    if r.df is not None:
        header.append("df")
        row.append(f"{r.df:g}")
    header += ["pval", "ci.lb", "ci.ub"]
    row += [_p(r.pval), _num(r.ci_low), _num(r.ci_high)]
    lines += _table(header, [row])
    if r.pi_low is not None and r.pi_high is not None:
        lines += [
            "",
            f"Prediction interval ({100 * r.level:g}%): {_num(r.pi_low)} to {_num(r.pi_high)}",
        ]
    if r.messages:
        lines += ["", *(f"Note: {m}" for m in r.messages)]
    return "\n".join(lines) + "\n"


def format_leave_one_out(rows: list[LeaveOneOut]) -> str:
    """A table like metafor's ``print(leave1out(res))``."""
    if not rows:
        return "Leave-one-out: not applicable (k = 1)\n"
    header = ["study", "estimate", "se", "pval", "ci.lb", "ci.ub", "Q", "Qp", "tau2", "I2", "H2"]
    body = []
    for item in rows:
        r = item.result
        body.append(
            [
                item.study,
                _num(r.estimate),
                _num(r.se),
                _p(r.pval),
                _num(r.ci_low),
                _num(r.ci_high),
                _num(r.q),
                _p(r.q_pval),
                _num(r.tau2),
                _num(r.i2),
                _num(r.h2),
            ]
        )
    return "Leave-one-out analysis:\n\n" + "\n".join(_table(header, body)) + "\n"


def format_subgroups(result: SubgroupResult, mixed: MixedEffectsResult | None = None) -> str:
    """Per-subgroup fits, the test for subgroup differences and the mixed-effects model."""
    lines: list[str] = []
    for level in result.levels:
        lines += [f"=== Subgroup {level} ===", "", format_summary(result.results[level])]
    if result.q_between is not None:
        lines += [
            "Test for Subgroup Differences (separate fits, RevMan):",
            f"Q(df = {result.q_between_df}) = {_num(result.q_between)}, "
            f"{_p_eq(result.q_between_pval)}",
            "",
        ]
    if mixed is not None:
        lines += [
            f"Mixed-Effects Model (k = {mixed.k}; common tau^2, estimator: {mixed.method})",
            "",
            f"tau^2 (estimated amount of residual heterogeneity): {_num(mixed.tau2)}",
            f"Test for Residual Heterogeneity: QE(df = {mixed.qe_df}) = {_num(mixed.qe)}, "
            f"{_p_eq(mixed.qe_pval)}",
        ]
        if mixed.qm_df2 is None:
            lines.append(
                f"Test of Moderators: QM(df = {mixed.qm_df}) = {_num(mixed.qm)}, "
                f"{_p_eq(mixed.qm_pval)}"
            )
        else:
            lines.append(
                f"Test of Moderators: F(df1 = {mixed.qm_df}, df2 = {mixed.qm_df2}) = "
                f"{_num(mixed.qm)}, {_p_eq(mixed.qm_pval)}"
            )
        lines.append("")
    return "\n".join(lines)
