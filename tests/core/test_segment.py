"""Normalisation and segmentation: indexing and querying must agree exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanwen.core.segment import normalise, segmented, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ｐａｒｔｙ", "party"),
        ("１２３", "123"),
        ("ABC", "abc"),
        ("黨性分析", "党性分析"),
        ("學習心得體會", "学习心得体会"),
        ("ﬁ", "fi"),
        ("学习，心得！", "学习,心得!"),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str):
    assert normalise(text) == expected


def test_normalise_is_idempotent():
    for text in ["黨性分析報告", "ＰＡＲＴＹ１２３", "中华人民共和国", "Ⅻ ㎏"]:
        assert normalise(normalise(text)) == normalise(text)


def test_search_mode_adds_sub_words():
    got = tokens("中华人民共和国")
    assert "中华人民共和国" in got
    assert {"中华", "人民", "共和国"} <= set(got)


def test_punctuation_and_spaces_are_dropped():
    assert tokens("  ，。！？、“”  ") == []
    assert tokens("学习，心得！") == ["学习", "心得"]
    assert tokens("") == []


@pytest.mark.parametrize(
    ("index_side", "query_side"),
    [
        ("党性分析报告", "黨性分析報告"),
        ("party 123", "ＰＡＲＴＹ　１２３"),
        ("学习心得", "學習心得"),
        ("Hello World", "HELLO WORLD"),
    ],
)
def test_index_and_query_agree(index_side: str, query_side: str):
    assert tokens(index_side) == tokens(query_side)
    assert segmented(index_side) == segmented(query_side)


def test_segmented_is_tokens_joined_by_spaces():
    text = "参加市县级领导干部高级研修班学习感悟"
    assert segmented(text) == " ".join(tokens(text))
    assert "  " not in segmented(text)


def test_tokens_are_normalised_and_non_empty():
    for token in tokens("关于XX同志的考察材料：ＰＡＲＴＹ建设，黨的領導。"):
        assert token
        assert token == normalise(token)
        assert not token.isspace()


@settings(max_examples=100, deadline=None, database=None)
@given(st.text(max_size=60))
def test_tokens_never_fail_and_have_no_spaces(text: str):
    got = tokens(text)
    assert all(t and not any(ch.isspace() for ch in t) for t in got)
    assert segmented(text).split() == got


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_fast_normalise_equals_plain_nfkc(text):
    """The translate + quick-check fast path gives exactly NFKC → lower → t2s."""
    import unicodedata

    from fanwen.core.segment import _t2s, normalise

    assert normalise(text) == _t2s().convert(unicodedata.normalize("NFKC", text).lower())
