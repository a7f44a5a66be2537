"""Render planned records in the formats the databases really export.

One ``render_<source>`` function per export file returns the file's bytes.  The
dialects imitate the samples in ``/work/shared/benchmarks/exports`` (tag sets,
field order, BOMs, line endings, separators, continuation lines).  Each record
varies the way real duplicates do (capitalisation, punctuation, author formats,
journal names and abbreviations, page ranges, missing DOIs or abstracts,
diacritics, Unicode punctuation, HTML entities), always within what a careful
reader would call "the same work".
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import re
import textwrap
from collections.abc import Callable

from catalogue import CONCEPTS, SYNTHETIC_NOTE
from plan import RecordPlan
from works import Person, Work, strip_accents, title_case

BOM = "\ufeff"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


# --------------------------------------------------------------------------------------
# shared pieces
# --------------------------------------------------------------------------------------


def rng_for(plan: RecordPlan) -> random.Random:
    return random.Random(plan.seed)


def number(seed: str, digits: int) -> str:
    """A stable pseudo-random number of ``digits`` digits derived from ``seed``."""
    value = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return str(value % 10**digits).zfill(digits)


def published_title(w: Work) -> str:
    """The title as the journal prints it."""
    if w.journal.title_case and w.kind == "article":
        return title_case(w.title)
    return w.title


def with_period(title: str) -> str:
    return title if title.endswith((".", "?", "!")) else title + "."


def fancy_punctuation(title: str, rng: random.Random, p: float = 0.5) -> str:
    """Typographic apostrophes and Unicode hyphens, as publisher XML often has."""
    if "'" in title and rng.random() < p:
        title = title.replace("'", "\u2019")
    if "-" in title and rng.random() < p / 2:
        title = re.sub(r"(?<=[a-z])-(?=[a-z])", "\u2010", title)
    return title


def entity_punctuation(text: str, rng: random.Random, p: float = 0.4) -> str:
    """HTML entities left in by some platforms (ProQuest)."""
    if rng.random() < p:
        text = text.replace("&", "&amp;").replace("'", "&#39;")
    return text


def year_for(w: Work, plan: RecordPlan, rng: random.Random, online_first: bool) -> int:
    """Online-first databases sometimes give the year of the online version."""
    if plan.variant == "in_press":
        return w.epub_year or w.year
    if online_first and w.epub_year and rng.random() < 0.5:
        return w.epub_year
    return w.year


def keep_doi(w: Work, plan: RecordPlan, rng: random.Random, p_drop: float) -> str | None:
    """The DOI, or None when this database's record lacks it."""
    if not w.doi:
        return None
    if not w.is_synthetic and plan.source_id in ("embase", "pubmed", "scopus", "wos"):
        return w.doi
    return None if rng.random() < p_drop else w.doi


def keep_abstract(w: Work, rng: random.Random, p_drop: float) -> str | None:
    if not w.abstract:
        return None
    return None if rng.random() < p_drop else w.abstract


def subjects(w: Work, vocab: int) -> list[str]:
    """Subject headings of the work's concepts in one database's vocabulary."""
    return [CONCEPTS[c][vocab] for c in w.concepts if c in CONCEPTS]


def dotted(initials: str) -> str:
    """'YS' -> 'Y.S.', 'H-J' -> 'H.-J.'"""
    out = ""
    for ch in initials:
        out += "-" if ch == "-" else ch + "."
    return out


def spaced_dotted(initials: str) -> str:
    """'YS' -> 'Y. S.', 'H-J' -> 'H.-J.'"""
    tokens: list[str] = []
    for ch in initials:
        if ch == "-" and tokens:
            tokens[-1] += "-"
        elif tokens and tokens[-1].endswith("-"):
            tokens[-1] += ch + "."
        else:
            tokens.append(ch + ".")
    return " ".join(tokens)


def full_name(p: Person) -> str:
    """'Surname, Given Names' (or 'Surname, I. S.' when only initials are known)."""
    if p.given:
        return f"{p.surname}, {p.given}"
    return f"{p.surname}, {spaced_dotted(p.initials)}"


def medline_name(p: Person) -> str:
    return f"{p.surname} {p.initials.replace('-', '')}"


def affiliation(w: Work, i: int = 0) -> str:
    """The synthetic affiliation of the work's i-th author ('' for real works)."""
    return w.affiliations[i] if i < len(w.affiliations) else ""


def accents(name: str, strip: bool) -> str:
    return strip_accents(name) if strip else name


def wrap_nbib(tag: str, value: str) -> list[str]:
    """MEDLINE-format lines: 4-character tag, '- ', continuation indented 6 spaces."""
    prefix = f"{tag:<4}- "
    lines = textwrap.wrap(value, width=80, break_long_words=False, break_on_hyphens=False)
    if not lines:
        return [prefix.rstrip()]
    return [prefix + lines[0]] + ["      " + line for line in lines[1:]]


def wrap_wos(tag: str, values: list[str], width: int = 0) -> list[str]:
    """WoS plain-text field: one value per line, continuation lines indented 3 spaces."""
    lines: list[str] = []
    for value in values:
        if width:
            lines += textwrap.wrap(
                value, width=width, break_long_words=False, break_on_hyphens=False
            ) or [""]
        else:
            lines.append(value)
    return [f"{tag} {lines[0]}"] + [f"   {line}" for line in lines[1:]]


