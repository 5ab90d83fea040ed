"""The leak crawl over an unpublished and a taken-down document: readers who are not
entitled to it (anonymous, signed-in non-buyer, refunded buyer) find neither its paid text
nor — since it is no longer public — its free text, through any channel."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from fanwen.commerce.services import order_create, order_pay_with_wallet, order_refund, wallet_credit
from fanwen.core.fingerprint import strip_carriers
from fanwen.search.indexer import index_sync
from tests.leak.conftest import Planted
from tests.leak.crawler import crawl
from tests.leak.test_leak import as_query, assert_no_canary, extra_urls

pytestmark = pytest.mark.django_db


def buyer(name: str, planted: Planted):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(name, password=f"{name}-pass-1")
    wallet_credit(user=user, amount_fen=500, reason="test")
    order = order_create(user=user, document_id=planted.document_id)
    order_pay_with_wallet(order_id=order.pk, user=user)
    return user, order


def assert_nothing_of_it(client: Client, planted: Planted) -> None:
    urls = [*extra_urls(client, planted), f"/search/?q={as_query(planted.free_marker)}"]
    result = crawl(client, extra=urls)
    assert_no_canary(result, planted)
    shown = [url for url, text in result.texts().items() if planted.free_marker in text]
    assert not shown, f"the withdrawn document is still shown at {shown}"
    assert result.statuses[f"/d/{planted.document_id}/"] == 404


@pytest.mark.parametrize("command", ["unpublish", "takedown"])
def test_withdrawn_document_reaches_no_one_who_is_not_entitled(planted, command):
    kept, _ = buyer("kept", planted)
    _, refunded_order = buyer("refunded", planted)
    order_refund(order_id=refunded_order.pk, actor=None)
    get_user_model().objects.create_user("stranger", password="stranger-pass-1")
    anonymous = Client()
    anonymous.get(f"/d/{planted.document_id}/")  # in the anonymous page cache before the change
    args = ["--reason", "侵权投诉"] if command == "takedown" else []
    call_command(command, str(planted.document_id), *args)
    index_sync()

    assert_nothing_of_it(anonymous, planted)
    for who in ("stranger", "refunded", *(["kept"] if command == "takedown" else [])):
        client = Client()
        client.force_login(get_user_model().objects.get(username=who))
        assert_nothing_of_it(client, planted)

    if command == "unpublish":  # the buyer who kept it still reads every paid line
        client = Client()
        client.force_login(kept)
        page = strip_carriers(client.get(f"/d/{planted.document_id}/").content.decode())
        for name, canary in planted.canaries.items():
            assert canary in page, f"{name} missing for the buyer after unpublish"
