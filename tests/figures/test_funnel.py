"""Funnel plot: points, pseudo confidence limits, Egger text, trim and fill, layout, bytes."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from srma.figures import style
from srma.figures.forest import overlapping_texts, texts_outside
from srma.figures.funnel import (
    EggerTest,
    FunnelData,
    build_funnel_figure,
    egger_text,
    plot_funnel,
)

SVG = "{http://www.w3.org/2000/svg}"

# The Figure 3A-shaped case of test_forest.py: yi and (ci_high - ci_low) / 3.92.
YI = (0.0942, 1.4547, 0.3489, 6.9004, 0.1423, -0.0494, 0.0924, 0.6075, 0.0318, 0.4455, 0.5803)
CI = (
    (-0.1580, 0.3464),
    (0.8313, 2.0781),
    (0.0515, 0.6464),
    (5.4387, 8.3621),
    (-0.1366, 0.4212),
    (-0.3280, 0.2292),
    (-0.2688, 0.4535),
    (0.2140, 1.0009),
    (-0.1878, 0.2515),
    (-0.2397, 1.1307),
    (-0.0449, 1.2054),
)
SEI = tuple((hi - lo) / 3.92 for lo, hi in CI)
# metafor 3.8-1 on that case:
#   regtest(rma(yi, vi, method="REML"))            -> z = 6.7694, p = 1.293152e-11
#   tf <- trimfill(rma(yi, vi, method="FE"))       -> 4 filled on the left, estimate 0.1073
#   cbind(tf$yi[tf$fill], sqrt(tf$vi[tf$fill]))
EGGER = EggerTest(6.7694, 1.293152e-11, "z")
FILLED_YI = (-0.3657, -0.3929, -1.2401, -6.6858)
FILLED_SEI = (0.3189, 0.2007, 0.3181, 0.7458)


def funnel(**kwargs) -> FunnelData:
    return FunnelData(YI, SEI, 0.8894, **kwargs)


def test_egger_text() -> None:
    assert egger_text(EGGER) == "Egger's test: z = 6.77, P < 0.00001"
    assert egger_text(EggerTest(-1.234, 0.22, "t")) == "Egger's test: t = \u22121.23, P = 0.22"


def test_points_axes_and_limits() -> None:
    fig = build_funnel_figure(funnel(egger=EGGER))
    ax = fig.axes[0]
    lo, hi = ax.get_ylim()
    assert lo > hi == 0.0  # inverted: SE 0 at the top
    points = [ln for ln in ax.lines if ln.get_marker() == "o"]
    assert len(points) == 1
    np.testing.assert_allclose(points[0].get_xdata(), YI)
    np.testing.assert_allclose(points[0].get_ydata(), SEI)
    # the pseudo 95% limits: estimate -/+ 1.96 * SE at the bottom of the axis
    dashed = [ln for ln in ax.lines if (ln.get_gid() or "").startswith("pseudo_ci")]
    assert len(dashed) == 2
    bottoms = sorted(float(ln.get_xdata()[1]) for ln in dashed)
    assert bottoms == pytest.approx([0.8894 - 1.959964 * lo, 0.8894 + 1.959964 * lo], rel=1e-6)
    tops = [float(ln.get_xdata()[0]) for ln in dashed]
    assert tops == pytest.approx([0.8894, 0.8894])
    assert ax.get_xlabel() == "Std. Mean Difference"
    # every point inside the axes by default
    x0, x1 = ax.get_xlim()
    assert x0 < min(YI) and max(YI) < x1
    assert [t.get_text() for t in ax.texts if t.get_gid() == "egger"] == [
        "Egger's test: z = 6.77, P < 0.00001"
    ]


def test_trim_and_fill_points_are_open_circles(tmp_path: Path) -> None:
    data = funnel(egger=EGGER, filled_yi=FILLED_YI, filled_sei=FILLED_SEI, filled_estimate=0.1073)
    fig = build_funnel_figure(data)
    ax = fig.axes[0]
    circles = [ln for ln in ax.lines if ln.get_marker() == "o"]
    filled = [ln for ln in circles if ln.get_markerfacecolor() == "white"]
    assert len(circles) == 2 and len(filled) == 1
    np.testing.assert_allclose(filled[0].get_xdata(), FILLED_YI)
    dotted = [ln for ln in ax.lines if ln.get_gid() == "filled_estimate"]
    assert len(dotted) == 1 and dotted[0].get_xdata()[0] == pytest.approx(0.1073)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Studies",
        "Filled (trim and fill)",
    ]
    assert overlapping_texts(fig) == []
    assert texts_outside(fig) == []
    svg = style.save_figure(fig, tmp_path / "funnel.svg")
    texts = ["".join(t.itertext()) for t in ET.parse(svg).getroot().iter(f"{SVG}text")]
    assert "Egger's test: z = 6.77, P < 0.00001" in texts


def test_out_of_range_points_become_edge_arrows() -> None:
    fig = build_funnel_figure(funnel(xlim=(-2.0, 2.0)))
    ax = fig.axes[0]
    inside = [ln for ln in ax.lines if ln.get_marker() == "o"][0]
    assert 6.9004 not in list(inside.get_xdata())
    arrows = [ln for ln in ax.lines if ln.get_marker() == ">"]
    assert len(arrows) == 1 and list(arrows[0].get_xdata()) == [2.0]
    assert arrows[0].get_ydata()[0] == pytest.approx(SEI[3])


def test_ratio_measure_uses_log_axis() -> None:
    data = FunnelData(
        (0.5, 1.2, 2.0, 3.5), (0.3, 0.2, 0.4, 0.6), 1.4, measure="OR", egger=EggerTest(1.1, 0.27)
    )
    fig = build_funnel_figure(data)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "Odds Ratio"
    assert overlapping_texts(fig) == []
    with pytest.raises(ValueError, match="unlogged"):
        FunnelData((-0.5, 0.2), (0.3, 0.2), 1.0, measure="RR")


@pytest.mark.parametrize("k", [1, 60])
def test_stress_layout(k: int) -> None:
    rng = np.random.default_rng(k)
    sei = tuple(rng.uniform(0.05, 0.6, k))
    yi = tuple(rng.normal(0.2, 0.3, k))
    data = FunnelData(
        yi,
        sei,
        0.2,
        egger=EggerTest(-2.5, 0.012),
        filled_yi=yi[:1],
        filled_sei=sei[:1],
        title="Funnel plot of a long analysis name",
    )
    fig = build_funnel_figure(data)
    assert overlapping_texts(fig) == []
    assert texts_outside(fig) == []


def test_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="equal length"):
        FunnelData((0.1, 0.2), (0.1,), 0.1)
    with pytest.raises(ValueError, match="positive"):
        FunnelData((0.1,), (0.0,), 0.1)


def test_identical_bytes_twice(tmp_path: Path) -> None:
    data = funnel(egger=EGGER, filled_yi=FILLED_YI, filled_sei=FILLED_SEI, filled_estimate=0.1073)
    first = plot_funnel(data, tmp_path / "a" / "funnel")
    second = plot_funnel(data, tmp_path / "b" / "funnel")
    for a, b in zip(first, second, strict=True):
        assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
