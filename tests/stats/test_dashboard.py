"""/studio/stats/: the author's own numbers only, in a table, a chart and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from fanwen.stats.models import DocumentDay
from fanwen.stats.services import stats_add, stats_rollup
from tests.commerce.factories import make_document, make_user
from tests.stats.test_rollup import refund, sell

pytestmark = pytest.mark.django_db


def add(doc, offset: int = 0, **values: int) -> None:  # type: ignore[no-untyped-def]
    stats_add([(doc.pk, doc.author_id, timezone.localdate() - timedelta(days=offset), values)])


def chart(html: str) -> dict:  # type: ignore[type-arg]
    found = re.search(r'<script id="stats-chart-data" type="application/json">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def test_sign_in_is_required(client):
    response = client.get("/studio/stats/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_new_author_gets_a_helpful_empty_state(client):
    client.force_login(make_user())
    html = client.get("/studio/stats/").content.decode()
    assert "还没有数据" in html and "/me/upload/" in html


def test_totals_documents_and_days_for_the_period(client):
    author = make_user()
    best = make_document(price_fen=1000, author=author, title="卖得最好")
    quiet = make_document(price_fen=500, author=author, title="没人买")
    add(best, 0, reads=10, paywall_views=8, sales=2, sales_fen=2000, net_fen=1400)
    add(best, 6, reads=5, paywall_views=5, sales=1, sales_fen=1000, refunds=1, refunds_fen=1000, net_fen=0)
    add(best, 20, reads=100, sales=9, sales_fen=9000, net_fen=6300)  # outside 7 days, inside 30
    add(quiet, 1, reads=4, paywall_views=4)
    client.force_login(author)

    html = client.get("/studio/stats/?days=7").content.decode()

    assert "近 7 天" in html
    assert html.index("卖得最好") < html.index("没人买")  # most net earnings first
    assert "¥14.00" in html  # net in 7 days
    assert "15.79%" in html  # 3 sales ÷ 19 reads
    data = chart(html)
    assert len(data["labels"]) == 7 and data["texts"][-1] == "14.00"
    assert f"/studio/stats/{best.pk}/?days=7" in html

    html30 = client.get("/studio/stats/?days=30&m=sales").content.decode()
    assert "¥77.00" in html30
    assert len(chart(html30)["values"]) == 30 and chart(html30)["values"][-1] == 2


def test_365_days_chart_is_by_month_and_the_table_is_by_day(client):
    author = make_user()
    doc = make_document(price_fen=1000, author=author)
    add(doc, 0, reads=1)
    add(doc, 300, reads=2, sales=1, net_fen=700)
    client.force_login(author)
    html = client.get("/studio/stats/?days=365").content.decode()
    data = chart(html)
    assert 12 <= len(data["labels"]) <= 13 and re.fullmatch(r"\d{4}-\d{2}", data["labels"][0])
    assert html.count("<tr") >= 365
    assert "¥7.00" in html


def test_bad_period_falls_back_to_30_days(client):
    author = make_user()
    make_document(author=author)
    client.force_login(author)
    for raw in ("abc", "8", "-1", "99999999999999999999", "\u4e00"):
        response = client.get(f"/studio/stats/?days={raw}&m=nope&page=zz")
        assert response.status_code == 200 and "近 30 天" in response.content.decode()


def test_another_authors_numbers_are_never_shown(client):
    mine, theirs = make_user(), make_user()
    own = make_document(author=mine, title="我的文档")
    foreign = make_document(author=theirs, title="别人的文档")
    add(foreign, 0, reads=999, sales=77, sales_fen=77000, net_fen=53900)
    add(own, 0, reads=1)
    client.force_login(mine)

    html = client.get("/studio/stats/").content.decode()
    assert "别人的文档" not in html and "999" not in html and "539.00" not in html
    assert client.get(f"/studio/stats/{foreign.pk}/").status_code == 404
    assert client.get(f"/studio/stats/{foreign.pk}/days.csv").status_code == 404
    assert client.get("/studio/stats/99999999/").status_code == 404
    assert client.get(f"/studio/stats/{2**63}/").status_code == 404
    documents = client.get("/studio/stats/documents.csv").content.decode("utf-8-sig")
    assert "别人的文档" not in documents
    assert client.get(f"/studio/stats/{own.pk}/").status_code == 200


def test_the_per_document_page(client):
    author = make_user()
    doc = make_document(price_fen=1000, author=author, title="单篇")
    order = sell(doc)
    refund(order)
    sell(doc)
    stats_rollup()
    client.force_login(author)
    html = client.get(f"/studio/stats/{doc.pk}/?days=7").content.decode()
    assert "单篇" in html and "2 笔" in html and "1 笔" in html and "¥7.00" in html


def test_csv_has_a_bom_yuan_with_two_decimals_and_fen(client):
    author = make_user()
    doc = make_document(price_fen=1000, author=author, title="=HYPERLINK(\"x\")")
    add(doc, 0, reads=3, paywall_views=2, sales=1, sales_fen=1000, refunds=1, refunds_fen=1000, net_fen=-5)
    client.force_login(author)

    response = client.get("/studio/stats/days.csv?days=7")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:9] == ["日期", "阅读", "付费墙展示", "销售笔数", "销售额（元）", "退款笔数", "退款额（元）", "净收益（元）", "转化率"]
    assert len(rows) == 1 + 7
    assert rows[-1] == [timezone.localdate().isoformat(), "3", "2", "1", "10.00", "1", "10.00", "-0.05", "33.33%",
                        "1000", "1000", "-5"]
    assert rows[1][1:8] == ["0", "0", "0", "0.00", "0", "0.00", "0.00"]

    documents = list(csv.reader(io.StringIO(client.get("/studio/stats/documents.csv").content.decode("utf-8-sig"))))
    assert documents[1][:3] == [str(doc.pk), "'=HYPERLINK(\"x\")", "3"]

    single = client.get(f"/studio/stats/{doc.pk}/days.csv?days=30").content
    assert single.startswith(b"\xef\xbb\xbf") and len(single.decode("utf-8-sig").splitlines()) == 31


def test_the_page_shows_no_document_text_beyond_titles(client):
    author = make_user()
    doc = make_document(price_fen=1000, author=author, title="标题可见")
    add(doc, 0, reads=1)
    client.force_login(author)
    for url in ("/studio/stats/", f"/studio/stats/{doc.pk}/", "/studio/stats/documents.csv"):
        body = client.get(url).content.decode("utf-8-sig")
        assert "标题可见" in body
        assert "免费开头" not in body and "付费正文" not in body


def test_no_inline_script_and_assets_are_served_locally(client):
    author = make_user()
    make_document(author=author)
    client.force_login(author)
    response = client.get("/studio/stats/")
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attrs, _body in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
        assert "src=" not in attrs or "/static/" in attrs
    assert "/static/fanwen/vendor/chartjs/chart.umd.min.js" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_document_table_is_paged(client):
    author = make_user()
    docs = [make_document(author=author) for _ in range(55)]
    DocumentDay.objects.all().delete()
    client.force_login(author)
    html = client.get("/studio/stats/?page=2").content.decode()
    assert "第 2 / 2 页" in html
    assert html.count("/studio/stats/") >= 5
    assert len(docs) == 55


def test_a_big_authors_table_comes_from_the_minutely_refresh(client, monkeypatch):
    from fanwen.stats import selectors
    from fanwen.stats.services import stats_periods_refresh

    monkeypatch.setattr(selectors, "LIVE_DOCUMENTS_MAX", 2)
    author = make_user()
    docs = [make_document(author=author, title=f"大作者文档{i}") for i in range(3)]
    add(docs[1], 0, reads=5, sales=1, sales_fen=500, net_fen=350)
    add(docs[2], 40, reads=9, sales=2, sales_fen=1000, net_fen=700)  # only in the 365-day window
    client.force_login(author)

    before = client.get("/studio/stats/?days=30").content.decode()
    assert "¥3.50" in before and "大作者文档1" in before  # not computed yet: aggregated now

    assert stats_periods_refresh() == 1
    assert stats_periods_refresh() == 0  # nothing changed since
    html30 = client.get("/studio/stats/?days=30").content.decode()
    assert "每分钟更新" in html30 and "共 1 篇有数据" in html30
    assert "大作者文档1" in html30 and "大作者文档2" not in html30
    html365 = client.get("/studio/stats/?days=365").content.decode()
    assert html365.index("大作者文档2") < html365.index("大作者文档1")  # ¥7.00 before ¥3.50

    add(docs[0], 0, net_fen=9900, sales=1)  # a change marks the author again
    assert stats_periods_refresh() == 1
    html = client.get("/studio/stats/?days=7").content.decode()
    assert html.index("大作者文档0") < html.index("大作者文档1")


def test_the_api_gives_the_same_numbers_to_the_author_only(client):
    author, other = make_user(), make_user()
    doc = make_document(price_fen=1000, author=author, title="接口文档")
    add(doc, 0, reads=4, paywall_views=3, sales=1, sales_fen=1000, net_fen=700)
    assert client.get("/api/v1/me/stats?days=7").status_code == 401
    client.force_login(author)
    body = client.get("/api/v1/me/stats?days=7").json()
    assert body["days"] == 7 and len(body["series"]) == 7
    assert body["totals"]["net_fen"] == 700 and body["totals"]["conversion"] == 0.25
    assert body["documents"][0]["title"] == "接口文档"
    assert client.get(f"/api/v1/me/stats?document_id={doc.pk}").json()["totals"]["reads"] == 4
    client.force_login(other)
    assert client.get(f"/api/v1/me/stats?document_id={doc.pk}").status_code == 404
    assert client.get("/api/v1/me/stats").json()["totals"]["reads"] == 0
