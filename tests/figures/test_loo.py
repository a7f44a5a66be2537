"""Leave-one-out plot: rows, reference line, text equals inputs, layout, bytes."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib.lines import Line2D

from srma.figures import style
from srma.figures.forest import MINUS, ForestPooled, overlapping_texts, texts_outside
from srma.figures.loo import LeaveOneOutData, LeaveOneOutRow, build_loo_figure, plot_loo

SVG = "{http://www.w3.org/2000/svg}"

# metafor 3.8-1: leave1out(rma(yi, vi, method="REML")) on the Figure 3A-shaped case of
# tests/figures/test_forest.py (illustrative arms):
#   round(data.frame(l$estimate, l$ci.lb, l$ci.ub, l$I2, l$pval), 4)
LOO = [
    ("Muralidharan 2019", 0.9790, -0.1969, 2.1549, 99.0112, 0.1027),
    ("Polat 2021", 0.8416, -0.3358, 2.0191, 99.1681, 0.1612),
    ("Roosenschoon 2021", 0.9537, -0.2300, 2.1375, 99.0748, 0.1143),
    ("Tan 2016", 0.3040, 0.0768, 0.5313, 76.6870, 0.0087),
    ("Dalum 2016", 0.9742, -0.2034, 2.1518, 99.0468, 0.1049),
    ("Jensen 2019", 0.9928, -0.1769, 2.1626, 99.0334, 0.0962),
    ("Salyers 2014", 0.9787, -0.1967, 2.1540, 99.1043, 0.1027),
    ("Levitt 2009", 0.9277, -0.2602, 2.1156, 99.1374, 0.1258),
    ("Salyers 2010", 0.9852, -0.1883, 2.1587, 98.9543, 0.0999),
    ("Johnson 2007", 0.9426, -0.2400, 2.1251, 99.1808, 0.1182),
    ("Färdig 2011", 0.9297, -0.2557, 2.1151, 99.1795, 0.1242),
]
# rma(yi, vi, method="REML") on the same case
OVERALL = ForestPooled(
    0.8894, -0.1699, 1.9487, "random", 3.1243, 109.5925, 10, 1e-18, 98.9965, 1.6456, "z", 0.0998
)


def loo_data(rows=LOO, **kwargs) -> LeaveOneOutData:
    return LeaveOneOutData(
        tuple(LeaveOneOutRow(*r) for r in rows),
        OVERALL,
        favours_left="Favours [control]",
        favours_right="Favours [IMR]",
        **kwargs,
    )


def svg_texts(path: Path) -> dict[str, str]:
    root = ET.parse(path).getroot()
    out = {}
    for g in root.iter(f"{SVG}g"):
        t = g.find(f"{SVG}text")
        if t is not None and g.get("id"):
            out[g.get("id")] = "".join(t.itertext())
    return out


def test_rows_equal_inputs_in_order(tmp_path: Path) -> None:
    svg = style.save_figure(build_loo_figure(loo_data()), tmp_path / "loo.svg")
    texts = svg_texts(svg)
    for i, (study, est, lo, hi, i2, p) in enumerate(LOO):
        assert texts[f"loo_{i}_label"] == f"Omitting {study}"
        got = [
            float(v)
            for v in re.findall(r"-?\d+\.\d+", texts[f"loo_{i}_effect"].replace(MINUS, "-"))
        ]
        assert got == [round(est, 2), round(lo, 2), round(hi, 2)]
        assert texts[f"loo_{i}_i2"] == f"{round(i2)}%"
        assert texts[f"loo_{i}_p"] == (f"{p:.2f}" if p >= 0.01 else f"{p:.3f}")
    assert texts["loo_3_p"] == "0.009"  # P = 0.0087 without Tan 2016
    assert texts["total_label"] == "All studies"
    assert texts["total_effect"] == f"0.89 [{MINUS}0.17, 1.95]"
    assert texts["total_i2"] == "99%"
    assert texts["total_heterogeneity"].startswith(
        "Heterogeneity: Tau\u00b2 = 3.12; Chi\u00b2 = 109.59"
    )
    # rows top to bottom in the given order
    root = ET.parse(svg).getroot()
    ys = [
        float(g.find(f"{SVG}text").get("y"))
        for g in root.iter(f"{SVG}g")
        if re.fullmatch(r"loo_\d+_label", g.get("id") or "")
    ]
    assert len(ys) == len(LOO) and ys == sorted(ys)


def test_reference_line_at_overall_estimate() -> None:
    fig = build_loo_figure(loo_data())
    ax = fig.axes[0]
    ticks = {
        t.get_text(): t.get_position()[0]
        for t in ax.texts
        if (t.get_gid() or "").startswith("tick_")
    }
    x0, x1 = ticks["0"], ticks["2"]
    expected = x0 + (x1 - x0) * OVERALL.estimate / 2
    dashed = [ln for ln in ax.lines if isinstance(ln, Line2D) and ln.get_linestyle() == "--"]
    assert len(dashed) == 1
    xs = dashed[0].get_xdata()
    assert xs[0] == pytest.approx(expected) and xs[1] == pytest.approx(expected)


def test_stress_layout() -> None:
    long_rows = [
        (
            ("Very long study label that goes on and on " * 3)[:60],
            0.1 * i - 3,
            0.1 * i - 3.5,
            0.1 * i - 2.5,
            50.0,
            0.04,
        )
        for i in range(60)
    ] + [("Far out", 40.0, 35.0, 45.0, 10.0, 1e-9)]
    for data in (loo_data(long_rows, xlim=(-2.0, 2.0)), loo_data(LOO[:1])):
        fig = build_loo_figure(data)
        assert overlapping_texts(fig) == []
        assert texts_outside(fig) == []


def test_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="at least one row"):
        LeaveOneOutData((), OVERALL)
    with pytest.raises(ValueError, match="ci_low <= estimate <= ci_high"):
        loo_data([("A", 1.0, 1.2, 2.0, None, None)])


def test_identical_bytes_twice(tmp_path: Path) -> None:
    first = plot_loo(loo_data(), tmp_path / "a" / "loo")
    second = plot_loo(loo_data(), tmp_path / "b" / "loo")
    assert [p.name for p in first] == ["loo.svg", "loo.png", "loo.pdf"]
    for a, b in zip(first, second, strict=True):
        assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
