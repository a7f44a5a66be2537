"""docs/reliability.md is generated from the corpus and up to date."""

from __future__ import annotations

from tests.bad_inputs.corpus import cases, workflow_cases
from tests.bad_inputs.reliability_doc import DOC, render


def test_reliability_doc_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/reliability.md is out of date: run python tests/bad_inputs/reliability_doc.py"
    )


def test_reliability_doc_lists_every_case() -> None:
    text = DOC.read_text(encoding="utf-8")
    for case in [*cases(), *workflow_cases()]:
        assert f"| `{case.id}` |" in text
    assert "accepted: no error" not in text
    ids = {c.id for c in cases()} | {w.id for w in workflow_cases()}
    rows = [
        line for line in text.splitlines() if line.startswith("| `") and line.split("`")[1] in ids
    ]
    assert len(rows) == len(ids)
    for row in rows:  # messages are escaped: hostile text is no markup in the document
        assert "<" not in row.replace("<br>", ""), row
