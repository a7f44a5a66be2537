"""The true works of the example review: the 14 real included studies and the synthetic rest.

A *work* is one publication; every exported record is a rendering of one work.
This module decides what the works are (titles, authors, journals, years, DOIs,
abstracts) and what the review does with each of them (its *role*): included,
excluded at full text with a reason, or excluded on title and abstract.

Randomness comes only from :class:`random.Random` objects seeded with strings,
so the output is the same on every run and every platform.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field

from catalogue import (
    ACRONYM_NOISE,
    AUTHOR_KEYWORDS,
    CITIES,
    CONCEPT_CUES,
    DEPARTMENTS,
    DESIGNS,
    IMR_PHRASES,
    INCLUDED,
    JOURNALS,
    NAME_POOLS,
    OTHER_INTERVENTIONS,
    OUTCOMES,
    POPULATIONS,
    POSITIVE_OUTCOMES,
    SCALES,
    SETTINGS,
    STAFF,
    SYNTHETIC_DOI_PREFIX,
    THEMES,
    Journal,
)

SEED = "srma-example-review-goh2023"

#: Numbers of works by stream and role (the PRISMA boxes they fill).
N_DB_WORKS = 168
N_DB_TA_EXCLUDED = 142
N_OTHER_NEW_WORKS = 290


@dataclass(frozen=True)
class Person:
    """An author: surname, given names (empty when only initials are known), initials."""

    surname: str
    given: str
    initials: str  # letters only, hyphen kept for hyphenated given names: "YS", "H-J"


@dataclass(eq=False)
class Work:
    """One true publication."""

    key: str
    stream: str  # where it was first identified: "databases" or "other_methods"
    role: str  # included:<ref> | fulltext_excluded:<reason> | ta_excluded
    kind: str  # article | dissertation | conference_abstract | chapter | erratum | report | book
    title: str  # as the publisher prints it (sentence case unless the journal uses Title Case)
    authors: list[Person]
    year: int
    journal: Journal
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None  # in full, e.g. "1636"
    article_number: str | None = None
    doi: str | None = None
    abstract: str | None = None
    concepts: list[str] = field(default_factory=list)
    author_keywords: list[str] = field(default_factory=list)
    language: str = "English"
    original_title: str | None = None  # title in the original language when not English
    is_synthetic: bool = True
    ref: int | None = None
    table1_id: str | None = None
    month: int = 1
    epub_year: int | None = None  # online-first year when earlier than the issue year
    pmid: str | None = None
    related: str = ""  # hard cases: how this work relates to another work
    coverage: list[str] = field(default_factory=list)  # databases that return it
    institution: str | None = None  # dissertations, reports
    book_title: str | None = None  # chapters
    publisher: str | None = None  # books, chapters, reports
    original: Work | None = None  # errata: the work they correct
    paper_last_page: str | None = None  # real studies: last page as the paper abbreviates it
    affiliations: list[str] = field(default_factory=list)  # one per author (synthetic only)

    @property
    def pages(self) -> str | None:
        """Page range in full ("1629-1636"), the article number, or None."""
        if self.article_number:
            return self.article_number
        if self.first_page and self.last_page:
            return f"{self.first_page}-{self.last_page}"
        return self.first_page

    @property
    def short_pages(self) -> str | None:
        """Page range as MEDLINE and reference lists abbreviate it ("1629-36")."""
        if self.article_number or not (self.first_page and self.last_page):
            return self.pages
        first, last = self.first_page, self.last_page
        if len(first) == len(last):
            i = 0
            while i < len(last) - 1 and first[i] == last[i]:
                i += 1
            last = last[i:]
        return f"{first}-{last}"

    @property
    def ft_reason(self) -> str:
        """The planned full-text exclusion reason, or ''."""
        if self.role.startswith("fulltext_excluded:"):
            return self.role.split(":", 1)[1]
        return ""


# --------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------


def strip_accents(text: str) -> str:
    """'Färdig' -> 'Fardig', 'Sørensen' -> 'Sorensen', 'Łukasik' -> 'Lukasik'."""
    special = {
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "ı": "i",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "đ": "d",
        "Đ": "D",
    }
    text = "".join(special.get(c, c) for c in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def initials_of(given: str) -> str:
    """'Mei Ling' -> 'ML', 'Hyun-Jung' -> 'H-J', 'María José' -> 'MJ'."""
    parts = []
    for word in given.split():
        if "-" in word:
            parts.append("-".join(p[0] for p in word.split("-") if p))
        else:
            parts.append(word[0])
    return "".join(parts)


_SMALL = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "but",
    "by",
    "for",
    "in",
    "of",
    "on",
    "or",
    "the",
    "to",
    "with",
    "versus",
    "vs",
    "via",
    "from",
    "into",
    "than",
    "among",
}


def title_case(text: str) -> str:
    """Publisher Title Case: 'a randomized trial of IMR' -> 'A Randomized Trial of IMR'."""
    words = text.split(" ")
    out = []
    after_colon = True
    for word in words:
        bare = word.strip("(\"'")
        if not bare:
            out.append(word)
            continue
        lower = bare.lower()
        if bare.isupper() and len(bare) > 1:
            new = word  # acronyms stay
        elif lower in _SMALL and not after_colon:
            new = word.lower()
        else:
            lead = word[: len(word) - len(word.lstrip("(\"'"))]
            rest = word[len(lead) :]
            new = lead + "-".join(p[:1].upper() + p[1:] for p in rest.split("-"))
        out.append(new)
        after_colon = word.endswith(":") or word.endswith("?")
    return " ".join(out)


def content_words(title: str) -> set[str]:
    """Lower-case words of a title without stop words, for similarity checks."""
    words = re.findall(r"[a-z0-9]+", strip_accents(title).lower())
    stop = _SMALL | {"is", "are", "be", "do", "does", "what", "who", "how", "people", "study", "s"}
    return {w for w in words if w not in stop}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def concepts_for(text: str) -> list[str]:
    """Concept keys whose cue words occur in ``text`` (in a stable order)."""
    found: list[str] = []
    for cue, concept in CONCEPT_CUES:
        if cue in text and concept not in found:
            found.append(concept)
    return found


#: Volume = year - base for each journal (so that volumes look like the real ones).
_VOLUME_BASE = {
    "psychserv": 1949,
    "archpsychnurs": 1986,
    "frontpsych": 2009,
    "jclinnurs": 1991,
    "jmenthealth": 1991,
    "plosone": 2005,
    "bmcpsych": 2000,
    "cmhj": 1964,
    "psychrehabj": 1977,
    "ijmhn": 1991,
    "jpmhn": 1993,
    "schizres": 1987,
    "schizbull": 1974,
    "psychres": 1978,
    "apmh": 1973,
    "imhn": 1978,
    "sppe": 1965,
    "anzjp": 1966,
    "nordjpsych": 1946,
    "eip": 2006,
    "ppc": 1962,
    "japna": 1994,
    "psychq": 1926,
    "jnmd": 1818,
    "ajp_asian": 2007,
    "bmjopen": 2010,
    "trials": 2005,
    "jdualdiag": 2004,
    "ajpr": 1997,
    "mhrj": 1995,
    "psychosis": 2008,
    "jprmh": 2013,
    "ccvi": 1998,
    "ijcard": 1981,
    "bmcph": 2000,
    "psychprax": 1973,
    "daib": 1938,
}


def volume_for(journal: Journal, year: int) -> str:
    return str(max(1, year - _VOLUME_BASE.get(journal.key, 1990)))


# --------------------------------------------------------------------------------------
# people
# --------------------------------------------------------------------------------------

_AVOID_SURNAMES = {a[0] for s in INCLUDED for a in s.authors} | {"Goh", "Ow Yong", "Li"}


def make_person(rng: random.Random, pool: str) -> Person:
    surnames, givens = NAME_POOLS[pool]
    surname = rng.choice([s for s in surnames if s not in _AVOID_SURNAMES])
    given = rng.choice(givens)
    if rng.random() < 0.3 and " " not in given and "-" not in given:
        given = f"{given} {rng.choice('ABCDEFGHJKLMNPRSTW')}."
    initials = initials_of(given.replace(".", ""))
    return Person(surname, given.replace(".", "").strip(), initials)


def make_authors(rng: random.Random, pool: str, n: int | None = None) -> list[Person]:
    if n is None:
        n = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7, 8])
    people: list[Person] = []
    pools = list(NAME_POOLS)
    while len(people) < n:
        use = pool if rng.random() < 0.8 else rng.choice(pools)
        p = make_person(rng, use)
        if all(p.surname != q.surname for q in people):
            people.append(p)
    return people


# --------------------------------------------------------------------------------------
# titles
# --------------------------------------------------------------------------------------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _bare(phrase: str) -> str:
    """'a structured exercise programme' -> 'structured exercise programme'."""
    for article in ("a ", "an ", "the "):
        if phrase.startswith(article):
            return phrase[len(article) :]
    return phrase


@dataclass(frozen=True)
class Slots:
    """What a synthetic study is about; titles and abstracts are built from it."""

    intervention: str
    population: str
    outcome: str
    outcome2: str
    design: str
    group: str  # design group: trial, qual, obs, review, impl, psychometric
    setting: str
    staff: str
    scale: str


#: Title templates: (template, design groups it accepts).
TEMPLATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Effects of {i} on {o} among {p}: {d}", ("trial",)),
    ("{I} for {p} {s}: {d}", ("trial", "qual", "obs")),
    ("{O} among {p} receiving {i}: {d}", ("obs", "trial")),
    ("Predictors of {o} in {p} attending {bi}", ("obs",)),
    ("Implementing {i} {s}: barriers and facilitators reported by {staff}", ("qual",)),
    ("The association between {o} and {o2} in {p}", ("obs",)),
    ("{Staff}' perspectives on delivering {i}: {d}", ("qual",)),
    ("Long-term outcomes of {i} for {p}: a {n}-year follow-up", ("trial",)),
    ("Does {i} improve {o} in {p}? Findings from {d}", ("trial",)),
    ("Psychometric properties of the {scale} in {p} {s}", ("psychometric",)),
    ("Adapting {i} for {p} {s}: {d}", ("qual", "impl")),
    ("Cost-effectiveness of {i} for {p}", ("trial",)),
    ("Fidelity to {bi} {s}: {d}", ("impl", "obs")),
    ("Service users' experiences of {bi}: {d}", ("qual",)),
    ("What helps {p} achieve {po}? {D}", ("qual",)),
    ("Changes in {o} after {i} {s}: {d}", ("obs", "trial")),
    ("{O} and {o2} in {p}: {d}", ("obs",)),
    ("Attendance and dropout in {bi} for {p}", ("obs",)),
    ("Training {staff} to deliver {i}: {d}", ("impl", "qual")),
    ("Trajectories of {o} in {p} over {n} years", ("obs",)),
    ("The role of {o} in the recovery of {p}", ("obs", "qual")),
    ("Combining {i} with {i2} for {p}", ("trial",)),
    ("{I} for {p}: {d}", ("review",)),
)


def make_slots(rng: random.Random, imr_share: float) -> tuple[str, Slots]:
    """A plausible synthetic title and the slots it was built from."""
    template, groups = rng.choice(TEMPLATES)
    group = rng.choice(groups)
    design = rng.choice(DESIGNS[group]) if group in DESIGNS else "a validation study"
    i = rng.choice(IMR_PHRASES) if rng.random() < imr_share else rng.choice(OTHER_INTERVENTIONS)
    i2 = rng.choice([x for x in OTHER_INTERVENTIONS if x != i])
    o, o2 = rng.sample(OUTCOMES, 2)
    slots = Slots(
        i,
        rng.choice(POPULATIONS),
        o,
        o2,
        design,
        group,
        rng.choice(SETTINGS)[0],
        rng.choice(STAFF),
        rng.choice(SCALES),
    )
    values = {
        "i": i,
        "I": _cap(i),
        "bi": _bare(i),
        "i2": i2,
        "p": slots.population,
        "o": o,
        "O": _cap(o),
        "o2": o2,
        "po": rng.choice(POSITIVE_OUTCOMES),
        "d": design,
        "D": _cap(design),
        "s": slots.setting,
        "staff": slots.staff,
        "Staff": _cap(slots.staff),
        "scale": slots.scale,
        "n": rng.choice(["two", "three", "five", "ten"]),
    }
    if "{o}" not in template and "{O}" not in template:
        # the title names no outcome: the abstract reports what the title is about
        first = template.split()[0]
        o = {
            "Attendance": "attendance",
            "Fidelity": "programme fidelity",
            "Implementing": "implementation",
            "Training": "competence after training",
            "Psychometric": "illness self-management",
            "Cost-effectiveness": "costs",
            "Service": "satisfaction",
            "What": values["po"],
        }.get(first, o)
        slots = Slots(**{**slots.__dict__, "outcome": o})
    setting = slots.setting if "{s}" in template else ""
    population = slots.staff if "taff}" in template else slots.population
    changes = {"setting": setting, "population": population}
    return template.format(**values), Slots(**{**slots.__dict__, **changes})


#: Interventions and phrases that did not exist before a given year.
_FIRST_YEAR = {
    "illness management": 2005,
    "imr": 2005,
    "smartphone": 2012,
    "virtual reality": 2014,
    "online": 2008,
    "recovery star": 2009,
    "recovery college": 2011,
    "wellness recovery action": 2004,
    "metacognitive": 2008,
    "compassion": 2010,
    "individual placement": 2003,
    "acceptance and commitment": 2006,
    "telepsychiatry": 2002,
    "narrative enhancement": 2010,
    "housing first": 2004,
    "joint crisis": 2004,
    "recovery self-assessment": 2006,
    "maryland assessment of recovery": 2012,
    "questionnaire about the process of recovery": 2011,
    "stages of recovery": 2006,
}


def earliest_year(title: str) -> int:
    low = title.lower()
    return max([y for phrase, y in _FIRST_YEAR.items() if phrase in low], default=1990)


def _pool_for_setting(setting: str, rng: random.Random) -> str:
    for phrase, pool in SETTINGS:
        if phrase == setting:
            return pool
    return rng.choice(list(NAME_POOLS))


# --------------------------------------------------------------------------------------
# abstracts
# --------------------------------------------------------------------------------------

_IMR_CONTEXT = (
    " Curriculum-based programmes such as Illness Management and Recovery (IMR) "
    "combine psychoeducation, relapse prevention and coping skills training."
)


def _p_value(rng: random.Random, significant: bool) -> str:
    if significant:
        return f"p = 0.0{rng.randint(1, 4)}" if rng.random() < 0.7 else "p < 0.001"
    return f"p = 0.{rng.randint(12, 91)}"


def make_abstract(rng: random.Random, slots: Slots, mention_imr: bool) -> str:
    """A structured synthetic abstract consistent with the study's slots."""
    background = rng.choice(
        [
            "People with severe mental illness often receive little structured support for "
            "managing their condition.",
            "Recovery-oriented services aim to help people with serious mental illness pursue "
            "personally meaningful goals.",
            "Psychosocial interventions are recommended alongside medication, yet their uptake "
            "in routine care remains limited.",
            "Self-management is a core element of recovery-oriented mental health care.",
        ]
    )
    if mention_imr:
        background += _IMR_CONTEXT
    n = rng.randint(30, 420)
    months = rng.choice([3, 6, 9, 12, 18, 24])
    i, p, o, o2 = slots.intervention, slots.population, slots.outcome, slots.outcome2
    where = f" {slots.setting}" if slots.setting else ""
    significant = rng.random() < 0.5
    pv = _p_value(rng, significant)
    if slots.group == "trial":
        aim = f"To evaluate the effect of {_bare(i)} on {o} among {p}{where}."
        methods = (
            f"{n} participants were randomly assigned to {_bare(i)} or usual care and "
            f"assessed at baseline and after {months} months with the {slots.scale}."
        )
        if significant:
            results = (
                f"Participants receiving {_bare(i)} improved more on {o} than controls "
                f"(standardised mean difference 0.{rng.randint(21, 68)}, {pv})."
            )
        else:
            results = f"Both groups improved on {o}; the groups did not differ ({pv})."
    elif slots.group == "qual":
        aim = f"To explore how {p}{where} experience {_bare(i)}."
        k = rng.randint(8, 32)
        themes = rng.sample(THEMES, 3)
        methods = (
            f"Semi-structured interviews were held with {k} participants and staff and "
            f"analysed thematically."
        )
        results = f"Three themes were identified: {themes[0]}, {themes[1]} and {themes[2]}."
    elif slots.group == "review":
        k = rng.randint(6, 48)
        aim = f"To synthesise the evidence on {_bare(i)} for {p}."
        methods = (
            f"Five databases were searched from inception; {k} studies with "
            f"{n * 7} participants were included."
        )
        results = (
            f"Effects on {o} were small to moderate (pooled standardised mean "
            f"difference 0.{rng.randint(12, 55)}) with substantial heterogeneity."
        )
    elif slots.group == "psychometric":
        aim = f"To examine the reliability and validity of the {slots.scale} in {p}{where}."
        methods = f"{n} participants completed the scale twice, two weeks apart."
        results = (
            f"Internal consistency was good (Cronbach's alpha 0.{rng.randint(78, 93)}) "
            f"and test-retest reliability acceptable (ICC 0.{rng.randint(70, 89)})."
        )
    elif slots.group == "impl":
        teams = rng.randint(4, 40)
        aim = f"To describe the implementation of {_bare(i)}{where}."
        methods = (
            f"Fidelity reviews, staff surveys and interviews were conducted in {teams} "
            f"teams over {months} months."
        )
        results = (
            f"Mean fidelity was {rng.choice(['moderate', 'good', 'fair'])}; training, "
            f"supervision and leadership support were the main facilitators."
        )
    else:
        aim = f"To examine {o} and its correlates among {p}{where}."
        methods = f"{n} participants were assessed with the {slots.scale} and standard measures."
        results = (
            f"{_cap(o)} was {'' if significant else 'not '}associated with {o2} "
            f"(r = 0.{rng.randint(5, 45):02d}, {pv})."
        )
    conclusion = rng.choice(
        [
            "The findings support wider implementation, although longer follow-up is needed.",
            "Further studies with active comparators are warranted.",
            "Attention to engagement and attendance may strengthen effects in routine services.",
            "Services should consider these factors when planning recovery-oriented care.",
        ]
    )
    return (
        f"Background: {background} Aims: {aim} Methods: {methods} Results: {results} "
        f"Conclusions: {conclusion}"
    )


