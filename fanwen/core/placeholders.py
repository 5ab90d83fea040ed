"""Placeholders in 范文 and filling them in (填写模板).

Forms found, in one compiled regex pass (at one position the first form listed wins,
and each form is as long as it can be):

``date``   ``202X年X月X日``, ``XXXX年XX月``, ``X月X日``, ``____年__月__日``: one placeholder.
           A year on its own counts only with four places (``202X年``, ``XXXX年``).
``field``  ``【单位名称】``, ``（姓名）``, ``(日期)``: a bracket holding a short field label
           (a known field word such as 姓名/单位/日期/职务, optionally after a few
           characters: 学校名称).  ``（一）``, ``（2023年）``, ``（盖章）``, ``（以下简称…）`` are not.
``named``  a run with a place, school or person word that belongs to it: ``X大学``,
           ``X市``, ``XX县``, ``XXX同志``.  The word is part of the placeholder (``keep_after``).
``run``    ``X``…``XXXXXX``, ``××``, ``ＸＸ``, ``某某``, ``＊＊``, ``**``.  Never inside a Latin
           word or number (``XML``, ``Xbox``, ``TeX``, ``1X2``, ``X2``); a single ``X`` is not a
           placeholder in the real words ``X光``, ``X射线``, ``X线``, ``X轴``, ``X染色体``; a single
           ``×`` next to a space is the multiplication sign (``3 × 4``; ``长×宽`` does count).
           Lower-case ``x`` is never a placeholder.  Whether a run counts depends only on
           characters no placeholder starts or ends with, so filling never makes new ones.
``blank``  ``___`` (half- or full-width ``＿``).  Two already count: ``__`` is a date part
           (``____年__月__日``), and were it not a placeholder on its own, filling
           ``__年（月份）`` with 5月 would make a new, unfilled date.

A run or blank right after ``姓名：`` (a field word and a colon) takes that word as its
label, and the ``姓名：`` becomes part of the placeholder (``keep_before``), so that
``姓名：____`` and ``单位：____`` are two placeholders, not one ``____``.

:func:`fill` replaces whole spans in one pass, never chained ``str.replace``: a value is
never searched again.  :func:`complete_value` puts back the kept word (``张三`` for
``XXX同志`` → ``张三同志``; ``清华大学`` for ``X大学`` stays ``清华大学``).  No placeholder
crosses a line break, so a document may be searched as its blocks joined by ``"\\n"``
and filled block by block.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CONTEXT_MAX_CHARS = 40
VALUE_MAX_CHARS = 50

KIND_DATE = "date"
KIND_FIELD = "field"
KIND_NAMED = "named"
KIND_RUN = "run"
KIND_BLANK = "blank"

LABEL_DEFAULT = "名称"
LABEL_BLANK = "填写内容"

_X = "XＸ×"
_NOT_NEAR = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"  # a run never touches a Latin letter or a digit
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"

# Field words: what a bracket may hold, what may stand before a colon.  Longest first.
FIELD_WORDS = tuple(
    sorted(
        """名称 姓名 名字 人名 单位 部门 机构 公司 学校 班级 专业 年级 院系 日期 时间 年份 年月 月份
        职务 职称 职位 岗位 地址 地点 城市 省份 县名 区名 村名 电话 手机 邮箱 金额 数量 人数 编号
        号码 学号 工号 身份证号 内容 事由 事项 主题 题目 标题 籍贯 民族 性别 年龄 学历 学位 政治面貌
        出生年月 联系方式 联系人""".split(),
        key=len,
        reverse=True,
    )
)
_FIELD_WORD_RE = "|".join(FIELD_WORDS)
# A field label: an optional instruction, at most six characters (no numerals), a field word.
_FIELD_LABEL = (
    rf"(?!以下|下称|简称|下同)(?:请填写|请输入|填写)?"
    rf"(?:(?![一二三四五六七八九十百千万两几])[{_CJK}]){{0,6}}?(?:{_FIELD_WORD_RE})"
)

_SPACE = " \t\u3000\xa0"
# X runs look at their neighbours; 某某 and ＊＊ do not (a neighbour may be another placeholder)
_X_RUN = (
    rf"(?<![{_NOT_NEAR}{_X}])"
    rf"(?:[{_X}]{{2,6}}|[XＸ](?!光|射线|线|轴|染色体)|(?<![{_SPACE}])×(?![{_SPACE}]))"
    rf"(?![{_NOT_NEAR}{_X}])"
)
_RUN = rf"(?:{_X_RUN}|某{{2,3}}|[＊*]{{2,6}})"
_PLACE = rf"[{_X}]"
_YEAR4 = rf"(?:[12][0-9]{{3}}|[12][0-9]{{2}}{_PLACE}|[12][0-9]{_PLACE}{{2}}|[12]{_PLACE}{{3}}|{_PLACE}{{4}})"
_PART = rf"(?:[0-9]{{1,2}}|{_PLACE}{{1,2}}|[_＿]{{2,8}})"
_DATE = (
    rf"(?<![{_NOT_NEAR}{_X}_＿])(?!(?<=[{_SPACE}])×(?![{_X}]))"  # a lone × by a space: 3 × 4
    rf"(?:{_YEAR4}年(?:{_PART}月(?:{_PART}日)?)?"
    rf"|(?:{_PLACE}{{1,2}}|[_＿]{{2,8}})年{_PART}月(?:{_PART}日)?"
    rf"|{_PART}月{_PART}日)"
)
# (suffix, label, words that make it another word: 市场 is not 市)
_NAMED_SUFFIXES: tuple[tuple[str, str, str], ...] = (
    ("同志", "姓名", ""),
    ("大学", "学校名称", ""),
    ("学院", "学校名称", ""),
    ("中学", "学校名称", ""),
    ("小学", "学校名称", ""),
    ("学校", "学校名称", ""),
    ("幼儿园", "学校名称", ""),
    ("省", "省份", "略钱心力"),
    ("市", "城市", "场值面"),
    ("县", "县名", ""),
    ("区", "区名", "域别分间"),
    ("镇", "镇名", ""),
    ("乡", "乡名", "村土亲镇"),
    ("村", "村名", "庄落"),
)
_NAMED_LABELS = {suffix: label for suffix, label, _ in _NAMED_SUFFIXES}
_SUFFIX_RE = "|".join(
    f"{suffix}(?![{not_before}])" if not_before else suffix for suffix, _, not_before in _NAMED_SUFFIXES
)

PLACEHOLDER_RE = re.compile(
    # a cheap first look: every form starts with one of these characters
    rf"(?=[0-9{_X}_＿【（(〔［\[某＊*])"
    rf"(?:(?P<date>{_DATE})"
    rf"|(?P<field>(?P<open>[【（(〔［\[])(?P<label>{_FIELD_LABEL})(?P<close>[】）)〕］\]]))"
    rf"|(?P<blank>[_＿]{{2,}})"
    rf"|(?P<named>{_RUN}(?P<suffix>{_SUFFIX_RE}))"
    rf"|(?P<run>{_RUN}))"
)
_PAIRS = {"【": "】", "（": "）)", "(": ")）", "〔": "〕", "［": "］]", "[": "]］"}  # open → closes
_PLACE_CHARS = frozenset(_X + "_＿")
_LEAD_RE = re.compile(rf"(?:{_FIELD_WORD_RE})[：:][{_SPACE}]*\Z")
_INSTRUCTION_RE = re.compile(r"^(?:请填写|请输入|填写)")
_NEXT_WORDS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        [
            (w, f"{w}名称")
            for w in "党支部 党总支 党委 党组 支部 公司 集团 单位 部门 医院 银行 协会 学会 中心 "
            "工厂 企业 机关 政府 街道 社区 小区 项目 活动 会议 学校 中学 小学 委员会".split()
        ]
        + [(w, "单位名称") for w in "局 厅 委 办 处 科 室 所 站 队 院 厂 部".split()]
        + [(w, "姓名") for w in "同学 老师 先生 女士 书记 主任 局长 校长 经理 院长 部长 同志".split()]
        + [(w, "数量") for w in "个 人 名 次 万 亿 元 项 家 岁 天 件 条 批 % ％".split()]
        + [("年", "年份"), ("月", "月份"), ("日", "日期"), ("号", "编号")],
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
)
_SENTENCE_END = frozenset("。！？；!?;\n")


@dataclass(frozen=True, slots=True)
class Occurrence:
    start: int
    end: int
    text: str
    label: str
    kind: str
    keep_before: str = ""  # 姓名： in 姓名：____
    keep_after: str = ""  # 大学 in X大学


@dataclass(frozen=True, slots=True)
class Placeholder:
    text: str
    label: str
    context: str  # the sentence around the first occurrence, at most CONTEXT_MAX_CHARS
    count: int
    spans: tuple[tuple[int, int], ...]
    kind: str
    keep_before: str = ""
    keep_after: str = ""


def _date_label(text: str) -> str:
    if "日" in text:
        return "日期"
    return "年月" if "月" in text else "年份"


def _next_word_label(text: str, end: int) -> str | None:
    ahead = text[end : end + 3]
    for word, label in _NEXT_WORDS:
        if ahead.startswith(word):
            return label
    return None


def _occurrence(text: str, match: re.Match[str], previous_end: int) -> Occurrence | None:
    start, end = match.span()
    found = match.group(0)
    if match.group("date") is not None:
        if not _PLACE_CHARS.intersection(found):
            return None  # 2023年5月1日: a real date
        return Occurrence(start, end, found, _date_label(found), KIND_DATE)
    if match.group("field") is not None:
        if match.group("close") not in _PAIRS[match.group("open")]:
            return None
        label = _INSTRUCTION_RE.sub("", match.group("label"))
        return Occurrence(start, end, found, label, KIND_FIELD)
    if match.group("named") is not None:
        suffix = match.group("suffix")
        return Occurrence(start, end, found, _NAMED_LABELS[suffix], KIND_NAMED, keep_after=suffix)
    kind = KIND_BLANK if match.group("blank") is not None else KIND_RUN
    lead = _LEAD_RE.search(text, max(previous_end, start - 12), start)
    if lead is not None:
        keep = lead.group(0)
        label = keep.rstrip(_SPACE).rstrip("：:")
        return Occurrence(lead.start(), end, text[lead.start() : end], label, kind, keep_before=keep)
    guessed = "序号" if text[max(0, start - 1) : start] == "第" else _next_word_label(text, end)
    default = LABEL_BLANK if kind == KIND_BLANK else LABEL_DEFAULT
    return Occurrence(start, end, found, guessed or default, kind)


def occurrences(text: str) -> list[Occurrence]:
    """Every placeholder occurrence, in order; spans never overlap."""
    found: list[Occurrence] = []
    previous_end = 0
    for match in PLACEHOLDER_RE.finditer(text):
        occurrence = _occurrence(text, match, previous_end)
        if occurrence is not None:
            found.append(occurrence)
            previous_end = occurrence.end
    return found


def context(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]``, cut to at most CONTEXT_MAX_CHARS with …."""
    left = start
    while left > 0 and text[left - 1] not in _SENTENCE_END:
        left -= 1
    right = end
    while right < len(text) and text[right] not in _SENTENCE_END:
        right += 1
    if right < len(text) and text[right] != "\n":
        right += 1  # keep the sentence's own mark
    while left < start and text[left].isspace():
        left += 1
    if right - left <= CONTEXT_MAX_CHARS:
        return text[left:right].strip()
    room = CONTEXT_MAX_CHARS - 2  # two … at most
    cut_left = max(left, min(start - (room - (end - start)) // 2, right - room))
    cut_right = min(right, cut_left + room)
    cut_left = max(left, cut_right - room)
    head = "…" if cut_left > left else ""
    tail = "…" if cut_right < right else ""
    return f"{head}{text[cut_left:cut_right].strip()}{tail}"


def find_placeholders(text: str) -> list[Placeholder]:
    """Each distinct placeholder (by its text), in order of first appearance.

    The label is the first occurrence's that is more than the generic 名称/填写内容."""
    groups: dict[str, list[Occurrence]] = {}
    for occurrence in occurrences(text):
        groups.setdefault(occurrence.text, []).append(occurrence)
    result: list[Placeholder] = []
    for placeholder_text, group in groups.items():
        first = group[0]
        specific = [o.label for o in group if o.label not in (LABEL_DEFAULT, LABEL_BLANK)]
        result.append(
            Placeholder(
                text=placeholder_text,
                label=specific[0] if specific else first.label,
                context=context(text, first.start, first.end),
                count=len(group),
                spans=tuple((o.start, o.end) for o in group),
                kind=first.kind,
                keep_before=first.keep_before,
                keep_after=first.keep_after,
            )
        )
    return result


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every occurrence of each given placeholder replaced by its value, in one
    pass over the finder's spans.  Placeholders not given stay; values are not searched again."""
    if not values:
        return text
    pieces: list[str] = []
    position = 0
    for occurrence in occurrences(text):
        value = values.get(occurrence.text)
        if value is None:
            continue
        pieces.append(text[position : occurrence.start])
        pieces.append(value)
        position = occurrence.end
    pieces.append(text[position:])
    return "".join(pieces)


_LINE_BREAKS = frozenset("\n\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85")


def validate_value(value: str) -> str | None:
    """Why a filled-in value cannot be used, in Chinese; None when it is fine."""
    stripped = value.strip()
    if not stripped:
        return "不能为空"
    if len(stripped) > VALUE_MAX_CHARS:
        return f"不能超过{VALUE_MAX_CHARS}个字（现在{len(stripped)}个）"
    if "<" in value or ">" in value:
        return "不能包含 < 或 >"
    if _LINE_BREAKS.intersection(value):
        return "不能换行，请写在一行里"
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        return "不能包含控制字符或不可见的格式字符"
    return None


def complete_value(placeholder: Placeholder | Occurrence, value: str) -> str:
    """The text that replaces the placeholder: the value with the kept words put back
    (``XXX同志`` + ``张三`` → ``张三同志``; ``X大学`` + ``清华大学`` → ``清华大学``;
    ``姓名：____`` + ``张三`` → ``姓名：张三``)."""
    if placeholder.keep_after and not value.endswith(placeholder.keep_after):
        value = value + placeholder.keep_after
    if placeholder.keep_before:
        lead = placeholder.keep_before.rstrip(_SPACE)
        if not value.startswith(lead):
            value = placeholder.keep_before + value
    return value


def clean_values(
    placeholders: Iterable[Placeholder], raw: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Check what a reader typed.  Returns (values ready for :func:`fill`, errors by placeholder
    text).  A key that is not a placeholder of the document is an error; values are stripped
    and completed with :func:`complete_value`."""
    by_text = {p.text: p for p in placeholders}
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        placeholder = by_text.get(key)
        if placeholder is None:
            errors[key] = "文中没有这个占位符"
            continue
        reason = validate_value(value)
        if reason is not None:
            errors[key] = f"{placeholder.label}{reason}"
            continue
        values[key] = complete_value(placeholder, value.strip())
    return values, errors