def ris(tag: str, value: object) -> str:
    return f"{tag}  - {value}"


def date_parts(w: Work, rng: random.Random) -> tuple[int, int, int]:
    return w.year, w.month, rng.randint(1, 28)


# --------------------------------------------------------------------------------------
# CINAHL: EBSCOhost RIS, CRLF
# --------------------------------------------------------------------------------------


def cinahl_record(plan: RecordPlan) -> list[str]:
    w, rng = plan.work, rng_for(plan)
    j = w.journal
    an = number(plan.seed + "an", 9)
    title = with_period(fancy_punctuation(published_title(w), rng, 0.3))
    lines = ["TY  - JOUR"]
    strip = rng.random() < 0.15
    for p in w.authors:
        lines.append(ris("AU", accents(full_name(p), strip)))
    lines.append(ris("T1", title))
    lines += [ris("JO", j.name), ris("JF", j.name), ris("JA", j.nlm_ta.upper())]
    month = f"{w.month:02d}" if w.is_synthetic else ""
    lines.append(ris("Y1", f"{year_for(w, plan, rng, False)}/{month}//"))
    ahead = plan.variant == "ahead_of_print"
    if w.volume and not ahead:
        lines.append(ris("VL", w.volume))
    if w.issue and not ahead:
        lines.append(ris("IS", w.issue))
    lines.append(ris("M3", "Article" if w.kind == "article" else "journal article"))
    if not ahead:
        if w.article_number:
            lines.append(ris("SP", w.article_number))
        elif w.first_page:
            lines.append(ris("SP", w.first_page))
            if w.last_page:
                lines.append(ris("EP", w.last_page))
    lines.append(ris("PB", j.publisher))
    lines.append(ris("SN", j.issn))
    abstract = keep_abstract(w, rng, 0.1)
    if abstract:
        lines.append(ris("AB", abstract))
    for kw in subjects(w, 2) + (["Human"] if w.is_synthetic else []):
        lines.append(ris("KW", kw))
    source_info = f"{MONTHS[w.month - 1] if w.is_synthetic else ''}{w.year}"
    if w.volume:
        source_info += f", Vol. {w.volume}"
    if w.issue and not ahead:
        source_info += f" Issue {w.issue}"
    if w.first_page and not ahead:
        source_info += f", p{w.first_page}"
    people = "; ".join(
        f"{accents(full_name(p), strip)} {i + 1}" for i, p in enumerate(w.authors[:3])
    )
    lines.append(
        ris(
            "N1",
            f"Accession Number: {an}; {people}; Source Info: {source_info}; "
            f"Language: {w.language}; Publication Type: Journal Article",
        )
    )
    if w.is_synthetic:
        lines.append(ris("N1", SYNTHETIC_NOTE))
    doi = keep_doi(w, plan, rng, 0.12)
    if doi:
        lines.append(ris("DO", doi.upper() if rng.random() < 0.1 else doi))
    lines.append(
        ris(
            "UR",
            "https://search.ebscohost.com/login.aspx?direct=true&db=rzh"
            f"&AN={an}&site=ehost-live&scope=site",
        )
    )
    lines += [ris("DP", "EBSCOhost"), ris("DB", "rzh"), "ER  - ", ""]
    return lines


def render_cinahl(plans: list[RecordPlan]) -> bytes:
    lines = [line for plan in plans for line in cinahl_record(plan)]
    return ("\r\n".join(lines).rstrip("\r\n") + "\r\n").encode("utf-8")


# --------------------------------------------------------------------------------------
# Embase: Embase.com RIS, BOM, LF
# --------------------------------------------------------------------------------------


