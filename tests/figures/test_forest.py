"""Forest plot: number formats, the text of the figure, layout of stress cases, bytes."""

from __future__ import annotations

import hashlib
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib.patches import Polygon, Rectangle
from PIL import Image

from srma.figures import style
from srma.figures.forest import (
    MINUS,
    ForestData,
    ForestPooled,
    ForestStudy,
    ForestSubgroup,
    SubgroupTest,
    build_forest_figure,
    effect_text,
    format_given,
    format_number,
    format_p,
    format_weight,
    heterogeneity_text,
    overall_effect_text,
    overlapping_texts,
    plot_forest,
    subgroup_test_text,
    texts_outside,
)

SVG = "{http://www.w3.org/2000/svg}"

# ---------------------------------------------------------------------------------------
# A case shaped like Figure 3A of the reference review (Goh et al. 2023): 11 studies,
# SMD, REML.  The arms are illustrative (the paper gives no study-level data); yi, CI
# and weights come from metafor 3.8-1 on them:
#   dat <- escalc("SMD", m1i, sd1i, n1i, m2i, sd2i, n2i); res <- rma(yi, vi, dat, method="REML")
#   cbind(dat$yi, dat$yi -/+ 1.96*sqrt(dat$vi), weights(res))
# The pooled line is the published one: 0.89 [-0.03, 1.81], I2 = 91%.
# ---------------------------------------------------------------------------------------
F3A_ROWS = [
    # label, int mean, SD, n, ctl mean, SD, n, yi, ci_low, ci_high, weight (%)
    ("Muralidharan 2019", "3.61", "0.62", 124, "3.55", "0.65", 118, 0.0942, -0.1580, 0.3464, 9.30),
    ("Polat 2021", "82.4", "10.2", 25, "66.1", "11.8", 25, 1.4547, 0.8313, 2.0781, 9.06),
    ("Roosenschoon 2021", "3.52", "0.58", 116, "3.31", "0.63", 71, 0.3489, 0.0515, 0.6464, 9.28),
    ("Tan 2016", "87.26", "5.1", 25, "52.2", "4.9", 25, 6.9004, 5.4387, 8.3621, 7.94),
    ("Dalum 2016", "3.68", "0.55", 99, "3.6", "0.57", 99, 0.1423, -0.1366, 0.4212, 9.29),
    ("Jensen 2019", "3.71", "0.61", 99, "3.74", "0.6", 99, -0.0494, -0.3280, 0.2292, 9.29),
    ("Salyers 2014", "3.55", "0.66", 60, "3.49", "0.63", 58, 0.0924, -0.2688, 0.4535, 9.25),
    ("Levitt 2009", "3.78", "0.59", 54, "3.41", "0.62", 50, 0.6075, 0.2140, 1.0009, 9.23),
    ("Salyers 2010", "3.49", "0.64", 183, "3.47", "0.61", 141, 0.0318, -0.1878, 0.2515, 9.31),
    ("Johnson 2007", "3.62", "0.71", 19, "3.3", "0.69", 15, 0.4455, -0.2397, 1.1307, 9.00),
    ("Färdig 2011", "42.3", "6.9", 21, "38.1", "7.3", 20, 0.5803, -0.0449, 1.2054, 9.06),
]

F3A_POOLED = ForestPooled(
    estimate=0.89,
    ci_low=-0.03,
    ci_high=1.81,
    model="random",
    tau2=2.07,
    q=111.27,
    df=10,
    q_pval=1e-18,
    i2=91.0,
    stat=1.90,
    stat_name="z",
    pval=0.0578,
    pi_low=-2.73,
    pi_high=4.51,
)


def f3a_studies() -> tuple[ForestStudy, ...]:
    return tuple(
        ForestStudy(r[0], r[1], r[2], r[3], r[4], r[5], r[6], None, r[7], r[8], r[9], r[10])
        for r in F3A_ROWS
    )


def f3a(**kwargs) -> ForestData:
    return ForestData(
        studies=f3a_studies(),
        pooled=F3A_POOLED,
        favours_left="Favours [control]",
        favours_right="Favours [IMR]",
        **kwargs,
    )


ROB1 = (
    "Random sequence generation (selection bias)",
    "Allocation concealment (selection bias)",
    "Blinding of participants and personnel (performance bias)",
    "Blinding of outcome assessment (detection bias)",
    "Incomplete outcome data (attrition bias)",
    "Selective reporting (reporting bias)",
    "Other bias",
)


