"""/ops/audit/: the site's audit events and commerce's money log in one timeline, newest first,
with filters and cursor paging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from fanwen.audit.models import AuditEvent
from fanwen.audit.services import audit_record
from fanwen.commerce.models import AuditLog
from fanwen.ops import audit
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def timeline(db):  # type: ignore[no-untyped-def]
    """Events and money rows interleaved in time (some at the very same instant)."""
    staff = make_user("auditor", is_staff=True)
    doc = make_document(title="审计文档")
    QuerySet.delete(AuditEvent.objects.all())  # a clean slate (past the append-only guard, in a test only)
    QuerySet.delete(AuditLog.objects.all())
    base = timezone.now() - timedelta(hours=1)
    for i in range(70):
        event = audit_record(action="library.document.edited" if i % 2 else "library.document.published", actor=staff,
                             subject=doc, data={"i": i})
        QuerySet.update(AuditEvent.objects.filter(pk=event.pk), created_at=base + timedelta(seconds=i))
        money = AuditLog.objects.create(action="commerce.refund.done", data={"i": i})
        QuerySet.update(AuditLog.objects.filter(pk=money.pk), created_at=base + timedelta(seconds=i // 2))
    return staff, doc


def _walk(filters: audit.Filters) -> list[audit.Row]:
    rows, after = audit.page(filters)
    out = list(rows)
    while after is not None:
        rows, after = audit.page(filters, after)
        out += rows
    return out


def test_the_pages_walk_both_streams_newest_first_without_gaps_or_repeats(timeline):
    rows = _walk(audit.Filters())
    assert len(rows) == 140
    assert len({(r.source, r.id) for r in rows}) == 140
    times = [r.created_at for r in rows]
    assert times == sorted(times, reverse=True)
    assert {r.source for r in rows[:10]} == {audit.EVENT}  # the last minute holds only events


def test_filters(timeline):
    _staff, doc = timeline
    assert {r.action for r in _walk(audit.Filters(action="commerce."))} == {"commerce.refund.done"}
    assert len(_walk(audit.Filters(action="library.document.pub"))) == 35
    assert len(_walk(audit.Filters(actor="auditor"))) == 70
    assert len(_walk(audit.Filters(subject_type="library.document", subject_id=str(doc.pk)))) == 70
    assert _walk(audit.Filters(subject_type="commerce.order")) == []  # the money rows here have no order
    today = timezone.localdate()
    assert len(_walk(audit.Filters(since=today + timedelta(days=1)))) == 0
    assert len(_walk(audit.Filters(until=today))) == 140


def test_the_page_is_chinese_paged_and_staff_only(client, timeline):
    staff, _ = timeline
    assert client.get("/ops/audit/").status_code == 302
    client.force_login(make_user("nobody"))
    assert client.get("/ops/audit/").status_code == 404
    client.force_login(staff)
    body = client.get("/ops/audit/").content.decode()
    assert "文档上架" in body and "编辑文档" in body and "更早的记录" in body and "操作记录" in body
    assert body.count("<li>") == audit.PAGE_SIZE
    response = client.get("/ops/audit/", {"action": "commerce.", "since": "not-a-date", "after": "garbage|x|y"})
    assert response.status_code == 200 and "退款完成" in response.content.decode() and "日期格式" in response.content.decode()
    assert client.get("/ops/audit/", {"subject_type": "commerce.order", "subject_id": "9" * 40}).status_code == 200


def test_the_next_page_link_carries_the_cursor_and_the_filters(client, timeline):
    import html
    import re

    staff, _ = timeline
    client.force_login(staff)
    seen: list[str] = []
    url = "/ops/audit/?action=library."
    while url:
        body = client.get(url).content.decode()
        seen += re.findall(r'<time datetime="([^"]+)"', body)
        found = re.search(r'href="(\?[^"]*after=[^"]+)">更早的记录', body)
        url = "/ops/audit/" + html.unescape(found.group(1)) if found else ""
    assert len(seen) == 70 and seen == sorted(seen, reverse=True)