def slots_for_planned(title: str) -> Slots:
    """Slots for a hand-written title, inferred from its words."""
    low = title.lower()
    cues = (
        ("impl", ("protocol", "evaluation report", "fidelity", "teaching")),
        (
            "qual",
            (
                "qualitative",
                "experience",
                "grounded theory",
                "describe",
                "attitudes",
                "perceived",
                "perspectives",
                "working alliance",
            ),
        ),
        ("obs", ("survey", "historical", "pre-post", "patterns", "skills and subjective")),
        ("review", ("review",)),
    )
    group = next((g for g, words in cues if any(w in low for w in words)), "trial")
    intervention = "illness management and recovery"
    for phrase in (
        "Wellness Recovery Action Planning",
        "psychoeducation course",
        "illness self-management",
        "wellness curriculum",
        "clubhouse",
    ):
        if phrase.lower() in low:
            intervention = phrase
    population = "adults with severe mental illness"
    for phrase in (
        "adolescents with early-onset psychosis",
        "borderline personality disorder",
        "forensic psychiatric inpatients",
        "bipolar disorder",
        "schizophrenia",
        "veterans with posttraumatic stress disorder",
        "psychosis",
        "schizoaffective disorder",
        "clubhouse members",
    ):
        if phrase in low:
            population = phrase if " " in phrase else f"people with {phrase}"
    return Slots(
        intervention,
        population,
        "illness self-management",
        "personal recovery",
        "",
        group,
        "",
        "mental health nurses",
        "Illness Management and Recovery Scale",
    )


