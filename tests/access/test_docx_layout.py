"""The Word file reads back in the 公文 layout (GB/T 9704): page, margins, fonts (East Asian
names on the styles, no theme fonts), real heading styles, the PAGE field and the watermark."""

from __future__ import annotations

import io

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from fanwen.access.gate import ShownBlock
from fanwen.access.render_docx import render_docx

WATERMARK = "范文库 · reader1 · 订单 F2026000001 · 仅供个人学习使用"


def Block(kind: str, level: int, text: str) -> ShownBlock:
    """A block as the gate hands it to a renderer."""
    return ShownBlock(anchor="", text=text, paid=False, kind=kind, level=level, lead="")


BLOCKS = [
    Block("paragraph", 0, "开头的免费段落。"),
    Block("heading", 1, "一、总体情况。这一年里我们做了很多工作。"),
    Block("heading", 2, "（一）主要做法"),
    Block("paragraph", 0, "付费段落，只有买家能读到。"),
    Block("heading", 3, "1.具体措施"),
    Block("point", 0, "一是加强学习。"),
]


@pytest.fixture(scope="module")
def word() -> docx.document.Document:
    return docx.Document(io.BytesIO(render_docx(title="关于做好年度总结的通知", blocks=BLOCKS, watermark=WATERMARK)))


def fonts_of(style) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    rfonts = style.element.rPr.find(qn("w:rFonts"))
    names = ("ascii", "hAnsi", "eastAsia", "asciiTheme", "eastAsiaTheme", "hAnsiTheme")
    return {name: rfonts.get(qn(f"w:{name}")) for name in names}


def test_a4_page_and_gb9704_margins(word):
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]


@pytest.mark.parametrize(
    ("style", "east_asian", "size"),
    [("Title", "方正小标宋简体", 22), ("Normal", "仿宋_GB2312", 16), ("Heading 1", "黑体", 16),
     ("Heading 2", "楷体_GB2312", 16), ("Heading 3", "仿宋_GB2312", 16)],
)
def test_styles_name_east_asian_fonts_and_sizes(word, style, east_asian, size):
    fonts = fonts_of(word.styles[style])
    assert fonts["eastAsia"] == east_asian
    assert fonts["asciiTheme"] is None and fonts["eastAsiaTheme"] is None and fonts["hAnsiTheme"] is None
    assert word.styles[style].font.size == Pt(size)
    assert word.styles[style].font.bold is False


def test_document_defaults_name_the_body_font():
    word = docx.Document(io.BytesIO(render_docx(title="t", blocks=[], watermark=WATERMARK)))
    defaults = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_body_has_fixed_28pt_lines_and_two_character_indent(word):
    normal = word.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY and normal.line_spacing == Pt(28)
    assert normal.first_line_indent == Pt(32)
    ind = word.styles["Normal"].element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"


def test_title_is_centred(word):
    first = word.paragraphs[0]
    assert first.text == "关于做好年度总结的通知" and first.style.name == "Title"
    assert word.styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_title_header_and_footer_are_not_indented(word):
    """Normal's firstLineChars=200 wins over a firstLine of 0, so each must say 0 in characters too."""
    section = word.sections[0]
    elements = [word.styles["Title"].element, section.header.paragraphs[0]._p, section.footer.paragraphs[0]._p]
    for element in elements:
        assert element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "0"


def test_headings_are_real_heading_styles_with_outline_levels(word):
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [("Heading 1", "一、总体情况。"), ("Heading 2", "（一）主要做法"), ("Heading 3", "1.具体措施")]
    for level in (1, 2, 3):
        outline = word.styles[f"Heading {level}"].element.pPr.find(qn("w:outlineLvl"))
        assert outline.get(qn("w:val")) == str(level - 1)


def test_every_block_in_order_with_run_on_heading_split(word):
    texts = [p.text for p in word.paragraphs]
    assert texts == [
        "关于做好年度总结的通知", "开头的免费段落。", "一、总体情况。", "这一年里我们做了很多工作。",
        "（一）主要做法", "付费段落，只有买家能读到。", "1.具体措施", "一是加强学习。",
    ]


def test_footer_carries_a_page_field_between_dashes(word):
    footer = word.sections[0].footer
    xml = footer._element.xml
    assert "PAGE" in "".join(t.text for t in footer._element.iter(qn("w:instrText")))
    kinds = [f.get(qn("w:fldCharType")) for f in footer._element.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    assert footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")
    assert "w:instrText" in xml


def test_watermark_is_in_the_header(word):
    assert word.sections[0].header.paragraphs[0].text == WATERMARK


def test_tabs_survive_as_word_tabs():
    blocks = [Block("paragraph", 0, "甲\t乙"), Block("paragraph", 0, "丙")]
    word = docx.Document(io.BytesIO(render_docx(title="t", blocks=blocks, watermark=WATERMARK)))
    assert [p.text for p in word.paragraphs] == ["t", "甲\t乙", "丙"]
    assert word.paragraphs[1]._p.find(qn("w:r")).find(qn("w:tab")) is not None
