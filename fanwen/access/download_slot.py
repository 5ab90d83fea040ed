"""At most a few PDF renders at a time on this host, so downloads never take every request
worker from the readers.

A PDF costs about 0.45 s of CPU (WeasyPrint) inside a request worker.  ``pdf_slot`` is a set
of ``FANWEN_PDF_RENDERS`` lock files under the host's data directory (``flock``: shared by
every worker process and thread of the host, released by the kernel if a worker dies, the
same on SQLite, PostgreSQL and Redis hosts — like the uploads' slot).  A download that finds
every slot taken waits at most ``FANWEN_PDF_WAIT_SECONDS`` and is then refused with
:class:`DownloadsBusy` (503 with Retry-After: a friendly page, a Chinese JSON ``detail``).

The gate is asked first (:func:`render_slot`): a reader who may not read the whole document
never waits for or takes a slot — ``deliver`` refuses them as before — so a busy host never
turns a refusal into anything but the paywall or 403.  Word files are cheap (no slot).
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from fanwen.access import gate
from fanwen.access.errors import AccessError
from fanwen.library.models import Document

log = logging.getLogger(__name__)
SLOTTED_FORMATS = frozenset({"pdf"})
POLL_SECONDS = 0.02


class DownloadsBusy(AccessError):
    """Every render slot is taken: try again in ``retry_after`` seconds (never a 500)."""

    status = 503

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def web_threads() -> int:
    """Request threads serving this host: ``fanwen serve`` exports its worker count
    (each granian worker runs one blocking thread); otherwise one per CPU."""
    try:
        workers = int(os.environ.get("FANWEN_WEB_WORKERS", "0"))
    except ValueError:
        workers = 0
    return workers if workers > 0 else max(2, os.cpu_count() or 2)


def render_slots() -> int:
    """``FANWEN_PDF_RENDERS`` when set (≥ 1), else one fewer than the request threads or the
    CPUs, whichever is smaller — at least one thread and one CPU stay with the pages."""
    configured = int(getattr(settings, "FANWEN_PDF_RENDERS", 0) or 0)
    if configured > 0:
        return configured
    return max(1, min(web_threads(), os.cpu_count() or 1) - 1)


def wait_seconds() -> float:
    return max(0.0, float(getattr(settings, "FANWEN_PDF_WAIT_SECONDS", 0.0)))


def retry_after_seconds() -> int:
    return max(1, int(getattr(settings, "FANWEN_PDF_RETRY_AFTER_SECONDS", 3)))


def busy_message(retry_after: int) -> str:
    return f"当前生成 PDF 的人较多，请稍后重试（约 {retry_after} 秒后）；Word 版本可立即下载。"


def log_busy(response: Any) -> None:
    """A busy answer is expected under load: logged once at WARNING here, and marked so that
    Django's request logger does not log the 503 again at ERROR."""
    log.warning("PDF render slots busy: answered %s with Retry-After %s", response.status_code, response["Retry-After"])
    response._has_been_logged = True


def _lock_dir() -> Path:
    path = Path(settings.DATA_DIR) / "locks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _try_take(handles: Sequence[IO[bytes]]) -> IO[bytes] | None:
    """Take the first free slot (starting at a random one, so waiters spread), or None."""
    start = random.randrange(len(handles))
    for i in range(len(handles)):
        handle = handles[(start + i) % len(handles)]
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue
        return handle
    return None


@contextmanager
def pdf_slot(*, wait: float | None = None) -> Iterator[bool]:
    """Yields True holding one of the host's render slots (released on exit, exception or
    not), or False when none came free within ``wait`` seconds (default: the setting)."""
    limit = wait_seconds() if wait is None else max(0.0, wait)
    deadline = time.monotonic() + limit
    directory = _lock_dir()
    with ExitStack() as stack:
        handles = [stack.enter_context(open(directory / f"pdf-render-{i}.lock", "a+b")) for i in range(render_slots())]
        taken = _try_take(handles)
        while taken is None and time.monotonic() < deadline:
            time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
            taken = _try_take(handles)
        if taken is None:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(taken, fcntl.LOCK_UN)


@contextmanager
def render_slot(*, user: Any, document: Document, fmt: str) -> Iterator[None]:
    """Around one download (``deliver`` or ``fill_and_deliver``): takes a render slot for a
    PDF that the gate will let this reader have, else does nothing (Word files, and readers
    ``deliver`` is about to refuse).  Raises :class:`DownloadsBusy` when the host is busy."""
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if fmt not in SLOTTED_FORMATS or not signed_in or not gate.can_read_full(user, document):
        yield
        return
    with pdf_slot() as free:
        if not free:
            retry = retry_after_seconds()
            raise DownloadsBusy(busy_message(retry), retry_after=retry)
        yield