# --------------------------------------------------------------------------------------
# the works
# --------------------------------------------------------------------------------------


def _doi(journal: Journal, year: int, serial: int) -> str:
    stem = journal.doi_stem or journal.key
    return f"{SYNTHETIC_DOI_PREFIX}/{stem}.{year}.{serial:05d}"


def _fill_article(work: Work, rng: random.Random, serial: int, with_doi: bool = True) -> None:
    """Volume, issue, pages and DOI for a synthetic journal article."""
    work.volume = volume_for(work.journal, work.year)
    if work.journal.article_numbers:
        work.article_number = (
            str(rng.randint(10, 999))
            if work.journal.key in ("bmcpsych", "trials", "bmcph")
            else f"e0{rng.randint(100000, 299999)}"
        )
        if work.journal.key == "frontpsych":
            work.article_number = str(rng.randint(600000, 899999))
    else:
        work.issue = str(rng.randint(1, 12))
        first = rng.randint(1, 1400)
        work.first_page = str(first)
        work.last_page = str(first + rng.randint(4, 16))
    if with_doi:
        work.doi = _doi(work.journal, work.year, serial)
    work.month = rng.randint(1, 12)
    if rng.random() < 0.12:
        work.epub_year = work.year - 1


def _real_works() -> list[Work]:
    """The 14 included studies, with the paper's abbreviated last pages written in full."""
    works = []
    for s in INCLUDED:
        last = None
        if s.first_page and s.last_page:  # "1629" + "36" -> "1636"
            last = s.first_page[: len(s.first_page) - len(s.last_page)] + s.last_page
        journal = JOURNALS[s.journal]
        article_number = None
        first = s.first_page
        if journal.article_numbers:
            article_number, first = s.first_page, None
        w = Work(
            key=f"ref{s.ref}",
            stream="other_methods" if not s.coverage else "databases",
            role=f"included:{s.ref}",
            kind="article",
            title=s.title,
            authors=[Person(sn, "", ini) for sn, ini in s.authors],
            year=s.year,
            journal=journal,
            volume=s.volume,
            first_page=first,
            last_page=last,
            article_number=article_number,
            doi=s.doi,
            concepts=[],  # no subject headings: the paper gives none
            is_synthetic=False,
            ref=s.ref,
            table1_id=s.table1_id,
            coverage=list(s.coverage),
            paper_last_page=s.last_page,
        )
        works.append(w)
    related = {
        "ref33": "same trial as ref34 and ref35 (Danish IMR trial), different paper",
        "ref34": "same trial as ref33 and ref35 (Danish IMR trial), different paper",
        "ref35": "same trial as ref33 and ref34 (Danish IMR trial), one-year follow-up paper",
        "ref36": "same first authors as ref38, different trial",
        "ref38": "same first authors as ref36, different trial",
    }
    for w in works:
        w.related = related.get(w.key, "")
    return works


