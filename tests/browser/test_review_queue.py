"""The review queue on a 375 px phone, in a real Chromium: an edited copy of a published example,
uploaded by another author, is in the queue with the original as its top match; staff open the
side-by-side comparison and reject it as 内容重复; the author is told.  No sideways scroll."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from fanwen.core.reader import read_bytes
from fanwen.library.models import Document
from fanwen.library.services import document_import
from fanwen.moderation.services import dupes_check_pending
from fanwen.notices.models import Notice
from tests.browser.test_payouts_flow import PASSWORD, login
from tests.core.neardup_cases import edited, example

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375


def test_staff_find_the_copy_compare_and_reject_on_a_phone(transactional_db, browser, new_page, artifacts):
    users = get_user_model().objects
    owner = users.create_user("yuanzuo", password=PASSWORD)
    copier = users.create_user("chaoxi", password=PASSWORD)
    users.create_user("shenhe", password=PASSWORD, is_staff=True)
    original = document_import(parsed=read_bytes(example(0).encode(), name="a.txt"), price_fen=500,
                               author_id=owner.pk).document_id
    copy = document_import(parsed=read_bytes(edited(example(0), 0.2, seed=7).encode("gb18030"), name="b.txt"),
                           price_fen=300, author_id=copier.pk, status=Document.Status.PENDING).document_id
    dupes_check_pending()  # what the worker does within a second

    page, watch = new_page(**PHONE)
    login(page, "shenhe")
    page.goto("/ops/review/")
    text = page.locator("main").inner_text()
    assert "待审核 1 篇" in text and "疑似重复" in text
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "review-queue-phone.png"), full_page=True)

    with page.expect_navigation():
        page.locator(f"a[href='/ops/review/{copy}/']").click()
    assert "作者记录" in page.locator("main").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "review-detail-phone.png"))
    with page.expect_navigation():
        page.locator(f"a[href='/ops/review/{copy}/compare/{original}/']").click()
    assert "第 1 处" in page.locator("main").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "review-compare-phone.png"))

    page.goto(f"/ops/review/{copy}/")
    page.locator("input[name=reason][value=内容重复]").check()
    with page.expect_navigation():
        page.locator("button[value=reject]").click()
    assert "已驳回 1 篇" in page.locator(".messages").inner_text()
    assert Document.objects.get(pk=copy).status == Document.Status.REJECTED
    assert "内容重复" in Notice.objects.get(user=copier).body
    watch.assert_clean()
