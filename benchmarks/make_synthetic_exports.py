#!/usr/bin/env python3
"""Seeded synthetic multi-database exports with known duplicates, for timing de-duplication.

A set of distinct *works* is drawn first; each work then appears in some of four
bibliographic databases (``pubmed``, ``embase``, ``wos``, ``cinahl``) and sometimes
in a citation-searching list (``citations``, the other-methods stream).  Each
database writes a work its own way, as real exports do:

* titles: sentence case, Title Case or upper case; a trailing full stop; ":" or
  " - " before a subtitle; "[Review]", "[45 refs]" or a language tag; an
  occasional typo; truncation at 200 characters; British or American spelling;
* authors: "Smith JA", "Smith, J. A.", "Smith, John A.", "SMITH, J", or the first
  three and nothing else;
* journals: the full name or its ISO abbreviation, upper case in one database;
* pages: "123-9" or "123-129"; DOI, abstract, issue missing at random.

Near-identical *distinct* works are planted as well, so that a de-duplicator
that merges on the title alone is caught: errata and corrections, comments and
replies, a conference abstract a year before the article, "Part 1" / "Part 2",
a protocol before the results, and the same authors publishing another title in
the same year.

Usage::

    python benchmarks/make_synthetic_exports.py 10000 --seed 1 --out synthetic.parquet

``make_exports(n, seed)`` returns the record table (:mod:`srma.records`) and the
true work of every record (column ``true_work``).
"""

from __future__ import annotations

import argparse
import random
import string
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

import pandas as pd

from srma.records import RECORD_COLUMNS

DATABASES = {  # source_id: (database name, probability a work is indexed there)
    "pubmed": ("PubMed", 0.75),
    "embase": ("Embase", 0.65),
    "wos": ("Web of Science", 0.45),
    "cinahl": ("CINAHL", 0.25),
}
CITATION_SOURCE = "citations"
COMMON_WORDS = (
    "effect effects patients trial randomized randomised controlled study outcomes "
    "treatment therapy risk analysis cohort association clinical disease children adults "
    "women men older young acute chronic prevention intervention care management "
    "evaluation assessment review systematic meta-analysis follow-up long-term short-term "
    "factors mortality morbidity quality life function response early late novel "
    "comparison efficacy safety dose exposure incidence prevalence population primary "
    "secondary hospital community program programme behaviour behavior tumour tumor "
    "haemorrhage hemorrhage anaemia anemia paediatric pediatric"
).split()
STOP = "of in with for and the on after among during versus".split()
JOURNAL_HEADS = [
    ("Journal of", "J"),
    ("International Journal of", "Int J"),
    ("Annals of", "Ann"),
    ("Archives of", "Arch"),
    ("European Journal of", "Eur J"),
    ("American Journal of", "Am J"),
    ("British Journal of", "Br J"),
    ("Clinical", "Clin"),
    ("Current Opinion in", "Curr Opin"),
    ("Advances in", "Adv"),
]
LANGUAGES = ["German", "French", "Spanish", "Chinese", "Japanese", "Italian", "Polish"]


def _syllable_words(rng: random.Random, n: int, lo: int, hi: int) -> list[str]:
    onsets = [
        "b",
        "c",
        "d",
        "f",
        "g",
        "h",
        "k",
        "l",
        "m",
        "n",
        "p",
        "r",
        "s",
        "t",
        "v",
        "z",
        "br",
        "cl",
        "st",
        "tr",
        "ph",
        "ch",
        "gr",
        "pl",
        "th",
        "sh",
    ]
    vowels = ["a", "e", "i", "o", "u", "io", "ia", "ou", "ae", "y"]
    codas = ["", "", "n", "s", "l", "r", "m", "x", "t", "st", "nd"]
    out: set[str] = set()
    while len(out) < n:
        k = rng.randint(lo, hi)
        w = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(k)) + rng.choice(codas)
        if len(w) >= 4:
            out.add(w)
    return sorted(out)


