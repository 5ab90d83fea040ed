"""Structure of official writing: heading levels, sub-points, outline, 字数, placeholders."""

from __future__ import annotations

import pytest

from fanwen.core.format import Block, Document, parse_text
from fanwen.core.reader import read_path
from fanwen.core.structure import (
    HEADING_MAX_CHARS,
    KIND_HEADING,
    KIND_PARAGRAPH,
    KIND_POINT,
    analyse,
    char_count,
    count_chars,
    heading_level,
    is_point,
    lead_phrase,
    outline,
    placeholders,
)
from tests.conftest import EXAMPLES, FIXTURES
from tests.fixtures.make_fixtures import Fixture, all_fixtures

PINNED = [f for f in all_fixtures() if f.ok and f.outline is not None]


def entries(document: Document) -> tuple[tuple[str, int, bool], ...]:
    return tuple((e.text, e.level, e.paid) for e in outline(document))


# --------------------------------------------------------------------------- heading levels


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("一、基本情况", 1),
        ("十、结语", 1),
        ("十一、第十一部分", 1),
        ("二十三、很多部分", 1),
        ("一百零一、极多部分", 1),
        ("〇、序", 1),
        ("（一）政治素质", 2),
        ("(二)半角括号", 2),
        ("（十二）全角括号", 2),
        ("（三)混合括号", 2),
        ("1. 抓好主责主业", 3),
        ("1.抓好主责主业", 3),
        ("2、推进重点工作", 3),
        ("10、第十点", 3),
        ("１．全角数字", 3),
        ("１２、全角两位", 3),
        ("123. 三位数", 3),
    ],
)
def test_heading_levels(text: str, level: int):
    assert heading_level(text) == level


@pytest.mark.parametrize(
    "text",
    [
        "一是要保持学习习惯。",
        "第一，要加强领导。",
        "一，逗号不是顿号",
        "一.点号不是顿号",
        "（一 没有右括号",
        "（1）阿拉伯数字的括号",
        "1.5亿元的投资已经到位。",
        "2024年工作总结",
        "1234. 四位数不算",
        "一",
        "",
        "正文、带顿号",
        "A、字母",
        "壹、大写数字",
    ],
)
def test_not_headings(text: str):
    assert heading_level(text) == 0


def test_heading_length_limit_is_inclusive():
    assert HEADING_MAX_CHARS == 40
    exactly = "一、" + "字" * 38
    assert len(exactly) == 40
    assert heading_level(exactly) == 1
    assert heading_level(exactly + "字") == 0


@pytest.mark.parametrize("prefix", ["（一）", "1. "])
def test_heading_length_limit_for_other_levels(prefix: str):
    short = prefix + "字" * (40 - len(prefix))
    assert heading_level(short) > 0
    assert heading_level(short + "字") == 0


def test_long_level_one_line_is_a_paragraph():
    text = "一、" + "很长" * 30
    infos = analyse([text])
    assert infos[0].kind == KIND_PARAGRAPH


# --------------------------------------------------------------------------- sub-points


@pytest.mark.parametrize(
    "text",
    [
        "一是要保持学习习惯。",
        "二是要善于深度思考",
        "十是最后一条",
        "第一，要加强领导",
        "第二、要落实",
        "首先，统一思想",
        "最后，总结",
    ],
)
def test_points(text: str):
    assert is_point(text)
    assert heading_level(text) == 0


@pytest.mark.parametrize("text", ["这一是不对的", "是一是", "第一次会议", "一、标题", "我们首先要"])
def test_not_points(text: str):
    assert not is_point(text)


@pytest.mark.parametrize(
    ("text", "lead"),
    [
        ("一是要保持学习习惯。从现在开始", "一是要保持学习习惯"),
        ("二是要善于思考；其次", "二是要善于思考"),
        ("三是要坚持学以致用：就是", "三是要坚持学以致用"),
        ("第一，要加强领导！", "第一，要加强领导"),
        ("一是没有句号", "一是没有句号"),
        ("一是" + "长" * 50 + "。", "一是" + "长" * 37 + "…"),
    ],
)
def test_lead_phrase(text: str, lead: str):
    assert lead_phrase(text) == lead
    assert len(lead_phrase(text)) <= 40


def test_points_sit_one_level_below_the_heading_above():
    texts = [
        "一是在任何标题之前",
        "一、第一部分",
        "一是一级之下",
        "（一）第一小节",
        "二是二级之下",
        "1. 第一点",
        "三是三级之下",
        "二、第二部分",
        "四是又回到一级之下",
        "普通段落",
    ]
    infos = analyse(texts)
    assert [(i.kind, i.level) for i in infos] == [
        (KIND_POINT, 1),
        (KIND_HEADING, 1),
        (KIND_POINT, 2),
        (KIND_HEADING, 2),
        (KIND_POINT, 3),
        (KIND_HEADING, 3),
        (KIND_POINT, 4),
        (KIND_HEADING, 1),
        (KIND_POINT, 2),
        (KIND_PARAGRAPH, 0),
    ]
    assert infos[2].lead == "一是一级之下"
    assert infos[-1].lead == ""
    assert infos[1].lead == "一、第一部分"


