"""Writes to the library.  Views, commands and the API call these; nothing else writes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.text import slugify

from fanwen.audit.services import audit_record
from fanwen.core import format as fmt
from fanwen.core import structure
from fanwen.core.money import BadAmount, yuan_to_fen
from fanwen.core.reader import read_path
from fanwen.library.changes import DELETE, UPSERT, document_changed, documents_changed
from fanwen.library.models import Block, Category, Document
from fanwen.library.page_cache import anonymous_page_clear
from fanwen.library.status_notices import status_notice_to_author

SUMMARY_CHARS = 120
MAX_PRICE_FEN = 100_000_00  # 100,000 yuan


class ImportRefused(Exception):
    """A document that parsed but cannot be stored as asked (e.g. no price).  ``code`` says
    which rule refused it: no_price, price_out_of_range or bad_default_price."""

    def __init__(self, reason: str, *, code: str = "refused") -> None:
        self.reason = reason
        self.code = code
        super().__init__(reason)


NO_PAID_PART_WARNING = "给了价格，但文档没有付费部分（缺少 ##paidbegin## 标记），已按免费文档导入"


@dataclass(frozen=True)
class ImportResult:
    status: str  # "imported" | "unchanged"
    document_id: int
    warning: str | None = None  # stored, but not as asked: say so to whoever imported it


def content_hash(parsed: fmt.Document, *, author_id: int | None = None) -> str:
    """Of the canonical form, so a GB18030/CRLF copy of a UTF-8 file is the same document.

    An author's uploads are deduplicated among that author's own documents only: a global
    "already exists" answer would let anyone confirm a guess of another document's paid part."""
    prefix = f"author:{author_id}\n" if author_id is not None else ""
    return hashlib.sha256((prefix + fmt.serialise(parsed)).encode("utf-8")).hexdigest()


def category_get_or_create(*, name: str) -> Category:
    """By name, else by slug ("Report" and "report" are one category); races settled by the constraints."""
    name = " ".join(fmt.strip_bidi(name).split())[:50]
    slug = slugify(name, allow_unicode=True)[:60] or hashlib.sha1(name.encode()).hexdigest()[:10]  # noqa: S324
    found = Category.objects.filter(Q(name=name) | Q(slug=slug)).order_by("id").first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Category.objects.create(name=name, slug=slug)
    except IntegrityError:
        return Category.objects.filter(Q(name=name) | Q(slug=slug)).order_by("id").first() or Category.objects.get(name=name)


def default_price_fen() -> int | None:
    raw = settings.FANWEN_DEFAULT_PRICE_YUAN
    if not raw:
        return None
    try:
        return yuan_to_fen(raw)
    except BadAmount as exc:
        raise ImportRefused(f"FANWEN_DEFAULT_PRICE_YUAN is not a price: {raw!r}", code="bad_default_price") from exc


