"""A new reader's whole buying journey in a real Chromium, through the UI only.

Anonymous visit → paywall → sign up from the paywall card → buy with the sandbox
(the server signs an Alipay-format notification that goes through the real
verification path) → 我的文库 → top up the wallet → buy with the balance → top up
again and buy a 月卡 with the balance → a document published before the purchase is
readable through the membership → 我的订单 → the ledger balances.

Only the setup (the bundled examples, one more paid document, the default plans)
and the final ledger assertions touch the server directly.
"""

from __future__ import annotations

import importlib
import io
import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.management import call_command

from fanwen.commerce.models import Plan
from fanwen.commerce.services import ledger_check
from fanwen.core.fingerprint import strip_carriers
from fanwen.core.format import parse_text
from fanwen.library.models import Document
from fanwen.library.page_cache import anonymous_page_key
from fanwen.library.services import document_import
from tests.browser.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

INNER_TEXT = "() => document.body.innerText"
USERNAME = "lixiaoming"
PASSWORD = "Xiaoming-pass-2024"
SANDBOX_LABEL = "模拟支付"

# Distinctive sentences from the paid part of each document (never in its free part).
PAID_000 = "三是要坚持学以致用"
PAID_001 = "二、成因分析"
PAID_VIP = "每月至少到基层走访两次，形成调研报告并提交支部讨论"
VIP_TITLE = "2024年第三季度基层调研工作小结"
VIP_PRICE_FEN = 300


@dataclass
class Shop:
    learning: Document  # example 000, ¥5.00
    analysis: Document  # example 001, ¥8.00
    vip_only: Document  # created here, ¥3.00; read through the membership, never bought


@pytest.fixture
def shop(transactional_db, browser) -> Shop:
    """The two bundled examples plus one more paid document, and the default plans.

    The plans come from a data migration, which an earlier transactional test's flush
    may have wiped: put them back the way the migration does.  Depends on ``browser``
    so the ORM calls run with the async-unsafe escape set.
    """
    call_command("loadexamples", "--dir", str(ROOT / "examples"), stdout=io.StringIO())
    migration = importlib.import_module("fanwen.commerce.migrations.0003_default_plans")
    for plan in migration.PLANS:
        Plan.objects.get_or_create(code=plan["code"], defaults=plan)
    text = "\n".join(
        [
            VIP_TITLE,
            "按照单位年度工作安排，本季度围绕基层减负和服务群众开展了专题调研，现将有关情况小结如下。",
            "一、调研的基本情况",
            "本季度共走访社区十二个，召开座谈会五次，收集意见建议四十余条。",
            f"##paidbegin##二、下一步打算\n{PAID_VIP}，确保问题有台账、整改有回音。",
        ]
    )
    vip = document_import(parsed=parse_text(text), price_fen=VIP_PRICE_FEN, category_name="工作总结")
    documents = {d.source_name: d for d in Document.objects.exclude(pk=vip.document_id)}
    learning = next(d for name, d in documents.items() if name.startswith("000_"))
    analysis = next(d for name, d in documents.items() if name.startswith("001_"))
    for document_id in (learning.pk, analysis.pk, vip.document_id):
        cache.delete(anonymous_page_key(document_id))
    return Shop(learning, analysis, Document.objects.get(pk=vip.document_id))


def body_text(page) -> str:
    return page.evaluate(INNER_TEXT)


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def assert_full_text(page, document: Document, paid_text: str) -> None:
    assert page.url.endswith(document.get_absolute_url()), page.url
    assert page.locator("h1").first.inner_text() == document.title
    assert paid_text in strip_carriers(body_text(page)), f"{document.title}: paid text not shown after buying"
    assert page.locator(".paywall").count() == 0
    assert page.locator(".doc-head .owned", has_text="已解锁全文").is_visible()


def pay_in_sandbox(page, artifacts, shot: str | None = None) -> None:
    """On /buy/: pick 模拟支付, confirm, and pay on the sandbox checkout."""
    sandbox = page.locator("label.method", has_text=SANDBOX_LABEL)
    assert sandbox.count() == 1, body_text(page)
    sandbox.locator("input[type=radio]").check()
    submit(page, page.locator("form[action='/buy/'] button[type=submit]"))
    assert re.search(r"/payments/sandbox/checkout/[^/]+/$", page.url), page.url
    assert page.locator("h1").inner_text() == "模拟收银台"
    if shot:
        page.screenshot(path=str(artifacts / shot), full_page=True)
    submit(page, page.locator("form button[type=submit]", has_text="确认支付"))


