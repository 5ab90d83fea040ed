"""Request ids and JSON logs (issue #13, item 6): every response carries an id, every record
written while serving it carries the same id, production writes one JSON object per line, and
an expected busy 503 is a warning, not a request error."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys

import pytest
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.monitoring.request_id import current_request_id
from tests.access.test_download_slot import every_slot_taken
from tests.access.test_downloads import api_download, buy
from tests.access.test_downloads import doc as doc
from tests.commerce.factories import make_user
from tests.monitoring.logcapture import json_lines, json_log
from tests.web.test_security_headers import production_env

pytestmark = pytest.mark.django_db
KEYS = {"time", "level", "logger", "message", "request_id"}


def test_every_response_carries_a_fresh_request_id():
    first = Client().get("/robots.txt")["X-Request-ID"]
    second = Client().get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


def test_the_proxys_request_id_is_kept_and_a_bad_one_replaced():
    assert Client().get("/healthz", HTTP_X_REQUEST_ID="nginx-4f2a9c.1")["X-Request-ID"] == "nginx-4f2a9c.1"
    for bad in ("two words", "x" * 65, "evil\nINFO forged line", "-starts-with-dash", ""):
        rid = Client().get("/healthz", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", rid), (bad, rid)


def test_records_written_while_serving_carry_the_requests_id():
    with json_log() as stream:
        response = Client().get("/no-such-page/", HTTP_X_REQUEST_ID="req-404")  # django.request: after the middleware
        not_ready = Client().get("/readyz", HTTP_X_REQUEST_ID="req-503")  # fanwen.monitoring: inside it
    assert response.status_code == 404 and not_ready.status_code == 503
    records = json_lines(stream)
    assert {"logger": "django.request", "request_id": "req-404"}.items() <= next(
        r for r in records if r["logger"] == "django.request"
    ).items()
    assert next(r for r in records if r["logger"] == "fanwen.monitoring.probes")["request_id"] == "req-503"
    assert current_request_id.get() == "-"  # reset after the request
    logging.getLogger("fanwen.test").warning("outside a request")
    with json_log() as stream:
        logging.getLogger("fanwen.test").warning("outside a request")
    assert json_lines(stream)[0]["request_id"] == "-"


def test_json_lines_parse_with_the_fields_and_the_traceback():
    with json_log() as stream:
        logging.getLogger("fanwen.test").info("订单 %s 已支付", "FW123")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("fanwen.test").exception("失败了")
    first, second = json_lines(stream)
    assert set(first) == KEYS
    assert first["message"] == "订单 FW123 已支付" and first["level"] == "INFO" and first["logger"] == "fanwen.test"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", first["time"])
    assert second["level"] == "ERROR" and "ValueError: boom" in second["exc"]
    assert len(stream.getvalue().splitlines()) == 2  # the traceback stays inside its line


def test_the_request_object_on_djangos_records_never_reaches_the_line():
    with json_log() as stream:
        Client().get("/no-such-page/?q=secret-query-text", HTTP_COOKIE="sessionid=abc123")
    text = stream.getvalue()
    assert "abc123" not in text and "WSGIRequest" not in text


def test_production_logs_one_json_object_per_line():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('fanwen.check').warning('生产日志 %s', 42)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=production_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == "生产日志 42" and entry["level"] == "WARNING" and entry["request_id"] == "-"
    assert set(entry) == KEYS


def test_a_busy_pdf_503_is_logged_as_a_warning_not_a_request_error(doc):
    buyer = make_user("buyer1")
    buy(buyer, doc)
    token = api_token_create(user=buyer)
    page = Client()
    page.force_login(buyer)
    with json_log() as stream, every_slot_taken():
        assert api_download(doc, token, fmt="pdf").status_code == 503
        assert page.get(f"/d/{doc.pk}/download/pdf/").status_code == 503
    records = json_lines(stream)
    assert not [r for r in records if r["level"] in ("ERROR", "CRITICAL")], records
    busy = [r for r in records if r["logger"] == "fanwen.access.download_slot"]
    assert len(busy) == 2 and all(r["level"] == "WARNING" for r in busy)
