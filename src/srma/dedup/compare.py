"""Field-by-field comparison of two normalised records.

:func:`compare` turns a pair of :class:`~srma.dedup.normalise.NormRecord` into a
:class:`PairFeatures`: how the titles relate (identical, a typo apart, one
truncated, one a subtitle of the other, or different words), how many authors
are shared, how far apart the years are, whether the journals can be the same
journal (an ISO abbreviation aligned with the full name), and whether DOI,
PubMed id, volume, issue and pages agree, conflict or are missing.  The rules of
:mod:`srma.dedup.rules` decide from these features alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from srma.dedup.normalise import STOP_WORDS, NormRecord, TitleInfo

__all__ = [
    "Agreement",
    "PairFeatures",
    "TitleRelation",
    "author_overlap",
    "compare",
    "journal_similarity",
    "title_relation",
]


class TitleRelation(IntEnum):
    """How two titles relate, from the strongest to the weakest evidence."""

    EXACT = 0  #: the same words (after normalisation)
    TYPO = 1  #: the same words but for misspellings, split words or stop words
    TRUNCATED = 2  #: one is a prefix of the other and long enough to have been cut
    SUBTITLE = 3  #: one is the other plus words at the start or end (a subtitle)
    CONTAINED = 4  #: one is the other plus words in the middle
    DIFFERENT = 5  #: each has words the other lacks
    MISSING = 6  #: at least one record has no title


class Agreement(IntEnum):
    """Agreement of one field between two records."""

    CONFLICT = -1
    MISSING = 0
    MATCH = 1


#: A title this long that is a prefix of another was cut by a database's field limit.
TRUNCATION_MIN_CHARS = 90


def _typo_pair(a: str, b: str) -> bool:
    """Whether two words differ only by a misspelling."""
    if a[0] != b[0] and a[-1] != b[-1]:
        return False
    if abs(len(a) - len(b)) > 2 or a.isdigit() or b.isdigit():
        return False
    shorter = min(len(a), len(b))
    if shorter < 4:
        return False
    dist = Levenshtein.distance(a, b, score_cutoff=2)
    if shorter >= 8:
        return dist <= 2
    return dist <= 1


def _match_joined(extra_a: list[str], extra_b: list[str]) -> None:
    """Remove words of one side that equal two or three words of the other joined."""
    for src, dst in ((extra_a, extra_b), (extra_b, extra_a)):
        if len(src) < 2:
            continue
        for n in (3, 2):
            i = 0
            while i + n <= len(src):
                joined = "".join(src[i : i + n])
                if joined in dst:
                    dst.remove(joined)
                    del src[i : i + n]
                else:
                    i += 1


def title_relation(a: TitleInfo, b: TitleInfo) -> tuple[TitleRelation, int]:
    """Relation of two titles and the number of substantive words they differ by.

    >>> from srma.dedup.normalise import normalise_title as t
    >>> title_relation(t("Neglect in stroke"), t("Neglect in stroke: a study"))
    (<TitleRelation.SUBTITLE: 3>, 1)
    >>> title_relation(t("Paroxsmal nocturnal"), t("Paroxysmal nocturnal"))
    (<TitleRelation.TYPO: 1>, 0)
    >>> title_relation(t("In adults resistant to therapy"), t("In adults sensitive to therapy"))
    (<TitleRelation.DIFFERENT: 5>, 1)
    """
    if not a.compact or not b.compact:
        return TitleRelation.MISSING, 0
    if a.compact == b.compact:
        return TitleRelation.EXACT, 0
    short, long_ = (a, b) if len(a.compact) <= len(b.compact) else (b, a)
    if len(short.compact) >= TRUNCATION_MIN_CHARS and long_.compact.startswith(short.compact[:-3]):
        return TitleRelation.TRUNCATED, 0
    if (
        fuzz.ratio(a.compact, b.compact) < 70
        and short.compact not in long_.compact
        and not set(short.words) <= set(long_.words)
    ):
        # far apart and neither inside the other: no need to align words
        return TitleRelation.DIFFERENT, max(len(a.words), len(b.words))
    ca, cb = Counter(a.words), Counter(b.words)
    extra_a = list((ca - cb).elements())
    extra_b = list((cb - ca).elements())
    # keep word order for joined-word matching
    order_a = {w: i for i, w in enumerate(a.words)}
    order_b = {w: i for i, w in enumerate(b.words)}
    extra_a.sort(key=lambda w: order_a[w])
    extra_b.sort(key=lambda w: order_b[w])
    if (
        sum(w not in STOP_WORDS for w in extra_a) > 6
        and sum(w not in STOP_WORDS for w in extra_b) > 6
    ):
        return TitleRelation.DIFFERENT, max(len(extra_a), len(extra_b))
    _match_joined(extra_a, extra_b)
    # misspellings
    for w in list(extra_a):
        for v in extra_b:
            if _typo_pair(w, v):
                extra_a.remove(w)
                extra_b.remove(v)
                break
    sub_a = [w for w in extra_a if w not in STOP_WORDS]
    sub_b = [w for w in extra_b if w not in STOP_WORDS]
    if not sub_a and not sub_b:
        return TitleRelation.TYPO, 0
    if sub_a and sub_b:
        return TitleRelation.DIFFERENT, max(len(sub_a), len(sub_b))
    # one title holds every substantive word of the other, plus some
    longer, extra = (a, extra_a) if sub_a else (b, extra_b)
    extra_set = set(extra)
    flags = [w in extra_set for w in longer.words]
    # the extra words form one run at the start or at the end: a subtitle or a prefix
    n = len(flags)
    lead = next((i for i, f in enumerate(flags) if not f), n)
    trail = next((i for i, f in enumerate(reversed(flags)) if not f), n)
    n_sub = len(sub_a or sub_b)
    if lead + trail >= sum(flags) and sum(flags) > 0:
        return TitleRelation.SUBTITLE, n_sub
    return TitleRelation.CONTAINED, n_sub


def author_overlap(a: NormRecord, b: NormRecord) -> tuple[float | None, bool | None]:
    """Share of the shorter author list found in the other, and first-author agreement.

    Lists are compared on surname tokens; the shorter list counts (databases cut
    long lists), at most its first ten authors.  ``(None, None)`` when a record
    has no authors.

    >>> from srma.dedup.normalise import normalise_record as r
    >>> x = r({"authors": ["Zuber, J.", "Le Quintrec, M.", "Loirat, C."]})
    >>> y = r({"authors": ["Zuber J", "Quintrec M"]})
    >>> author_overlap(x, y)
    (1.0, True)
    """
    if not a.authors or not b.authors:
        return None, None
    overlap, first = _overlap(a.authors, b.authors, a.author_set, b.author_set)
    if overlap < 0.5 and a.names and b.names:
        # surnames and given names swapped or merged by one database: compare all words
        loose, loose_first = _overlap(a.names, b.names, a.name_set, b.name_set)
        if loose > overlap:
            return loose, loose_first
    return overlap, first


def _overlap(
    xa: tuple[tuple[str, ...], ...],
    xb: tuple[tuple[str, ...], ...],
    sa: frozenset[str],
    sb: frozenset[str],
) -> tuple[float, bool]:
    short, other_set = (xa, sb) if len(xa) <= len(xb) else (xb, sa)
    considered = short[:10]
    misses = [toks for toks in considered if not any(t in other_set for t in toks)]
    hits = len(considered) - len(misses)
    if misses and len(misses) <= 3:
        # a misspelt surname ("Coutlee" and "Coutle"), looked for only when few are missing
        hits += sum(
            1 for toks in misses if any(_fuzzy_in(t, other_set) for t in toks if len(t) >= 5)
        )
    overlap = hits / len(considered)
    fa, fb = set(xa[0]), set(xb[0])
    first = bool(fa & fb) or any(_fuzzy_in(t, fb) for t in fa if len(t) >= 5)
    if not first:
        # a first author dropped or moved one place by one database
        first = bool(fa & set(t for x in xb[:2] for t in x)) and bool(
            fb & set(t for x in xa[:2] for t in x)
        )
    return overlap, first


def _fuzzy_in(token: str, tokens: frozenset[str] | set[str]) -> bool:
    for t in tokens:
        if len(t) >= 5 and t[0] == token[0] and _typo_pair(token, t):
            return True
    return False


def _is_abbrev(short: str, full: str) -> bool:
    """Whether ``short`` abbreviates ``full``: same first letter, letters in order."""
    if short == full:
        return True
    if len(short) > len(full) or short[0] != full[0]:
        return False
    it = iter(full)
    return all(c in it for c in short)


def _aligned(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Token-by-token alignment of an abbreviated journal name with a full one."""
    if len(a) != len(b):
        return False
    return all(_is_abbrev(x, y) or _is_abbrev(y, x) for x, y in zip(a, b, strict=True))


