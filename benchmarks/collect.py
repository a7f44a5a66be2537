"""Gather the benchmark fragments in docs/benchmarks/*.md into docs/benchmarks.md."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ORDER = ["import", "dedup", "pooling", "workflow"]


def main() -> None:
    parts = sorted(
        (REPO / "docs" / "benchmarks").glob("*.md"),
        key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else len(ORDER), p.stem),
    )
    out = [
        "# srma benchmarks",
        "",
        "Each section is written by its benchmark script (`make bench` runs them all; "
        "`make bench-dedup`, `make bench-pool`, `make bench-import`, `make bench-workflow` one at "
        "a time) and states the machine and date it was measured on.",
        "",
    ]
    for part in parts:
        text = part.read_text(encoding="utf-8").strip()
        # demote the fragment's headings by one level under this page's title
        text = "\n".join("#" + line if line.startswith("#") else line for line in text.splitlines())
        out += [text, ""]
    (REPO / "docs" / "benchmarks.md").write_text("\n".join(out), encoding="utf-8")
    print(f"docs/benchmarks.md: {len(parts)} sections")


if __name__ == "__main__":
    main()
