"""Normalisers for the fields de-duplication compares.

Every function here is pure and works on one value.  :func:`normalise_records`
applies them to a record table and returns one :class:`NormRecord` per row: the
comparable form of a record (title words and flags, author surname tokens,
journal tokens, ISSNs, volume, issue, first and last page, DOI, PubMed id, year,
abstract prefix).

What the normalisers undo, and why
----------------------------------
* **Titles** come with database annotations that are not part of the title
  (``[Review] [45 refs]``, ``[Chinese]``, ``(Provisional abstract)``,
  ``[Erratum appears in ...]``), with translated titles in square brackets,
  HTML, Greek letters written either as symbols or as words, British or
  American spelling, Roman or Arabic numerals and hyphenation that differ
  between databases.  These are removed or mapped to one form.  What *is*
  meaningful is kept as flags: an erratum or correction notice, a reply or a
  comment, a retraction notice, a protocol, a part number ("Part 2"), and the
  numbers of the title.  A record and its erratum share a title but are
  different works; those flags let the rules keep them apart.
* **Authors** arrive as "Smith, J. A.", "Smith JA", "Smith John", "J. A. Smith",
  or with compound surnames split wrongly ("Le, Quintrec M.").  Only surname
  tokens of two letters or more are compared, without particles (de, van, le).
* **Journals** arrive as full names, ISO abbreviations ("N Engl J Med") or with a
  conference or translation suffix.  Tokens are kept without stop words, so an
  abbreviation can be aligned with the full name token by token.
* **Pages** arrive as "123-9", "123-129", "c37-c42", "S417-S429", "e1234".  The
  first page is the digits of the first part; the last page is expanded
  ("221-8" is 221-228).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import pandas as pd

__all__ = [
    "NormRecord",
    "TitleInfo",
    "author_tokens",
    "ascii_fold",
    "first_author_key",
    "normalise_doi",
    "normalise_issn",
    "normalise_issue",
    "normalise_journal",
    "normalise_pages",
    "normalise_pmid",
    "normalise_records",
    "normalise_supplement",
    "normalise_title",
    "normalise_volume",
    "parse_author",
]

# ---------------------------------------------------------------------------
# characters

_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "µ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "ο": "omicron",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "ς": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
    "Δ": "delta",
    "Ω": "omega",
    "Σ": "sigma",
    "Φ": "phi",
    "Ψ": "psi",
    "Γ": "gamma",
    "Λ": "lambda",
    "Θ": "theta",
    "Π": "pi",
    "ß": "ss",
    "æ": "ae",
    "Æ": "ae",
    "œ": "oe",
    "Œ": "oe",
    "ø": "o",
    "Ø": "o",
    "ł": "l",
    "Ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
}
_GREEK_RE = re.compile("|".join(map(re.escape, _GREEK)))
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    """Return ``text`` with HTML unescaped, Greek letters spelled out, accents removed.

    >>> ascii_fold("Röth &amp; Nürnberger: IFN-γ")
    'Roth & Nurnberger: IFN-gamma'
    """
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = _GREEK_RE.sub(lambda m: _GREEK[m.group(0)], text)
        text = _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))
        # dashes and quotes that NFKD leaves alone
        text = re.sub(r"[‐-―−]", "-", text)
        text = re.sub(r"[‘’‚‛′]", "'", text)
        text = re.sub(r"[“”„‟″]", '"', text)
    return text


def _clean(value: Any) -> str:
    """A string for any cell value: missing values become ``""``."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    if value is pd.NA:
        return ""
    return str(value).strip()


# ---------------------------------------------------------------------------
# identifiers

_DOI_RE = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)


def normalise_doi(value: Any) -> str:
    """The first DOI in ``value``, lower-cased, without URL prefix or trailing punctuation.

    >>> normalise_doi("https://doi.org/10.1097/MOL.0b013e3282ffaf82.")
    '10.1097/mol.0b013e3282ffaf82'
    >>> normalise_doi("doi: 10.1000/XYZ [doi]")
    '10.1000/xyz'
    >>> normalise_doi("n/a")
    ''
    """
    text = _clean(value)
    if not text:
        return ""
    if "%" in text:
        text = unquote(text)
    m = _DOI_RE.search(text)
    if not m:
        return ""
    doi = m.group(0).lower()
    doi = re.split(r"\[|\s", doi)[0]
    while doi and doi[-1] in ".,;:'\">}])":
        if doi[-1] == ")" and doi.count("(") >= doi.count(")"):
            break
        doi = doi[:-1]
    return doi


