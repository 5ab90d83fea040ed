"""提现 on a phone, in a real Chromium: an author whose sale is past the holding period sets a
payout account, asks for ¥10, and sees it; staff mark it paid in the queue; the author sees
已打款.  The page must not scroll sideways at phone width."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from fanwen.commerce.services import ledger_check
from tests.commerce.factories import make_document
from tests.payouts.helpers import sell

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
PASSWORD = "Author-pass-2024"


def login(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/?next=/me/payouts/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form[action='/accounts/login/'] button[type=submit]").click()


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"


def test_an_author_withdraws_on_a_phone_and_staff_pay_it(transactional_db, browser, new_page, settings, artifacts):
    settings.FANWEN_PAYOUT_HOLD_DAYS = 0  # as the walk-through: no holding period
    users = get_user_model().objects
    author = users.create_user("wangfang", password=PASSWORD)
    users.create_user("caiwu", password=PASSWORD, is_staff=True)
    sell(make_document(price_fen=2000, author=author, title="述职报告范文"))  # ¥14.00 share

    page, watch = new_page(**PHONE)
    login(page, "wangfang")
    assert "可提现：¥14.00" in page.locator("main").inner_text().replace("\n", "")
    page.locator("select[name=method]").select_option("alipay")
    page.locator("input[name=real_name]").fill("王芳")
    page.locator("input[name=alipay_login]").fill("13912345678")
    with page.expect_navigation():
        page.locator("form[action='/me/payouts/account/'] button").click()
    assert "收款账户已保存" in page.locator(".messages").inner_text()
    page.locator("input[name=amount_yuan]").fill("10")
    with page.expect_navigation():
        page.locator("form[action='/me/payouts/request/'] button").click()
    text = page.locator("main").inner_text()
    assert "已提交提现申请" in text and "待审核" in text and "139****5678" in text
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "payouts-author-phone.png"), full_page=True)

    staff_page, staff_watch = new_page(**PHONE)
    login(staff_page, "caiwu")
    staff_page.goto("/ops/payouts/")
    staff_page.locator("input[name=reference]").first.fill("ALIPAY-HAND-0001")
    with staff_page.expect_navigation():
        staff_page.locator("button", has_text="标记已打款").first.click()
    assert "已标记为人工打款" in staff_page.locator(".messages").inner_text()
    no_sideways_scroll(staff_page)

    page.goto("/me/payouts/")
    text = page.locator("main").inner_text()
    assert "已打款" in text and "已提现：¥10.00" in text and "可提现：¥4.00" in text.replace("\n", "")
    assert ledger_check() == []
    watch.assert_clean()
    staff_watch.assert_clean()