def subgroup_case(rob: bool = False) -> ForestData:
    """Two subgroups by comparator, as the review's Figure 5B (numbers illustrative)."""
    judgements = ("Low risk", "Unclear risk", "High risk", "low", "+", "?", "-") if rob else ()
    g1 = ForestSubgroup(
        "1.1.1 Treatment as usual",
        (
            ForestStudy(
                "Polat 2021",
                "12.4",
                "3.1",
                25,
                "11.2",
                "3.3",
                25,
                None,
                0.37,
                -0.19,
                0.93,
                8.9,
                rob=judgements,
            ),
            ForestStudy(
                "Roosenschoon 2021",
                int_n=116,
                ctl_n=71,
                source_text="MD 1.90 (-0.85 to 4.65)",
                yi=0.28,
                ci_low=-0.01,
                ci_high=0.58,
                weight=31.4,
                rob=judgements,
            ),
            ForestStudy(
                "Jensen 2019",
                "52.1",
                "11.0",
                99,
                "50.2",
                "12.1",
                99,
                None,
                0.16,
                -0.12,
                0.44,
                36.6,
                rob=judgements,
            ),
        ),
        ForestPooled(0.24, 0.05, 0.43, "fixed", None, 0.52, 2, 0.77, 0.0, 2.45, "z", 0.014),
    )
    g2 = ForestSubgroup(
        "1.1.2 Active comparator",
        (
            ForestStudy(
                "Dalum 2018",
                "46.4",
                "9.8",
                99,
                "44.0",
                "10.2",
                99,
                None,
                0.24,
                -0.04,
                0.52,
                23.1,
                rob=judgements,
            ),
        ),
        ForestPooled(0.24, -0.04, 0.52, "fixed", None, None, 0, None, None, 1.68, "z", 0.093),
    )
    return ForestData(
        subgroups=(g1, g2),
        pooled=ForestPooled(0.25, 0.06, 0.44, "fixed", None, 0.77, 3, 0.86, 0.0, 2.58, "z", 0.0098),
        subgroup_test=SubgroupTest(0.25, 1, 0.62, 0.0),
        int_label="IMR",
        rob_domains=ROB1 if rob else (),
    )


def svg_texts(path: Path) -> dict[str, str]:
    """Text of every SVG text element that has an id (``gid``), by id."""
    root = ET.parse(path).getroot()
    out = {}
    for g in root.iter(f"{SVG}g"):
        t = g.find(f"{SVG}text")
        if t is not None and g.get("id"):
            out[g.get("id")] = "".join(t.itertext())
    return out


def svg_all_texts(path: Path) -> list[tuple[str, float]]:
    """(text, y) of every text element, in document order."""
    root = ET.parse(path).getroot()
    return [("".join(t.itertext()), float(t.get("y"))) for t in root.iter(f"{SVG}text")]


def render_svg(data: ForestData, tmp_path: Path, name: str = "forest") -> Path:
    fig = build_forest_figure(data)
    return style.save_figure(fig, tmp_path / f"{name}.svg")


def numbers(text: str) -> list[float]:
    """The numbers of a text like '0.89 [−0.03, 1.81]'."""
    import re

    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text.replace(MINUS, "-"))]


# ---------------------------------------------------------------------------------------
# Number formats
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.62, "P = 0.62"),
        (0.0234, "P = 0.02"),
        (0.05, "P = 0.05"),
        (0.003, "P = 0.003"),
        (0.00312, "P = 0.003"),
        (0.0096, "P = 0.01"),  # 0.010 at three decimals: two are enough
        (0.0087, "P = 0.009"),
        (0.00049, "P = 0.0005"),
        (0.0000123, "P = 0.00001"),
        (0.0000099, "P < 0.00001"),
        (1e-20, "P < 0.00001"),
        (0.999, "P = 1.00"),
    ],
)
def test_format_p_as_revman(p: float, text: str) -> None:
    assert format_p(p) == text