def normalise_pmid(value: Any) -> str:
    """A PubMed id as digits without leading zeros, or ``""``.

    >>> normalise_pmid("PMID: 0012345")
    '12345'
    """
    m = re.search(r"\d+", _clean(value))
    return str(int(m.group(0))) if m else ""


_ISSN_RE = re.compile(r"\b(\d{4})-?(\d{3}[\dxX])\b")


def normalise_issn(value: Any) -> frozenset[str]:
    """Every ISSN (or ISSN-like ``dddd-dddd``) in ``value``, as ``'dddd-dddx'``.

    >>> sorted(normalise_issn("0957-9672 (Print)\\r\\n0957-9672; 1473-6535"))
    ['0957-9672', '1473-6535']
    """
    text = _clean(value)
    if not text:
        return frozenset()
    return frozenset(f"{a}-{b.lower()}" for a, b in _ISSN_RE.findall(text))


# ---------------------------------------------------------------------------
# volume, issue, pages

_INT_RE = re.compile(r"\d+")
_DIGIT_RE = re.compile(r"\d")
_VOLUME_RE = re.compile(r"^\s*(?:vol(?:ume)?\.?\s*)?(\d+)\b", re.I)


def normalise_volume(value: Any) -> str:
    """The volume number: the first integer, without leading zeros ("35 Suppl 1" is 35).

    >>> normalise_volume("35 Suppl 1"), normalise_volume("Ph.D."), normalise_volume("Vol. 007")
    ('35', '', '7')
    >>> normalise_volume("1)"), normalise_volume("Korsakova. Part 2")
    ('', '')
    """
    text = _clean(value)
    if text.count("(") != text.count(")"):
        return ""  # "1)": a supplement number cut out of "(Suppl 1)", not a volume
    m = _VOLUME_RE.match(text)
    return str(int(m.group(1))) if m else ""


_SUPPL_RE = re.compile(r"\bsup(?:pl|plement|p)?\.?\s*_?\s*(\d+)", re.I)


def normalise_supplement(*values: Any) -> str:
    """The supplement number written in a volume or issue field ("10 SUPPL. 1" is 1).

    >>> normalise_supplement("61", "10 SUPPL. 1"), normalise_supplement("Supplement_2")
    ('1', '2')
    """
    for v in values:
        m = _SUPPL_RE.search(_clean(v)) or re.fullmatch(r"\s*[sS]\s*(\d+)\s*", _clean(v))
        if m:
            return str(int(m.group(1)))
    return ""


def normalise_issue(value: Any) -> str:
    """The issue: the first integer, prefixed by ``s`` for a supplement ("Suppl 2" is s2).

    >>> [normalise_issue(x) for x in ("3-B", "Suppl 2", "SUPPL", "S2")]
    ['3', 's2', 's', 's2']
    """
    text = _clean(value).lower()
    if not text:
        return ""
    m = _INT_RE.search(text)
    num = str(int(m.group(0))) if m else ""
    if "suppl" in text or "sup." in text or re.fullmatch(r"s\s*\d+", text):
        return "s" + num
    return num


_PAGES_RE = re.compile(r"^([a-z]{0,2})\.?\s*(\d+)\s*(?:[-‐-―−]+\s*[a-z]{0,2}\.?\s*(\d+))?")
_PAGE_COUNT_RE = re.compile(r"^\d+\s*(?:p|pp|pages?|s)\.?$")


def normalise_pages(value: Any) -> tuple[str, str, str]:
    """``(first, last, kind)``: first and last page as digit strings, the last page
    expanded, and the letter that prefixes the numbers (``"e"`` for an e-locator,
    ``"s"`` for a supplement page, ``""`` for plain pages).  A page count ("215 p")
    is not a page and gives ``("", "", "")``.

    >>> normalise_pages("221-8"), normalise_pages("c37-c42"), normalise_pages("945")
    (('221', '228', ''), ('37', '42', 'c'), ('945', '', ''))
    >>> normalise_pages("Suppl-48"), normalise_pages("e12724"), normalise_pages("215 p")
    (('', '', ''), ('12724', '', 'e'), ('', '', ''))
    """
    text = ascii_fold(_clean(value)).lower()
    if not text or _PAGE_COUNT_RE.match(text):
        return "", "", ""
    m = _PAGES_RE.match(text)
    if not m:
        return "", "", ""
    kind = m.group(1)
    first = str(int(m.group(2)))
    last = m.group(3)
    if last is None:
        return first, "", kind
    last = str(int(last)) if last.strip("0") else "0"
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    if last == first:
        return first, "", kind
    return first, last, kind


