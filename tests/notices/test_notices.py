"""站内信: stored once per event, a bell with the unread count, a list that marks them read,
the API, email only when switched on — and the events that send them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
from fanwen.commerce.services.takedowns import document_takedown
from fanwen.library.models import Document
from fanwen.library.services import document_set_status
from fanwen.notices.models import Notice
from fanwen.notices.services import notify
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_notice_is_stored_once_per_event():
    user = make_user()
    assert notify(user_id=user.pk, kind="sale", title="首单", dedupe_key="first_sale:1") is not None
    assert notify(user_id=user.pk, kind="sale", title="首单", dedupe_key="first_sale:1") is None
    assert notify(user_id=user.pk, kind="other", title="无键") and notify(user_id=user.pk, kind="other", title="无键")
    assert Notice.objects.filter(user=user).count() == 3


def test_bell_shows_the_unread_count_and_the_list_marks_them_read():
    user = make_user()
    for i in range(3):
        notify(user_id=user.pk, kind="other", title=f"消息{i}")
    client = signed_in(user)
    home = client.get("/").content.decode()
    assert 'class="badge">3<' in home and "3 条未读" in home
    page = client.get("/me/notices/").content.decode()
    assert all(f"消息{i}" in page for i in range(3)) and page.count('class="new"') == 3
    assert 'class="badge"' not in client.get("/").content.decode()
    assert Notice.objects.filter(user=user, read_at__isnull=True).count() == 0


def test_anonymous_pages_have_no_bell_and_the_list_needs_sign_in():
    assert 'class="bell"' not in Client().get("/").content.decode()
    assert Client().get("/me/notices/").status_code == 302


def test_empty_list_explains_what_will_appear():
    assert "还没有消息" in signed_in(make_user()).get("/me/notices/").content.decode()


def test_api_lists_own_notices_and_marks_them_read():
    user, other = make_user(), make_user()
    notify(user_id=user.pk, kind="other", title="给我的")
    notify(user_id=other.pk, kind="other", title="给别人的")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")
    body = client.get("/api/v1/me/notices").json()
    assert body["unread"] == 1 and [n["title"] for n in body["notices"]] == ["给我的"]
    assert client.post("/api/v1/me/notices/read", {}, content_type="application/json").json() == {"marked": 1}
    assert client.get("/api/v1/me/notices").json()["unread"] == 0
    assert Client().get("/api/v1/me/notices").status_code == 401


def test_email_goes_out_only_when_switched_on(settings, django_capture_on_commit_callbacks):
    user = make_user("mailme", email="mailme@example.com")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notify(user_id=user.pk, kind="other", title="不发邮件")
    assert mail.outbox == []
    settings.FANWEN_NOTIFY_EMAIL = True
    with django_capture_on_commit_callbacks(execute=True):
        notify(user_id=user.pk, kind="other", title="发邮件", link="/me/")
    assert [m.subject for m in mail.outbox] == ["【范文库】发邮件"] and mail.outbox[0].to == ["mailme@example.com"]


def test_review_outcome_and_unpublish_tell_the_author_but_not_their_own_actions():
    author, staff = make_user("au"), make_user("ops", is_staff=True)
    doc = make_document(author=author)
    Document.objects.filter(pk=doc.pk).update(status=Document.Status.PENDING)
    document_set_status(document_id=doc.pk, status=Document.Status.PUBLISHED, actor=staff)
    document_set_status(document_id=doc.pk, status=Document.Status.UNPUBLISHED, actor=staff)
    document_set_status(document_id=doc.pk, status=Document.Status.PUBLISHED, actor=author)
    titles = list(Notice.objects.filter(user=author).order_by("id").values_list("title", flat=True))
    assert titles == [f"审核通过：《{doc.title}》已发布", f"《{doc.title}》已下架"]


def test_takedown_tells_the_author_and_every_buyer_once():
    author, staff = make_user("au"), make_user("ops", is_staff=True)
    doc = make_document(author=author)
    buyers = [make_user(f"b{i}") for i in range(2)]
    for buyer in buyers:
        wallet_credit(user=buyer, amount_fen=doc.price_fen, reason="test")
        order_pay_with_wallet(order_id=order_create(user=buyer, document_id=doc.pk).pk, user=buyer)
    document_takedown(document_id=doc.pk, reason="权利人投诉", actor=staff)
    document_takedown(document_id=doc.pk, reason="权利人投诉", actor=staff)
    assert Notice.objects.filter(user=author, kind="takedown").count() == 1
    for buyer in buyers:
        notes = list(Notice.objects.filter(user=buyer, kind="takedown"))
        assert len(notes) == 1 and "权利人投诉" in notes[0].body and notes[0].link.startswith("/orders/")
    assert not any("付费正文" in n.body + n.title for n in Notice.objects.all())