def document_import(
    *,
    parsed: fmt.Document,
    price_fen: int | None = None,
    category_name: str | None = None,
    author_id: int | None = None,
    source_name: str = "",
    tags: str = "",
    status: str = Document.Status.PUBLISHED,
) -> ImportResult:
    """Store a parsed document in one transaction; the same content again is ``unchanged``."""
    digest = content_hash(parsed, author_id=author_id)
    warning = NO_PAID_PART_WARNING if not parsed.has_paid and price_fen else None
    if parsed.has_paid:
        price_fen = price_fen if price_fen is not None else default_price_fen()
        if price_fen is None:
            raise ImportRefused(
                "the document has a paid part but no price: give --price or set FANWEN_DEFAULT_PRICE_YUAN",
                code="no_price",
            )
        if price_fen <= 0:
            raise ImportRefused("a document with a paid part needs a price above zero", code="price_out_of_range")
        if price_fen > MAX_PRICE_FEN:
            raise ImportRefused(f"price too high: at most {MAX_PRICE_FEN // 100} yuan", code="price_out_of_range")
    else:
        price_fen = 0

    texts = [b.text for b in parsed.blocks]
    infos = structure.analyse(texts)
    counts = structure.char_count(parsed.blocks)
    sections_paid = sum(1 for b, i in zip(parsed.blocks, infos, strict=True) if b.paid and i.kind != "paragraph")
    sections_free = sum(1 for b, i in zip(parsed.blocks, infos, strict=True) if not b.paid and i.kind != "paragraph")

    with transaction.atomic():
        existing = Document.objects.filter(content_hash=digest).values_list("id", flat=True).first()
        if existing is not None:
            return ImportResult("unchanged", existing, warning)
        category = category_get_or_create(name=category_name) if category_name else None
        try:
            with transaction.atomic():
                document = Document.objects.create(
                    title=parsed.title[:200],
                    category=category,
                    author_id=author_id,
                    price_fen=price_fen,
                    chars_free=counts.free,
                    chars_paid=counts.paid,
                    sections_free=sections_free,
                    sections_paid=sections_paid,
                    summary=summary_of(parsed),
                    content_hash=digest,
                    source_name=source_name[-500:],
                    tags=" ".join(fmt.strip_bidi(tags).replace("，", " ").replace(",", " ").split())[:200],
                    status=status,
                )
        except IntegrityError:
            # Another process stored the same content between our check and insert.
            existing = Document.objects.filter(content_hash=digest).values_list("id", flat=True).first()
            if existing is None:
                raise
            return ImportResult("unchanged", existing, warning)
        _blocks_insert(document.pk, parsed, infos)
        document_changed(document_id=document.pk, action=UPSERT)
    return ImportResult("imported", document.pk, warning)


def _blocks_insert(document_id: int, parsed: fmt.Document, infos: list[structure.BlockInfo]) -> None:
    """One executemany instead of bulk_create: building and compiling ~30 model instances per
    document was half of the import's time (docs/benchmarks.md).  Same rows, same transaction."""
    table = connection.ops.quote_name(Block._meta.db_table)
    rows = [
        (document_id, i, block.text, block.paid, info.kind, info.level, info.lead[:64])
        for i, (block, info) in enumerate(zip(parsed.blocks, infos, strict=True))
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (document_id, position, text, paid, kind, level, lead) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            rows,
        )


def summary_of(parsed: fmt.Document) -> str:
    """From the free part only: the first free paragraphs, cut to SUMMARY_CHARS."""
    text = "".join(b.text for b in parsed.blocks if not b.paid)
    return text[:SUMMARY_CHARS]


class DocumentChangeRefused(Exception):
    """A change to a document that cannot be made as asked; ``message`` is for the operator."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


STATUS_AUDIT_ACTIONS: dict[str, str] = {
    Document.Status.PUBLISHED: "library.document.published",
    Document.Status.PENDING: "library.document.pending",
    Document.Status.UNPUBLISHED: "library.document.unpublished",
    Document.Status.TAKEN_DOWN: "library.document.taken_down",
    Document.Status.REJECTED: "library.document.rejected",
}


def _document_lock(document_id: int) -> Document:
    document = Document.objects.select_for_update().filter(pk=document_id).first() if 0 < document_id < 2**63 else None
    if document is None:
        raise DocumentChangeRefused(f"文档不存在：#{document_id}")
    return document


def document_set_status(*, document_id: int, status: str, actor: Any = None) -> bool:
    """Publish, unpublish or send back to review; True when the status changed.  Unpublished
    documents leave listings, search, feeds and the sitemap and are not for sale; their buyers
    and grantees keep reading them (``access.gate.can_see``).  A takedown for infringement
    refunds buyers and goes through ``commerce.services.takedowns.document_takedown``."""
    if status == Document.Status.TAKEN_DOWN:
        raise DocumentChangeRefused("侵权下架须填写原因并退款：请用 fanwen takedown 或后台的侵权下架动作")
    if status == Document.Status.REJECTED:
        raise DocumentChangeRefused("驳回须填写原因：请在审核队列 /ops/review/ 操作")
    if status not in STATUS_AUDIT_ACTIONS:
        raise DocumentChangeRefused(f"未知的状态：{status}")
    return _status_change(document_id=document_id, status=status, actor=actor, data={})


def document_mark_taken_down(*, document_id: int, reason: str, actor: Any = None) -> bool:
    """The library half of a takedown (status and reason); the refunds are commerce's half."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise DocumentChangeRefused("请填写下架原因（将告知已退款的买家）")
    return _status_change(
        document_id=document_id, status=Document.Status.TAKEN_DOWN, actor=actor, data={"reason": reason}
    )


