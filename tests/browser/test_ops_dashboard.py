"""The operator dashboard on a phone: every chart draws under the CSP (no inline script) with
its values printed, nothing scrolls sideways.  The screenshot illustrates the README."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from fanwen.commerce.models import Order
from fanwen.ops.services import site_views_add
from fanwen.search.models import SearchQueryDay
from tests.ops.conftest import build_known

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

QUERIES = ["年终总结", "党性分析报告", "述职报告", "心得体会", "入党申请书", "工作计划", "辞职报告", "检讨书"]


def test_ops_dashboard_on_a_phone(new_page, browser, transactional_db, artifacts):
    known = build_known()
    known.staff.set_password("staff-pass-1")
    known.staff.save()
    rng = random.Random(12)
    today = timezone.localdate()
    for offset in range(1, 30):
        site_views_add(day=today - timedelta(days=offset), reads=(r := rng.randrange(40, 200)), paywall_views=r * 2 // 5)
    paid = list(Order.objects.filter(paid_at__isnull=False).values_list("pk", flat=True))
    for i, pk in enumerate(paid):  # spread the sales over the month
        when = timezone.now() - timedelta(days=i * 7 + 1)
        Order.objects.filter(pk=pk).update(created_at=when, paid_at=when)
    SearchQueryDay.objects.bulk_create(
        SearchQueryDay(day=today - timedelta(days=d), query=q, searches=rng.randrange(1, 30), zero_results=0)
        for d in range(1, 8) for q in QUERIES)

    page, watch = new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                           has_touch=True)
    page.goto("/accounts/login/?next=/ops/%3Fdays%3D30")
    page.fill("input[name=username]", known.staff.username)
    page.fill("input[name=password]", "staff-pass-1")
    page.click("main button[type=submit]")
    page.wait_for_url("**/ops/**")
    page.wait_for_function("() => window.Chart && document.querySelectorAll('canvas[data-chart]').length === 4"
                           " && [...document.querySelectorAll('canvas[data-chart]')].every(c => Chart.getChart(c))")
    labels = page.evaluate("() => Chart.getChart(document.querySelector('canvas[data-chart=\"ops-chart-days\"]'))"
                           ".data.labels.length")
    assert labels == 30
    overflow = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert overflow["scroll"] <= overflow["inner"], f"page scrolls sideways on a phone: {overflow}"
    assert page.locator("text=待处理举报").is_visible()
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "ops-dashboard-mobile.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": 375, "height": 1400})

    page.goto("/ops/audit/")
    overflow = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert overflow["scroll"] <= overflow["inner"], f"audit page scrolls sideways on a phone: {overflow}"
    assert page.locator("text=操作记录").first.is_visible()
    watch.assert_clean()
