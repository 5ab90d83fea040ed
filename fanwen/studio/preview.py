"""What an anonymous reader will see of a draft, made by the real path: the draft is imported
as a published document inside a transaction that is always rolled back, the gate cuts it for
an anonymous reader, and the library's own document template renders it.  Nothing of it is
committed (no document, no block, no search outbox row) and no cache is written."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

from fanwen.access import gate
from fanwen.library.models import Document
from fanwen.library.services import document_import
from fanwen.search.selectors import related_documents
from fanwen.studio.models import Draft
from fanwen.studio.services import DraftRefused, draft_document


@dataclass(frozen=True)
class Banner:
    """Shown where the site shows its messages: says this is a preview, links back."""

    html: SafeString
    tags: str = "info"

    def __str__(self) -> str:
        return self.html


class _Rollback(Exception):
    pass


def preview_html(request: HttpRequest, draft: Draft) -> str:
    document = draft_document(draft)
    if document.has_paid and draft.price_fen is None:
        raise DraftRefused("先填写价格并保存，才能预览读者看到的页面", field="price")
    anonymous = AnonymousUser()
    html = ""
    try:
        with transaction.atomic():
            result = document_import(
                parsed=document,
                price_fen=draft.price_fen if document.has_paid else None,
                category_name=draft.category.name if draft.category else None,
                author_id=draft.author_id,
                source_name=draft.source_name,
                tags=draft.tags,
                status=Document.Status.PUBLISHED,
            )
            if result.status != "imported" and result.document_id == draft.version_of_id:
                raise DraftRefused("正文和分界线与当前版本相同：读者看到的就是现在的文档页")
            if result.status != "imported":
                raise DraftRefused(f"你已上传过内容相同的文档（#{result.document_id}），无需重复提交")
            stored = Document.objects.select_related("category", "author").get(pk=result.document_id)
            view = gate.gated_view(anonymous, stored)
            as_reader = copy.copy(request)
            as_reader.user = anonymous
            as_reader.path = as_reader.path_info = stored.get_absolute_url()
            banner = Banner(format_html(
                '预览：下面是匿名读者将看到的页面（付费部分不在页面中）。<a href="{}">返回编辑</a>', draft.get_absolute_url()
            ))
            html = render_to_string(
                "library/document.html",
                {
                    "doc": stored,
                    "view": view,
                    "runs": [],
                    "related": related_documents(document_id=stored.pk, title=stored.title),
                    "user": anonymous,
                    "messages": [banner],
                },
                request=as_reader,
            )
            html = _disable_links_to(stored.pk, html)
            raise _Rollback
    except _Rollback:
        pass
    return html


def _disable_links_to(document_id: int, html: str) -> str:
    """The rolled-back document's id is never committed: its buy, 收藏, 举报 and related links
    would be dead, so they point nowhere and say so."""
    named = re.compile(rf'(href|action)="[^"]*?(?:/d/{document_id}/|document(?:=|%3D){document_id}\b)[^"]*"')
    return named.sub(r'\1="#preview" aria-disabled="true" title="预览中不可用"', html)