def document_reject(*, document_id: int, reason: str, actor: Any = None) -> bool:
    """Refuse a document under review (已驳回): author and staff only, the reason goes to the author."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise DocumentChangeRefused("请填写驳回原因（将告知作者）")
    return _status_change(document_id=document_id, status=Document.Status.REJECTED, actor=actor, data={"reason": reason})


def _status_change(*, document_id: int, status: str, actor: Any, data: dict[str, Any]) -> bool:
    with transaction.atomic():
        document = _document_lock(document_id)
        previous = document.status
        reason = data.get("reason")
        taken_down = status == Document.Status.TAKEN_DOWN
        if previous == status and (not taken_down or reason is None or reason == document.takedown_reason):
            return False
        fields = {"status": status, **({"takedown_reason": reason} if reason is not None and taken_down else {})}
        Document.objects.filter(pk=document_id).update(**fields)
        document_page_cache_clear(document_id=document_id)
        document_changed(document_id=document_id, action=UPSERT if status == Document.Status.PUBLISHED else DELETE)
        audit_record(action=STATUS_AUDIT_ACTIONS[status], actor=actor, subject=document,
                     data={"from": previous, "to": status, **data})
        status_notice_to_author(document, previous=previous, status=status, actor=actor, reason=reason)
        return True



def document_set_price(*, document_id: int, price_fen: int, actor: Any = None) -> bool:
    """Change the price (integer fen); True when it changed.  Past orders keep what they paid."""
    with transaction.atomic():
        document = _document_lock(document_id)
        if not document.has_paid and price_fen != 0:
            raise DocumentChangeRefused("这篇文档没有付费部分，价格只能是 0")
        if document.has_paid and not 0 < price_fen <= MAX_PRICE_FEN:
            raise DocumentChangeRefused(f"含付费部分的文档，价格须在 0.01 到 {MAX_PRICE_FEN // 100} 元之间")
        if document.price_fen == price_fen:
            return False
        Document.objects.filter(pk=document_id).update(price_fen=price_fen)
        document_page_cache_clear(document_id=document_id)
        document_changed(document_id=document_id)  # the price is on the search card
        audit_record(action="library.document.price_changed", actor=actor, subject=document,
                     data={"from_fen": document.price_fen, "to_fen": price_fen})
        return True


DETAIL_FIELDS = ("title", "category_id", "tags", "author_id")


def document_update_details(*, document_id: int, actor: Any = None, **changes: Any) -> list[str]:
    """Title, category, tags, author (ids for the foreign keys); returns the names changed."""
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise DocumentChangeRefused(f"不能在这里修改：{', '.join(sorted(unknown))}")
    if "title" in changes:
        changes["title"] = " ".join(str(changes["title"]).split())[:200]
        if not changes["title"]:
            raise DocumentChangeRefused("标题不能为空")
    if "tags" in changes:
        changes["tags"] = " ".join(str(changes["tags"]).replace("，", " ").replace(",", " ").split())[:200]
    with transaction.atomic():
        document = _document_lock(document_id)
        changed = {k: v for k, v in changes.items() if getattr(document, k) != v}
        if not changed:
            return []
        Document.objects.filter(pk=document_id).update(**changed)
        document_page_cache_clear(document_id=document_id)
        document_changed(document_id=document_id)
        audit_record(action="library.document.edited", actor=actor, subject=document,
                     data={k: {"from": getattr(document, k), "to": v} for k, v in changed.items()})
        return sorted(changed)


def document_delete(*, document_id: int, actor: Any = None) -> None:
    with transaction.atomic():
        document = Document.objects.filter(pk=document_id).first()
        if document is not None:
            audit_record(action="library.document.deleted", actor=actor, subject=document,
                         data={"title": document.title, "status": document.status})
        Document.objects.filter(pk=document_id).delete()
        anonymous_page_clear(document_id=document_id)
        document_changed(document_id=document_id, action=DELETE)


CATEGORY_FIELDS = ("name", "slug", "position")


def category_save(*, category_id: int | None, values: dict[str, Any], actor: Any = None) -> Category:
    """Create a category or change its name, path name or position; audited.  A new name is
    searchable at once: its documents are queued for the search index."""
    unknown = set(values) - set(CATEGORY_FIELDS)
    if unknown:
        raise DocumentChangeRefused(f"不能修改：{', '.join(sorted(unknown))}")
    with transaction.atomic():
        if category_id is None:
            category = Category.objects.create(**values)
            audit_record(action="library.category.created", actor=actor, subject=category, data=values)
            return category
        category = Category.objects.select_for_update().get(pk=category_id)
        changed = {k: v for k, v in values.items() if getattr(category, k) != v}
        if not changed:
            return category
        before = {k: getattr(category, k) for k in changed}
        Category.objects.filter(pk=category_id).update(**changed)
        audit_record(action="library.category.changed", actor=actor, subject=category,
                     data={k: {"from": before[k], "to": v} for k, v in changed.items()})
        if {"name", "slug"} & set(changed):
            ids = Document.objects.filter(category_id=category_id).values_list("pk", flat=True)
            documents_changed(document_ids=ids.iterator(), action=UPSERT)
        category.refresh_from_db()
        return category


def category_delete(*, category_id: int, actor: Any = None) -> None:
    """Only an empty category can go (documents PROTECT their category)."""
    with transaction.atomic():
        category = Category.objects.filter(pk=category_id).first()
        if category is None:
            return
        audit_record(action="library.category.deleted", actor=actor, subject=category, data={"name": category.name})
        category.delete()


def document_page_cache_clear(*, document_id: int) -> None:
    """For writers outside this module (the admin) that change what the page shows."""
    anonymous_page_clear(document_id=document_id)


@dataclass(frozen=True)
class FileOutcome:
    path: str
    status: str  # imported | unchanged | failed
    id: int | None
    error: str | None
    warning: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "status": self.status, "id": self.id, "error": self.error, "warning": self.warning}


def document_import_path(
    *,
    path: Path,
    price_fen: int | None = None,
    category_name: str | None = None,
    author_id: int | None = None,
    tags: str = "",
) -> FileOutcome:
    """Read and import one file; every failure becomes a one-line reason, never an exception."""
    try:
        parsed = read_path(path, max_bytes=settings.FANWEN_MAX_DOCUMENT_BYTES, max_blocks=settings.FANWEN_MAX_BLOCKS)
        result = document_import(
            parsed=parsed,
            price_fen=price_fen,
            category_name=category_name,
            author_id=author_id,
            source_name=path.name,
            tags=tags,
        )
    except fmt.FormatError as exc:
        return FileOutcome(str(path), "failed", None, exc.reason)
    except ImportRefused as exc:
        return FileOutcome(str(path), "failed", None, f"{path}: {exc.reason}")
    except OSError as exc:
        return FileOutcome(str(path), "failed", None, f"{path}: cannot read ({exc.strerror or exc})")
    return FileOutcome(str(path), result.status, result.document_id, None, result.warning)


def document_restructure(*, document_id: int) -> bool:
    """Classify a stored document's blocks again with the current ``core.structure`` rules
    (after a rule changes; content, positions and 字数 stay).  Returns whether anything changed."""
    with transaction.atomic():
        blocks = list(Block.objects.select_for_update().filter(document_id=document_id).order_by("position"))
        infos = structure.analyse([b.text for b in blocks])
        changed = [
            (b.pk, info)
            for b, info in zip(blocks, infos, strict=True)
            if (b.kind, b.level, b.lead) != (info.kind, info.level, info.lead[:64])
        ]
        if not changed:
            return False
        for pk, info in changed:
            Block.objects.filter(pk=pk).update(kind=info.kind, level=info.level, lead=info.lead[:64])
        sections = [(b.paid, i.kind != structure.KIND_PARAGRAPH) for b, i in zip(blocks, infos, strict=True)]
        Document.objects.filter(pk=document_id).update(
            sections_free=sum(1 for paid, section in sections if section and not paid),
            sections_paid=sum(1 for paid, section in sections if section and paid),
        )
        document_page_cache_clear(document_id=document_id)
        document_changed(document_id=document_id)
    return True
