"""The leak test: paid canaries never reach a reader who has not paid, through any channel.

It crawls every URL reachable from `/`, the sitemap and the feeds, plus every GET
operation in the OpenAPI document, as an anonymous reader, as a signed-in
non-buyer (session and Bearer token), and after a revoked grant; then checks that
entitled readers (granted, author, staff) do see the canaries.
"""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.commerce.services import entitlement_grant, entitlement_revoke
from fanwen.core.fingerprint import strip_carriers
from tests.leak.conftest import Planted
from tests.leak.crawler import CrawlResult, crawl, openapi_get_urls
from tests.monitoring.logcapture import json_lines, json_log

pytestmark = pytest.mark.django_db


def api_urls(client: Client, planted: Planted, canary: str) -> list[str]:
    spec = json.loads(client.get("/api/v1/openapi.json").content)
    return openapi_get_urls(
        spec,
        path_values={"document_id": str(planted.document_id), "id": str(planted.document_id), "order_id": "1"},
        query_values={"q": canary, "category": "泄漏测试", "format": "docx"},
    )


def as_query(canary: str) -> str:
    """The canary as a searcher would type it in full-width forms: it normalises to the same
    words, so a paid match would be found, while the page's echo of the query is not the canary."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in canary)


def extra_urls(client: Client, planted: Planted) -> list[str]:
    canary = as_query(planted.canaries["para"])
    return [
        f"/d/{planted.document_id}/",
        f"/d/{planted.free_id}/",
        *(f"/search/?q={as_query(c)}" for c in planted.canaries.values()),
        *api_urls(client, planted, canary),
        *(f"/api/v1/search?q={as_query(c)}" for c in planted.canaries.values()),
        f"/search/?q={as_query(planted.free_marker)}",
        *download_urls(planted),
        *fill_urls(planted),
        "/me/downloads/",
        "/u/author/",
        "/me/notices/",
        "/api/v1/me/notices",
        "/me/payouts/", "/ops/payouts/?status=all",
        "/me/", f"/d/{planted.document_id}/report/", f"/d/{planted.document_id}/complaint/", "/ops/reports/?status=all",
        "/ops/review/", f"/ops/review/{planted.document_id}/", f"/ops/review/{planted.document_id}/compare/{planted.free_id}/",
        "/ops/", "/ops/audit/", "/ops/export/days.csv", "/ops/export/searches.csv",
        "/healthz", "/readyz", "/metrics",  # probes and metrics: numbers only (the test client is loopback)
    ]


def download_urls(planted: Planted) -> list[str]:
    """Every download URL, in every format (offered or not), for the paid and the free document."""
    return [
        url
        for document_id in (planted.document_id, planted.free_id)
        for fmt in ("docx", "pdf")
        for url in (f"/d/{document_id}/download/{fmt}/", f"/api/v1/documents/{document_id}/download?format={fmt}")
    ]


def fill_urls(planted: Planted) -> list[str]:
    """填写模板's GET URLs (the form page and the placeholder list) for the paid and the free
    document; its POSTs are checked in test_leak_downloads."""
    return [
        url
        for document_id in (planted.document_id, planted.free_id)
        for url in (f"/d/{document_id}/fill/", f"/api/v1/documents/{document_id}/placeholders")
    ]


def assert_no_canary(result: CrawlResult, planted: Planted) -> None:
    leaks = [
        f"{name} in {url}"
        for url, text in result.texts().items()
        for name, canary in planted.canaries.items()
        if canary in text
    ]
    assert not leaks, f"paid text leaked: {leaks}"
    server_errors = [url for url, status in result.statuses.items() if status >= 500]
    assert not server_errors, f"5xx on {server_errors}"


def assert_crawl_covered(result: CrawlResult, planted: Planted) -> None:
    """The crawl reached the channels it must cover, so a pass means something."""
    urls = set(result.bodies)
    must = [f"/d/{planted.document_id}/", "/sitemap.xml", "/feed/", "/feed/rss/", "/api/v1/openapi.json", "/u/author/"]
    missing = [u for u in must if u not in urls]
    assert not missing, f"crawl did not reach {missing}"
    api_document = f"/api/v1/documents/{planted.document_id}"
    assert result.statuses.get(api_document) == 200, f"{api_document} answered {result.statuses.get(api_document)}"
    assert planted.free_marker in result.texts()[api_document]
    assert any(u.startswith("/c/") and u.endswith("/feed/") for u in urls), "category feed not reached"
    # The free part is there: the crawl saw the document, only the paid part is cut.
    assert planted.free_marker in result.bodies[f"/d/{planted.document_id}/"]
    # Search works on the free part (so a miss on the canaries means something).
    assert planted.free_marker in result.texts()[f"/search/?q={as_query(planted.free_marker)}"]


def test_anonymous_reader_sees_no_paid_text(client, planted, caplog):
    caplog.set_level(logging.DEBUG)
    with json_log() as stream:
        result = crawl(client, extra=extra_urls(client, planted))
    assert_crawl_covered(result, planted)
    assert_no_canary(result, planted)
    assert_logs_clean(caplog.text, stream, planted)
    assert result.statuses["/metrics"] == 200 and "fanwen_search_outbox_rows" in result.bodies["/metrics"]
    assert result.statuses["/readyz"] == 200


def assert_logs_clean(text: str, stream: io.StringIO, planted: Planted) -> None:
    """Neither the plain records nor production's JSON lines (each one JSON object) hold paid text."""
    records = json_lines(stream)
    assert records, "the crawl logged nothing: the check would mean nothing"
    for canary in planted.canaries.values():
        assert canary not in text
        assert canary not in stream.getvalue()
        assert not [r for r in records if canary in json.dumps(r, ensure_ascii=False)]


