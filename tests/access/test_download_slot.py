"""PDF downloads take one of the host's render slots: when every slot is taken the buyer gets a
Chinese 503 with Retry-After (page and API, download and fill-in), never a 500 and never a
file; a reader the gate refuses is refused as before, busy or not; a slot is given back after
an exception; Word files need no slot."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client, override_settings

from fanwen.access import download_slot
from fanwen.access.download_slot import DownloadsBusy, pdf_slot, render_slot, render_slots
from fanwen.access.models import Delivery
from fanwen.accounts.services import api_token_create
from tests.access.test_downloads import api_download, buy
from tests.access.test_downloads import doc as doc
from tests.commerce.factories import make_user

pytestmark = pytest.mark.django_db


@contextmanager
def every_slot_taken() -> Iterator[None]:
    """Hold every render slot from another thread (as other workers of the host would)."""
    taken, release = threading.Event(), threading.Event()

    def hold(n: int) -> None:
        with pdf_slot(wait=0) as free:
            assert free
            if n + 1 < render_slots():
                hold(n + 1)
            else:
                taken.set()
                release.wait(10)

    holder = threading.Thread(target=hold, args=(0,))
    holder.start()
    assert taken.wait(5)
    try:
        yield
    finally:
        release.set()
        holder.join(5)


@pytest.fixture
def buyer(doc):  # type: ignore[no-untyped-def]
    user = make_user("buyer1")
    buy(user, doc)
    return user


def test_slots_default_to_one_fewer_than_the_workers_and_the_setting_wins(monkeypatch):
    monkeypatch.setenv("FANWEN_WEB_WORKERS", "2")
    monkeypatch.setattr(download_slot.os, "cpu_count", lambda: 8)
    assert render_slots() == 1
    monkeypatch.setenv("FANWEN_WEB_WORKERS", "6")
    assert render_slots() == 5
    monkeypatch.setattr(download_slot.os, "cpu_count", lambda: 2)
    assert render_slots() == 1  # a CPU stays with the pages too
    with override_settings(FANWEN_PDF_RENDERS=3):
        assert render_slots() == 3


@override_settings(FANWEN_PDF_RENDERS=2)
def test_only_that_many_holders_at_once():
    with pdf_slot(wait=0) as first, pdf_slot(wait=0) as second, pdf_slot(wait=0) as third:
        assert (first, second, third) == (True, True, False)


def test_a_slot_is_given_back_after_an_exception(doc, buyer):
    with pytest.raises(RuntimeError), render_slot(user=buyer, document=doc, fmt="pdf"):
        raise RuntimeError("render failed")
    with pdf_slot(wait=0) as free:
        assert free


def test_a_short_bounded_wait_then_busy():
    with override_settings(FANWEN_PDF_RENDERS=1), pdf_slot(wait=0) as held:
        assert held
        with pdf_slot(wait=0.05) as free:
            assert not free


def test_busy_api_download_is_a_chinese_503_with_retry_after_and_no_file(doc, buyer):
    token = api_token_create(user=buyer)
    with every_slot_taken():
        response = api_download(doc, token, fmt="pdf")
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    assert response["Content-Type"].startswith("application/json")
    assert "稍后重试" in response.json()["detail"]
    assert not Delivery.objects.exists()
    assert api_download(doc, token, fmt="pdf").status_code == 200  # freed: the next one renders


def test_busy_page_download_is_a_friendly_503_with_retry(doc, buyer):
    client = Client()
    client.force_login(buyer)
    with every_slot_taken():
        response = client.get(f"/d/{doc.pk}/download/pdf/")
    assert response.status_code == 503 and response["Retry-After"]
    body = response.content.decode()
    assert "请稍后重试" in body and f'href="/d/{doc.pk}/download/pdf/"' in body
    assert not Delivery.objects.exists()


def test_busy_fill_in_is_a_503_too(doc, buyer):
    client = Client()
    client.force_login(buyer)
    with every_slot_taken():
        page = client.post(f"/d/{doc.pk}/fill/", {"action": "pdf"})
        api = client.post(
            f"/api/v1/documents/{doc.pk}/fill", {"values": {}, "format": "pdf"}, content_type="application/json"
        )
    assert page.status_code == 503 and "请稍后重试" in page.content.decode()
    assert api.status_code == 503 and "稍后重试" in api.json()["detail"]
    assert not Delivery.objects.exists()


def test_the_gate_is_asked_first_a_non_buyer_is_refused_as_usual_while_busy(doc):
    stranger = make_user("stranger")
    token = api_token_create(user=stranger)
    with every_slot_taken():
        assert api_download(doc, token, fmt="pdf").status_code == 403
        assert api_download(doc, None, fmt="pdf").status_code == 401
        client = Client()
        client.force_login(stranger)
        page = client.get(f"/d/{doc.pk}/download/pdf/")
    assert page.status_code == 302 and page["Location"].endswith("#paywall")
    assert not Delivery.objects.exists()


def test_word_needs_no_slot(doc, buyer):
    with every_slot_taken():
        assert api_download(doc, api_token_create(user=buyer)).status_code == 200


def test_a_stranger_never_takes_a_slot_a_buyer_does(doc, buyer):
    with override_settings(FANWEN_PDF_RENDERS=1), render_slot(user=make_user("nobody"), document=doc, fmt="pdf"):
        with pdf_slot(wait=0) as free:
            assert free
    with override_settings(FANWEN_PDF_RENDERS=1), render_slot(user=buyer, document=doc, fmt="pdf"):
        with pdf_slot(wait=0) as free:
            assert not free
    with pytest.raises(DownloadsBusy), override_settings(FANWEN_PDF_RENDERS=1), pdf_slot(wait=0):
        with render_slot(user=buyer, document=doc, fmt="pdf"):
            pass
