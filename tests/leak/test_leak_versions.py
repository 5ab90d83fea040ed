"""A version waiting for review reaches no reader: its free part as much as its paid part is
unapproved text, so anonymous readers, non-buyers, buyers of the live version (a buyer must not
read unapproved text either) and refunded buyers find none of it through any channel, while
the live version is still served as it was (page, API, search, sitemap).  Staff see it in the
admin to review it.  After approval the new version follows the usual rule."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.commerce.services import order_refund
from fanwen.core.fingerprint import strip_carriers
from fanwen.core.format import parse_text
from fanwen.library import versions
from fanwen.library.models import DocumentVersion
from fanwen.search.indexer import index_sync
from tests.leak.conftest import Planted, make_canary
from tests.leak.crawler import crawl
from tests.leak.test_leak import as_query, assert_crawl_covered, assert_no_canary, extra_urls
from tests.leak.test_leak_withdrawn import buyer

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(planted: Planted) -> tuple[DocumentVersion, dict[str, str]]:
    canaries = {k: make_canary(f"pending{k}") for k in ("free", "heading", "paid")}
    text = "\n".join([
        "党性分析报告泄漏测试", f"新版本的免费开头{canaries['free']}。", "一、免费的小标题", "免费正文。",
        f"##paidbegin##二、{canaries['heading']}", f"新版本的付费正文{canaries['paid']}。",
    ])
    author = get_user_model().objects.get(username="author")
    version = versions.version_submit(document_id=planted.document_id, author_id=author.pk, parsed=parse_text(text))
    index_sync()
    return version, canaries


def version_urls(planted: Planted, version: DocumentVersion) -> list[str]:
    return [f"/studio/documents/{planted.document_id}/", f"/api/v1/me/documents/{planted.document_id}/versions",
            f"/admin/library/documentversion/{version.pk}/change/", "/admin/library/documentversion/",
            *(f"/search/?q={as_query(c)}" for c in ("新版本的免费开头",))]


def reader(who: str, planted: Planted) -> tuple[Client, dict[str, str]]:
    client = Client()
    if who == "anonymous":
        return client, {}
    if who in ("buyer", "refunded"):
        user, order = buyer(who, planted)
        if who == "refunded":
            order_refund(order_id=order.pk, actor=None)
    else:
        user = get_user_model().objects.create_user(who, password=f"{who}-pass-1")
    if who == "token":
        return client, {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}
    client.force_login(user)
    return client, {}


@pytest.mark.parametrize("who", ["anonymous", "stranger", "token", "buyer", "refunded"])
def test_a_pending_version_reaches_no_reader(planted, pending, who):
    version, canaries = pending
    client, headers = reader(who, planted)
    extra = [*extra_urls(client, planted), *version_urls(planted, version),
             *(f"/search/?q={as_query(c)}" for c in canaries.values()),
             *(f"/api/v1/search?q={as_query(c)}" for c in canaries.values())]
    result = crawl(client, extra=extra, headers=headers)
    leaks = [f"{name} in {url}" for url, text in result.texts().items() for name, c in canaries.items()
             if c in strip_carriers(text)]
    assert not leaks, f"pending version text leaked: {leaks}"
    assert not [url for url, status in result.statuses.items() if status >= 500]
    assert_crawl_covered(result, planted)  # the live version is still served: page, API, search, sitemap
    if who != "buyer":
        assert_no_canary(result, planted)
    else:
        page = strip_carriers(result.texts()[f"/d/{planted.document_id}/"])
        assert all(c in page for c in planted.canaries.values()), "the buyer still reads the live version in full"


def test_staff_review_the_pending_text_and_after_approval_the_rule_is_the_usual_one(client, planted, pending):
    version, canaries = pending
    kept, _ = buyer("kept", planted)
    staff = get_user_model().objects.create_user("operator", password="operator-pass-1", is_staff=True,
                                                 is_superuser=True)
    client.force_login(staff)
    review = client.get(f"/admin/library/documentversion/{version.pk}/change/").content.decode()
    assert all(c in review for c in canaries.values())
    versions.version_approve(version_id=version.pk, actor=staff)
    index_sync()
    anonymous = Client()
    result = crawl(anonymous, extra=[*extra_urls(anonymous, planted),
                                     *(f"/search/?q={as_query(c)}" for c in canaries.values())])
    texts = result.texts()
    assert canaries["free"] in texts[f"/d/{planted.document_id}/"]
    shown = [f"{k} in {url}" for url, text in texts.items() for k in ("heading", "paid") if canaries[k] in text]
    assert not shown, f"the new paid part leaked: {shown}"
    assert_no_canary(result, planted)  # nothing of the old version either
    buyer_client = Client()
    buyer_client.force_login(kept)
    page = strip_carriers(buyer_client.get(f"/d/{planted.document_id}/").content.decode())
    assert all(c in page for c in canaries.values()), "the buyer of v1 reads v2 in full"
