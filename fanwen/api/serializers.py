"""Shape documents for the API.  Text comes only from a GatedDocument (access.gate)."""

from __future__ import annotations

from typing import Any

from fanwen.access.gate import GatedDocument
from fanwen.library.models import Document


def category_dict(document: Document) -> dict[str, Any] | None:
    c = document.category
    return None if c is None else {"id": c.pk, "name": c.name, "slug": c.slug}


def document_summary(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "title": document.title,
        "category": category_dict(document),
        "chars": {"total": document.chars_total, "free": document.chars_free, "paid": document.chars_paid},
        "price_fen": document.price_fen,
        "summary": document.summary,
        "views": document.views,
        "created_at": document.created_at,
        "url": document.get_absolute_url(),
    }


def document_full(view: GatedDocument) -> dict[str, Any]:
    data = document_summary(view.document)
    data.update(
        access=view.access,
        blocks=[{"text": b.text, "paid": b.paid, "kind": b.kind, "level": b.level} for b in view.blocks],
        outline=[{"text": o.text, "level": o.level, "paid": o.paid} for o in view.outline],
        hidden={"chars": view.hidden_chars, "sections": view.hidden_sections},
    )
    return data
