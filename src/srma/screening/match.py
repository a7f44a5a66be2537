"""Matching records of a screening tool's export to the review's works.

A record is matched by DOI, then PubMed id, then normalised title (with the
year when both sides have one).  Each step only accepts a single candidate
work; several candidates are narrowed by the next identifier and otherwise
the record is *ambiguous*.  A record that matches nothing is *unmatched*.
Neither is ever dropped silently: the importers report them with their row.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pandas as pd

MATCH_COLUMNS: list[str] = ["work_id", "matched_by", "match_problem"]

_DOI_RE = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value).strip()
    return text or None


def normalise_doi(value: Any) -> str | None:
    """Lower-case DOI without URL/``doi:`` prefix or trailing junk; None if there is none.

    Exports often append other text to the DOI field (Rayyan keeps
    ``10.1038/x     LK  - https://...``); the first DOI-shaped token is taken.
    """
    text = _text(value)
    if text is None:
        return None
    text = _DOI_PREFIX_RE.sub("", html.unescape(text))
    match = _DOI_RE.search(text)
    if not match:
        return None
    doi = match.group(0).rstrip(".,;:)]}'\"")
    return doi.lower()


def normalise_pmid(value: Any) -> str | None:
    """PubMed id as digits without leading zeros; None if there is none."""
    text = _text(value)
    if text is None:
        return None
    digits = re.sub(r"\.0$", "", text)
    digits = re.sub(r"\D", "", digits)
    digits = digits.lstrip("0")
    return digits or None


def normalise_title(value: Any) -> str | None:
    """Title folded for comparison: entities decoded, accents and case folded,
    punctuation removed, white space collapsed."""
    text = _text(value)
    if text is None:
        return None
    text = html.unescape(text)
    text = re.sub(r"<[^>]+>", " ", text)  # <i>, <sup> ...
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = re.sub(r"[^\w]+", " ", text).replace("_", " ")
    text = " ".join(text.split())
    return text or None


def normalise_year(value: Any) -> int | None:
    """Four-digit year in a value, or None."""
    text = _text(value)
    if text is None:
        return None
    match = re.search(r"(1[5-9]\d\d|2\d\d\d)", text)
    return int(match.group(1)) if match else None


class WorkIndex:
    """Look-up tables of the works by DOI, PMID and normalised title."""

    def __init__(self, works: pd.DataFrame) -> None:
        self.by_doi: dict[str, set[str]] = defaultdict(set)
        self.by_pmid: dict[str, set[str]] = defaultdict(set)
        self.by_title: dict[str, set[str]] = defaultdict(set)
        self.year: dict[str, int | None] = {}
        self.title: dict[str, str | None] = {}
        cols = set(works.columns)
        for rec in works.to_dict("records"):
            wid = str(rec["work_id"])
            for doi in _values(rec.get("doi")) + _values(rec.get("dois")):
                key = normalise_doi(doi)
                if key:
                    self.by_doi[key].add(wid)
            for pmid in _values(rec.get("pmid")) + _values(rec.get("pmids")):
                key = normalise_pmid(pmid)
                if key:
                    self.by_pmid[key].add(wid)
            title = normalise_title(rec.get("title")) if "title" in cols else None
            self.title[wid] = title
            if title:
                self.by_title[title].add(wid)
            self.year[wid] = normalise_year(rec.get("year")) if "year" in cols else None

    def match(
        self, *, doi: Any = None, pmid: Any = None, title: Any = None, year: Any = None
    ) -> tuple[str | None, str | None, str | None]:
        """``(work_id, matched_by, problem)`` for one record."""
        doi_k, pmid_k, title_k = normalise_doi(doi), normalise_pmid(pmid), normalise_title(title)
        year_k = normalise_year(year)
        steps = [
            ("doi", self.by_doi.get(doi_k, set()) if doi_k else set()),
            ("pmid", self.by_pmid.get(pmid_k, set()) if pmid_k else set()),
            ("title", self.by_title.get(title_k, set()) if title_k else set()),
        ]
        note = "no work has this DOI, PMID or title"
        for i, (how, found) in enumerate(steps):
            if not found:
                continue
            candidates = set(found)
            if how == "title" and year_k is not None:
                candidates = {w for w in candidates if self.year[w] in (None, year_k)}
                if not candidates:
                    years = sorted({str(self.year[w]) for w in found})
                    note = (
                        f"the title matches work(s) {', '.join(sorted(found))} but their year "
                        f"({', '.join(years)}) differs from {year_k}"
                    )
                    continue
            if len(candidates) > 1:
                # narrow with the identifiers that come next
                for _, later in steps[i + 1 :]:
                    if later and len(candidates & later) >= 1:
                        candidates &= later
                if len(candidates) > 1 and title_k:
                    same_title = {w for w in candidates if self.title[w] == title_k}
                    candidates = same_title or candidates
                if len(candidates) > 1 and year_k is not None:
                    same_year = {w for w in candidates if self.year[w] == year_k}
                    candidates = same_year or candidates
            if len(candidates) == 1:
                by = how if how != "title" or year_k is None else "title_year"
                return next(iter(candidates)), by, None
            return None, None, f"ambiguous: {how} matches works {', '.join(sorted(candidates))}"
        if not (doi_k or pmid_k or title_k):
            return None, None, "no DOI, PMID or title to match on"
        return None, None, note


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def match_records(records: pd.DataFrame, works: pd.DataFrame) -> pd.DataFrame:
    """Match each record (columns ``doi``, ``pmid``, ``title``, ``year``; any may
    be absent) to a work.

    Returns
    -------
    pandas.DataFrame
        Same index as ``records``: ``work_id`` (None when unmatched),
        ``matched_by`` (``doi``, ``pmid``, ``title_year`` or ``title``) and
        ``match_problem`` (why a record did not match).
    """
    index = WorkIndex(works)
    out = []
    for rec in records.to_dict("records"):
        out.append(
            index.match(
                doi=rec.get("doi"),
                pmid=rec.get("pmid"),
                title=rec.get("title"),
                year=rec.get("year"),
            )
        )
    return pd.DataFrame(out, columns=MATCH_COLUMNS, index=records.index, dtype=object)