# ---------------------------------------------------------------------------
# titles

#: One database annotation at the end of a title, removed before comparison.
_TRAILING_NOTE = re.compile(
    r"[\s.:;,]*(?:"
    r"\[[^\[\]]{0,60}\]"  # [Review] [45 refs] [Chinese] [Abstract No. 12] [1]
    r"|\((?:provisional abstract|structured abstract|brief record|abstract|review|"
    r"multiple letters|letter|editorial|english abstract|author's transl)\)"
    r"|\((?:vol|volume)\.? \d+[^()]{0,40}\)"  # WoS correction notice: (vol 85, pg 553, 2010)
    r")[\s.:;,]*$",
    re.IGNORECASE,
)
_ERRATUM_NOTE = re.compile(
    r"\.?\s*\[?(?:published )?errat(?:um|a) (?:appears|in)\b.*$|\.\.\.\s*\[corrected\].*$",
    re.IGNORECASE,
)
_WOS_CORRECTION = re.compile(
    r"\((?:vol|volume)\.? \d+,? (?:pg|p|pp|page)\.? [a-z]?\d+"  # WoS: (vol 85, pg 553, 2010)
    # Embase: (New England Journal of Medicine (2009) 360 (542-544))
    r"|\([A-Z][^()]{3,120}\(\d{4}\)\s*\d+\s*(?:\(\d+\)\s*)?\([a-z]?\d+",
    re.I,
)
_EMBASE_CORRECTION = re.compile(
    r"\s*\([A-Z][^()]{3,120}\(\d{4}\)\s*\d+[^()]*(?:\([^()]*\)[^()]*)*\)?\s*$"
)
_NOTICE_PATTERNS: dict[str, re.Pattern[str]] = {
    # a notice about another publication, never the publication itself
    "erratum": re.compile(
        r"^\W*(?:erratum|errata|corrigendum|corrigenda|correction|addendum|"
        r"notice of (?:correction|duplicate publication))\b"
        r"|^\W*(?:correction|erratum) (?:to|for|in|of)\b"
        r"|\b(?:erratum|corrigendum) (?:to|for)\b",
        re.I,
    ),
    "retraction": re.compile(
        r"^\W*(?:retraction|retracted|withdrawn|notice of retraction|expression of concern)"
        r"\b(?! (?:of|in) (?:the )?(?:scientific|research|literature))",
        re.I,
    ),
    "reply": re.compile(
        r"(?:^|[\s:.-])(?:in )?reply\b|\bresponse to (?:the )?(?:letter|comment|comments|"
        r"commentary|correspondence|editorial|critique)|\bauthors?'? (?:reply|response)\b"
        r"|^\W*re:\s",
        re.I,
    ),
    "comment": re.compile(
        r"^\W*(?:comment(?:ary)? on|comments on|a comment on|letter to the editor|"
        r"commentary|editorial comment)\b|\beditorial comment\W*$|\bcomment(?:ary)? on\b",
        re.I,
    ),
    # any title with the word: a protocol paper and its results paper differ by it
    "protocol": re.compile(r"\bprotocols?\b", re.I),
}
_NOTICE_ANY = re.compile(
    r"errat|corrig|correction|addend|retract|withdrawn|concern|reply|respon|comment|"
    r"letter|protocol|\bre:"
)
_PART_RE = re.compile(
    r"\b(?:part|pt|section|paper|chapter)\.?\s*"
    r"(\d+|[ivx]{1,5}|one|two|three|four|five|six|a|b|c|d)\b",
    re.I,
)
_WORD_NUM = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "a": "1",
    "b": "2",
    "c": "3",
    "d": "4",
    "i": "1",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
}
_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})[ ,\u2009\u00a0](\d{3})(?![\d,])")
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}
_ROMAN_AFTER = {"part", "pt", "type", "phase", "stage", "grade", "class", "section", "study"}

