"""The one way in to search: ``search_documents``.  Pages, the API and the CLI call it."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import tantivy
from django.conf import settings
from django.utils.safestring import mark_safe

from fanwen.core.segment import tokens as segment_tokens
from fanwen.core.snippet import snippet_html
from fanwen.search.engine import SCHEMA, SORTS, Filters, IndexReader
from fanwen.search.indexer import index_path

MAX_QUERY_CHARS = 100
PAGE_SIZE = 10
MAX_PAGE = 100


@dataclass(frozen=True)
class SearchHit:
    id: int
    title: str
    title_html: str
    snippet: str  # HTML: escaped free text with <mark> around matched words
    category: str
    category_slug: str
    chars: int
    price_fen: int
    has_paid: bool
    views: int
    created: int


@dataclass(frozen=True)
class SearchPage:
    query: str
    total: int
    page: int
    page_size: int
    results: list[SearchHit]
    notices: list[str] = field(default_factory=list)
    approximate: bool = False  # total is an estimate (a query of only very common words)
    has_next: bool = False  # the next page has results (known exactly, even for an estimate)

    @property
    def num_pages(self) -> int:
        """Pages known to be filled: all of them for an exact total; for an estimate, this
        page and the next one if it is known to have results — never a count the estimate
        cannot keep."""
        if self.approximate:
            return self.page + int(self.has_next)
        return last_page(self.total, self.page_size)


def last_page(total: int, page_size: int) -> int:
    return min(MAX_PAGE, max(1, -(-total // page_size)))


@lru_cache(maxsize=4)
def _reader(path: str) -> IndexReader:
    from pathlib import Path

    return IndexReader(Path(path), reload_seconds=settings.FANWEN_SEARCH_RELOAD_SECONDS)


def clean_query(raw: str) -> tuple[str, list[str]]:
    """Drop control characters; cut over-long queries with a notice instead of failing."""
    notices = []
    text = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C" or ch in " \t")
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(f"搜索词过长，只按前 {MAX_QUERY_CHARS} 个字搜索。")
    return text, notices


def search_documents(
    query: str, *, user: Any = None, filters: Filters | None = None, sort: str = "relevance", page: int = 1
) -> SearchPage:
    """Title, free part and category only; snippets from the free part.  Any string is a
    valid query: it is segmented into words, never parsed.  ``user`` is accepted so that
    access-dependent ranking can come later; results never carry paid text for anyone."""
    text, notices = clean_query(query or "")
    words = segment_tokens(text)
    if text and not words:
        return SearchPage(text, 0, 1, PAGE_SIZE, [], notices)
    sort = sort if sort in SORTS else "relevance"
    if not words and sort == "relevance":
        sort = "newest"
    page = min(max(int(page or 1), 1), MAX_PAGE)
    phrase = "".join(words) if len(words) > 1 else ""
    reader, filters = _reader(str(index_path())), filters or Filters()
    found = reader.search(words, filters, sort=sort, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    if not found.cards and page > 1:
        if found.approximate:
            notices.append(f"第 {page} 页超出了搜索结果的范围，请从第 1 页看起。")
        elif found.total:  # past the end (an old link, an edited address): the last page
            page = last_page(found.total, PAGE_SIZE)
            found = reader.search(words, filters, sort=sort, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    cards = found.cards
    hits = [
        SearchHit(
            id=c["id"], title=c["title"], title_html=mark_safe(snippet_html(c["title"], words, size=200)),  # noqa: S308
            snippet=mark_safe(  # noqa: S308 (escaped by snippet_html)
                snippet_html(c["free"], words, phrase=phrase, folded=c.get("free_folded"))
            ),
            category=c["category"], category_slug=c["category_slug"], chars=c["chars"], price_fen=c["price_fen"],
            has_paid=c["has_paid"], views=c["views"], created=c["created"],
        )
        for c in cards
    ]
    has_next = found.has_next and page < MAX_PAGE
    return SearchPage(text, found.total, page, PAGE_SIZE, hits, notices, approximate=found.approximate, has_next=has_next)


def related_documents(*, document_id: int, title: str, limit: int = 5) -> list[SearchHit]:
    """相关文档: documents sharing the title's words, best first, excluding itself."""
    words = segment_tokens(title)[:8]
    if not words:
        return []
    reader = _reader(str(index_path()))
    index = reader.index()
    if index is None:
        return []
    Q, Occur = tantivy.Query, tantivy.Occur
    query = Q.boolean_query(
        [(Occur.Should, Q.term_query(SCHEMA, "title", w)) for w in words]
        + [(Occur.MustNot, Q.term_query(SCHEMA, "id", document_id))]
    )
    searcher = index.searcher()
    out = []
    for _, address in searcher.search(query, limit).hits:
        c = json.loads(bytes(searcher.doc(address).get_first("card") or b"{}"))
        out.append(
            SearchHit(id=c["id"], title=c["title"], title_html=c["title"], snippet="", category=c["category"],
                      category_slug=c["category_slug"], chars=c["chars"], price_fen=c["price_fen"],
                      has_paid=c["has_paid"], views=c["views"], created=c["created"])
        )
    return out