# --------------------------------------------------------------------------- outline


@pytest.mark.parametrize("fixture", PINNED, ids=lambda f: f.name)
def test_fixture_outline(fixture: Fixture):
    assert entries(read_path(FIXTURES / fixture.name)) == fixture.outline


def test_outline_keeps_paid_flag_and_block_index():
    document = parse_text("标题\n导语\n一、免费\n##paidbegin##\n二、付费\n正文\n（一）付费小节")
    got = outline(document)
    assert [(e.text, e.level, e.paid, e.index) for e in got] == [
        ("一、免费", 1, False, 1),
        ("二、付费", 1, True, 2),
        ("（一）付费小节", 2, True, 4),
    ]
    for entry in got:
        assert document.blocks[entry.index].paid == entry.paid


def test_outline_of_plain_prose_is_empty():
    assert outline(parse_text("标题\n只是一段话。\n又一段话。")) == []


def test_example_000_outline():
    got = entries(read_path(EXAMPLES / "000_2681b15fc75a1dde.txt"))
    headings = [e for e in got if e[1] == 1]
    assert headings == [
        ("一、牢固树立终身学习理念", 1, False),
        ("二、锻炼提升改革创新能力", 1, True),
        ("三、强化个人修为综合锻炼", 1, True),
    ]
    assert ("一是要保持学习习惯", 2, False) in got
    assert ("三是要坚持学以致用", 2, True) in got


def test_example_001_outline():
    got = entries(read_path(EXAMPLES / "001_8c2f3a0508b80cee.txt"))
    assert [e for e in got if e[1] == 1] == [
        ("一、主要差距不足", 1, False),
        ("二、成因分析", 1, True),
        ("三、努力方向", 1, True),
    ]


# --------------------------------------------------------------------------- 字数


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("", 0),
        ("正文", 2),
        ("甲 乙\u3000丙\t丁\u00a0戊", 5),
        ("“引号”、，。！？", 9),
        ("𠮷", 1),
        ("ABC 123", 6),
        ("\u3000\u3000", 0),
        ("甲\u2028乙", 2),
    ],
)
def test_count_chars(text: str, n: int):
    assert count_chars(text) == n


def test_char_count_splits_free_and_paid_and_excludes_title():
    document = parse_text("很长很长的标题\n免费 一\n##paidbegin##付费二\n付 费\u3000三##paidend##免费四")
    counts = char_count(document.blocks)
    assert (counts.free, counts.paid, counts.total) == (6, 6, 12)


def test_char_count_of_nothing():
    counts = char_count(())
    assert (counts.free, counts.paid, counts.total) == (0, 0, 0)
    assert char_count([Block("甲", paid=True)]).paid == 1


@pytest.mark.parametrize(
    ("name", "free", "paid"),
    [("000_2681b15fc75a1dde.txt", 664, 1382), ("001_8c2f3a0508b80cee.txt", 906, 1668)],
)
def test_example_char_counts(name: str, free: int, paid: int):
    counts = char_count(read_path(EXAMPLES / name).blocks)
    assert (counts.free, counts.paid, counts.total) == (free, paid, free + paid)


def test_markers_do_not_count():
    with_markers = parse_text("标题\n甲##paidbegin##乙##PAIDEND##丙")
    assert char_count(with_markers.blocks).total == 3


# --------------------------------------------------------------------------- placeholders


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # the whole form is one placeholder: the word that belongs to it, the date as one
        ("XX同志", ["XX同志"]),
        ("X大学", ["X大学"]),
        ("某某单位的××同志", ["某某", "××同志"]),
        ("ＸＸ市＊＊局", ["ＸＸ市", "＊＊"]),
        ("**公司", ["**"]),
        ("XXXX年XX月", ["XXXX年XX月"]),
        ("【单位名称】（姓名）___", ["【单位名称】", "（姓名）", "___"]),
        ("（一）（2023年）X光", []),
        ("Xbox 和 TeX 和 XML", []),
        ("没有占位", []),
    ],
)
def test_placeholders(text: str, found: list[str]):
    assert placeholders(text) == found


def test_example_placeholders():
    document = read_path(EXAMPLES / "000_2681b15fc75a1dde.txt")
    assert "XX" in {p for b in document.blocks for p in placeholders(b.text)}


LEVEL_TEXTS = [
    "一、总体情况", "一是第一点。", "（一）小标题", "二是第二点。", "正文段落。", "1. 第三级",
    "三是第三点。", "二、第二部分", "四是第四点。", "第一，另一种要点。",
]


@pytest.mark.parametrize("keep", [range(10), [0, 1, 3, 4, 6], [1, 3, 6, 8], [0, 3, 5, 6, 9], [2, 3, 7, 8]])
def test_levels_among_visible_blocks_equal_analyse_of_those_blocks_alone(keep):
    from fanwen.core.structure import levels_among

    infos = analyse(LEVEL_TEXTS)
    assert levels_among([(i.kind, i.level) for i in infos]) == [i.level for i in infos]
    kept = [LEVEL_TEXTS[k] for k in keep]
    assert levels_among([(infos[k].kind, infos[k].level) for k in keep]) == [i.level for i in analyse(kept)]
