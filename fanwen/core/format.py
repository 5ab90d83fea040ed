"""The native 范文 format: bytes in, a Document of free and paid blocks out.

Rules (see README and docs/architecture.md):

* The first line that is non-empty once whitespace (U+3000 and BOM included) is
  stripped is the title.  A paid marker on the title line is an error.
* Every other non-empty line is a block, stripped of surrounding whitespace.
* ``##paidbegin##`` / ``##paidend##`` (any case) may stand anywhere in a line and
  split it: text before a begin marker is free, text after it is paid.  A paid
  region runs to the next end marker or to the end of the document.
* Markers never appear in any output.

This module imports nothing from Django and is tested on its own.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from fanwen.core.mojibake import looks_misdecoded

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# A long 范文 has a few hundred paragraphs; the examples have 16 and 19.  Every block costs
# analysis, an INSERT row and page markup, so a file of 400,000 one-character lines is refused
# before any of that (docs/benchmarks.md, "Upload limits").
DEFAULT_MAX_BLOCKS = 5000

BEGIN = "##paidbegin##"
END = "##paidend##"
MARKER_RE = re.compile(r"##paid(begin|end)##", re.IGNORECASE | re.ASCII)
NEWLINE_RE = re.compile(r"\r\n|\r|\n")
# str.strip() already removes U+3000 and other Unicode spaces; these are not
# whitespace to Python but are invisible padding in real files.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
# C0 controls other than tab/newline/CR (and DEL) mean binary, not text.
_BINARY_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bidirectional embeddings, overrides and isolates: they reorder how a title or a name is shown
# ("txt.exe" as "exe.txt") and have no place in a Chinese document.  Removed from all text.
BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
# One line that holds text: its first character that is neither whitespace nor invisible
# padding, to the end of the line (the \s class is exactly str.isspace, a test checks it).
_TEXT_LINE_RE = re.compile(rf"[^\s{_INVISIBLE}][^\r\n]*")


class FormatError(ValueError):
    """A document that cannot be read.  ``reason`` is one line for humans."""

    code = "format"

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        self.reason = reason if line is None else f"{reason} (line {line})"
        self.line = line
        super().__init__(self.reason)

    def naming(self, name: str) -> FormatError:
        """The same error with the file's name in front, once."""
        if not self.reason.startswith(f"{name}: "):
            self.reason = f"{name}: {self.reason}"
            self.args = (self.reason,)
        return self


class EmptyDocument(FormatError):
    code = "empty"


class NoBody(FormatError):
    code = "no_body"


class NestedBegin(FormatError):
    code = "nested_begin"


class StrayEnd(FormatError):
    code = "stray_end"


class MarkerInTitle(FormatError):
    code = "marker_in_title"


class CannotDecode(FormatError):
    code = "cannot_decode"


class TooLarge(FormatError):
    code = "too_large"


class TooManyBlocks(FormatError):
    code = "too_many_blocks"

    def __init__(self, count: int, limit: int) -> None:
        self.count = count
        self.limit = limit
        super().__init__(f"段落过多：共 {count} 段，上限 {limit} 段")


@dataclass(frozen=True, slots=True)
class Block:
    text: str
    paid: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def free_blocks(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if not b.paid)

    @property
    def has_paid(self) -> bool:
        return any(b.paid for b in self.blocks)


def clean(text: str) -> str:
    """Strip whitespace, full-width spaces and invisible padding from both ends.

    Any mix of them, in any order ("\\u200b \\u200b"), so that clean(clean(t)) == clean(t).
    """
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or text[start] in _INVISIBLE):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _INVISIBLE):
        end -= 1
    return text[start:end]


