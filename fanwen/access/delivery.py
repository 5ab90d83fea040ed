"""The one way paid text leaves as a file: ask the gate, render, record.

``deliver`` refuses (a domain error, never a file) unless the gate says this reader may read
the whole document; it renders the gate's blocks — free and paid, in order — with the
reader's visible watermark, and writes an append-only ``Delivery`` row under the daily cap.
Word files carry the reader's invisible fingerprint in the paid blocks' text, PDFs in
``/ActualText`` spans around the paid blocks' runs (``access.pdf_marks``: the PDF engine drops
zero-width characters); either way the row keeps the reader's ``fingerprint_code``."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from fanwen.access import fingerprints, gate, pdf_marks, renderers
from fanwen.access import selectors as access_selectors
from fanwen.access.errors import DownloadLimitReached, FormatUnavailable, NotEntitled, SignInRequired
from fanwen.access.filled import filled_blocks
from fanwen.access.metrics import DOWNLOAD_RENDERS
from fanwen.access.models import Delivery
from fanwen.core.fingerprint import strip_carriers
from fanwen.core.placeholders import fill as fill_text
from fanwen.library.models import Document

UNSAFE_FILENAME_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


@dataclass(frozen=True)
class DeliveredFile:
    content: bytes
    filename: str
    content_type: str
    delivery_id: int


def daily_cap() -> int:
    return int(settings.FANWEN_DOWNLOADS_PER_DAY)


def cap_message(cap: int) -> str:
    return f"今天的下载次数已达上限（每天 {cap} 次），请明天再试。"


def watermark_text(*, username: str, basis: access_selectors.ReadingBasis) -> str:
    """范文库 · {username} · 订单 {number} · 仅供个人学习使用 (会员 / 赠送 / 作者 / 管理员 / 免费文档
    in place of the order when the reader reads by something else)."""
    if basis.basis == Delivery.Basis.PURCHASE:
        right = f"订单 {basis.order_number}"
    else:
        right = Delivery.Basis(basis.basis).label
    return f"范文库 · {username} · {right} · 仅供个人学习使用"


def filename_for(document: Document, extension: str) -> str:
    title = UNSAFE_FILENAME_RE.sub("_", document.title).strip(" ._") or f"文档{document.pk}"
    return f"{title[:80]}.{extension}"


def deliver(*, user: Any, document: Document, fmt: str, values: dict[str, str] | None = None) -> DeliveredFile:
    """A file of ``document`` for ``user`` in ``fmt``, or a domain error: SignInRequired (401),
    FormatUnavailable (400), NotEntitled (403), DownloadLimitReached (429).  Fail closed:
    nothing is rendered unless the gate's view of the document for this reader is the whole.
    ``values`` (填写模板, already checked: ``access.fill.clean``) are filled into the gated
    blocks' text; the row records which placeholders were filled, never the values."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise SignInRequired("请先登录后再下载")
    file_format = renderers.formats_offered().get(fmt)
    if file_format is None:
        offered = "、".join(renderers.formats_offered())
        raise FormatUnavailable(f"不支持的下载格式：{fmt[:20]}（可选：{offered}）")
    view = gate.gated_view(user, document)
    if not view.access:
        raise NotEntitled("您还没有这篇文档的全文阅读权限，购买或开通会员后即可下载")
    cap = daily_cap()
    if access_selectors.downloads_today(user_id=user.pk) >= cap:
        raise DownloadLimitReached(cap_message(cap))
    basis = access_selectors.reading_basis(user=user, document=document)
    watermark = watermark_text(username=user.get_username(), basis=basis)
    blocks = filled_blocks(view.blocks, values or {})
    title = fill_text(document.title, values) if values else document.title
    # Fill first, then mark: the fingerprint is carried by the text the reader takes away.
    blocks, code = _fingerprinted(blocks, user=user, document=document, fmt=file_format.code)
    content = renderers.render(file_format, title=title, blocks=blocks, watermark=watermark)
    if file_format.code == Delivery.Format.PDF:
        content, code = _fingerprinted_pdf(content, title=title, blocks=blocks, user=user, document=document)
    DOWNLOAD_RENDERS.labels(format=file_format.code).inc()
    delivery = _record(
        user=user, document=document, fmt=file_format.code, basis=basis, watermark=watermark,
        size_bytes=len(content), cap=cap, filled=sorted(values or {}), fingerprint_code=code,
    )
    return DeliveredFile(content, filename_for(document, file_format.extension), file_format.content_type, delivery.pk)


def _fingerprinted(
    blocks: list[gate.ShownBlock], *, user: Any, document: Document, fmt: str
) -> tuple[list[gate.ShownBlock], str | None]:
    """Word files carry the reader's fingerprint in the paid blocks' text.  A PDF is rendered
    from the blocks' *visible* text — the original, or in strong mode the reader's wording
    variants — and gets its light carriers afterwards (:func:`_fingerprinted_pdf`)."""
    if not fingerprints.enabled() or not any(b.paid for b in blocks):
        return blocks, None
    code = fingerprints.code_for(user.pk, document.pk)
    marked = fingerprints.mark_blocks(blocks, code)
    if fmt == Delivery.Format.DOCX:
        return marked, fingerprints.code_text(code)
    return [replace(b, text=strip_carriers(b.text)) for b in marked], None


def _fingerprinted_pdf(
    content: bytes, *, title: str, blocks: list[gate.ShownBlock], user: Any, document: Document
) -> tuple[bytes, str | None]:
    """The PDF rendered from the unmarked blocks, with the reader's light fingerprint put on
    the paid blocks' runs as ``/ActualText``; the code only when some run carries it."""
    if not fingerprints.enabled() or not any(b.paid for b in blocks):
        return content, None
    code = fingerprints.code_for(user.pk, document.pk)
    marked = pdf_marks.mark_pdf(content, title=title, blocks=blocks, code=code)
    return marked.content, (fingerprints.code_text(code) if marked.carriers else None)


def _record(
    *, user: Any, document: Document, fmt: str, basis: access_selectors.ReadingBasis, watermark: str,
    size_bytes: int, cap: int, filled: list[str], fingerprint_code: str | None = None,
) -> Delivery:
    """Count and write under the reader's row lock, so two downloads at once cannot both take
    the last one of the day (on SQLite the IMMEDIATE transaction serialises them as well)."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
        if access_selectors.downloads_today(user_id=user.pk) >= cap:
            raise DownloadLimitReached(cap_message(cap))
        return Delivery.objects.create(
            user_id=user.pk,
            document_id=document.pk,
            document_version=document.content_hash,
            format=fmt,
            basis=basis.basis,
            order_id=basis.order_id,
            watermark=watermark,
            size_bytes=size_bytes,
            filled_placeholders=filled,
            fingerprint_code=fingerprint_code,
        )
