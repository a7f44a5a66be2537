"""Record tables for the de-duplication tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from srma.records import RECORD_COLUMNS, RecordSchema

DEDUP_BENCH = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "dedup"


def make_records(*rows: dict[str, Any], source: str = "pubmed") -> pd.DataFrame:
    """A valid record table from short dicts; ``source`` and positions filled in.

    A row may set ``source_id`` itself; positions count per source.
    """
    out = []
    counter: dict[str, int] = {}
    for row in rows:
        sid = row.get("source_id", source)
        counter[sid] = counter.get(sid, 0) + 1
        pos = counter[sid]
        base: dict[str, Any] = dict.fromkeys(RECORD_COLUMNS)
        base.update(
            source_id=sid,
            record_id=f"{sid}:{pos}",
            position=pos,
            line=pos,
            format="test",
            authors=[],
            keywords=[],
            raw="",
        )
        base.update(row)
        out.append(base)
    frame = pd.DataFrame(out, columns=RECORD_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    return RecordSchema.validate(frame)


#: One article as four databases write it.
ARTICLE = dict(
    title="Effect of exercise on depression in older adults: a randomised controlled trial",
    authors=["Smith, John A.", "Jones, Mary", "Brown, K."],
    year=2015,
    journal="Journal of Geriatric Psychiatry",
    volume="12",
    issue="3",
    pages="123-129",
    doi="10.1000/jgp.2015.123",
)


def article_variants() -> list[dict[str, Any]]:
    """The article of :data:`ARTICLE` as PubMed, Embase, Web of Science and CINAHL write it."""
    a = ARTICLE
    return [
        dict(
            a,
            source_id="pubmed",
            title=a["title"].replace("randomised", "randomized") + ".",
            authors=["Smith JA", "Jones M", "Brown K"],
            journal="J Geriatr Psychiatry",
            pages="123-9",
            pmid="25000001",
        ),
        dict(
            a,
            source_id="embase",
            authors=["Smith J.A.", "Jones M.", "Brown K."],
            doi="https://doi.org/10.1000/JGP.2015.123",
            issue=None,
        ),
        dict(
            a,
            source_id="wos",
            title=a["title"].upper(),
            authors=["SMITH, JA", "JONES, M"],
            journal="JOURNAL OF GERIATRIC PSYCHIATRY",
            doi=None,
        ),
        dict(
            a,
            source_id="cinahl",
            title=a["title"].replace(": a", " - A"),
            authors=["Smith John", "Jones Mary", "Brown Kate"],
            doi=None,
            pages="123-129",
        ),
    ]
