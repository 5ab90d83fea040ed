"""The text Word shows, read from WordprocessingML, and the check that every paid marker in the
package stands in that text.

What counts as text (README, "The document format"):

* Paragraphs in document order: body, tables (every cell, nested tables too) and every wrapper
  Word puts around paragraphs or runs: tracked insertions (``w:ins``), moved-to text
  (``w:moveTo``), content controls (``w:sdt``), custom XML, smart tags, hyperlinks, simple
  fields (``w:fldSimple``), the shown result of complex fields (the runs between the
  ``separate`` and ``end`` ``w:fldChar``), ruby base text, the characters of equations
  (``m:t``, flattened).  Formatting is ignored, including
  hidden (``w:vanish``) text, which is read like any other text.
* Not text: deleted and moved-away text (``w:del``, ``w:delText``, ``w:moveFrom``), field codes
  (``w:instrText``, the runs between ``begin`` and ``separate``), ruby guide text (``w:rt``),
  properties, and the non-chosen branches of ``mc:AlternateContent`` (Word writes a text box
  twice: DrawingML as the choice, VML as the fallback; the first choice is read, once).
* ``w:tab`` is a tab.  ``w:br`` and ``w:cr`` start a new line, as they do on the page.
* A text box's paragraphs (``w:txbxContent``) come right after the paragraph that anchors it.

Anything Word shows that is not read here (symbols, DrawingML text outside text boxes, parts
other than the main document) cannot hide a paid marker: ``check_markers`` refuses a package
whose marker count anywhere differs from the count in the text that was read.

This module imports nothing from Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from fanwen.core.format import MARKER_RE, CannotDecode, FormatError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
MATH = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
DOCUMENT = W + "document"

# Subtrees that hold no shown text.  Elements whose name ends in "Pr" (properties) are skipped too.
NOT_SHOWN = frozenset(
    W + name for name in ("del", "moveFrom", "delText", "instrText", "delInstrText", "rt", "sdtEndPr")
)
# Run-level elements that may (rarely) stand directly in a block container.
INLINE_IN_BLOCK = frozenset(W + name for name in ("r", "hyperlink", "fldSimple", "smartTag", "bdo", "dir"))


class HiddenMarker(FormatError):
    code = "hidden_marker"


def secure_parser() -> etree.XMLParser:
    """No entities expanded, no DTD or network loaded.  One per call: lxml parsers are not shared."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def shown_text(root: etree._Element) -> str:
    """The document's lines, joined with newlines (the native format's line rules apply)."""
    walker = _Walker()
    body = root.find(W + "body")
    if body is not None:
        walker.block(body)
    if walker.fields:  # everything after the begin would be taken for field code and dropped
        raise CannotDecode("cannot decode (a field is never closed: w:fldChar begin without end)")
    return "\n".join(walker.lines)


class _Walker:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.fields: list[bool] = []  # one per open complex field: True once past "separate"

    def block(self, container: etree._Element) -> None:
        for child in _elements(container):
            tag = child.tag
            if tag == W + "p":
                self.paragraph(child)
            elif tag in INLINE_IN_BLOCK:
                self.paragraph(child)
            elif tag == MC + "AlternateContent":
                self.block(_chosen(child))
            elif not _skipped(tag):
                self.block(child)  # tbl, tr, tc, sdt, sdtContent, customXml, ins, moveTo, txbxContent …

    def paragraph(self, paragraph: etree._Element) -> None:
        pieces: list[str] = []
        boxes: list[etree._Element] = []
        self.inline(paragraph, pieces, boxes)
        self.lines.append("".join(pieces))
        for box in boxes:
            self.block(box)

    def inline(self, element: etree._Element, pieces: list[str], boxes: list[etree._Element]) -> None:
        for child in _elements(element):
            tag = child.tag
            if tag in (W + "t", MATH + "t"):
                if self.shown:
                    pieces.append(child.text or "")
            elif tag == W + "fldChar":
                self.field_char(child.get(W + "fldCharType"))
            elif tag in (W + "tab", W + "ptab"):
                if self.shown:
                    pieces.append("\t")
            elif tag in (W + "br", W + "cr"):
                if self.shown:
                    pieces.append("\n")
            elif tag == W + "noBreakHyphen":
                if self.shown:
                    pieces.append("-")
            elif tag == W + "txbxContent":
                boxes.append(child)
            elif tag == MC + "AlternateContent":
                self.inline(_chosen(child), pieces, boxes)
            elif tag == W + "p":  # a paragraph where runs belong: keep its text, on its own line
                pieces.append("\n")
                self.inline(child, pieces, boxes)
                pieces.append("\n")
            elif not _skipped(tag):
                self.inline(child, pieces, boxes)  # r, ins, moveTo, hyperlink, sdt, drawing, pict …

    def field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self.fields.append(False)
        elif kind == "separate" and self.fields:
            self.fields[-1] = True
        elif kind == "end" and self.fields:
            self.fields.pop()

    @property
    def shown(self) -> bool:
        """Outside every field code: a nested field's result inside an outer code is code too."""
        return all(self.fields)


