"""Issue #11's walk-through, on a phone (375 px) in a real Chromium: an author uploads a .docx
without markers, accepts the suggested split and moves it one block down, sets a price and
submits; sees it approved; a second user buys it with the sandbox; the author sees the sale in
the dashboard's chart; with no holding period withdraws; and is told at each step (站内信).

Server-side steps are the ones no author or buyer performs: staff approve and pay out through
the services (the review and payout queues have their own tests), and the worker's jobs (read
counts, the statistics rollup) are run in place of the worker."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from fanwen.commerce.services import ledger_check
from fanwen.library.models import Document
from fanwen.library.services import document_set_status
from fanwen.library.view_counts import flush as flush_view_counts
from fanwen.payouts.models import Payout
from fanwen.payouts.services import payout_mark_paid
from fanwen.stats.services import stats_rollup
from tests.browser.test_purchase_flow import pay_in_sandbox, submit
from tests.browser.test_studio import PASSWORD, USERNAME, counts, word_file

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
__all__ = ["word_file"]  # the studio test's fixture: example 000 as a .docx without markers
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
BUYER, BUYER_PASSWORD = "zhaolei", "Zhaolei-pass-2024"


def sign_in(page, username: str, password: str, next_url: str = "/") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/accounts/login/?next={next_url}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    submit(page, page.locator("form[action='/accounts/login/'] button[type=submit]"))


def notices(page) -> str:  # type: ignore[no-untyped-def]
    page.goto("/me/notices/")
    return page.locator("main").inner_text()


def test_author_uploads_sells_sees_the_sale_and_withdraws_on_a_phone(
    new_page, word_file, artifacts, settings
):  # type: ignore[no-untyped-def]
    settings.FANWEN_PAYOUT_HOLD_DAYS = 0
    staff = get_user_model().objects.create_user("shenhe", password="Shenhe-pass-2024", is_staff=True)
    get_user_model().objects.create_user(BUYER, password=BUYER_PASSWORD)
    page, watch = new_page(**PHONE)
    sign_in(page, USERNAME, PASSWORD, "/studio/")

    # Upload a .docx without markers; accept the suggestion, then move it one block down.
    page.locator("input[type=file]").set_input_files(str(word_file))
    submit(page, page.locator("button", has_text="上传并编辑"))
    suggested = int(page.locator(".studio-cut.is-line button").get_attribute("data-cut"))
    below = page.locator(f"button[data-cut='{suggested + 1}']")
    below.scroll_into_view_if_needed()
    with page.expect_response(lambda r: r.url.endswith("/line/") and r.status == 200):
        below.tap()
    editor_counts = counts(page)
    page.locator("input[name=price]").fill("20")
    submit(page, page.locator("button", has_text="保存草稿"))
    submit(page, page.locator("button", has_text="提交审核"))
    assert "待审核" in page.locator("main").inner_text()
    doc = Document.objects.get(author__username=USERNAME)

    # Staff approve; the author is told and the document is live with the editor's counts.
    document_set_status(document_id=doc.pk, status=Document.Status.PUBLISHED, actor=staff)
    assert f"审核通过：《{doc.title}》已发布" in notices(page)

    # A second user buys it with the sandbox; the paywall card showed the editor's counts.
    buyer_page, buyer_watch = new_page(**PHONE)
    sign_in(buyer_page, BUYER, BUYER_PASSWORD, doc.get_absolute_url())
    card = buyer_page.locator(".paywall").inner_text()
    assert f"剩余 {editor_counts[1]} 字 · {editor_counts[2]} 个章节 · ¥20.00 解锁全文" in card
    submit(buyer_page, buyer_page.locator(".paywall a.btn", has_text="解锁全文"))
    pay_in_sandbox(buyer_page, artifacts)
    assert buyer_page.locator(".doc-head .owned", has_text="已解锁全文").is_visible()

    # The worker's minute: read counts flushed, statistics rolled up.  The chart shows the sale.
    flush_view_counts()
    stats_rollup()
    page.goto("/studio/stats/?days=7&m=sales")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('stats-chart'))")
    sales = page.evaluate("() => Chart.getChart(document.getElementById('stats-chart')).data.datasets[0].data")
    assert sum(float(v) for v in sales) == 1, sales
    assert "1 笔" in page.locator(".stats-cards").inner_text()
    page.locator(".stats-chart").scroll_into_view_if_needed()
    page.locator(".stats-chart").screenshot(path=str(artifacts / "journey-sales-chart.png"))
    assert f"《{doc.title}》卖出了第一份" in notices(page)

    # No holding period: ¥14.00 (70 %) is available at once; withdraw ¥14.00.
    page.goto("/me/payouts/")
    assert "可提现：¥14.00" in page.locator("main").inner_text().replace("\n", "")
    page.locator("select[name=method]").select_option("alipay")
    page.locator("input[name=real_name]").fill("王芳")
    page.locator("input[name=alipay_login]").fill("13912345678")
    submit(page, page.locator("form[action='/me/payouts/account/'] button"))
    page.locator("input[name=amount_yuan]").fill("14")
    submit(page, page.locator("form[action='/me/payouts/request/'] button"))
    assert "已提交提现申请" in page.locator("main").inner_text()
    payout = Payout.objects.get(user__username=USERNAME)
    payout_mark_paid(payout_id=payout.pk, actor=staff, reference="BANK-20261130-01")
    told = notices(page)
    assert "提现 ¥14.00 已打款" in told and "BANK-20261130-01" in told
    page.screenshot(path=str(artifacts / "journey-notices.png"), full_page=True)
    assert re.search(r"已打款", page.locator("main").inner_text())
    assert ledger_check() == []
    watch.assert_clean()
    buyer_watch.assert_clean()
