"""The ops console (/ops/, /ops/audit/, its CSV files) is for staff only, and shows titles and
numbers — never document text, paid or free — even to staff."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from fanwen.audit.services import audit_record
from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
from fanwen.library.models import Document
from fanwen.search.services import search_log

pytestmark = pytest.mark.django_db

PROBE = "搜索日志探针"
OPS_URLS = [f"/ops/?days={d}&m={m}" for d in (7, 30, 365) for m in ("paid_fen", "reads", "pending")] + [
    "/ops/export/days.csv?days=365", "/ops/export/searches.csv?days=365", "/ops/audit/",
    "/ops/audit/?action=library.", "/ops/audit/?subject_type=library.document", "/ops/audit/?action=commerce.",
]


@pytest.fixture
def busy(planted):  # type: ignore[no-untyped-def]
    """Something on every panel: a sale of the planted document, an audit event about it, a
    document waiting for review, searches."""
    User = get_user_model()
    buyer = User.objects.create_user("buyer", password="buyer-pass-1")
    wallet_credit(user=buyer, amount_fen=500, reason="x")
    order = order_create(user=buyer, document_id=planted.document_id)
    order_pay_with_wallet(order_id=order.pk, user=buyer)
    document = Document.objects.get(pk=planted.document_id)
    audit_record(action="library.document.edited", actor=buyer, subject=document, data={"title": document.title})
    Document.objects.filter(pk=planted.free_id).update(status=Document.Status.PENDING)
    for q in (PROBE, "不存在的东西"):
        search_log(query=q, total=0)
    return planted


def _assert_clean(body: str, planted, url: str) -> None:  # type: ignore[no-untyped-def]
    for name, canary in planted.canaries.items():
        assert canary not in body, f"{name} in {url}"
    assert planted.free_marker not in body, url  # no free text either


def test_anonymous_and_non_staff_get_nothing(client, busy):
    for url in OPS_URLS:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    client.force_login(get_user_model().objects.get(username="buyer"))  # a buyer, entitled to the paid text
    for url in OPS_URLS:
        response = client.get(url)
        assert response.status_code == 404, url
        _assert_clean(response.content.decode("utf-8-sig"), busy, url)
        assert PROBE not in response.content.decode("utf-8-sig"), url  # what people search: staff only


def test_staff_see_titles_and_numbers_only(client, busy):
    client.force_login(get_user_model().objects.create_user("operator", password="operator-pass-1", is_staff=True))
    seen = ""
    for url in OPS_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8-sig")
        _assert_clean(body, busy, url)
        seen += body
    assert PROBE in seen and "编辑文档" in seen  # the panels were filled, so a pass means something
