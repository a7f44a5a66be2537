"""Pairwise rules: what must merge, what must never merge, what a human settles."""

from __future__ import annotations

from typing import Any

import pytest

from srma.dedup.compare import (
    Agreement,
    TitleRelation,
    compare,
    journal_similarity,
    page_agreement,
    title_relation,
)
from srma.dedup.normalise import normalise_record, normalise_title
from srma.dedup.rules import Decision, classify

BASE: dict[str, Any] = dict(
    title="Effect of exercise on depression in older adults: a randomised controlled trial",
    authors=["Smith, John A.", "Jones, Mary", "Brown, K."],
    year=2015,
    journal="Journal of Geriatric Psychiatry",
    volume="12",
    issue="3",
    pages="123-129",
)


def verdict(a: dict[str, Any], b: dict[str, Any]):
    return classify(compare(normalise_record(a), normalise_record(b)))


def decide(a: dict[str, Any], b: dict[str, Any]) -> Decision:
    return verdict(a, b).decision


# --- title relations ---------------------------------------------------------


@pytest.mark.parametrize(
    "a, b, rel",
    [
        ("Atypical hemolytic uremic syndrome", "Atypical Hemolytic–Uremic Syndrome.", "EXACT"),
        ("Paroxsmal nocturnal hemoglobinuria", "Paroxysmal nocturnal hemoglobinuria", "TYPO"),
        ("A sub-group of children", "A subgroup of children", "EXACT"),
        (
            "Efficacy of sitagliptin in obese adults",
            "Eficacy of sitagliptin in obese adults",
            "TYPO",
        ),
        (
            "Unilateral neglect in stroke",
            "Unilateral neglect in stroke: A comparative study",
            "SUBTITLE",
        ),
        (
            "Resistant to plasma therapy in adults",
            "Sensitive to plasma therapy in adults",
            "DIFFERENT",
        ),
        (
            "x" * 10 + " " + "long title words " * 6,
            "x" * 10 + " " + "long title words " * 12,
            "TRUNCATED",
        ),
        ("", "Anything", "MISSING"),
    ],
)
def test_title_relation(a, b, rel):
    assert title_relation(normalise_title(a), normalise_title(b))[0] is TitleRelation[rel]


def test_journal_abbreviations():
    def sim(a: str, b: str) -> float:
        from srma.dedup.normalise import normalise_journal

        return max(
            journal_similarity(x, y)
            for x in normalise_journal(a)[0]
            for y in normalise_journal(b)[0]
        )

    assert sim("N Engl J Med", "New England Journal of Medicine") == 1.0
    assert (
        sim(
            "Proc Natl Acad Sci U S A",
            "Proceedings of the National Academy of Sciences of the United States of America",
        )
        == 1.0
    )
    assert sim("BMJ", "British Medical Journal") == 1.0
    assert sim("Drugs & Aging", "Drugs and Aging") == 1.0
    assert sim("AMCIS 2017 Proceedings", "Americas Conference on Information Systems") == 1.0
    assert sim("Diabetologia", "Diabetes") < 0.5
    assert sim("Lancet", "Blood") < 0.5


def test_page_agreement():
    M, C, X = Agreement.MATCH, Agreement.CONFLICT, Agreement.MISSING
    assert page_agreement(("123", "129", ""), ("123", "", "")) == (M, X)
    assert page_agreement(("2141", "2147", ""), ("2142", "2147", "")) == (X, M)
    assert page_agreement(("487", "488", ""), ("488", "", "")) == (M, X)
    # e-locator against PDF pages, BMJ's "c1804" against print pages: not comparable
    assert page_agreement(("1", "6", ""), ("12724", "", "e")) == (X, X)
    assert page_agreement(("246", "250", ""), ("250", "254", "")) == (C, C)


# --- must merge -----------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        dict(title=BASE["title"].upper() + "."),
        dict(title=BASE["title"].replace(": a", " - A") + " [Review] [45 refs]"),
        dict(authors=["Smith JA", "Jones M", "Brown K"], journal="J Geriatr Psychiatry"),
        dict(authors=["Smith John", "Jones Mary"], pages="123-9"),
        dict(authors=["Smith, J."], issue=None, pages=None),  # short author list, no pages
        dict(title=BASE["title"].replace("randomised", "randomized").replace("older", "oldr")),
        dict(year=2016),  # online first / print: same journal, volume and pages
        dict(title=BASE["title"][:60]),  # subtitle cut, same coordinates
        dict(authors=["Group, Exercise Trialists"]),  # group name; journal, volume, page range
    ],
)
def test_same_work(change):
    assert decide(BASE, dict(BASE, **change)) is Decision.SAME


def test_same_doi_garbled_authors():
    a = dict(BASE, doi="10.1000/x.1")
    b = dict(BASE, doi="https://doi.org/10.1000/X.1", authors=["Mary J.", "Kate B."])
    assert decide(a, b) is Decision.SAME


# --- must never merge -----------------------------------------------------------


def test_erratum_vs_article():
    for title in [
        "Erratum: " + BASE["title"],
        "Correction to: " + BASE["title"],
        BASE["title"] + " (vol 12, pg 123, 2015)",
    ]:
        erratum = dict(BASE, title=title, pages="456", issue="6", authors=["Smith, J. A."])
        assert decide(BASE, erratum) is Decision.DIFFERENT, title
    # even with no coordinates to tell them apart
    bare = dict(BASE, title="Erratum: " + BASE["title"], pages=None, issue=None, volume=None)
    assert decide(BASE, bare) is Decision.DIFFERENT