def test_numbers_use_true_minus_and_no_negative_zero() -> None:
    assert format_number(-0.03) == f"{MINUS}0.03"
    assert format_number(-0.001) == "0.00"
    assert effect_text(0.89, -0.03, 1.81) == f"0.89 [{MINUS}0.03, 1.81]"
    assert effect_text(None, None, None) == "Not estimable"
    assert format_weight(12.345) == "12.3%"
    assert format_given("3.60") == "3.60"  # as given: trailing zero kept
    assert format_given(3.6) == "3.6"
    assert format_given(50.0) == "50"
    assert format_given("-2.5") == f"{MINUS}2.5"


def test_footer_texts() -> None:
    assert heterogeneity_text(F3A_POOLED) == (
        "Heterogeneity: Tau\u00b2 = 2.07; Chi\u00b2 = 111.27, df = 10 (P < 0.00001); I\u00b2 = 91%"
    )
    fixed = ForestPooled(
        0.25, 0.06, 0.44, "fixed", None, 45.67, 10, 0.0000001, 78.1, 2.34, "z", 0.019
    )
    assert heterogeneity_text(fixed) == (
        "Heterogeneity: Chi\u00b2 = 45.67, df = 10 (P < 0.00001); I\u00b2 = 78%"
    )
    assert overall_effect_text(fixed) == "Test for overall effect: Z = 2.34 (P = 0.02)"
    kh = ForestPooled(0.25, 0.06, 0.44, "random", 0.12, 45.67, 10, 0.001, 78.0, -2.34, "t", 0.04)
    assert overall_effect_text(kh) == "Test for overall effect: t = 2.34 (P = 0.04)"
    single = ForestPooled(0.24, -0.04, 0.52, "fixed", None, 0.0, 0, None, None, 1.68, "z", 0.09)
    assert heterogeneity_text(single) == "Heterogeneity: Not applicable"
    assert subgroup_test_text(SubgroupTest(0.25, 1, 0.62, 0.0)) == (
        "Test for subgroup differences: Chi\u00b2 = 0.25, df = 1 (P = 0.62), I\u00b2 = 0%"
    )


def test_model_names() -> None:
    for name in ("random", "RE", "REML", "DL", "PM"):
        assert ForestPooled(0, -1, 1, name).model_label == "Random"
    for name in ("fixed", "FE", "EE", "common"):
        assert ForestPooled(0, -1, 1, name).model_label == "Fixed"
    with pytest.raises(ValueError, match="unknown model"):
        _ = ForestPooled(0, -1, 1, "bayes").model_label


def test_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="either studies or subgroups"):
        ForestData(pooled=F3A_POOLED)
    with pytest.raises(ValueError, match="ci_low <= yi <= ci_high"):
        ForestData(studies=(ForestStudy("A", yi=1.0, ci_low=1.5, ci_high=2.0),))
    with pytest.raises(ValueError, match="risk-of-bias"):
        ForestData(studies=(ForestStudy("A", yi=1.0, ci_low=0.5, ci_high=2.0, rob=("low",)),))


# ---------------------------------------------------------------------------------------
# The Figure 3A case: the SVG's text equals the inputs
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def f3a_svg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_svg(f3a(), tmp_path_factory.mktemp("f3a"))


def test_f3a_pooled_line_and_footers(f3a_svg: Path) -> None:
    texts = svg_texts(f3a_svg)
    assert texts["total_label"] == "Total (95% CI)"
    assert texts["total_effect"] == f"0.89 [{MINUS}0.03, 1.81]"
    assert texts["total_weight"] == "100.0%"
    assert texts["total_int_n"] == str(sum(r[3] for r in F3A_ROWS)) == "825"
    assert texts["total_ctl_n"] == str(sum(r[6] for r in F3A_ROWS)) == "721"
    assert texts["total_heterogeneity"] == (
        "Heterogeneity: Tau\u00b2 = 2.07; Chi\u00b2 = 111.27, df = 10 (P < 0.00001); I\u00b2 = 91%"
    )
    assert texts["total_overall"] == "Test for overall effect: Z = 1.90 (P = 0.06)"
    assert texts["total_pi"] == f"[{MINUS}2.73, 4.51]"
    assert texts["header_measure"] == "Std. Mean Difference"
    assert texts["header_model"] == "IV, Random, 95% CI"
    assert texts["favours_left_0"] == "Favours [control]"
    assert texts["favours_right_0"] == "Favours [IMR]"


