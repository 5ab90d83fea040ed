"""/healthz and /readyz (issue #13, item 6): alive without the database; ready only when the
database, the cache and this host's search index (against the outbox) are fine; a 503 names
the failed check; never cached, never behind the host check or a login."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db.utils import OperationalError
from django.test import Client, override_settings
from django.utils import timezone

from fanwen.monitoring import readiness
from fanwen.search.indexer import index_sync
from fanwen.search.models import IndexOutbox
from tests.commerce.factories import make_document


def test_healthz_answers_ok_without_touching_the_database():
    # No django_db mark: any query would fail this test.
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_200_with_a_small_json_body_when_the_index_is_current():
    make_document()
    index_sync()
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ready"] is True
    assert body["checks"] == {"database": "ok", "cache": "ok", "index": "ok", "outbox": "ok"}
    assert body["figures"]["index_lag_rows"] == 0
    assert body["figures"]["outbox_rows"] >= 1
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_503_until_this_host_has_built_its_index():
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert "not built" in response.json()["checks"]["index"]


@pytest.mark.django_db
def test_readyz_is_503_when_the_index_is_too_many_rows_behind():
    index_sync()
    for _ in range(3):
        make_document()  # each writes an outbox row this host has not applied
    with override_settings(FANWEN_READY_INDEX_LAG_ROWS=2):
        response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert "more than 2" in body["checks"]["index"]
    assert body["checks"]["database"] == "ok"
    with override_settings(FANWEN_READY_INDEX_LAG_ROWS=10):
        assert Client().get("/readyz").status_code == 200  # 3 rows behind, a minute is allowed
    index_sync()
    with override_settings(FANWEN_READY_INDEX_LAG_ROWS=2):
        assert Client().get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_is_503_when_the_oldest_unapplied_row_is_too_old():
    index_sync()
    make_document()
    IndexOutbox.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert "s old" in response.json()["checks"]["index"]
    assert response.json()["figures"]["index_lag_seconds"] >= 599


@pytest.mark.django_db
def test_readyz_is_503_when_the_outbox_is_over_its_bound():
    make_document()
    make_document()
    index_sync()
    with override_settings(FANWEN_READY_OUTBOX_ROWS=1):
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["outbox"].startswith("outbox holds")
    with override_settings(FANWEN_READY_OUTBOX_ROWS=0):  # 0: not checked
        assert Client().get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_is_down(monkeypatch):
    def down() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(readiness, "database_ok", down)
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "unavailable (OperationalError)"
    assert "index" not in body["checks"]  # not asked without a database
    assert "connection refused" not in response.content.decode()  # the class name, no detail


@pytest.mark.django_db
def test_readyz_is_503_when_the_cache_is_down(monkeypatch):
    index_sync()

    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis down")

    monkeypatch.setattr(readiness.cache, "set", broken)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "unavailable (ConnectionError)"


@pytest.mark.django_db
def test_a_not_ready_503_is_a_warning_not_a_request_error(caplog):
    caplog.set_level(logging.INFO)
    assert Client().get("/readyz").status_code == 503
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(r.name == "fanwen.monitoring.probes" and r.levelno == logging.WARNING for r in caplog.records)


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["fanwen.example.com"])
def test_probes_answer_a_load_balancer_that_names_the_host_by_ip():
    index_sync()
    client = Client(HTTP_HOST="10.0.0.7:8000")
    assert client.get("/").status_code == 400  # the site itself keeps its host check
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code == 200


def test_a_head_probe_gets_no_body():
    response = Client().head("/healthz")
    assert response.status_code == 200 and response.content == b""
