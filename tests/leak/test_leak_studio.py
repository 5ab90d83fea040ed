"""The author studio's pages are the author's own: a draft — its free part too, since it is not
public — and above all its paid part reach no one else, through the editor, the preview, the
line endpoint, the API or anything linked from them; and the author's own preview shows the
free part only, as an anonymous reader will see it.  Crawled as anonymous, signed-in stranger,
token stranger and staff (staff review submitted documents in the admin, not drafts here)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.core.format import parse_text
from fanwen.studio.models import Draft
from fanwen.studio.services import draft_create, draft_save
from tests.leak.conftest import Planted, make_canary
from tests.leak.crawler import CrawlResult, crawl
from tests.leak.test_leak import extra_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafts(planted: Planted) -> dict[str, object]:
    """Two drafts of one author: one without markers (the suggested line makes the paid part),
    one with markers and a free ending; canaries in every paid place, a marker in the free part."""
    canaries = {k: make_canary(f"studio{k}") for k in ("suggested", "heading", "marked", "tail")}
    free = make_canary("studiofree")
    author = get_user_model().objects.create_user("studio-author", password="studio-author-pass-1")
    plain = parse_text("\n".join([
        "作者工作台泄漏测试", f"免费的开头，{free}。" * 3, "一、第一部分", "第一部分正文。" * 10,
        f"二、{canaries['heading']}", f"付费正文{canaries['suggested']}。" * 10, "三、第三部分", "第三部分正文。" * 10,
    ]))
    marked = parse_text("\n".join([
        "带标记的草稿", f"开头{free}", f"一、小标题##paidbegin##{canaries['marked']}", "##paidend##文末",
        f"##paidbegin##{canaries['tail']}",
    ]))
    first = draft_create(author_id=author.pk, parsed=plain, source_name="plain.txt")
    second = draft_create(author_id=author.pk, parsed=marked, source_name="marked.txt")
    for draft in (first, second):
        draft_save(draft_id=draft.pk, author_id=author.pk, price_fen=500)
    assert first.paid_from == 3, "the suggested line puts the canaries in the paid part"
    return {"author": author, "drafts": [first, second], "canaries": canaries, "free": free}


def studio_urls(drafts: dict[str, object]) -> list[str]:
    urls = ["/studio/", "/me/upload/", "/me/uploads/", "/api/v1/me/documents"]
    for draft in drafts["drafts"]:  # type: ignore[attr-defined]
        base = draft.get_absolute_url()
        urls += [base, f"{base}preview/", f"{base}line/"]
    return urls


def assert_nothing_of_the_drafts(result: CrawlResult, drafts: dict[str, object]) -> None:
    secrets = {**drafts["canaries"], "free": drafts["free"]}  # type: ignore[dict-item]
    leaks = [f"{name} in {url}" for url, text in result.texts().items() for name, c in secrets.items() if c in text]
    assert not leaks, f"draft text leaked: {leaks}"
    assert not [url for url, status in result.statuses.items() if status >= 500]
    for draft in drafts["drafts"]:  # type: ignore[attr-defined]
        assert result.statuses[draft.get_absolute_url()] in (302, 404)
        assert result.statuses[f"{draft.get_absolute_url()}preview/"] in (302, 404)


@pytest.mark.parametrize("who", ["anonymous", "stranger", "token", "staff"])
def test_no_one_else_sees_a_draft(client, planted, drafts, who):
    headers = {}
    if who in ("stranger", "staff"):
        user = get_user_model().objects.create_user(who, password=f"{who}-pass-1", is_staff=who == "staff")
        client.force_login(user)
    elif who == "token":
        user = get_user_model().objects.create_user(who, password="token-pass-1")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}
    result = crawl(client, extra=[*studio_urls(drafts), *extra_urls(client, planted)], headers=headers)
    assert_nothing_of_the_drafts(result, drafts)


def test_a_stranger_cannot_move_edit_submit_or_preview_a_draft(client, drafts):
    client.force_login(get_user_model().objects.create_user("stranger", password="stranger-pass-1"))
    draft = drafts["drafts"][0]  # type: ignore[index]
    base = draft.get_absolute_url()
    assert client.post(f"{base}line/", {"paid_from": "1"}).status_code == 404
    assert client.post(f"{base}line/", {"paid_from": "1"}, HTTP_X_REQUESTED_WITH="fetch").status_code == 404
    assert client.post(base, {"title": "改", "price": "1", "action": "submit"}).status_code == 404
    assert client.get(f"{base}preview/").status_code == 404
    draft.refresh_from_db()
    assert (draft.paid_from, draft.status, draft.title) == (3, Draft.Status.DRAFT, "作者工作台泄漏测试")


def test_the_authors_preview_shows_only_what_an_anonymous_reader_will_see(client, drafts):
    client.force_login(drafts["author"])
    for draft in drafts["drafts"]:  # type: ignore[attr-defined]
        editor = client.get(draft.get_absolute_url()).content.decode()
        preview = client.get(f"{draft.get_absolute_url()}preview/").content.decode()
        assert drafts["free"] in editor and drafts["free"] in preview  # type: ignore[operator]
        shown = [name for name, c in drafts["canaries"].items() if c in preview]  # type: ignore[attr-defined]
        assert not shown, f"paid text in the author's preview: {shown}"
        assert "paidbegin" not in editor.lower() and "paidbegin" not in preview.lower()
    everything = "".join(client.get(d.get_absolute_url()).content.decode() for d in drafts["drafts"])  # type: ignore[attr-defined]
    for name, canary in drafts["canaries"].items():  # type: ignore[attr-defined]
        assert canary in everything, f"{name} missing from the author's own editor"


def test_an_uploaded_then_submitted_draft_stays_the_authors(client, planted, drafts):
    """Through the upload form and the API: after submitting, others still see nothing of it."""
    author = drafts["author"]
    client.force_login(author)  # type: ignore[arg-type]
    secret = make_canary("studioupload")
    content = f"上传的草稿\n开头。\n一、小标题\n正文。\n二、付费小标题\n{secret}".encode()
    response = client.post("/studio/", {"file": SimpleUploadedFile("u.txt", content)})
    draft_url = response["Location"]
    client.post(draft_url, {"title": "上传的草稿", "price": "2", "action": "submit"})
    token = api_token_create(user=author)  # type: ignore[arg-type]
    api = Client().post("/api/v1/me/documents", {"file": SimpleUploadedFile("v.txt", content.replace(b"\xe5\xbc\x80", b"x")),
                                                  "price_yuan": "2"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 201 and secret in json.dumps(api.json(), ensure_ascii=False)  # to the author only
    for who in ("anonymous", "stranger"):
        other = Client()
        if who == "stranger":
            other.force_login(get_user_model().objects.create_user(who, password="stranger-pass-1"))
        result = crawl(other, extra=[draft_url, f"{draft_url}preview/", *studio_urls(drafts), *extra_urls(other, planted)])
        leaked = [url for url, text in result.texts().items() if secret in text]
        assert not leaked, leaked