def test_new_reader_signs_up_buys_tops_up_and_joins(new_page, shop, artifacts):
    page, watch = new_page(viewport={"width": 1280, "height": 900})

    # 1. Home → the first example → its paywall card.
    page.goto("/")
    submit(page, page.locator("a.t", has_text=shop.learning.title).first)
    assert page.url.endswith(shop.learning.get_absolute_url())
    paywall = page.locator(".paywall")
    assert paywall.is_visible()
    assert "¥5.00 解锁全文" in paywall.inner_text()
    assert PAID_000 not in page.content()

    # 2. Sign up from the paywall card: `next` leads straight to the buy page.
    submit(page, paywall.locator("a", has_text="免费注册"))
    assert "/accounts/signup/" in page.url
    page.locator("input[name=username]").fill(USERNAME)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    submit(page, page.locator("form[action='/accounts/signup/'] button[type=submit]"))
    assert page.url.endswith(f"/buy/?document={shop.learning.pk}"), page.url
    assert "注册成功" in page.locator(".messages").inner_text()
    assert page.locator(".usernav a").first.inner_text() == USERNAME

    # 3. Back on the document the card now offers to buy; pay with the sandbox.
    submit(page, page.locator(".card.form a", has_text=shop.learning.title))
    assert shop.learning.get_absolute_url() in page.url
    assert PAID_000 not in page.content()
    submit(page, page.locator(".paywall a.btn", has_text="解锁全文"))
    assert page.url.endswith(f"/buy/?document={shop.learning.pk}")
    assert "应付金额：¥5.00" in body_text(page)
    wallet_option = page.locator("label.method", has_text="余额支付").locator("input")
    assert wallet_option.is_disabled(), "an empty wallet must not be offered"
    page.screenshot(path=str(artifacts / "purchase-buy-page.png"), full_page=True)
    pay_in_sandbox(page, artifacts, shot="purchase-sandbox-checkout.png")
    assert_full_text(page, shop.learning, PAID_000)
    assert "支付成功" in page.locator(".messages").inner_text()
    page.screenshot(path=str(artifacts / "purchase-document-unlocked.png"), full_page=True)

    # 4. 我的文库 (the header's username link) lists it.
    submit(page, page.locator(".usernav a", has_text=USERNAME))
    assert page.url.endswith("/me/")
    library = page.locator("section.card", has_text="我的文库")
    assert library.locator("a.t", has_text=shop.learning.title).is_visible()
    assert library.locator("a.t", has_text=shop.analysis.title).count() == 0

    # 5. Top up ¥30 through the sandbox.
    submit(page, page.locator("a", has_text="余额 ¥0.00"))
    assert page.url.endswith("/me/wallet/")
    submit(page, page.locator(".tags a", has_text="¥30"))
    assert "余额充值" in body_text(page) and "应付金额：¥30.00" in body_text(page)
    assert page.locator("label.method", has_text="余额支付").count() == 0
    pay_in_sandbox(page, artifacts)
    assert page.url.endswith("/me/wallet/")
    assert page.locator("aside .big.price").inner_text() == "¥30.00"
    page.screenshot(path=str(artifacts / "purchase-wallet.png"), full_page=True)

    # 6. The second example, paid with the balance from its paywall card.
    page.locator(".brand").click()
    page.wait_for_url(re.compile(r"/$"))
    submit(page, page.locator("a.t", has_text=shop.analysis.title).first)
    assert PAID_001 not in page.content()
    submit(page, page.locator(".paywall a.btn", has_text="¥8.00 解锁全文"))
    wallet_label = page.locator("label.method", has_text="余额支付")
    assert "当前余额 ¥30.00" in wallet_label.inner_text()
    wallet_label.locator("input").check()
    submit(page, page.locator("form[action='/buy/'] button[type=submit]", has_text="确认支付 ¥8.00"))
    assert_full_text(page, shop.analysis, PAID_001)
    assert "余额支付 ¥8.00" in page.locator(".messages").inner_text()

    # 7. 月卡 (¥30) with a ¥22 balance: top up ¥8 from the buy page, then pay with the balance.
    page.goto("/vip/")
    month = page.locator(".plan", has_text="月卡")
    assert "¥30.00" in month.inner_text()
    submit(page, month.locator("a.btn", has_text="开通"))
    assert page.url.endswith("/buy/?plan=month")
    wallet_label = page.locator("label.method", has_text="余额支付")
    assert wallet_label.locator("input").is_disabled()
    assert "当前余额 ¥22.00，不足" in wallet_label.inner_text()
    # The shortfall is offered as a top-up that returns to this checkout once paid.
    submit(page, wallet_label.locator("a", has_text="充值差额 ¥8.00"))
    assert "应付金额：¥8.00" in body_text(page)
    pay_in_sandbox(page, artifacts)
    assert page.url.endswith("/buy/?plan=month"), page.url
    wallet_label = page.locator("label.method", has_text="余额支付")
    assert "当前余额 ¥30.00" in wallet_label.inner_text()
    assert wallet_label.locator("input").is_checked()
    submit(page, page.locator("form[action='/buy/'] button[type=submit]", has_text="确认支付 ¥30.00"))
    assert page.url.endswith("/vip/")
    assert "您是会员，有效期至" in body_text(page)
    page.screenshot(path=str(artifacts / "purchase-vip.png"), full_page=True)

    # The third document was never bought: the membership opens it.
    page.locator(".brand").click()
    page.wait_for_url(re.compile(r"/$"))
    submit(page, page.locator("a.t", has_text=VIP_TITLE).first)
    assert_full_text(page, shop.vip_only, PAID_VIP)

    # 8. 我的订单: five orders, all paid.
    page.goto("/me/")
    submit(page, page.locator("a", has_text="我的订单"))
    assert page.url.endswith("/me/orders/")
    rows = page.locator("table.plain tr").all()[1:]
    orders = [[cell.inner_text() for cell in row.locator("td").all()] for row in rows]
    assert [(subject, amount, status) for _, subject, amount, status in orders] == [
        ("范文库会员：月卡", "¥30.00", "已支付"),
        ("范文库余额充值", "¥8.00", "已支付"),
        (f"范文库文档：{shop.analysis.title}", "¥8.00", "已支付"),
        ("范文库余额充值", "¥30.00", "已支付"),
        (f"范文库文档：{shop.learning.title}", "¥5.00", "已支付"),
    ], orders
    page.screenshot(path=str(artifacts / "purchase-orders.png"), full_page=True)

    watch.assert_clean()

    # 9. The books balance.
    assert ledger_check() == []
    out = io.StringIO()
    call_command("ledger", "check", stdout=out)
    assert out.getvalue().startswith("ledger ok:"), out.getvalue()
