"""Properties of the format, checked with hypothesis.

* parse_text(serialise(d)) == d for every writable Document, in every encoding and newline style;
* whatever parse_text returns can be written back;
* parse_text agrees with a small independent model of the spec on line-shaped input
  full of markers, padding and newlines;
* arbitrary bytes only ever give a Document or a FormatError.
"""

from __future__ import annotations

import codecs

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fanwen.core.format import (
    BIDI_RE,
    MARKER_RE,
    Block,
    CannotDecode,
    Document,
    FormatError,
    clean,
    parse_bytes,
    parse_text,
    serialise,
)
from fanwen.core.mojibake import looks_misdecoded
from fanwen.core.structure import char_count, count_chars

FAST = settings(max_examples=200, deadline=None, database=None)

# --------------------------------------------------------------------------- an independent model

_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def m_strip(s: str) -> str:
    pad = lambda ch: ch.isspace() or ch in _INVISIBLE  # noqa: E731
    i, j = 0, len(s)
    while i < j and pad(s[i]):
        i += 1
    while j > i and pad(s[j - 1]):
        j -= 1
    return s[i:j]


def m_lines(text: str) -> list[str]:
    lines, current, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\r" or ch == "\n":
            lines.append("".join(current))
            current = []
            i += 2 if text.startswith("\r\n", i) else 1
        else:
            current.append(ch)
            i += 1
    lines.append("".join(current))
    return lines


def m_split(line: str) -> list[tuple[str, str | None]]:
    """(text, marker-after-it) pieces; markers matched in any ASCII case."""
    low = line.translate(_ASCII_LOWER)
    pieces, start, i = [], 0, 0
    while i < len(line):
        for marker, kind in (("##paidbegin##", "begin"), ("##paidend##", "end")):
            if low.startswith(marker, i):
                pieces.append((line[start:i], kind))
                i += len(marker)
                start = i
                break
        else:
            i += 1
    pieces.append((line[start:], None))
    return pieces


def m_unbidi(text: str) -> str:
    return "".join(c for c in text if not ("\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069"))


def model(text: str) -> Document | tuple[str, int | None]:
    """The spec, written out plainly.  Returns a Document or (error code, line)."""
    text = m_unbidi(text)
    title = None
    blocks: list[Block] = []
    paid = False
    for number, line in enumerate(m_lines(text), start=1):
        if title is None:
            if not m_strip(line):
                continue
            if len(m_split(line)) > 1:
                return ("marker_in_title", number)
            title = m_strip(line)
            continue
        for piece, marker in m_split(line):
            if m_strip(piece):
                blocks.append(Block(m_strip(piece), paid))
            if marker == "begin":
                if paid:
                    return ("nested_begin", number)
                paid = True
            elif marker == "end":
                if not paid:
                    return ("stray_end", number)
                paid = False
    if title is None:
        return ("empty", None)
    if not blocks:
        return ("no_body", None)
    return Document(title, tuple(blocks))


def run(text: str) -> Document | tuple[str, int | None]:
    try:
        return parse_text(text)
    except FormatError as exc:
        return (exc.code, exc.line)


# --------------------------------------------------------------------------- strategies

MARKERS = st.sampled_from(
    [
        "##paidbegin##",
        "##paidend##",
        "##PAIDBEGIN##",
        "##PAIDEND##",
        "##PaidBegin##",
        "##paidEND##",
        "##pAiDbEgIn##",
    ]
)
NEAR = st.sampled_from(["#", "##", "##paid", "begin##", "end##", "##paidbegin#", "#paidend##", "paid"])
PADDING = st.sampled_from([" ", "\t", "\u3000", "\u00a0", "\ufeff", "\u200b", "\u2060", "\u3000\u3000"])
WORDS = st.sampled_from(
    ["标题", "正文", "一、", "（一）", "1.", "一是", "XX", "𠮷", "abc", "Z", "。", "，", "“", "”", "\u202e", "\u2068"]
)
NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])
PAD_RUN = st.lists(PADDING, min_size=1, max_size=4).map("".join)

line_st = st.lists(st.one_of(WORDS, WORDS, PAD_RUN, MARKERS, NEAR), max_size=8).map("".join)


@st.composite
def marked_text(draw: st.DrawFn) -> str:
    lines = draw(st.lists(line_st, max_size=12))
    out = []
    for line in lines:
        out.append(line)
        out.append(draw(NEWLINES))
    if out and draw(st.booleans()):
        out.pop()  # no final newline
    return "".join(out)


def writable(text: str) -> bool:
    return (
        bool(text)
        and clean(text) == text
        and "\r" not in text
        and "\n" not in text
        and not MARKER_RE.search(text)
        and not BIDI_RE.search(text)
    )


# Any text at all, except surrogates and newlines (which a one-line block cannot hold).
any_piece = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\r\n"), min_size=1, max_size=20
)
# What fits in a file: no control characters other than tab.
file_piece = st.text(
    st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t"), min_size=1, max_size=20
)


def documents(piece: st.SearchStrategy[str]) -> st.SearchStrategy[Document]:
    text = st.one_of(
        piece, st.lists(st.one_of(WORDS, PAD_RUN, NEAR, piece), min_size=1, max_size=6).map("".join)
    )
    text = text.map(m_strip).filter(writable)
    block = st.builds(Block, text, st.booleans())
    return st.builds(Document, text, st.lists(block, min_size=1, max_size=8).map(tuple))


# --------------------------------------------------------------------------- properties