@dataclass(frozen=True)
class Planned:
    """A hand-written synthetic work (full-text exclusions and hard cases)."""

    key: str
    role: str
    kind: str
    title: str
    journal: str
    year: int
    pool: str
    related: str = ""
    language: str = "English"
    original_title: str | None = None
    n_authors: int | None = None
    same_authors_as: str | None = None
    databases: tuple[str, ...] = ()  # databases that must return it


#: Database-stream works excluded at full text (13), with the hard cases they form.
DB_FULLTEXT: tuple[Planned, ...] = (
    Planned(
        "w_ft01",
        "fulltext_excluded:wrong study design",
        "article",
        "Illness management and recovery in a Norwegian day-treatment setting: an "
        "uncontrolled pre-post evaluation",
        "nordjpsych",
        2013,
        "nordic",
    ),
    Planned(
        "w_ft02",
        "fulltext_excluded:wrong study design",
        "article",
        "Group-based illness management and recovery in a Singapore day rehabilitation "
        "centre: a pre-post pilot evaluation",
        "ajp_asian",
        2020,
        "east_asian",
        related="full paper of the conference abstract w_ft12 (different title and year)",
    ),
    Planned(
        "w_ft03",
        "fulltext_excluded:wrong study design",
        "article",
        "Outcomes of illness management and recovery compared with historical controls "
        "in a Japanese psychiatric hospital",
        "psychq",
        2017,
        "east_asian",
    ),
    Planned(
        "w_ft04",
        "fulltext_excluded:study protocol",
        "article",
        "Effectiveness of illness management and recovery for forensic psychiatric "
        "inpatients: protocol for a cluster randomised controlled trial",
        "trials",
        2016,
        "dutch_french",
        related="protocol of the trial reported in w_ft11 (different title and year)",
    ),
    Planned(
        "w_ft05",
        "fulltext_excluded:study protocol",
        "article",
        "Peer-led illness management and recovery versus usual care for people with "
        "bipolar disorder: study protocol for a randomised trial",
        "bmjopen",
        2020,
        "anglo",
    ),
    Planned(
        "w_ft06",
        "fulltext_excluded:wrong intervention",
        "article",
        "Wellness Recovery Action Planning groups for adults with severe mental illness: "
        "a randomised controlled trial",
        "cmhj",
        2015,
        "anglo",
    ),
    Planned(
        "w_ft07",
        "fulltext_excluded:wrong intervention",
        "article",
        "A four-session psychoeducation course versus waiting list for people with "
        "schizophrenia: effects on hope and recovery",
        "jpmhn",
        2018,
        "iberian",
    ),
    Planned(
        "w_ft08",
        "fulltext_excluded:wrong intervention",
        "article",
        "Smartphone-supported illness self-management for people with psychosis: a "
        "randomised trial",
        "schizres",
        2021,
        "anglo",
    ),
    Planned(
        "w_ft09",
        "fulltext_excluded:wrong population",
        "article",
        "Illness management and recovery adapted for adolescents with early-onset "
        "psychosis: a randomised pilot trial",
        "eip",
        2019,
        "nordic",
    ),
    Planned(
        "w_ft10",
        "fulltext_excluded:wrong population",
        "article",
        "Illness management and recovery for people with borderline personality "
        "disorder: a randomised controlled trial",
        "jnmd",
        2017,
        "german",
    ),
    Planned(
        "w_ft11",
        "fulltext_excluded:wrong outcome",
        "article",
        "Illness self-management training on secure forensic wards: readmission and "
        "symptom outcomes of a cluster randomised trial",
        "psychres",
        2019,
        "dutch_french",
        related="results paper of the trial whose protocol is w_ft04",
        same_authors_as="w_ft04",
    ),
    Planned(
        "w_ft12",
        "fulltext_excluded:conference abstract",
        "conference_abstract",
        "Illness management and recovery in Singapore: preliminary outcomes of a group programme",
        "schizbull",
        2019,
        "east_asian",
        related="conference abstract of the study later published as w_ft02",
        same_authors_as="w_ft02",
    ),
    Planned(
        "w_ft13",
        "fulltext_excluded:not in English",
        "article",
        "Illness management and recovery in community psychiatric care: results of a "
        "randomised study",
        "psychprax",
        2014,
        "german",
        language="German",
        databases=("embase", "pubmed", "psycinfo", "scopus"),
        original_title="Illness Management and Recovery in der gemeindepsychiatrischen "
        "Versorgung: Ergebnisse einer randomisierten Studie",
    ),
)