def embase_record(plan: RecordPlan) -> list[str]:
    w, rng = plan.work, rng_for(plan)
    j = w.journal
    medline_only = plan.variant == "medline_only"
    in_press = plan.variant == "in_press"
    lnum = "L" + ("6" if medline_only else "9") + number(plan.seed + "L", 9)
    types = {
        "article": "Article",
        "conference_abstract": "Conference Abstract",
        "erratum": "Erratum",
    }
    lines = ["TY  - JOUR", ris("M3", "Article in Press" if in_press else types[w.kind])]
    lines.append(ris("Y1", year_for(w, plan, rng, True)))
    if not in_press:
        if w.volume:
            lines.append(ris("VL", w.volume))
        if w.issue:
            lines.append(ris("IS", w.issue))
        if w.article_number:
            lines.append(ris("SP", w.article_number))
        elif w.first_page:
            lines.append(ris("SP", w.first_page))
            lines.append(ris("EP", w.last_page or w.first_page))
    lines.append(ris("SN", j.issn))
    if j.eissn and j.eissn != j.issn and not medline_only:
        lines.append(ris("SN", j.eissn))
    if medline_only:
        lines += [ris("JF", j.nlm_jt), ris("JO", j.nlm_ta)]
    else:
        lines += [ris("JF", j.name), ris("JO", j.iso)]
    lines.append(
        ris(
            "UR", f"http://www.embase.com/search/results?subaction=viewrecord&from=export&id={lnum}"
        )
    )
    lines.append(ris("U2", lnum))
    if w.pmid and not in_press:
        lines.append(ris("C5", w.pmid))
    if medline_only:
        lines.append(ris("DB", "Medline"))
    else:
        lines.append(ris("DB", "Embase"))
        if w.pmid and not in_press:
            lines.append(ris("DB", "Medline"))
    y, m, d = date_parts(w, rng)
    lines.append(ris("U3", f"{y}-{m:02d}-{d:02d}"))
    lines.append(ris("U4", f"{y}-{m:02d}-{min(d + 6, 28):02d}"))
    doi = keep_doi(w, plan, rng, 0.03)
    if doi:
        lines += [ris("L2", f"http://dx.doi.org/{doi}"), ris("DO", doi)]
    for p in w.authors:
        lines.append(ris("A1", f"{p.surname} {dotted(p.initials)}"))
    if w.is_synthetic and w.authors:
        first = w.authors[0]
        names = "; ".join(f"{p.surname} {dotted(p.initials)}" for p in w.authors)
        lines.append(ris("M1", f"({names}) {affiliation(w)}"))
        lines.append(ris("AD", f"{dotted(first.initials)} {first.surname}, {affiliation(w)}"))
    title = published_title(w)
    if w.kind == "conference_abstract" and rng.random() < 0.5:
        title = title_case(title)
    lines.append(ris("T1", fancy_punctuation(title, rng, 0.4)))
    lines.append(ris("LA", w.language))
    if medline_only:
        keywords = [k.split("/")[0].lower() for k in subjects(w, 0)]
    else:
        keywords = subjects(w, 1)
        if w.is_synthetic:
            keywords = sorted(set(keywords + ["human", "adult", "article"]))
    for kw in keywords:
        lines.append(ris("KW", kw))
    abstract = keep_abstract(w, rng, 0.03)
    if abstract:
        if rng.random() < 0.3:
            abstract += f" Copyright \u00a9 {w.year} {w.journal.publisher}"
        lines.append(ris("N2", abstract))
    if w.is_synthetic:
        lines.append(ris("N1", SYNTHETIC_NOTE))
    lines += ["ER  -", ""]
    return lines


