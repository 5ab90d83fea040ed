"""A Word file with far more paragraphs than the block limit is refused before its text is walked.

The input helper measured a 100,000-paragraph .docx holding a request worker for ~3.5 s before
the block limit could refuse it (docs/benchmarks.md); the paragraph count is taken on the parsed
tree first, so the cost of a refusal no longer grows with the walk.
"""

from __future__ import annotations

import pytest

from fanwen.core import docx_reader
from fanwen.core.format import TooManyBlocks
from fanwen.core.reader import read_bytes
from tests.fixtures.word_package import document, text_para, word_docx


def _docx_with(paragraphs: int) -> bytes:
    return word_docx(document(text_para("标题"), *(text_para(f"第{i}段") for i in range(paragraphs))))


def test_a_docx_far_over_the_block_limit_is_refused_before_its_text_is_walked(monkeypatch) -> None:
    def walk_must_not_run(root):  # type: ignore[no-untyped-def]
        raise AssertionError("the text was walked before the paragraph count was checked")

    monkeypatch.setattr(docx_reader, "shown_text", walk_must_not_run)
    with pytest.raises(TooManyBlocks) as info:
        read_bytes(_docx_with(250), name="big.docx", max_blocks=100)
    assert "段落过多" in info.value.reason and "上限 100 段" in info.value.reason


def test_a_docx_within_the_limit_still_reads() -> None:
    parsed = read_bytes(_docx_with(99), name="ok.docx", max_blocks=100)
    assert len(parsed.blocks) == 99


def test_a_docx_just_over_the_limit_is_refused_with_the_exact_count() -> None:
    with pytest.raises(TooManyBlocks) as info:
        read_bytes(_docx_with(101), name="over.docx", max_blocks=100)
    assert "共 101 段" in info.value.reason