#: Database-stream works excluded on title and abstract that form hard cases.
DB_HARD_TA: tuple[Planned, ...] = (
    Planned(
        "w_hc01",
        "ta_excluded",
        "article",
        "Peer facilitators in illness management and recovery groups: a qualitative "
        "study of their working alliance",
        "psychrehabj",
        2018,
        "anglo",
        n_authors=4,
        related="same authors and year as w_hc02, different paper",
    ),
    Planned(
        "w_hc02",
        "ta_excluded",
        "article",
        "Attendance patterns and reasons for leaving peer-co-facilitated recovery "
        "groups in community mental health teams",
        "cmhj",
        2018,
        "anglo",
        related="same authors and year as w_hc01, different paper",
        same_authors_as="w_hc01",
    ),
    Planned(
        "w_hc03",
        "ta_excluded",
        "article",
        "Illness self-management skills and subjective wellbeing in people with "
        "schizoaffective disorder",
        "ijmhn",
        2015,
        "iberian",
        related="the paper corrected by the erratum w_hc04",
    ),
    Planned(
        "w_hc04",
        "ta_excluded",
        "erratum",
        "Correction to: Illness self-management skills and subjective wellbeing in "
        "people with schizoaffective disorder",
        "ijmhn",
        2016,
        "iberian",
        related="erratum to w_hc03 (a separate record, not a duplicate)",
        same_authors_as="w_hc03",
    ),
    Planned(
        "w_hc05",
        "ta_excluded",
        "dissertation",
        "Hope, agency and the process of recovery among clubhouse members: a grounded theory",
        "daib",
        2015,
        "anglo",
        n_authors=1,
        related="dissertation; its author later published w_hc06 with another title",
    ),
    Planned(
        "w_hc06",
        "ta_excluded",
        "article",
        "Regaining control over daily life: how clubhouse members describe personal agency",
        "psychrehabj",
        2017,
        "anglo",
        related="journal article from the dissertation w_hc05 (different title and year)",
        same_authors_as="w_hc05",
    ),
    Planned(
        "w_hc07",
        "ta_excluded",
        "dissertation",
        "Perceived barriers to attending illness management and recovery groups in a "
        "state mental health system",
        "daib",
        2012,
        "anglo",
        n_authors=1,
    ),
    Planned(
        "w_hc08",
        "ta_excluded",
        "dissertation",
        "Clinician attitudes toward recovery-oriented practice in assertive community "
        "treatment teams",
        "daib",
        2018,
        "anglo",
        n_authors=1,
    ),
    Planned(
        "w_hc09",
        "ta_excluded",
        "conference_abstract",
        "Fidelity of illness management and recovery in Dutch FACT teams: a national survey",
        "schizbull",
        2018,
        "dutch_french",
    ),
    Planned(
        "w_hc10",
        "ta_excluded",
        "chapter",
        "Teaching illness self-management skills in community psychiatry",
        "daib",
        2012,
        "anglo",
        n_authors=2,
    ),
)

