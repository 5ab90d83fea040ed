"""Search counts and pages agree: a page offered always has results, the total is the same on
every page, and a page past the end shows the last page (or, for an estimate, says so)."""

from __future__ import annotations

import re

import pytest

from fanwen.search import engine
from fanwen.search.indexer import index_sync
from fanwen.search.selectors import search_documents
from tests.search.test_search import add

pytestmark = pytest.mark.django_db

QUERY = "工作 学习"  # both words in more than 20 % of the documents: the common-word plan


@pytest.fixture
def corpus() -> int:
    """44 documents; 工作 in 34, 学习 in 30, both in 20 (12 with both in the title)."""
    for n in range(12):
        add(f"工作学习总结{n}\n本年度的工作与学习情况{n}。")
    for n in range(14):
        add(f"其他范文甲{n}\n这里只谈工作{n}。")
    for n in range(10):
        add(f"其他范文乙{n}\n这里只谈学习{n}。")
    for n in range(8):
        add(f"心得体会{n}\n工作之余坚持学习{n}。")
    index_sync()
    return 20


def walk(query: str) -> list:
    """Follow 下一页 from page 1 as a reader would."""
    pages = [search_documents(query)]
    while pages[-1].has_next:
        pages.append(search_documents(query, page=pages[-1].page + 1))
        assert len(pages) < 20
    return pages


def test_every_offered_page_has_results_and_the_same_total(corpus):
    first = search_documents(QUERY)
    for page in range(1, first.num_pages + 1):
        result = search_documents(QUERY, page=page)
        assert result.results, f"page {page} of {first.num_pages} is empty"
        assert (result.total, result.approximate) == (first.total, first.approximate)
    assert first.total == corpus and not first.approximate  # cheap enough to count exactly


def test_estimated_totals_never_offer_an_empty_page(corpus, monkeypatch):
    monkeypatch.setattr(engine, "EXACT_COUNT_MAX", 0, raising=False)  # as on a big index: estimate the total
    pages = walk(QUERY)
    assert len(pages) > 1 and all(p.results for p in pages)
    *before, last = pages
    assert {(p.total, p.approximate) for p in before} == {(pages[0].total, True)}  # one estimate
    assert all(p.num_pages == p.page + 1 for p in before)  # no page count past known pages
    assert len({h.id for p in pages for h in p.results}) == corpus
    # The last page knows the count: exact, and never above the estimate the others gave.
    assert (last.total, last.approximate, last.num_pages) == (corpus, False, last.page)
    assert pages[0].total >= corpus


def test_a_page_past_the_end_shows_the_last_page(corpus):
    result = search_documents(QUERY, page=9)
    assert result.page == 2 and result.results and not result.has_next and result.total == corpus


def test_a_page_past_the_end_of_an_estimate_says_so(corpus, monkeypatch):
    monkeypatch.setattr(engine, "EXACT_COUNT_MAX", 0, raising=False)
    result = search_documents(QUERY, page=9)
    assert not result.results and not result.has_next
    assert any("超出" in n for n in result.notices)


def test_search_page_shows_no_page_it_cannot_fill(client, corpus, monkeypatch):
    monkeypatch.setattr(engine, "EXACT_COUNT_MAX", 0, raising=False)
    body = client.get("/search/", {"q": QUERY}).content.decode()
    assert "约" in body and not re.search(r"第 1 / \d+ 页", body)
    page = 1
    while (m := re.search(r'href="([^"]*page=(\d+))">下一页', body)) is not None:
        page = int(m.group(2))
        body = client.get("/search/" + m.group(1).replace("&amp;", "&")).content.decode()
        assert "没有找到" not in body
        assert re.search(rf"第 {page}( / {page})? 页", body)  # a page count only once the end is known
    past = client.get("/search/", {"q": QUERY, "page": 9}).content.decode()
    assert "没有找到" not in past and "超出" in past and 'href="/search/?q=' in past


def test_exact_search_page_past_the_end_shows_the_last_page(client, corpus):
    body = client.get("/search/", {"q": QUERY, "page": 9}).content.decode()
    assert "共 20 篇" in body and "第 2 / 2 页" in body and "没有找到" not in body


def test_api_says_whether_a_next_page_exists(client, corpus, monkeypatch):
    monkeypatch.setattr(engine, "EXACT_COUNT_MAX", 0, raising=False)
    page, seen = 1, 0
    while True:
        data = client.get("/api/v1/search", {"q": QUERY, "page": page}).json()
        assert data["results"] and data["approximate"] == data["has_next"]
        seen += len(data["results"])
        if not data["has_next"]:
            assert data["total"] == seen
            break
        page += 1
    assert seen == corpus


def test_titles_that_fill_a_page_exactly_still_lead_to_the_rest(monkeypatch):
    monkeypatch.setattr(engine, "EXACT_COUNT_MAX", 0, raising=False)
    for n in range(10):
        add(f"工作学习总结{n}\n本年度的工作与学习情况{n}。")
    for n in range(5):
        add(f"心得体会{n}\n工作之余坚持学习{n}。")
    for n in range(5):
        add(f"其他范文{n}\n只有工作{n}。")
    index_sync()
    pages = walk(QUERY)
    assert [len(p.results) for p in pages] == [10, 5]
    assert len({h.id for p in pages for h in p.results}) == 15
