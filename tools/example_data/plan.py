"""Which records each export holds: coverage of works by databases, duplicates, order.

The numbers are those of the paper's PRISMA flow: 1,093 database records that
de-duplicate to 168 works, and 476 records from citation and hand searching.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from works import SEED, Work

#: Source ids in config order: (database label, stream, file name, format)
SOURCES: dict[str, tuple[str, str, str, str]] = {
    "cinahl": ("CINAHL", "databases", "cinahl.ris", "EBSCOhost RIS (CINAHL), UTF-8, CRLF"),
    "embase": ("Embase", "databases", "embase.ris", "Embase.com RIS, UTF-8 with BOM, LF"),
    "proquest": ("ProQuest", "databases", "proquest.ris", "ProQuest RIS, UTF-8, LF"),
    "psycinfo": (
        "PsycINFO",
        "databases",
        "psycinfo.ris",
        "Ovid RIS (APA PsycInfo) with numbered records, UTF-8, LF",
    ),
    "pubmed": ("PubMed", "databases", "pubmed.nbib", "PubMed MEDLINE format (.nbib), UTF-8, LF"),
    "scopus": ("Scopus", "databases", "scopus.csv", "Scopus CSV, UTF-8 with BOM, LF"),
    "wos": (
        "Web of Science",
        "databases",
        "wos.txt",
        "Web of Science plain text (FN/VR ... ER/EF), UTF-8 with BOM, LF",
    ),
    "citation_searching": (
        "Citation searching",
        "other_methods",
        "citation_searching.ris",
        "EndNote X9 RIS export, UTF-8, LF",
    ),
    "hand_searching": (
        "Hand searching",
        "other_methods",
        "hand_searching.bib",
        "Zotero BibTeX export, UTF-8, LF",
    ),
}
DATABASE_SOURCES = [s for s, v in SOURCES.items() if v[1] == "databases"]

#: Per database: (distinct works returned, extra within-database duplicate records).
DB_TARGETS: dict[str, tuple[int, int]] = {
    "cinahl": (142, 2),
    "embase": (162, 26),
    "proquest": (143, 8),
    "psycinfo": (156, 0),
    "pubmed": (130, 0),
    "scopus": (162, 2),
    "wos": (160, 0),
}
#: Kind of within-database duplicate each database produces.
DUP_VARIANT = {
    "cinahl": "ahead_of_print",
    "proquest": "second_database",
    "scopus": "in_press",
}
N_EMBASE_MEDLINE_DUPS = 20  # the other 6 Embase duplicates are "Article in Press" copies

#: Other methods: records per file, and how many of them are works also found in databases.
OTHER_TARGETS = {"citation_searching": 318, "hand_searching": 158}
OTHER_DB_DUPS = {"citation_searching": 90, "hand_searching": 28}


@dataclass
class RecordPlan:
    """One record to write: the work it renders, in which file, how it differs."""

    source_id: str
    work: Work
    variant: str = ""  # how this record differs from the work's plain rendering
    copy: int = 0  # 0 for the first record of the work in this file
    position: int = 0  # 1-based, set once the file's order is fixed

    @property
    def stream(self) -> str:
        return SOURCES[self.source_id][1]

    @property
    def seed(self) -> str:
        return f"{SEED}:{self.source_id}:{self.work.key}:{self.copy}:{self.variant}"


def eligible(work: Work, db: str) -> bool:
    """Could database ``db`` return this work at all?"""
    if not work.is_synthetic:
        return db in work.coverage
    if work.kind == "dissertation":
        return db in ("proquest", "psycinfo")
    if work.kind == "chapter":
        return db in ("psycinfo", "scopus")
    if work.kind == "conference_abstract":
        return db in ("embase", "wos")
    if work.kind == "erratum":
        return db in ("embase", "pubmed", "scopus", "wos")
    return db in work.journal.databases


def plan_coverage(works: list[Work]) -> None:
    """Fill ``work.coverage`` (the databases that return it) to meet :data:`DB_TARGETS`."""
    rng = random.Random(f"{SEED}:coverage")
    db_works = [w for w in works if w.stream == "databases"]
    preset = {w.key: list(w.coverage) for w in db_works}  # databases a work must be in
    forced = {
        db: [
            w
            for w in db_works
            if ((not w.is_synthetic or w.kind != "article") and eligible(w, db))
            or db in preset[w.key]
        ]
        for db in DB_TARGETS
    }
    chosen: dict[str, list[Work]] = {}
    for db, (distinct, _) in DB_TARGETS.items():
        candidates = [
            w
            for w in db_works
            if w.is_synthetic and w.kind == "article" and eligible(w, db) and w not in forced[db]
        ]
        need = distinct - len(forced[db])
        if need > len(candidates) or need < 0:
            raise AssertionError(f"{db}: cannot choose {need} of {len(candidates)} works")
        chosen[db] = forced[db] + rng.sample(candidates, need)
    # every work must be returned by at least one database: swap it in where possible
    for w in db_works:
        covered = [db for db in DB_TARGETS if w in chosen[db]]
        if covered:
            continue
        for db in ("embase", "scopus", "wos"):
            if not eligible(w, db):
                continue
            counts = {x.key: sum(x in chosen[d] for d in DB_TARGETS) for x in chosen[db]}
            spare = [
                x
                for x in chosen[db]
                if x.is_synthetic
                and x.kind == "article"
                and counts[x.key] >= 3
                and not x.role.startswith("fulltext")
            ]
            if spare:
                out = rng.choice(spare)
                chosen[db].remove(out)
                chosen[db].append(w)
                break
        else:
            raise AssertionError(f"{w.key} is returned by no database")
    for w in db_works:
        w.coverage = [db for db in DB_TARGETS if w in chosen[db]]


def plan_database_records(works: list[Work]) -> dict[str, list[RecordPlan]]:
    """The records of each database export, with within-database duplicates."""
    rng = random.Random(f"{SEED}:db-duplicates")
    db_works = [w for w in works if w.stream == "databases"]
    plans: dict[str, list[RecordPlan]] = {}
    for db, (_, n_dups) in DB_TARGETS.items():
        members = [w for w in db_works if db in w.coverage]
        records = [RecordPlan(db, w) for w in members]
        articles = [w for w in members if w.kind == "article"]
        if db == "embase":
            medline = [w for w in articles if w.journal.medline and "pubmed" in w.coverage]
            first = rng.sample(medline, N_EMBASE_MEDLINE_DUPS)
            rest = [w for w in articles if w not in first and w.year >= 2012 and w.is_synthetic]
            second = rng.sample(rest, n_dups - N_EMBASE_MEDLINE_DUPS)
            records += [RecordPlan(db, w, "medline_only", 1) for w in first]
            records += [RecordPlan(db, w, "in_press", 1) for w in second]
        elif n_dups:
            pool = [w for w in articles if w.is_synthetic or db == "proquest"]
            if DUP_VARIANT[db] == "in_press":
                pool = [w for w in pool if w.year >= 2015]
            records += [RecordPlan(db, w, DUP_VARIANT[db], 1) for w in rng.sample(pool, n_dups)]
        plans[db] = order_records(db, records)
    return plans


def order_records(source_id: str, records: list[RecordPlan]) -> list[RecordPlan]:
    """Put a file's records in the order its database would export them."""
    rng = random.Random(f"{SEED}:order:{source_id}")
    records = sorted(records, key=lambda r: (r.work.key, r.copy))
    rng.shuffle(records)
    if source_id == "pubmed":  # "Most recent" sort: newest PMID first
        records.sort(key=lambda r: -int(r.work.pmid or 0))
    elif source_id == "scopus":  # "Date (newest)"
        records.sort(key=lambda r: -r.work.year)
    elif source_id == "citation_searching":  # EndNote library sorted by author, year
        records.sort(
            key=lambda r: (r.work.authors[0].surname.lower() if r.work.authors else "", r.work.year)
        )
    for i, r in enumerate(records, start=1):
        r.position = i
    return records


