"""The native format: decoding, title, blocks, markers, errors, 字数, writing back."""

from __future__ import annotations

import codecs
import re

import pytest

from fanwen.core import format as fmt
from fanwen.core.format import (
    DEFAULT_MAX_BYTES,
    Block,
    CannotDecode,
    Document,
    EmptyDocument,
    FormatError,
    MarkerInTitle,
    NestedBegin,
    NoBody,
    StrayEnd,
    TooLarge,
    clean,
    decode,
    parse_bytes,
    parse_text,
    serialise,
)
from fanwen.core.reader import SUPPORTED_SUFFIXES, iter_document_files, read_bytes, read_path
from fanwen.core.structure import char_count
from tests.conftest import EXAMPLES, FIXTURES
from tests.fixtures.make_fixtures import (
    REPORT,
    REPORT_BLOCKS,
    REPORT_TITLE,
    Fixture,
    all_fixtures,
    text_fixtures,
)

TEXT_OK = [f for f in text_fixtures() if f.ok]
TEXT_ERR = [f for f in text_fixtures() if not f.ok]
MARKER_WORD = re.compile(r"paid\s*(begin|end)", re.IGNORECASE)

EXAMPLE_COUNTS = {
    "000_2681b15fc75a1dde.txt": (664, 1382),
    "001_8c2f3a0508b80cee.txt": (906, 1668),
}


def blocks_of(document: Document) -> tuple[tuple[str, bool], ...]:
    return tuple((b.text, b.paid) for b in document.blocks)


def doc(title: str, *blocks: tuple[str, bool]) -> Document:
    return Document(title=title, blocks=tuple(Block(text=t, paid=p) for t, p in blocks))


# --------------------------------------------------------------------------- fixtures


def test_committed_fixtures_are_fresh_and_small():
    fixtures = all_fixtures()
    assert len({f.name for f in fixtures}) == len(fixtures)
    for fixture in fixtures:
        path = FIXTURES / fixture.name
        assert path.exists(), f"{fixture.name} missing: run tests/fixtures/make_fixtures.py"
        assert path.stat().st_size < 100_000, fixture.name
    from tests.fixtures.make_fixtures import main

    assert main(["--check"]) == 0


@pytest.mark.parametrize("fixture", TEXT_OK, ids=lambda f: f.name)
def test_text_fixture_reads_as_specified(fixture: Fixture):
    data = (FIXTURES / fixture.name).read_bytes()
    document = parse_bytes(data, name=fixture.name)
    assert document.title == fixture.title
    assert blocks_of(document) == fixture.blocks
    counts = char_count(document.blocks)
    assert (counts.free, counts.paid) == (fixture.free_chars, fixture.paid_chars)
    assert read_path(FIXTURES / fixture.name) == document
    assert read_bytes(data, name=fixture.name) == document


@pytest.mark.parametrize("fixture", TEXT_OK, ids=lambda f: f.name)
def test_markers_never_appear_in_output(fixture: Fixture):
    document = read_path(FIXTURES / fixture.name)
    for text in [document.title, *(b.text for b in document.blocks)]:
        assert not fmt.MARKER_RE.search(text)
        if fixture.name != "ok_not_markers.txt":  # that one holds near-markers on purpose
            assert not MARKER_WORD.search(text)


@pytest.mark.parametrize("fixture", TEXT_ERR, ids=lambda f: f.name)
def test_text_error_fixture_gives_one_line_reason_naming_the_file(fixture: Fixture):
    path = FIXTURES / fixture.name
    with pytest.raises(FormatError) as info:
        read_path(path)
    exc = info.value
    assert exc.code == fixture.code
    assert fixture.error in exc.reason
    assert exc.reason.startswith(f"{path}: ")
    assert exc.reason.count(str(path)) == 1
    assert "\n" not in exc.reason and "\r" not in exc.reason
    assert str(exc) == exc.reason
    if fixture.line is not None:
        assert exc.line == fixture.line
        assert f"(line {fixture.line})" in exc.reason


def test_all_report_encodings_read_the_same():
    names = [f.name for f in TEXT_OK if f.title == REPORT_TITLE and f.blocks == REPORT_BLOCKS]
    assert len(names) >= 10
    docs = {name: read_path(FIXTURES / name) for name in names}
    assert len(set(docs.values())) == 1


# --------------------------------------------------------------------------- the real examples


@pytest.mark.parametrize("name", sorted(EXAMPLE_COUNTS))
def test_examples_counts(name: str):
    document = read_path(EXAMPLES / name)
    counts = char_count(document.blocks)
    assert (counts.free, counts.paid) == EXAMPLE_COUNTS[name]
    assert counts.total == sum(EXAMPLE_COUNTS[name])
    assert document.title and document.has_paid
    assert not any(fmt.MARKER_RE.search(b.text) for b in document.blocks)


