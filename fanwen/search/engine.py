"""The tantivy index: schema, writing, and querying.  No Django here except through callers.

What is indexed is only what any reader may see: the title, the FREE blocks and public
metadata.  Paid text never enters the index, so no query can match it or reconstruct it.

Text is pre-segmented by ``fanwen.core.segment.tokens`` (NFKC, lower case, OpenCC t2s,
rjieba search mode) and indexed with tantivy's whitespace tokenizer; queries are segmented
by the same function and built as term queries, never parsed, so no query syntax exists
for a user to break.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from fanwen.core.segment import segmented
from fanwen.core.snippet import fold

SCHEMA_VERSION = 2  # 2: the body field also holds the title's words
TITLE_BOOST = 3.0
MAX_QUERY_TOKENS = 16
FREE_TEXT_STORED = 1500  # characters of free text kept for snippets
NO_CATEGORY = 2**64 - 1  # a category id no document has: an unknown category filter matches nothing
# A word in more than this share of documents barely tells them apart (BM25's IDF ≈ 0).
COMMON_FRACTION = 0.2
# Below this many documents for the rarest word, counting every match is cheap (about 1 ms
# at 50,000 in docs/benchmarks.md): totals are exact.  Above it, a query of only common
# words is answered by the plan in IndexReader._search_common, with an estimated total.
EXACT_COUNT_MAX = 50_000


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("id", stored=False, indexed=True, fast=True)
    sb.add_text_field("title", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    sb.add_unsigned_field("category_id", indexed=True, fast=True)
    sb.add_unsigned_field("paid", indexed=True, fast=True)
    sb.add_unsigned_field("chars", indexed=True, fast=True)
    sb.add_unsigned_field("created", indexed=True, fast=True)
    sb.add_unsigned_field("views", indexed=True, fast=True)
    sb.add_bytes_field("card", stored=True)  # JSON for the result list: no database round trip
    return sb.build()


SCHEMA = build_schema()


@dataclass(frozen=True)
class IndexedDocument:
    id: int
    title: str
    free_text: str
    category_id: int
    category_name: str
    category_slug: str
    price_fen: int
    chars_total: int
    chars_free: int
    has_paid: bool
    created: int  # unix seconds
    views: int
    tags: str = ""

    def to_tantivy(self) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_unsigned("id", self.id)
        doc.add_text("title", segmented(self.title))
        # The body holds every searchable word (title included), so one field decides a match;
        # the title field exists to boost titles.
        doc.add_text("body", segmented(f"{self.title}\n{self.category_name} {self.tags}\n{self.free_text}"))
        doc.add_unsigned("category_id", self.category_id)
        doc.add_unsigned("paid", int(self.has_paid))
        doc.add_unsigned("chars", self.chars_total)
        doc.add_unsigned("created", self.created)
        doc.add_unsigned("views", self.views)
        free = " ".join(self.free_text[:FREE_TEXT_STORED].split())
        card = {
            "id": self.id, "title": self.title, "free": free, "free_folded": fold(free),
            "category": self.category_name, "category_slug": self.category_slug, "tags": self.tags,
            "price_fen": self.price_fen,
            "chars": self.chars_total, "chars_free": self.chars_free, "has_paid": self.has_paid,
            "created": self.created, "views": self.views,
        }
        doc.add_bytes("card", json.dumps(card, ensure_ascii=False).encode("utf-8"))
        return doc


def create_index(path: Path) -> tantivy.Index:
    path.mkdir(parents=True, exist_ok=True)
    return tantivy.Index(SCHEMA, path=str(path))


def open_index(path: Path) -> tantivy.Index | None:
    if not path.exists() or not tantivy.Index.exists(str(path)):
        return None
    return tantivy.Index.open(str(path))


@dataclass(frozen=True)
class Filters:
    category_id: int | None = None
    paid: bool | None = None  # True: paid documents only; False: free only
    min_chars: int | None = None
    max_chars: int | None = None


SORTS = {"relevance": None, "newest": "created", "views": "views"}


def query_words(tokens: list[str]) -> list[str]:
    """Distinct tokens without search-mode sub-words: 解放思想 already implies 解放 and 思想 in
    any document indexed with the same segmenter, so requiring them too only costs time."""
    distinct = list(dict.fromkeys(tokens))
    return [t for t in distinct if not any(t != other and t in other for other in distinct)][:MAX_QUERY_TOKENS]


def build_query(tokens: list[str], filters: Filters, *, optional: tuple[str, ...] = ()) -> tantivy.Query:
    """Documents whose body holds every token, ranked by BM25 with title matches boosted.
    ``optional`` (very common) tokens are not required and count only through the title."""
    Q, Occur = tantivy.Query, tantivy.Occur
    clauses: list[tuple[Any, Any]] = []
    for token in tokens:
        if token not in optional:
            clauses.append((Occur.Must, Q.term_query(SCHEMA, "body", token)))
        clauses.append((Occur.Should, Q.boost_query(Q.term_query(SCHEMA, "title", token), TITLE_BOOST)))
    if not any(occur == Occur.Must for occur, _ in clauses):
        clauses.append((Occur.Must, Q.all_query()))
    if filters.category_id is not None:
        clauses.append((Occur.Must, Q.term_query(SCHEMA, "category_id", filters.category_id)))
    if filters.paid is not None:
        clauses.append((Occur.Must, Q.term_query(SCHEMA, "paid", int(filters.paid))))
    if filters.min_chars is not None or filters.max_chars is not None:
        clauses.append(
            (
                Occur.Must,
                Q.range_query(
                    SCHEMA, "chars", tantivy.FieldType.Unsigned,
                    lower_bound=max(filters.min_chars or 0, 0), upper_bound=max(filters.max_chars or 2**62, 0),
                ),
            )
        )
    return Q.boolean_query(clauses)


class IndexReader:
    """One per process and index path; reloads at most every ``reload_seconds``, and reopens
    when a rebuild swapped the directory (its generation file changed)."""

    def __init__(self, path: Path, *, reload_seconds: float = 1.0) -> None:
        self.path = path
        self.reload_seconds = reload_seconds
        self._index: tantivy.Index | None = None
        self._generation = ""
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def _generation_now(self) -> str:
        try:
            return (self.path.parent / "generation").read_text()
        except FileNotFoundError:
            return ""

    def index(self) -> tantivy.Index | None:
        now = time.monotonic()
        with self._lock:
            generation = self._generation_now()
            if self._index is None or generation != self._generation:
                self._index = open_index(self.path)
                self._generation = generation
                self._loaded_at = now
            elif now - self._loaded_at >= self.reload_seconds:
                self._index.reload()
                self._loaded_at = now
            return self._index

    def search(self, tokens: list[str], filters: Filters, *, sort: str, offset: int, limit: int) -> Found:
        index = self.index()
        if index is None:
            return Found(0, [])
        searcher = index.searcher()
        tokens = query_words(tokens)
        field = SORTS.get(sort)
        n_docs = max(int(searcher.num_docs), 1)
        freqs = {t: searcher.doc_freq("body", t) for t in tokens}
        common = tuple(t for t in tokens if freqs[t] > COMMON_FRACTION * n_docs)
        plain = filters == Filters() and field is None
        if common and len(common) == len(tokens) and plain and min(freqs.values()) > EXACT_COUNT_MAX:
            return self._search_common(searcher, tokens, estimate=min(freqs.values()), offset=offset, limit=limit)
        # Common words next to rarer ones only add to the score; the rare ones decide the match.
        optional = common if len(common) < len(tokens) else ()
        query = build_query(tokens, filters, optional=optional)
        if field is None:
            result = searcher.search(query, limit, count=True, offset=offset)
        else:
            result = searcher.search(query, limit, count=True, order_by_field=field, offset=offset, order=tantivy.Order.Desc)
        total = int(getattr(result, "count", 0) or 0)
        return Found(total, self._cards(searcher, result), has_next=total > offset + limit)

    def _search_common(self, searcher: tantivy.Searcher, tokens: list[str], *, estimate: int, offset: int, limit: int) -> Found:
        """Only very common words (工作, 学习 in almost every 范文) on a big index: scoring every
        document that holds them says little and costs a full scan.  Rank the documents that
        have the words in their TITLE, then those with some of them in the title, then the
        rest, and give the total as an estimate, the same on every page (the fewest documents
        holding one of the words: an upper bound), with no page count.  Whether a next page
        exists is known exactly (one hit more than the page is fetched; the tiers are nested,
        so a next page is always filled by one of them), so no empty page is ever offered; on
        the last page the total is known, and given exactly."""
        Q, Occur = tantivy.Query, tantivy.Occur
        title_only = Q.boolean_query([(Occur.Must, Q.term_query(SCHEMA, "title", t)) for t in tokens])
        result = searcher.search(title_only, limit, count=True, offset=offset)
        in_title = int(getattr(result, "count", 0) or 0)
        if in_title >= offset + limit:
            # The titles fill this page; when exactly, whether anything follows is asked of the rest.
            more = in_title > offset + limit or bool(self._beyond_titles(searcher, tokens, offset=offset + limit, limit=1))
            cards = self._cards(searcher, result)
        else:
            cards = self._beyond_titles(searcher, tokens, offset=offset, limit=limit + 1)
            more, cards = len(cards) > limit, cards[:limit]
        if more or not cards:
            return Found(estimate, cards, approximate=True, has_next=more)
        return Found(offset + len(cards), cards)  # the last page: the count is known

    def _beyond_titles(self, searcher: tantivy.Searcher, tokens: list[str], *, offset: int, limit: int) -> list[dict[str, Any]]:
        """Documents with every word and some in the title; when they cannot fill the page,
        every document with every word (title matches still first)."""
        Q, Occur = tantivy.Query, tantivy.Occur
        any_title = Q.boolean_query([(Occur.Should, Q.term_query(SCHEMA, "title", t)) for t in tokens])
        some_title = Q.boolean_query([(Occur.Must, any_title)] + [(Occur.Must, Q.term_query(SCHEMA, "body", t)) for t in tokens])
        result = searcher.search(some_title, limit, count=False, offset=offset)
        if len(result.hits) < limit:
            result = searcher.search(build_query(tokens, Filters()), limit, count=False, offset=offset)
        return self._cards(searcher, result)

    @staticmethod
    def _cards(searcher: tantivy.Searcher, result: Any) -> list[dict[str, Any]]:
        return [json.loads(bytes(searcher.doc(address).get_first("card") or b"{}")) for _, address in result.hits]


@dataclass(frozen=True)
class Found:
    total: int
    cards: list[dict[str, Any]]
    approximate: bool = False  # total is an estimate; then only has_next tells how far pages go
    has_next: bool = False
