"""Candidate pairs: which records are worth comparing.

Comparing every record with every other grows with the square of the number of
records.  Blocking compares only records that share a *key*: DOI, PubMed id, the
first or the last 24 characters of the normalised title, first author and year,
volume and first page, or the start of the abstract.  Each key catches
duplicates the others miss (a typo early or late in a title, a translated title,
a missing title, a reworded title with the same coordinates).

Inside a block the records are sorted by title and each is paired with the next
:data:`WINDOW` records only (a *sorted neighbourhood*), so that a very common key
(a prolific author in a busy year) cannot make the work quadratic.  Work grows
as ``n * WINDOW * number_of_keys``: linearly in the number of records.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from srma.dedup.normalise import NormRecord

__all__ = ["WINDOW", "blocking_keys", "candidate_pairs"]

#: Each record is paired with at most this many neighbours in each block.
WINDOW = 25
#: Keys whose pairs are strong enough to compare without a title pre-check.
TITLE_KEYS = ("doi", "pmid", "title_start", "title_end")


def blocking_keys(recs: Sequence[NormRecord]) -> dict[str, list[str]]:
    """One key string per record for each blocking key (``""``: record not in that key)."""
    keys: dict[str, list[str]] = {
        "doi": [],
        "pmid": [],
        "title_start": [],
        "title_end": [],
        "author_year": [],
        "volume_page": [],
        "abstract": [],
    }
    for r in recs:
        c = r.title.compact
        keys["doi"].append(r.doi)
        keys["pmid"].append(r.pmid)
        keys["title_start"].append(c[:24] if len(c) >= 6 else "")
        keys["title_end"].append(c[-24:] if len(c) >= 32 else "")
        keys["author_year"].append(f"{r.first_author}|{r.year}" if r.first_author else "")
        keys["volume_page"].append(
            f"{r.volume}|{r.first_page}" if r.volume and r.first_page else ""
        )
        keys["abstract"].append(r.abstract[:60] if len(r.abstract) >= 60 else "")
    return keys


def _window_pairs(
    codes: np.ndarray, order_key: np.ndarray, tiebreak: np.ndarray, window: int
) -> np.ndarray:
    """Pairs ``(i, j)`` of records with the same code, at most ``window`` apart in sort order."""
    idx = np.flatnonzero(codes >= 0)
    if idx.size < 2:
        return np.empty((0, 2), dtype=np.int64)
    order = idx[np.lexsort((tiebreak[idx], order_key[idx], codes[idx]))]
    sc = codes[order]
    chunks = []
    for k in range(1, window + 1):
        if k >= order.size:
            break
        same = sc[:-k] == sc[k:]
        if not same.any():
            break
        chunks.append(np.stack([order[:-k][same], order[k:][same]], axis=1))
    if not chunks:
        return np.empty((0, 2), dtype=np.int64)
    return np.concatenate(chunks)


def candidate_pairs(
    recs: Sequence[NormRecord], rank: Sequence[int] | None = None, window: int = WINDOW
) -> dict[str, np.ndarray]:
    """Candidate pairs per blocking key, as ``(n, 2)`` arrays of row positions ``i < j``.

    ``rank`` orders records with the same key and title independently of row order
    (the rank of the record id); without it, row order is used.  A pair found by
    several keys appears under each of them; the caller takes the union.
    """
    keys = blocking_keys(recs)
    titles = pd.Series([r.title.compact for r in recs], dtype=object)
    title_rank = pd.factorize(titles, sort=True)[0].astype(np.int64)
    tiebreak = np.asarray(rank if rank is not None else range(len(recs)), dtype=np.int64)
    out: dict[str, np.ndarray] = {}
    for name, values in keys.items():
        codes, _ = pd.factorize(pd.Series(values, dtype=object).replace("", None))
        pairs = _window_pairs(np.asarray(codes, dtype=np.int64), title_rank, tiebreak, window)
        if pairs.size:
            pairs = np.sort(pairs, axis=1)
        out[name] = pairs
    return out


def union_pairs(pairs: dict[str, np.ndarray], n: int) -> np.ndarray:
    """The distinct pairs of several keys, sorted, as an ``(m, 2)`` array."""
    arrays = [p for p in pairs.values() if p.size]
    if not arrays:
        return np.empty((0, 2), dtype=np.int64)
    allp = np.concatenate(arrays)
    code = np.unique(allp[:, 0] * np.int64(n) + allp[:, 1])
    return np.stack([code // n, code % n], axis=1)