#: Words that carry little meaning: a title that differs only by them is the same title.
STOP_WORDS = frozenset(
    "a an the of and or in on at to for with by from as into its their is are was be "
    "via vs versus using use among between within about after during".split()
)
_SPELLING = [
    (re.compile(r"(?<=[a-z])ae(?=[a-z])|^ae(?=[a-z]{3})"), "e"),  # haem, anaemia, aetiology
    (re.compile(r"(?<=[a-z])oe(?=[a-z])|^oe(?=[a-z]{3})"), "e"),  # oedema, oesophagus, foetal
    (re.compile(r"isation"), "ization"),
    (re.compile(r"ise(d|s)?$"), r"ize\1"),
    (re.compile(r"ising$"), "izing"),
    (re.compile(r"yse(d|s)?$"), r"yze\1"),
    (re.compile(r"(?<=[vmlbidng])our(s|ed|ing|al)?$"), r"or\1"),  # tumour, behaviour, colour
    (re.compile(r"(?<=[nbt])re(s|d)?$"), r"er\1"),  # centre, fibre, litre
    (re.compile(r"^programme(s)?$"), r"program\1"),
    (re.compile(r"ll(ed|ing)$"), r"l\1"),  # modelled, labelling
]


@lru_cache(maxsize=200_000)
def _norm_word(word: str) -> str:
    if len(word) <= 3 or word.isdigit():
        return word
    for pattern, repl in _SPELLING:
        word = pattern.sub(repl, word)
    return word


@dataclass(frozen=True, slots=True)
class TitleInfo:
    """The comparable form of a title.

    Attributes
    ----------
    words
        Normalised words, in order.
    compact
        The words joined without spaces (hyphenation and spacing cannot differ).
    flags
        Kinds of notice the title announces (``erratum``, ``reply``, ``comment``,
        ``retraction``, ``protocol``), sorted.
    part
        The part number ("Part 2", "Part II" and "Part two" are all ``"2"``), or ``""``.
    numbers
        The numbers written in the title, as a sorted tuple.
    """

    words: tuple[str, ...]
    compact: str
    flags: tuple[str, ...]
    part: str
    numbers: tuple[str, ...]


_EMPTY_TITLE = TitleInfo((), "", (), "", ())


def _strip_wrapping_brackets(text: str) -> str:
    text = text.strip()
    if text.startswith("[") and "]" in text:
        close = text.find("]")
        inner = text[1:close]
        rest = text[close + 1 :]
        if len(inner) > 0.5 * len(text.rstrip(". ")) - 2:
            return (inner + " " + rest).strip()
    return text


