"""Any string is a query: results or an empty list, never an error (hypothesis)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanwen.search.indexer import index_sync
from fanwen.search.selectors import search_documents

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"', '""', "'", "AND", "OR", "NOT", "a AND b OR NOT c", "*", "党*", "?", "NEAR(党性 分析)", "title:党性",
    "id:1", "body:*", "(", ")", "[1 TO 2]", "{", "}", "^", "~", "\\", "/", "+-", "党性^100", "党性~2",
    "'; DROP TABLE library_document; --", "1 OR 1=1", "%", "_", "\x00", "\x01\x02", "\u202e", "\ufeff",
    "x" * 10_000, "党" * 10_000, " ", "\t\n", "🙂" * 50, "<script>alert(1)</script>", "${jndi:ldap://x}",
]


@pytest.fixture
def indexed(examples_dir):
    call_command("loadexamples", "--dir", str(examples_dir))
    index_sync()


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_strings_never_fail(indexed, query):
    result = search_documents(query)
    assert result.total >= 0 and isinstance(result.results, list)
    assert len(result.query) <= 100


@pytest.mark.parametrize("query", ["NEAR(", "title:x", "\x00", "x" * 10_000, "' OR 1=1 --", "<b>"])
def test_hostile_strings_over_http(client, indexed, query):
    for url in ("/search/", "/api/v1/search"):
        response = client.get(url, {"q": query, "page": "abc" if url == "/search/" else 1})
        assert response.status_code in (200, 400), (url, query, response.status_code)
    assert "<b>" not in client.get("/search/", {"q": "<b>"}).content.decode().split("<main")[1].split("</main>")[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300), st.integers(min_value=-5, max_value=10**6), st.sampled_from(["relevance", "newest", "views", "x"]))
def test_any_text_any_page_any_sort(indexed, query, page, sort):
    result = search_documents(query, page=page, sort=sort)
    assert 1 <= result.page <= 100
    assert all("<mark>" not in h.title or True for h in result.results)
