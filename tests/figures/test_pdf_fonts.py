"""PDF saving with lean font subsets: fonts embedded, text extractable, same drawing.

No PDF library is installed, so the PDFs are read with the small reader below: objects
from the xref table, Flate streams with zlib, text from the content stream's Tj/TJ
strings through each font's ToUnicode CMap, font programs with fontTools.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from matplotlib.artist import Artist
from matplotlib.backends import _backend_pdf_ps
from test_forest import subgroup_case

from srma.figures import style
from srma.figures.forest import MINUS, build_forest_figure, drawn_texts

LEAN_API = style._subset_module() is not None
needs_lean_api = pytest.mark.skipif(
    not LEAN_API, reason="matplotlib's private subsetting API is not the 3.11 one"
)

# ---------------------------------------------------------------------------------------
# A minimal reader for the PDFs matplotlib writes
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfObject:
    head: bytes  # the dictionary (or the whole body of a non-stream object)
    stream: bytes | None  # decoded stream data


def read_pdf(pdf: bytes) -> dict[int, PdfObject]:
    """Every object of a PDF by number, located through the (last) xref table."""
    xref = pdf.rindex(b"\nxref\n") + 1
    lines = pdf[xref:].split(b"\n")
    first, count = (int(x) for x in lines[1].split())
    offsets = {
        first + i: int(line[:10])
        for i, line in enumerate(lines[2 : 2 + count])
        if line[17:18] == b"n"
    }
    ends = sorted([*offsets.values(), xref])
    objects = {}
    for number, offset in offsets.items():
        body = pdf[offset : ends[ends.index(offset) + 1]]
        header = f"{number} 0 obj\n".encode()
        assert body.startswith(header) and body.rstrip().endswith(b"endobj"), number
        body = body[len(header) : body.rstrip().rindex(b"endobj")].rstrip(b"\n")
        if b">>\nstream\n" in body and body.endswith(b"\nendstream"):
            head, data = body.split(b">>\nstream\n", 1)
            data = data[: -len(b"\nendstream")]
            if b"/FlateDecode" in head:
                data = zlib.decompress(data)
            objects[number] = PdfObject(head + b">>", data)
        else:
            objects[number] = PdfObject(body, None)
    return objects


def ref(obj: PdfObject, key: str) -> int:
    """The object number of the indirect reference ``/key n 0 R`` in ``obj``."""
    match = re.search(rf"/{key} \[?\s*(\d+) 0 R".encode(), obj.head)
    assert match, f"/{key} not in {obj.head[:200]!r}"
    return int(match.group(1))


def hex_to_text(code: bytes) -> str:
    return bytes.fromhex(code.decode()).decode("utf-16-be")


def to_unicode(cmap: bytes) -> dict[int, str]:
    """Character code -> text of a ToUnicode CMap (bfchar and bfrange sections)."""
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar\n(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            out[int(src, 16)] = hex_to_text(dst)
    for block in re.findall(rb"beginbfrange\n(.*?)endbfrange", cmap, re.S):
        for line in block.strip().split(b"\n"):
            lo, hi, rest = re.match(rb"<(\w+)>\s*<(\w+)>\s*(.*)", line).groups()
            codes = range(int(lo, 16), int(hi, 16) + 1)
            if rest.startswith(b"["):
                for code, dst in zip(codes, re.findall(rb"<(\w+)>", rest), strict=True):
                    out[code] = hex_to_text(dst)
            else:  # <lo> <hi> <dst>: consecutive code points from dst
                base = hex_to_text(re.match(rb"<(\w+)>", rest).group(1))
                for i, code in enumerate(codes):
                    out[code] = base[:-1] + chr(ord(base[-1]) + i)
    return out


@dataclass(frozen=True)
class EmbeddedFont:
    name: str  # e.g. "ABCDEF+DejaVuSans"
    cid_to_unicode: dict[int, str]
    cid_to_gid: bytes  # CIDToGIDMap stream: 2 bytes per CID
    program: TTFont | None  # the FontFile2 font, None if not embedded

    def gid(self, cid: int) -> int:
        return int.from_bytes(self.cid_to_gid[2 * cid : 2 * cid + 2], "big")


def fonts(objects: dict[int, PdfObject]) -> dict[str, EmbeddedFont]:
    """Every font of the page's resources by resource name (``F1`` ...)."""
    page = next(o for o in objects.values() if b"/Type /Page " in o.head)
    resources = objects[ref(page, "Resources")]
    font_dict = objects[ref(resources, "Font")]
    out = {}
    for key, number in re.findall(rb"/(F\d+) (\d+) 0 R", font_dict.head):
        type0 = objects[int(number)]
        assert b"/Subtype /Type0" in type0.head and b"/Encoding /Identity-H" in type0.head
        cid_font = objects[ref(type0, "DescendantFonts")]
        assert b"/Subtype /CIDFontType2" in cid_font.head
        descriptor = objects[ref(cid_font, "FontDescriptor")]
        program = None
        if b"/FontFile2" in descriptor.head:
            program = TTFont(BytesIO(objects[ref(descriptor, "FontFile2")].stream))
        out[key.decode()] = EmbeddedFont(
            name=re.search(rb"/BaseFont /(\S+)", type0.head).group(1).decode(),
            cid_to_unicode=to_unicode(objects[ref(type0, "ToUnicode")].stream),
            cid_to_gid=objects[ref(cid_font, "CIDToGIDMap")].stream,
            program=program,
        )
    return out