@dataclass
class Work:
    """One distinct work, before any database writes it."""

    key: str
    title: str
    authors: list[tuple[str, str]]  # (surname, given names)
    year: int
    journal: int
    volume: int
    issue: str
    first_page: int
    last_page: int
    doi: str | None
    pmid: str | None
    abstract: str | None
    kind: str = "article"  # article, erratum, comment, reply, abstract, protocol
    language: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class Generator:
    """Draws works and writes them as database records (all randomness from one seed)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.vocab = _syllable_words(rng, 6000, 2, 4)
        self.surnames = [w.capitalize() for w in _syllable_words(rng, 8000, 1, 3)]
        self.given = [w.capitalize() for w in _syllable_words(rng, 400, 1, 2)]
        journals = []
        for i in range(600):
            head, abbr = JOURNAL_HEADS[i % len(JOURNAL_HEADS)]
            words = [rng.choice(self.vocab).capitalize() for _ in range(rng.randint(1, 3))]
            full = f"{head} {' '.join(words)}"
            short = f"{abbr} {' '.join(w[: rng.randint(3, 6)] for w in words)}"
            journals.append((full, short, 1950 + rng.randint(0, 60), f"{rng.randint(1000, 9999)}"))
        self.journals = journals
        self.n_works = 0
        # a Zipf-like weight so that some surnames and words are common
        self.surname_cum = list(accumulate(1.0 / (i + 1) ** 0.8 for i in range(len(self.surnames))))
        self.word_cum = list(accumulate(1.0 / (i + 1) ** 0.7 for i in range(len(self.vocab))))

    # -- works -------------------------------------------------------------
    def _title(self) -> str:
        rng = self.rng
        n = rng.randint(6, 16)
        words = []
        for i in range(n):
            r = rng.random()
            if i and r < 0.22:
                words.append(rng.choice(STOP))
            elif r < 0.45:
                words.append(rng.choice(COMMON_WORDS))
            else:
                words.append(rng.choices(self.vocab, cum_weights=self.word_cum)[0])
        if rng.random() < 0.35:
            words.insert(rng.randint(3, len(words) - 1), ":")
        text = " ".join(words).replace(" :", ":")
        return text[0].upper() + text[1:]

    def _authors(self) -> list[tuple[str, str]]:
        rng = self.rng
        n = min(rng.choice([1, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 8, 9, 10, 12, 15]), 15)
        names = rng.choices(self.surnames, cum_weights=self.surname_cum, k=n)
        return [
            (s, " ".join(rng.choice(self.given) for _ in range(rng.choice([1, 1, 2]))))
            for s in names
        ]

    def new_work(self, **overrides: object) -> Work:
        rng = self.rng
        self.n_works += 1
        j = rng.randrange(len(self.journals))
        year = rng.randint(1995, 2024)
        first = rng.randint(1, 2500)
        work = Work(
            key=f"w{self.n_works:07d}",
            title=self._title(),
            authors=self._authors(),
            year=year,
            journal=j,
            volume=max(1, year - self.journals[j][2]),
            issue=str(rng.randint(1, 12)),
            first_page=first,
            last_page=first + rng.randint(2, 14),
            doi=None,
            pmid=str(rng.randint(1_000_000, 39_999_999)) if rng.random() < 0.8 else None,
            abstract=" ".join(rng.choices(self.vocab, k=rng.randint(60, 160))).capitalize() + "."
            if rng.random() < 0.9
            else None,
        )
        for k, v in overrides.items():
            setattr(work, k, v)
        if work.doi is None and rng.random() < 0.8:
            work.doi = f"10.{self.journals[work.journal][3]}/{work.key[1:]}.{work.year}"
        if rng.random() < 0.06:
            work.language = rng.choice(LANGUAGES)
        return work

    def related(self, base: Work) -> list[Work]:
        """Distinct works that look like ``base``: the traps a title-only matcher falls into."""
        rng = self.rng
        r = rng.random()
        out: list[Work] = []
        if r < 0.012:  # erratum
            style = rng.randrange(3)
            title = [
                f"Erratum: {base.title}",
                f"Correction to: {base.title}",
                f"{base.title} (vol {base.volume}, pg {base.first_page}, {base.year})",
            ][style]
            p = base.last_page + rng.randint(100, 900)
            out.append(
                self.new_work(
                    title=title,
                    authors=base.authors[:1],
                    year=base.year,
                    journal=base.journal,
                    volume=base.volume,
                    first_page=p,
                    last_page=p,
                    abstract=None,
                    kind="erratum",
                )
            )
        elif r < 0.022:  # comment and reply
            c = self.new_work(
                title=f"Comment on: {base.title}",
                year=base.year,
                journal=base.journal,
                volume=base.volume,
                abstract=None,
                kind="comment",
            )
            p = c.last_page + 1
            rep = self.new_work(
                title=f"{base.title} - Reply",
                authors=base.authors[:3],
                year=base.year,
                journal=base.journal,
                volume=base.volume,
                first_page=p,
                last_page=p + 1,
                abstract=None,
                kind="reply",
            )
            out += [c, rep]
        elif r < 0.042:  # conference abstract a year before the article
            out.append(
                self.new_work(
                    title=base.title,
                    authors=base.authors,
                    year=base.year - 1,
                    journal=base.journal,
                    volume=max(1, base.volume - 1),
                    issue="Suppl 1",
                    first_page=rng.randint(1, 400),
                    last_page=0,
                    kind="abstract",
                )
            )
        elif r < 0.052:  # Part 1 / Part 2
            base.title = f"{base.title}: part 1"
            out.append(
                self.new_work(
                    title=base.title.replace("part 1", "part 2"),
                    authors=base.authors,
                    year=base.year,
                    journal=base.journal,
                    volume=base.volume,
                    first_page=base.last_page + 1,
                    last_page=base.last_page + 12,
                )
            )
        elif r < 0.062:  # protocol before results
            out.append(
                self.new_work(
                    title=f"{base.title}: study protocol",
                    authors=base.authors,
                    year=base.year - 2,
                    kind="protocol",
                )
            )
        elif r < 0.09:  # same authors, same year, another title
            out.append(self.new_work(authors=base.authors, year=base.year, journal=base.journal))
        return out

    # -- writing a work as a database would ------------------------------------
    def _variant_title(self, w: Work, db: str) -> str:
        rng = self.rng
        t = w.title
        if rng.random() < 0.03:  # a typo
            i = rng.randrange(len(t))
            if t[i].isalpha():
                t = t[:i] + rng.choice(string.ascii_lowercase) + t[i + 1 :]
        if rng.random() < 0.3:
            t = t.replace(": ", " - ")
        if rng.random() < 0.15:
            t = t.replace("behaviour", "behavior").replace("tumour", "tumor")
        if db == "pubmed":
            t = t + "."
            if w.language:
                t = f"[{t[:-1]}]."
        elif db == "embase":
            if w.language:
                t = f"{t} [{w.language}]"
            if rng.random() < 0.1:
                t = f"{t}. [Review] [{rng.randint(10, 120)} refs]"
        elif db == "wos":
            if rng.random() < 0.5:
                t = t.upper()
            if len(t) > 200 and rng.random() < 0.5:
                t = t[:200]
        elif db == "cinahl":
            t = string.capwords(t)
        return t

    def _variant_authors(self, w: Work, db: str) -> list[str]:
        rng = self.rng
        out = []
        for s, g in w.authors:
            initials = "".join(x[0] for x in g.split())
            if db == "pubmed":
                out.append(f"{s} {initials}")
            elif db == "embase":
                out.append(f"{s}, {'. '.join(initials)}.")
            elif db == "wos":
                out.append(f"{s.upper() if rng.random() < 0.1 else s}, {initials}")
            elif db == "cinahl":
                out.append(f"{s}, {g}")
            else:  # citation list: "Smith John"
                out.append(f"{s} {g.split()[0]}")
        if db == "citations" or (db == "wos" and rng.random() < 0.05):
            out = out[:3]
        return out

    def _pages(self, w: Work, db: str) -> str | None:
        if not w.first_page:
            return None
        if not w.last_page:
            return str(w.first_page)
        f, last = str(w.first_page), str(w.last_page)
        if db == "pubmed" and len(f) == len(last):
            i = 0
            while i < len(f) - 1 and f[i] == last[i]:
                i += 1
            last = last[i:]
        return f"{f}-{last}"

    def record(self, w: Work, db: str) -> dict[str, object]:
        rng = self.rng
        full, short, _, issn = self.journals[w.journal]
        journal = full if db in {"embase", "cinahl"} else short
        if db == "wos":
            journal = full.upper()
        if w.kind == "abstract":
            journal = f"{full}.Conference: Annual Meeting {w.year}" if db == "embase" else full
        cit = db == CITATION_SOURCE
        return {
            "database": DATABASES[db][0] if db in DATABASES else "Citation searching",
            "title": self._variant_title(w, db),
            "authors": self._variant_authors(w, db),
            "year": w.year,
            "journal": journal,
            "journal_abbrev": short if db == "pubmed" else None,
            "issn": None if cit else f"{issn}-{rng.randint(100, 999)}X",
            "volume": str(w.volume),
            "issue": None if cit or rng.random() < 0.1 else w.issue,
            "pages": self._pages(w, db),
            "doi": None if cit or rng.random() < 0.15 else w.doi,
            "pmid": w.pmid if db == "pubmed" else None,
            "abstract": None if cit or rng.random() < 0.1 else w.abstract,
            "record_type": "CONF" if w.kind == "abstract" else "JOUR",
        }


def make_exports(n_records: int, seed: int = 1) -> pd.DataFrame:
    """A synthetic record table of about ``n_records`` rows with column ``true_work``."""
    gen = Generator(seed)
    rng = gen.rng
    rows: dict[str, list[dict[str, object]]] = {db: [] for db in [*DATABASES, CITATION_SOURCE]}
    total = 0
    while total < n_records:
        base = gen.new_work()
        works = [base, *gen.related(base)]
        for w in works:
            dbs = [db for db, (_, p) in DATABASES.items() if rng.random() < p]
            if not dbs:
                dbs = [rng.choice(list(DATABASES))]
            if w.kind == "article" and rng.random() < 0.05:
                dbs.append(CITATION_SOURCE)
            for db in dbs:
                if db == "wos" and rng.random() < 0.02:
                    dbs.append("wos_dup")  # a database exporting one record twice
                rec = gen.record(w, "wos" if db == "wos_dup" else db)
                rec["true_work"] = w.key
                rows["wos" if db == "wos_dup" else db].append(rec)
                total += 1
    frames = []
    for source, recs in rows.items():
        if not recs:
            continue
        f = pd.DataFrame(recs)
        f.insert(0, "source_id", source)
        f["position"] = range(1, len(f) + 1)
        f["record_id"] = [f"{source}:{i}" for i in f["position"]]
        f["line"] = f["position"] * 10 - 9
        f["format"] = "synthetic"
        f["keywords"] = [[] for _ in range(len(f))]
        f["language"] = None
        f["accession"] = None
        f["raw"] = ""
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out["year"] = out["year"].astype("Int64")
    return out[[*RECORD_COLUMNS, "true_work"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="number of records (about)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help=".parquet or .csv")
    args = parser.parse_args()
    frame = make_exports(args.n, args.seed)
    if args.out.suffix == ".csv":
        frame = frame.assign(authors=frame["authors"].map(" and ".join), keywords="")
        frame.rename(columns={"record_id": "ID", "authors": "author"}).to_csv(args.out, index=False)
    else:
        frame.to_parquet(args.out, index=False)
    print(f"{len(frame)} records of {frame['true_work'].nunique()} works -> {args.out}")


if __name__ == "__main__":
    main()
