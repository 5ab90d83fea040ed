"""The community API: report, favourites, review, and the staff report queue."""

from __future__ import annotations

import pytest
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.commerce.models import Order
from fanwen.community.models import Favorite, Report, Review
from fanwen.library.models import Document
from fanwen.notices.models import Notice
from tests.commerce.factories import make_document, make_user
from tests.community.test_reports import buy

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


def test_report_review_and_favourites_through_the_api():
    doc = make_document()
    buyer, stranger = make_user("buyer"), make_user("stranger")
    buy(buyer, doc)
    api, as_buyer, as_stranger = Client(), bearer(buyer), bearer(stranger)
    url = f"/api/v1/documents/{doc.pk}"
    assert api.post(f"{url}/report", {"reason": "quality"}, content_type="application/json").status_code == 401
    created = api.post(f"{url}/report", {"reason": "quality", "note": "排版混乱"}, content_type="application/json", **as_stranger)
    assert created.status_code == 201 and created.json()["status"] == "open"
    again = api.post(f"{url}/report", {"reason": "violation"}, content_type="application/json", **as_stranger)
    assert again.status_code == 409 and "已举报过" in again.json()["detail"]
    bad = api.post(f"{url}/report", {"reason": "nope"}, content_type="application/json", **as_stranger)
    assert bad.status_code == 422
    assert api.post("/api/v1/documents/999999999/report", {"reason": "quality"}, content_type="application/json",
                    **as_buyer).status_code == 404

    review = api.post(f"{url}/review", {"stars": 5, "text": "好用"}, content_type="application/json", **as_buyer)
    assert review.status_code == 200 and review.json()["rating_count"] == 1 and review.json()["rating_average"] == 5.0
    refused = api.post(f"{url}/review", {"stars": 1}, content_type="application/json", **as_stranger)
    assert refused.status_code == 403 and "购买" in refused.json()["detail"]
    assert api.post(f"{url}/review", {"stars": 9}, content_type="application/json", **as_buyer).status_code == 422
    assert Review.objects.count() == 1

    fav = f"/api/v1/me/favorites/{doc.pk}"
    assert api.post(fav, **as_stranger).json() == {"document_id": doc.pk, "favorite": True}
    assert api.post(fav, **as_stranger).status_code == 200  # idempotent
    assert Favorite.objects.count() == 1
    assert api.delete(fav, **as_stranger).json()["favorite"] is False and not Favorite.objects.exists()
    assert api.post("/api/v1/me/favorites/999999999", **as_stranger).status_code == 404


def test_session_writes_need_the_csrf_token():
    doc = make_document()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.post(f"/api/v1/me/favorites/{doc.pk}")
    assert response.status_code == 403 and not Favorite.objects.exists()


def test_staff_list_and_resolve_reports_with_a_takedown():
    doc = make_document()
    buyer, reporter, staff = make_user("buyer"), make_user("rep"), make_user("ops", is_staff=True)
    order = buy(buyer, doc)
    api = Client()
    api.post(f"/api/v1/documents/{doc.pk}/report", {"reason": "infringement", "note": "盗版"},
             content_type="application/json", **bearer(reporter))
    assert api.get("/api/v1/staff/reports", **bearer(reporter)).status_code == 403
    assert api.get("/api/v1/staff/reports").status_code == 401
    listed = api.get("/api/v1/staff/reports", **bearer(staff)).json()
    assert [(r["document_id"], r["reporter"], r["flagged"]) for r in listed] == [(doc.pk, "rep", False)]
    report_id = listed[0]["id"]
    no_reason = api.post(f"/api/v1/staff/reports/{report_id}/resolve", {"action": "takedown"},
                         content_type="application/json", **bearer(staff))
    assert no_reason.status_code == 400 and "须填写原因" in no_reason.json()["detail"]
    done = api.post(f"/api/v1/staff/reports/{report_id}/resolve", {"action": "takedown", "reason": "盗版"},
                    content_type="application/json", **bearer(staff))
    assert done.status_code == 200 and done.json() == {"closed": [report_id]}
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert Document.objects.get(pk=doc.pk).status == Document.Status.TAKEN_DOWN
    assert Notice.objects.filter(user=reporter, kind="report").count() == 1
    twice = api.post(f"/api/v1/staff/reports/{report_id}/resolve", {"action": "dismiss"},
                     content_type="application/json", **bearer(staff))
    assert twice.status_code == 409
    assert api.get("/api/v1/staff/reports?status=resolved", **bearer(staff)).json()[0]["outcome"] == "takedown"
    assert Report.objects.get().status == "resolved"