@FAST
@given(documents(any_piece))
def test_serialise_round_trips(document: Document):
    text = serialise(document)
    assert parse_text(text) == document
    assert serialise(parse_text(text)) == text


@FAST
@given(
    documents(file_piece),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"]),
    NEWLINES,
)
def test_serialise_round_trips_through_bytes(document: Document, encoding: str, newline: str):
    text = serialise(document).replace("\n", newline)
    if encoding == "utf-16-le-bom":
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    assert parse_bytes(data, max_bytes=len(data)) == document


@FAST
@given(documents(file_piece), NEWLINES)
def test_serialise_round_trips_through_gb18030(document: Document, newline: str):
    # A GB18030 file that happens to be valid UTF-8 is read as UTF-8, as it must be;
    # a title of Chinese text in GB18030 never is.
    # Text that is mostly kana, private-use or rare ideographs is what Big5 or Shift-JIS read
    # as GB18030 looks like, so such a file is refused rather than stored (issue #9, item 7).
    document = Document("范文" + document.title, document.blocks)
    text = serialise(document)
    data = text.replace("\n", newline).encode("gb18030")
    if looks_misdecoded(text):
        with pytest.raises(CannotDecode):
            parse_bytes(data)
    else:
        assert parse_bytes(data) == document


@FAST
@given(marked_text())
def test_parse_agrees_with_the_model(text: str):
    assert run(text) == model(text)


@FAST
@given(marked_text())
def test_whatever_parses_can_be_written_back(text: str):
    try:
        document = parse_text(text)
    except FormatError as exc:
        assert "\n" not in exc.reason
        return
    written = serialise(document)
    assert parse_text(written) == document
    assert not any(MARKER_RE.search(b.text) for b in document.blocks)
    assert not MARKER_RE.search(document.title)
    assert all(b.text and clean(b.text) == b.text for b in document.blocks)
    counts = char_count(document.blocks)
    assert counts.total == sum(count_chars(b.text) for b in document.blocks)
    assert counts.paid == sum(count_chars(b.text) for b in document.blocks if b.paid)


@FAST
@given(marked_text(), NEWLINES)
def test_newline_style_does_not_matter(text: str, newline: str):
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    assume("\n" in normalised)
    assert run(normalised.replace("\n", newline)) == run(normalised)


BEGINS = st.sampled_from(["##paidbegin##", "##PAIDBEGIN##", "##PaidBegin##", "##paidBEGIN##"])
ENDS = st.sampled_from(["##paidend##", "##PAIDEND##", "##PaidEnd##", "##paidEND##"])
plain_line = st.lists(st.one_of(WORDS, PAD_RUN, st.just("paid")), max_size=5).map("".join)


@st.composite
def regions(draw: st.DrawFn) -> tuple[str, tuple[tuple[str, bool], ...]]:
    """Text built from (line, paid) pairs, with markers put on their own line, before
    the line, or after the previous one; and the blocks it must give."""
    pieces = draw(st.lists(st.tuples(plain_line, st.booleans()), min_size=1, max_size=10))
    lines = [draw(st.sampled_from(["标题", "\u3000标题\u3000", "\ufeff题目"]))]
    paid = False
    for text, want in pieces:
        if want != paid:
            marker = draw(BEGINS if want else ENDS)
            where = draw(st.sampled_from(["own", "before", "after"]))
            if where == "own" or (where == "after" and len(lines) == 1):
                lines.append(draw(PAD_RUN) + marker + draw(PAD_RUN))
            elif where == "before":
                text = marker + text
            else:
                lines[-1] += marker
            paid = want
        lines.append(text)
    if paid and draw(st.booleans()):
        lines.append(draw(ENDS))
    newline = draw(NEWLINES)
    expected = tuple((m_strip(m_unbidi(t)), p) for t, p in pieces if m_strip(m_unbidi(t)))
    return newline.join(lines), expected


@FAST
@given(regions())
def test_blocks_are_paid_exactly_inside_regions(case: tuple[str, tuple[tuple[str, bool], ...]]):
    text, expected = case
    if not expected:
        with pytest.raises(FormatError, match="no body"):
            parse_text(text)
        return
    document = parse_text(text)
    assert tuple((b.text, b.paid) for b in document.blocks) == expected
    assert document.title in ("标题", "题目")


@FAST
@given(any_piece, any_piece)
def test_clean_is_idempotent_and_only_trims(a: str, b: str):
    for s in (a, b, a + b, b + " " + a):
        once = clean(s)
        assert clean(once) == once
        assert once in s
        assert once == m_strip(s)


@settings(max_examples=300, deadline=None, database=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_a_document_or_a_format_error(data: bytes):
    try:
        document = parse_bytes(data, name="b.txt")
    except FormatError as exc:
        assert exc.reason.startswith("b.txt: ")
        assert "\n" not in exc.reason
    else:
        assert document.title and document.blocks


@FAST
@given(
    st.binary(max_size=200), st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b""])
)
def test_arbitrary_bytes_after_a_bom(data: bytes, bom: bytes):
    try:
        parse_bytes(bom + data)
    except FormatError:
        pass


@pytest.mark.parametrize(
    "text",
    [
        "标题\n \u200b \u200b 甲",
        "\u200b \u200b \u200b\n正文",
        "标题\n甲##paidbegin##\u200b \u200b##paidend##乙",
        "标题\r\r\n甲",
    ],
)
def test_model_examples(text: str):
    assert run(text) == model(text)