#: Other-methods works excluded at full text (3).
OTHER_FULLTEXT: tuple[Planned, ...] = (
    Planned(
        "o_ft01",
        "fulltext_excluded:wrong study design",
        "report",
        "Illness management and recovery in a state psychiatric hospital: a program "
        "evaluation report",
        "daib",
        2008,
        "anglo",
        n_authors=3,
    ),
    Planned(
        "o_ft02",
        "fulltext_excluded:wrong population",
        "article",
        "Illness management and recovery groups for veterans with posttraumatic stress "
        "disorder in an outpatient clinic",
        "ajpr",
        2010,
        "anglo",
    ),
    Planned(
        "o_ft03",
        "fulltext_excluded:wrong intervention",
        "dissertation",
        "Effects of a general wellness curriculum on hope and empowerment among clubhouse members",
        "daib",
        2011,
        "anglo",
        n_authors=1,
    ),
)

_PSYCH_JOURNALS = [
    k
    for k, j in JOURNALS.items()
    if k not in ("ccvi", "ijcard", "bmcph", "daib", "psychprax", "trials")
]


class TitleBook:
    """Accepted titles; refuses a new title too close to one already accepted."""

    def __init__(self, limit: float = 0.35) -> None:
        self.limit = limit
        self.words: list[set[str]] = []

    def add(self, title: str, force: bool = False) -> bool:
        words = content_words(title)
        if not force and any(jaccard(words, w) > self.limit for w in self.words):
            return False
        self.words.append(words)
        return True


