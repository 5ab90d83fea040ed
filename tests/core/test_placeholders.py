"""Placeholders in 范文 (core/placeholders.py): the forms, labels, context, fill, value checks."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanwen.core.placeholders import (
    CONTEXT_MAX_CHARS,
    KIND_BLANK,
    KIND_DATE,
    KIND_FIELD,
    KIND_NAMED,
    KIND_RUN,
    clean_values,
    complete_value,
    fill,
    find_placeholders,
    occurrences,
    validate_value,
)
from fanwen.core.reader import read_path
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def texts(text: str) -> list[str]:
    return [o.text for o in occurrences(text)]


# --------------------------------------------------------------------------- forms


@pytest.mark.parametrize(
    ("text", "found", "label", "kind"),
    [
        ("请XX参加", "XX", "名称", KIND_RUN),
        ("请XXX参加", "XXX", "名称", KIND_RUN),
        ("由××负责", "××", "名称", KIND_RUN),
        ("参加X大学的研修", "X大学", "学校名称", KIND_NAMED),
        ("来到X市调研", "X市", "城市", KIND_NAMED),
        ("XX县委", "XX县", "县名", KIND_NAMED),
        ("XXX同志任职", "XXX同志", "姓名", KIND_NAMED),
        ("于202X年X月X日召开", "202X年X月X日", "日期", KIND_DATE),
        ("20XX年XX月XX日", "20XX年XX月XX日", "日期", KIND_DATE),
        ("××××年×月×日", "××××年×月×日", "日期", KIND_DATE),
        ("____年__月__日", "____年__月__日", "日期", KIND_DATE),
        ("X月X日上午", "X月X日", "日期", KIND_DATE),
        ("202X年度总结", "202X年", "年份", KIND_DATE),
        ("XXXX年XX月", "XXXX年XX月", "年月", KIND_DATE),
        ("2023年X月", "2023年X月", "年月", KIND_DATE),
        ("落款：【单位名称】", "【单位名称】", "单位名称", KIND_FIELD),
        ("报告人（姓名）", "（姓名）", "姓名", KIND_FIELD),
        ("(职务)", "(职务)", "职务", KIND_FIELD),
        ("(职务）", "(职务）", "职务", KIND_FIELD),
        ("XX号文件", "XX", "编号", KIND_RUN),
        ("（学校名称）", "（学校名称）", "学校名称", KIND_FIELD),
        ("【请填写日期】", "【请填写日期】", "日期", KIND_FIELD),
        ("签字___", "___", "填写内容", KIND_BLANK),
        ("签字＿＿＿", "＿＿＿", "填写内容", KIND_BLANK),
        ("XX公司", "XX", "公司名称", KIND_RUN),
        ("XX党支部", "XX", "党支部名称", KIND_RUN),
        ("XX年工作总结", "XX", "年份", KIND_RUN),
        ("第X条", "X", "序号", KIND_RUN),
        ("某某单位", "某某", "单位名称", KIND_RUN),
        ("＊＊局", "＊＊", "单位名称", KIND_RUN),
        ("姓名：XXX", "姓名：XXX", "姓名", KIND_RUN),
        ("单位： ______", "单位： ______", "单位", KIND_BLANK),
        ("长×宽", "×", "名称", KIND_RUN),
    ],
)
def test_each_form(text: str, found: str, label: str, kind: str):
    (only,) = occurrences(text)
    assert (only.text, only.label, only.kind) == (found, label, kind)
    assert text[only.start : only.end] == found


@pytest.mark.parametrize(
    "text",
    [
        "（一）加强学习",
        "（2023年）",
        "（盖章）",
        "（签字）",
        "【姓名）",
        "（以下简称公司）",
        "（三年时间）",
        "【篇一】",
        "1X2",
        "X2 和 2X",
        "X光检查",
        "拍X射线片",
        "X线片",
        "X轴",
        "X染色体",
        "XML、Xbox、TeX",
        "3×4",
        "3 × 4",
        "xx公司",
        "XXXXXXX",
        "2023年5月1日",
        "5月1日",
        "_",
        "没有占位",
    ],
)
def test_not_placeholders(text: str):
    assert texts(text) == []


def test_longest_form_wins_at_one_place():
    assert texts("XXX同志和XX和X大学和X") == ["XXX同志", "XX", "X大学", "X"]
    assert texts("X市XX县XXX同志") == ["X市", "XX县", "XXX同志"]
    assert texts("XX市场") == ["XX"]  # 市场 is a market, not 市


def test_filling_never_makes_a_new_placeholder_from_its_neighbours():
    # were __ not a blank, filling （月份） with 5月 would turn __年 into an unfilled date
    # and a lone × by a space (3 × 4) starts no date once （月份） is filled with 5月
    text = "__年（月份）, XXXXX××, 某某XX, ×年（月份）"
    assert texts(text) == ["__", "（月份）", "某某", "XX", "（月份）"]
    filled = fill(text, {p.text: "甲" for p in find_placeholders(text)} | {"（月份）": "5月"})
    assert filled == "甲年5月, XXXXX××, 甲甲, ×年5月"
    assert texts(filled) == []


def test_blanks_after_field_words_are_different_placeholders():
    found = find_placeholders("姓名：____ 单位：____ 备注____")
    assert [(p.text, p.label, p.keep_before) for p in found] == [
        ("姓名：____", "姓名", "姓名："),
        ("单位：____", "单位", "单位："),
        ("____", "填写内容", ""),
    ]


def test_a_field_word_on_the_line_above_is_not_a_lead():
    assert [(o.text, o.label) for o in occurrences("姓名：\nX")] == [("X", "名称")]


def test_distinct_placeholders_count_spans_and_label():
    text = "把XX置于XX、XX公司之中。X大学和X大学。"
    xx, university = find_placeholders(text)
    assert (xx.text, xx.count, xx.label) == ("XX", 3, "公司名称")
    assert [text[s:e] for s, e in xx.spans] == ["XX"] * 3
    assert (university.text, university.count, university.keep_after) == ("X大学", 2, "大学")


# --------------------------------------------------------------------------- examples


def test_example_000_xx():
    document = read_path(EXAMPLES / "000_2681b15fc75a1dde.txt")
    found = find_placeholders("\n".join(block.text for block in document.blocks))
    (xx,) = found
    assert (xx.text, xx.count, xx.label) == ("XX", 2, "名称")
    assert "敢于把XX置于XX、西部" in xx.context
    assert len(xx.context) <= CONTEXT_MAX_CHARS
    assert "\n" not in xx.context


def test_example_001_university():
    document = read_path(EXAMPLES / "001_8c2f3a0508b80cee.txt")
    body = "\n".join(block.text for block in document.blocks)
    (university,) = find_placeholders(body)
    assert (university.text, university.label, university.count) == ("X大学", "学校名称", 1)
    assert university.context.startswith("近期，我参加了市委组织部和X大学联合举办")
    filled = fill(body, {"X大学": "清华大学"})
    assert "市委组织部和清华大学联合举办" in filled
    assert not find_placeholders(filled)


# --------------------------------------------------------------------------- context


def test_context_is_the_sentence_when_short():
    (p,) = find_placeholders("第一句很长很长。请XX同学于明天到会！第三句。")
    assert p.context == "请XX同学于明天到会！"


def test_context_is_cut_around_the_placeholder_when_long():
    sentence = "甲" * 60 + "XX" + "乙" * 60 + "。"
    (p,) = find_placeholders(sentence)
    assert len(p.context) <= CONTEXT_MAX_CHARS
    assert "XX" in p.context
    assert p.context.startswith("…") and p.context.endswith("…")


# --------------------------------------------------------------------------- fill


def test_fill_replaces_spans_once_and_leaves_the_rest():
    text = "XXX同志和XX在X大学，X大学于202X年X月X日。（姓名）"
    values = {"XX": "XXX同志", "X大学": "清华大学", "202X年X月X日": "2024年5月1日"}
    assert fill(text, values) == "XXX同志和XXX同志在清华大学，清华大学于2024年5月1日。（姓名）"


def test_filled_university_leaves_no_x():
    filled = fill("参加X大学的研修", {"X大学": "北京大学"})
    assert filled == "参加北京大学的研修"
    assert "X" not in filled


def test_filling_xx_does_not_touch_xxx():
    assert fill("XXX和XX", {"XX": "甲"}) == "XXX和甲"
    assert fill("XXX和XX", {"XXX": "甲"}) == "甲和XX"


def test_complete_value_puts_back_kept_words():
    named, date, blank = find_placeholders("XXX同志于202X年X月X日。姓名：____")
    assert complete_value(named, "张三") == "张三同志"
    assert complete_value(named, "张三同志") == "张三同志"
    assert complete_value(date, "2024年5月1日") == "2024年5月1日"
    assert complete_value(blank, "张三") == "姓名：张三"
    assert complete_value(blank, "姓名：张三") == "姓名：张三"


def test_clean_values_checks_keys_and_values():
    found = find_placeholders("X大学的XXX同志")
    values, errors = clean_values(found, {"X大学": " 清华 ", "XXX同志": "<b>", "XX": "甲"})
    assert values == {"X大学": "清华大学"}
    assert set(errors) == {"XXX同志", "XX"}
    assert errors["XXX同志"].startswith("姓名")


# --------------------------------------------------------------------------- validate_value


@pytest.mark.parametrize("value", ["清华大学", "张三", "2024年5月1日", "A" * 50, " 前后空格 "])
def test_acceptable_values(value: str):
    assert validate_value(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "不能为空"),
        ("  \u3000 ", "不能为空"),
        ("甲" * 51, "不能超过50个字"),
        ("<script>", "不能包含 < 或 >"),
        ("a>b", "不能包含 < 或 >"),
        ("第一行\n第二行", "不能换行"),
        ("甲\r乙", "不能换行"),
        ("甲\u2028乙", "不能换行"),
        ("甲\u202e乙", "不能包含控制字符"),
        ("甲\u200b乙", "不能包含控制字符"),
        ("甲\x00乙", "不能包含控制字符"),
        ("甲\x07乙", "不能包含控制字符"),
    ],
)
def test_unacceptable_values(value: str, reason: str):
    message = validate_value(value)
    assert message is not None and message.startswith(reason)


# --------------------------------------------------------------------------- properties

FRAGMENTS = [
    *"X XX XXX Ｘ × ×× 某某 ＊＊ ** _ __ ___ ＿＿＿ 大学 市 县 同志 公司 场 光 年 月 日 第 ： 姓名 单位".split(),
    *"【单位名称】 （姓名） （一） （2023年） （ ） 【 】 202 1 5 20 A b ML 。 ， 的 工作 甲 乙".split(),
    " ",
    "\n",
]
TEXT = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join) | st.text(max_size=60)
PLACE_CHARS = set("XＸ×_＿")
VALUE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="XＸ×_＿", exclude_categories=("Cs",)),
    min_size=1,
    max_size=8,
).filter(lambda value: validate_value(value) is None)  # what a reader can give: never empty
PROPERTY = settings(max_examples=300, deadline=None, database=None)


@PROPERTY
@given(TEXT)
def test_spans_are_ordered_disjoint_and_exact(text: str):
    previous_end = 0
    for occurrence in occurrences(text):
        assert previous_end <= occurrence.start < occurrence.end
        assert text[occurrence.start : occurrence.end] == occurrence.text
        previous_end = occurrence.end


@PROPERTY
@given(TEXT)
def test_distinct_placeholders_agree_with_occurrences(text: str):
    found = find_placeholders(text)
    assert sum(p.count for p in found) == len(occurrences(text))
    assert len({p.text for p in found}) == len(found)
    for p in found:
        assert all(text[s:e] == p.text for s, e in p.spans)
        assert len(p.context) <= CONTEXT_MAX_CHARS


@PROPERTY
@given(TEXT)
def test_fill_with_no_values_is_identity(text: str):
    assert fill(text, {}) == text
    assert fill(text, {"不在文中的占位": "甲"}) == text


@PROPERTY
@given(TEXT, st.data())
def test_filling_every_placeholder_leaves_none_of_the_x_forms(text: str, data: st.DataObject):
    values = {p.text: data.draw(VALUE) for p in find_placeholders(text)}
    filled = fill(text, values)
    left = [o.text for o in occurrences(filled) if PLACE_CHARS.intersection(o.text)]
    assert left == []


@PROPERTY
@given(TEXT, st.data())
def test_fill_never_changes_text_outside_spans(text: str, data: st.DataObject):
    found = find_placeholders(text)
    chosen = [p for p in found if data.draw(st.booleans())]
    tokens = {p.text: f"〔{i}〕" for i, p in enumerate(chosen)}
    filled = fill(text, tokens)
    spans = sorted((s, e, p.text) for p in chosen for s, e in p.spans)
    outside, position = [], 0
    for start, end, _ in spans:
        outside.append(text[position:start])
        position = end
    outside.append(text[position:])
    token_re = re.compile("|".join(re.escape(t) for t in tokens.values()) or r"(?!)")
    if any("〔" in part for part in outside):
        return  # the text itself holds something like a token: the split below would be ambiguous
    assert token_re.split(filled) == outside
    assert token_re.findall(filled) == [tokens[t] for _, _, t in spans]


@PROPERTY
@given(TEXT)
def test_values_that_look_like_placeholders_are_not_filled_again(text: str):
    found = find_placeholders(text)
    values = {p.text: f"〔{i}〕XX{p.text}X大学" for i, p in enumerate(found)}
    filled = fill(text, values)
    for i, p in enumerate(found):
        assert filled.count(f"〔{i}〕") == text.count(f"〔{i}〕") + p.count


@PROPERTY
@given(st.lists(TEXT, max_size=6))
def test_blocks_joined_by_newline_are_found_block_by_block(blocks: list[str]):
    blocks = [block.replace("\n", "") for block in blocks]
    joined = [o.text for o in occurrences("\n".join(blocks))]
    assert joined == [t for block in blocks for t in texts(block)]


# --------------------------------------------------------------------------- speed


def test_finding_in_5000_characters_is_fast():
    paragraph = "围绕“两化互动”大局，敢于把XX置于XX、西部乃至全国的高度来审视。XXX同志在X大学于202X年X月X日（姓名）报告。"
    text = (paragraph * (5000 // len(paragraph) + 1))[:5000]
    runs = []
    for _ in range(20):
        started = time.perf_counter()
        occurrences(text)
        runs.append(time.perf_counter() - started)
    assert sorted(runs)[len(runs) // 2] < 0.02  # measured ≈ 1 ms; generous for a shared machine
