"""Write docs/formats.md from srma's pandera models, field descriptions and config schema.

    python tools/make_formats_doc.py            # rewrites docs/formats.md
    python tools/make_formats_doc.py --check    # exit 1 if docs/formats.md is out of date

tests/review/test_formats_doc.py fails when the committed file differs from the output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "docs" / "formats.md"


def generate() -> str:
    """The text of docs/formats.md."""
    import yaml

    from srma.config import load_schema, read_yaml
    from srma.review.config_template import config_text
    from srma.review.formats import formats_markdown

    schema = load_schema(REPO / "workflow" / "schemas" / "config.schema.yaml")
    reference = read_yaml(REPO / "config" / "config.yaml")
    # the paths a new review's configuration gives every input (srma init's defaults)
    config = yaml.safe_load(config_text(schema, title="t", review_id="t", reference=reference))
    return formats_markdown(schema, config)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, do not write")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python tools/make_formats_doc.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
