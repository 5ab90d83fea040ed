"""Aligning a PDF's text runs with the blocks, and the ``/ActualText`` of a paid run.

Oracle: runs made by cutting known segments into lines and pages, with footer and page-number
runs after each page's body, so where every run belongs is known."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fanwen.core import fingerprint as fp
from fanwen.core.pdf_runs import Placement, Segment, actual_text, align, carriers_after

CODE = fp.reader_code(b"test", 7, 11)
FOOTER = "范文库 · 张三 · 订单 FW1 · 仅供个人学习使用"


def cut(segments: list[Segment], widths: list[int], lines_per_page: int) -> tuple[list[list[str | None]], list[tuple[int, int, int]]]:
    """Runs of the segments cut into lines (widths cycled) and pages, each page ending with its
    footer and page number; and, for every body run, (page, run, segment)."""
    pages: list[list[str | None]] = [[]]
    truth: list[tuple[int, int, int]] = []
    k = 0

    def close_page() -> None:
        pages[-1].extend([f"— {len(pages)} —", FOOTER])
        pages.append([])

    for s, segment in enumerate(segments):
        text = segment.text.strip()
        while text:
            width = widths[k % len(widths)]
            k += 1
            line, text = text[:width], text[width:].lstrip()
            if len([r for r in pages[-1]]) >= lines_per_page:
                close_page()
            truth.append((len(pages) - 1, len(pages[-1]), s))
            pages[-1].append(line)
    close_page()
    return pages[:-1], truth


def test_runs_are_placed_in_their_blocks_and_footers_are_not():
    segments = [Segment("标题", False), Segment("前言部分的文字，免费阅读。", False), Segment("二、付费部分的正文内容很长很长。", True)]
    pages, truth = cut(segments, [5], 3)
    placed = align(pages, segments)
    assert [(p.page, p.run, p.segment) for p in placed] == truth


def test_a_paid_block_that_repeats_free_text_is_still_told_apart():
    segments = [Segment("题", False), Segment("同一句话在这里出现。", False), Segment("同一句话在这里出现。", True)]
    pages, truth = cut(segments, [4], 10)
    placed = align(pages, segments)
    assert [(p.page, p.run, p.segment) for p in placed] == truth
    assert [p.segment for p in placed if p.segment == 2] == [2, 2, 2]


def test_line_break_gap_carries_and_page_break_gap_does_not():
    text = "学习教育不断深入开展工作"
    segments = [Segment("题", False), Segment(text, True)]
    pages = [["题", "学习教育", "不断深入", "— 1 —", FOOTER], ["开展工作", "— 2 —", FOOTER]]
    placed = align(pages, segments)
    assert [(p.page, p.run, p.carry_end) for p in placed if p.segment == 1] == [(0, 1, True), (0, 2, False), (1, 0, False)]
    after = carriers_after(text, fp.mark([text], CODE)[0])
    actual = {(p.page, p.run): actual_text(pages[p.page][p.run] or "", p, after) for p in placed if p.segment == 1}
    assert actual[(0, 1)][-1] in fp.CARRIERS  # 育|不: the line break inside the page
    assert actual[(0, 2)][-1] not in fp.CARRIERS  # 入|开: the page break
    joined = actual[(0, 1)] + "\n" + actual[(0, 2)] + "\n— 1 —\n" + FOOTER + "\n\f" + actual[(1, 0)]
    evidence = fp.read(joined)
    assert evidence.conflicts == 0 and evidence.carriers == len(text) - 2
    assert fp.strip_carriers(joined).replace("\n", "") == "学习教育不断深入— 1 —" + FOOTER + "\f开展工作"


def test_an_undecodable_run_is_skipped_and_the_next_picks_the_block_up_again():
    segments = [Segment("题", False), Segment("一二三四五六七八九十", True)]
    pages: list[list[str | None]] = [["题", "一二三", None, "七八九十", FOOTER]]
    placed = align(pages, segments)
    assert [(p.run, p.chars) for p in placed if p.segment == 1] == [(1, (0, 1, 2)), (3, (6, 7, 8, 9))]
    assert not placed[1].carry_end


def test_actual_text_matches_what_mark_puts_in_the_block():
    text = "这是 一段 测试文字，包括标点。"
    segments = [Segment("题", False), Segment(text, True)]
    pages: list[list[str | None]] = [["题", "这是 一段 测", "试文字，包括标点。"]]
    placed = align(pages, segments)
    after = carriers_after(text, fp.mark([text], CODE)[0])
    joined = "".join(actual_text(pages[0][p.run] or "", p, after) for p in placed if p.segment == 1)
    assert joined == fp.mark([text], CODE)[0]


han = st.sampled_from("的一是了不在人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可")
chars = st.one_of(han, han, han, st.sampled_from("，。、ab12 "))


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(st.text(chars, min_size=1, max_size=80).filter(str.strip), min_size=1, max_size=6),
    paid_from=st.integers(0, 6),
    widths=st.lists(st.integers(1, 12), min_size=1, max_size=4),
    lines_per_page=st.integers(1, 6),
)
def test_every_body_run_lands_in_its_block_and_only_paid_runs_carry_marks(texts, paid_from, widths, lines_per_page):
    segments = [Segment("标题", False)] + [Segment(t, i >= paid_from) for i, t in enumerate(texts)]
    pages, truth = cut(segments, widths, lines_per_page)
    placed = align(pages, segments)
    assert [(p.page, p.run, p.segment) for p in placed] == truth
    paid = [i for i, s in enumerate(segments) if s.paid]
    marked = dict(zip(paid, fp.mark([segments[i].text for i in paid], CODE), strict=True))
    for p in placed:
        run = pages[p.page][p.run] or ""
        if not segments[p.segment].paid:
            continue
        actual = actual_text(run, p, carriers_after(segments[p.segment].text, marked[p.segment]))
        assert fp.strip_carriers(actual) == run
        inner = fp.mark([run], CODE)[0]  # carriers inside the run are exactly mark's
        assert actual.startswith(inner) and len(actual) - len(inner) <= 1


def test_placement_is_a_value():
    assert Placement(0, 1, 2, (0,), False) == Placement(0, 1, 2, (0,), False)