def test_part_1_vs_part_2():
    p1 = dict(
        BASE, title="Stroke rehabilitation in the community. Part 1: methods", pages="100-110"
    )
    p2 = dict(p1, title="Stroke rehabilitation in the community. Part 2: methods", pages="111-120")
    assert decide(p1, p2) is Decision.DIFFERENT
    p2_roman = dict(
        p2,
        title="Stroke rehabilitation in the community. Part II: methods",
        pages=None,
        volume=None,
    )
    assert decide(p1, p2_roman) is Decision.DIFFERENT


def test_conference_abstract_vs_full_paper_different_year():
    abstract = dict(
        BASE,
        year=2014,
        journal="Journal of Geriatric Psychiatry.Conference: Annual Meeting 2014",
        volume="11",
        issue="Suppl 1",
        pages="S45",
    )
    assert decide(abstract, BASE) is Decision.DIFFERENT
    no_coordinates = dict(abstract, volume=None, issue=None, pages=None)
    assert decide(no_coordinates, BASE) is Decision.DIFFERENT


def test_conference_abstract_same_year_is_not_merged():
    abstract = dict(
        BASE,
        journal="Journal of Geriatric Psychiatry.Conference: Annual Meeting",
        volume=None,
        issue=None,
        pages=None,
    )
    assert decide(abstract, BASE) is not Decision.SAME


def test_same_title_different_authors_or_years():
    others = dict(BASE, authors=["Garcia, L.", "Chen, W."], volume=None, pages=None, issue=None)
    assert decide(BASE, others) is Decision.DIFFERENT
    later = dict(BASE, year=2019, volume="16", pages="55-60")
    assert decide(BASE, later) is Decision.DIFFERENT
    short_title = dict(
        title="Eculizumab",
        authors=["Parker, C."],
        year=2007,
        journal="Nature Reviews Drug Discovery",
        volume="6",
        pages="515-516",
    )
    other_short = dict(
        title="Eculizumab",
        authors=["Dubois, E."],
        year=2009,
        journal="Br J Clin Pharmacol",
        volume="68",
        pages="318-319",
    )
    assert decide(short_title, other_short) is Decision.DIFFERENT


def test_protocol_vs_results():
    protocol = dict(
        BASE,
        title=BASE["title"] + ": study protocol",
        year=2013,
        journal="Trials",
        volume="14",
        pages="e45",
    )
    assert decide(protocol, BASE) is Decision.DIFFERENT
    protocol_same_year = dict(protocol, year=2015, volume=None, pages=None, journal=None)
    assert decide(protocol_same_year, BASE) is Decision.DIFFERENT


def test_comment_and_reply_vs_article():
    comment = dict(BASE, title="Comment on: " + BASE["title"], authors=["Other, A."], pages="300")
    reply = dict(BASE, title=BASE["title"] + " - Reply", pages="301")
    assert decide(comment, BASE) is Decision.DIFFERENT
    assert decide(reply, BASE) is Decision.DIFFERENT


def test_same_authors_same_year_different_title():
    other = dict(
        BASE, title="Sleep quality in older adults with depression: a cohort study", pages="200-210"
    )
    assert decide(BASE, other) is Decision.DIFFERENT


def test_different_dois():
    a = dict(BASE, doi="10.1000/a.1")
    b = dict(BASE, doi="10.1000/a.2", year=2016, pages="400-410", volume="13")
    assert decide(a, b) is Decision.DIFFERENT


def test_supplement_doi_shared_by_abstracts_with_other_titles():
    a = dict(BASE, doi="10.1007/s00125-013-3012-z", pages="S69", issue="Suppl 1")
    b = dict(a, title="Forced catch-up growth alters the enteroinsular axis in rats", pages="S258")
    assert decide(a, b) is Decision.DIFFERENT


# --- left to a human ------------------------------------------------------------


def test_uncertain_same_title_no_corroboration():
    a = dict(title=BASE["title"], year=2015)
    b = dict(title=BASE["title"], year=2015)
    v = verdict(a, b)
    assert v.decision is Decision.UNCERTAIN
    assert 0 < v.score <= 1


def test_uncertain_years_one_apart_without_coordinates():
    a = dict(BASE, volume=None, pages=None, issue=None, journal=None)
    b = dict(a, year=2016)
    assert decide(a, b) is Decision.UNCERTAIN


def test_uncertain_missing_title_same_coordinates():
    b = dict(BASE, title=None)
    assert decide(BASE, b) is Decision.UNCERTAIN


def test_supplement_abstract_in_the_same_volume_a_year_earlier():
    # a volume spanning two years: the meeting abstract (supplement page) and the article
    abstract = dict(BASE, year=2014, issue="Suppl 2", pages="S45")
    assert decide(abstract, BASE) is not Decision.SAME


def test_meeting_abstract_with_abstract_number_and_page():
    # Embase gives the abstract number, another database the page, of one meeting abstract
    a = dict(
        BASE,
        journal="Pediatric Transplantation.Conference: 6th Congress",
        volume="15",
        issue=None,
        pages="22",
        year=2011,
    )
    b = dict(a, journal="Pediatric Transplantation", pages="52")
    assert decide(a, b) is Decision.SAME
    # an article and a one-page item in a later issue (an unflagged erratum): not merged
    article = dict(BASE, pages="1223-1229", issue="5")
    later = dict(BASE, pages="2205", issue="9")
    assert decide(article, later) is not Decision.SAME