def test_f3a_study_rows_equal_inputs_in_order(f3a_svg: Path) -> None:
    texts = svg_texts(f3a_svg)
    for i, r in enumerate(F3A_ROWS):
        assert texts[f"study_{i}_label"] == r[0]
        assert texts[f"study_{i}_int_mean"] == r[1]
        assert texts[f"study_{i}_int_sd"] == r[2]
        assert texts[f"study_{i}_int_n"] == str(r[3])
        assert texts[f"study_{i}_ctl_mean"] == r[4]
        assert texts[f"study_{i}_ctl_n"] == str(r[6])
        assert texts[f"study_{i}_weight"] == f"{r[10]:.1f}%"
        assert numbers(texts[f"study_{i}_effect"]) == [round(v, 2) for v in r[7:10]]
    # rows drawn top to bottom in the given order, the total below them
    ys = {text: y for text, y in svg_all_texts(f3a_svg)}
    order = [ys[r[0]] for r in F3A_ROWS] + [ys["Total (95% CI)"]]
    assert order == sorted(order)


def test_f3a_tan_is_clipped_with_an_arrow() -> None:
    """Tan 2016 (6.90 [5.44, 8.36]) lies outside the automatic axis: arrow, no square."""
    fig = build_forest_figure(f3a())
    ax = fig.axes[0]
    tick_texts = {t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("tick_")}
    assert tick_texts == {f"{MINUS}5", f"{MINUS}2.5", "0", "2.5", "5"}
    right_edge = max(t.get_position()[0] for t in ax.texts if t.get_gid() == "tick_4")
    arrows = [
        p
        for p in ax.patches
        if isinstance(p, Polygon)
        and len(p.get_xy()) == 4
        and abs(p.get_xy()[0][0] - right_edge) < 1e-6
    ]
    assert arrows, "no arrow at the right edge for Tan 2016"
    squares = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_zorder() == 3]
    assert len(squares) == len(F3A_ROWS) - 1  # every study but Tan


def test_squares_grow_with_weight() -> None:
    fig = build_forest_figure(subgroup_case())
    squares = sorted(
        (p for p in fig.axes[0].patches if isinstance(p, Rectangle) and p.get_zorder() == 3),
        key=lambda p: p.get_width(),
    )
    # weights 8.9 < 23.1 < 31.4 < 36.6 -> strictly growing sides, area ~ weight
    sides = [p.get_width() for p in squares]
    assert sides == sorted(set(sides))
    assert sides[-1] ** 2 / sides[0] ** 2 == pytest.approx(36.6 / 8.9, rel=1e-6)


def test_fixed_effect_has_no_tau2_and_kh_shows_t(tmp_path: Path) -> None:
    fe = ForestPooled(0.21, 0.15, 0.27, "fixed", None, 45.67, 10, 1e-6, 78.0, 6.9, "z", 1e-11)
    svg = render_svg(ForestData(studies=f3a_studies(), pooled=fe), tmp_path, "fe")
    body = svg.read_text(encoding="utf-8")
    assert "Tau\u00b2" not in body
    assert "IV, Fixed, 95% CI" in body
    kh = ForestPooled(0.89, -0.21, 1.99, "random", 2.07, 111.27, 10, 1e-18, 91.0, 1.80, "t", 0.1)
    texts = svg_texts(render_svg(ForestData(studies=f3a_studies(), pooled=kh), tmp_path, "kh"))
    assert texts["total_overall"] == "Test for overall effect: t = 1.80 (P = 0.10)"
    assert texts["total_heterogeneity"].startswith("Heterogeneity: Tau\u00b2 = 2.07; ")


