"""The Word file (.docx) in the layout of Chinese official documents (GB/T 9704-2012).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 方正小标宋简体 二号
(22 pt) centred; body 仿宋_GB2312 三号 (16 pt), fixed 28 pt lines, first line indented two
characters; level-1 headings (一、) 黑体, level-2 （一） 楷体_GB2312, level-3 仿宋_GB2312, all
三号 and real Word heading styles (the navigation pane shows the outline); page numbers
"— 1 —" at the foot; the reader's visible watermark in the header.

Fonts are named for East Asian text (``w:rFonts w:eastAsia``) on every style and the theme
fonts are removed, so Word on Windows and WPS use them.  Pure: blocks in, bytes out."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Protocol

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312", 3: "仿宋_GB2312"}
LATIN_FONT = "Times New Roman"
PAGE_NUMBER_FONT = "宋体"
SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
LINE = Pt(28)
BLACK = RGBColor(0, 0, 0)
GREY = RGBColor(0x80, 0x80, 0x80)
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


class DocxBlock(Protocol):
    """What the renderer needs of a block (the gate's ShownBlock has it): its kind
    (heading/point/paragraph), heading level, and for a heading that runs on into body text,
    the heading and the rest."""

    @property
    def kind(self) -> str: ...
    @property
    def level(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def heading_text(self) -> str: ...
    @property
    def heading_rest(self) -> str: ...


@cache
def _styled_template() -> bytes:
    """The empty document with the page and styles set up, built once per process (setting the
    styles up costs more than rendering a whole document)."""
    doc = new_document()
    _page_setup(doc)
    _styles(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_docx(*, title: str, blocks: Sequence[DocxBlock], watermark: str) -> bytes:
    doc = new_document(io.BytesIO(_styled_template()))
    doc.core_properties.title = title
    doc.core_properties.author = "范文库"
    doc.core_properties.last_modified_by = "范文库"
    doc.core_properties.created = doc.core_properties.modified = datetime.now(UTC).replace(microsecond=0)
    doc.core_properties.comments = watermark
    body = doc._body  # paragraphs get their style by id: a lookup by name costs ~2 ms each
    _paragraph(body, title, "Title")
    for block in blocks:
        if block.kind == "heading" and 1 <= block.level <= 3:
            _paragraph(body, block.heading_text, f"Heading{block.level}")
            if block.heading_rest:
                _paragraph(body, block.heading_rest, None)
        else:
            _paragraph(body, block.text, None)
    _header_and_footer(doc, watermark)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _paragraph(body, text: str, style_id: str | None) -> None:  # type: ignore[no-untyped-def]
    """One paragraph of one run, built as XML (python-docx's add_paragraph costs 4× more);
    text with a tab or a line break goes through python-docx, which writes w:tab / w:br."""
    if "\t" in text or "\n" in text or "\r" in text:
        paragraph = body.add_paragraph(text)
        if style_id is not None:
            paragraph._p.style = style_id
        return
    p = body._element.add_p()
    if style_id is not None:
        p.style = style_id
    run = OxmlElement("w:r")
    node = OxmlElement("w:t")
    node.set(qn("xml:space"), "preserve")
    node.text = text
    run.append(node)
    p.append(run)


def _page_setup(doc) -> None:  # type: ignore[no-untyped-def]
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)


def set_fonts(rpr_owner, east_asian: str, latin: str = LATIN_FONT) -> None:  # type: ignore[no-untyped-def]
    """Name the fonts of a style (or run) for Latin and East Asian text; drop theme fonts,
    which would otherwise win over the names."""
    rpr = rpr_owner.get_or_add_rPr() if hasattr(rpr_owner, "get_or_add_rPr") else _child(rpr_owner, "w:rPr", first=True)
    fonts = _child(rpr, "w:rFonts", first=True)
    for attr in THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)


def _child(parent, tag: str, *, first: bool = False):  # type: ignore[no-untyped-def]
    """The element's child ``tag``, created when missing (first among the children if asked:
    w:rPr/w:rFonts come first in their parents' schema order)."""
    node = parent.find(qn(tag))
    if node is None:
        node = OxmlElement(tag)
        parent.insert(0, node) if first else parent.append(node)
    return node


def _indent_chars(paragraph_format, element, chars: int) -> None:  # type: ignore[no-untyped-def]
    """First line indented ``chars`` characters: in characters (w:firstLineChars, what WPS and
    Word use, and which wins over the points — so 0 must be said too, or Normal's 2 is
    inherited) and in points for readers that only know the absolute value."""
    paragraph_format.first_line_indent = SIZE_BODY * chars
    ind = element.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), str(100 * chars))


