"""The admin writes only through services, leaves an audit row, and speaks Chinese in 元
(issue #9 item 14)."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import Client

from fanwen.access.models import Entitlement
from fanwen.audit.models import AuditEvent
from fanwen.commerce.models import AuditLog, Order, Plan
from fanwen.commerce.services import entitlement_grant, order_create, order_pay_with_wallet, wallet_credit
from fanwen.library.models import Category, Document
from fanwen.search.models import IndexOutbox
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def change_form(doc: Document, **overrides: str) -> dict[str, str]:
    data = {
        "title": doc.title, "category": str(doc.category_id or ""), "tags": doc.tags,
        "author": str(doc.author_id or ""), "price_yuan": f"{doc.price_fen / 100:.2f}",
        "price_fen": str(doc.price_fen), "status": doc.status,  # the old form's fields: ignored now
        "_save": "保存",
    }
    data.update(overrides)
    return data


def events(action: str, doc: Document) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, subject_type="library.document", subject_id=str(doc.pk)))


def test_price_is_edited_in_yuan_through_the_service_with_an_audit_row(staff_client):
    doc = make_document(price_fen=500)
    outbox_before = IndexOutbox.objects.filter(document_id=doc.pk).count()
    page = staff_client.get(f"/admin/library/document/{doc.pk}/change/").content.decode()
    assert 'name="price_yuan"' in page and 'value="5.00"' in page and 'name="price_fen"' not in page

    response = staff_client.post(f"/admin/library/document/{doc.pk}/change/", change_form(doc, price_yuan="12.5"))

    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.price_fen == 1250
    [event] = events("library.document.price_changed", doc)
    assert event.data == {"from_fen": 500, "to_fen": 1250} and event.actor is not None
    assert IndexOutbox.objects.filter(document_id=doc.pk).count() > outbox_before


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "100000.01", "1.234"])
def test_a_bad_price_is_a_chinese_form_error_and_changes_nothing(staff_client, bad):
    doc = make_document(price_fen=500)
    response = staff_client.post(f"/admin/library/document/{doc.pk}/change/", change_form(doc, price_yuan=bad))
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'errorlist[^>]*>\s*<li>[^<]*(价格|元)', body), body[:0]
    doc.refresh_from_db()
    assert doc.price_fen == 500 and not events("library.document.price_changed", doc)


def test_the_change_form_cannot_set_the_status(staff_client):
    doc = make_document(price_fen=500)
    staff_client.post(f"/admin/library/document/{doc.pk}/change/", change_form(doc, status="unpublished"))
    doc.refresh_from_db()
    assert doc.status == Document.Status.PUBLISHED


def test_title_edit_goes_through_the_service(staff_client):
    doc = make_document(price_fen=500)
    staff_client.post(f"/admin/library/document/{doc.pk}/change/", change_form(doc, title="新的标题"))
    doc.refresh_from_db()
    assert doc.title == "新的标题"
    [event] = events("library.document.edited", doc)
    assert event.data["title"]["to"] == "新的标题"


def test_status_actions_go_through_the_services_with_audit_rows(staff_client):
    doc = make_document(price_fen=500)
    staff_client.post("/admin/library/document/", {"action": "unpublish", "_selected_action": [doc.pk]})
    doc.refresh_from_db()
    assert doc.status == Document.Status.UNPUBLISHED and len(events("library.document.unpublished", doc)) == 1
    staff_client.post("/admin/library/document/", {"action": "publish", "_selected_action": [doc.pk]})
    doc.refresh_from_db()
    assert doc.status == Document.Status.PUBLISHED and len(events("library.document.published", doc)) == 1


def test_takedown_action_asks_for_a_reason_then_refunds(staff_client):
    doc = make_document(price_fen=300)
    reader = make_user()
    wallet_credit(user=reader, amount_fen=300, reason="x")
    order = order_create(user=reader, document_id=doc.pk)
    order_pay_with_wallet(order_id=order.pk, user=reader)

    ask = staff_client.post("/admin/library/document/", {"action": "takedown", "_selected_action": [doc.pk]})
    assert ask.status_code == 200 and 'name="reason"' in ask.content.decode()
    doc.refresh_from_db()
    assert doc.status == Document.Status.PUBLISHED  # nothing happens before a reason is given

    done = staff_client.post(
        "/admin/library/document/",
        {"action": "takedown", "_selected_action": [doc.pk], "apply": "1", "reason": "版权方投诉"},
        follow=True,
    )
    assert done.status_code == 200 and "退款完成 1 笔" in done.content.decode()
    doc.refresh_from_db()
    assert doc.status == Document.Status.TAKEN_DOWN and doc.takedown_reason == "版权方投诉"
    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED
    [event] = events("library.document.taken_down", doc)
    assert event.actor is not None


def test_entitlements_cannot_be_added_edited_or_deleted_directly(staff_client):
    doc = make_document(price_fen=500)
    reader = make_user()
    entitlement, _ = entitlement_grant(user_id=reader.pk, document_id=doc.pk)
    assert staff_client.get("/admin/access/entitlement/add/").status_code == 403
    staff_client.post(f"/admin/access/entitlement/{entitlement.pk}/change/",
                      {"user": reader.pk, "document": doc.pk, "source": "grant", "revoked_at_0": "2020-01-01"})
    staff_client.post(f"/admin/access/entitlement/{entitlement.pk}/delete/", {"post": "yes"})
    entitlement.refresh_from_db()
    assert entitlement.revoked_at is None
    staff_client.post("/admin/access/entitlement/",
                      {"action": "delete_selected", "_selected_action": [entitlement.pk], "post": "yes"})
    assert Entitlement.objects.filter(pk=entitlement.pk).exists()


def test_revoke_and_grant_actions_go_through_the_services(staff_client):
    doc = make_document(price_fen=500)
    reader = make_user()
    entitlement, _ = entitlement_grant(user_id=reader.pk, document_id=doc.pk)
    staff_client.post("/admin/access/entitlement/", {"action": "revoke", "_selected_action": [entitlement.pk]})
    entitlement.refresh_from_db()
    assert entitlement.revoked_at is not None
    revoked = AuditLog.objects.get(action="commerce.entitlement.revoked")
    assert revoked.actor_id is not None

    staff_client.post("/admin/library/document/", {"action": "grant", "_selected_action": [doc.pk],
                                                   "apply": "1", "username": reader.username})
    active = Entitlement.objects.get(user=reader, document=doc, revoked_at__isnull=True)
    assert active.source == Entitlement.Source.GRANT
    assert AuditLog.objects.filter(action="commerce.entitlement.granted").exclude(actor=None).exists()


def test_plan_price_is_edited_in_yuan_through_a_service(staff_client):
    plan = Plan.objects.get(code="month")
    page = staff_client.get(f"/admin/commerce/plan/{plan.pk}/change/").content.decode()
    assert 'name="price_yuan"' in page and 'name="price_fen"' not in page
    staff_client.post(f"/admin/commerce/plan/{plan.pk}/change/", {
        "code": plan.code, "name": plan.name, "days": plan.days, "price_yuan": "19.90",
        "active": "on", "position": plan.position,
    })
    plan.refresh_from_db()
    assert plan.price_fen == 1990
    assert AuditEvent.objects.filter(action="commerce.plan.changed", subject_id=str(plan.pk)).exists()


def test_category_edit_goes_through_a_service(staff_client):
    doc = make_document(price_fen=500)
    category = Category.objects.create(name="旧名", slug="old")
    Document.objects.filter(pk=doc.pk).update(category=category)
    staff_client.post(f"/admin/library/category/{category.pk}/change/",
                      {"name": "新名", "slug": "old", "position": "0"})
    category.refresh_from_db()
    assert category.name == "新名"
    assert AuditEvent.objects.filter(action="library.category.changed", subject_id=str(category.pk)).exists()
    assert IndexOutbox.objects.filter(document_id=doc.pk).count() >= 2  # its documents are re-indexed


HEADER_RE = re.compile(r'<th scope="col"[^>]*>(.*?)</th>', re.S)
# The navigation sidebar's screen-reader-only table headers are Django's own, untranslated.
SIDEBAR_RE = re.compile(r'<nav class="sticky" id="nav-sidebar".*?</nav>', re.S)
FILTER_TITLE_RE = re.compile(r"<summary>\s*(.*?)\s*</summary>|<h3>\s*(.*?)\s*</h3>", re.S)


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_every_changelist_renders_in_chinese_with_money_in_yuan(staff_client):
    doc = make_document(price_fen=300)
    reader = make_user()
    wallet_credit(user=reader, amount_fen=1000, reason="x")
    order_pay_with_wallet(order_id=order_create(user=reader, document_id=doc.pk).pk, user=reader)
    english = {}
    admin.autodiscover()  # as fanwen/urls.py does
    assert len(admin.site._registry) > 10
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = staff_client.get(url)
        assert response.status_code == 200, url
        body = SIDEBAR_RE.sub("", response.content.decode())
        labels = [visible_text(h) for h in HEADER_RE.findall(body)]
        labels += [visible_text(a or b) for a, b in FILTER_TITLE_RE.findall(body)]
        found = [label for label in labels if re.search(r"[A-Za-z]{2,}", label)]
        if found:
            english[url] = found
    assert not english, f"English labels left: {english}"
    orders = staff_client.get("/admin/commerce/order/").content.decode()
    assert "¥3.00" in orders
    assert "¥7.00" in staff_client.get("/admin/commerce/account/").content.decode()
    assert "¥3.00" in staff_client.get("/admin/library/document/").content.decode()


def test_a_free_document_has_no_price_to_edit(staff_client):
    from fanwen.core.format import parse_text
    from fanwen.library.services import document_import

    doc = Document.objects.get(pk=document_import(parsed=parse_text("免费文档\n全文免费。")).document_id)
    page = staff_client.get(f"/admin/library/document/{doc.pk}/change/")
    assert page.status_code == 200 and 'name="price_yuan"' not in page.content.decode()
    data = {k: v for k, v in change_form(doc, title="免费文档改名").items() if k != "price_yuan"}
    assert staff_client.post(f"/admin/library/document/{doc.pk}/change/", data).status_code == 302
    doc.refresh_from_db()
    assert doc.title == "免费文档改名" and doc.price_fen == 0