def test_subgroup_plot(tmp_path: Path) -> None:
    data = subgroup_case()
    texts = svg_texts(render_svg(data, tmp_path))
    assert texts["subgroup_0"] == "1.1.1 Treatment as usual"
    assert texts["subgroup_1"] == "1.1.2 Active comparator"
    assert texts["subtotal_0_label"] == "Subtotal (95% CI)"
    assert texts["subtotal_0_effect"] == "0.24 [0.05, 0.43]"
    assert texts["subtotal_0_weight"] == "76.9%"  # 8.9 + 31.4 + 36.6
    assert texts["subtotal_0_int_n"] == "240"
    assert texts["subtotal_0_heterogeneity"] == (
        "Heterogeneity: Chi\u00b2 = 0.52, df = 2 (P = 0.77); I\u00b2 = 0%"
    )
    assert texts["subtotal_0_overall"] == "Test for overall effect: Z = 2.45 (P = 0.01)"
    assert texts["subtotal_1_heterogeneity"] == "Heterogeneity: Not applicable"
    assert texts["subtotal_1_weight"] == "23.1%"
    assert texts["total_weight"] == "100.0%"
    # P = 0.0098 rounds to 0.01 at two decimals
    assert texts["total_overall"] == "Test for overall effect: Z = 2.58 (P = 0.01)"
    assert texts["subgroup_test"] == (
        "Test for subgroup differences: Chi\u00b2 = 0.25, df = 1 (P = 0.62), I\u00b2 = 0%"
    )
    # a converted effect shows where it came from, not blank means
    assert texts["study_1_source"] == f"MD 1.90 ({MINUS}0.85 to 4.65) (n = 116 vs 71)"
    assert "study_1_int_mean" not in texts and "study_1_int_n" not in texts


def test_risk_of_bias_dots_and_legend(tmp_path: Path) -> None:
    data = subgroup_case(rob=True)
    fig = build_forest_figure(data)
    ax = fig.axes[0]
    symbols = [t.get_text() for t in ax.texts if t.get_text() in {"+", "?", MINUS}]
    # 4 studies x (+, ?, -, +, +, ?, -)
    assert symbols == ["+", "?", MINUS, "+", "+", "?", MINUS] * 4
    colours = [p.get_facecolor() for p in ax.patches if p.__class__.__name__ == "Circle"]
    assert len(colours) == 28
    texts = svg_texts(style.save_figure(fig, tmp_path / "rob.svg"))
    assert texts["rob_legend_A"] == "(A) Random sequence generation (selection bias)"
    assert texts["rob_legend_G"] == "(G) Other bias"
    assert overlapping_texts(fig) == []


# ---------------------------------------------------------------------------------------
# Stress cases: nothing overlaps, nothing leaves the figure
# ---------------------------------------------------------------------------------------


def stress_studies(k: int, seed: int = 1) -> tuple[ForestStudy, ...]:
    rnd = random.Random(seed)
    out = []
    for i in range(k):
        yi, se = rnd.gauss(0.2, 0.6), rnd.uniform(0.1, 0.5)
        if i == 7:
            yi, se = 25.0, 2.0  # far right of the axis
        if i == 33:
            yi, se = -40.0, 3.0  # far left
        label = f"{i:02d} " + "Very-long-author-name-et-al " * 3 if i % 9 == 0 else f"Author{i}"
        out.append(
            ForestStudy(
                label[:60],
                round(rnd.uniform(-50, 50), 2),
                round(rnd.uniform(1, 30), 2),
                rnd.randint(5, 3000),
                round(rnd.uniform(-50, 50), 2),
                round(rnd.uniform(1, 30), 2),
                rnd.randint(5, 3000),
                None,
                yi,
                yi - 1.96 * se,
                yi + 1.96 * se,
                100 / k,
            )
        )
    return tuple(out)


FE = ForestPooled(0.21, 0.15, 0.27, "fixed", None, 812.4, 59, 1e-12, 92.7, 6.9, "z", 1e-11)


def stress_cases() -> dict[str, ForestData]:
    single = ForestStudy(
        "Dalum 2018", "46.4", "9.8", 99, "44", "10.2", 99, None, 0.24, -0.04, 0.52, 100.0
    )
    k60 = stress_studies(60)
    groups = tuple(
        ForestSubgroup(
            f"1.{g + 1} Subgroup {g + 1}",
            k60[g * 6 : (g + 1) * 6],
            ForestPooled(
                0.1 * g - 0.3,
                0.1 * g - 0.5,
                0.1 * g - 0.1,
                "random",
                0.031 * g,
                12.3,
                5,
                0.04,
                35.0,
                2.1,
                "t",
                0.05,
            ),
        )
        for g in range(10)
    )
    return {
        "k1": ForestData(
            studies=(single,),
            pooled=ForestPooled(
                0.24, -0.04, 0.52, "fixed", None, 0.0, 0, None, None, 1.68, "z", 0.093
            ),
        ),
        "k60_long_labels_out_of_range": ForestData(
            studies=k60,
            pooled=FE,
            measure="MD",
            favours_left="Favours [a very long name of the experimental intervention]",
        ),
        "many_subgroups": ForestData(
            subgroups=groups,
            pooled=FE,
            measure="MD",
            subgroup_test=SubgroupTest(24.5, 9, 0.0036, 63.3),
        ),
        "no_pooling_title": ForestData(studies=k60[:3], title="A title " * 20),
        "odds_ratio_log_axis": ForestData(
            studies=(
                ForestStudy("A", yi=0.5, ci_low=0.2, ci_high=1.25, weight=40.0),
                ForestStudy("B", yi=30.0, ci_low=10.0, ci_high=90.0, weight=60.0),
            ),
            pooled=ForestPooled(1.8, 0.9, 3.6, "random", 0.4, 3.1, 1, 0.08, 68.0, 1.6, "z", 0.11),
            measure="OR",
        ),
    }


