"""Reviews and reports saved at the same moment: the tally loses no rating, one reader keeps one
review, one open report — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from fanwen.commerce.services import entitlement_grant
from fanwen.community import services, services_reports
from fanwen.community.errors import CommunityError
from fanwen.community.models import DocumentRating, Report, Review
from tests.commerce.factories import make_document, make_user
from tests.commerce.racing import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]
N = 4


def test_ratings_saved_at_once_are_all_counted():
    doc = make_document()
    users = [make_user() for _ in range(N)]
    for user in users:
        entitlement_grant(user_id=user.pk, document_id=doc.pk)

    def work(i: int) -> str:
        user = get_user_model().objects.get(pk=users[i].pk)
        services.review_save(user=user, document_id=doc.pk, stars=i % 5 + 1, text="")
        return "ok"

    assert race(N, work) == {"ok": N}
    tally = DocumentRating.objects.get(document=doc)
    assert (tally.rating_count, tally.rating_sum) == (N, sum(i % 5 + 1 for i in range(N)))


def test_one_reader_posting_twice_at_once_keeps_one_review_and_one_open_report():
    doc = make_document()
    user = make_user()
    entitlement_grant(user_id=user.pk, document_id=doc.pk)

    def review(i: int) -> str:
        services.review_save(user=get_user_model().objects.get(pk=user.pk), document_id=doc.pk, stars=i + 1, text="")
        return "ok"

    def report(i: int) -> str:
        try:
            services_reports.report_create(user=get_user_model().objects.get(pk=user.pk), document_id=doc.pk,
                                           reason="quality")
        except CommunityError as exc:
            return str(exc.status)
        return "ok"

    assert race(N, review) == {"ok": N}
    assert Review.objects.filter(document=doc).count() == 1
    tally = DocumentRating.objects.get(document=doc)
    assert tally.rating_count == 1 and tally.rating_sum == Review.objects.get(document=doc).stars
    assert race(N, report) == {"ok": 1, "409": N - 1}
    assert Report.objects.filter(document=doc).count() == 1
