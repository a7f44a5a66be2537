"""Decision rules: is a pair of records one work, two works, or a question for a human?

The rules read only :class:`~srma.dedup.compare.PairFeatures`.  They follow how a
careful reviewer reasons, in this order:

1. **Different kinds of publication never merge.**  An erratum, a reply, a
   comment, a retraction notice or a protocol is a separate item from the
   article it is about, even with the same title; so are Part 1 and Part 2.
2. **Identifiers and bibliographic coordinates that disagree keep records
   apart.**  Two DOIs or two PubMed ids, years two or more apart, a different
   volume or first page (a conference abstract in a journal supplement, a
   re-publication, an erratum): different works, or a question for a human when
   everything else is identical.
3. **An identifier shared is strong evidence** (same DOI or PubMed id) when
   the titles agree and no coordinate conflicts.
4. **A title shared needs corroboration.**  The same title (up to typos,
   truncation, spelling, annotations), the same year and compatible authors
   merge when at least one more field agrees: journal, volume, page, most of
   the authors, or the abstract.  Short titles ("Eculizumab") need volume and
   page.  A year one apart (online first, then print) needs volume and page.
5. **A title with extra words** (a subtitle missing in one database, a
   translated title) needs the same journal, volume and page.
6. Everything plausible but not settled goes to the *uncertain* list, which is
   never merged automatically.

The decision comes with a short reason and a score in [0, 1] (a summary of
agreement, used to order the uncertain list and the links of a cluster).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from srma.dedup.compare import Agreement, PairFeatures, TitleRelation

__all__ = ["Decision", "Verdict", "classify", "score"]

M, C = Agreement.MATCH, Agreement.CONFLICT
_STRONG = (TitleRelation.EXACT, TitleRelation.TYPO, TitleRelation.TRUNCATED)
_PARTIAL = (TitleRelation.SUBTITLE, TitleRelation.CONTAINED)


class Decision(Enum):
    """What the rules conclude about a pair."""

    SAME = "same"
    UNCERTAIN = "uncertain"
    DIFFERENT = "different"


@dataclass(frozen=True, slots=True)
class Verdict:
    """A decision with its reason and score."""

    decision: Decision
    reason: str
    score: float


def score(f: PairFeatures) -> float:
    """Agreement of a pair in [0, 1]: title 45 %, authors 20 %, year 10 %, identifiers
    and coordinates 25 %."""
    title = f.title_ratio / 100.0
    authors = 0.5 if f.authors is None else f.authors
    if f.year_diff is None:
        year = 0.5
    else:
        year = {0: 1.0, 1: 0.5}.get(f.year_diff, 0.0)
    bib = [f.doi, f.pmid, f.volume, f.pages]
    present = [x for x in bib if x is not Agreement.MISSING]
    hits = sum(x is M for x in present)
    n = len(present)
    if f.journal is not None:
        n += 1
        hits += f.journal >= 0.8
    coord = hits / n if n else 0.5
    return round(0.45 * title + 0.2 * authors + 0.1 * year + 0.25 * coord, 4)


def _v(decision: Decision, reason: str, f: PairFeatures) -> Verdict:
    return Verdict(decision, reason, score(f))


def classify(f: PairFeatures) -> Verdict:
    """Decide whether a compared pair is the same work (see the module docstring)."""
    same, unsure, diff = Decision.SAME, Decision.UNCERTAIN, Decision.DIFFERENT
    # 1. different kinds of publication
    if f.flags_conflict:
        return _v(diff, "one is a notice (erratum, reply, comment, retraction, protocol)", f)
    if f.part_conflict:
        return _v(diff, "different part numbers", f)

    strong = f.title in _STRONG
    partial = f.title in _PARTIAL
    no_title = f.title is TitleRelation.MISSING
    id_match = f.doi is M or f.pmid is M
    id_conflict = f.doi is C or f.pmid is C
    au_ok = f.authors is None or f.authors >= 0.5
    au_bad = f.authors is not None and f.authors < 0.34
    au_strong = f.authors is not None and f.authors >= 0.8 and bool(f.first_author)
    bib_match = f.volume is M and f.pages is M
    bib_conflict = f.volume is C or f.pages is C
    journal_ok = f.journal is not None and f.journal >= 0.8
    journal_conflict = f.journal is not None and f.journal < 0.5
    year_same = f.year_diff in (0, None)

    # 2. identifiers and coordinates that disagree
    if id_conflict:
        if id_match:
            return _v(unsure, "DOI and PubMed id disagree", f)
        if strong and au_ok and year_same and not bib_conflict and not f.numbers_conflict:
            return _v(unsure, "same title, authors and year but different DOI or PubMed id", f)
        return _v(diff, "different DOI or PubMed id", f)
    if f.year_diff is not None and f.year_diff >= 2:
        if id_match and (strong or partial):
            return _v(unsure, "same identifier but years two or more apart", f)
        return _v(diff, "years two or more apart", f)

    # 3. a shared identifier
    if id_match:
        which = "DOI" if f.doi is M else "PubMed id"
        if (strong or partial or no_title) and not au_bad and not bib_conflict:
            if f.numbers_conflict:
                return _v(unsure, f"same {which} but different numbers in the title", f)
            return _v(same, f"same {which}, title and authors agree", f)
        if strong and not f.numbers_conflict and year_same:
            if bib_match:
                # author names garbled by one database (given names for surnames)
                return _v(same, f"same {which}, title, volume and pages", f)
            if au_strong and journal_ok and f.volume is not C:
                # a page misprinted by one database ("i428" and "1428")
                return _v(same, f"same {which}, title, authors and journal", f)
        if (
            f.title is TitleRelation.DIFFERENT
            and f.title_words_diff <= 1
            and f.title_ratio >= 90
            and au_ok
            and not bib_conflict
            and not f.numbers_conflict
        ):
            # one short word mistyped ("wen" for "men"); identifier and authors agree
            return _v(same, f"same {which}; titles differ by one word", f)
        if f.title is TitleRelation.DIFFERENT and f.title_ratio < 80:
            # a DOI of a whole supplement, book or issue, shared by its items
            return _v(diff, f"same {which} but different titles", f)
        return _v(unsure, f"same {which} but title, authors or pages disagree", f)

    if (
        strong
        and year_same
        and journal_ok
        and f.volume is M
        and f.pages is M
        and f.last_page is M
        and not f.numbers_conflict
    ):
        # one journal, volume and page range hold one article: authors garbled or a group name
        return _v(same, "same title, journal, volume, page range and year", f)
    if (
        f.pages is C
        and f.volume is M
        and f.issue is M
        and strong
        and au_strong
        and journal_ok
        and year_same
        and f.title_words >= 4
        and not f.numbers_conflict
    ):
        # one issue does not print the same title by the same authors twice: a page typo
        return _v(same, "same title, authors and journal issue; pages differ", f)
    if (
        f.pages is C
        and f.single_pages
        and f.conference_any
        and f.volume is M
        and f.issue is not C
        and strong
        and au_strong
        and journal_ok
        and year_same
        and f.title_words >= 4
        and not f.numbers_conflict
    ):
        # a meeting abstract: databases give its abstract number or its page
        return _v(
            same, "same meeting abstract, title and authors; abstract or page numbers differ", f
        )
    if bib_conflict:
        if strong and year_same and au_ok and (f.volume is M or f.pages is M):
            return _v(unsure, "same title and year but volume or pages differ", f)
        return _v(diff, "different volume or pages", f)
    if f.numbers_conflict:
        if (strong or partial) and bib_match:
            return _v(unsure, "same coordinates but different numbers in the title", f)
        return _v(diff, "different numbers in the title", f)
    # a meeting abstract cited once under the meeting, once under the journal
    meeting_alias = strong and year_same and au_strong and f.volume is M and f.conference_any
    if journal_conflict and not bib_match and not meeting_alias:
        if strong and year_same and au_ok:
            return _v(unsure, "same title, authors and year in different journals", f)
        return _v(diff, "different journals", f)
    if f.conference_mismatch and not bib_match:
        if strong and year_same and au_ok:
            return _v(unsure, "a conference record and a journal record with the same title", f)
        return _v(diff, "conference record vs journal record", f)

    # 4. the same title, corroborated
    if strong and au_ok:
        if year_same:
            if f.issue is C and not bib_match:
                return _v(unsure, "same title but different issues", f)
            support = [
                f.volume is M,
                f.pages is M,
                journal_ok,
                au_strong,
                f.abstract is M,
                f.issue is M,
            ]
            needed = 2 if f.abstract is C else 1
            if f.title_words <= 3:
                if bib_match or (f.abstract is M and au_strong):
                    return _v(same, "same short title, volume and pages", f)
                return _v(unsure, "same short title without volume and pages", f)
            if sum(support) >= needed:
                return _v(same, "same title, year and authors, corroborated", f)
            return _v(unsure, "same title and year, nothing else to compare", f)
        if f.year_diff == 1:
            if bib_match or (
                f.volume is M
                and journal_ok
                and (f.issue is M or au_strong)
                and not f.supplement_mismatch
                and not f.conference_mismatch
            ):
                return _v(
                    same, "same title, journal, volume and pages or issue; years one apart", f
                )
            return _v(unsure, "same title, years one apart", f)

    # 5. a title with extra or other words, anchored by coordinates
    if bib_match and au_ok and f.year_diff is not None and f.year_diff <= 1:
        if partial and (f.journal is None or f.journal >= 0.5) and not au_bad:
            return _v(same, "title with a subtitle or extra words; same volume and pages", f)
        full_range = f.last_page is M
        if full_range and journal_ok and au_strong and year_same and f.title_ratio >= 60:
            return _v(same, "same journal, volume, page range, year and authors", f)
        if partial or no_title or f.title_ratio >= 60:
            return _v(unsure, "same volume and pages, titles differ", f)

    # 6. plausible but unsettled
    if strong and au_bad:
        return _v(diff, "same title but different authors", f)
    if (strong or partial) and au_ok:
        return _v(unsure, "similar titles, too little else to compare", f)
    if f.title is TitleRelation.DIFFERENT and f.title_ratio >= 90 and au_ok and year_same:
        return _v(unsure, "titles differ by a few words", f)
    return _v(diff, "titles differ", f)
