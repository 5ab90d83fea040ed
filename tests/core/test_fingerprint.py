"""The invisible fingerprint: marking, reading any excerpt, and fail-closed attribution."""

from __future__ import annotations

import io
import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanwen.core import fingerprint as fp
from fanwen.core.fingerprint_strong import PAIRS, StrongPlan
from fanwen.core.fingerprint_text import is_invisible, normalise_like_a_leaker, visible_count
from fanwen.core.reader import read_path
from fanwen.core.structure import count_chars
from tests.conftest import ROOT

KEY = b"test fingerprint key"
DOC_ID = 42
SLOW = settings(max_examples=3, deadline=None, database=None)
FAST = settings(max_examples=100, deadline=None, database=None)


def _document(name: str) -> tuple[list[str], list[str]]:
    doc = read_path(ROOT / "examples" / name)
    return [b.text for b in doc.blocks if not b.paid], [b.text for b in doc.blocks if b.paid]


FREE, PAID = _document("001_8c2f3a0508b80cee.txt")
OTHER_FREE, OTHER_PAID = _document("000_2681b15fc75a1dde.txt")
UNRELATED = (
    "今天天气晴朗，我们一家人去公园散步。湖边的柳树发出了新芽，孩子们在草地上放风筝，"
    "老人们坐在长椅上聊天下棋。中午我们在附近的小饭馆吃了面条和饺子，味道很不错。"
) * 4
LONG_PAID = OTHER_PAID + PAID  # about 3,000 characters, 47 variant sites


def _visible_window(text: str, start: int, width: int) -> str:
    """``width`` consecutive visible characters from the ``start``-th one, with every
    invisible character between them, as a reader's selection copies them."""
    positions = [i for i, ch in enumerate(text) if not is_invisible(ch)]
    return text[positions[start] : positions[start + width - 1] + 1]


def _readers(n: int, document_id: int = DOC_ID) -> list[tuple[int, object]]:
    return [(fp.reader_code(KEY, reader, document_id), reader) for reader in range(n)]


def test_reader_code_is_keyed_per_reader_and_document():
    code = fp.reader_code(KEY, 7, DOC_ID)
    assert code == fp.reader_code(KEY, 7, DOC_ID)
    assert 0 <= code < 2**fp.CODE_BITS
    others = {
        fp.reader_code(KEY, 8, DOC_ID),
        fp.reader_code(KEY, 7, DOC_ID + 1),
        fp.reader_code(b"x", 7, DOC_ID),
    }
    assert code not in others and len(others) == 3
    with pytest.raises(ValueError):
        fp.reader_code(b"", 7, DOC_ID)


def test_light_mark_is_invisible_and_only_between_ideographs():
    marked = fp.mark(PAID, fp.reader_code(KEY, 1, DOC_ID))
    assert [fp.strip_carriers(m) for m in marked] == PAID
    assert marked != PAID
    for text in marked:
        for i, ch in enumerate(text):
            if ch in fp.CARRIERS:
                assert fp.is_han(text[i - 1]) and fp.is_han(text[i + 1])
        assert "\ufeff" not in text


def test_light_mark_keeps_the_visible_character_count():
    marked = fp.mark(PAID, fp.reader_code(KEY, 1, DOC_ID))
    assert [visible_count(m) for m in marked] == [visible_count(t) for t in PAID]


def test_light_mark_keeps_count_chars():
    marked = fp.mark(PAID, fp.reader_code(KEY, 1, DOC_ID))
    assert [count_chars(m) for m in marked] == [count_chars(t) for t in PAID]


def test_strong_mark_changes_only_sites_to_their_partner_and_keeps_count_chars():
    partners = {a: b for a, b in PAIRS} | {b: a for a, b in PAIRS}
    plan = StrongPlan.build(tuple(PAID))
    assert len(plan.sites) >= 15
    changed = 0
    for code in (fp.reader_code(KEY, r, DOC_ID) for r in range(5)):
        marked = plan.mark(code)
        assert [count_chars(m) for m in marked] == [count_chars(t) for t in PAID]
        for site in plan.sites:
            got = marked[site.block][site.start : site.start + len(site.form)]
            assert got in (site.form, partners[site.form])
            changed += got != site.form
        unchanged = [
            (b, i)
            for b, (m, t) in enumerate(zip(marked, PAID, strict=True))
            for i, (x, y) in enumerate(zip(m, t, strict=True))
            if x != y
        ]
        at_sites = {(s.block, s.start + k) for s in plan.sites for k in range(len(s.form))}
        assert set(unchanged) <= at_sites
    assert changed > 0


def test_strong_forms_survive_normalisation():
    for pair in PAIRS:
        for form in pair:
            assert normalise_like_a_leaker(form) == form
            assert all(unicodedata.category(ch) == "Lo" for ch in form)