def _style(doc, name: str, *, font: str, size, bold: bool = False) -> object:  # type: ignore[no-untyped-def]
    style = doc.styles[name]
    set_fonts(style.element, font)
    style.font.size = size
    complex_size = style.element.rPr.find(qn("w:szCs"))
    if complex_size is not None:  # the template's own size for complex scripts: keep them alike
        complex_size.set(qn("w:val"), str(int(size.pt * 2)))
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = BLACK
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    return style


def _styles(doc) -> None:  # type: ignore[no-untyped-def]
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    set_fonts(defaults, BODY_FONT)
    _child(_child(defaults, "w:rPr"), "w:lang").set(qn("w:eastAsia"), "zh-CN")
    normal = _style(doc, "Normal", font=BODY_FONT, size=SIZE_BODY)
    _indent_chars(normal.paragraph_format, normal.element, 2)  # type: ignore[attr-defined]
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY  # type: ignore[attr-defined]
    title = _style(doc, "Title", font=TITLE_FONT, size=SIZE_TITLE)
    title_ppr = title.element.get_or_add_pPr()  # type: ignore[attr-defined]
    for border in title_ppr.findall(qn("w:pBdr")):  # the template's rule under the title
        title_ppr.remove(border)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER  # type: ignore[attr-defined]
    title.paragraph_format.line_spacing = Pt(36)  # type: ignore[attr-defined]
    title.paragraph_format.space_after = LINE  # type: ignore[attr-defined]
    _indent_chars(title.paragraph_format, title.element, 0)  # type: ignore[attr-defined]
    title_rpr = title.element.get_or_add_rPr()  # type: ignore[attr-defined]
    for spacing in title_rpr.findall(qn("w:spacing")):  # the template's letter-spacing
        title_rpr.remove(spacing)
    for level, font in HEADING_FONTS.items():
        heading = _style(doc, f"Heading {level}", font=font, size=SIZE_BODY)
        _indent_chars(heading.paragraph_format, heading.element, 2)  # type: ignore[attr-defined]
        heading.paragraph_format.keep_with_next = True  # type: ignore[attr-defined]
        ppr = heading.element.get_or_add_pPr()  # type: ignore[attr-defined]
        _child(ppr, "w:outlineLvl").set(qn("w:val"), str(level - 1))


def _field(run, instruction: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    """A Word field (PAGE) in one run: begin, instruction, separate, the cached value, end."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("value", shown), ("end", None)):
        if kind == "instr":
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = text
        elif kind == "value":
            node = OxmlElement("w:t")
            node.text = text
        else:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
        run._r.append(node)


def _small_run(paragraph, text: str, *, size, color=BLACK):  # type: ignore[no-untyped-def]
    run = paragraph.add_run(text)
    set_fonts(run._r, PAGE_NUMBER_FONT)
    run.font.size = size
    run.font.color.rgb = color
    return run


def _header_and_footer(doc, watermark: str) -> None:  # type: ignore[no-untyped-def]
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _indent_chars(header.paragraph_format, header._p, 0)
    header.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _small_run(header, watermark, size=Pt(9), color=GREY)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _indent_chars(footer.paragraph_format, footer._p, 0)
    footer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _small_run(footer, "— ", size=Pt(14))
    _field(_small_run(footer, "", size=Pt(14)), " PAGE ", "1")
    _small_run(footer, " —", size=Pt(14))
