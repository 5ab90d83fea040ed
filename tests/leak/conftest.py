from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from fanwen.core.format import parse_text
from fanwen.library.services import document_import
from fanwen.search.indexer import index_sync


@dataclass
class Planted:
    document_id: int
    free_id: int
    canaries: dict[str, str]
    free_marker: str


def make_canary(kind: str) -> str:
    return f"金丝雀{kind}{uuid.uuid4().hex[:10]}"


@pytest.fixture
def planted(db) -> Planted:
    """A document with unique canaries in its paid part: a paragraph, a paid heading, a mid-line marker."""
    canaries = {k: make_canary(k) for k in ("para", "heading", "midline", "tail")}
    free_marker = f"免费可见{uuid.uuid4().hex[:8]}"
    author = get_user_model().objects.create_user("author", password="author-pass-1")
    text = "\n".join(
        [
            "党性分析报告泄漏测试",
            f"这是免费的开头，{free_marker}，任何人都能读。",
            "一、免费的小标题",
            f"一是免费要点。后面紧跟付费内容##paidbegin##{canaries['midline']}这半句是付费的。",
            f"二、{canaries['heading']}",
            f"付费段落里有{canaries['para']}，只给买家看。",
            "##paidend##免费的结尾段落。",
            f"##PAIDBEGIN##最后一段付费{canaries['tail']}",
        ]
    )
    doc = document_import(parsed=parse_text(text), price_fen=500, category_name="泄漏测试", author_id=author.pk)
    free = document_import(parsed=parse_text("完全免费的文档\n没有付费部分的正文。"), category_name="泄漏测试")
    index_sync()
    return Planted(doc.document_id, free.document_id, canaries, free_marker)
