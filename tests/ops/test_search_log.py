"""The search log: query text (normalised, at most 100 characters) and result counts per day —
no user, no IP — written by the search page and the API, pruned after 90 days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fanwen.search.models import SearchQueryDay
from fanwen.search.services import normalise_query, search_log, search_log_prune
from tests.commerce.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_log_has_no_column_for_a_user_or_an_address():
    columns = {f.name for f in SearchQueryDay._meta.get_fields()}
    assert columns == {"id", "day", "query", "searches", "zero_results", "last_total"}


def test_queries_are_normalised_and_truncated():
    assert normalise_query("  ＡＢＣ  工作   总结 ") == "abc 工作 总结"
    long = "述职报告" * 40
    search_log(query=long, total=3)
    row = SearchQueryDay.objects.get()
    assert row.query == long[:100] and len(row.query) == 100


def test_one_row_per_day_and_query_counts_searches_and_zero_results():
    search_log(query="工作总结", total=5)
    search_log(query=" 工作总结", total=0)
    search_log(query="工作总结", total=2)
    search_log(query="   ", total=0)  # nothing typed: not logged
    row = SearchQueryDay.objects.get()
    assert (row.day, row.searches, row.zero_results, row.last_total) == (timezone.localdate(), 3, 1, 2)


def test_the_search_page_and_the_api_write_the_log_but_never_who_searched(client):
    client.force_login(make_user("searcher"))
    assert client.get("/search/", {"q": "不存在的词语xyz"}).status_code == 200
    assert client.get("/api/v1/search", {"q": "不存在的词语xyz"}).status_code == 200
    client.get("/search/", {"q": "不存在的词语xyz", "page": "2"})  # paging is the same search
    row = SearchQueryDay.objects.get()
    assert (row.query, row.searches, row.zero_results) == ("不存在的词语xyz", 2, 2)
    assert "searcher" not in str(list(SearchQueryDay.objects.values()))


def test_the_worker_prunes_days_older_than_90():
    today = timezone.localdate()
    for age in (0, 90, 91, 400):
        SearchQueryDay.objects.create(day=today - timedelta(days=age), query=f"q{age}", searches=1)
    assert search_log_prune() == 2
    assert sorted(SearchQueryDay.objects.values_list("query", flat=True)) == ["q0", "q90"]
