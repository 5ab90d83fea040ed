"""The author studio's pages: upload → draft as blocks with the line → move it (with and without
script) → details with the price hint → preview as an anonymous reader → submit for review."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fanwen.core.format import parse_text
from fanwen.library.models import Block, Category, Document
from fanwen.library.services import document_import
from fanwen.search.models import IndexOutbox
from fanwen.studio.models import Draft
from tests.conftest import EXAMPLES, FIXTURES

pytestmark = pytest.mark.django_db

PLAIN = "\n".join([
    "关于加强学习的心得体会",
    "开头：这是免费的开头段落，交代背景。" * 3,
    "一、提高认识",
    "第一部分的正文，说明为什么要加强学习。" * 4,
    "二、主要做法",
    "第二部分的正文，付费金丝雀在这里。" * 4,
    "三、下一步打算",
    "第三部分的正文，也是付费的。" * 4,
]).encode()


def upload(client: Client, content: bytes = PLAIN, name: str = "xinde.txt"):  # type: ignore[no-untyped-def]
    return client.post("/studio/", {"file": SimpleUploadedFile(name, content)})


def counts(page: str) -> tuple[int, int, int]:
    found = re.search(r'data-count="free">(\d+)</b> 字 · 付费 <b data-count="paid">(\d+)</b> 字 · '
                      r'<b data-count="sections">(\d+)</b> 个章节', page)
    assert found, "no counts on the page"
    return int(found[1]), int(found[2]), int(found[3])


def test_sign_in_required(db):
    response = Client().get("/studio/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_upload_makes_a_draft_with_the_suggested_line(client_author, author):
    response = upload(client_author)
    draft = Draft.objects.get(author=author)
    assert response.status_code == 302 and response["Location"] == f"/studio/drafts/{draft.pk}/"
    assert draft.paid_from == 3  # at 二、: the opening and 一、 with its body are free
    page = client_author.get(response["Location"]).content.decode()
    free, paid, sections = counts(page)
    assert (free, paid, sections) == (draft_counts(draft))
    assert page.count('class="studio-cut') == 7 and 'class="studio-cut is-line"' in page
    assert Document.objects.count() == 0  # nothing in review before the author submits


def draft_counts(draft: Draft) -> tuple[int, int, int]:
    from fanwen.core import paywall
    from fanwen.studio.services import draft_document

    c = paywall.split_counts(draft_document(draft).blocks)
    return c.free_chars, c.paid_chars, c.paid_sections


def test_markers_set_the_first_position(client_author, author):
    upload(client_author, (EXAMPLES / "000_2681b15fc75a1dde.txt").read_bytes(), "000.txt")
    draft = Draft.objects.get(author=author)
    parsed = parse_text((EXAMPLES / "000_2681b15fc75a1dde.txt").read_text(encoding="utf-8"))
    assert draft.paid_from == next(i for i, b in enumerate(parsed.blocks) if b.paid)


def test_moving_the_line_without_script_and_a_reload_keeps_it(client_author, author):
    upload(client_author)
    draft = Draft.objects.get(author=author)
    response = client_author.post(draft.get_absolute_url(), {"title": draft.title, "move": "6"})
    assert response.status_code == 302 and response["Location"].endswith("#line")
    draft.refresh_from_db()
    assert draft.paid_from == 6
    assert counts(client_author.get(draft.get_absolute_url()).content.decode()) == draft_counts(draft)


def test_moving_the_line_from_the_script(client_author, author):
    upload(client_author)
    draft = Draft.objects.get(author=author)
    url = f"{draft.get_absolute_url()}line/"
    assert client_author.post(url, {"paid_from": "2"}, HTTP_X_REQUESTED_WITH="fetch").json() == {"paid_from": 2}
    bad = client_author.post(url, {"paid_from": "99"}, HTTP_X_REQUESTED_WITH="fetch")
    assert bad.status_code == 400 and "分界线位置" in bad.json()["detail"]
    assert client_author.post(url, {"paid_from": "x"}, HTTP_X_REQUESTED_WITH="fetch").status_code == 400
    draft.refresh_from_db()
    assert draft.paid_from == 2


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"\x80\x81\xff\x00" * 50, "bad.txt", "无法识别文件编码"),
    (b"only a title", "t.txt", "只有标题"),
    (b"x", "a.pdf", "只支持"),
    ((FIXTURES / "hostile_not_a_zip.docx").read_bytes(), "h.docx", "文件"),
])
def test_bad_files_get_a_chinese_error(client_author, content, name, message):
    response = upload(client_author, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Draft.objects.exists()


def test_details_price_hint_preview_and_submit(client_author, author):
    category = Category.objects.create(name="心得体会", slug="xinde")
    seller = get_user_model().objects.create_user("other", password="other-pass-1")
    for i, price in enumerate([300, 500, 800]):
        document_import(parsed=parse_text(f"文{i}\n开头\n##paidbegin##付费{i}"), price_fen=price,
                        category_name="心得体会", author_id=seller.pk)
    upload(client_author)
    draft = Draft.objects.get(author=author)
    page = client_author.get(draft.get_absolute_url()).content.decode()
    assert "心得体会（中位价 ¥5.00）" in page and 'data-median="同类文档价格中位数 ¥5.00（3 篇）"' in page

    bad = client_author.post(draft.get_absolute_url(), {"title": " ", "price": "abc", "action": "submit"})
    assert bad.status_code == 400 and "价格格式" in bad.content.decode()
    assert not Document.objects.filter(author=author).exists()
    saved = client_author.post(draft.get_absolute_url(), {
        "title": "新标题", "category": "xinde", "tags": "学习，心得", "price": "6.50", "action": "save",
    })
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.category, draft.tags, draft.price_fen) == ("新标题", category, "学习 心得", 650)

    before = (Document.objects.count(), Block.objects.count(), IndexOutbox.objects.count())
    preview = client_author.get(f"{draft.get_absolute_url()}preview/")
    html = preview.content.decode()
    assert preview.status_code == 200 and "预览：下面是匿名读者将看到的页面" in html
    assert "付费金丝雀" not in html and "第一部分的正文" in html
    assert "登录后解锁" in html  # as the anonymous reader sees the card
    assert (Document.objects.count(), Block.objects.count(), IndexOutbox.objects.count()) == before

    submitted = client_author.post(draft.get_absolute_url(), {
        "title": "新标题", "category": "xinde", "tags": "学习 心得", "price": "6.50", "action": "submit",
    })
    assert submitted.status_code == 302 and submitted["Location"] == "/me/uploads/"
    document = Document.objects.get(author=author)
    assert document.status == Document.Status.PENDING
    assert (document.title, document.price_fen, document.category, document.tags) == ("新标题", 650, category, "学习 心得")
    assert (document.chars_free, document.chars_paid, document.sections_paid) == draft_counts(draft)
    draft.refresh_from_db()
    assert draft.status == Draft.Status.SUBMITTED and draft.document_id == document.pk
    assert client_author.get(draft.get_absolute_url()).status_code == 302  # no more edits


def test_the_preview_is_the_anonymous_page_of_the_published_document(client_author, author):
    """Submit, publish, and compare the anonymous reader's article with the preview's."""
    upload(client_author)
    draft = Draft.objects.get(author=author)
    client_author.post(draft.get_absolute_url(), {"title": draft.title, "price": "3", "move": "4"})
    preview = client_author.get(f"{draft.get_absolute_url()}preview/").content.decode()
    client_author.post(draft.get_absolute_url(), {"title": draft.title, "price": "3", "action": "submit"})
    document = Document.objects.get(author=author)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.PUBLISHED)
    page = Client().get(f"/d/{document.pk}/").content.decode()

    def article(html: str) -> str:
        body = html[html.index("<article>"): html.index("</article>")]
        # links to the document itself are disabled in the preview (its id is rolled back)
        body = body.replace('="#preview" aria-disabled="true" title="预览中不可用"', "=LINK")
        body = re.sub(r'(href|action)="[^"]*?(?:/d/\d+/|document(?:=|%3D)\d+)[^"]*"', r"\1=LINK", body)
        return re.sub(r"\d+ 次阅读|\d{4}-\d\d-\d\d", "", body)

    assert article(preview) == article(page)


def test_the_preview_links_to_no_document_that_does_not_exist(client_author, author):
    """The preview renders a rolled-back import: its buy, 收藏 and 举报 links would name an id
    that was never committed.  They are shown disabled instead of as dead links."""
    upload(client_author)
    draft = Draft.objects.get(author=author)
    client_author.post(draft.get_absolute_url(), {"title": draft.title, "price": "3", "move": "4"})
    client_author.get("/")  # a signed-in author sees the buy button and the community panel
    preview = client_author.get(f"{draft.get_absolute_url()}preview/").content.decode()
    named = {int(n) for n in re.findall(r'(?:href|action)="[^"]*?(?:/d/|document(?:=|%3D))(\d+)', preview)}
    existing = set(Document.objects.values_list("pk", flat=True))
    assert named <= existing, f"links to documents that do not exist: {named - existing}"
    assert "预览中不可用" in preview


def test_the_old_upload_url_leads_to_the_studio(client_author):
    assert client_author.get("/me/upload/")["Location"] == "/studio/"
    assert 'href="/studio/"' in client_author.get("/me/").content.decode()


def test_a_title_with_a_marker_is_refused(client_author, author):
    upload(client_author)
    draft = Draft.objects.get(author=author)
    response = client_author.post(draft.get_absolute_url(), {"title": "标题##paidbegin##", "action": "save"})
    assert response.status_code == 400 and "标题不能含付费标记" in response.content.decode()


def test_submitting_without_a_price_asks_for_one(client_author, author):
    upload(client_author)
    draft = Draft.objects.get(author=author)
    response = client_author.post(draft.get_absolute_url(), {"title": draft.title, "action": "submit"})
    assert response.status_code == 400 and "需要填写价格" in response.content.decode()
    assert client_author.get(f"{draft.get_absolute_url()}preview/")["Location"] == draft.get_absolute_url()


def test_a_file_name_too_long_to_parse_gets_the_studio_form_back(client_author):
    def raw(filename: str):  # type: ignore[no-untyped-def]
        boundary = "----fanwenboundary"
        token = client_author.get("/studio/").cookies["csrftoken"].value
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: text/plain\r\n\r\n标题\n正文\r\n--{boundary}--\r\n"
        )
        return client_author.post("/studio/", data=body.encode(), content_type=f"multipart/form-data; boundary={boundary}")

    response = raw("名" * 3000 + ".txt")
    assert response.status_code == 400 and "文件名过长" in response.content.decode()
    assert 'action="/studio/"' in response.content.decode()
    assert raw("名" * 100 + ".txt").status_code == 302


def test_the_editor_carries_the_policy_and_no_inline_script(client_author, author):
    from tests.web.test_security_headers import INLINE_HANDLER, INLINE_SCRIPT

    upload(client_author)
    draft = Draft.objects.get(author=author)
    for url in ("/studio/", draft.get_absolute_url()):
        response = client_author.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Robots-Tag"].startswith("noindex")
        html = response.content.decode()
        assert not INLINE_SCRIPT.findall(html) and not INLINE_HANDLER.findall(html)
        assert "/static/studio/studio.js" in html or url == "/studio/"


@pytest.mark.parametrize(("price", "message"), [("0", "价格须在"), ("100001", "价格须在"), ("1.234", "价格格式")])
def test_prices_out_of_range_are_refused(client_author, author, price, message):
    upload(client_author)
    draft = Draft.objects.get(author=author)
    response = client_author.post(draft.get_absolute_url(), {"title": draft.title, "price": price, "action": "save"})
    assert response.status_code == 400 and message in response.content.decode()
    draft.refresh_from_db()
    assert draft.price_fen is None


def test_a_bad_line_says_so_and_a_draft_can_be_discarded(client_author, author):
    upload(client_author)
    draft = Draft.objects.get(author=author)
    response = client_author.post(draft.get_absolute_url(), {"title": draft.title, "move": "0"})
    assert response.status_code == 400 and "分界线位置无效" in response.content.decode()
    response = client_author.post(draft.get_absolute_url(), {"title": draft.title, "move": "999"})
    assert response.status_code == 400 and "分界线位置应在" in response.content.decode()
    assert client_author.post(draft.get_absolute_url(), {"action": "discard"})["Location"] == "/studio/"
    assert not Draft.objects.exists()