def plan_other_records(works: list[Work]) -> dict[str, list[RecordPlan]]:
    """Records of citation searching and hand searching.

    Database works found again (counted as duplicates), new works (290, one of
    them Johnson 2007) with some found twice or three times.
    """
    rng = random.Random(f"{SEED}:other")
    cit, hand = "citation_searching", "hand_searching"
    out: dict[str, list[RecordPlan]] = {cit: [], hand: []}

    # --- works also found in the databases
    included = [w for w in works if w.stream == "databases" and not w.is_synthetic]
    twice = rng.sample(included, 9)
    out[cit] += [RecordPlan(cit, w, "reference_list") for w in included]
    out[cit] += [RecordPlan(cit, w, "reference_list_2", 1) for w in twice]
    out[hand] += [RecordPlan(hand, w, "journal_toc") for w in rng.sample(included, 8)]
    db_synthetic = [
        w
        for w in works
        if w.stream == "databases"
        and w.is_synthetic
        and w.kind == "article"
        and "IMR" not in w.related
    ]
    n_cit = OTHER_DB_DUPS[cit] - len(out[cit])
    cit_works = rng.sample(db_synthetic, n_cit - 8)
    out[cit] += [RecordPlan(cit, w, "citing_search") for w in cit_works]
    out[cit] += [RecordPlan(cit, w, "reference_list_2", 1) for w in rng.sample(cit_works, 8)]
    n_hand = OTHER_DB_DUPS[hand] - len(out[hand])
    out[hand] += [RecordPlan(hand, w, "journal_toc") for w in rng.sample(db_synthetic, n_hand)]

    # --- new works: 226 found once, 60 twice, 4 three times
    new = [w for w in works if w.stream == "other_methods"]
    johnson = [w for w in new if not w.is_synthetic]
    others = [w for w in new if w.is_synthetic]
    rng.shuffle(others)
    cc, ch, hh, cch = others[:20], johnson + others[20:51], others[51:59], others[59:63]
    singles = others[63:]
    single_c, single_h = singles[:148], singles[148:]
    for w in single_c:
        out[cit].append(RecordPlan(cit, w, "citing_search"))
    for w in single_h:
        out[hand].append(RecordPlan(hand, w, "journal_toc"))
    for w in cc:
        out[cit].append(RecordPlan(cit, w, "reference_list"))
        out[cit].append(RecordPlan(cit, w, "reference_list_2", 1))
    for w in ch:
        out[cit].append(RecordPlan(cit, w, "reference_list"))
        out[hand].append(RecordPlan(hand, w, "journal_toc"))
    for w in hh:
        out[hand].append(RecordPlan(hand, w, "journal_toc"))
        out[hand].append(RecordPlan(hand, w, "google_scholar", 1))
    for w in cch:
        out[cit].append(RecordPlan(cit, w, "reference_list"))
        out[cit].append(RecordPlan(cit, w, "citing_search", 1))
        out[hand].append(RecordPlan(hand, w, "journal_toc"))
    for source, n in OTHER_TARGETS.items():
        if len(out[source]) != n:
            raise AssertionError(f"{source}: {len(out[source])} records planned, not {n}")
        out[source] = order_records(source, out[source])
    return out