def test_examples_are_found(example_paths):
    assert sorted(p.name for p in example_paths) == sorted(EXAMPLE_COUNTS)


@pytest.mark.parametrize("name", sorted(EXAMPLE_COUNTS))
@pytest.mark.parametrize(
    ("encoding", "newline"),
    [
        ("utf-8-sig", "\n"),
        ("gb18030", "\r\n"),
        ("gbk", "\r"),
        ("utf-16", "\r\n"),  # Python writes a BOM
        ("utf-16-be-bom", "\n"),
    ],
)
def test_examples_in_other_encodings_read_the_same(name: str, encoding: str, newline: str):
    original = read_path(EXAMPLES / name)
    text = (EXAMPLES / name).read_text(encoding="utf-8").replace("\r\n", "\n")
    text = text.replace("\n", newline)
    data = (
        codecs.BOM_UTF16_BE + text.encode("utf-16-be")
        if encoding == "utf-16-be-bom"
        else text.encode(encoding)
    )
    assert parse_bytes(data, name=name) == original


def test_example_title_is_first_nonempty_line():
    raw = (EXAMPLES / "000_2681b15fc75a1dde.txt").read_text(encoding="utf-8")
    first = next(line for line in raw.splitlines() if line.strip())
    assert read_path(EXAMPLES / "000_2681b15fc75a1dde.txt").title == first.strip()


def test_example_paid_region_boundaries():
    document = read_path(EXAMPLES / "001_8c2f3a0508b80cee.txt")
    paid_flags = [b.paid for b in document.blocks]
    # one free run, then one paid run to the end marker, nothing after it
    first_paid = paid_flags.index(True)
    assert all(not p for p in paid_flags[:first_paid])
    assert all(paid_flags[first_paid:])
    assert document.blocks[first_paid].text == "二、成因分析"


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    "data",
    [
        "标题\n正文\n".encode(),
        codecs.BOM_UTF8 + "标题\n正文\n".encode(),
        codecs.BOM_UTF16_LE + "标题\n正文\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "标题\n正文\n".encode("utf-16-be"),
        "标题\n正文\n".encode("gb18030"),
        "标题\n正文\n".encode("gbk"),
        "标题\n正文\n".encode("gb2312"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "gb18030", "gbk", "gb2312"],
)
def test_decode_accepted_encodings(data: bytes):
    assert decode(data) == "标题\n正文\n"
    assert parse_bytes(data) == doc("标题", ("正文", False))


def test_decode_gb18030_four_byte_character():
    text = "标题\n𠮷与€与\u3000\n"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    assert decode(data) == text


def test_decode_prefers_utf8():
    assert decode("标题，UTF-8".encode()) == "标题，UTF-8"


def test_decode_strips_only_one_bom_and_title_ignores_the_rest():
    data = codecs.BOM_UTF8 + "\ufeff标题\n正文".encode()
    assert decode(data) == "\ufeff标题\n正文"
    assert parse_bytes(data).title == "标题"


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xff\xff\xff",
        b"\x80abc",
        "标题\n正文".encode("utf-16-le"),
        "标题\n正文".encode("utf-32"),
        "标题\n正文".encode("utf-32-be"),
        codecs.BOM_UTF16_LE + b"\x00\xd8\x0a\x00",  # lone surrogate
        codecs.BOM_UTF16_LE + b"a",  # odd length
        codecs.BOM_UTF8 + b"\xc3",
        "标题\n\x07正文".encode(),
        "标题\n\x1b[31m正文".encode(),
        b"\x00" * 10,
    ],
    ids=[
        "ff",
        "lone-80",
        "utf16-no-bom",
        "utf32",
        "utf32be-no-bom",
        "utf16-lone-surrogate",
        "utf16-odd",
        "bom-then-bad",
        "bell",
        "escape",
        "nuls",
    ],
)
def test_decode_refuses_everything_else(data: bytes):
    with pytest.raises(CannotDecode) as info:
        parse_bytes(data, name="bad.txt")
    assert info.value.reason.startswith("bad.txt: cannot decode")
    assert info.value.code == "cannot_decode"
    assert "\n" not in info.value.reason


@pytest.mark.parametrize(
    "data",
    ["測試標題\n這是正文。\n".encode("big5"), "テスト\n本文です。\n".encode("shift_jis")],
    ids=["big5", "shift-jis"],
)
def test_other_cjk_encodings_are_refused(data: bytes):
    with pytest.raises(CannotDecode):
        parse_bytes(data)


