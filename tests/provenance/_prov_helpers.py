"""A tiny review with a two-step lineage, made with write_job_provenance.

data/raw.ris ──import_raw──> results/records/raw.csv ──plot──> results/figures/plot.svg
data/settings.txt ─────────────────────────────────────────┘   results/tables/plot.csv
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from srma.provenance.environment import Environment
from srma.provenance.records import write_job_provenance

ENV = Environment(
    srma_version="0.1.0",
    python="3.11.0",
    packages=(("numpy", "2.0.0"), ("pandas", "3.0.0"), ("snakemake", "9.27.1")),
    git_commit="0123456789abcdef0123456789abcdef01234567",
    git_dirty=False,
)


@dataclass
class FakeJob:
    """Shaped like Snakemake's ``snakemake`` object in a script."""

    input: Any
    output: Any
    rule: str
    params: Any = field(default_factory=dict)
    wildcards: Any = field(default_factory=dict)
    log: Any = field(default_factory=list)
    scriptdir: str | None = None


@dataclass
class Review:
    root: Path
    raw: Path
    settings: Path
    records: Path
    figure: Path
    table: Path
    import_job: FakeJob
    plot_job: FakeJob

    def run_import(self, start: str = "2025-01-01T00:00:00.000+00:00") -> None:
        self.records.parent.mkdir(parents=True, exist_ok=True)
        self.records.write_text("id,title\n1," + self.raw.read_text()[:20] + "\n")
        write_job_provenance(
            self.import_job,
            start,
            start.replace("00.000+00:00", "01.000+00:00"),
            root=self.root,
            script=self.root / "scripts" / "import_raw.py",
            environment=ENV,
        )

    def run_plot(self, start: str = "2025-01-01T00:01:00.000+00:00") -> None:
        self.figure.parent.mkdir(parents=True, exist_ok=True)
        self.table.parent.mkdir(parents=True, exist_ok=True)
        text = self.records.read_text() + self.settings.read_text()
        self.figure.write_text(f"<svg>{len(text)}</svg>\n")
        self.table.write_text(f"n\n{len(text)}\n")
        write_job_provenance(
            self.plot_job,
            start,
            start.replace("00.000+00:00", "02.000+00:00"),
            root=self.root,
            script=self.root / "scripts" / "plot.py",
            environment=ENV,
        )

    def outputs(self) -> list[Path]:
        return [self.records, self.figure, self.table]


def make_review(root: Path) -> Review:
    (root / "data").mkdir(parents=True)
    (root / "scripts").mkdir()
    (root / "workflow" / "rules").mkdir(parents=True)
    (root / "Snakefile").write_text('include: "workflow/rules/all.smk"\n')
    (root / "workflow" / "rules" / "all.smk").write_text("rule all:\n    input: []\n")
    raw = root / "data" / "raw.ris"
    raw.write_text("TY  - JOUR\nTI  - A trial\nER  - \n")
    settings = root / "data" / "settings.txt"
    settings.write_text("method: REML\n")
    (root / "scripts" / "import_raw.py").write_text("print('import')\n")
    (root / "scripts" / "plot.py").write_text("print('plot')\n")
    records = root / "results" / "records" / "raw.csv"
    figure = root / "results" / "figures" / "plot.svg"
    table = root / "results" / "tables" / "plot.csv"
    import_job = FakeJob(
        input={"export": "data/raw.ris"},
        output={"records": "results/records/raw.csv"},
        rule="import_raw",
        params={"source": {"id": "raw", "format": "ris"}},
        wildcards={"source": "raw"},
        log=["results/logs/import_raw/raw.log"],
    )
    plot_job = FakeJob(
        input={"records": "results/records/raw.csv", "settings": "data/settings.txt"},
        output={"figure": "results/figures/plot.svg", "table": "results/tables/plot.csv"},
        rule="plot",
        params={"model": {"method": "REML"}, "level": 0.95},
        log=["results/logs/plot/plot.log"],
    )
    return Review(root, raw, settings, records, figure, table, import_job, plot_job)