@SLOW
@given(st.data())
def test_a_thousand_readers_any_300_characters_name_the_right_reader(data):
    readers = _readers(1000)
    plan = fp.prepare(PAID)
    wrong = 0
    for code, reader in readers:
        text = "\n".join(plan.mark(code))
        width = 300
        start = data.draw(st.integers(0, visible_count(text) - width), label=f"start {reader}")
        result = fp.attribute(fp.read(_visible_window(text, start, width)), readers)
        assert result.match is not None, (reader, start, result)
        wrong += result.match.who != (reader,)
        assert result.false_match_probability <= fp.MAX_FALSE_MATCH
    assert wrong == 0


def test_every_300_character_window_of_the_examples_carries_at_least_60_bits():
    for paid in (PAID, OTHER_PAID):
        code = fp.reader_code(KEY, 3, DOC_ID)
        text = "\n".join(fp.mark(paid, code))
        weakest = min(
            fp.read(_visible_window(text, s, 300)).bits_read for s in range(0, visible_count(text) - 300, 7)
        )
        assert weakest >= fp.guaranteed_bits(paid, 300) >= 60


def test_guaranteed_bits_is_the_weakest_window_read():
    code = fp.reader_code(KEY, 5, DOC_ID)
    text = "\n".join(fp.mark(OTHER_PAID, code))
    for width in (100, 150):
        reads = [fp.read(_visible_window(text, s, width)) for s in range(visible_count(text) - width + 1)]
        assert all(r.value == code & r.mask for r in reads)
        assert min(r.bits_read for r in reads) == fp.guaranteed_bits(OTHER_PAID, width)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("\n".join(FREE), fp.REASON_NO_FINGERPRINT),
        (UNRELATED, fp.REASON_NO_FINGERPRINT),
        ("\n".join(OTHER_PAID), fp.REASON_NO_FINGERPRINT),
    ],
    ids=["free part", "unrelated", "other document"],
)
def test_text_without_a_fingerprint_names_nobody(text, reason):
    result = fp.attribute(fp.read(text, original=PAID), _readers(1000))
    assert (result.match, result.reason) == (None, reason)


def test_unmarked_paid_text_names_nobody():
    """Nobody's copy: the light read finds no carrier; the strong read of the original
    forms gives only whitening bits, which agree with no reader."""
    text = "\n".join(LONG_PAID)
    readers = _readers(1000)
    assert fp.attribute(fp.read(text), readers).reason == fp.REASON_NO_FINGERPRINT
    result = fp.attribute(fp.read(text, "strong", original=LONG_PAID), readers)
    assert result.bits >= 40
    assert (result.match, result.reason) == (None, fp.REASON_NOBODY)


def test_free_part_of_a_marked_page_names_nobody():
    code, _ = _readers(1)[0]
    page = "\n".join(FREE + fp.mark(PAID, code))
    free_part = page[: len("\n".join(FREE))]
    result = fp.attribute(fp.read(free_part), _readers(1000))
    assert (result.match, result.reason) == (None, fp.REASON_NO_FINGERPRINT)


def test_a_50_character_excerpt_is_too_short_even_with_bits():
    readers = _readers(1000)
    text = "\n".join(fp.mark(PAID, readers[3][0]))
    evidence = fp.read(_visible_window(text, 200, 50))
    assert evidence.bits_read > 0
    result = fp.attribute(evidence, readers)
    assert (result.match, result.reason) == (None, fp.REASON_TOO_SHORT)


def test_too_few_bits_for_the_number_of_candidates_is_insufficient_evidence():
    readers = _readers(1000)
    text = "\n".join(fp.mark(PAID, readers[3][0]))
    evidence = fp.read(_visible_window(text, 200, 12))
    assert 0 < evidence.bits_read < 30
    result = fp.attribute(evidence, readers, min_chars=0)
    assert (result.match, result.reason) == (None, fp.REASON_WEAK)
    assert result.false_match_probability > fp.MAX_FALSE_MATCH


def test_spliced_copies_of_two_readers_name_nobody():
    readers = _readers(1000)
    a = "\n".join(fp.mark(PAID, readers[1][0]))
    b = "\n".join(fp.mark(PAID, readers[2][0]))
    spliced = _visible_window(a, 0, 300) + _visible_window(b, 300, 300)
    evidence = fp.read(spliced)
    assert evidence.conflicts > 0
    result = fp.attribute(evidence, readers)
    assert result.match is None


def test_two_deliveries_with_one_code_are_named_together():
    code = fp.reader_code(KEY, 9, DOC_ID)
    candidates = [*_readers(100), (code, "delivery 1"), (code, "delivery 2")]
    text = "\n".join(fp.mark(PAID, code))
    result = fp.attribute(fp.read(_visible_window(text, 100, 300)), candidates)
    assert result.match is not None
    assert set(result.match.who) == {9, "delivery 1", "delivery 2"}


def test_light_fingerprint_survives_python_docx_text():
    docx = pytest.importorskip("docx")
    readers = _readers(1000)
    code, reader = readers[17]
    out = io.BytesIO()
    document = docx.Document()
    for block in fp.mark(PAID, code):
        document.add_paragraph(block)
    document.save(out)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(out.getvalue())).paragraphs)
    result = fp.attribute(fp.read(_visible_window(text, 500, 300)), readers)
    assert result.match is not None and result.match.who == (reader,)


