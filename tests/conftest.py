"""Shared fixtures.  The network is blocked for every test: only loopback is allowed."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (
        host.startswith("127.") or host in ("localhost", "::1", "0.0.0.0") or self.family == socket.AF_UNIX
    ):
        raise RuntimeError(f"tests must not reach the network (tried {address!r})")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> object:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture
def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.txt"))


@pytest.fixture(autouse=True)
def _fresh_cache() -> object:
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_search_index(settings) -> object:
    """Each test starts with no search index; tests that search call ``index_sync()``."""
    import shutil

    from fanwen.search import indexer

    shutil.rmtree(Path(settings.DATA_DIR) / "search", ignore_errors=True)
    indexer._applied_recently.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_view_counts() -> object:
    from fanwen.library import view_counts

    view_counts.reset()
    yield


@pytest.fixture(autouse=True)
def _fresh_local_pages() -> object:
    from fanwen.library import page_cache

    page_cache.local_pages_clear()
    yield