def test_decode_reason_names_the_file_once():
    with pytest.raises(CannotDecode) as info:
        decode(b"\xff\xff", name="x/y.txt")
    assert info.value.reason.startswith("x/y.txt: cannot decode")
    with pytest.raises(CannotDecode) as info:
        parse_bytes(b"\xff\xff", name="x/y.txt")
    assert info.value.reason.count("x/y.txt") == 1


def test_tabs_are_text_not_binary():
    assert parse_text("标题\n甲\t乙\n").blocks == (Block("甲\t乙"),)
    assert parse_bytes("标题\n甲\t乙\n".encode()).blocks == (Block("甲\t乙"),)


# --------------------------------------------------------------------------- size


def test_default_limit_is_5_mb():
    assert DEFAULT_MAX_BYTES == 5 * 1024 * 1024


def test_exactly_the_limit_is_read_and_one_more_byte_is_too_large():
    body = "标题\n" + "正" * ((DEFAULT_MAX_BYTES - len("标题\n".encode())) // 3)
    data = body.encode()
    data += b"a" * (DEFAULT_MAX_BYTES - len(data))
    assert len(data) == DEFAULT_MAX_BYTES
    assert parse_bytes(data).title == "标题"
    with pytest.raises(TooLarge) as info:
        parse_bytes(data + b"a", name="big.txt")
    assert info.value.code == "too_large"
    assert info.value.reason.startswith("big.txt: too large")
    assert str(DEFAULT_MAX_BYTES) in info.value.reason


def test_limit_is_configurable(tmp_path):
    data = "标题\n正文正文正文\n".encode()
    assert parse_bytes(data, max_bytes=len(data)).title == "标题"
    with pytest.raises(TooLarge, match="too large"):
        parse_bytes(data, max_bytes=len(data) - 1)
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    with pytest.raises(TooLarge) as info:
        read_path(path, max_bytes=10)
    assert info.value.reason.startswith(f"{path}: too large")
    assert "\n" not in info.value.reason
    assert read_path(path, max_bytes=len(data)).title == "标题"


def test_too_large_is_checked_before_decoding():
    with pytest.raises(TooLarge):
        parse_bytes(b"\xff" * 100, max_bytes=50)


# --------------------------------------------------------------------------- lines, title, blocks


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_newlines(newline: str):
    text = newline.join(["标题", "甲", "", "乙", ""])
    assert parse_text(text) == doc("标题", ("甲", False), ("乙", False))


def test_mixed_newlines_and_blank_lines():
    assert parse_text("标题\r\r\n甲\n\r乙\r\n\r\n丙") == doc(
        "标题", ("甲", False), ("乙", False), ("丙", False)
    )


def test_crlf_is_one_newline_not_two():
    document = parse_text("标题\r\n甲\r\n乙")
    assert blocks_of(document) == (("甲", False), ("乙", False))


def test_title_is_first_nonempty_line_after_whitespace_only_lines():
    text = "\n \t\n\u3000\u3000\n\ufeff\n\u00a0\n  \u3000题目\u3000 \n正文"
    assert parse_text(text) == doc("题目", ("正文", False))


def test_title_keeps_inner_spaces():
    assert parse_text(" 关于 XX 的\u3000报告 \n正文").title == "关于 XX 的\u3000报告"


def test_blocks_are_stripped_of_fullwidth_and_ascii_whitespace():
    text = "标题\n\u3000\u3000第一段。\u3000\n\t 第二段 \t\n\u3000\u3000\u3000\n"
    assert blocks_of(parse_text(text)) == (("第一段。", False), ("第二段", False))


def test_invisible_padding_is_stripped():
    text = "\u200b标题\u200b\n\ufeff\u3000正文\u2060\n"
    assert parse_text(text) == doc("标题", ("正文", False))


@pytest.mark.parametrize(
    "padding",
    [
        " \u200b ",
        "\u200b \u200b",
        "\u3000\ufeff\u3000\ufeff",
        " \u200b \u200b \u200b ",
        "\ufeff\u3000\u200b\u00a0",
    ],
)
def test_clean_strips_any_mix_of_whitespace_and_invisible_padding(padding: str):
    assert clean(padding + "正文" + padding) == "正文"
    assert clean(padding) == ""
    assert clean(clean(padding + "甲 乙" + padding)) == clean(padding + "甲 乙" + padding) == "甲 乙"


@pytest.mark.parametrize(
    "line", [" \u200b \u200b ", "\u200b \u200b \u200b", "\u3000\ufeff\u3000\u200b\u3000"]
)
def test_a_line_of_only_whitespace_and_invisibles_is_empty(line: str):
    assert parse_text(f"{line}\n标题\n{line}\n正文\n{line}") == doc("标题", ("正文", False))


def test_parsed_blocks_can_always_be_written_back():
    document = parse_text("标题\n \u200b \u200b 甲 \u200b \n乙")
    assert parse_text(serialise(document)) == document


def test_inner_whitespace_is_kept():
    assert parse_text("标题\n甲  乙\u3000丙").blocks == (Block("甲  乙\u3000丙"),)


# --------------------------------------------------------------------------- markers


@pytest.mark.parametrize(
    ("begin", "end"),
    [
        ("##paidbegin##", "##paidend##"),
        ("##PAIDBEGIN##", "##PAIDEND##"),
        ("##PaidBegin##", "##PaidEnd##"),
        ("##pAiDbEgIn##", "##PaIdEnD##"),
    ],
)
def test_markers_any_case(begin: str, end: str):
    text = f"标题\n免费\n{begin}\n付费\n{end}\n又免费"
    assert blocks_of(parse_text(text)) == (("免费", False), ("付费", True), ("又免费", False))


def test_marker_splits_its_line():
    assert blocks_of(parse_text("标题\n前##paidbegin##后\n付费##paidend##免费")) == (
        ("前", False),
        ("后", True),
        ("付费", True),
        ("免费", False),
    )


def test_several_regions_on_one_line():
    text = "标题\n甲##paidbegin##乙##paidend##丙##PAIDBEGIN##丁##paidend##戊"
    assert blocks_of(parse_text(text)) == (
        ("甲", False),
        ("乙", True),
        ("丙", False),
        ("丁", True),
        ("戊", False),
    )


def test_pieces_around_markers_are_stripped_and_empty_pieces_dropped():
    text = "标题\n\u3000甲\u3000##paidbegin##\u3000 \u3000##paidend## 乙 "
    assert blocks_of(parse_text(text)) == (("甲", False), ("乙", False))


def test_unterminated_region_runs_to_end():
    text = "标题\n甲\n##paidbegin##乙\n丙\n\n丁"
    assert blocks_of(parse_text(text)) == (("甲", False), ("乙", True), ("丙", True), ("丁", True))


def test_all_paid_body():
    document = parse_text("标题\n##paidbegin##\n甲\n乙")
    assert document.free_blocks == ()
    assert document.has_paid


def test_no_markers_means_all_free():
    document = parse_text("标题\n甲\n乙")
    assert not document.has_paid
    assert document.free_blocks == document.blocks


def test_begin_right_after_end_on_one_line():
    text = "标题\n##paidbegin##甲##paidend####paidbegin##乙##paidend##"
    assert blocks_of(parse_text(text)) == (("甲", True), ("乙", True))


def test_hash_padding_around_markers_is_text():
    # "###paidbegin###": the marker is the middle 13 characters, the outer # are text.
    assert blocks_of(parse_text("标题\n###paidbegin###甲")) == (("#", False), ("#甲", True))


@pytest.mark.parametrize(
    "text",
    [
        "#paidbegin#",
        "##paid begin##",
        "＃＃paidbegin＃＃",
        "##paidbegun##",
        "##paid_begin##",
        "## paidend ##",
    ],
)
def test_near_markers_are_plain_text(text: str):
    assert blocks_of(parse_text(f"标题\n{text}")) == ((text, False),)


@pytest.mark.parametrize(
    ("text", "error", "line"),
    [
        ("标题\n##paidbegin##\n##paidbegin##", NestedBegin, 3),
        ("标题\n##paidbegin##甲##PaidBegin##", NestedBegin, 2),
        ("标题\n\n\n##paidbegin##\n甲\n\n##paidbegin##", NestedBegin, 7),
        ("标题\n##paidend##", StrayEnd, 2),
        ("标题\n甲\n##paidbegin##乙##paidend##丙##paidend##", StrayEnd, 3),
        ("标题\r\n甲\r\n##PAIDEND##", StrayEnd, 3),
        ("标题\r甲\r##PAIDEND##", StrayEnd, 3),
        ("标题##paidbegin##\n正文", MarkerInTitle, 1),
        ("\n\n##paidend##标题\n正文", MarkerInTitle, 3),
        ("\u3000\n##paidbegin##\n正文", MarkerInTitle, 2),
    ],
)
def test_marker_errors_name_the_line(text: str, error: type[FormatError], line: int):
    with pytest.raises(error) as info:
        parse_text(text)
    assert info.value.line == line
    assert info.value.reason.endswith(f"(line {line})")
    assert "\n" not in info.value.reason


def test_error_reasons_use_the_spec_wording():
    cases = {
        "": ("empty document", EmptyDocument),
        "标题": ("no body", NoBody),
        "标题\n##paidbegin##\n##paidend##": ("no body", NoBody),
        "标题\n##paidbegin##\n##paidbegin##": ("nested begin", NestedBegin),
        "标题\n##paidend##": ("stray end", StrayEnd),
    }
    for text, (phrase, error) in cases.items():
        with pytest.raises(error) as info:
            parse_text(text)
        assert info.value.reason.startswith(phrase), info.value.reason


@pytest.mark.parametrize("text", ["", "\n\n", " \u3000 \t", "\ufeff", "\r\n\r\n\u3000\r\n"])
def test_empty_document(text: str):
    with pytest.raises(EmptyDocument, match="empty document"):
        parse_text(text)


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_empty_files(data: bytes):
    with pytest.raises(EmptyDocument) as info:
        parse_bytes(data, name="e.txt")
    assert info.value.reason == "e.txt: empty document: no title line"


def test_errors_are_value_errors_with_codes():
    codes = {
        cls.code
        for cls in (EmptyDocument, NoBody, NestedBegin, StrayEnd, MarkerInTitle, CannotDecode, TooLarge)
    }
    assert len(codes) == 7
    assert issubclass(FormatError, ValueError)


def test_naming_is_idempotent():
    exc = NoBody("no body: x")
    exc.naming("a.txt").naming("a.txt")
    assert exc.reason == "a.txt: no body: x"
    assert str(exc) == exc.reason


def test_parse_text_error_is_named_by_parse_bytes():
    with pytest.raises(NestedBegin) as info:
        parse_bytes("标题\n##paidbegin##\n##paidbegin##".encode(), name="n.txt")
    assert info.value.reason == (
        "n.txt: nested begin: ##paidbegin## inside a paid region that is not closed (line 3)"
    )


# --------------------------------------------------------------------------- writing back


def test_serialise_canonical_form():
    document = doc("标题", ("甲", False), ("乙", True), ("丙", True), ("丁", False), ("戊", True))
    assert (
        serialise(document)
        == "标题\n甲\n##paidbegin##\n乙\n丙\n##paidend##\n丁\n##paidbegin##\n戊\n##paidend##\n"
    )
    assert parse_text(serialise(document)) == document


def test_serialise_fixtures_round_trip():
    for fixture in TEXT_OK:
        document = read_path(FIXTURES / fixture.name)
        text = serialise(document)
        assert parse_text(text) == document
        assert parse_bytes(text.encode("gb18030")) == document
        assert serialise(parse_text(text)) == text


def test_serialise_examples_round_trip():
    for path in sorted(EXAMPLES.glob("*.txt")):
        document = read_path(path)
        assert parse_text(serialise(document)) == document


@pytest.mark.parametrize(
    "bad",
    [
        doc("标题##paidbegin##", ("甲", False)),
        doc(" 标题", ("甲", False)),
        doc("", ("甲", False)),
        doc("标题", ("甲\n乙", False)),
        doc("标题", ("甲\r乙", False)),
        doc("标题", ("", False)),
        doc("标题", ("\u3000甲", False)),
        doc("标题", ("甲\u200b", False)),
        doc("标题", ("甲##PAIDEND##", True)),
    ],
)
def test_serialise_refuses_what_cannot_be_written(bad: Document):
    with pytest.raises(ValueError, match="cannot be written"):
        serialise(bad)


# --------------------------------------------------------------------------- reader


def test_read_bytes_dispatches_on_suffix():
    data = "标题\n正文".encode()
    assert read_bytes(data, name="a.TXT") == read_bytes(data, name="a.md") == doc("标题", ("正文", False))
    with pytest.raises(CannotDecode, match=r"not a valid \.docx"):
        read_bytes(data, name="a.DOCX")


def test_iter_document_files(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ["b.txt", "a.MD", "sub/c.docx", "sub/d.pdf", "e.doc"]:
        (tmp_path / name).write_bytes(b"x")
    single = tmp_path / "e.doc"
    found = iter_document_files([tmp_path, single])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.MD", "b.txt", "sub/c.docx", "e.doc"]
    assert ".txt" in SUPPORTED_SUFFIXES and ".docx" in SUPPORTED_SUFFIXES


def test_read_path_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        read_path(tmp_path / "missing.txt")


def test_report_fixture_source_is_what_the_fixtures_hold():
    # guard against the generator and the expectations drifting apart
    assert parse_text(REPORT) == doc(REPORT_TITLE, *REPORT_BLOCKS)
