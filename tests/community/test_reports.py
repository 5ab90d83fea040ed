"""举报 and copyright complaints, and the staff queue at /ops/reports/."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from fanwen.audit.models import AuditEvent
from fanwen.commerce.models import Order
from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
from fanwen.community.models import Report
from fanwen.library.models import Category, Document
from fanwen.notices.models import Notice
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def buy(user, doc) -> Order:  # type: ignore[no-untyped-def]
    wallet_credit(user=user, amount_fen=doc.price_fen, reason="test")
    order = order_create(user=user, document_id=doc.pk)
    order_pay_with_wallet(order_id=order.pk, user=user)
    order.refresh_from_db()
    return order


def test_a_report_leads_to_a_takedown_in_the_ops_console_buyers_refunded_and_everyone_told():
    """Done-when of #12: through the pages only."""
    author, staff, reporter = make_user("au"), make_user("ops", is_staff=True), make_user("rep")
    doc = make_document(author=author)
    buyers = [make_user(f"buyer{i}") for i in range(2)]
    orders = [buy(b, doc) for b in buyers]
    reader = signed_in(reporter)
    page = reader.get(f"/d/{doc.pk}/").content.decode()
    assert f'href="/d/{doc.pk}/report/"' in page
    form = reader.get(f"/d/{doc.pk}/report/").content.decode()
    assert "侵权" in form and "分类错误" in form
    response = reader.post(f"/d/{doc.pk}/report/", {"reason": "infringement", "note": "抄袭了我的书第三章"})
    assert response.status_code == 302
    ops = signed_in(staff)
    queue = ops.get("/ops/reports/").content.decode()
    assert "抄袭了我的书第三章" in queue and "侵权下架并退款" in queue
    report = Report.objects.get()
    response = ops.post(f"/ops/reports/{report.pk}/resolve/", {"action": "takedown", "reason": "经核实侵犯他人著作权"})
    assert response.status_code == 302
    assert "已处理 1 条举报" in ops.get("/ops/reports/").content.decode()
    doc.refresh_from_db()
    assert doc.status == Document.Status.TAKEN_DOWN
    for order, buyer in zip(orders, buyers, strict=True):
        order.refresh_from_db()
        assert order.status == Order.Status.REFUNDED
        assert Notice.objects.filter(user=buyer, kind="takedown").exists()
    told = Notice.objects.get(user=reporter, kind="report")
    assert "已侵权下架并退款" in told.title and "经核实侵犯他人著作权" in told.body
    assert "已侵权下架并退款" in signed_in(reporter).get("/me/notices/").content.decode()
    report.refresh_from_db()
    assert (report.status, report.outcome, report.resolved_by_id) == ("resolved", "takedown", staff.pk)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"community.report.created", "community.report.resolved"} <= actions


def test_report_validation_is_chinese_and_one_open_report_per_reader():
    reader = signed_in(make_user())
    doc = make_document()
    bad = reader.post(f"/d/{doc.pk}/report/", {"reason": "nonsense"})
    assert bad.status_code == 400 and "请选择举报理由" in bad.content.decode()
    other = reader.post(f"/d/{doc.pk}/report/", {"reason": "other", "note": "  "})
    assert other.status_code == 400 and "请写明原因" in other.content.decode()
    long = reader.post(f"/d/{doc.pk}/report/", {"reason": "quality", "note": "长" * 501})
    assert long.status_code == 400 and "最多 500 字" in long.content.decode()
    assert reader.post(f"/d/{doc.pk}/report/", {"reason": "quality"}).status_code == 302
    again = reader.post(f"/d/{doc.pk}/report/", {"reason": "violation"})
    assert again.status_code == 409 and "已举报过" in again.content.decode()
    assert Report.objects.count() == 1
    assert reader.get("/d/999999999/report/").status_code == 404


def test_reports_are_rate_limited_per_reader(settings):
    settings.FANWEN_REPORTS_PER_HOUR = 2
    reader = signed_in(make_user())
    docs = [make_document() for _ in range(3)]
    assert [reader.post(f"/d/{d.pk}/report/", {"reason": "quality"}).status_code for d in docs] == [302, 302, 429]
    assert "提交过于频繁" in reader.post(f"/d/{docs[2].pk}/report/", {"reason": "quality"}).content.decode()


def test_anonymous_readers_are_sent_to_sign_in_or_the_complaint_form():
    doc = make_document()
    page = Client().get(f"/d/{doc.pk}/report/").content.decode()
    assert "登录后举报" in page and f"/d/{doc.pk}/complaint/" in page
    assert Client().post(f"/d/{doc.pk}/report/", {"reason": "quality"}).status_code == 200
    assert Report.objects.count() == 0


def complaint(**over: str) -> dict[str, str]:
    return {"name": "某某出版社", "email": "legal@example.com", "phone": "", "work": "《公文写作》第三版",
            "statement": "本文第二部分整段复制自我社出版物。", **over}


