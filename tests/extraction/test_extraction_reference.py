"""The example's effect sizes, aggregation and pooling pinned to R metafor 3.8-1.

Reference values: tests/r/make_extraction_reference.R (the R calls are in its header and in
the "call" entries of tests/data/reference/extraction_reference.json).
"""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import EXAMPLE, REPO

from srma.config import load_config
from srma.extraction import (
    ExtractionSettings,
    load_extraction,
    outcome_effects,
    outcome_specs,
    usable_effects,
)
from srma.pooling import pool

REF_FILE = REPO / "tests" / "data" / "reference" / "extraction_reference.json"
REF = json.loads(REF_FILE.read_text())
# Closed forms (escalc, aggregate, the FE fit, the MD/CI conversion): the same formulas in
# double precision, so agreement to 1e-10 relative (rounding of the 15 digits written to
# JSON and a different order of summation).  REML: metafor was run to threshold 1e-12 and
# srma converges to 1e-10 relative, so 1e-7 relative leaves room for the Fisher scoring's
# last step on both sides.
CLOSED = 1e-10
ITERATIVE = 1e-7


@pytest.fixture(scope="module")
def effects():
    digest = hashlib.md5((EXAMPLE / "outcomes.csv").read_bytes()).hexdigest()
    if digest != REF["outcomes_md5"]:
        pytest.fail(
            "data/extraction/outcomes.csv changed: run "
            "`Rscript tests/r/make_extraction_reference.R` to refresh the reference"
        )
    config = load_config(REPO / "config" / "config.yaml", review_dir=REPO)
    specs = outcome_specs(config["outcomes"])
    settings = ExtractionSettings.from_config(config["extraction"])
    ex = load_extraction(
        EXAMPLE / "studies.csv", EXAMPLE / "outcomes.csv", outcomes=specs, settings=settings
    )
    return {
        o: outcome_effects(ex.studies, ex.outcome_data, specs[o], settings)
        for o in ("personal_recovery", "substance_abuse")
    }


def _cell(effects, outcome):
    eff = effects[outcome]
    return usable_effects(eff[(eff["timepoint"] == "post") & (eff["population"] == "cc")])


def test_aggregated_study_effects_match_metafor(effects):
    # aggregate(escalc("SMD", ...), cluster = study_id, rho = 0.6)
    ours = _cell(effects, "personal_recovery").set_index("study_id")
    ref = REF["personal_recovery_post_cc"]["studies"]
    assert sorted(ours.index) == sorted(r["study_id"] for r in ref)
    for r in ref:
        assert ours.loc[r["study_id"], "yi"] == pytest.approx(r["yi"], rel=CLOSED, abs=1e-12)
        assert ours.loc[r["study_id"], "vi"] == pytest.approx(r["vi"], rel=CLOSED)


def test_pooled_personal_recovery_matches_metafor(effects):
    rows = _cell(effects, "personal_recovery").sort_values("study_id")
    ref = REF["personal_recovery_post_cc"]
    # rma(yi, vi, data = agg, method = "REML", control = list(threshold = 1e-12))
    reml = pool(rows["yi"], rows["vi"], method="REML", ci_tau2=False)
    for key in ("estimate", "se", "ci_low", "ci_high", "tau2", "i2"):
        assert getattr(reml, key) == pytest.approx(ref["reml"][key], rel=ITERATIVE), key
    assert reml.q == pytest.approx(ref["reml"]["q"], rel=CLOSED)
    # rma(yi, vi, data = agg, method = "FE")
    fe = pool(rows["yi"], rows["vi"], method="FE")
    for key in ("estimate", "se", "ci_low", "ci_high", "q", "i2"):
        assert getattr(fe, key) == pytest.approx(ref["fe"][key], rel=CLOSED), key


def test_reversed_scale_and_md_ci_conversion_match_metafor(effects):
    # -escalc("SMD", ...); Roosenschoon from its MD and 95% CI (t quantile, n1 + n2 - 2 df)
    rows = _cell(effects, "substance_abuse").set_index("study_id")
    ref = REF["substance_abuse_post_cc"]
    for r in ref["studies"]:
        assert rows.loc[r["study_id"], "yi"] == pytest.approx(r["yi"], rel=CLOSED)
        assert rows.loc[r["study_id"], "vi"] == pytest.approx(r["vi"], rel=CLOSED)
    fe = pool(rows["yi"], rows["vi"], method="FE")
    # rma(yi, vi, data = sa, method = "FE")
    assert fe.estimate == pytest.approx(ref["fe"]["estimate"], rel=CLOSED)
    assert fe.ci_low == pytest.approx(ref["fe"]["ci_low"], rel=CLOSED)
    assert fe.estimate > 0  # less substance use under IMR favours IMR
