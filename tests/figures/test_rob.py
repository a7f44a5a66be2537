"""Risk-of-bias figures: vocabulary, proportions, traffic light, summary bars, layout, bytes."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Circle, Rectangle

from srma.errors import InputError
from srma.figures import style
from srma.figures.forest import overlapping_texts, texts_outside
from srma.figures.rob import (
    ROB1_DOMAINS,
    ROB2_DOMAINS,
    RobData,
    RobStudy,
    build_rob_summary_figure,
    build_rob_traffic_light_figure,
    domain_proportions,
    judgement_label,
    normalise_judgement,
    percent_labels,
    plot_rob_summary,
    plot_rob_traffic_light,
)

SVG = "{http://www.w3.org/2000/svg}"

# robvis "cochrane" colours (robvis R/helpers.R, get_colour)
LOW, CONCERNS, HIGH, NO_INFO = "#02c100", "#e2df07", "#bf0000", "#4ea1f7"

ROB1_STUDIES = (
    RobStudy(
        "Muralidharan 2019",
        ("Low risk", "Unclear risk", "High risk", "Low risk", "Low risk", "Low risk", "Low risk"),
        "Unclear risk",
        9.3,
    ),
    RobStudy("Tan 2016", ("Low", "Unclear", "High", "High", "Low", "Unclear", "Low"), "High", 7.9),
    RobStudy("Levitt 2009", ("+", "?", "-", "+", "+", "+", "+"), "Low", 9.2),
    RobStudy("Färdig 2011", ("low", "low", "high", "low", None, "low", "low"), "Low risk", 9.1),
)
ROB2_STUDIES = (
    RobStudy("Study 1", ("Low", "Some concerns", "High", "No information", "Low"), "High", 2.0),
    RobStudy("Study 2", ("Low", "Low", "Low", "Low", "Low"), "Low", 6.0),
)


def svg_texts(path: Path) -> dict[str, str]:
    root = ET.parse(path).getroot()
    out = {}
    for g in root.iter(f"{SVG}g"):
        t = g.find(f"{SVG}text")
        if t is not None and g.get("id"):
            out[g.get("id")] = "".join(t.itertext())
    return out


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Low risk", "low"),
        ("LOW", "low"),
        ("+", "low"),
        ("Unclear risk", "unclear"),
        ("?", "unclear"),
        ("Some concerns", "some_concerns"),
        ("some_concerns", "some_concerns"),
        ("High risk", "high"),
        ("high-risk", "high"),
        ("-", "high"),
        ("No information", "no_information"),
        ("", None),
        (None, None),
    ],
)
def test_normalise_judgement(text: str | None, code: str | None) -> None:
    assert normalise_judgement(text) == code


def test_unknown_judgement_is_an_input_error_with_place_and_hint() -> None:
    with pytest.raises(InputError) as info:
        RobData((RobStudy("Tan 2016", ("Low", "maybe", "Low", "Low", "Low")),), tool="rob2")
    message = str(info.value)
    assert "row 1" in message and "'D2'" in message and "'maybe'" in message
    assert "Some concerns" in message


def test_wrong_number_of_judgements_is_reported() -> None:
    with pytest.raises(InputError, match="3 judgements for 7 domains"):
        RobData((RobStudy("A", ("Low", "Low", "Low")),))


def test_labels_per_tool() -> None:
    assert [judgement_label(c, "rob1") for c in ("low", "unclear", "high")] == [
        "Low risk",
        "Unclear risk",
        "High risk",
    ]
    assert [judgement_label(c, "rob2") for c in ("low", "some_concerns", "high")] == [
        "Low",
        "Some concerns",
        "High",
    ]
    assert len(ROB1_DOMAINS) == 7 and len(ROB2_DOMAINS) == 5
    assert RobData(ROB1_STUDIES).short_labels == ("D1", "D2", "D3", "D4", "D5", "D6", "D7")


def test_domain_proportions_unweighted_and_weighted() -> None:
    data = RobData(ROB1_STUDIES)
    shares = dict(domain_proportions(data))
    # D3 (blinding of participants): high, high, high, high
    assert shares[ROB1_DOMAINS[2]] == {"high": 1.0}
    # D2: unclear, unclear, unclear, low -> 3/4 unclear (drawn as "some_concerns" colour)
    assert shares[ROB1_DOMAINS[1]] == pytest.approx({"low": 0.25, "some_concerns": 0.75})
    # D5: one study not assessed -> shares over the three assessed
    assert shares[ROB1_DOMAINS[4]] == {"low": 1.0}
    assert shares["Overall risk of bias"] == pytest.approx(
        {"low": 0.5, "some_concerns": 0.25, "high": 0.25}
    )
    weighted = dict(domain_proportions(data, weighted=True))
    total = 9.3 + 7.9 + 9.2 + 9.1
    assert weighted["Overall risk of bias"] == pytest.approx(
        {"low": (9.2 + 9.1) / total, "some_concerns": 9.3 / total, "high": 7.9 / total}
    )
    with pytest.raises(ValueError, match="positive weight"):
        domain_proportions(RobData((RobStudy("A", ("Low",) * 7),)), weighted=True)


def test_percent_labels_add_up_to_100() -> None:
    assert percent_labels({"low": 1 / 3, "some_concerns": 1 / 3, "high": 1 / 3}) == {
        "low": 34,
        "some_concerns": 33,
        "high": 33,
    }
    # 18.6 / 32.5 / 48.9: plain rounding gives 101; the largest remainders get the points
    shares = {"low": 0.186, "some_concerns": 0.325, "high": 0.489}
    assert percent_labels(shares) == {"low": 19, "some_concerns": 32, "high": 49}


def test_traffic_light_cells_colours_and_symbols(tmp_path: Path) -> None:
    data = RobData(ROB2_STUDIES, tool="rob2")
    fig = build_rob_traffic_light_figure(data)
    ax = fig.axes[0]
    cells = {t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("cell_")}
    # robvis symbols: + low, - some concerns, x high, ? no information; Overall is column 5
    assert [cells[f"cell_0_{j}"] for j in range(6)] == ["+", "\u2212", "\u00d7", "?", "+", "\u00d7"]
    assert [cells[f"cell_1_{j}"] for j in range(6)] == ["+"] * 6
    big = [p for p in ax.patches if isinstance(p, Circle) and p.get_radius() == 8.0]
    assert [to_hex(p.get_facecolor()) for p in big[:6]] == [LOW, CONCERNS, HIGH, NO_INFO, LOW, HIGH]
    # Overall column sits on a grey panel
    panels = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert "#d3d3d3" in {to_hex(p.get_facecolor()) for p in panels}
    texts = svg_texts(style.save_figure(fig, tmp_path / "tl.svg"))
    assert texts["header_domains"] == "Risk of bias domains"
    assert [texts[f"header_{j}"] for j in range(6)] == ["D1", "D2", "D3", "D4", "D5", "Overall"]
    assert texts["study_0"] == "Study 1"
    assert texts["caption_1"] == "D1: Bias arising from the randomization process."
    assert [
        texts[k]
        for k in ("legend_high", "legend_some_concerns", "legend_low", "legend_no_information")
    ] == ["High", "Some concerns", "Low", "No information"]


def test_traffic_light_rob1_vocabulary_and_missing_cell() -> None:
    fig = build_rob_traffic_light_figure(RobData(ROB1_STUDIES))
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("legend_")]
    assert legend == ["Judgement", "High risk", "Unclear risk", "Low risk"]
    gids = {t.get_gid() for t in ax.texts}
    assert "cell_3_4" not in gids  # Färdig 2011, D5 not assessed: empty cell
    assert "cell_3_3" in gids


def test_summary_bars_equal_proportions(tmp_path: Path) -> None:
    data = RobData(ROB1_STUDIES)
    fig = build_rob_summary_figure(data)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Overall risk of bias", *reversed(ROB1_DOMAINS)]
    assert ax.get_yticklabels()[0].get_fontweight() == "bold"
    # the D2 bar (second from top, y = 7 - 1 = 6): 25% low then 75% unclear
    bars = sorted(
        (p for p in ax.patches if isinstance(p, Rectangle) and abs(p.get_y() + 0.35 - 6) < 1e-9),
        key=lambda p: p.get_x(),
    )
    assert [round(p.get_width(), 9) for p in bars] == [25.0, 75.0]
    assert [to_hex(p.get_facecolor()) for p in bars] == [LOW, CONCERNS]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Low risk", "Unclear risk", "High risk"]
    texts = svg_texts(style.save_figure(fig, tmp_path / "summary.svg"))
    assert texts["share_1_low"] == "25%" and texts["share_1_some_concerns"] == "75%"
    assert texts["share_7_low"] == "50%"


def test_weighted_summary_differs_from_unweighted() -> None:
    data = RobData(ROB2_STUDIES, tool="rob2")
    weighted = build_rob_summary_figure(data, weighted=True)
    overall = [
        p
        for p in weighted.axes[0].patches
        if isinstance(p, Rectangle) and abs(p.get_y() + 0.35) < 1e-9
    ]
    # Overall: Study 1 high (weight 2), Study 2 low (weight 6) -> 75% low, 25% high
    assert sorted(round(p.get_width(), 9) for p in overall) == [25.0, 75.0]
    assert "weighted" in weighted.axes[0].get_xlabel()


def many_studies(n: int) -> RobData:
    vocab = ("Low", "Some concerns", "High", "No information")
    studies = tuple(
        RobStudy(
            (f"Study {i} " + "with a very long label indeed " * 3)[:60] if i % 5 == 0 else f"S{i}",
            tuple(vocab[(i + j) % 4] for j in range(5)),
            vocab[i % 3],
            weight=1.0 + i,
        )
        for i in range(n)
    )
    return RobData(studies, tool="rob2")


@pytest.mark.parametrize("n", [1, 60])
def test_stress_layout(n: int) -> None:
    data = many_studies(n)
    for fig in (
        build_rob_traffic_light_figure(data),
        build_rob_summary_figure(data, weighted=True),
    ):
        assert overlapping_texts(fig) == []
        assert texts_outside(fig) == []


def test_identical_bytes_twice(tmp_path: Path) -> None:
    data = RobData(ROB1_STUDIES)
    for plot in (plot_rob_traffic_light, plot_rob_summary):
        first = plot(data, tmp_path / "a" / plot.__name__)
        second = plot(data, tmp_path / "b" / plot.__name__)
        assert len(first) == 3
        for a, b in zip(first, second, strict=True):
            assert (
                hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
            )
