"""/metrics: Prometheus exposition of this host.

* Request counts and latency: django-prometheus' middleware (``BoundedPrometheusAfterMiddleware``
  clamps the method label, so an odd method cannot grow the label set).
* Counters kept by the code (``fanwen_download_renders_total`` in ``access.metrics``).  Under
  ``fanwen serve`` several granian worker processes count separately: serve sets
  ``PROMETHEUS_MULTIPROC_DIR`` (emptied at start) and a scrape sums the workers' files.
* Figures read from the database at scrape time (:class:`DatabaseCollector`): the search outbox,
  this host's index lag, payments by status and method, plus every callable named in
  ``FANWEN_METRICS_COLLECTORS`` (the extension point: jobs run, …).

Labels are bounded (statuses, methods, formats, view names); never a document, user, order
or any text.  Access: :func:`metrics_allowed`.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django_prometheus.middleware import PrometheusAfterMiddleware
from prometheus_client import REGISTRY, CollectorRegistry, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from fanwen.access import metrics as access_metrics
from fanwen.commerce.selectors import payments_count_by_state_and_method
from fanwen.monitoring import readiness

log = logging.getLogger(__name__)

# One extension metric: (name, help, {((label, value), …): number}); () as the key for no labels.
LabelValues = tuple[tuple[str, str], ...]
MetricSpec = tuple[str, str, Mapping[LabelValues, float]]
# How far a scrape counts rows after this host's checkpoint (a host rebuilding is far behind).
LAG_COUNT_LIMIT = 1_000_000
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
disable_created_metrics()  # no `_created` series beside every counter and histogram
# The code's own counters, registered at import (so they are listed before their first count).
COUNTERS = (access_metrics.DOWNLOAD_RENDERS,)


class DatabaseCollector:
    """Figures read at scrape time (a few bounded queries)."""

    def collect(self) -> Iterator[Metric]:
        yield from _search_metrics()
        payments = GaugeMetricFamily("fanwen_payments", "Payment attempts by status and method.", labels=["status", "method"])
        for (status, method), n in sorted(payments_count_by_state_and_method().items()):
            payments.add_metric([status, method], n)
        yield payments
        yield from extension_metrics()


def _search_metrics() -> Iterator[Metric]:
    yield GaugeMetricFamily("fanwen_search_outbox_rows", "Rows in the shared search outbox.", value=readiness.outbox_rows())
    lag = readiness.index_lag(limit=LAG_COUNT_LIMIT)
    yield GaugeMetricFamily("fanwen_search_index_built", "1 when this host has a search index checkpoint.", value=int(lag.built))
    yield GaugeMetricFamily(
        "fanwen_search_index_lag_rows", "Outbox rows this host's index has not applied yet.", value=lag.rows
    )
    yield GaugeMetricFamily(
        "fanwen_search_index_lag_seconds", "Age of the oldest outbox row this host has not applied.",
        value=lag.oldest_seconds,
    )


def extension_metrics() -> Iterator[Metric]:
    """Gauges from ``FANWEN_METRICS_COLLECTORS`` (dotted paths to callables returning an
    iterable of ``(name, help, {((label, value), …): number})``).  A failing or malformed one
    is logged and counted in ``fanwen_metrics_collector_errors``; the scrape goes on."""
    errors = GaugeMetricFamily(
        "fanwen_metrics_collector_errors", "1 when an extension collector failed in this scrape.", labels=["collector"]
    )
    for path in getattr(settings, "FANWEN_METRICS_COLLECTORS", ()):
        try:
            specs = list(_load(path)())
            families = [_family(spec) for spec in specs]
        except Exception:
            log.warning("metrics collector %s failed", path, exc_info=True)
            errors.add_metric([path], 1)
            continue
        errors.add_metric([path], 0)
        yield from families
    yield errors


@lru_cache(maxsize=32)
def _load(path: str) -> Callable[[], Iterable[MetricSpec]]:
    return import_string(path)  # type: ignore[no-any-return]


def _family(spec: MetricSpec) -> Metric:
    name, help_text, values = spec
    label_names = sorted({label for key in values for label, _ in key})
    family = GaugeMetricFamily(str(name), str(help_text), labels=label_names)
    for key, number in values.items():
        labels = dict(key)
        if sorted(labels) != label_names:
            raise ValueError(f"{name}: every sample needs the labels {label_names}")
        family.add_metric([str(labels[label]) for label in label_names], float(number))
    return family


class _ProcessRegistry:
    """This process' own metrics (single-process mode: tests, `fanwen runserver`)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def exposition() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ProcessRegistry())  # type: ignore[arg-type]
    registry.register(DatabaseCollector())  # type: ignore[arg-type]
    return generate_latest(registry)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def metrics_allowed(request: HttpRequest) -> bool:
    """A scrape with ``Authorization: Bearer <FANWEN_METRICS_TOKEN>`` (when the token is set),
    or straight from an address in ``FANWEN_METRICS_ALLOWED_NETWORKS`` (default loopback).
    A request that came through a proxy (X-Forwarded-For, Forwarded, X-Real-IP) is never let
    in by address: behind nginx on the same host every visitor's peer address is loopback."""
    token = str(getattr(settings, "FANWEN_METRICS_TOKEN", "") or "")
    if token:
        sent = str(request.META.get("HTTP_AUTHORIZATION", ""))
        if sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip().encode(), token.encode()):
            return True
    if any(header in request.META for header in FORWARDED_HEADERS):
        return False
    try:
        peer = ipaddress.ip_address(str(request.META.get("REMOTE_ADDR", "")).strip("[]"))
    except ValueError:
        return False
    allowed = _networks(tuple(getattr(settings, "FANWEN_METRICS_ALLOWED_NETWORKS", ("127.0.0.0/8", "::1/128"))))
    return any(peer in network for network in allowed)


def metrics_response(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("无权访问监控指标。", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


class BoundedPrometheusAfterMiddleware(PrometheusAfterMiddleware):
    """django-prometheus' "after" middleware with the ``method`` label always one of the
    standard methods (its latency histogram takes ``request.method`` as sent)."""

    def label_metric(self, metric: Any, request: Any, response: Any = None, **labels: Any) -> Any:
        if "method" in labels:
            labels["method"] = self._method(request)
        return super().label_metric(metric, request, response, **labels)
