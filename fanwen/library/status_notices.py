"""站内信 to an author when someone else changes their document's status (review outcome,
unpublish, takedown).  Titles and reasons only, never document text."""

from __future__ import annotations

from typing import Any

from fanwen.library.models import Document
from fanwen.notices.models import Notice
from fanwen.notices.services import notify


def status_notice_to_author(document: Document, *, previous: str, status: str, actor: Any, reason: str | None) -> None:
    """站内信 to the author when someone else changes their document's status."""
    if document.author_id is None or getattr(actor, "pk", None) == document.author_id:
        return
    title = f"《{document.title[:60]}》"
    if status == Document.Status.PUBLISHED:
        message = (Notice.Kind.REVIEW, f"审核通过：{title}已发布" if previous == Document.Status.PENDING
                   else f"{title}已重新上架", "读者现在可以在文库中找到它。")
    elif status == Document.Status.UNPUBLISHED:
        message = (Notice.Kind.TAKEDOWN, f"{title}已下架", "它不再公开展示和出售；已购买的读者仍可阅读。")
    elif status == Document.Status.TAKEN_DOWN:
        message = (Notice.Kind.TAKEDOWN, f"{title}因侵权被下架", f"原因：{reason}。已购买的读者将全额退款。")
    elif status == Document.Status.REJECTED:
        message = (Notice.Kind.REVIEW, f"审核未通过：{title}已驳回", f"原因：{reason}。修改后可重新投稿。")
    else:
        message = (Notice.Kind.REVIEW, f"{title}已退回审核", "审核期间仅你和管理员可见。")
    kind, text, body = message
    notify(user_id=document.author_id, kind=kind, title=text, body=body, link=document.get_absolute_url())
