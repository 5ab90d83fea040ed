"""/metrics (issue #13, item 6): Prometheus exposition with request latency, the search outbox
and index lag, payments by state, download renders and extension collectors; refused to
anyone but a local scraper or the token holder; bounded labels."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from fanwen.accounts.services import api_token_create
from fanwen.library.management.commands.serve import prometheus_multiproc_dir
from fanwen.monitoring import metrics
from fanwen.search.indexer import index_sync
from tests.access.test_downloads import api_download, buy
from tests.access.test_downloads import doc as doc
from tests.commerce.factories import make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


def scrape(client: Client | None = None, **headers: str) -> str:
    response = (client or Client()).get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return 0.0


def test_exposition_names_every_metric_family():
    index_sync()
    Client().get("/robots.txt")
    text = scrape()
    for name in (
        "django_http_requests_latency_including_middlewares_seconds",
        "django_http_requests_latency_seconds_by_view_method",
        "django_http_responses_total_by_status_view_method_total",
        "fanwen_search_outbox_rows",
        "fanwen_search_index_lag_rows",
        "fanwen_search_index_lag_seconds",
        "fanwen_search_index_built",
        "fanwen_payments",
        "fanwen_download_renders_total",
        "fanwen_metrics_collector_errors",
    ):
        assert f"# TYPE {name} " in text, name
    assert "_created" not in text  # no creation-time series: half the series for nothing


def test_payments_and_download_renders_change_after_a_purchase_and_a_download(doc):
    before = scrape()
    buyer = make_user("buyer1")
    buy(buyer, doc)
    token = api_token_create(user=buyer)
    assert api_download(doc, token, fmt="docx").status_code == 200
    after = scrape()
    key = {"status": "confirmed", "method": "wallet"}
    assert sample(after, "fanwen_payments", **key) == sample(before, "fanwen_payments", **key) + 1
    renders = "fanwen_download_renders_total"
    assert sample(after, renders, format="docx") == sample(before, renders, format="docx") + 1
    # The 200 of the download view was timed under its route name.
    assert sample(after, "django_http_responses_total_by_status_view_method_total", status="200", method="GET") > 0


def test_index_lag_and_outbox_follow_the_outbox(doc):
    index_sync()
    current = scrape()
    assert sample(current, "fanwen_search_index_built") == 1
    assert sample(current, "fanwen_search_index_lag_rows") == 0
    from tests.commerce.factories import make_document

    make_document()
    make_document()
    behind = scrape()
    assert sample(behind, "fanwen_search_index_lag_rows") == 2
    assert sample(behind, "fanwen_search_outbox_rows") == sample(current, "fanwen_search_outbox_rows") + 2


@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": "203.0.113.5"},  # a public address
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"},  # through the proxy on this host
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.5"},
        {"REMOTE_ADDR": "10.0.0.9"},  # a private address not listed
        {"REMOTE_ADDR": "not-an-address"},
    ],
)
def test_metrics_are_refused_to_other_clients(meta):
    response = Client().get("/metrics", **meta)
    assert response.status_code == 403
    assert "fanwen_" not in response.content.decode()


@override_settings(FANWEN_METRICS_TOKEN="scrape-token-0123456789", FANWEN_METRICS_ALLOWED_NETWORKS=[])
def test_metrics_with_the_token_from_anywhere_and_never_without_it():
    remote = {"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert Client().get("/metrics", **remote, HTTP_AUTHORIZATION="Bearer scrape-token-0123456789").status_code == 200
    assert Client().get("/metrics", **remote, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403  # no networks listed


@override_settings(FANWEN_METRICS_ALLOWED_NETWORKS=["10.0.0.0/8"])
def test_a_listed_network_may_scrape():
    assert Client().get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_an_odd_method_does_not_become_a_label():
    Client().generic("FROBNICATE", "/")
    text = scrape()
    assert "FROBNICATE" not in text
    assert sample(text, "django_http_requests_latency_seconds_by_view_method_count", method="<invalid method>") >= 1


@override_settings(
    FANWEN_METRICS_COLLECTORS=[
        "tests.monitoring.collectors.jobs_run",
        "tests.monitoring.collectors.broken",
        "tests.monitoring.collectors.malformed",
    ]
)
def test_extension_collectors_are_read_at_every_scrape_and_a_broken_one_is_counted():
    first = scrape()
    second = scrape()
    assert sample(first, "fanwen_test_jobs_run", job="order_expiry") == 3
    assert sample(second, "fanwen_test_jobs_run", job="reconcile") == sample(first, "fanwen_test_jobs_run", job="reconcile") + 1
    assert sample(first, "fanwen_test_plain") == 7
    errors = "fanwen_metrics_collector_errors"
    assert sample(first, errors, collector="tests.monitoring.collectors.jobs_run") == 0
    assert sample(first, errors, collector="tests.monitoring.collectors.broken") == 1
    assert sample(first, errors, collector="tests.monitoring.collectors.malformed") == 1
    assert "fanwen_test_bad" not in first


COUNT_RENDERS = """
import sys
from fanwen.access.metrics import DOWNLOAD_RENDERS
for _ in range(int(sys.argv[1])):
    DOWNLOAD_RENDERS.labels(format="pdf").inc()
"""


def test_several_worker_processes_are_summed_in_multiprocess_mode(tmp_path, monkeypatch):
    """What `fanwen serve` sets up: each worker process counts into its own file; a scrape on
    any of them adds them up."""
    directory = tmp_path / "prom"
    directory.mkdir()
    (directory / "counter_999999.db").write_bytes(b"left over from a previous run")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    assert prometheus_multiproc_dir() == str(directory)
    assert not list(directory.iterdir())  # a previous run's files are gone
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    for count in (2, 3):
        subprocess.run([sys.executable, "-c", COUNT_RENDERS, str(count)], env=env, cwd=ROOT, check=True, timeout=60)
    text = metrics.exposition().decode()
    assert sample(text, "fanwen_download_renders_total", format="pdf") == 5
    assert "fanwen_search_outbox_rows" in text  # the database figures are there too


def test_job_runs_are_counted_by_job_and_state():
    from fanwen.jobs.services import Job, JobRunner

    before = scrape()
    JobRunner([Job("test.metrics_ok", 60, lambda: None), Job("test.metrics_bad", 60, lambda: 1 / 0)], host="a").run_due()
    after = scrape()
    assert sample(before, "fanwen_job_runs", job="test.metrics_ok", state="ok") == 0
    assert sample(after, "fanwen_job_runs", job="test.metrics_ok", state="ok") == 1
    assert sample(after, "fanwen_job_runs", job="test.metrics_bad", state="failed") == 1
    assert sample(after, "fanwen_metrics_collector_errors", collector="fanwen.jobs.metrics.job_runs") == 0


def test_payments_by_state_include_states_with_no_attempt_yet():
    text = scrape()
    for state in ("created", "pending", "confirmed", "failed", "cancelled", "refunded"):
        assert f'fanwen_payments{{method="wallet",status="{state}"}}' in text, state


def test_download_renders_show_every_format_before_any_download():
    from fanwen.access.metrics import FORMATS
    from fanwen.access.models import Delivery

    assert set(FORMATS) == set(Delivery.Format.values)
    text = scrape()
    for fmt in FORMATS:
        assert f'fanwen_download_renders_total{{format="{fmt}"}}' in text, fmt
