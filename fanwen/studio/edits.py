"""An author's changes to their own stored document, from the studio and the API.

* Details (title, category, tags, price) change at once, through the library's services
  (audited; they clear the anonymous page copies and queue the search index).
* A new file or a moved paywall line opens the studio editor on a draft linked to the document
  (``Draft.version_of``); submitting it makes a pending ``DocumentVersion`` for review, and the
  live text stays until staff approve it (``library.versions``).
* Unpublishing is the author's own; putting it back on sale goes through review."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fanwen.core import format as fmt
from fanwen.core import paywall
from fanwen.library import versions
from fanwen.library.models import Category, Document, DocumentVersion
from fanwen.library.services import (
    DocumentChangeRefused,
    ImportResult,
    document_set_price,
    document_update_details,
)
from fanwen.studio import services
from fanwen.studio.models import Draft
from fanwen.studio.services import DraftRefused, tags_clean, title_clean

UNSET: Any = object()


def document_get_own(*, document_id: int, author_id: int) -> Document | None:
    if not 0 < document_id < 2**63:
        return None
    return Document.objects.select_related("category").filter(pk=document_id, author_id=author_id).first()


def _own(document_id: int, author_id: int) -> Document:
    document = document_get_own(document_id=document_id, author_id=author_id)
    if document is None:
        raise DraftRefused("文档不存在")
    if document.status == Document.Status.TAKEN_DOWN:
        raise DraftRefused("这篇文档已因侵权下架，不能修改")
    return document


def document_edit_details(
    *, document_id: int, author_id: int, actor: Any = None, title: str | None = None,
    category: Category | None = UNSET, tags: str | None = None, price_fen: int | None = None,
) -> list[str]:
    """Changes what is given; returns the names changed.  The price of a document without a
    paid part stays 0 (a new version with one brings its price)."""
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = title_clean(title)
    if tags is not None:
        changes["tags"] = tags_clean(tags)
    if category is not UNSET:
        changes["category_id"] = category.pk if category is not None else None
    with transaction.atomic():
        document = _own(document_id, author_id)
        try:
            changed = document_update_details(document_id=document.pk, actor=actor, **changes) if changes else []
            if price_fen is not None and document.has_paid and price_fen != document.price_fen:
                document_set_price(document_id=document.pk, price_fen=price_fen, actor=actor)
                changed.append("price_fen")
            elif price_fen is not None and not document.has_paid and price_fen:
                raise DraftRefused("这篇文档没有付费部分：先提交带付费部分的新版本", field="price")
        except DocumentChangeRefused as exc:
            raise DraftRefused(exc.message) from exc
        return sorted(changed)


def draft_for_document(
    *, document_id: int, author_id: int, parsed: fmt.Document | None = None, source_name: str = ""
) -> Draft:
    """A draft of a new version: of a new file (its markers or the suggestion set the line),
    or of the live text (the line where it is now).  Replaces an open draft of the same document."""
    with transaction.atomic():
        document = _own(document_id, author_id)
        if document.status not in versions.EDITABLE:
            raise DraftRefused("这篇文档还在审核中，通过后才能提交新版本")
        if parsed is None:
            base = versions.live_parsed(document)
            paid_from = versions.first_paid(base) or len(base.blocks)
            source_name = document.source_name
        else:
            base = fmt.Document(title=document.title, blocks=parsed.blocks)
            paid_from = paywall.initial_paid_from(base)
        Draft.objects.filter(author_id=author_id, version_of=document, status=Draft.Status.DRAFT).delete()
        return Draft.objects.create(
            author_id=author_id, version_of=document, source_name=source_name[-500:], text=fmt.serialise(base),
            title=document.title, paid_from=max(1, paid_from), category=document.category, tags=document.tags,
            price_fen=document.price_fen or None,
        )


def version_from_draft(*, draft: Draft, document: fmt.Document, actor: Any) -> DocumentVersion | None:
    """Submitting a version draft (locked by the caller): its details change at once, its text
    or line becomes a pending version — None when only details changed."""
    assert draft.version_of_id is not None
    live = Document.objects.get(pk=draft.version_of_id)
    document_edit_details(document_id=live.pk, author_id=draft.author_id, actor=actor, title=draft.title,
                          category=draft.category, tags=draft.tags,
                          price_fen=draft.price_fen if live.has_paid else None)
    try:
        return versions.version_submit(
            document_id=live.pk, author_id=draft.author_id, parsed=document, source_name=draft.source_name,
            price_fen=draft.price_fen if document.has_paid else None, actor=actor,
        )
    except versions.VersionUnchanged:
        return None
    except DocumentChangeRefused as exc:
        raise DraftRefused(exc.message, field="price" if "价格" in exc.message else None) from exc


def submit(*, draft_id: int, author_id: int, actor: Any = None) -> ImportResult:
    """Submit any draft: a new document (``studio.services.draft_submit``), or a version of one
    (status ``version``, or ``details`` when only the details changed)."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(pk=draft_id, author_id=author_id).first()
        if draft is None or draft.version_of_id is None:
            return services.draft_submit(draft_id=draft_id, author_id=author_id, actor=actor)
        if draft.status == Draft.Status.SUBMITTED:
            return ImportResult("version", draft.version_of_id)
        version = version_from_draft(draft=draft, document=services.draft_document(draft), actor=actor)
        Draft.objects.filter(pk=draft.pk).update(status=Draft.Status.SUBMITTED, document_id=draft.version_of_id)
        return ImportResult("version" if version is not None else "details", draft.version_of_id)


def document_unpublish(*, document_id: int, author_id: int, actor: Any = None) -> bool:
    try:
        return versions.document_author_unpublish(document_id=document_id, author_id=author_id, actor=actor)
    except DocumentChangeRefused as exc:
        raise DraftRefused(exc.message) from exc


def document_republish(*, document_id: int, author_id: int, actor: Any = None) -> DocumentVersion:
    try:
        return versions.document_author_republish(document_id=document_id, author_id=author_id, actor=actor)
    except DocumentChangeRefused as exc:
        raise DraftRefused(exc.message) from exc