def test_a_rights_holder_files_a_complaint_without_an_account_and_is_emailed_the_outcome(
    django_capture_on_commit_callbacks,
):
    doc = make_document()
    response = Client().post(f"/d/{doc.pk}/complaint/", complaint())
    assert response.status_code == 200 and "投诉已收到" in response.content.decode()
    report = Report.objects.get()
    assert report.reporter_id is None and report.reason == "infringement" and report.contact_email
    staff = make_user("ops", is_staff=True)
    queue = signed_in(staff).get("/ops/reports/").content.decode()
    assert "版权投诉" in queue and "某某出版社" in queue and "legal@example.com" in queue
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(staff).post(f"/ops/reports/{report.pk}/resolve/", {"action": "unpublish", "reason": "先行下架核实"})
    doc.refresh_from_db()
    assert doc.status == Document.Status.UNPUBLISHED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["legal@example.com"]
    assert "已下架" in mail.outbox[0].subject and "先行下架核实" in mail.outbox[0].body


def test_complaints_are_checked_size_limited_and_rate_limited_per_address(settings):
    settings.FANWEN_COMPLAINTS_PER_HOUR = 2
    doc = make_document()
    anon = Client()
    for bad, message in [
        (complaint(name=""), "请填写权利人"), (complaint(email="", phone=""), "至少填写邮箱或电话"),
        (complaint(email="not-an-email"), "邮箱格式不正确"), (complaint(statement="长" * 501), "最多 500 字"),
        (complaint(phone="abc"), "电话格式不正确"), (complaint(work=""), "请填写您享有权利的作品"),
    ]:
        response = anon.post(f"/d/{doc.pk}/complaint/", bad)
        assert response.status_code == 400 and message in response.content.decode(), message
    assert [anon.post(f"/d/{doc.pk}/complaint/", complaint()).status_code for _ in range(3)] == [200, 200, 429]
    assert Report.objects.count() == 2


def test_the_complaint_form_needs_a_csrf_token():
    doc = make_document()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/d/{doc.pk}/complaint/", complaint()).status_code == 403
    page = strict.get(f"/d/{doc.pk}/complaint/")
    token = page.cookies["csrftoken"].value
    assert strict.post(f"/d/{doc.pk}/complaint/", {**complaint(), "csrfmiddlewaretoken": token}).status_code == 200


def test_the_queue_is_staff_only_and_flags_a_document_with_several_open_reports(settings):
    settings.FANWEN_REPORTS_FLAG = 3
    doc, calm = make_document(), make_document()
    for i in range(3):
        signed_in(make_user(f"r{i}")).post(f"/d/{doc.pk}/report/", {"reason": "violation"})
    signed_in(make_user("r9")).post(f"/d/{calm.pk}/report/", {"reason": "quality"})
    assert Client().get("/ops/reports/").status_code == 404
    assert signed_in(make_user("plain")).get("/ops/reports/").status_code == 404
    staff = make_user("ops", is_staff=True)
    queue = signed_in(staff).get("/ops/reports/").content.decode()
    assert queue.count("⚠ 多人举报（3）") == 3 and queue.index(doc.title) < queue.index(calm.title)
    page = signed_in(staff).get(f"/d/{doc.pk}/").content.decode()
    assert "⚠ 多人举报" in page and "3 条待处理举报" in page
    assert "待处理举报" not in signed_in(make_user("other")).get(f"/d/{doc.pk}/").content.decode()


def test_dismiss_closes_one_report_and_recategorise_fixes_the_category():
    doc = make_document()
    first, second = make_user("a"), make_user("b")
    signed_in(first).post(f"/d/{doc.pk}/report/", {"reason": "quality"})
    signed_in(second).post(f"/d/{doc.pk}/report/", {"reason": "category", "note": "应属于总结"})
    staff = signed_in(make_user("ops", is_staff=True))
    one, two = Report.objects.order_by("id")
    staff.post(f"/ops/reports/{one.pk}/resolve/", {"action": "dismiss", "reason": "内容正常"})
    one.refresh_from_db(), two.refresh_from_db()
    assert (one.status, one.outcome, two.status) == ("resolved", "dismiss", "open")
    assert "驳回" in Notice.objects.get(user=first).title
    category = Category.objects.create(name="工作总结", slug="zongjie")
    staff.post(f"/ops/reports/{two.pk}/resolve/", {"action": "recategorise", "category_id": str(category.pk)})
    doc.refresh_from_db()
    assert doc.category_id == category.pk and "已修正分类" in Notice.objects.get(user=second).title
    again = staff.post(f"/ops/reports/{two.pk}/resolve/", {"action": "dismiss"}, follow=True).content.decode()
    assert "该举报已处理" in again
    bogus = staff.post("/ops/reports/999999/resolve/", {"action": "bogus"}, follow=True).content.decode()
    assert "未知的处理方式" in bogus