@pytest.mark.parametrize("name", list(stress_cases()))
def test_stress_layout_has_no_overlapping_text(name: str) -> None:
    fig = build_forest_figure(stress_cases()[name])
    assert overlapping_texts(fig) == []
    assert texts_outside(fig) == []


def test_k60_rows_all_present_and_ordered(tmp_path: Path) -> None:
    data = stress_cases()["k60_long_labels_out_of_range"]
    texts = svg_texts(render_svg(data, tmp_path))
    for i, s in enumerate(data.studies):
        assert texts[f"study_{i}_label"] == s.label
        assert len(s.label) == 60 or not s.label.startswith(f"{i:02d} ")
    ys = {text: y for text, y in svg_all_texts(tmp_path / "forest.svg")}
    assert [ys[s.label] for s in data.studies] == sorted(ys[s.label] for s in data.studies)
    assert "Tau\u00b2" not in (tmp_path / "forest.svg").read_text(encoding="utf-8")


def test_log_axis_for_ratios() -> None:
    fig = build_forest_figure(stress_cases()["odds_ratio_log_axis"])
    ticks = [t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("tick_")]
    assert "1" in ticks and ticks == [f"{v:g}" for v in sorted(float(t) for t in ticks)]
    header = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "header_measure"]
    assert header == ["Odds Ratio"]


# ---------------------------------------------------------------------------------------
# Output files
# ---------------------------------------------------------------------------------------


def test_plot_forest_writes_identical_bytes_twice(tmp_path: Path) -> None:
    first = plot_forest(f3a(), tmp_path / "a" / "f3a")
    second = plot_forest(f3a(), tmp_path / "b" / "f3a")
    assert [p.suffix for p in first] == [".svg", ".png", ".pdf"]
    for a, b in zip(first, second, strict=True):
        assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    svg = first[0].read_text(encoding="utf-8")
    assert "<text" in svg and "0.89 [" in svg  # text kept as text, searchable
    with Image.open(first[1]) as png:
        assert png.info["dpi"] == pytest.approx((300, 300), abs=0.5)


def test_layout_checks_catch_overlap_and_overflow() -> None:
    """The checks the stress tests rely on do fail on a bad layout."""
    fig = style.new_figure(2.0, 1.0)
    fig.text(0.5, 0.5, "Heterogeneity: Not applicable")
    fig.text(0.55, 0.5, "0.89 [-0.03, 1.81]")
    fig.text(0.98, 0.1, "sticks out of the figure")
    assert ("Heterogeneity: Not applicable", "0.89 [-0.03, 1.81]") in overlapping_texts(fig)
    assert "sticks out of the figure" in texts_outside(fig)


def test_not_estimable_study_and_no_total(tmp_path: Path) -> None:
    data = ForestData(
        studies=(
            ForestStudy("Lin 2013", "51.6", None, 48, "49.2", None, 49),  # SDs missing
            ForestStudy("Dalum 2018", "46.4", "9.8", 99, "44", "10.2", 99, None, 0.24, -0.04, 0.52),
        )
    )
    fig = build_forest_figure(data)
    squares = [p for p in fig.axes[0].patches if isinstance(p, Rectangle) and p.get_zorder() == 3]
    assert len(squares) == 1
    assert overlapping_texts(fig) == []
    texts = svg_texts(style.save_figure(fig, tmp_path / "ne.svg"))
    assert texts["study_0_effect"] == "Not estimable"
    assert "study_0_int_sd" not in texts and texts["study_0_int_mean"] == "51.6"
    assert "total_label" not in texts and "total_heterogeneity" not in texts
