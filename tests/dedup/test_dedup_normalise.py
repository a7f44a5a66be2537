from __future__ import annotations

import pytest

from srma.dedup.normalise import (
    ascii_fold,
    name_tokens,
    normalise_doi,
    normalise_issn,
    normalise_issue,
    normalise_journal,
    normalise_pages,
    normalise_pmid,
    normalise_record,
    normalise_supplement,
    normalise_title,
    normalise_volume,
    parse_author,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("10.1097/MOL.0b013e3282ffaf82", "10.1097/mol.0b013e3282ffaf82"),
        ("https://doi.org/10.1097/MOL.0B013E3282FFAF82", "10.1097/mol.0b013e3282ffaf82"),
        ("http://dx.doi.org/10.1016/S0735-1097%2813%2962048-3", "10.1016/s0735-1097(13)62048-3"),
        ("doi:10.1000/xyz123. [doi]", "10.1000/xyz123"),
        ("Doi 10.1016/S0016-5085(16)30847-2", "10.1016/s0016-5085(16)30847-2"),
        ("(10.1000/abc)", "10.1000/abc"),
        ("NA", ""),
        (None, ""),
    ],
)
def test_doi(raw, expected):
    assert normalise_doi(raw) == expected


def test_pmid_issn():
    assert normalise_pmid("PMID: 00123") == "123"
    assert normalise_pmid(None) == ""
    assert normalise_issn("0957-9672 (Print)\r\n0957-9672; 1473-653X") == {
        "0957-9672",
        "1473-653x",
    }


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("123-9", ("123", "129", "")),
        ("123-129", ("123", "129", "")),
        ("1360-70", ("1360", "1370", "")),
        ("c37-c42", ("37", "42", "c")),
        ("S417-S429", ("417", "429", "s")),
        ("47--65", ("47", "65", "")),
        ("499–711", ("499", "711", "")),
        ("945-945", ("945", "", "")),
        ("e12724", ("12724", "", "e")),
        ("215 p", ("", "", "")),  # a page count, not a page
        ("Suppl-48", ("", "", "")),
        ("", ("", "", "")),
    ],
)
def test_pages(raw, expected):
    assert normalise_pages(raw) == expected


def test_volume_issue_supplement():
    assert normalise_volume("35 Suppl 1") == "35"
    assert normalise_volume("1)") == ""  # a supplement number cut out of "(Suppl 1)"
    assert normalise_volume("Korsakova. Part 2") == ""
    assert normalise_volume("44 (2 Supplement 1)") == "44"
    assert normalise_issue("8 Pt 2") == "8"
    assert normalise_issue("Suppl. 1") == "s1"
    assert normalise_supplement("61", "10 SUPPL. 1") == "1"
    assert normalise_supplement("12", "3") == ""


class TestTitle:
    def test_annotations_and_brackets_removed(self):
        a = normalise_title("[Current aspects of HUS in children]. [Review] [16 refs] [Romanian]")
        b = normalise_title("Current aspects of HUS in children")
        assert a.compact == b.compact == "currentaspectsofhusinchildren"

    def test_database_notes_removed(self):
        base = normalise_title("HPV testing after treatment of CIN 3: a meta-analysis")
        for variant in [
            "HPV testing after treatment of CIN 3: a meta-analysis (Provisional abstract)",
            "HPV testing after treatment of CIN 3: a meta-analysis. [Review] [45 refs]",
            "HPV TESTING AFTER TREATMENT OF CIN 3 - A META-ANALYSIS.",
            "HPV testing after treatment of CIN 3: a meta-analysis.[Erratum appears in "
            "Gynecol Oncol. 2005;96:1]",
        ]:
            t = normalise_title(variant)
            assert t.compact == base.compact, variant
            assert t.flags == ()

    def test_spelling_greek_html_numbers(self):
        assert (
            normalise_title("Haemolytic uraemic syndrome and tumour behaviour").compact
            == normalise_title("Hemolytic uremic syndrome and tumor behavior").compact
        )
        assert normalise_title("Interferon-γ levels").words == ("interferon", "gamma", "levels")
        assert (
            normalise_title("K<inf>Ca</inf>3.1 channels").compact
            == normalise_title("KCa3.1 channels").compact
        )
        assert normalise_title("a study of 10 000 women").numbers == ("10000",)
        assert normalise_title("Type II diabetes").words == ("type", "2", "diabetes")

    @pytest.mark.parametrize(
        "title, flag",
        [
            ("Erratum: Severe deficiency of ADAMTS13", "erratum"),
            ("Correction to: Effects of X on Y", "erratum"),
            ("Effects of X on Y (vol 85, pg 553, 2010)", "erratum"),
            (
                "Eculizumab for aHUS (New England Journal of Medicine (2009) 360 (542-544))",
                "erratum",
            ),
            ("Retraction: Effects of X on Y", "retraction"),
            ("Effects of X on Y - Reply", "reply"),
            ("Comment on: Effects of X on Y", "comment"),
            ("Effects of X on Y: study protocol for a randomised trial", "protocol"),
        ],
    )
    def test_notice_flags(self, title, flag):
        assert flag in normalise_title(title).flags

    def test_part_numbers(self):
        assert normalise_title("Stroke care. Part II: outcomes").part == "2"
        assert normalise_title("Stroke care, part 2").part == "2"
        assert normalise_title("Stroke care: Part one").part == "1"
        assert normalise_title("Part of the problem").part == ""


def test_authors():
    assert parse_author("Smith, J. A.") == ("smith",)
    assert parse_author("Smith JA") == ("smith",)
    assert parse_author("J. A. Smith") == ("smith",)
    assert parse_author("Le Quintrec, M.") == ("quintrec",)
    assert parse_author("Wright Jr., T C") == ("wright",)
    assert parse_author("Röth, A") == ("roth",)
    # "Surname Given" cannot be told from "Given Surname": both kept
    assert parse_author("Smith John") == ("smith", "john")
    assert name_tokens("Ching-yi, Wu") == ("ching", "yi", "wu")


def test_journal():
    assert normalise_journal("N Engl J Med")[0] == (("n", "engl", "j", "med"),)
    assert normalise_journal("The Journal of Pediatrics.")[0] == (("journal", "pediatrics"),)
    variants, conference = normalise_journal(
        "Journal of Thrombosis and Haemostasis.Conference: 23rd Congress of the ISTH"
    )
    assert conference
    assert variants[0] == ("journal", "thrombosis", "haemostasis")
    assert ("congress", "isth") in variants
    assert ascii_fold("Médecine & Santé") == "Medecine & Sante"


def test_record_reads_pmid_from_medline_accession():
    r = normalise_record({"database": "MEDLINE", "accession": "12345678", "title": "X"})
    assert r.pmid == "12345678"
    r = normalise_record({"database": "Embase", "accession": "L12345", "title": "X"})
    assert r.pmid == ""
