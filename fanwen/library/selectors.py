"""Reads of the library.  Document *text* is read only through ``access.gate``."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet, Sum

from fanwen.library.models import Category, Document, DocumentVersion


def documents_published() -> QuerySet[Document]:
    # Listing never needs block text; defer nothing large, select the category.
    return Document.objects.filter(status=Document.Status.PUBLISHED).select_related("category")


def documents_newest(*, limit: int = 10) -> list[Document]:
    return list(documents_published().order_by("-created_at", "-id")[:limit])


def documents_most_read(*, limit: int = 10) -> list[Document]:
    return list(documents_published().order_by("-views", "-id")[:limit])


def documents_in_category(*, category: Category) -> QuerySet[Document]:
    return documents_published().filter(category=category).order_by("-created_at", "-id")


MAX_ID = 2**63 - 1


def document_is_published(*, document_id: int, content_hash: str | None = None) -> bool:
    """Published (and, given a content_hash, still that version: an approved version swaps it)."""
    found = Document.objects.filter(pk=document_id, status=Document.Status.PUBLISHED)
    return (found.filter(content_hash=content_hash) if content_hash is not None else found).exists()


def categories_with_counts() -> list[Category]:
    """Categories that have published documents, with their counts (empty ones stay hidden)."""
    return list(
        Category.objects.annotate(
            doc_count=Count("documents", filter=Q(documents__status=Document.Status.PUBLISHED))
        )
        .filter(doc_count__gt=0)
        .order_by("position", "id")
    )


def library_is_empty() -> bool:
    return not Document.objects.exists()


def documents_by_author(*, author_id: int) -> QuerySet[Document]:
    """An author's published documents, newest first (their public page)."""
    return documents_published().filter(author_id=author_id).order_by("-created_at", "-id")


def author_reads(*, author_id: int) -> int:
    """Total reads of an author's published documents."""
    total = documents_published().filter(author_id=author_id).aggregate(n=Sum("views"))["n"]
    return int(total or 0)


def versions_pending() -> QuerySet[DocumentVersion]:
    """Versions waiting for review, oldest first (for the review queue); no text loaded."""
    return (DocumentVersion.objects.filter(status=DocumentVersion.Status.PENDING)
            .select_related("document", "document__author").defer("text").order_by("created_at", "id"))


def document_versions(*, document_id: int) -> QuerySet[DocumentVersion]:
    """A document's versions, newest first (history for its author and staff); no text loaded."""
    return DocumentVersion.objects.filter(document_id=document_id).defer("text").order_by("-created_at", "-id")


def document_live_number(*, document_id: int) -> int:
    """The live version's number: 1 until a new version was approved."""
    found = DocumentVersion.objects.filter(document_id=document_id, status=DocumentVersion.Status.APPROVED)
    return found.aggregate(n=Max("number"))["n"] or 1