def test_logs_hold_no_paid_text_even_while_entitled_readers_read_and_download(client, planted, caplog):
    """Staff read and download everything: the paid text is in their responses, never in a log line."""
    caplog.set_level(logging.DEBUG)
    client.force_login(get_user_model().objects.create_user("operator", password="operator-pass-1", is_staff=True))
    with json_log() as stream:
        result = crawl(client, extra=extra_urls(client, planted))
    shown = result.texts()[f"/d/{planted.document_id}/"]
    assert planted.canaries["para"] in strip_carriers(shown), "staff must see the paid text (else this proves nothing)"
    assert_logs_clean(caplog.text, stream, planted)


def test_signed_in_non_buyer_sees_no_paid_text(client, planted):
    get_user_model().objects.create_user("reader", password="reader-pass-1")
    assert client.login(username="reader", password="reader-pass-1")
    result = crawl(client, extra=extra_urls(client, planted))
    assert_crawl_covered(result, planted)
    assert_no_canary(result, planted)


def test_api_token_non_buyer_sees_no_paid_text(client, planted):
    reader = get_user_model().objects.create_user("reader", password="reader-pass-1")
    token = api_token_create(user=reader)
    result = crawl(client, extra=extra_urls(client, planted), headers={"HTTP_AUTHORIZATION": f"Bearer {token}"})
    assert_crawl_covered(result, planted)
    assert_no_canary(result, planted)


def test_revoked_grant_sees_no_paid_text(client, planted):
    reader = get_user_model().objects.create_user("reader", password="reader-pass-1")
    entitlement_grant(user_id=reader.pk, document_id=planted.document_id)
    entitlement_revoke(user_id=reader.pk, document_id=planted.document_id)
    client.force_login(reader)
    result = crawl(client, extra=extra_urls(client, planted))
    assert_crawl_covered(result, planted)
    assert_no_canary(result, planted)


@pytest.mark.parametrize("who", ["granted", "author", "staff"])
def test_entitled_readers_see_every_canary(client, planted, who):
    User = get_user_model()
    if who == "author":
        user = User.objects.get(username="author")
    elif who == "staff":
        user = User.objects.create_user("operator", password="operator-pass-1", is_staff=True)
    else:
        user = User.objects.create_user("buyer", password="buyer-pass-1")
        entitlement_grant(user_id=user.pk, document_id=planted.document_id)
    client.force_login(user)
    page = strip_carriers(client.get(f"/d/{planted.document_id}/").content.decode())  # minus the fingerprint
    api = client.get(f"/api/v1/documents/{planted.document_id}").content.decode()
    api_text = strip_carriers(json.dumps(json.loads(api), ensure_ascii=False))
    for name, canary in planted.canaries.items():
        assert canary in page, f"{name} missing from the page for {who}"
        assert canary in api_text, f"{name} missing from the API for {who}"
    token = api_token_create(user=user)
    anon = Client()
    body = anon.get(f"/api/v1/documents/{planted.document_id}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["access"] is True
    assert planted.canaries["para"] in strip_carriers(json.dumps(body, ensure_ascii=False))


def test_markers_never_reach_output(client, planted):
    user = get_user_model().objects.get(username="author")
    client.force_login(user)
    for url in (f"/d/{planted.document_id}/", f"/api/v1/documents/{planted.document_id}"):
        assert "paidbegin" not in client.get(url).content.decode().lower()


def test_pages_with_paid_text_are_never_shared_cacheable(client, planted):
    user = get_user_model().objects.get(username="author")
    client.force_login(user)
    for url in (f"/d/{planted.document_id}/", f"/api/v1/documents/{planted.document_id}"):
        control = client.get(url)["Cache-Control"]
        assert "private" in control and "no-store" in control, (url, control)


def test_documents_awaiting_review_are_invisible_to_others(client, planted):
    from fanwen.core.format import parse_text
    from fanwen.library.models import Document
    from fanwen.library.services import document_import
    from fanwen.search.indexer import index_sync
    from tests.leak.conftest import make_canary

    secret = make_canary("pending")
    author = get_user_model().objects.create_user("uploader", password="uploader-pass-1")
    document_import(
        parsed=parse_text(f"待审核的文档\n免费部分也不能公开{secret}"), category_name="泄漏测试",
        author_id=author.pk, status=Document.Status.PENDING,
    )
    index_sync()
    for who in (None, "reader"):
        if who:
            client.force_login(get_user_model().objects.create_user(who, password="reader-pass-1"))
        result = crawl(client, extra=[*extra_urls(client, planted), f"/search/?q={as_query(secret)}"])
        leaked = [url for url, text in result.texts().items() if secret in text]
        assert not leaked, leaked
