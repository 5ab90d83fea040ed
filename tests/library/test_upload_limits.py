"""Issue #9 items 6 and 20: bounded uploads (blocks, rate, one at a time) and real reasons."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from fanwen.library.models import Block, Category, Document
from fanwen.library.services import document_import, document_import_path

pytestmark = pytest.mark.django_db
PAID = "收费文档\n免费开头。\n##paidbegin##付费正文。".encode()


@pytest.fixture
def author(client):
    Category.objects.create(name="心得体会", slug="xinde")
    user = get_user_model().objects.create_user("writer", password="writer-pass-1")
    client.force_login(user)
    return user


def post(client, content: bytes, name: str = "a.txt", **fields):
    data = {"file": SimpleUploadedFile(name, content), "price": "3", "category": "xinde"}
    data.update(fields)
    return client.post("/me/upload/", data)


# --------------------------------------------------------------------------- blocks per document


def test_upload_with_too_many_blocks_is_refused_with_the_count(client, author):
    response = post(client, ("标题\n" + "字\n" * 5001).encode())
    assert response.status_code == 400
    assert "段落过多：共 5001 段，上限 5000 段" in response.content.decode()
    assert Document.objects.count() == 0


def test_block_limit_is_a_setting_for_upload_and_import(client, author, settings, tmp_path: Path):
    settings.FANWEN_MAX_BLOCKS = 3
    body = ("标题\n" + "一段\n二段\n三段\n四段\n").encode()
    response = post(client, body)
    assert response.status_code == 400 and "上限 3 段" in response.content.decode()
    path = tmp_path / "four.txt"
    path.write_bytes(body)
    outcome = document_import_path(path=path)
    assert outcome.status == "failed" and "段落过多：共 4 段，上限 3 段" in (outcome.error or "")
    settings.FANWEN_MAX_BLOCKS = 4
    assert document_import_path(path=path).status == "imported"


# --------------------------------------------------------------------------- rate and concurrency


def test_uploads_are_rate_limited_per_user_with_a_wait_time(client, author, settings):
    settings.FANWEN_UPLOADS_PER_HOUR = 2
    for n in range(2):
        assert post(client, f"标题{n}\n正文{n}".encode()).status_code == 302
    response = post(client, "标题9\n正文9".encode())
    assert response.status_code == 429
    page = response.content.decode()
    assert "上传过于频繁：每小时最多 2 次" in page and "分钟后再试" in page
    assert Document.objects.count() == 2
    other = get_user_model().objects.create_user("other", password="other-pass-1")
    client.force_login(other)
    assert post(client, "别人的标题\n正文".encode()).status_code == 302  # per user


def test_a_second_upload_while_one_is_processed_is_refused_at_once(client, author, settings):
    with open(Path(settings.DATA_DIR) / "upload.lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another worker is processing an upload
        response = post(client, "标题\n正文".encode())
        fcntl.flock(held, fcntl.LOCK_UN)
    assert response.status_code == 503
    assert "上传处理繁忙，请稍后再试" in response.content.decode()
    assert Document.objects.count() == 0
    assert post(client, "标题\n正文".encode()).status_code == 302


def test_admin_shows_a_capped_block_list(client, author):
    from fanwen.core.format import parse_text
    from fanwen.library import admin as library_admin

    result = document_import(parsed=parse_text("长文\n" + "".join(f"第{i}段\n" for i in range(300))), price_fen=None)
    assert Block.objects.filter(document_id=result.document_id).count() == 300
    staff = get_user_model().objects.create_user("boss", password="boss-pass-1", is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.get(f"/admin/library/document/{result.document_id}/change/").content.decode()
    shown = library_admin.PREVIEW_BLOCKS
    assert shown < 300
    assert "第0段" in page and f"第{shown - 1}段" in page
    assert f"第{shown}段" not in page and "第299段" not in page
    assert "共 300 段" in page


# --------------------------------------------------------------------------- messages (item 20)


@pytest.mark.parametrize("price", ["0", "0.00", "100000.01", "999999"])
def test_a_price_out_of_range_says_so(client, author, price: str):
    response = post(client, PAID, price=price)
    assert response.status_code == 400
    page = response.content.decode()
    assert "价格须在 0.01 到 100000 元之间" in page
    assert "需要填写价格" not in page
    assert Document.objects.count() == 0


def test_a_missing_price_still_asks_for_one(client, author):
    response = post(client, PAID, price="")
    assert response.status_code == 400 and "含付费部分的文档需要填写价格" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "chinese"),
    [
        ("測試標題\n這是正文。\n".encode("big5"), "无法识别文件编码"),
        ("标题\n##paidbegin##甲\n##paidbegin##乙".encode(), "付费标记"),
        ("标题\n##paidend##".encode(), "##paidend##"),
        ("只有标题".encode(), "没有正文"),
    ],
    ids=["big5", "nested", "stray-end", "no-body"],
)
def test_format_errors_are_explained_in_chinese(client, author, content: bytes, chinese: str):
    response = post(client, content)
    assert response.status_code == 400 and chinese in response.content.decode()


def _raw_upload(client, filename: str):
    boundary = "----fanwenboundary"
    token = client.get("/studio/").cookies["csrftoken"].value  # /me/upload/ redirects there; its POST stays
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/plain\r\n\r\n标题\n正文\r\n",
        f"--{boundary}--\r\n",
    ]
    return client.post(
        "/me/upload/", data="".join(parts).encode(), content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_a_3000_character_file_name_gets_a_field_error_on_the_upload_form(client, author):
    response = _raw_upload(client, "名" * 3000 + ".txt")
    assert response.status_code == 400
    page = response.content.decode()
    assert "文件名过长" in page
    assert 'action="/me/upload/"' in page  # the upload form, not a generic page
    assert "writer" in page and "退出" in page  # still signed in
    assert Document.objects.count() == 0


def test_a_long_but_readable_file_name_is_fine(client, author):
    response = _raw_upload(client, "名" * 100 + ".txt")
    assert response.status_code == 302
    assert Document.objects.get().source_name.endswith(".txt")


def test_any_400_page_keeps_the_signed_in_header(client, author):
    boundary = "----x"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="{"名" * 3000}.txt"\r\n\r\nx\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    response = client.post("/search/", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "400" in page and "writer" in page and "退出" in page