@lru_cache(maxsize=200_000)
def normalise_title(value: str) -> TitleInfo:
    """Normalise a title for comparison (see the module docstring).

    >>> t = normalise_title("[Haemolytic-uraemic syndrome in Part II]. [Review] [45 refs] [German]")
    >>> t.words, t.part
    (('hemolytic', 'uremic', 'syndrome', 'in', 'part', '2'), '2')
    >>> normalise_title("Erratum: Severe deficiency of ADAMTS 13").flags
    ('erratum',)
    >>> normalise_title("Gain of function.[Erratum appears in PNAS 2007;104:1]").flags
    ()
    """
    text = ascii_fold(_clean(value))
    if not text:
        return _EMPTY_TITLE
    if "<" in text:
        text = _TAG_RE.sub("", text)  # K<inf>Ca</inf>3.1 is KCa3.1
    flags = set()
    low = text.lower()
    if "(" in text and _WOS_CORRECTION.search(text):
        flags.add("erratum")
        text = _EMBASE_CORRECTION.sub("", text)
    if "errat" in low or "[corrected]" in low:
        # a note that an erratum exists belongs to the original article: drop it
        text = _ERRATUM_NOTE.sub("", text)
    if _NOTICE_ANY.search(low):
        for name, pattern in _NOTICE_PATTERNS.items():
            if pattern.search(text):
                flags.add(name)
    for _ in range(8):
        if not text.rstrip(" .:;,").endswith(("]", ")")):
            break
        m = _TRAILING_NOTE.search(text)
        if m is None or not text[: m.start()].strip(" .[]"):
            break
        text = text[: m.start()]
    if text.lstrip().startswith("["):
        text = _strip_wrapping_brackets(text)
    lowered = text.lower().replace("&", " and ").replace("'", "").replace("`", "")
    if "=" in lowered:
        # ">or=" / ">=" / "≥" style comparisons, spelled differently across databases
        lowered = re.sub(r"(?:>|greater than)\s*or\s*=|>=", " ge ", lowered)
        lowered = re.sub(r"(?:<|less than)\s*or\s*=|<=", " le ", lowered)
    if _DIGIT_RE.search(lowered):
        lowered = _THOUSANDS.sub(r"\1\2", lowered)  # "10 000" and "10,000" are 10000
    raw_words = _NON_ALNUM.sub(" ", lowered).split()
    if raw_words and raw_words[0] in {"erratum", "corrigendum", "correction"}:
        raw_words = raw_words[1:] if len(raw_words) > 3 else raw_words
    words: list[str] = []
    for i, w in enumerate(raw_words):
        if w in _ROMAN or (w == "i" and i and raw_words[i - 1] in _ROMAN_AFTER):
            w = _ROMAN[w] if w in _ROMAN else "1"
        words.append(_norm_word(w))
    part = ""
    m = None
    if "part" in low or "pt" in raw_words or "section" in low or "paper" in low or "chapter" in low:
        found = list(_PART_RE.finditer(" ".join(raw_words)))
        m = found[-1] if found else None
    if m is not None:
        token = m.group(1).lower()
        part = _WORD_NUM.get(token, token)
    numbers = tuple(sorted({str(int(w)) for w in words if w.isdigit() and len(w) < 9}))
    return TitleInfo(tuple(words), "".join(words), tuple(sorted(flags)), part, numbers)


# ---------------------------------------------------------------------------
# authors

_PARTICLES = frozenset(
    "de da del della dei der den des di do dos du el la le lo van von vander vande ter ten "
    "y e st san al bin ben mac".split()
)
_SUFFIXES = frozenset("jr jnr sr snr ii iii iv 2nd 3rd phd md".split())
_INITIALS_RE = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")
_GROUP_WORDS = frozenset(
    "group investigators consortium collaboration collaborative committee society "
    "association inc ltd pharmaceuticals trialists network study".split()
)


@lru_cache(maxsize=200_000)
def parse_author(name: str) -> tuple[str, ...]:
    """Surname tokens of one author name (lower-case ASCII, particles dropped).

    Names without a comma are read as "Surname Initials" ("Smith JA", "Smith J.
    A."), "Initials Surname" ("J. A. Smith") or, when both parts are words,
    "Surname Given" ("Smith John"), whose tokens are all kept because the order
    cannot be told apart.

    >>> parse_author("Le Quintrec, M."), parse_author("Smith JA"), parse_author("J. A. Smith")
    (('quintrec',), ('smith',), ('smith',))
    >>> parse_author("Wright Jr., T C"), parse_author("Smith John")
    (('wright',), ('smith', 'john'))
    """
    text = ascii_fold(name).strip().strip(".;,")
    if not text:
        return ()
    if "," in text:
        surname = text.split(",", 1)[0]
        given = text.split(",", 1)[1].strip()
        if not surname.strip() and given:
            surname = given
        parts = surname.replace("-", " ").split()
    else:
        tokens = text.replace("-", " ").split()
        # trailing initials: "Smith JA", "Adeli K.", "Smith J. A."
        while len(tokens) > 1 and _INITIALS_RE.match(tokens[-1]):
            tokens.pop()
        # leading initials: "J. A. Smith"
        while len(tokens) > 1 and _INITIALS_RE.match(tokens[0]) and "." in tokens[0]:
            tokens.pop(0)
        parts = tokens
    out = []
    for p in parts:
        t = _NON_ALNUM.sub("", p.lower())
        if len(t) >= 2 and t not in _PARTICLES and t not in _SUFFIXES:
            out.append(t)
    return tuple(out)


