"""Near-duplicate core: normalisation, shingles, signatures, bands, passages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanwen.core import neardup
from tests.core.neardup_cases import edited, example, gb18030_round_trip, reordered, traditional

CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=0, max_size=200)


def test_normalise_drops_punctuation_space_and_invisible_and_folds_script() -> None:
    assert neardup.normalise("黨性，分析\u200b　ＡＢ１。\n") == "党性分析ab1"


@given(CJK)
def test_signature_is_deterministic_and_self_similar(text: str) -> None:
    a, b = neardup.signature(text), neardup.signature(text)
    assert a.dtype == np.uint32 and len(a) == neardup.NUM_PERM
    assert neardup.similarity(a, b) == 1.0
    assert neardup.from_bytes(neardup.to_bytes(a)).tolist() == a.tolist()
    assert neardup.bands(a) == neardup.bands(b) and len(neardup.bands(a)) == neardup.BANDS


@given(CJK, CJK)
def test_punctuation_and_spacing_do_not_change_the_signature(a: str, b: str) -> None:
    assert neardup.signature(a + b).tolist() == neardup.signature(f"{a}，\n　{b}。").tolist()


@given(CJK, CJK)
def test_estimate_is_within_minhash_error_of_exact_jaccard(a: str, b: str) -> None:
    exact = neardup.jaccard(a, b)
    estimate = neardup.similarity(neardup.signature(a), neardup.signature(b))
    assert abs(exact - estimate) <= 0.45  # 64 permutations: standard error ≤ 1/16; loose bound for any input


@pytest.mark.parametrize("n", [0, 1])
@pytest.mark.parametrize(
    "copy", [edited, reordered, traditional, gb18030_round_trip, lambda t: reordered(edited(traditional(t), 0.2, 3))]
)
def test_copies_of_the_real_examples_stay_above_the_threshold_and_share_a_band(n: int, copy) -> None:
    original = example(n)
    duplicate = copy(original)
    assert duplicate != original
    sig_a, sig_b = neardup.signature(original), neardup.signature(duplicate)
    assert neardup.similarity(sig_a, sig_b) >= 0.6
    assert set(neardup.bands(sig_a)) & set(neardup.bands(sig_b))


def test_the_two_examples_are_not_duplicates_of_each_other() -> None:
    sig_a, sig_b = neardup.signature(example(0)), neardup.signature(example(1))
    assert neardup.similarity(sig_a, sig_b) < 0.1
    assert neardup.jaccard(example(0), example(1)) < 0.05


def test_twenty_percent_edited_changes_sentences_but_is_found() -> None:
    original = example(0)
    copy = edited(original, 0.2, seed=1)
    changed = set(neardup.sentences(original)) - set(neardup.sentences(copy))
    assert len(changed) >= 0.1 * len(neardup.sentences(original))
    assert neardup.similarity(neardup.signature(original), neardup.signature(copy)) >= neardup.THRESHOLD


def test_passages_pair_reordered_and_traditional_text() -> None:
    original = example(1)
    found = neardup.passages(original, reordered(traditional(original)))
    assert found
    covered = sum(p.length for p in found)
    assert covered >= 0.9 * len(neardup.normalise(original))
    for p in found:
        assert neardup.normalise(p.a_text) == neardup.normalise(p.b_text)


def test_passages_of_unrelated_texts_are_few() -> None:
    found = neardup.passages(example(0), example(1))
    assert sum(p.length for p in found) < 200