def test_light_fingerprint_is_lost_by_normalisation_and_then_names_nobody():
    readers = _readers(1000)
    text = normalise_like_a_leaker("\n".join(fp.mark(PAID, readers[4][0])))
    result = fp.attribute(fp.read(text), readers)
    assert (result.match, result.reason) == (None, fp.REASON_NO_FINGERPRINT)


def test_strong_fingerprint_survives_normalisation_of_the_whole_paid_text():
    readers = _readers(1000)
    plan = fp.prepare(LONG_PAID, "strong")
    for code, reader in random.Random(1).sample(readers, 20):
        leaked = normalise_like_a_leaker("\n".join(plan.mark(code)))
        assert not any(ch in leaked for ch in fp.CARRIERS)
        evidence = fp.read(leaked, "strong", original=LONG_PAID)
        assert evidence.bits_read >= 40 and evidence.value == code & evidence.mask
        assert fp.read(leaked, "strong", original=plan.strong) == evidence
        result = fp.attribute(evidence, readers)
        assert result.match is not None and result.match.who == (reader,), result


def test_strong_300_character_excerpt_after_normalisation_is_refused_not_misattributed():
    readers = _readers(1000)
    code = readers[6][0]
    leaked = normalise_like_a_leaker("\n".join(fp.mark(LONG_PAID, code, "strong")))
    for start in range(0, len(leaked) - 300, 150):
        evidence = fp.read(leaked[start : start + 300], "strong", original=LONG_PAID)
        assert evidence.value == code & evidence.mask
        result = fp.attribute(evidence, readers)
        assert result.match is None and result.reason in (fp.REASON_WEAK, fp.REASON_NO_FINGERPRINT)


def test_strong_copy_read_unnormalised_combines_both_carriers():
    readers = _readers(1000)
    code, reader = readers[8]
    text = "\n".join(fp.mark(LONG_PAID, code, "strong"))
    evidence = fp.read(_visible_window(text, 900, 300), original=LONG_PAID)
    assert evidence.carriers > 0 and evidence.sites > 0 and evidence.conflicts == 0
    result = fp.attribute(evidence, readers)
    assert result.match is not None and result.match.who == (reader,)


def test_strong_excerpt_that_starts_in_the_free_part_still_aligns():
    code = fp.reader_code(KEY, 11, DOC_ID)
    page = normalise_like_a_leaker("\n".join(FREE + fp.mark(PAID, code, "strong")))
    evidence = fp.read(page, "strong", original=PAID)
    assert evidence.sites == len(StrongPlan.build(tuple(PAID)).sites)
    assert evidence.value == code & evidence.mask


_CJK_TEXT = st.text(
    alphabet=st.sampled_from(
        list("的和与更加为十分非常而并且是在工作学习，。、；：“”（）0123ab \u00ad\u200e")
    ),
    max_size=200,
)


@FAST
@given(st.lists(_CJK_TEXT, min_size=1, max_size=5), st.integers(0, 2**62 - 1))
def test_marking_arbitrary_text_keeps_it_readable_and_reads_back_true_bits(blocks, code):
    light = fp.mark(blocks, code)
    assert [fp.strip_carriers(m) for m in light] == blocks
    evidence = fp.read("\n".join(light))
    assert evidence.value == code & evidence.mask and evidence.conflicts == 0
    strong = fp.mark(blocks, code, "strong")
    assert [count_chars(fp.strip_carriers(m)) for m in strong] == [count_chars(b) for b in blocks]
    evidence = fp.read(normalise_like_a_leaker("\n".join(strong)), "strong", original=blocks)
    assert evidence.value == code & evidence.mask


def test_unknown_mode_and_premarked_text_are_refused():
    with pytest.raises(ValueError):
        fp.prepare(PAID, "loud")
    with pytest.raises(ValueError):
        fp.prepare(["已经\u200b标记"])


def test_two_codes_that_agree_on_every_bit_read_are_ambiguous():
    readers = _readers(1000)
    code, reader = readers[21]
    text = "\n".join(fp.mark(OTHER_PAID, code))
    partial = next(
        e
        for e in (fp.read(_visible_window(text, s, 300)) for s in range(visible_count(text) - 300))
        if e.mask != fp.CODE_MASK
    )
    unread = (fp.CODE_MASK & ~partial.mask) & -(fp.CODE_MASK & ~partial.mask)  # lowest unread bit
    assert fp.attribute(partial, readers).match.who == (reader,)
    result = fp.attribute(partial, [*readers, (code ^ unread, "twin")])
    assert (result.match, result.reason) == (None, fp.REASON_AMBIGUOUS)


def test_a_strong_site_replaced_by_neither_form_is_not_read():
    original = ["我们的工作十分重要，大家和同事一起努力，更加扎实地推进。"]
    plan = StrongPlan.build(tuple(original))
    assert len(plan.sites) == 3
    assert fp.read(original[0], "strong", original=original).sites == 3
    garbled = original[0].replace("十分", "非分")
    assert fp.read(garbled, "strong", original=original).sites == 2
