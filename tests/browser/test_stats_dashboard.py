"""The author dashboard on a phone: the chart draws under the CSP (no inline script), prints
its values, and nothing scrolls sideways.  The screenshot illustrates the README."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from fanwen.core.format import parse_text
from fanwen.library.services import document_import
from fanwen.stats.services import stats_add, stats_rollup
from tests.stats.test_rollup import refund, sell

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TITLES = ["2024年度个人党性分析报告", "关于加强基层党组织建设的调研报告", "主题教育专题民主生活会对照检查材料",
          "年度述职述廉报告（乡镇干部）", "新入职教师培训心得体会"]


def test_dashboard_on_a_phone(new_page, browser, transactional_db, artifacts):
    from fanwen.library.models import Document

    author = get_user_model().objects.create_user("wangfang", password="author-pass-1")
    docs = []
    for i, title in enumerate(TITLES):
        result = document_import(parsed=parse_text(f"{title}\n免费开头{i}\n##paidbegin##付费正文{i}"),
                                 price_fen=990 + 500 * i, author_id=author.pk)
        docs.append(Document.objects.get(pk=result.document_id))
    sold = [sell(docs[0]) for _ in range(3)] + [sell(docs[1])]
    refund(sold[0])
    stats_rollup()
    rng = random.Random(11)
    today = timezone.localdate()
    stats_add(
        (doc.pk, author.pk, today - timedelta(days=offset),
         {"reads": (reads := rng.randrange(5, 60) // (i + 1)), "paywall_views": reads * 4 // 5,
          "sales": (n := rng.randrange(0, 3) if i < 3 else 0), "sales_fen": n * doc.price_fen,
          "net_fen": n * doc.price_fen * 70 // 100})
        for offset in range(1, 30) for i, doc in enumerate(docs)
    )

    page, watch = new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                           has_touch=True)
    page.goto("/accounts/login/?next=/studio/stats/%3Fdays%3D30")
    page.fill("input[name=username]", "wangfang")
    page.fill("input[name=password]", "author-pass-1")
    page.click("main button[type=submit]")
    page.wait_for_url("**/studio/stats/**")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('stats-chart'))")
    assert page.evaluate("() => Chart.getChart(document.getElementById('stats-chart')).data.labels.length") == 30
    overflow = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert overflow["scroll"] <= overflow["inner"], f"page scrolls sideways on a phone: {overflow}"
    assert page.locator(".stats-cards").is_visible()
    assert page.locator("text=下载 CSV").first.is_visible()
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "stats-dashboard-mobile.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": 375, "height": 1240})

    page.goto("/studio/stats/?days=365&m=sales")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('stats-chart'))")
    assert page.evaluate("() => Chart.getChart(document.getElementById('stats-chart')).data.labels.length") in (12, 13)
    page.goto(f"/studio/stats/{docs[0].pk}/?days=7")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('stats-chart'))")
    watch.assert_clean()