def _planned_work(
    p: Planned, stream: str, rng: random.Random, serial: int, by_key: dict[str, Work]
) -> Work:
    journal = JOURNALS[p.journal]
    if p.same_authors_as:
        authors = list(by_key[p.same_authors_as].authors)
        if p.kind == "article" and by_key[p.same_authors_as].kind == "dissertation":
            authors = authors + make_authors(rng, p.pool, 2)
    else:
        authors = make_authors(rng, p.pool, p.n_authors)
    w = Work(
        key=p.key,
        stream=stream,
        role=p.role,
        kind=p.kind,
        title=p.title,
        authors=authors,
        year=p.year,
        journal=journal,
        related=p.related,
        language=p.language,
        original_title=p.original_title,
        concepts=concepts_for(p.title) or ["smi"],
    )
    if p.kind in ("article", "erratum"):
        _fill_article(w, rng, serial)
        w.epub_year = None
        if p.kind == "erratum":
            w.last_page = w.first_page
            w.original = by_key[p.same_authors_as] if p.same_authors_as else None
    elif p.kind == "conference_abstract":
        w.volume = volume_for(journal, p.year)
        w.issue = "Supplement 2"
        w.first_page = f"S{rng.randint(100, 400)}"
        w.doi = _doi(journal, p.year, serial)
    elif p.kind == "dissertation":
        w.volume = str(p.year - 1938)
        w.issue = f"{rng.randint(1, 12)}-B(E)"
        w.institution = rng.choice(
            [
                "Indiana University",
                "University of Kansas",
                "Boston University",
                "University of Minnesota",
                "Rutgers University",
                "Fordham University",
            ]
        )
    elif p.kind == "chapter":
        w.book_title = "Handbook of community psychiatric rehabilitation"
        w.publisher = "Guilford Press"
        first = rng.randint(50, 300)
        w.first_page, w.last_page = str(first), str(first + 18)
    elif p.kind == "report":
        w.institution = "Indiana Division of Mental Health and Addiction"
        w.publisher = w.institution
    w.coverage = list(p.databases)
    if p.kind != "erratum":
        w.abstract = make_abstract(rng, slots_for_planned(p.title), mention_imr=True)
    _finish(w, rng, p.pool)
    return w


def _template_work(
    key: str,
    stream: str,
    rng: random.Random,
    book: TitleBook,
    imr_share: float,
    year_range: tuple[int, int],
    serial: int,
    kinds: tuple[str, ...] = ("article",),
) -> Work:
    while True:
        title, slots = make_slots(rng, imr_share)
        if book.add(title):
            break
    pool = _pool_for_setting(slots.setting, rng)
    kind = rng.choice(kinds)
    year = max(rng.randint(*year_range), earliest_year(title))
    month = rng.randint(1, 12)
    journal = JOURNALS[rng.choice([k for k in _PSYCH_JOURNALS if _VOLUME_BASE[k] < year])]
    w = Work(
        key=key,
        stream=stream,
        role="ta_excluded",
        kind=kind,
        title=title,
        authors=make_authors(rng, pool),
        year=year,
        journal=journal,
        concepts=concepts_for(title) or ["smi"],
    )
    w.month = month
    if kind == "article":
        _fill_article(w, rng, serial, with_doi=rng.random() > 0.06 or year > 2012)
    elif kind == "chapter":
        w.book_title = rng.choice(
            [
                "Handbook of recovery in mental health",
                "Psychiatric rehabilitation: principles and practice",
                "Evidence-based practices for serious mental illness",
            ]
        )
        w.publisher = rng.choice(
            ["Routledge", "Springer", "Oxford University Press", "Guilford Press"]
        )
        first = rng.randint(20, 400)
        w.first_page, w.last_page = str(first), str(first + rng.randint(10, 30))
    elif kind == "report":
        w.institution = rng.choice(
            [
                "Substance Abuse and Mental Health Services Administration",
                "Mental Health Commission of Canada",
                "National Institute for Health and Care Excellence",
                "Australian Institute of Health and Welfare",
            ]
        )
        w.publisher = w.institution
    elif kind == "dissertation":
        w.journal = JOURNALS["daib"]
        w.volume = str(year - 1938)
        w.issue = f"{rng.randint(1, 12)}-B(E)"
        w.institution = rng.choice(
            [
                "University of Illinois at Chicago",
                "Boston University",
                "Indiana University",
                "University of Kansas",
                "Temple University",
            ]
        )
        w.authors = w.authors[:1]
    w.abstract = make_abstract(rng, slots, mention_imr=stream == "databases")
    _finish(w, rng, pool)
    return w


