"""Issue #9 item 16: a heading that runs on into body text is split the same way at any length."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanwen.core.format import parse_text
from fanwen.core.structure import (
    HEADING_MAX_CHARS,
    KIND_HEADING,
    KIND_PARAGRAPH,
    analyse,
    char_count,
    outline,
    split_heading,
)

FAST = settings(max_examples=200, deadline=None, database=None)


@pytest.mark.parametrize("rest", ["", "正文", "正文" * 30, "正文。" * 100])
def test_a_run_on_sub_heading_is_a_heading_with_its_lead_at_any_length(rest: str):
    text = "（一）小标题。" + rest
    [info] = analyse([text])
    assert (info.kind, info.level, info.lead) == (KIND_HEADING, 2, "（一）小标题")
    assert split_heading(text) == ("（一）小标题。", rest)


@pytest.mark.parametrize(
    ("text", "level", "lead", "head"),
    [
        ("一、指导思想：以新时代思想为指导" + "，" * 50, 1, "一、指导思想", "一、指导思想："),
        ("1. 加强学习；提高认识" + "字" * 60, 3, "1. 加强学习", "1. 加强学习；"),
        ("（二）坚持党的领导。", 2, "（二）坚持党的领导", "（二）坚持党的领导。"),
    ],
)
def test_each_level_splits_at_its_first_stop(text: str, level: int, lead: str, head: str):
    [info] = analyse([text])
    assert (info.kind, info.level, info.lead) == (KIND_HEADING, level, lead)
    assert split_heading(text)[0] == head


def test_a_lead_longer_than_the_limit_is_a_paragraph_whatever_follows():
    lead = "（一）" + "字" * (HEADING_MAX_CHARS - 3)
    assert analyse([lead + "。正文"])[0].kind == KIND_HEADING
    assert analyse([lead + "字。正文"])[0].kind == KIND_PARAGRAPH
    assert analyse([lead + "字"])[0].kind == KIND_PARAGRAPH


def test_the_outline_shows_the_lead_and_the_count_is_unchanged():
    text = "标题\n（一）小标题。" + "正文很长" * 20 + "\n（二）短标题。正文\n"
    document = parse_text(text)
    assert [(e.text, e.level) for e in outline(document)] == [("（一）小标题", 2), ("（二）短标题", 2)]
    assert char_count(document.blocks).free == sum(len(b.text) for b in document.blocks)


PREFIXES = st.sampled_from(["一、", "二十、", "（一）", "(三)", "1. ", "12、", "３．"])
WORD = st.sampled_from(list("加强学习提高认识坚持党的领导推进改革，、“”（）XX"))
STOPS = st.sampled_from(list("。；;：:！!？?"))
BODY = st.text(st.sampled_from(list("正文内容。，；：一是1.（一）abc ")), max_size=200)


@FAST
@given(PREFIXES, st.lists(WORD, max_size=30).map("".join), STOPS, BODY, BODY)
def test_the_rest_never_changes_how_a_heading_is_read(prefix, words, stop, rest, other_rest):
    text = prefix + words + stop
    lead = prefix + words
    a, b = analyse([text + rest])[0], analyse([text + other_rest])[0]
    assert a == b
    if len(lead) <= HEADING_MAX_CHARS:
        assert a.kind == KIND_HEADING and a.lead == lead
        assert split_heading(text + rest) == (text, rest)
    else:
        assert a.kind == KIND_PARAGRAPH


@FAST
@given(st.text(max_size=120))
def test_split_heading_keeps_every_character(text: str):
    head, rest = split_heading(text)
    assert head + rest == text
