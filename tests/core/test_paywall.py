"""The studio's paywall rule (fanwen.core.paywall): where the line is suggested, how the
markers set it, and the counts the editor shows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanwen.core import structure
from fanwen.core.format import Block, Document, parse_text
from fanwen.core.paywall import (
    boundary_counts,
    initial_paid_from,
    marked_paid_from,
    split_counts,
    suggest_paid_from,
    with_paid_from,
)
from tests.conftest import EXAMPLES

FAST = settings(max_examples=300, deadline=None, database=None)


def doc(*texts: str, paid_from: int | None = None) -> Document:
    blocks = tuple(Block(t, paid=paid_from is not None and i >= paid_from) for i, t in enumerate(texts))
    return Document(title="标题", blocks=blocks)


BODY = "正文" * 50  # 100 字


# --------------------------------------------------------------------------- examples


def test_a_heading_near_one_third_after_the_opening_and_one_section():
    texts = ["开头" * 30, "一、第一部分", BODY, "二、第二部分", BODY, BODY, "三、第三部分", BODY, BODY, BODY]
    # 字数: 60 | 6 100 | 6 100 100 | 6 100 100 100 = 778; a third is 259: 二、 at 166, 三、 at 478
    assert suggest_paid_from(texts) == 3


def test_the_first_section_is_always_free_even_when_a_third_falls_inside_it():
    texts = ["一、第一部分", BODY, BODY, BODY, BODY, BODY, "二、第二部分", BODY, BODY]
    assert suggest_paid_from(texts) == 6


def test_a_section_without_body_text_does_not_count_as_free():
    texts = ["开头。", "一、总体情况", "（一）主要做法", BODY, "（二）存在问题", BODY, BODY, BODY, BODY]
    # （一） cannot be the line: 一、 above it has no body yet
    assert suggest_paid_from(texts) == 4


def test_level_one_and_two_headings_come_before_numbered_ones():
    texts = ["开头" * 10, "1. 第一点", BODY, "一、部分", BODY, "2. 第二点", BODY, "二、部分", BODY, BODY, BODY, BODY]
    assert suggest_paid_from(texts) == 7  # 2. is closer to a third, but 二、 is a section heading


def test_numbered_headings_when_there_is_nothing_else():
    texts = ["开头" * 10, "1. 第一点", BODY, "2. 第二点", BODY, BODY, BODY, "3. 第三点", BODY, BODY]
    assert suggest_paid_from(texts) == 3


def test_without_headings_a_paragraph_boundary_near_one_third():
    texts = [BODY] * 9
    assert suggest_paid_from(texts) == 3


def test_without_a_usable_heading_the_line_never_falls_right_after_a_heading():
    texts = [BODY, "一、唯一的小标题", BODY, BODY, BODY, BODY]
    paid_from = suggest_paid_from(texts)
    assert texts[paid_from - 1] != "一、唯一的小标题"
    assert paid_from == 3  # 208 字 free of 508: closer to a third than 100 (2 would follow the heading)


@pytest.mark.parametrize("n", [0, 1])
def test_fewer_than_two_blocks_leave_everything_free(n):
    assert suggest_paid_from([BODY] * n) == n


def test_two_blocks_one_free_one_paid():
    assert suggest_paid_from(["短", "很长的正文" * 100]) == 1
    assert suggest_paid_from(["很长的正文" * 100, "短"]) == 1


def test_markers_set_the_first_position():
    marked = parse_text("标题\n开头\n一、部分\n正文\n##paidbegin##付费\n##paidend##文末")
    assert marked_paid_from(marked.blocks) == 3
    assert initial_paid_from(marked) == 3
    assert with_paid_from(marked, 3) is marked  # the file's regions stay, 文末 included


def test_moving_the_line_makes_one_split():
    marked = parse_text("标题\n开头\n一、部分\n正文\n##paidbegin##付费\n##paidend##文末")
    moved = with_paid_from(marked, 2)
    assert [b.paid for b in moved.blocks] == [False, False, True, True, True]
    assert [b.paid for b in with_paid_from(marked, 5).blocks] == [False] * 5


@pytest.mark.parametrize("bad", [0, -1, 6])
def test_a_line_outside_the_document_is_refused(bad):
    with pytest.raises(ValueError):
        with_paid_from(doc(*["段"] * 5), bad)


def test_the_bundled_examples_get_a_heading_boundary():
    for path in sorted(EXAMPLES.glob("*.txt")):
        parsed = parse_text(path.read_text(encoding="utf-8"))
        texts = [b.text for b in parsed.blocks]
        paid_from = suggest_paid_from(texts)
        assert structure.heading_level(texts[paid_from]) in (1, 2), path.name


def test_counts_are_those_the_paywall_card_shows():
    marked = parse_text("标题\n开头。\n一、部分\n一是要点。\n##paidbegin##二、付费部分\n付费 正文\n##paidend##文末")
    counts = split_counts(marked.blocks)
    assert (counts.free_chars, counts.paid_chars) == (structure.char_count(marked.blocks).free,
                                                      structure.char_count(marked.blocks).paid)
    assert (counts.free_sections, counts.paid_sections) == (2, 1)


# --------------------------------------------------------------------------- properties

HEADINGS = ["一、总体情况", "二、主要做法", "三、存在问题", "（一）思想方面", "（二）工作方面", "1. 第一点", "2. 第二点"]
POINTS = ["一是要加强学习。", "二是要改进作风。"]
texts_strategy = st.lists(
    st.one_of(
        st.sampled_from(HEADINGS),
        st.sampled_from(POINTS),
        st.text(alphabet="正文段落内容，。", min_size=1, max_size=80).filter(lambda t: t.strip() and t[0] not in "，。"),
    ),
    min_size=0,
    max_size=40,
)


def _chars_before(texts: list[str], i: int) -> int:
    return sum(structure.count_chars(t) for t in texts[:i])


@FAST
@given(texts_strategy)
def test_never_everything_free_nor_nothing_free(texts):
    paid_from = suggest_paid_from(texts)
    if len(texts) >= 2:
        assert 1 <= paid_from <= len(texts) - 1
    else:
        assert paid_from == len(texts)


def _qualifying(texts: list[str], max_level: int) -> list[int]:
    """An independent reading of the rule: heading boundaries with a section heading before
    them, and a block that is not a heading between that first section heading and them."""
    infos = structure.analyse(texts)
    sections = [i for i, f in enumerate(infos) if f.kind == structure.KIND_HEADING and f.level <= max_level]
    if not sections:
        return []
    first = sections[0]
    return [
        i for i in sections
        if i > first and any(infos[k].kind != structure.KIND_HEADING for k in range(first + 1, i))
    ]


@FAST
@given(texts_strategy)
def test_a_qualifying_heading_closest_to_one_third_wins(texts):
    paid_from = suggest_paid_from(texts)
    target = _chars_before(texts, len(texts)) / 3
    for max_level in (2, 3):
        qualifying = _qualifying(texts, max_level)
        if qualifying:
            assert paid_from in qualifying
            best = min(abs(_chars_before(texts, i) - target) for i in qualifying)
            assert abs(_chars_before(texts, paid_from) - target) == best
            return
    if len(texts) >= 2:  # no qualifying heading: a paragraph boundary, after a heading only if nothing else
        infos = structure.analyse(texts)
        allowed = [i for i in range(1, len(texts)) if infos[i - 1].kind != structure.KIND_HEADING]
        assert paid_from in (allowed or range(1, len(texts)))
        best = min(abs(_chars_before(texts, i) - target) for i in (allowed or range(1, len(texts))))
        assert abs(_chars_before(texts, paid_from) - target) == best


@FAST
@given(st.lists(st.text(alphabet="正文段落内容", min_size=1, max_size=60), min_size=2, max_size=40))
def test_without_headings_the_closest_paragraph_boundary(texts):
    paid_from = suggest_paid_from(texts)
    target = _chars_before(texts, len(texts)) / 3
    best = min(abs(_chars_before(texts, i) - target) for i in range(1, len(texts)))
    assert abs(_chars_before(texts, paid_from) - target) == best


@FAST
@given(texts_strategy.filter(lambda t: len(t) >= 1), st.data())
def test_the_counts_of_every_boundary_match_the_document_with_that_line(texts, data):
    marked_at = data.draw(st.one_of(st.none(), st.integers(0, len(texts) - 1)))
    document = doc(*texts, paid_from=marked_at)
    counts = boundary_counts(document)
    assert len(counts) == len(texts)
    for i in range(1, len(texts) + 1):
        assert counts[i - 1] == split_counts(with_paid_from(document, i).blocks)


@FAST
@given(texts_strategy)
def test_markers_do_not_change_the_suggestion(texts):
    marked = doc(*texts, paid_from=len(texts) // 2)
    assert suggest_paid_from([b.text for b in marked.blocks]) == suggest_paid_from(texts)
