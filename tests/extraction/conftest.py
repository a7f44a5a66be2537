"""Small, valid extraction tables for the tests of srma.extraction.

Each test copies one of them and breaks it on purpose.  Tables are frames of
strings, as :func:`srma.io.tables.read_table` returns them; data row ``i``
(0-based) is spreadsheet row ``i + 2``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from srma.extraction import ExtractionSettings, outcome_specs

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared").resolve()
EXAMPLE = REPO / "data" / "extraction"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


OUTCOMES_CONFIG = [
    {
        "id": "recovery",
        "label": "Recovery",
        "combine": "aggregate",
        "rho": 0.6,
        "instruments": [
            {"id": "scale_a", "label": "Scale A", "higher_is_better": True},
            {"id": "scale_b", "label": "Scale B", "higher_is_better": True},
        ],
    },
    {
        "id": "symptoms",
        "label": "Symptoms",
        "combine": "priority",
        "instruments": [
            {"id": "panss", "label": "PANSS", "higher_is_better": False},
            {"id": "bprs", "label": "BPRS", "higher_is_better": False},
        ],
    },
]


def frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        [{c: "" if r.get(c) is None else str(r.get(c)) for c in columns} for r in rows],
        columns=columns,
        dtype=str,
    )


STUDY_COLUMNS = [
    "study_id",
    "label",
    "reports",
    "year",
    "country",
    "design",
    "arms",
    "intervention",
    "comparator",
    "comparator_type",
    "n_randomised_intervention",
    "n_randomised_comparator",
    "source",
]
STUDY_A = {
    "study_id": "alpha2019",
    "label": "Alpha 2019",
    "reports": "W1; doi:10.5555/a",
    "year": 2019,
    "country": "Norway",
    "design": "RCT",
    "arms": 2,
    "intervention": "IMR",
    "comparator": "TAU",
    "comparator_type": "tau",
    "n_randomised_intervention": 40,
    "n_randomised_comparator": 40,
    "source": "paper: Table 1",
}
STUDY_B = {
    **STUDY_A,
    "study_id": "beta2020",
    "label": "Beta 2020",
    "reports": "W2",
    "year": 2020,
    "comparator_type": "wl",
    "n_randomised_intervention": 30,
    "n_randomised_comparator": 31,
}

DATA_COLUMNS = [
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
    "p",
    "direction",
    "no_usable_data",
    "source",
]
ROW_A1 = {
    "study_id": "alpha2019",
    "outcome": "recovery",
    "instrument": "scale_a",
    "timepoint": "post",
    "population": "cc",
    "n_intervention": 36,
    "mean_intervention": 55.2,
    "sd_intervention": 8.1,
    "n_comparator": 35,
    "mean_comparator": 51.0,
    "sd_comparator": 7.9,
    "source": "paper: Table 2",
}
ROW_A2 = {
    **ROW_A1,
    "instrument": "scale_b",
    "mean_intervention": 3.4,
    "sd_intervention": 0.7,
    "mean_comparator": 3.1,
    "sd_comparator": 0.8,
}
ROW_B1 = {
    "study_id": "beta2020",
    "outcome": "recovery",
    "instrument": "scale_a",
    "timepoint": "post",
    "population": "cc",
    "n_intervention": 28,
    "n_comparator": 29,
    "md": 2.5,
    "md_ci_low": -0.5,
    "md_ci_high": 5.5,
    "source": "paper: Results",
}
ROW_A_SYMPTOMS = {
    "study_id": "alpha2019",
    "outcome": "symptoms",
    "instrument": "panss",
    "timepoint": "post",
    "population": "cc",
    "n_intervention": 36,
    "mean_intervention": 60.0,
    "sd_intervention": 10.0,
    "n_comparator": 35,
    "mean_comparator": 65.0,
    "sd_comparator": 11.0,
    "source": "paper: Table 3",
}
ROW_A_SYMPTOMS_BPRS = {
    **ROW_A_SYMPTOMS,
    "instrument": "bprs",
    "mean_intervention": 40.0,
    "mean_comparator": 38.0,
    "sd_intervention": 9.0,
    "sd_comparator": 9.0,
}
ROW_B_NUD = {
    "study_id": "beta2020",
    "outcome": "symptoms",
    "instrument": "",
    "timepoint": "post",
    "population": "cc",
    "no_usable_data": "only reported as 'no difference'",
    "source": "paper: Results",
}

ROB_COLUMNS = ["study_id", "outcome", "tool", "domain", "judgement", "support", "source"]
ROB1_DOMAINS = [
    "random_sequence_generation",
    "allocation_concealment",
    "blinding_participants_personnel",
    "blinding_outcome_assessment",
    "incomplete_outcome_data",
    "selective_reporting",
    "other_bias",
]
ROB2_DOMAINS = [
    "randomisation_process",
    "deviations_from_intended_interventions",
    "missing_outcome_data",
    "measurement_of_the_outcome",
    "selection_of_the_reported_result",
    "overall",
]


def rob_rows(study: str, tool: str = "rob1", judgement: str = "low") -> list[dict[str, object]]:
    domains = ROB1_DOMAINS if tool == "rob1" else ROB2_DOMAINS
    return [
        {
            "study_id": study,
            "tool": tool,
            "domain": d,
            "judgement": judgement,
            "support": "quote: 'computer-generated list'",
            "source": "paper",
        }
        for d in domains
    ]


@pytest.fixture
def specs():
    return outcome_specs(OUTCOMES_CONFIG)


@pytest.fixture
def settings():
    return ExtractionSettings()


@pytest.fixture
def studies() -> pd.DataFrame:
    return frame([STUDY_A, STUDY_B], STUDY_COLUMNS)


@pytest.fixture
def outcome_data() -> pd.DataFrame:
    return frame(
        [ROW_A1, ROW_A2, ROW_B1, ROW_A_SYMPTOMS, ROW_A_SYMPTOMS_BPRS, ROW_B_NUD], DATA_COLUMNS
    )


@pytest.fixture
def risk_of_bias() -> pd.DataFrame:
    return frame(rob_rows("alpha2019") + rob_rows("beta2020", "rob2"), ROB_COLUMNS)


@pytest.fixture
def shared() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is not beside the repository")
    return SHARED
