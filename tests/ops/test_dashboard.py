"""/ops/: the site's numbers against a known dataset (conftest.known), staff only, CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from fanwen.ops import selectors
from fanwen.ops.present import funnel

pytestmark = pytest.mark.django_db

OPS_URLS = ["/ops/", "/ops/?days=365&m=users", "/ops/export/days.csv?days=30", "/ops/export/searches.csv",
            "/ops/audit/"]


def test_the_numbers_match_the_known_dataset(known):
    board = selectors.dashboard(days=30)
    t = board.totals
    assert (t.paid, t.paid_fen) == (4, 1000 + 1000 + 500 + 500)
    assert (t.refunds, t.refunds_fen) == (1, 1000)
    assert t.users == get_user_model().objects.count() - 1  # one joined 40 days ago
    assert (t.uploads, t.pending) == (3, 1)
    assert (t.reads, t.paywall_views) == (150, 50)  # the view 40 days ago is outside
    assert (t.checkouts, t.checkouts_paid) == (5, 4)
    today = board.series[-1]
    assert today.day == timezone.localdate() and (today.paid, today.paid_fen) == (3, 2500)
    earlier = next(r for r in board.series if r.day == timezone.localdate() - timezone.timedelta(days=5))
    assert (earlier.paid, earlier.paid_fen, earlier.checkouts) == (1, 500, 1)
    w = board.waiting
    assert w.backlog == 1 and 3 * 86400 - 60 < w.backlog_age.total_seconds() < 3 * 86400 + 60
    assert (w.payouts, w.payouts_fen) == (2, 5000)
    assert w.reports == 1  # open ones only
    assert board.top_queries == [("工作总结", 3), ("火星文档", 2), ("述职报告", 2), ("量子党建", 1)]  # ties by text
    assert board.zero_queries == [("火星文档", 2), ("量子党建", 1)]
    assert board.searches == 8
    assert funnel(t) == [("文档浏览", 150, "—"), ("付费墙展示", 50, "33.3%"), ("下单", 5, "10.0%"),
                         ("支付", 4, "80.0%")]


def test_a_seven_day_period_and_a_year(known):
    week, year = selectors.dashboard(days=7), selectors.dashboard(days=365)
    assert len(week.series) == 7 and len(year.series) == 365
    assert week.totals.paid == 4 and year.totals.reads == 157


def test_the_page_shows_the_figures_and_the_open_reports(client, known):
    client.force_login(known.staff)
    body = client.get("/ops/?days=30").content.decode()
    for text in ("¥30.00", "4 笔支付", "<span>待处理举报</span><strong>1</strong>", "3 天", "¥50.00", "火星文档",
                 "ops-chart-days", "ops-chart-funnel", 'href="/ops/audit/"', 'href="/ops/payouts/"',
                 'href="/ops/review/"', 'href="/ops/reports/"'):
        assert text in body, text
    assert "举报功能未启用" not in body
    assert "<script>" not in body.replace('<script id="', "")  # data only, no inline script


def test_open_reports_follow_the_configured_model(known, settings):
    settings.FANWEN_OPS_REPORT_MODEL = "payouts.Payout"  # stands in for community.Report
    settings.FANWEN_OPS_REPORT_OPEN = {"status": "requested"}
    assert selectors.open_reports() == 1
    settings.FANWEN_OPS_REPORT_OPEN = {"no_such_field": "open"}
    assert selectors.open_reports() is None


def test_staff_only(client, known):
    for url in OPS_URLS:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    client.force_login(known.reader)
    for url in OPS_URLS:
        assert client.get(url).status_code == 404, url
    client.force_login(known.staff)
    for url in OPS_URLS:
        assert client.get(url).status_code == 200, url


def test_csv_days_and_searches(client, known):
    client.force_login(known.staff)
    response = client.get("/ops/export/days.csv?days=7")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["日期", "支付订单", "销售额（元）"] and len(rows) == 8
    assert rows[-1][:5] == [timezone.localdate().isoformat(), "3", "25.00", "1", "10.00"]
    rows = list(csv.reader(io.StringIO(client.get("/ops/export/searches.csv").content.decode("utf-8-sig"))))
    assert ["热门搜索", "工作总结", "3"] in rows and ["无结果搜索", "火星文档", "2"] in rows


def test_a_bad_period_is_the_default_not_an_error(client, known):
    client.force_login(known.staff)
    assert client.get("/ops/?days=abc&m=nope").status_code == 200
    assert client.get("/ops/export/days.csv?days=99999999999999999999").status_code == 200


def test_read_count_flushes_feed_the_site_views(client, known):
    from fanwen.library import view_counts
    from fanwen.ops.models import SiteDay

    before = SiteDay.objects.get(day=timezone.localdate()).reads
    client.get(f"/d/{known.doc.pk}/")
    client.get(f"/d/{known.doc.pk}/")
    view_counts.flush()
    row = SiteDay.objects.get(day=timezone.localdate())
    assert row.reads == before + 2 and row.paywall_views >= 52


def test_the_search_panels_are_a_snapshot_the_worker_refreshes(known):
    from fanwen.ops.services import ops_refresh
    from fanwen.search.services import search_log

    assert selectors.dashboard(days=7).searches == 8
    search_log(query="新的搜索", total=1)
    assert selectors.dashboard(days=7).searches == 8  # the snapshot, until it is refreshed
    ops_refresh()  # fresh: kept
    assert selectors.dashboard(days=7).searches == 8
    selectors.SEARCH_REFRESH, saved = timezone.timedelta(0), selectors.SEARCH_REFRESH
    try:
        ops_refresh()
    finally:
        selectors.SEARCH_REFRESH = saved
    board = selectors.dashboard(days=7)
    assert board.searches == 9 and ("新的搜索", 1) in board.top_queries


def test_today_is_live_and_the_days_before_are_cached_for_an_hour(known):
    from django.core.cache import cache

    from fanwen.commerce.models import Order
    from tests.stats.test_rollup import sell

    assert selectors.dashboard(days=7).series[-1].paid == 3
    order = sell(known.doc)
    assert selectors.dashboard(days=7).series[-1].paid == 4  # today: live
    yesterday = timezone.now() - timezone.timedelta(days=1)
    Order.objects.filter(pk=order.pk).update(created_at=yesterday, paid_at=yesterday)
    board = selectors.dashboard(days=7)
    assert board.series[-1].paid == 3 and board.series[-2].paid == 0  # yesterday: as cached
    cache.clear()
    assert selectors.dashboard(days=7).series[-2].paid == 1