def decode(data: bytes, *, name: str = "<input>", max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Decode UTF-8 (BOM optional), UTF-16 with BOM, or GB18030 (covers GBK/GB2312)."""
    if len(data) > max_bytes:
        raise TooLarge(f"{name}: too large ({len(data)} bytes, limit {max_bytes})")
    text: str | None = None
    if data.startswith(codecs.BOM_UTF8):
        text = _try(data[3:], "utf-8")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _try(data, "utf-16")
    else:
        text = _try(data, "utf-8")
        if text is None:
            text = _try(data, "gb18030")
            if text is not None and looks_misdecoded(text):
                raise CannotDecode(
                    f"{name}: cannot decode (read as GB18030 it is not plausible Chinese text: "
                    "probably Big5, Shift-JIS or another encoding; save it as UTF-8)"
                )
    if text is None or _BINARY_RE.search(text):
        raise CannotDecode(f"{name}: cannot decode (not UTF-8, UTF-16 with BOM, or GB18030 text)")
    return text


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def strip_bidi(text: str) -> str:
    return BIDI_RE.sub("", text)


def parse_text(text: str, *, max_blocks: int = DEFAULT_MAX_BLOCKS) -> Document:
    """Parse already-decoded text into a Document of at most ``max_blocks`` blocks.

    The block count is checked first, in one pass of C-level regex scans, so a file of
    400,000 short lines is refused before the line-by-line work.  Only lines holding text
    are visited, so a file of millions of blank lines costs no Python loop either."""
    text = strip_bidi(text)
    _check_block_count(text, max_blocks)
    title: str | None = None
    blocks: list[Block] = []
    paid = False
    for found in _TEXT_LINE_RE.finditer(text):
        raw = found.group()
        if title is None:
            if MARKER_RE.search(raw):
                raise MarkerInTitle(
                    "marker on title line: a paid marker stands on the title line", line=_line_of(text, found)
                )
            title = clean(raw)
            continue
        pos = 0
        for match in MARKER_RE.finditer(raw):
            _append(blocks, raw[pos : match.start()], paid)
            if match.group(1).lower() == "begin":
                if paid:
                    raise NestedBegin(
                        "nested begin: ##paidbegin## inside a paid region that is not closed",
                        line=_line_of(text, found),
                    )
                paid = True
            else:
                if not paid:
                    raise StrayEnd(
                        "stray end: ##paidend## without a ##paidbegin## before it", line=_line_of(text, found)
                    )
                paid = False
            pos = match.end()
        _append(blocks, raw[pos:], paid)
    if title is None:
        raise EmptyDocument("empty document: no title line")
    if not blocks:
        raise NoBody("no body: the document has a title but no paragraphs")
    return Document(title=title, blocks=tuple(blocks))


def _check_block_count(text: str, max_blocks: int) -> None:
    """Every block is a piece of a line between markers; the title is one more piece."""
    if text.count("\n") + text.count("\r") + text.count("#") <= max_blocks:
        return  # fewer line breaks and marker characters than the limit: cannot pass it
    pieces = sum(1 for _ in _TEXT_LINE_RE.finditer(MARKER_RE.sub("\n", text)))
    if pieces - 1 > max_blocks:
        raise TooManyBlocks(pieces - 1, max_blocks)


def _line_of(text: str, found: re.Match[str]) -> int:
    return len(NEWLINE_RE.findall(text, 0, found.start())) + 1


def _append(blocks: list[Block], piece: str, paid: bool) -> None:
    text = clean(piece)
    if text:
        blocks.append(Block(text=text, paid=paid))


def parse_bytes(
    data: bytes, *, name: str = "<input>", max_bytes: int = DEFAULT_MAX_BYTES, max_blocks: int = DEFAULT_MAX_BLOCKS
) -> Document:
    try:
        return parse_text(decode(data, name=name, max_bytes=max_bytes), max_blocks=max_blocks)
    except FormatError as exc:
        raise exc.naming(name) from None


def serialise(document: Document) -> str:
    """Write a Document in the canonical format; ``parse_text(serialise(d)) == d``."""
    _check_representable(document.title, "title")
    out = [document.title]
    paid = False
    for block in document.blocks:
        _check_representable(block.text, "block")
        if block.paid != paid:
            out.append(BEGIN if block.paid else END)
            paid = block.paid
        out.append(block.text)
    if paid:
        out.append(END)
    return "\n".join(out) + "\n"


def _check_representable(text: str, what: str) -> None:
    if not text or clean(text) != text or NEWLINE_RE.search(text) or MARKER_RE.search(text) or BIDI_RE.search(text):
        raise ValueError(f"{what} cannot be written in the native format: {text[:40]!r}")