def _elements(parent: etree._Element) -> Iterator[etree._Element]:
    return (child for child in parent if isinstance(child.tag, str))


def _skipped(tag: str) -> bool:
    return tag in NOT_SHOWN or tag.endswith("Pr")


def _chosen(alternate: etree._Element) -> etree._Element:
    """The branch Word shows: the first mc:Choice (Word understands them all), else the fallback."""
    for tag in (MC + "Choice", MC + "Fallback"):
        branch = alternate.find(tag)
        if branch is not None:
            return branch
    return etree.Element("none")


# --------------------------------------------------------------------------- the marker check

_UNREAD_PART = "{part}: headers, footers, comments, notes and other parts are not document text"
_TRACKED = frozenset(W + name for name in ("del", "moveFrom"))
_FIELD_CODE = frozenset(W + name for name in ("instrText", "delInstrText"))


def check_markers(*, text: str, main_part: str, main_root: etree._Element, parts: dict[str, bytes], name: str) -> None:
    """Refuse the package when a marker stands anywhere but in ``text`` (the shown text).

    Counted on the joined text content of each XML part, so a marker split across runs is
    found, and on attribute values, comments and raw bytes.  ``main_root`` is pruned of the
    non-chosen mc:AlternateContent branches (after checking they hold as many markers)."""
    agree = _alternates_agree(main_root)
    if not agree or _part_markers(main_root) != _count(text) or _markup_markers(main_root):
        raise _refusal(name, f"{main_part}: {_where_in_main(main_root, agree)}")
    for member, data in parts.items():
        if member != main_part and _member_markers(data):
            raise _refusal(name, _UNREAD_PART.format(part=_printable(member)))


def _where_in_main(root: etree._Element, alternates_agree: bool) -> str:
    """Name the hidden place, so the author knows what to change in Word."""
    if any(_part_markers(node) for node in root.iter(*_TRACKED)):
        return "deleted or moved-away text; accept or reject the tracked changes in Word first"
    if _count("".join(node.text or "" for node in root.iter(*_FIELD_CODE))):
        return "a field code"
    if _markup_markers(root):
        return "an attribute or XML comment"
    if not alternates_agree:
        return "the two copies of a text box or shape differ"
    return "text Word does not show, or a marker broken by a tab, line break or paragraph"


def _refusal(name: str, where: str) -> HiddenMarker:
    return HiddenMarker(f"{name}: refused: a paid marker stands where fanwen cannot read it ({where})")


def _count(text: str | None) -> int:
    return len(MARKER_RE.findall(text or ""))


def _part_markers(root: etree._Element) -> int:
    return _count("".join(root.itertext()))


def _markup_markers(root: etree._Element) -> int:
    """Markers in attribute values, XML comments and processing instructions: never shown."""
    found = 0
    for node in root.iter():
        if isinstance(node.tag, str):
            found += sum(_count(value) for value in node.attrib.values())
        else:
            found += _count(node.text)
    return found


def _alternates_agree(root: etree._Element) -> bool:
    agree = True
    for alternate in list(root.iter(MC + "AlternateContent")):
        chosen = _chosen(alternate)
        wanted = _part_markers(chosen) + _markup_markers(chosen)
        for branch in list(alternate):
            if branch is not chosen:
                agree = agree and _part_markers(branch) + _markup_markers(branch) == wanted
                alternate.remove(branch)
    return agree


_RAW_MARKER = re.compile(rb"##paid(?:begin|end)##", re.IGNORECASE)


def _member_markers(data: bytes) -> int:
    """Any marker in another member: in its XML text (joined, so split runs count), its markup,
    or its raw bytes as UTF-8 or UTF-16."""
    raw = len(_RAW_MARKER.findall(data))
    raw += sum(_count(data.decode(codec, "ignore")) for codec in ("utf-16-le", "utf-16-be"))
    if raw or data.lstrip()[:1] not in (b"<", b"\xef", b"\xff", b"\xfe"):
        return raw
    try:
        root = etree.fromstring(data, secure_parser())
    except etree.XMLSyntaxError:  # e.g. nested too deep: count on the bytes without their tags
        return len(_RAW_MARKER.findall(re.sub(rb"<[^>]*>", b"", data)))
    return _part_markers(root) + _markup_markers(root)


def _printable(member: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in member)[:80]