def _acronym(short: str, words: tuple[str, ...]) -> bool:
    """Whether ``short`` is made of a prefix of each word in turn ("amcis" for
    "americas conference information systems", "bmj" for "british medical journal")."""
    if len(short) > 12 or len(words) > 8:
        return False

    def fit(i: int, j: int) -> bool:
        if j == len(words):
            return i == len(short)
        w = words[j]
        for k in range(min(len(w), len(short) - i), 0, -1):
            if short[i : i + k] == w[:k] and fit(i + k, j + 1):
                return True
        return False

    return fit(0, 0)


@lru_cache(maxsize=200_000)
def journal_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Similarity of two journal names (token tuples) in [0, 1].

    1.0 for the same name or an abbreviation aligned token by token with the full
    name, or an acronym of it; 0.85 when one name is the other plus words (a
    section or a subtitle); otherwise the character similarity of the joined
    names.

    >>> journal_similarity(("n", "engl", "j", "med"), ("new", "england", "journal", "medicine"))
    1.0
    >>> journal_similarity(("bmj",), ("british", "medical", "journal"))
    1.0
    >>> journal_similarity(("amcis",), ("americas", "conference", "information", "systems"))
    1.0
    >>> journal_similarity(("diabetologia",), ("diabetes",))
    0.0
    """
    if a == b:
        return 1.0
    if _aligned(a, b):
        return 1.0
    for x, y in ((a, b), (b, a)):
        if len(x) == 1 and len(y) >= 2 and _acronym(x[0], y):
            return 1.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if short and (long_[: len(short)] == short or _aligned(short, long_[: len(short)])):
        return 0.85
    ja, jb = "".join(a), "".join(b)
    if ja == jb:
        return 1.0
    ratio = fuzz.ratio(ja, jb) / 100.0
    if len(a) == 1 and len(b) == 1 and ratio < 0.9:
        return 0.0  # "Diabetologia" and "Diabetes": two journals, not a typo
    return ratio


def _agree(x: str, y: str) -> Agreement:
    if not x or not y:
        return Agreement.MISSING
    return Agreement.MATCH if x == y else Agreement.CONFLICT


@dataclass(frozen=True, slots=True)
class PairFeatures:
    """Everything the rules know about a pair of records."""

    title: TitleRelation
    title_words_diff: int
    title_ratio: float
    title_words: int
    flags_conflict: bool
    part_conflict: bool
    numbers_conflict: bool
    authors: float | None
    first_author: bool | None
    year_diff: int | None
    journal: float | None
    conference_mismatch: bool
    conference_any: bool
    single_pages: bool
    supplement_mismatch: bool
    doi: Agreement
    pmid: Agreement
    volume: Agreement
    issue: Agreement
    pages: Agreement
    last_page: Agreement
    abstract: Agreement


def _volume(a: NormRecord, b: NormRecord) -> Agreement:
    """Volumes agree, conflict, or are missing; a volume equal to the other record's
    supplement number is a database writing the supplement in the volume field."""
    agree = _agree(a.volume, b.volume)
    if agree is Agreement.CONFLICT and (
        (a.supplement and a.supplement == b.volume) or (b.supplement and b.supplement == a.volume)
    ):
        return Agreement.MISSING
    return agree


def _issue(x: str, y: str) -> Agreement:
    """Issues agree unless both are plain numbers (or numbered supplements) that differ."""
    if not x or not y or x == y:
        return _agree(x, y)
    if x.startswith("s") != y.startswith("s") or x == "s" or y == "s":
        return Agreement.MISSING
    return Agreement.CONFLICT


def page_agreement(a: tuple[str, str, str], b: tuple[str, str, str]) -> tuple[Agreement, Agreement]:
    """Agreement of first and last page of two ``(first, last, kind)`` page ranges.

    Page numbers of different kinds (an e-locator "e12724" and PDF pages "1-6";
    print pages "1014" and BMJ's "c1804") cannot be compared.  A range whose last
    page agrees ("2141-2147" and "2142-2147") or a single page inside the other
    range ("488" and "487-488") is a typo or a shortened range, not another work.

    >>> page_agreement(("487", "488", ""), ("488", "", ""))
    (<Agreement.MATCH: 1>, <Agreement.MISSING: 0>)
    >>> page_agreement(("246", "250", ""), ("250", "254", ""))
    (<Agreement.CONFLICT: -1>, <Agreement.CONFLICT: -1>)
    """
    fa, la, ka = a
    fb, lb, kb = b
    if not fa or not fb or ka != kb:
        return Agreement.MISSING, Agreement.MISSING
    last = _agree(la, lb)
    if fa == fb:
        return Agreement.MATCH, last
    if last is Agreement.MATCH:
        return Agreement.MISSING, last
    if not la and lb and int(fb) <= int(fa) <= int(lb):
        return Agreement.MATCH, Agreement.MISSING
    if not lb and la and int(fa) <= int(fb) <= int(la):
        return Agreement.MATCH, Agreement.MISSING
    return Agreement.CONFLICT, Agreement.CONFLICT if la and lb else Agreement.MISSING


def _pages(a: NormRecord, b: NormRecord) -> tuple[Agreement, Agreement]:
    return page_agreement(
        (a.first_page, a.last_page, a.page_kind), (b.first_page, b.last_page, b.page_kind)
    )


def _supplement(r: NormRecord) -> bool:
    """Whether a record sits in a supplement (issue "Suppl", pages "S45")."""
    return r.issue.startswith("s") or r.page_kind == "s" or bool(r.supplement)


def _full_article(r: NormRecord) -> bool:
    """A journal record spanning several pages of a regular issue (not a meeting abstract)."""
    return (
        not r.conference
        and bool(r.last_page)
        and not r.issue.startswith("s")
        and int(r.last_page) - int(r.first_page) >= 1
    )


def _abstract(a: NormRecord, b: NormRecord) -> Agreement:
    if not a.abstract or not b.abstract:
        return Agreement.MISSING
    n = min(len(a.abstract), len(b.abstract), 300)
    score = fuzz.ratio(a.abstract[:n], b.abstract[:n])
    if score >= 90:
        return Agreement.MATCH
    if score < 60:
        return Agreement.CONFLICT
    return Agreement.MISSING


def compare(a: NormRecord, b: NormRecord) -> PairFeatures:
    """Compare two normalised records field by field."""
    rel, ndiff = title_relation(a.title, b.title)
    if rel is TitleRelation.EXACT:
        ratio = 100.0
    elif rel is TitleRelation.MISSING:
        ratio = 0.0
    else:
        ratio = fuzz.ratio(a.title.compact, b.title.compact)
    numbers_conflict = bool(
        a.title.numbers
        and b.title.numbers
        and a.title.numbers != b.title.numbers
        and rel is not TitleRelation.TRUNCATED
    )
    pages, last = _pages(a, b)
    volume = _volume(a, b)
    doi, pmid = _agree(a.doi, b.doi), _agree(a.pmid, b.pmid)
    if (
        rel is TitleRelation.DIFFERENT
        and ratio < 60
        and Agreement.MATCH not in (doi, pmid)
        and not (volume is Agreement.MATCH and pages is Agreement.MATCH)
    ):
        # no rule can make such a pair the same work or a question: skip the authors
        authors, first = None, None
    else:
        authors, first = author_overlap(a, b)
    if a.issn and b.issn and a.issn & b.issn:
        journal: float | None = 1.0
    elif a.journals and b.journals:
        journal = max(journal_similarity(x, y) for x in a.journals for y in b.journals)
    else:
        journal = None
    return PairFeatures(
        title=rel,
        title_words_diff=ndiff,
        title_ratio=ratio,
        title_words=min(len(a.title.words), len(b.title.words)),
        flags_conflict=a.title.flags != b.title.flags,
        part_conflict=bool(a.title.part and b.title.part and a.title.part != b.title.part),
        numbers_conflict=numbers_conflict,
        authors=authors,
        first_author=first,
        year_diff=abs(a.year - b.year) if a.year and b.year else None,
        journal=journal,
        conference_mismatch=(a.conference and _full_article(b))
        or (b.conference and _full_article(a)),
        conference_any=a.conference or b.conference,
        single_pages=bool(a.first_page and b.first_page and not a.last_page and not b.last_page),
        supplement_mismatch=_supplement(a) != _supplement(b)
        and bool(a.issue or a.page_kind)
        and bool(b.issue or b.page_kind),
        doi=doi,
        pmid=pmid,
        volume=volume,
        issue=_issue(a.issue, b.issue),
        pages=pages,
        last_page=last,
        abstract=_abstract(a, b),
    )
