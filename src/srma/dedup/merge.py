"""One merged record per work, and its stable work id.

Merged fields
-------------
Each field of a work takes the best value among its records, chosen the same way
whatever the order of the records:

* title: the variant that most other variants are a prefix of (a full title
  beats its truncated copies; a title with subtitle beats one without), then the
  most frequent spelling, with database annotations ("[Review]", "[45 refs]",
  "(Provisional abstract)") removed;
* authors: the longest list (then the longest names: full given names beat
  initials);
* abstract: the longest; ISSNs and keywords: the union;
* every other field: the most frequent non-empty value (pages: among full
  ranges first); ties go to the lexically smallest value.

Work ids
--------
A work id is ``"W"`` followed by 10 hexadecimal characters of the SHA-1 of the
work's *canonical key*: the most frequent pair (first 80 characters of the
normalised title, year) among its records, ties broken lexically.  The key is
built from content only, so the id does not change when records are re-ordered,
when record ids change, or when an export adds records whose title and year
match those already there.

Limits: a work's id changes when records added later make another title variant
or year the most frequent one, or when a new, distinct work has the same
normalised title and year.  Works whose keys collide are all given a longer key
(first author, volume, first page and DOI added; then their smallest record id),
so a collision never merges ids but does change the ids of the colliding works.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import pandas as pd

from srma.dedup.normalise import (
    _ERRATUM_NOTE,
    _TRAILING_NOTE,
    NormRecord,
    _strip_wrapping_brackets,
    normalise_doi,
    normalise_issn,
)

__all__ = ["STREAMS", "WORK_COLUMNS", "clean_title", "merge_work", "work_ids"]

#: PRISMA streams, in order of precedence: a work with any database record is a
#: database work.
STREAMS = ("databases", "registers", "other_methods")

WORK_COLUMNS = [
    "work_id",
    "stream",
    "title",
    "authors",
    "year",
    "journal",
    "journal_abbrev",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "issn",
    "abstract",
    "keywords",
    "language",
    "record_type",
    "kept_record_id",
    "record_ids",
    "source_ids",
    "databases",
    "n_records",
]

T = TypeVar("T", bound=Hashable)


def clean_title(title: str) -> str:
    """A title without database annotations, for display.

    >>> clean_title("[Current aspects of HUS in children]. [Review] [16 refs] [Romanian]")
    'Current aspects of HUS in children'
    """
    text = re.sub(r"\s+", " ", title).strip()
    text = _ERRATUM_NOTE.sub("", text)
    for _ in range(8):
        m = _TRAILING_NOTE.search(text)
        if m is None or not text[: m.start()].strip(" .[]"):
            break
        text = text[: m.start()]
    text = _strip_wrapping_brackets(text)
    text = text.strip()
    if text.endswith("]") and text.startswith("["):
        text = text[1:-1]
    return text.rstrip(" .;,").strip() or title.strip()


def _most_common(values: Sequence[T], key: Callable[[T], Any] | None = None) -> T | None:
    """The most frequent value; ties go to the smallest ``key`` (default: the value)."""
    if not values:
        return None
    counts = Counter(values)
    return min(counts, key=lambda v: (-counts[v], key(v) if key else v))


def _present(value: Any) -> bool:
    if value is None or value is pd.NA:
        return False
    if isinstance(value, float) and value != value:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True


def _texts(rows: Sequence[dict[str, Any]], col: str) -> list[str]:
    return [str(r[col]).strip() for r in rows if _present(r.get(col))]


def _best_title(rows: Sequence[dict[str, Any]], norm: Sequence[NormRecord]) -> str | None:
    pairs = [
        (n.title.compact, str(r["title"]).strip())
        for r, n in zip(rows, norm, strict=True)
        if _present(r.get("title")) and n.title.compact
    ]
    if not pairs:
        texts = _texts(rows, "title")
        return _most_common(texts) if texts else None
    compacts = [c for c, _ in pairs]
    distinct = sorted(set(compacts))
    covered = {c: sum(1 for x in compacts if c.startswith(x)) for c in distinct}
    best = min(distinct, key=lambda c: (-covered[c], -len(c), c))
    cleaned = [clean_title(t) for t in sorted({t for c, t in pairs if c == best})]
    counts = Counter(t for c, t in pairs if c == best)
    # the most frequent spelling once annotations are gone
    by_clean: Counter[str] = Counter()
    for raw, clean in zip(sorted(counts), cleaned, strict=True):
        by_clean[clean] += counts[raw]
    return min(by_clean, key=lambda t: (-by_clean[t], t))


def _best_authors(rows: Sequence[dict[str, Any]]) -> list[str]:
    lists = []
    for r in rows:
        a = r.get("authors")
        if a is not None and not isinstance(a, str) and len(a):
            lists.append([str(x) for x in a])
    if not lists:
        return []
    return min(lists, key=lambda a: (-len(a), -sum(map(len, a)), "|".join(a)))


def _union_list(rows: Sequence[dict[str, Any]], col: str) -> list[str]:
    out: set[str] = set()
    for r in rows:
        v = r.get(col)
        if v is not None and not isinstance(v, str):
            out.update(str(x) for x in v if str(x).strip())
    return sorted(out)


def _single(row: dict[str, Any], norm: NormRecord) -> dict[str, Any]:
    """The fields of a work of one record (what :func:`merge_work` gives, faster)."""

    def text(col: str) -> str | None:
        v = row.get(col)
        return str(v).strip() if _present(v) else None

    title = text("title")
    authors = row.get("authors")
    keywords = row.get("keywords")
    year = row.get("year")
    return {
        "title": clean_title(title) if title and norm.title.compact else title,
        "authors": [str(a) for a in authors] if authors is not None and len(authors) else [],
        "year": int(year) if _present(year) else None,
        "journal": text("journal"),
        "journal_abbrev": text("journal_abbrev"),
        "volume": text("volume"),
        "issue": text("issue"),
        "pages": text("pages"),
        "doi": norm.doi or None,
        "pmid": norm.pmid or None,
        "issn": ";".join(sorted(normalise_issn(row.get("issn")))) or None,
        "abstract": text("abstract"),
        "keywords": sorted({str(k) for k in keywords if str(k).strip()})
        if keywords is not None and not isinstance(keywords, str)
        else [],
        "language": text("language"),
        "record_type": text("record_type"),
    }


def merge_work(rows: Sequence[dict[str, Any]], norm: Sequence[NormRecord]) -> dict[str, Any]:
    """The merged bibliographic fields of one work from its records (any order)."""
    if len(rows) == 1:
        return _single(rows[0], norm[0])
    years = [int(r["year"]) for r in rows if _present(r.get("year"))]
    pages = _texts(rows, "pages")
    full = [p for p in pages if re.search(r"\d\s*[-–]+\s*\D{0,2}\d", p)]
    dois = [d for d in (normalise_doi(r.get("doi")) for r in rows) if d]
    issns: set[str] = set()
    for r in rows:
        issns |= normalise_issn(r.get("issn"))
    abstracts = _texts(rows, "abstract")
    journals = _texts(rows, "journal")
    return {
        "title": _best_title(rows, norm),
        "authors": _best_authors(rows),
        "year": _most_common(years),
        "journal": _most_common(journals, key=lambda j: (-len(j), j)) if journals else None,
        "journal_abbrev": _most_common(_texts(rows, "journal_abbrev")),
        "volume": _most_common(_texts(rows, "volume"), key=lambda v: (len(v), v)),
        "issue": _most_common(_texts(rows, "issue"), key=lambda v: (len(v), v)),
        "pages": _most_common(full or pages),
        "doi": _most_common(dois),
        "pmid": _most_common([n.pmid for n in norm if n.pmid]),
        "issn": ";".join(sorted(issns)) or None,
        "abstract": max(abstracts, key=lambda a: (len(a), a)) if abstracts else None,
        "keywords": _union_list(rows, "keywords"),
        "language": _most_common(_texts(rows, "language")),
        "record_type": _most_common(_texts(rows, "record_type")),
    }


def _hash(key: str, length: int = 10) -> str:
    return "W" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:length]


def _canonical_key(members: Sequence[NormRecord]) -> str:
    titled = [(m.title.compact[:80], m.year) for m in members if m.title.compact]
    if titled:
        title, year = _most_common(titled)  # type: ignore[misc]
        return f"t:{title}|{year or ''}"
    ident = _most_common([m.doi for m in members if m.doi]) or _most_common(
        [m.pmid for m in members if m.pmid]
    )
    year = _most_common([m.year for m in members if m.year]) or ""
    if ident:
        return f"i:{ident}|{year}"
    other = _most_common(
        [f"{m.first_author}|{' '.join(m.journal)}|{m.volume}|{m.first_page}" for m in members]
    )
    return f"n:{other}|{year}"


def _extended_key(members: Sequence[NormRecord]) -> str:
    def mc(values: list[str]) -> str:
        return _most_common([v for v in values if v]) or ""

    return "|".join(
        [
            mc([m.first_author for m in members]),
            mc([m.volume for m in members]),
            mc([m.first_page for m in members]),
            mc([m.doi for m in members]),
        ]
    )


def work_ids(
    clusters: Sequence[Sequence[int]],
    norm: Sequence[NormRecord],
    record_ids: Sequence[str],
) -> list[str]:
    """A stable id for each cluster of rows (see the module docstring)."""
    keys = [_canonical_key([norm[i] for i in c]) for c in clusters]
    counts = Counter(keys)
    for k, c in enumerate(clusters):
        if counts[keys[k]] > 1:
            keys[k] = keys[k] + "#" + _extended_key([norm[i] for i in c])
    counts = Counter(keys)
    for k, c in enumerate(clusters):
        if counts[keys[k]] > 1:
            keys[k] = keys[k] + "#" + min(record_ids[i] for i in c)
    ids = [_hash(k) for k in keys]
    id_counts = Counter(ids)
    if len(id_counts) < len(ids):  # two different keys share 40 bits of a hash
        ids = [_hash(k, 16) if id_counts[i] > 1 else i for i, k in zip(ids, keys, strict=True)]
    return ids
