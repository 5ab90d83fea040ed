"""The author dashboard shows titles and numbers, never document text: not even to the author
(who may read it all), and another author's numbers never (404)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from fanwen.library import view_counts
from fanwen.stats.services import stats_rollup

pytestmark = pytest.mark.django_db

STATS_URLS = ["/studio/stats/?days={d}", "/studio/stats/days.csv?days={d}", "/studio/stats/documents.csv?days={d}",
              "/studio/stats/{doc}/?days={d}", "/studio/stats/{doc}/days.csv?days={d}", "/api/v1/me/stats?days={d}",
              "/api/v1/me/stats?days={d}&document_id={doc}"]


def urls(document_id: int) -> list[str]:
    return [u.format(d=d, doc=document_id) for u in STATS_URLS for d in (7, 30, 365)]


def test_the_author_sees_no_document_text_on_the_dashboard(client, planted):
    client.get(f"/d/{planted.document_id}/")  # a read, so there are numbers
    view_counts.flush()
    stats_rollup()
    client.force_login(get_user_model().objects.get(username="author"))
    for url in urls(planted.document_id):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8-sig")
        for name, canary in planted.canaries.items():
            assert canary not in body, f"{name} in {url}"
        assert planted.free_marker not in body, url  # no free text either: titles and numbers only


def test_no_one_else_gets_the_authors_numbers(client, planted):
    client.force_login(get_user_model().objects.create_user("reader", password="reader-pass-1"))
    for url in urls(planted.document_id):
        response = client.get(url)
        if f"/stats/{planted.document_id}/" in url or "document_id" in url:
            assert response.status_code == 404, url
        else:
            body = response.content.decode("utf-8-sig")
            assert response.status_code == 200 and "泄漏" not in body, url
            for canary in planted.canaries.values():
                assert canary not in body
