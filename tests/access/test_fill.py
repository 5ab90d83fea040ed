"""填写模板 end to end: the placeholders API, the filled Word and PDF (API and page), validation
in Chinese, who gets nothing (non-buyer, refunded buyer, anonymous), the Delivery row naming
only which placeholders were filled, the saved details only when asked, and the page's
query count."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from django.test import Client

from fanwen.access.models import Delivery, FillProfile
from fanwen.accounts.services import api_token_create
from fanwen.commerce.services import order_refund
from fanwen.core.fingerprint import strip_carriers
from fanwen.core.format import parse_text
from fanwen.library.models import Document
from fanwen.library.services import document_import
from tests.access.test_downloads import buy, docx_text
from tests.commerce.factories import make_user

pytestmark = pytest.mark.django_db
PAID_SECRET = "付费部分的金丝雀句子。"
DATE = "202X年X月X日"
POPPLER = shutil.which("pdftotext") is not None


@pytest.fixture
def doc() -> Document:
    author = make_user("writer")
    text = (
        "X大学学生会工作总结\n"
        "X大学学生会在过去一年里取得了成绩。\n"
        f"##paidbegin##{PAID_SECRET}今后X大学将继续努力，XXX同志负责落实。\n"
        f"X大学学生会\n{DATE}"
    )
    result = document_import(parsed=parse_text(text), price_fen=500, author_id=author.pk)
    return Document.objects.get(pk=result.document_id)


def token_of(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


def api_fill(doc: Document, headers: dict[str, str], values: object, fmt: str = "docx"):  # type: ignore[no-untyped-def]
    body = json.dumps({"values": values, "format": fmt}, ensure_ascii=False)
    return Client().post(f"/api/v1/documents/{doc.pk}/fill", body, content_type="application/json", **headers)


def pdf_text(body: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "filled.pdf"
    path.write_bytes(body)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True)
    return "".join(strip_carriers(out.stdout).split())  # the visible text (paid runs carry a fingerprint)


def test_placeholders_api_lists_each_distinct_placeholder_with_label_and_context(doc):
    buyer = make_user("buyer")
    buy(buyer, doc)
    response = Client().get(f"/api/v1/documents/{doc.pk}/placeholders", **token_of(buyer))
    assert response.status_code == 200
    found = {p["text"]: p for p in response.json()}
    assert found["X大学"]["label"] == "学校名称" and found["X大学"]["count"] == 4
    assert found[DATE]["label"] == "日期" and found[DATE]["count"] == 1
    assert "XXX同志" in found and "落实" in found["XXX同志"]["context"]


def test_buyer_fills_school_and_date_into_word(doc):
    buyer = make_user("buyer")
    buy(buyer, doc)
    response = api_fill(doc, token_of(buyer), {"X大学": "清华大学", DATE: "2024年5月1日"})
    assert response.status_code == 200, response.content[:300]
    text = docx_text(response.content)
    assert "清华大学学生会工作总结" in text and "2024年5月1日" in text and PAID_SECRET in text
    assert "X大学" not in text and DATE not in text
    assert "XXX同志" in text  # not filled: stays
    delivery = Delivery.objects.get(document=doc)
    assert delivery.filled_placeholders == sorted(["X大学", DATE])
    assert "清华大学" not in json.dumps(list(Delivery.objects.values()), default=str, ensure_ascii=False)


@pytest.mark.skipif(not POPPLER, reason="pdftotext (poppler-utils) not installed")
def test_buyer_fills_school_and_date_into_pdf(doc, tmp_path):
    buyer = make_user("buyer")
    buy(buyer, doc)
    response = api_fill(doc, token_of(buyer), {"X大学": "清华大学", DATE: "2024年5月1日", "XXX同志": "张三"}, fmt="pdf")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "清华大学学生会" in text and "2024年5月1日" in text and "张三同志负责落实" in text
    assert "X大学" not in text and "XXX" not in text and "202X" not in text


def test_page_preview_highlights_escaped_values_and_downloads_the_same(doc):
    buyer = make_user("buyer")
    buy(buyer, doc)
    client = Client()
    client.force_login(buyer)
    page = client.get(f"/d/{doc.pk}/fill/")
    body = page.content.decode()
    assert page.status_code == 200 and "学校名称" in body and 'name="csrfmiddlewaretoken"' in body
    assert "<script" not in body.split("</header>")[-1].split("<footer")[0]
    names = {field["placeholder"].text: field["name"] for field in page.context["fields"]}
    preview = client.post(f"/d/{doc.pk}/fill/", {names["X大学"]: "清华&大学", "action": "preview"})
    shown = preview.content.decode()
    assert preview.status_code == 200 and "<mark>清华&amp;大学</mark>" in shown and PAID_SECRET in shown
    word = client.post(f"/d/{doc.pk}/fill/", {names["X大学"]: "清华大学", names[DATE]: "2024年5月1日", "action": "docx"})
    assert word.status_code == 200 and "清华大学" in docx_text(word.content)
    assert not FillProfile.objects.exists()  # not asked to keep: nothing kept


def test_document_page_links_fill_for_the_buyer_only(doc):
    buyer = make_user("buyer")
    buy(buyer, doc)
    client = Client()
    client.force_login(buyer)
    assert f"/d/{doc.pk}/fill/" in client.get(f"/d/{doc.pk}/").content.decode()
    other = Client()
    other.force_login(make_user("stranger"))
    assert "/fill/" not in other.get(f"/d/{doc.pk}/").content.decode()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"X大学": "<b>清华</b>"}, "不能包含 < 或 >"),
        ({"X大学": "清" * 51}, "不能超过50个字"),
        ({"X大学": "   "}, "不能为空"),
        ({"Y学院": "清华"}, "文中没有这个占位符"),
    ],
)
def test_bad_values_are_refused_in_chinese_with_no_file(doc, values, message):
    buyer = make_user("buyer")
    buy(buyer, doc)
    response = api_fill(doc, token_of(buyer), values)
    assert response.status_code == 422
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert not Delivery.objects.exists()


def test_non_string_values_are_a_422_not_a_500(doc):
    buyer = make_user("buyer")
    buy(buyer, doc)
    assert api_fill(doc, token_of(buyer), {"X大学": ["a"]}).status_code == 422
    assert api_fill(doc, token_of(buyer), "清华").status_code == 422


def test_page_shows_field_errors_in_chinese(doc):
    buyer = make_user("buyer")
    buy(buyer, doc)
    client = Client()
    client.force_login(buyer)
    response = client.post(f"/d/{doc.pk}/fill/", {"ph0": "<i>x</i>", "action": "docx"})
    assert response.status_code == 422 and "不能包含 &lt; 或 &gt;" in response.content.decode()
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("identity", ["anonymous", "stranger", "refunded"])
def test_no_file_and_no_paid_text_without_the_right(doc, identity):
    client, headers = Client(), {}
    if identity != "anonymous":
        user = make_user(identity)
        if identity == "refunded":
            order = buy(user, doc)
            order_refund(order_id=order.pk, actor=None)
        client.force_login(user)
        headers = token_of(user)
    listing = Client().get(f"/api/v1/documents/{doc.pk}/placeholders", **headers)
    filled = api_fill(doc, headers, {"X大学": "清华大学"})
    page = client.get(f"/d/{doc.pk}/fill/")
    posted = client.post(f"/d/{doc.pk}/fill/", {"ph0": "清华大学", "action": "docx"})
    expected = 401 if identity == "anonymous" else 403
    assert listing.status_code == expected and filled.status_code == expected
    assert page.status_code == 302 and posted.status_code == 302
    for response in (listing, filled, page, posted):
        assert PAID_SECRET not in response.content.decode() and "落实" not in response.content.decode()
    assert not Delivery.objects.exists()


def test_profile_is_kept_only_when_asked_and_can_be_cleared(doc):
    buyer = make_user("buyer")
    buy(buyer, doc)
    client = Client()
    client.force_login(buyer)
    fields = client.get(f"/d/{doc.pk}/fill/").context["fields"]
    name = next(f["name"] for f in fields if f["placeholder"].text == "X大学")
    client.post(f"/d/{doc.pk}/fill/", {name: "清华大学", "action": "preview"})
    assert not FillProfile.objects.exists()
    client.post(f"/d/{doc.pk}/fill/", {name: "清华大学", "action": "preview", "save_profile": "1"})
    assert FillProfile.objects.get(user=buyer).values == {"学校名称": "清华大学"}
    again = client.get(f"/d/{doc.pk}/fill/").content.decode()
    assert 'value="清华大学"' in again and "清除我的资料" in again
    client.post("/me/fill-profile/clear/", {"next": f"/d/{doc.pk}/fill/"})
    assert not FillProfile.objects.exists()


def test_form_page_query_count_is_bounded(doc, django_assert_max_num_queries):
    buyer = make_user("buyer")
    buy(buyer, doc)
    client = Client()
    client.force_login(buyer)
    client.get(f"/d/{doc.pk}/fill/")
    with django_assert_max_num_queries(14):
        assert client.get(f"/d/{doc.pk}/fill/").status_code == 200


def test_more_values_than_placeholders_are_refused_briefly(doc):
    buyer = make_user("buyer")
    buy(buyer, doc)
    response = api_fill(doc, token_of(buyer), {f"K{i}": "值" for i in range(500)})
    assert response.status_code == 422 and "填写的项目太多" in response.json()["detail"]
    assert len(response.content) < 500