_TOKEN = re.compile(
    rb"\((?:\\.|[^\\)])*\)|<[0-9a-fA-F\s]*>|/[^\s/\[\]()<>]+|\[|\]|[^\s/\[\]()<>]+", re.S
)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def string_bytes(token: bytes) -> bytes:
    """The bytes of a PDF literal ``(...)`` or hex ``<...>`` string token."""
    if token.startswith(b"<"):
        return bytes.fromhex(token[1:-1].decode())

    def unescape(m: re.Match[bytes]) -> bytes:
        c = m.group(1)
        if c[:1].isdigit():
            return bytes([int(c, 8)])
        if c in b"\r\n":
            return b""  # line continuation
        return _ESCAPES.get(c, c)

    return re.sub(rb"\\([0-7]{1,3}|.)", unescape, token[1:-1], flags=re.S)


def shown_glyphs(content: bytes) -> Iterator[tuple[int, str, int]]:
    """(text block, font resource name, CID) of every glyph a content stream shows."""
    block, font, operands = -1, "", []
    for token in _TOKEN.findall(content):
        if token == b"BT":
            block += 1
        elif token == b"Tf":
            font = operands[-2].decode().lstrip("/")
        elif token in (b"Tj", b"TJ"):
            for operand in operands:
                if operand[:1] in b"(<":
                    data = string_bytes(operand)
                    for i in range(0, len(data), 2):
                        yield block, font, int.from_bytes(data[i : i + 2], "big")
        if token[:1] in b"(</[]-.0123456789":
            operands.append(token)
        else:
            operands = []


def page_content(objects: dict[int, PdfObject]) -> bytes:
    page = next(o for o in objects.values() if b"/Type /Page " in o.head)
    return objects[ref(page, "Contents")].stream


def text_lines(pdf: bytes) -> list[str]:
    """The text of every BT ... ET block (matplotlib writes one per line of text)."""
    objects = read_pdf(pdf)
    by_name = fonts(objects)
    lines: dict[int, str] = {}
    for block, font, cid in shown_glyphs(page_content(objects)):
        lines[block] = lines.get(block, "") + by_name[font].cid_to_unicode[cid]
    return [lines[b] for b in sorted(lines)]


def outline(font: TTFont, gid: int) -> tuple[object, ...]:
    """Points, contour ends and advance width of glyph ``gid`` (components resolved)."""
    name = font.getGlyphName(gid)
    glyf = font["glyf"]
    coords, ends, flags = glyf[name].getCoordinates(glyf)
    return (list(coords), list(ends), list(flags), font["hmtx"][name][0])


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def save_pdf(fig, path: Path, *, lean: bool = True) -> bytes:
    """Save ``fig`` as PDF through srma (``lean=False``: with matplotlib's subsetter)."""
    if lean:
        style.save_figure(fig, path)
    else:
        original = style.lean_pdf_font_subsets
        style.lean_pdf_font_subsets = nullcontext  # type: ignore[assignment]
        try:
            style.save_figure(fig, path)
        finally:
            style.lean_pdf_font_subsets = original
    return path.read_bytes()