@lru_cache(maxsize=200_000)
def name_tokens(name: str) -> tuple[str, ...]:
    """Every word of two letters or more of a name, surname and given names alike.

    Used when surnames cannot be told apart from given names ("Ching-yi, Wu"
    against "Wu, Ching-yi"; "Si Hyun Kang, null").

    >>> name_tokens("Ching-yi, Wu"), name_tokens("Wu, C. Y.")
    (('ching', 'yi', 'wu'), ('wu',))
    """
    text = ascii_fold(name).lower().replace("-", " ")
    out = []
    for p in _NON_ALNUM.sub(" ", text).split():
        if len(p) >= 2 and p not in _PARTICLES and p not in _SUFFIXES and p != "null":
            out.append(p)
    return tuple(out)


@lru_cache(maxsize=300_000)
def _author_forms(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Surname tokens and all name tokens of one author (see :func:`parse_author`)."""
    if not name.strip():
        return (), ()
    return parse_author(name), name_tokens(name)


def author_tokens(authors: Sequence[str] | None) -> tuple[tuple[str, ...], ...]:
    """Surname tokens for every author of a list (authors without tokens dropped)."""
    if authors is None:
        return ()
    out = []
    for a in authors:
        if not isinstance(a, str) or not a.strip():
            continue
        toks = parse_author(a)
        if toks:
            out.append(toks)
    return tuple(out)


def first_author_key(tokens: tuple[tuple[str, ...], ...]) -> str:
    """Blocking key of the first author: the longest surname token, or ``""``."""
    if not tokens:
        return ""
    return max(tokens[0], key=lambda t: (len(t), t))


# ---------------------------------------------------------------------------
# journals

_JOURNAL_STOP = frozenset(
    "the of and for in on de la le des du der und fur et an di della del das "
    "official proceedings proc".split()
)
_CONFERENCE_RE = re.compile(
    r"\b(?:conference|congress|meeting|symposium|abstracts?|proceedings|annual|"
    r"workshop|colloquium|convention|supplement)\b",
    re.I,
)


_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)?")
_MEETING = re.compile(r"\.\s*(?:conference|congress|meeting|symposium)\b\s*:?\s*", re.I)
_BILINGUAL = re.compile(r"\s*[/=]\s*")


def _journal_tokens(text: str) -> tuple[str, ...]:
    text = text.replace("/", " ")
    if "(" in text or "[" in text:
        text = _BRACKETED.sub(" ", text)
    text = text.lower().replace("&", " and ").replace("'", "")
    return tuple(
        t
        for t in _NON_ALNUM.sub(" ", text).split()
        if t not in _JOURNAL_STOP and not _ORDINAL.fullmatch(t)
    )


@lru_cache(maxsize=100_000)
def normalise_journal(value: str) -> tuple[tuple[tuple[str, ...], ...], bool]:
    """Token variants of a journal name, and whether the source is a conference.

    The first variant is the journal itself.  Embase writes a conference
    abstract's source as "Journal.Conference: Name of the meeting" and some
    journals have bilingual names ("Revista Panamericana de Salud Publica/Pan
    American Journal of Public Health"); the meeting and each language are kept as
    further variants so that either can be matched.

    >>> normalise_journal("Pediatric Nephrology.Conference: 44th Annual Meeting")
    ((('pediatric', 'nephrology'), ('annual', 'meeting')), True)
    >>> normalise_journal("BMJ (Clinical research ed.)")
    ((('bmj',),), False)
    >>> normalise_journal("Rev Panam Salud Publica/Pan American Journal of Public Health")[0][2]
    ('pan', 'american', 'journal', 'public', 'health')
    """
    text = ascii_fold(_clean(value))
    if not text:
        return (), False
    conference = bool(_CONFERENCE_RE.search(text))
    variants: list[tuple[str, ...]] = []
    m = _MEETING.search(text)
    meeting = ""
    if m:
        meeting = text[m.end() :]
        text = text[: m.start()]
    main = _journal_tokens(text)
    if main:
        variants.append(main)
    halves = _BILINGUAL.split(text) if ("/" in text or "=" in text) else [text]
    if len(halves) == 2 and all(len(h.split()) >= 2 for h in halves):
        variants.extend(v for v in map(_journal_tokens, halves) if v and v not in variants)
    if meeting:
        alt = _journal_tokens(meeting)
        if alt:
            variants.append(alt)
    return tuple(variants), conference


# ---------------------------------------------------------------------------
# records


@dataclass(frozen=True, slots=True)
class NormRecord:
    """The comparable form of one record (see :func:`normalise_records`)."""

    title: TitleInfo
    authors: tuple[tuple[str, ...], ...]
    author_set: frozenset[str]
    names: tuple[tuple[str, ...], ...]
    name_set: frozenset[str]
    first_author: str
    year: int
    journal: tuple[str, ...]
    journals: tuple[tuple[str, ...], ...]
    conference: bool
    issn: frozenset[str]
    volume: str
    issue: str
    supplement: str
    first_page: str
    last_page: str
    page_kind: str
    doi: str
    pmid: str
    abstract: str


def _abstract_key(value: Any) -> str:
    text = ascii_fold(_clean(value)[:600]).lower()
    if len(text) < 50:
        return ""
    return " ".join(_NON_ALNUM.sub(" ", text).split())[:400]


def _pmid_of(row: dict[str, Any]) -> str:
    pmid = normalise_pmid(row.get("pmid"))
    if pmid:
        return pmid
    db = _clean(row.get("database")).lower()
    acc = _clean(row.get("accession"))
    if acc.isdigit() and ("pubmed" in db or "medline" in db):
        return str(int(acc))
    return ""


def normalise_record(row: dict[str, Any]) -> NormRecord:
    """The comparable form of one record given as a mapping of record-table columns."""
    title = normalise_title(_clean(row.get("title")))
    raw_authors = row.get("authors")
    forms = [
        _author_forms(a)
        for a in (raw_authors if raw_authors is not None else ())
        if isinstance(a, str)
    ]
    authors = tuple(s for s, _ in forms if s)
    names = tuple(n for _, n in forms if n)
    author_set = frozenset(t for a in authors for t in a)
    year = row.get("year")
    try:
        year_int = int(year) if year is not None and year == year and year is not pd.NA else 0
    except (TypeError, ValueError):
        year_int = 0
    journals, conference = normalise_journal(_clean(row.get("journal")))
    abbrev, _ = normalise_journal(_clean(row.get("journal_abbrev")))
    journals = journals + tuple(v for v in abbrev if v not in journals)
    rtype = _clean(row.get("record_type")).lower()
    if rtype in {"conf", "abst", "cpaper", "inproceedings", "conference abstract"}:
        conference = True
    first, last, page_kind = normalise_pages(row.get("pages"))
    issue = normalise_issue(row.get("issue"))
    return NormRecord(
        title=title,
        authors=authors,
        author_set=author_set,
        names=names,
        name_set=frozenset(t for n in names for t in n),
        first_author=first_author_key(authors),
        year=year_int,
        journal=journals[0] if journals else (),
        journals=journals,
        conference=conference,
        issn=normalise_issn(row.get("issn")),
        volume=normalise_volume(row.get("volume")),
        issue=issue,
        supplement=normalise_supplement(row.get("volume"), row.get("issue")),
        first_page=first,
        last_page=last,
        page_kind=page_kind,
        doi=normalise_doi(row.get("doi")),
        pmid=_pmid_of(row),
        abstract=_abstract_key(row.get("abstract")),
    )


_NORM_COLUMNS = [
    "title",
    "authors",
    "year",
    "journal",
    "journal_abbrev",
    "record_type",
    "pages",
    "issn",
    "volume",
    "issue",
    "doi",
    "pmid",
    "database",
    "accession",
    "abstract",
]


def _py(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value


def records_as_dicts(
    records: pd.DataFrame, columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Rows of a table as plain dicts, missing values as ``None`` (faster than ``to_dict``)."""
    cols = list(columns) if columns is not None else list(records.columns)
    lists = []
    for c in cols:
        values = records[c].tolist()
        lists.append([_py(v) for v in values])
    return [dict(zip(cols, vals, strict=True)) for vals in zip(*lists, strict=True)] if cols else []


def normalise_records(
    records: pd.DataFrame, progress: Iterable[Any] | None = None
) -> list[NormRecord]:
    """Normalise every row of a record table (see :mod:`srma.records`), in row order."""
    cols = [c for c in _NORM_COLUMNS if c in records.columns]
    rows = records_as_dicts(records, cols)
    out = []
    for row in rows:
        out.append(normalise_record(row))
        if progress is not None:
            progress.update(1)  # type: ignore[attr-defined]
    return out
