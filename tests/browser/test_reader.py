"""The reader's document page in a real Chromium: anonymous, granted, and on a phone.

What a browser adds over the test client: the paywall card is actually rendered and
visible, paid text is absent from the DOM and from what is painted, the login form
works with its CSRF cookie, the phone layout does not scroll sideways, and no page
logs a console error or loads a missing resource.
"""

from __future__ import annotations

import re

import pytest

from fanwen.core.fingerprint import strip_carriers
from tests.browser.conftest import PRICE_FEN

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PRICE = f"¥{PRICE_FEN // 100}.{PRICE_FEN % 100:02d}"
PAYWALL_TEXT = re.compile(r"剩余 \d+ 字 · \d+ 个章节 · ¥\d+\.\d\d 解锁全文")
INNER_TEXT = "() => document.body.innerText"


def assert_gated(page, planted) -> None:
    """The anonymous view: title, free text and the paywall card; no paid text anywhere."""
    assert page.locator("h1").first.inner_text() == planted.title
    body_text = page.evaluate(INNER_TEXT)
    for free in planted.free_texts:
        assert free in body_text
    paywall = page.locator(".paywall")
    assert paywall.count() == 1
    assert paywall.is_visible()
    card = paywall.inner_text()
    assert PAYWALL_TEXT.search(card), card
    assert PRICE in card
    html = page.content()
    for name, canary in planted.canaries.items():
        assert canary not in html, f"paid canary {name} is in the page source"
        assert canary not in body_text, f"paid canary {name} is shown"


def test_anonymous_reader_sees_free_part_and_paywall(new_page, planted, artifacts):
    page, watch = new_page(viewport={"width": 1280, "height": 900})
    response = page.goto(planted.path)
    assert response is not None and response.status == 200
    assert_gated(page, planted)
    page.screenshot(path=str(artifacts / "anonymous-document.png"), full_page=True)
    watch.assert_clean()


def test_granted_reader_logs_in_and_sees_full_text(new_page, planted, artifacts):
    page, watch = new_page(viewport={"width": 1280, "height": 900})
    # A returning buyer: gated page first, then the header's 登录 link (next = this page).
    page.goto(planted.path)
    assert_gated(page, planted)
    page.locator(".usernav a", has_text="登录").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.locator("input[name=username]").fill(planted.reader_username)
    page.locator("input[name=password]").fill(planted.reader_password)
    with page.expect_navigation():
        page.locator("form[action='/accounts/login/'] button[type=submit]").click()

    # `next` brings the reader back to the document, and a fresh load shows the same:
    # neither the browser's cached anonymous copy (public, max-age) nor the server's
    # anonymous page cache may be served to the signed-in reader.
    for attempt in ("after login redirect", "after reload"):
        if attempt == "after reload":
            page.goto(planted.path)
        assert page.url.endswith(planted.path), (attempt, page.url)
        assert page.locator(".usernav").inner_text().startswith(planted.reader_username), attempt
        body_text = strip_carriers(page.evaluate(INNER_TEXT))  # the copy carries the reader's fingerprint
        for free in planted.free_texts:
            assert free in body_text, attempt
        for name, canary in planted.canaries.items():
            assert canary in body_text, f"{attempt}: paid canary {name} not shown to the granted reader"
        assert page.locator(".paywall").count() == 0, attempt
        assert not PAYWALL_TEXT.search(body_text), attempt
    page.screenshot(path=str(artifacts / "granted-document.png"), full_page=True)
    watch.assert_clean()


def test_phone_shows_paywall_without_sideways_scroll(new_page, planted, artifacts):
    page, watch = new_page(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page.goto(planted.path)
    assert_gated(page, planted)
    overflow = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert overflow["scroll"] <= overflow["inner"], f"page scrolls sideways on a phone: {overflow}"
    paywall = page.locator(".paywall")
    paywall.scroll_into_view_if_needed()
    assert paywall.is_visible()
    box = paywall.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= overflow["inner"], f"paywall card sticks out: {box}"
    unlock = paywall.locator("a", has_text="登录后解锁")
    assert unlock.is_visible()
    # Back to the top: a full-page capture of a scrolled page paints the sticky header mid-page.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "mobile-document.png"), full_page=True)
    watch.assert_clean()
