"""Keeping the index true: apply the outbox, or rebuild from the database.

Layout under ``$FANWEN_DATA_DIR/search/``:
  index/        the live tantivy index
  generation    changes when a rebuild swaps in a new index (readers reopen)
  state.json    {"last_outbox_id", "synced_at", "schema"}: this host's checkpoint
  writer.lock   one writer per host (flock)

Each host keeps its own index and checkpoint and reads the shared outbox, so every app
host can answer searches; a host that is new, was down longer than the outbox retention,
or has another schema version rebuilds by itself.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import tantivy
from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from fanwen.library.models import Block, Document
from fanwen.library.page_cache import anonymous_pages_clear_shared
from fanwen.search import engine
from fanwen.search.models import IndexOutbox

OUTBOX_RETENTION = timedelta(days=7)
RECENT_WINDOW = timedelta(minutes=2)
_applied_recently: set[int] = set()
BATCH = 500
WRITER_HEAP = 64_000_000


def search_dir() -> Path:
    return Path(settings.DATA_DIR) / "search"


def index_path() -> Path:
    return search_dir() / "index"


class WriterBusy(Exception):
    pass


@contextmanager
def writer_lock(*, wait: bool = False) -> Iterator[None]:
    search_dir().mkdir(parents=True, exist_ok=True)
    with open(search_dir() / "writer.lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise WriterBusy("another process is writing the search index") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_state() -> dict[str, float]:
    try:
        return json.loads((search_dir() / "state.json").read_text())
    except (FileNotFoundError, ValueError):
        return {}


def write_state(last_outbox_id: int) -> None:
    path = search_dir() / "state.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"last_outbox_id": last_outbox_id, "synced_at": time.time(), "schema": engine.SCHEMA_VERSION}))
    os.replace(tmp, path)


def indexed_documents(ids: list[int]) -> list[engine.IndexedDocument]:
    """Published documents with their FREE text only (paid blocks are excluded in SQL)."""
    docs = {
        d.pk: d
        for d in Document.objects.filter(pk__in=ids, status=Document.Status.PUBLISHED).select_related("category")
    }
    free: dict[int, list[str]] = {pk: [] for pk in docs}
    for doc_id, text in (
        Block.objects.filter(document_id__in=list(docs), paid=False).order_by("document_id", "position").values_list("document_id", "text")
    ):
        free[doc_id].append(text)
    out = []
    for pk, d in docs.items():
        out.append(
            engine.IndexedDocument(
                id=pk, title=d.title, free_text="\n".join(free[pk]),
                category_id=d.category_id or 0, category_name=d.category.name if d.category else "",
                category_slug=d.category.slug if d.category else "", tags=d.tags, price_fen=d.price_fen,
                chars_total=d.chars_total, chars_free=d.chars_free, has_paid=d.has_paid,
                created=int(d.created_at.timestamp()), views=d.views,
            )
        )
    return out


def needs_rebuild() -> bool:
    state = read_state()
    if engine.open_index(index_path()) is None or state.get("schema") != engine.SCHEMA_VERSION:
        return True
    return time.time() - state.get("synced_at", 0) > OUTBOX_RETENTION.total_seconds()


def index_sync(*, limit: int = 5000) -> int:
    """Apply outbox rows after this host's checkpoint.  Returns how many rows were applied."""
    with writer_lock():
        if needs_rebuild():
            _rebuild_locked(progress=None)
            return 0
        last = int(read_state().get("last_outbox_id", 0))
        # Rows after the checkpoint, plus recent rows not yet applied here: on PostgreSQL an
        # id can become visible after a higher one (transactions commit out of order).
        recent = timezone.now() - RECENT_WINDOW
        rows = [
            (pk, doc_id)
            for pk, doc_id in IndexOutbox.objects.filter(Q(pk__gt=last) | Q(created_at__gte=recent))
            .order_by("pk")
            .values_list("pk", "document_id")[:limit]
            if pk > last or pk not in _applied_recently
        ]
        if not rows:
            write_state(last)
            return 0
        index = engine.open_index(index_path())
        assert index is not None
        writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
        ids = sorted({doc_id for _, doc_id in rows})
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            for doc_id in chunk:
                writer.delete_documents_by_query(tantivy.Query.term_query(engine.SCHEMA, "id", doc_id))
            for doc in indexed_documents(chunk):
                writer.add_document(doc.to_tantivy())
        writer.commit()
        writer.wait_merging_threads()
        # A reader may have re-cached a changed document's anonymous page between the change
        # and its commit; clearing again here bounds that to about a second.
        anonymous_pages_clear_shared(ids)
        write_state(max(last, rows[-1][0]))
        _applied_recently.update(pk for pk, _ in rows)
        if len(_applied_recently) > 100_000:
            _applied_recently.clear()
        return len(rows)


def index_rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    with writer_lock(wait=True):
        return _rebuild_locked(progress=progress)


def _rebuild_locked(*, progress: Callable[[int, int], None] | None) -> int:
    """Build a new index beside the live one, then swap it in atomically."""
    checkpoint = IndexOutbox.objects.aggregate(m=Max("pk"))["m"] or 0
    fresh = search_dir() / f"index.new-{uuid.uuid4().hex[:8]}"
    index = engine.create_index(fresh)
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
    ids = list(Document.objects.filter(status=Document.Status.PUBLISHED).order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), BATCH):
        for doc in indexed_documents(ids[start : start + BATCH]):
            writer.add_document(doc.to_tantivy())
            done += 1
        if progress:
            progress(done, len(ids))
    writer.commit()
    writer.wait_merging_threads()
    live = index_path()
    old = search_dir() / f"index.old-{uuid.uuid4().hex[:8]}"
    if live.exists():
        os.replace(live, old)
    os.replace(fresh, live)
    (search_dir() / "generation").write_text(uuid.uuid4().hex)
    write_state(checkpoint)
    shutil.rmtree(old, ignore_errors=True)
    return done


def outbox_prune() -> int:
    """Drop outbox rows older than the retention; hosts further behind rebuild."""
    cutoff = timezone.now() - OUTBOX_RETENTION
    deleted, _ = IndexOutbox.objects.filter(created_at__lt=cutoff).delete()
    return deleted
