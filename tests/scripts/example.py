"""Run the workflow scripts' ``main`` in-process, as their rules call them, on the example review.

No Snakemake: each script is loaded from ``scripts/`` and given what its rule's ``input``,
``output`` and ``params`` would hold (plain namespaces and lists), so a test can break one
input, or one library call, and watch the script refuse to write.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import asdict
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts"
LOG = logging.getLogger("srma.test_scripts")
#: The extraction settings a rule passes as params (common.smk: EXTRACTION_SETTINGS).
NOT_SETTINGS = ("studies", "outcome_data", "risk_of_bias", "included_studies", "check_included")


def load_script(name: str) -> ModuleType:
    """A fresh module of ``scripts/<name>.py`` (its ``__main__`` block does not run)."""
    spec = importlib.util.spec_from_file_location(f"srma_script_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def example_config() -> dict[str, Any]:
    from srma.config import load_config

    return load_config(REPO / "config" / "config.yaml", review_dir=REPO)


def _existing(path: str) -> list[Path]:
    p = REPO / path
    return [p] if p.exists() else []


class Review:
    """The example review's inputs and where each step writes under ``results``."""

    def __init__(self, results: Path) -> None:
        self.config = example_config()
        self.results = results
        self.sources = {s["id"]: s for s in self.config["sources"]}
        self.outcomes = {o["id"]: o for o in self.config["outcomes"]}

    # ------------------------------------------------------------------ paths

    def records(self, source: str) -> Path:
        return self.results / "records" / f"{source}.parquet"

    def rejected(self, source: str) -> Path:
        return self.results / "records" / f"{source}.rejected.csv"

    def dedup(self, what: str) -> Path:
        names = {"uncertain": "uncertain_pairs.csv", "stale": "stale_decisions.csv"}
        return (
            self.results
            / "dedup"
            / names.get(what, f"{what}.{'parquet' if what == 'works' else 'csv'}")
        )

    def screening(self, what: str) -> Path:
        names = {
            "reasons": "exclusion_reasons",
            "reports": "included_reports",
            "studies": "included_studies",
        }
        return self.results / "screening" / f"{names.get(what, what)}.csv"

    def outcome_data(self, outcome: str) -> Path:
        return self.results / "extraction" / f"{outcome}.outcome_data.csv"

    def effects(self, outcome: str) -> Path:
        return self.results / "extraction" / f"{outcome}.effects.parquet"

    def pooled(self, outcome: str, timepoint: str, population: str) -> Path:
        return self.results / "pooled" / f"{outcome}.{timepoint}.{population}.pooled.json"

    # ------------------------------------------------------------------ steps

    def import_source(self, source: str) -> None:
        load_script("import_source").main(
            REPO / self.sources[source]["path"],
            self.records(source),
            self.rejected(source),
            self.sources[source],
            LOG,
        )

    def dedup_io(self) -> tuple[SimpleNamespace, SimpleNamespace, dict[str, str]]:
        inputs = SimpleNamespace(
            records=[self.records(s) for s in sorted(self.sources)],
            decisions=_existing(self.config["dedup"]["decisions"]),
        )
        names = ("works", "duplicates", "uncertain", "stale", "counts")
        outputs = SimpleNamespace(**{n: self.dedup(n) for n in names})
        streams = {sid: src["stream"] for sid, src in self.sources.items()}
        return inputs, outputs, streams

    def screening_io(self) -> tuple[SimpleNamespace, SimpleNamespace, dict[str, Any]]:
        s = self.config["screening"]
        inputs = SimpleNamespace(
            works=self.dedup("works"),
            logs=[REPO / p for p in s["logs"] if (REPO / p).exists()],
            consensus=_existing(s["consensus"]),
            studies=_existing(s["studies"]),
        )
        names = ("decisions", "agreement", "reasons", "reports", "studies")
        outputs = SimpleNamespace(**{n: self.screening(n) for n in names})
        rules = {
            "reviewers": dict(s["reviewers"]),
            "maybe_counts_as_include": s["maybe_counts_as_include"],
            "allow_pending": s["allow_pending"],
            "not_retrieved_reasons": list(s["not_retrieved_reasons"]),
        }
        return inputs, outputs, rules

    def prisma_io(self) -> tuple[SimpleNamespace, SimpleNamespace, SimpleNamespace]:
        inputs = SimpleNamespace(
            dedup_counts=self.dedup("counts"),
            rejected=[self.rejected(s) for s in sorted(self.sources)],
            decisions=self.screening("decisions"),
            studies=self.screening("studies"),
        )
        outputs = SimpleNamespace(counts=self.results / "prisma" / "counts.csv")
        params = SimpleNamespace(
            databases={sid: src["database"] for sid, src in self.sources.items()},
            streams={sid: src["stream"] for sid, src in self.sources.items()},
        )
        return inputs, outputs, params

    @property
    def extraction_settings(self) -> dict[str, Any]:
        return {k: v for k, v in self.config["extraction"].items() if k not in NOT_SETTINGS}

    def split_io(self) -> tuple[SimpleNamespace, list[Path], list[dict[str, Any]]]:
        ex = self.config["extraction"]
        inputs = SimpleNamespace(
            studies=REPO / ex["studies"],
            outcome_data=REPO / ex["outcome_data"],
            included=[self.screening("studies")] if ex["check_included"] else [],
        )
        outputs = [self.outcome_data(o) for o in sorted(self.outcomes)]
        return inputs, outputs, [self.outcomes[o] for o in sorted(self.outcomes)]

    def extract_outcome(self, outcome: str, module: ModuleType | None = None) -> None:
        inputs = SimpleNamespace(
            studies=REPO / self.config["extraction"]["studies"],
            outcome_data=self.outcome_data(outcome),
        )
        (module or load_script("extract_outcome")).main(
            inputs, self.effects(outcome), self.outcomes[outcome], self.extraction_settings, LOG
        )

    def analyses(self, outcome: str) -> list[tuple[str, str]]:
        table = pd.read_parquet(self.effects(outcome))
        return sorted(set(zip(table["timepoint"], table["population"], strict=True)))

    def pool_analysis(
        self, outcome: str, timepoint: str, population: str, module: ModuleType | None = None
    ) -> None:
        from srma.analysis import AnalysisSettings

        plan = AnalysisSettings.from_config(self.config["analysis"], outcome, timepoint, population)
        settings = {**asdict(plan), "subgroup_by": list(plan.subgroup_by)}
        wildcards = SimpleNamespace(outcome=outcome, timepoint=timepoint, population=population)
        measure = self.outcomes[outcome].get("measure", "SMD")
        (module or load_script("pool_analysis")).main(
            self.effects(outcome),
            self.pooled(outcome, timepoint, population),
            wildcards,
            settings,
            measure,
            LOG,
        )

    def run_all(self) -> None:
        """Every step, in the workflow's order, up to the pooled analyses."""
        for source in sorted(self.sources):
            self.import_source(source)
        load_script("deduplicate_records").main(*self.dedup_io(), LOG)
        load_script("screen_records").main(*self.screening_io(), LOG)
        load_script("count_prisma").main(*self.prisma_io(), LOG)
        inputs, outputs, outcomes = self.split_io()
        load_script("split_outcome_data").main(
            inputs, outputs, outcomes, self.extraction_settings, LOG
        )
        for outcome in sorted(self.outcomes):
            self.extract_outcome(outcome)
            for timepoint, population in self.analyses(outcome):
                self.pool_analysis(outcome, timepoint, population)