def _finish(w: Work, rng: random.Random, pool: str) -> None:
    """Author keywords and affiliations of a synthetic work."""
    if rng.random() < 0.6:
        words = [AUTHOR_KEYWORDS[c] for c in w.concepts if c in AUTHOR_KEYWORDS]
        w.author_keywords = (words + [rng.choice(OUTCOMES)])[:5]
    city = rng.choice(CITIES[pool])
    w.affiliations = [f"{rng.choice(DEPARTMENTS)}, University of {city}, {city}" for _ in w.authors]


def build_works() -> list[Work]:
    """All true works, database-stream first, then other-methods-only works."""
    rng = random.Random(f"{SEED}:works")
    book = TitleBook()
    works: list[Work] = []
    by_key: dict[str, Work] = {}
    serial = 100

    real = _real_works()
    for w in real:
        book.add(w.title, force=True)
        by_key[w.key] = w
    db_real = [w for w in real if w.stream == "databases"]
    johnson = [w for w in real if w.stream == "other_methods"]
    works.extend(db_real)

    def take(p: Planned, stream: str) -> Work:
        nonlocal serial
        serial += 1
        book.add(p.title, force=True)
        w = _planned_work(p, stream, rng, serial, by_key)
        by_key[w.key] = w
        works.append(w)
        return w

    for p in DB_FULLTEXT:
        take(p, "databases")
    for p in DB_HARD_TA:
        take(p, "databases")
    for title, jkey, concept in ACRONYM_NOISE:
        serial += 1
        book.add(title, force=True)
        key = f"w_ta{len([x for x in works if x.key.startswith('w_ta')]) + 1:03d}"
        w = Work(
            key=key,
            stream="databases",
            role="ta_excluded",
            kind="article",
            title=title,
            authors=make_authors(rng, rng.choice(list(NAME_POOLS))),
            year=rng.randint(2012, 2021),
            journal=JOURNALS[jkey],
            concepts=[concept],
            related="off-topic hit of the acronym IMR",
        )
        _fill_article(w, rng, serial)
        w.abstract = (
            f"Background: The index studied here is abbreviated IMR. Aims: {title}. "
            f"Methods: {rng.randint(80, 900)} cases were analysed retrospectively. "
            f"Results: Higher IMR values were associated with worse outcomes "
            f"(p = 0.0{rng.randint(1, 4)}). Conclusions: IMR adds prognostic "
            f"information; larger studies are needed."
        )
        _finish(w, rng, rng.choice(list(NAME_POOLS)))
        by_key[key] = w
        works.append(w)
    n_ta = N_DB_WORKS - len(works)
    for _ in range(n_ta):
        serial += 1
        key = f"w_ta{len([x for x in works if x.key.startswith('w_ta')]) + 1:03d}"
        w = _template_work(
            key, "databases", rng, book, imr_share=0.55, year_range=(2003, 2021), serial=serial
        )
        by_key[key] = w
        works.append(w)

    # other methods: Johnson 2007, three full-text exclusions, the rest excluded on title
    works.extend(johnson)
    for p in OTHER_FULLTEXT:
        take(p, "other_methods")
    n_other = N_OTHER_NEW_WORKS - len(johnson) - len(OTHER_FULLTEXT)
    for i in range(n_other):
        serial += 1
        key = f"o_ta{i + 1:03d}"
        w = _template_work(
            key,
            "other_methods",
            rng,
            book,
            imr_share=0.12,
            year_range=(1994, 2021),
            serial=serial,
            kinds=("article",) * 14 + ("chapter", "report", "dissertation"),
        )
        by_key[key] = w
        works.append(w)
    _assign_pmids(works)
    return works


def _assign_pmids(works: list[Work]) -> None:
    """Synthetic PMIDs (99xxxxxx, outside PubMed's range) for works in MEDLINE journals.

    They rise with publication date, as real PMIDs do.  The real included studies
    get synthetic PMIDs too: the paper does not give theirs (see data/README.md).
    """
    rng = random.Random(f"{SEED}:pmid")
    medline = [w for w in works if w.journal.medline and w.kind in ("article", "erratum")]
    medline.sort(key=lambda w: (w.year, w.month, w.key))
    pmid = 99000000
    for w in medline:
        pmid += rng.randint(100, 600)
        w.pmid = str(pmid)


def check_roles(works: list[Work]) -> dict[str, int]:
    """Counts of works by stream and role group; raises if they miss the PRISMA numbers."""
    counts: dict[str, int] = {}
    for w in works:
        group = w.role.split(":")[0]
        counts[f"{w.stream}:{group}"] = counts.get(f"{w.stream}:{group}", 0) + 1
    expected = {
        "databases:included": 13,
        "databases:fulltext_excluded": 13,
        "databases:ta_excluded": N_DB_TA_EXCLUDED,
        "other_methods:included": 1,
        "other_methods:fulltext_excluded": 3,
        "other_methods:ta_excluded": N_OTHER_NEW_WORKS - 4,
    }
    if counts != expected:
        raise AssertionError(f"role counts {counts} != {expected}")
    return counts