def render_embase(plans: list[RecordPlan]) -> bytes:
    lines = [line for plan in plans for line in embase_record(plan)]
    return (BOM + "\n".join(lines).rstrip("\n") + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------
# ProQuest RIS, LF, three blank lines between records
# --------------------------------------------------------------------------------------

_PROQUEST_DBS = (
    "ProQuest Central",
    "Nursing & Allied Health Database",
    "Psychology Database",
    "Health & Medical Collection",
    "Publicly Available Content Database",
)


def proquest_record(plan: RecordPlan) -> list[str]:
    w, rng = plan.work, rng_for(plan)
    j = w.journal
    docid = "99" + number(plan.seed + "pq", 8)
    thesis = w.kind == "dissertation"
    title = entity_punctuation(fancy_punctuation(published_title(w), rng, 0.3), rng, 0.3)
    lines = ["TY  - THES" if thesis else "TY  - JOUR", ris("T1", title), ris("AN", docid)]
    abstract = keep_abstract(w, rng, 0.1)
    if abstract:
        lines.append(ris("AB", abstract))
    lines.append(ris("JF", "ProQuest Dissertations and Theses" if thesis else j.name))
    strip = rng.random() < 0.3
    for p in w.authors:
        lines.append(ris("AU", accents(full_name(p), strip)))
    lines.append(ris("PY", w.year))
    if thesis:
        lines += [
            ris("SP", str(rng.randint(90, 260))),
            ris("CY", "United States"),
            ris("PB", w.institution or ""),
        ]
    else:
        if w.volume:
            lines.append(ris("VL", w.volume))
        if w.issue and plan.variant != "second_database":
            lines.append(ris("IS", w.issue))
        pages = w.short_pages if rng.random() < 0.5 else w.pages
        if pages:
            lines.append(ris("SP", pages))
        lines.append(ris("SN", f"{j.issn}, {j.eissn or j.issn}"))
    for kw in subjects(w, 3):
        lines.append(ris("KW", kw))
    lines.append(ris("UR", f"https://www.proquest.com/docview/{docid}?accountid=13876"))
    doi = keep_doi(w, plan, rng, 0.15)
    if doi:
        lines.append(ris("L2", f"http://dx.doi.org/{doi}"))
    lines.append(ris("LA", w.language))
    if thesis:
        db = "ProQuest Dissertations & Theses Global"
    elif plan.variant == "second_database":
        db = _PROQUEST_DBS[(int(number(plan.seed, 3)) % 4) + 1]
    else:
        db = _PROQUEST_DBS[0]
    lines.append(ris("DB", db))
    revised = f"{w.year + 1}-{w.month:02d}-{rng.randint(1, 28):02d}"
    lines.append(ris("N1", f"Date revised - {revised}"))
    lines.append(ris("N1", f"Last updated - {revised}"))
    if w.is_synthetic:
        lines.append(ris("N1", SYNTHETIC_NOTE))
    if doi:
        lines.append(ris("DO", f"http://dx.doi.org/{doi}"))
    lines += ["ER  -", "", "", ""]
    return lines


def render_proquest(plans: list[RecordPlan]) -> bytes:
    lines = [line for plan in plans for line in proquest_record(plan)]
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------
# PsycINFO: Ovid RIS with a numbered line before every record
# --------------------------------------------------------------------------------------

_APA_CLASS = (
    "Psychotherapy & Psychotherapeutic Counseling [3310]",
    "Rehabilitation [3380]",
    "Health & Mental Health Services [3370]",
    "Psychological Disorders [3210]",
    "Professional Personnel Attitudes & Characteristics [3430]",
)


def psycinfo_record(plan: RecordPlan) -> list[str]:
    w, rng = plan.work, rng_for(plan)
    j = w.journal
    an = f"{w.year}-99{number(plan.seed + 'an', 3)}-{number(plan.seed + 'an2', 3)}"
    kinds = {"dissertation": "THES", "chapter": "CHAP"}
    lines = [
        f"{plan.position}. ",
        ris("TY", kinds.get(w.kind, "JOUR")),
        ris("DB", "APA PsycInfo <1806 to February Week 2 2022>"),
        ris("ID", an),
    ]
    doi = keep_doi(w, plan, rng, 0.05)
    if doi:
        lines.append(ris("DO", f"https://dx.doi.org/{doi}"))
    lines.append(ris("T1", with_period(w.title)))  # APA: sentence case
    for p in w.authors:
        lines.append(ris("A1", full_name(p).replace(".", "") if p.given else full_name(p)))
    lines.append(ris("Y1", f"{w.year}//"))
    if w.is_synthetic:
        lines.append(ris("N1", SYNTHETIC_NOTE))
    abstract = keep_abstract(w, rng, 0.02)
    if abstract:
        lines.append(ris("N2", abstract))
    heads = subjects(w, 3)
    for i, kw in enumerate(heads):
        lines.append(ris("KW", f"*{kw}" if i < 2 else kw))
    lines.append(ris("M3", _APA_CLASS[int(number(plan.seed + "cls", 2)) % len(_APA_CLASS)]))
    if w.kind == "chapter":
        lines += [
            ris("T2", w.book_title),
            ris("SP", w.first_page),
            ris("EP", w.last_page),
            ris("CY", "New York, NY, US"),
            ris("PB", w.publisher or ""),
        ]
    else:
        lines.append(ris("JF", j.name))
        if w.volume:
            lines.append(ris("VL", w.volume))
        if w.issue:
            lines.append(ris("IS", w.issue))
        if w.kind == "dissertation":
            lines.append(ris("SP", "No Pagination Specified"))
        elif w.article_number:
            lines.append(ris("SP", w.article_number))
        elif w.first_page:
            lines += [ris("SP", w.first_page), ris("EP", w.last_page or w.first_page)]
        if w.kind != "dissertation":
            lines += [ris("CY", "US"), ris("PB", j.publisher), ris("PB", "US")]
        lines.append(ris("SN", j.issn))
    if w.is_synthetic and w.authors:
        lines.append(ris("AD", f"{full_name(w.authors[0])}: {affiliation(w)}"))
    lines.append(
        ris("L2", f"http://ovidsp.ovid.com/ovidweb.cgi?T=JS&PAGE=reference&D=psyh&NEWS=N&AN={an}")
    )
    if w.kind == "article":
        lines.append(ris("NL", j.nlm_ta))
    lines.append(ris("LA", w.language))
    pt = {"dissertation": "Dissertation Abstract", "chapter": "Book; Edited Book"}
    lines.append(ris("PT", pt.get(w.kind, "Journal; Peer Reviewed Journal")))
    lines += ["ER  -  ", "", " ", ""]
    return lines


def render_psycinfo(plans: list[RecordPlan]) -> bytes:
    lines = [line for plan in plans for line in psycinfo_record(plan)]
    return ("\n".join(lines) + "\n\n").encode("utf-8")  # Ovid ends with one more newline


# --------------------------------------------------------------------------------------
# PubMed: MEDLINE format (.nbib)
# --------------------------------------------------------------------------------------

_LANG3 = {"English": "eng", "German": "ger"}


def pubmed_record(plan: RecordPlan) -> list[str]:
    w, rng = plan.work, rng_for(plan)
    j = w.journal
    out: list[str] = []

    def add(tag: str, value: str) -> None:
        out.extend(wrap_nbib(tag, value))

    recent = w.year >= 2021
    add("PMID", w.pmid or "")
    add("OWN", "NLM")
    add("STAT", "In-Process" if recent and w.is_synthetic else "MEDLINE")
    y, m, d = date_parts(w, rng)
    if not (recent and w.is_synthetic):
        add("DCOM", f"{y + 1}{m:02d}{d:02d}")
    add("LR", f"{min(y + 3, 2022)}{m:02d}{d:02d}")
    add("IS", f"{j.issn} (Print)")
    if j.eissn and j.eissn != j.issn:
        add("IS", f"{j.eissn} (Electronic)")
    add("IS", f"{j.issn} (Linking)")
    if w.volume:
        add("VI", w.volume)
    if w.issue:
        add("IP", w.issue)
    add("DP", f"{w.year} {MONTHS[w.month - 1]}" if w.is_synthetic else str(w.year))
    title = published_title(w) if w.year >= 2010 else w.title
    if w.original_title:
        title = f"[{w.title}]"
    add("TI", with_period(title))
    if w.short_pages:
        add("PG", w.short_pages)
    doi = keep_doi(w, plan, rng, 0.05)
    if doi:
        add("LID", f"{doi} [doi]")
    abstract = keep_abstract(w, rng, 0.05)
    if abstract and not w.original_title:
        add("AB", abstract)
        if w.is_synthetic:
            add("CI", f"(c) {w.year} {j.publisher}.")
    for k, p in enumerate(w.authors):
        add("FAU", f"{p.surname}, {p.given}" if p.given else f"{p.surname}, {p.initials}")
        add("AU", medline_name(p))
        if w.is_synthetic:
            add("AD", affiliation(w, k) + ".")
    add("LA", _LANG3.get(w.language, "eng"))
    if w.kind == "erratum":
        add("PT", "Published Erratum")
    else:
        add("PT", "Journal Article")
        if "randomi" in w.title.lower():
            add("PT", "Randomized Controlled Trial")
    if w.is_synthetic and w.epub_year:
        add("DEP", f"{w.epub_year}{m:02d}{d:02d}")
    add("PL", j.country)
    add("TA", j.nlm_ta)
    add("JT", j.nlm_jt)
    add("SB", "IM")
    if w.is_synthetic:
        add("GN", SYNTHETIC_NOTE)
        if w.kind == "erratum" and w.original:
            o = w.original
            efr = f"{o.journal.nlm_ta}. {o.year} {MONTHS[o.month - 1]};{o.volume}({o.issue})"
            efr += f":{o.short_pages}" + (f". PMID: {o.pmid}" if o.pmid else "")
            add("EFR", efr)
        else:
            for mh in subjects(w, 0) + ["Humans"]:
                add("MH", mh)
        if w.author_keywords:
            add("OTO", "NOTNLM")
            for kw in w.author_keywords:
                add("OT", kw)
    if w.original_title:
        add("TT", w.original_title)
    stamp = f"{y}/{m:02d}/{d:02d} 06:00"
    add("EDAT", stamp)
    add("MHDA", stamp)
    add("CRDT", stamp)
    if w.is_synthetic:
        add("PHST", f"{y}/{m:02d}/{d:02d} 00:00 [received]".replace(f"{y}/", f"{y - 1}/", 1))
    add("PHST", f"{stamp} [pubmed]")
    add("PHST", f"{stamp} [medline]")
    add("PHST", f"{stamp} [entrez]")
    if doi:
        add("AID", f"{doi} [doi]")
    add("PST", "ppublish")
    issue = f"({w.issue})" if w.issue else ""
    when = f"{w.year} {MONTHS[w.month - 1]}" if w.is_synthetic else str(w.year)
    so = f"{j.nlm_ta}. {when};{w.volume or ''}{issue}:{w.short_pages or ''}."
    if doi:
        so += f" doi: {doi}."
    add("SO", so)
    return out


def render_pubmed(plans: list[RecordPlan]) -> bytes:
    lines = [""]
    for i, plan in enumerate(plans):
        if i:
            lines.append("")
        lines += pubmed_record(plan)
    return ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------
# Scopus CSV, BOM, every field quoted
# --------------------------------------------------------------------------------------

SCOPUS_COLUMNS = [
    "Authors",
    "Author full names",
    "Author(s) ID",
    "Title",
    "Year",
    "Source title",
    "Volume",
    "Issue",
    "Art. No.",
    "Page start",
    "Page end",
    "Page count",
    "Cited by",
    "DOI",
    "Link",
    "Affiliations",
    "Authors with affiliations",
    "Abstract",
    "Author Keywords",
    "Index Keywords",
    "Molecular Sequence Numbers",
    "Chemicals/CAS",
    "Tradenames",
    "Manufacturers",
    "Funding Details",
    "Funding Texts",
    "References",
    "Correspondence Address",
    "Editors",
    "Publisher",
    "Sponsors",
    "Conference name",
    "Conference date",
    "Conference location",
    "Conference code",
    "ISSN",
    "ISBN",
    "CODEN",
    "PubMed ID",
    "Language of Original Document",
    "Abbreviated Source Title",
    "Document Type",
    "Publication Stage",
    "Open Access",
    "Source",
    "EID",
]


def scopus_row(plan: RecordPlan) -> list[str]:
    w, rng = plan.work, rng_for(plan)
    j = w.journal
    in_press = plan.variant == "in_press"
    eid = "2-s2.0-999" + number(plan.seed + "eid", 8)
    row = dict.fromkeys(SCOPUS_COLUMNS, "")
    row["Authors"] = "; ".join(f"{p.surname} {dotted(p.initials)}" for p in w.authors)
    if w.is_synthetic:
        ids = [number(plan.work.key + p.surname, 11) for p in w.authors]
        row["Author full names"] = "; ".join(
            f"{full_name(p)} ({i})" for p, i in zip(w.authors, ids, strict=True)
        )
        row["Author(s) ID"] = "; ".join(ids)
        affs = [affiliation(w, k) for k in range(len(w.authors))]
        row["Affiliations"] = "; ".join(affs)
        row["Authors with affiliations"] = "; ".join(
            f"{p.surname} {dotted(p.initials)}, {a}" for p, a in zip(w.authors, affs, strict=True)
        )
        row["Correspondence Address"] = (
            f"{dotted(w.authors[0].initials)} {w.authors[0].surname}; {affs[0]}"
        )
    else:
        row["Author full names"] = "; ".join(full_name(p) for p in w.authors)
    row["Title"] = fancy_punctuation(published_title(w), rng, 0.5)
    row["Year"] = str(year_for(w, plan, rng, True))
    if w.kind == "chapter":
        row["Source title"] = w.book_title or ""
        row["Publisher"] = w.publisher or ""
        row["Document Type"] = "Book Chapter"
    else:
        row["Source title"] = j.name
        row["Publisher"] = j.publisher
        row["ISSN"] = j.issn.replace("-", "")
        row["Abbreviated Source Title"] = j.iso
        row["Document Type"] = {"erratum": "Erratum"}.get(w.kind, "Article")
    if not in_press:
        row["Volume"] = w.volume or ""
        row["Issue"] = w.issue or ""
        if w.article_number:
            row["Art. No."] = w.article_number
        elif w.first_page:
            row["Page start"] = w.first_page
            row["Page end"] = w.last_page or w.first_page
            if w.last_page and w.first_page.isdigit() and w.last_page.isdigit():
                row["Page count"] = str(int(w.last_page) - int(w.first_page) + 1)
    row["Cited by"] = str(rng.randint(0, 60)) if w.is_synthetic and rng.random() < 0.7 else ""
    doi = keep_doi(w, plan, rng, 0.01)
    row["DOI"] = doi or ""
    link = f"https://www.scopus.com/inward/record.uri?eid={eid}"
    if doi:
        link += f"&doi={doi.replace('/', '%2f')}"
    row["Link"] = link + f"&partnerID=40&md5={hashlib.md5(eid.encode()).hexdigest()}"
    abstract = keep_abstract(w, rng, 0.02)
    if abstract:
        if rng.random() < 0.4:
            abstract += f" \u00a9 {w.year} {j.publisher}"
        row["Abstract"] = abstract
    row["Author Keywords"] = "; ".join(w.author_keywords)
    row["Index Keywords"] = "; ".join(subjects(w, 0) + subjects(w, 1))
    row["PubMed ID"] = "" if in_press else (w.pmid or "")
    row["Language of Original Document"] = w.language
    row["Publication Stage"] = "Article in Press" if in_press else "Final"
    row["Open Access"] = "All Open Access; Gold Open Access" if j.article_numbers else ""
    row["Source"] = "Scopus"
    row["EID"] = eid
    return [row[c] for c in SCOPUS_COLUMNS]


def render_scopus(plans: list[RecordPlan]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(SCOPUS_COLUMNS)
    for plan in plans:
        writer.writerow(scopus_row(plan))
    return (BOM + buf.getvalue()).encode("utf-8")


# --------------------------------------------------------------------------------------
# Web of Science plain text
# --------------------------------------------------------------------------------------


def wos_record(plan: RecordPlan) -> list[str]:
    w, rng = plan.work, rng_for(plan)
    j = w.journal
    out: list[str] = []
    strip = rng.random() < 0.5
    au = [f"{p.surname}, {p.initials.replace('-', '')}" for p in w.authors]
    af = [strip_accents(full_name(p)) if strip else full_name(p) for p in w.authors]
    out += ["PT J"]
    out += wrap_wos("AU", au)
    out += wrap_wos("AF", af)
    out += wrap_wos("TI", [published_title(w)], 70)
    if w.kind == "conference_abstract":
        out += wrap_wos("SO", [j.name.upper()], 70)
        out += ["LA English", "DT Meeting Abstract"]
    else:
        out += wrap_wos("SO", [j.name.upper()], 70)
        out += [f"LA {w.language}", f"DT {'Correction' if w.kind == 'erratum' else 'Article'}"]
    if w.author_keywords:
        out += wrap_wos("DE", ["; ".join(w.author_keywords)], 70)
    plus = subjects(w, 4)
    if plus and w.is_synthetic:
        out += wrap_wos("ID", ["; ".join(plus)], 70)
    abstract = keep_abstract(w, rng, 0.05)
    if abstract:
        out.append(f"AB {abstract}")
    if w.is_synthetic and w.authors:
        out += wrap_wos("C1", [f"[{'; '.join(af)}] {strip_accents(affiliation(w))}."])
        out.append(f"RP {au[0]} (corresponding author), {strip_accents(affiliation(w))}.")
    n_refs = rng.randint(15, 60)
    cites = rng.randint(0, 40) if w.is_synthetic else 0
    out += [
        f"NR {n_refs}",
        f"TC {cites}",
        f"Z9 {cites}",
        f"U1 {rng.randint(0, 9)}",
        f"U2 {rng.randint(0, 30)}",
    ]
    out += [f"PU {j.wos_publisher}", f"PI {j.wos_city}"]
    out.append(f"SN {j.issn}")
    if j.eissn and j.eissn != j.issn:
        out.append(f"EI {j.eissn}")
    out += [f"J9 {j.j9}", f"JI {j.iso}"]
    if w.is_synthetic:
        out.append(f"PD {MONTHS[w.month - 1].upper()}")
    out.append(f"PY {w.year}")
    if w.volume:
        out.append(f"VL {w.volume}")
    if w.issue:
        if w.issue.startswith("Supplement"):
            out.append(f"SU {w.issue.split()[-1]}")
        else:
            out.append(f"IS {w.issue}")
    if w.article_number:
        out.append(f"AR {w.article_number}")
    elif w.first_page:
        out.append(f"BP {w.first_page}")
        out.append(f"EP {w.last_page or w.first_page}")
    doi = keep_doi(w, plan, rng, 0.03)
    if doi:
        out.append(f"DI {doi}")
    if w.first_page and w.last_page and w.first_page.isdigit():
        out.append(f"PG {int(w.last_page) - int(w.first_page) + 1}")
    out += wrap_wos("WC", ["Psychiatry; Nursing" if "nurs" in j.name.lower() else "Psychiatry"])
    out.append("WE Social Science Citation Index (SSCI)")
    out.append("SC Psychiatry")
    out.append(
        f"GA {number(plan.seed + 'ga', 4)}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}"
        f"{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}"
    )
    out.append(f"UT WOS:999{number(plan.seed + 'ut', 12)}")
    if w.pmid:
        out.append(f"PM {w.pmid}")
    out.append("DA 2022-02-14")
    out.append("ER")
    out.append("")
    return out


def render_wos(plans: list[RecordPlan]) -> bytes:
    lines = ["FN Clarivate Analytics Web of Science", "VR 1.0"]
    for plan in plans:
        lines += wos_record(plan)
    lines.append("EF")
    return (BOM + "\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------
# Citation searching: EndNote X9 RIS (tags in alphabetical order, ID last)
# --------------------------------------------------------------------------------------

_REVIEWS = (
    "McGuire et al. 2014 (reference list)",
    "Whiteman et al. 2016 (reference list)",
    "cited by McGuire et al. 2014 (Google Scholar)",
    "cited by Whiteman et al. 2016 (Google Scholar)",
)


def citation_source(w: Work, plan: RecordPlan) -> str:
    """Where a citation-searching record came from; a review cites only older work."""
    pick = int(number(plan.seed, 2)) % 2
    if w.year <= 2013 and plan.variant.startswith("reference_list"):
        return _REVIEWS[pick]
    if w.year <= 2015 and plan.variant.startswith("reference_list"):
        return _REVIEWS[1]
    return _REVIEWS[2 + pick] if w.year >= 2015 else _REVIEWS[2]


def endnote_record(plan: RecordPlan, record_number: int) -> list[str]:
    w, rng = plan.work, rng_for(plan)
    j = w.journal
    from_list = plan.variant.startswith("reference_list")
    fields: dict[str, list[str]] = {}

    def put(tag: str, value: str | None) -> None:
        if value:
            fields.setdefault(tag, []).append(value)

    ty = {"chapter": "CHAP", "report": "RPRT", "dissertation": "THES", "book": "BOOK"}
    if not from_list:
        put("AB", keep_abstract(w, rng, 0.3))
    strip = rng.random() < 0.4
    for k, p in enumerate(w.authors):
        surname = accents(p.surname, strip)
        if w.ref == 31 and from_list and plan.copy == 0 and k == 0:
            surname = "Roosenchoon"  # as the paper's own reference list misprints it
        given = p.given if (p.given and not from_list) else spaced_dotted(p.initials)
        put("AU", f"{surname}, {given}")
    put("DO", keep_doi(w, plan, rng, 0.45 if from_list else 0.15))
    if w.kind == "article" and w.issue and not from_list:
        put("IS", w.issue)
    if w.kind == "dissertation":
        put("M3", "Doctoral dissertation")
        put("PB", w.institution)
    elif w.kind in ("report", "chapter", "book"):
        put("PB", w.publisher)
    notes = []
    if w.is_synthetic:
        notes.append(SYNTHETIC_NOTE)
    notes.append(f"Source: {citation_source(w, plan)}")
    fields["N1"] = ["\n".join(notes)]
    put("PY", str(w.year))
    if w.kind == "article" and not from_list:
        put("SN", j.issn + ("\n" + j.eissn if j.eissn and j.eissn != j.issn else ""))
    pages = w.short_pages if from_list else w.pages
    if w.kind in ("article", "chapter") and pages:
        pages = pages.replace("-", "\u2013") if from_list and rng.random() < 0.5 else pages
        put("SP", pages)
    title = w.title if from_list else published_title(w)
    if w.ref == 39:
        title = title.replace("-", "\u2010")  # Unicode hyphens from a PDF reference list
    if ":" in title:
        put("ST", title.split(":")[0])
    if w.kind == "chapter":
        put("T2", w.book_title)
    elif w.kind == "article" or w.kind == "dissertation":
        put("T2", j.nlm_ta if from_list else j.name)
    put("TI", title)
    if w.kind == "article" and w.doi and not from_list and rng.random() < 0.5:
        put("UR", f"https://doi.org/{w.doi}")
    if w.kind in ("article", "dissertation"):
        put("VL", w.volume)
    lines = [ris("TY", ty.get(w.kind, "JOUR"))]
    for tag in sorted(fields):
        for value in fields[tag]:
            parts = value.split("\n")
            lines.append(ris(tag, parts[0]))
            lines += parts[1:]  # EndNote writes extra values as untagged lines
    lines.append(ris("ID", str(record_number)))
    lines += ["ER  - ", ""]
    return lines


def render_citation_searching(plans: list[RecordPlan]) -> bytes:
    numbers = random.Random(f"{plans[0].seed}:endnote-ids").sample(range(40, 2400), len(plans))
    lines = [
        line for plan, n in zip(plans, numbers, strict=True) for line in endnote_record(plan, n)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------
# Hand searching: Zotero BibTeX
# --------------------------------------------------------------------------------------


def bibtex_escape(text: str) -> str:
    return (
        text.replace("\\", "\\textbackslash{}")
        .replace("&", "\\&")
        .replace("%", "\\%")
        .replace("<", "{\\textless}")
        .replace(">", "{\\textgreater}")
    )


def bibtex_title(title: str) -> str:
    """Zotero protects capitalised words after the first in braces."""
    words = title.split(" ")
    out = [bibtex_escape(words[0])]
    for word in words[1:]:
        out.append(
            re.sub(
                r"[A-Za-z\u00c0-\u024f]*[A-Z][A-Za-z\u00c0-\u024f]*",
                lambda m: "{" + m.group(0) + "}",
                bibtex_escape(word),
            )
        )
    return " ".join(out)


def bibtex_key(w: Work, used: dict[str, int]) -> str:
    stop = {"a", "an", "the", "of", "in", "on", "for", "and", "to", "does", "what"}
    first_word = next(
        (x for x in re.findall(r"[a-z0-9]+", strip_accents(w.title).lower()) if x not in stop),
        "untitled",
    )
    surname = re.sub(r"[^a-z]", "", strip_accents(w.authors[0].surname).lower()) or "anon"
    key = f"{surname}_{first_word}_{w.year}"
    n = used.get(key, 0)
    used[key] = n + 1
    return key if n == 0 else f"{key}-{n}"


def bibtex_record(plan: RecordPlan, used: dict[str, int]) -> list[str]:
    w, rng = plan.work, rng_for(plan)
    j = w.journal
    scholar = plan.variant == "google_scholar"
    entry = {
        "chapter": "incollection",
        "report": "techreport",
        "dissertation": "phdthesis",
        "book": "book",
    }.get(w.kind, "article")
    if w.ref == 39:
        entry = "article"  # indexed as a DAI-B abstract, as the paper cites it
    fields: list[tuple[str, str]] = []

    def put(name: str, value: str | None, raw: bool = False) -> None:
        if value:
            fields.append((name, value if raw else bibtex_escape(value)))

    fields.append(("title", bibtex_title(w.title if scholar else published_title(w))))
    if entry == "article":
        put("volume", w.volume)
        if not scholar:
            put("issn", j.issn if j.issn else None)
    if not scholar and w.doi and entry == "article" and rng.random() < 0.4:
        put("url", f"https://doi.org/{w.doi}", raw=True)
    put("doi", keep_doi(w, plan, rng, 0.5 if scholar else 0.15), raw=True)
    if not scholar:
        put("abstract", keep_abstract(w, rng, 0.35))
        put("language", "en" if rng.random() < 0.5 else "English")
    if entry == "article":
        put("number", w.issue)
        put("journal", j.nlm_ta if scholar else j.name)
    elif entry == "incollection":
        put("booktitle", w.book_title)
        put("publisher", w.publisher)
    elif entry == "techreport":
        put("institution", w.institution)
    elif entry == "phdthesis":
        put("school", w.institution)
    names = []
    for p in w.authors:
        given = p.given if p.given and not scholar else spaced_dotted(p.initials)
        names.append(f"{p.surname}, {given}")
    put("author", " and ".join(names))
    if w.is_synthetic and not scholar:
        fields.append(("month", MONTHS[w.month - 1].lower()))  # a BibTeX macro: no braces
    put("year", str(w.year))
    if w.is_synthetic:
        put("note", SYNTHETIC_NOTE)
    if w.author_keywords and not scholar:
        put("keywords", ", ".join(w.author_keywords))
    pages = w.pages if entry in ("article", "incollection") else None
    if pages:
        put("pages", pages.replace("-", "--"), raw=True)
    key = bibtex_key(w, used)
    lines = [f"@{entry}{{{key},"]
    lines += [
        f"\t{name} = {value}," if name == "month" else f"\t{name} = {{{value}}},"
        for name, value in fields
    ]
    lines += ["}", ""]
    return lines


def render_hand_searching(plans: list[RecordPlan]) -> bytes:
    used: dict[str, int] = {}
    lines = [""]
    for plan in plans:
        lines += bibtex_record(plan, used)
    return ("\n".join(lines)).encode("utf-8")


RENDERERS: dict[str, Callable[[list[RecordPlan]], bytes]] = {
    "cinahl": render_cinahl,
    "embase": render_embase,
    "proquest": render_proquest,
    "psycinfo": render_psycinfo,
    "pubmed": render_pubmed,
    "scopus": render_scopus,
    "wos": render_wos,
    "citation_searching": render_citation_searching,
    "hand_searching": render_hand_searching,
}
