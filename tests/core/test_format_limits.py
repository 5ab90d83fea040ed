"""Issue #9: bounded work per file (block limit), mojibake refused, bidi controls removed."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanwen.core import format as fmt
from fanwen.core.format import (
    DEFAULT_MAX_BLOCKS,
    CannotDecode,
    Document,
    TooManyBlocks,
    parse_bytes,
    parse_text,
    serialise,
)
from fanwen.core.mojibake import common_ideographs, looks_misdecoded
from fanwen.core.reader import read_bytes
from tests.conftest import EXAMPLES

FAST = settings(max_examples=150, deadline=None, database=None)

# --------------------------------------------------------------------------- block limit


def test_default_block_limit_is_5000():
    assert DEFAULT_MAX_BLOCKS == 5000


def test_exactly_the_limit_is_read_and_one_more_block_is_refused_with_a_chinese_reason():
    at_limit = "标题\n" + "段\n" * 5000
    assert len(parse_text(at_limit).blocks) == 5000
    with pytest.raises(TooManyBlocks) as info:
        parse_bytes((at_limit + "段\n").encode(), name="many.txt")
    assert info.value.code == "too_many_blocks"
    assert info.value.reason == "many.txt: 段落过多：共 5001 段，上限 5000 段"


def test_the_issue_file_of_400000_lines_is_refused_with_its_count():
    data = ("标题\n" + "字\n" * 400_000).encode()
    assert len(data) < 2_000_000
    with pytest.raises(TooManyBlocks) as info:
        read_bytes(data, name="big.txt")
    assert info.value.count == 400_000 and info.value.limit == 5000


def test_block_limit_is_checked_before_the_line_by_line_parse():
    # The nested begin on the last line would be reported if the lines had been parsed.
    text = "标题\n" + "段\n" * 20 + "##paidbegin##甲\n##paidbegin##乙\n"
    with pytest.raises(fmt.NestedBegin):
        parse_text(text)
    with pytest.raises(TooManyBlocks):
        parse_text(text, max_blocks=10)


def test_blank_lines_markers_and_padding_do_not_count_but_split_pieces_do():
    text = "\n\n标题\n\n\u3000\n##paidbegin##\n甲##paidend##乙\n\u200b\n丙\n"
    assert len(parse_text(text).blocks) == 3
    assert len(parse_text(text, max_blocks=3).blocks) == 3
    with pytest.raises(TooManyBlocks) as info:
        parse_text(text, max_blocks=2)
    assert info.value.count == 3


@FAST
@given(st.lists(st.sampled_from(["甲", "乙 ", "\u3000", "", "##paidbegin##", "##paidend##", "丙##paidbegin##丁"]), max_size=30))
def test_the_precount_equals_the_parsed_block_count(lines: list[str]):
    text = "标题\n" + "\n".join(lines)
    try:
        document = parse_text(text, max_blocks=10_000)
    except fmt.FormatError:
        return
    n = len(document.blocks)
    assert len(parse_text(text, max_blocks=n).blocks) == n
    if n:
        with pytest.raises(TooManyBlocks) as info:
            parse_text(text, max_blocks=n - 1)
        assert info.value.count == n


def test_millions_of_blank_lines_are_not_a_block_each():
    assert parse_text("标题\n" + "\r\n" * 1_000_000 + "正文").blocks[0].text == "正文"


def test_line_numbers_in_errors_count_every_newline_style():
    with pytest.raises(fmt.StrayEnd) as info:
        parse_text("标题\r\n\r\n甲\r\r\n\n##paidend##")
    assert info.value.line == 6


def test_regex_whitespace_is_exactly_str_isspace():
    assert [c for c in map(chr, range(0x110000)) if c.isspace() != bool(re.match(r"\s", c))] == []


# --------------------------------------------------------------------------- other encodings


def _examples() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]


@pytest.mark.parametrize("encoding", ["big5", "shift_jis"])
def test_longer_big5_and_shift_jis_files_are_refused(encoding: str):
    import opencc

    text = opencc.OpenCC("s2t").convert(_examples()[0]) if encoding == "big5" else (
        "会議の記録\n本日の会議では、今後の予定について議論しました。参加者は十名でした。\n"
    )
    with pytest.raises(CannotDecode) as info:
        parse_bytes(text.encode(encoding, errors="replace"), name="x.txt")
    assert info.value.reason.startswith("x.txt: cannot decode")


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_examples_re_encoded_are_read(encoding: str):
    for text in _examples():
        assert parse_bytes(text.encode(encoding)) == parse_text(text)


def test_traditional_chinese_saved_as_gbk_is_read():
    import opencc

    text = opencc.OpenCC("s2t").convert(_examples()[1])
    assert parse_bytes(text.encode("gb18030")) == parse_text(text)


COMMON = sorted(common_ideographs())
common_text = st.lists(
    st.one_of(st.sampled_from(COMMON), st.sampled_from(list("，。、；：？！“”（）《》…—·\n \u3000abc123"))),
    min_size=1,
    max_size=300,
).map("".join)


@FAST
@given(common_text, st.sampled_from(["gb18030", "gbk", "utf-8"]))
def test_genuine_chinese_text_is_never_refused(text: str, encoding: str):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return  # a Big5-only character that GBK cannot hold
    if encoding != "utf-8" and data != text.encode("utf-8"):
        try:
            data.decode("utf-8")
            return  # a very short GB text that is also valid UTF-8 ("一" = D2 BB = "һ"): read as UTF-8
        except UnicodeDecodeError:
            pass
    assert fmt.decode(data) == text


@FAST
@given(st.lists(st.sampled_from(COMMON), min_size=20, max_size=200).map("".join))
def test_traditional_text_in_big5_is_refused(text: str):
    try:
        data = text.encode("big5")
    except UnicodeEncodeError:
        return
    try:
        decoded = data.decode("gb18030")
    except UnicodeDecodeError:
        return
    if decoded == text:
        return  # the same characters in both encodings (rare)
    assert looks_misdecoded(decoded) or sum(a != b for a, b in zip(decoded, text, strict=False)) < 3


# --------------------------------------------------------------------------- bidi controls


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_bidi_controls_are_removed_from_titles_and_blocks(char: str):
    document = parse_text(f"{char}价格表{char}txt.exe\n正{char}文\n")
    assert document.title == "价格表txt.exe"
    assert document.blocks[0].text == "正文"


def test_a_title_line_of_only_bidi_controls_is_blank():
    assert parse_text("\u202e\u2066\n标题\n正文").title == "标题"


def test_bidi_controls_cannot_be_written():
    with pytest.raises(ValueError, match="cannot be written"):
        serialise(Document("标\u202e题", (fmt.Block("正文"),)))


KOREAN = (
    "대한민국은 민주공화국이다. 대한민국의 주권은 국민에게 있고, 모든 권력은 국민으로부터 나온다.\n"
    "대한민국의 국민이 되는 요건은 법률로 정한다. 국가는 법률이 정하는 바에 의하여 재외국민을 보호할 의무를 진다.\n"
)


def test_korean_euc_kr_is_refused():
    with pytest.raises(CannotDecode):
        parse_bytes(("헌법\n" + KOREAN).encode("euc-kr"))


def test_a_short_euc_kr_file_cannot_be_told_apart():
    # Fewer than 40 hanzi after misreading: too little to judge, so it is read (a known limit).
    assert parse_bytes("헌법\n대한민국은 민주공화국이다.".encode("euc-kr")).title