@pytest.fixture(scope="module")
def forest_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The subgroup forest plot (regular, bold and ligature fonts) saved both ways."""
    out = tmp_path_factory.mktemp("pdf")
    fig = build_forest_figure(subgroup_case(rob=True))
    return {
        "lean": save_pdf(fig, out / "lean.pdf"),
        "lean_again": save_pdf(fig, out / "lean_again.pdf"),
        "matplotlib": save_pdf(fig, out / "matplotlib.pdf", lean=False),
        "lines": [line for t in drawn_texts(fig) for line in t.get_text().split("\n")],
    }


# ---------------------------------------------------------------------------------------
# The PDF
# ---------------------------------------------------------------------------------------


@needs_lean_api
def test_every_font_is_embedded_as_truetype_without_layout_tables(forest_pdfs) -> None:
    objects = read_pdf(forest_pdfs["lean"])
    embedded = fonts(objects)
    used = {font for _, font, _ in shown_glyphs(page_content(objects))}
    assert used == set(embedded) and len(used) >= 2
    assert {f.name.split("+")[1] for f in embedded.values()} == {
        "DejaVuSans",
        "DejaVuSans-Bold",
        "DejaVuSans-Oblique",
    }
    for font in embedded.values():
        assert font.program is not None, f"{font.name} has no FontFile2"
        tables = set(font.program.keys())
        assert not tables & set(style.PDF_UNUSED_FONT_TABLES), (font.name, tables)
        # ISO 32000-1, 9.9: the tables a reader uses from an embedded TrueType font
        assert {"head", "hhea", "loca", "maxp", "glyf", "hmtx", "cvt ", "fpgm", "prep"} <= tables

    # matplotlib's own subsets do carry them: the check above can fail
    mpl_tables = {
        t for f in fonts(read_pdf(forest_pdfs["matplotlib"])).values() for t in f.program.keys()
    }
    assert {"GSUB", "GPOS", "GDEF"} <= mpl_tables


def test_text_is_extractable(forest_pdfs) -> None:
    lines = text_lines(forest_pdfs["lean"])
    # every line of every text artist, and nothing else, once per line drawn
    assert sorted(lines) == sorted(forest_pdfs["lines"])
    assert "Std. Mean Difference" in lines  # "ff" is a ligature glyph (own subset)
    assert f"0.37 [{MINUS}0.19, 0.93]" in lines
    assert "Polat 2021" in lines and "Roosenschoon 2021" in lines
    assert sorted(text_lines(forest_pdfs["matplotlib"])) == sorted(lines)


@needs_lean_api
def test_pdf_differs_from_matplotlibs_only_in_font_programs(forest_pdfs) -> None:
    lean, mpl = read_pdf(forest_pdfs["lean"]), read_pdf(forest_pdfs["matplotlib"])
    assert lean.keys() == mpl.keys()
    lean_fonts, mpl_fonts = fonts(lean), fonts(mpl)
    font_files = {n for n, o in lean.items() if b"/Length1 " in o.head}  # FontFile2
    gid_maps = {n for n, o in lean.items() if o.stream is not None and len(o.head) < 60}
    assert len(font_files) == len(lean_fonts)
    for number in lean.keys() - font_files - gid_maps:
        assert lean[number] == mpl[number], number  # content, widths, ToUnicode, names
    # and every glyph shown has the same outline and advance width in both subsets
    shown = set(shown_glyphs(page_content(lean)))
    assert len(shown) > 100
    for _, key, cid in shown:
        a, b = lean_fonts[key], mpl_fonts[key]
        assert outline(a.program, a.gid(cid)) == outline(b.program, b.gid(cid)), (key, cid)
    assert len(forest_pdfs["lean"]) < len(forest_pdfs["matplotlib"])


def test_two_saves_are_byte_identical(forest_pdfs) -> None:
    assert forest_pdfs["lean"] == forest_pdfs["lean_again"]


# ---------------------------------------------------------------------------------------
# The replacement of matplotlib's function
# ---------------------------------------------------------------------------------------


@needs_lean_api
def test_function_replaced_only_inside_and_restored() -> None:
    original = _backend_pdf_ps.get_glyphs_subset
    with style.lean_pdf_font_subsets() as active:
        assert active and _backend_pdf_ps.get_glyphs_subset is style._lean_glyphs_subset
        with style.lean_pdf_font_subsets() as nested:
            assert nested and _backend_pdf_ps.get_glyphs_subset is style._lean_glyphs_subset
        assert _backend_pdf_ps.get_glyphs_subset is style._lean_glyphs_subset
    assert _backend_pdf_ps.get_glyphs_subset is original


@needs_lean_api
def test_function_restored_after_an_error(tmp_path: Path) -> None:
    original = _backend_pdf_ps.get_glyphs_subset
    with pytest.raises(RuntimeError, match="inside"), style.lean_pdf_font_subsets():
        raise RuntimeError("inside")
    assert _backend_pdf_ps.get_glyphs_subset is original

    class Boom(Artist):
        def draw(self, renderer) -> None:
            assert _backend_pdf_ps.get_glyphs_subset is style._lean_glyphs_subset
            raise RuntimeError("boom")

    fig = style.new_figure(1.0, 1.0)
    fig.text(0.1, 0.5, "0.89")
    fig.add_artist(Boom())
    with pytest.raises(RuntimeError, match="boom"):
        style.save_figure(fig, tmp_path / "boom.pdf")
    assert _backend_pdf_ps.get_glyphs_subset is original
    assert list(tmp_path.iterdir()) == []  # atomic: nothing half written


@needs_lean_api
def test_save_figure_uses_it_for_pdf_only(tmp_path: Path, monkeypatch) -> None:
    seen: list[object] = []

    class Spy(Artist):
        def draw(self, renderer) -> None:
            seen.append(_backend_pdf_ps.get_glyphs_subset)

    fig = style.new_figure(1.0, 1.0)
    fig.add_artist(Spy())
    paths = style.save_figure_formats(fig, tmp_path / "spy")
    assert [p.suffix for p in paths] == [".svg", ".png", ".pdf"]
    lean = style._lean_glyphs_subset
    assert [s is lean for s in seen] == [False, False, True]


def test_other_matplotlib_api_is_left_alone(tmp_path: Path, monkeypatch) -> None:
    """An older/newer private API: nothing replaced, matplotlib's own subsets, still valid."""
    original = _backend_pdf_ps.get_glyphs_subset

    def other_signature(fontfile, characters):  # e.g. matplotlib <= 3.10
        return original(fontfile, characters)

    monkeypatch.setattr(_backend_pdf_ps, "get_glyphs_subset", other_signature)
    with style.lean_pdf_font_subsets() as active:
        assert not active and _backend_pdf_ps.get_glyphs_subset is other_signature
    fig = style.new_figure(2.0, 1.0)
    fig.text(0.1, 0.5, "Effect 0.89")
    pdf = (style.save_figure(fig, tmp_path / "x.pdf")).read_bytes()
    assert _backend_pdf_ps.get_glyphs_subset is other_signature
    assert text_lines(pdf) == ["Effect 0.89"]
    if LEAN_API:  # matplotlib's own subsets, with their layout tables
        assert all("GSUB" in f.program for f in fonts(read_pdf(pdf)).values())

    monkeypatch.setattr(_backend_pdf_ps, "get_glyphs_subset", original)
    monkeypatch.delattr(_backend_pdf_ps, "SubsetResults")
    with style.lean_pdf_font_subsets() as active:
        assert not active and _backend_pdf_ps.get_glyphs_subset is original


@needs_lean_api
def test_lean_subset_falls_back_to_matplotlib_on_failure(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(style, "_MPL_DROP_TABLES", None)  # makes the lean subsetter fail
    fig = style.new_figure(2.0, 1.0)
    fig.text(0.1, 0.5, "Effect 0.89")
    pdf = style.save_figure(fig, tmp_path / "x.pdf").read_bytes()
    assert text_lines(pdf) == ["Effect 0.89"]
    assert all("GSUB" in f.program for f in fonts(read_pdf(pdf)).values())
