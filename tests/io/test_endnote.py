"""EndNote XML and EndNote tagged (refer) exports."""

from __future__ import annotations

from srma.io.endnote import parse_endnote_tagged, parse_endnote_xml
from srma.io.fields import finish_record

STYLED = """<?xml version="1.0" encoding="UTF-8" ?><xml><records>
<record><database name="My.enl" path="C:\\Users\\x\\My.enl">My.enl</database>
<ref-type name="Journal Article">17</ref-type><contributors><authors>
<author><style face="normal" font="default" size="100%">Smith, John</style></author>
<author><style face="normal">Doe, </style><style face="italic">Jane</style></author>
</authors></contributors><titles><title><style face="normal">A styled title</style></title>
<secondary-title><style face="normal">J Tests</style></secondary-title></titles>
<periodical><full-title><style face="normal">Journal of Tests</style></full-title></periodical>
<pages><style face="normal">1-9</style></pages>
<dates><year><style face="normal">2019</style></year></dates>
<isbn><style face="normal">1234-5678 (Print)&#xD;8765-4321</style></isbn>
<accession-num><style face="normal">31234567</style></accession-num>
<electronic-resource-num><style face="normal">10.1000/abc</style></electronic-resource-num>
<remote-database-name>PubMed</remote-database-name><remote-database-provider>NLM</remote-database-provider>
</record>
<record><titles><title>Broken &undefined; entity</title></titles></record>
<record><titles><title>Not closed</title></titles>
</records></xml>"""


def test_styled_endnote_xml_and_bad_records() -> None:
    good, malformed, unclosed = parse_endnote_xml(STYLED)
    r, error = finish_record(good.fields)
    assert error is None
    assert good.line == 2
    assert r["authors"] == ["Smith, John", "Doe, Jane"]
    assert (r["title"], r["journal"], r["pages"], r["year"]) == (
        "A styled title",
        "Journal of Tests",
        "1-9",
        2019,
    )
    assert (r["doi"], r["pmid"], r["accession"]) == ("10.1000/abc", "31234567", "31234567")
    assert r["issn"] == "1234-5678;8765-4321"
    assert r["record_type"] == "Journal Article"
    assert (malformed.line, unclosed.line) == (16, 17)
    assert "malformed XML" in malformed.error
    assert "not closed" in unclosed.error


def test_mendeley_endnote_xml(load) -> None:
    r = load("endnote_xml/asysd_mendeley_export.xml").records.iloc[0]
    assert r["title"] == "Myoclonus in older Cavalier King Charles Spaniels."
    assert list(r["authors"]) == ["Rotter, Carina", "Whittaker, Danielle", "Rusbridge, Clare"]
    assert (r["year"], r["volume"], r["issue"], r["pages"]) == (2022, "36", "3", "1032-1038")
    assert (r["doi"], r["accession"], r["language"]) == ("10.1111/jvim.16404", "35319117", "eng")
    assert r["journal"] == "Journal of veterinary internal medicine"


def test_refer_tagged() -> None:
    text = (
        "%0 Journal Article\n%T A title\n%A Smith, J\n%A Doe, J\n%D 2001\n%K a; b\nc\n"
        "%R 10.1000/x\n\n%T Second\n"
    )
    first, second = parse_endnote_tagged(text)
    r = finish_record(first.fields)[0]
    assert (first.line, second.line) == (1, 10)
    assert (r["title"], r["authors"], r["year"], r["doi"]) == (
        "A title",
        ["Smith, J", "Doe, J"],
        2001,
        "10.1000/x",
    )
    assert r["keywords"] == ["a", "b", "c"]


def test_refer_real(load) -> None:
    records = load("endnote_tagged/colrev_ais_enl.txt").records
    r = records.iloc[0]
    assert r["title"].startswith("How Trust Leads to Commitment on Microsourcing Platforms")
    assert (r["journal"], r["volume"], r["issue"], r["pages"]) == (
        "Management Information Systems Quarterly",
        "45",
        "3",
        "1309-1348",
    )
    assert records.iloc[1]["title"] == "MISQ Volume 45, Issue 3 Table of Contents"
