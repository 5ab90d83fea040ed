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

SCHEMA_VERSION = 1
TITLE_BOOST = 3.0
MAX_QUERY_TOKENS = 16
FREE_TEXT_STORED = 1500  # characters of free text kept for snippets
NO_CATEGORY = 2**64 - 1  # a category id no document has: an unknown category filter matches nothing


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
        doc.add_text("body", segmented(f"{self.category_name} {self.tags}\n{self.free_text}"))
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


def build_query(tokens: list[str], filters: Filters) -> tantivy.Query:
    Q, Occur = tantivy.Query, tantivy.Occur
    clauses: list[tuple[Any, Any]] = []
    for token in list(dict.fromkeys(tokens))[:MAX_QUERY_TOKENS]:
        either = Q.boolean_query(
            [
                (Occur.Should, Q.boost_query(Q.term_query(SCHEMA, "title", token), TITLE_BOOST)),
                (Occur.Should, Q.term_query(SCHEMA, "body", token)),
            ]
        )
        clauses.append((Occur.Must, either))
    if not clauses:
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

    def search(
        self, tokens: list[str], filters: Filters, *, sort: str, offset: int, limit: int
    ) -> tuple[int, list[dict[str, Any]]]:
        index = self.index()
        if index is None:
            return 0, []
        searcher = index.searcher()
        query = build_query(tokens, filters)
        field = SORTS.get(sort)
        if field is None:
            result = searcher.search(query, limit, count=True, offset=offset)
        else:
            result = searcher.search(query, limit, count=True, order_by_field=field, offset=offset, order=tantivy.Order.Desc)
        cards = [json.loads(bytes(searcher.doc(address).get_first("card") or b"{}")) for _, address in result.hits]
        return int(getattr(result, "count", 0) or 0), cards
