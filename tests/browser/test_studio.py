"""The author studio on a phone (375 px), in a real Chromium, through the UI only: sign in,
投稿 from the header, upload a .docx without markers (example 000 saved from Word), accept the
suggested line and move it one block down by tapping a boundary (the counts follow in place and
the line survives a reload), set category and price with the median hint, preview what an
anonymous reader will see, submit; the document waits for review with exactly the counts shown."""

from __future__ import annotations

import re

import docx
import pytest
from django.contrib.auth import get_user_model

from fanwen.core.format import MARKER_RE, parse_text
from fanwen.library.models import Document
from fanwen.library.services import document_import
from tests.browser.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

USERNAME = "wangfang"
PASSWORD = "Wangfang-pass-2024"
COUNTS = re.compile(r"免费 (\d+) 字 · 付费 (\d+) 字 · (\d+) 个章节")


@pytest.fixture
def word_file(tmp_path, transactional_db, browser):  # type: ignore[no-untyped-def]
    """Example 000 as a Word file, its markers removed; plus an author and a priced category."""
    lines = [line for line in (ROOT / "examples" / "000_2681b15fc75a1dde.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not re.fullmatch(r"\s*##paid(begin|end)##\s*", line, re.IGNORECASE)]
    document = docx.Document()
    for line in lines:
        document.add_paragraph(MARKER_RE.sub("", line))
    path = tmp_path / "学习感悟.docx"
    document.save(str(path))
    get_user_model().objects.create_user(USERNAME, password=PASSWORD)
    seller = get_user_model().objects.create_user("seller", password="seller-pass-1")
    for i, price in enumerate([300, 600, 900]):
        document_import(parsed=parse_text(f"参考{i}\n开头\n##paidbegin##付费"), price_fen=price,
                        category_name="心得体会", author_id=seller.pk)
    return path


def counts(page) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    found = COUNTS.search(page.locator("#studio-counts").inner_text())
    assert found, page.locator("#studio-counts").inner_text()
    return int(found[1]), int(found[2]), int(found[3])


def test_author_uploads_moves_the_line_previews_and_submits_on_a_phone(new_page, word_file, artifacts):
    page, watch = new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                           has_touch=True)
    page.goto("/accounts/login/?next=/")
    page.locator("input[name=username]").fill(USERNAME)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    with page.expect_navigation():
        page.locator(".usernav a", has_text="投稿").tap()
    assert page.url.endswith("/studio/")

    page.locator("input[type=file]").set_input_files(str(word_file))
    with page.expect_navigation():
        page.locator("button", has_text="上传并编辑").tap()
    assert re.search(r"/studio/drafts/\d+/$", page.url), page.url
    draft_url = page.url

    # The suggested line: before a heading, with the opening and 一、 free.
    line = page.locator(".studio-cut.is-line")
    assert line.count() == 1
    suggested = int(line.locator("button").get_attribute("data-cut"))
    first_paid = page.locator(".studio-block").nth(suggested)
    assert first_paid.get_attribute("class").count("k-heading") == 1 and "二、" in first_paid.inner_text()
    before = counts(page)
    assert before[0] > 0 and before[1] > 0

    # Move it one block down: a tap, no page load; the counts are the server's for that boundary.
    below = page.locator(f"button[data-cut='{suggested + 1}']")
    below.scroll_into_view_if_needed()
    with page.expect_response(lambda r: r.url.endswith("/line/") and r.status == 200):
        below.tap()
    assert page.url == draft_url
    after = counts(page)
    expected = tuple(int(below.get_attribute(f"data-{k}")) for k in ("free", "paid", "sections"))
    assert after == expected and after[0] > before[0] and after[1] < before[1]
    assert "is-line" in below.locator("xpath=..").get_attribute("class")
    assert "is-paid" not in (page.locator(".studio-block").nth(suggested).get_attribute("class") or "")
    overflow = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert overflow["scroll"] <= overflow["inner"], f"the editor scrolls sideways on a phone: {overflow}"
    page.evaluate("() => document.querySelector('.studio-cut.is-line').scrollIntoView({block: 'center'})")
    page.screenshot(path=str(artifacts / "studio-editor.png"), full_page=False)

    page.reload()
    assert counts(page) == after, "the moved line was not kept on the server"

    # Details: the category's median price shows as a hint; price; save.
    page.locator("select[name=category]").select_option(label="心得体会（中位价 ¥6.00）")
    assert "同类文档价格中位数 ¥6.00（3 篇）" in page.locator("#studio-median").inner_text()
    page.locator("input[name=price]").fill("6.50")
    with page.expect_navigation():
        page.locator("button", has_text="保存草稿").tap()
    assert counts(page) == after

    # The preview: the anonymous reader's page, whose card says the editor's counts.
    with page.expect_navigation():
        page.locator("#studio-preview").tap()
    assert page.url.endswith("/preview/")
    card = page.locator(".paywall").inner_text()
    assert f"剩余 {after[1]} 字 · {after[2]} 个章节 · ¥6.50 解锁全文" in card
    assert page.locator(".paywall a", has_text="登录后解锁").is_visible()
    page.screenshot(path=str(artifacts / "studio-preview.png"), full_page=False)
    with page.expect_navigation():
        page.locator(".messages a", has_text="返回编辑").tap()

    with page.expect_navigation():
        page.locator("button", has_text="提交审核").tap()
    assert page.url.endswith("/me/uploads/")
    assert "已提交审核" in page.locator(".messages").inner_text()
    assert "待审核" in page.locator("main").inner_text()
    stored = Document.objects.get(author__username=USERNAME)
    assert stored.status == Document.Status.PENDING and stored.price_fen == 650
    assert (stored.chars_free, stored.chars_paid, stored.sections_paid) == after
    watch.assert_clean()
