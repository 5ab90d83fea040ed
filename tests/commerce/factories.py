"""Plain factories for commerce tests (given …)."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model

from fanwen.core.format import parse_text
from fanwen.library.models import Document
from fanwen.library.services import document_import

_seq = itertools.count()


def make_user(name: str | None = None, **kw: Any) -> Any:
    return get_user_model().objects.create_user(name or f"user{next(_seq)}", password="pass-word-123", **kw)


def make_document(*, price_fen: int = 500, author: Any = None, title: str | None = None) -> Document:
    n = next(_seq)
    text = f"{title or f'测试文档{n}'}\n免费开头{n}\n##paidbegin##付费正文{n}，只给买家。"
    result = document_import(parsed=parse_text(text), price_fen=price_fen, author_id=author.pk if author else None)
    return Document.objects.get(pk=result.document_id)
