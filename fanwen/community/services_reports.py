"""举报 and copyright complaints, and the staff decisions on them.  Each write is audited
(community.report.*); each reporter is told the outcome — by 站内信, or by email for a rights
holder who gave one — after the commit."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from fanwen.access import gate
from fanwen.audit.services import audit_record
from fanwen.commerce.services.errors import CommerceError
from fanwen.commerce.services.takedowns import document_takedown
from fanwen.community import services as reader_services
from fanwen.community.errors import CommunityError
from fanwen.community.models import Report, Review
from fanwen.community.rate import rate_take, wait_message
from fanwen.library import services as library_services
from fanwen.library.models import Category, Document
from fanwen.notices.models import Notice
from fanwen.notices.services import notify

log = logging.getLogger(__name__)

NOTE_MAX = 500
ACTIONS = ("dismiss", "recategorise", "unpublish", "takedown", "hide_review")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,120}\.[^@\s.]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,19}$")


def _one_line(value: Any, limit: int, label: str) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > limit:
        raise CommunityError(f"{label}最多 {limit} 字（现在 {len(text)} 字）")
    return text


def _reason(value: Any) -> str:
    if value not in Report.Reason.values:
        raise CommunityError("请选择举报理由：侵权、违规内容、质量差、分类错误或其他")
    return str(value)


def _reportable(document_id: int, user: Any) -> Document:
    document = gate.document_get_visible(document_id=document_id, user=user)
    if document is None:
        raise CommunityError("文档不存在", status=404)
    return document


def report_create(*, user: Any, document_id: int, reason: Any, note: Any = "", review_id: int | None = None) -> Report:
    """A signed-in reader's report of a document (or of one of its reviews)."""
    reason_ = _reason(reason)
    note_ = _one_line(note, NOTE_MAX, "说明")
    if reason_ == Report.Reason.OTHER and not note_:
        raise CommunityError("选择“其他”时请写明原因")
    document = _reportable(document_id, user)
    if review_id is not None and not Review.objects.filter(pk=review_id, document_id=document.pk).exists():
        raise CommunityError("评价不存在", status=404)
    wait = rate_take(scope="report", who=str(user.pk), limit=settings.FANWEN_REPORTS_PER_HOUR, window_seconds=3600)
    if wait is not None:
        raise CommunityError(wait_message(wait), status=429)
    try:
        with transaction.atomic():
            report = Report.objects.create(document=document, review_id=review_id, reporter_id=user.pk,
                                           reason=reason_, note=note_)
            audit_record(action="community.report.created", actor=user, subject=report,
                         data={"document_id": document.pk, "reason": reason_, "review_id": review_id})
    except IntegrityError:
        raise CommunityError("您已举报过，正在处理中，请耐心等待结果", status=409) from None
    return report


def complaint_create(*, document_id: int, address: str, name: Any, email: Any, phone: Any, work: Any,
                     statement: Any) -> Report:
    """A rights holder's copyright complaint, without an account: contact details are required."""
    name_ = _one_line(name, 60, "姓名或单位")
    email_ = _one_line(email, 120, "邮箱")
    phone_ = _one_line(phone, 30, "电话")
    work_ = _one_line(work, 200, "权属作品")
    statement_ = _one_line(statement, NOTE_MAX, "声明")
    if not name_:
        raise CommunityError("请填写权利人姓名或单位名称")
    if not email_ and not phone_:
        raise CommunityError("请至少填写邮箱或电话中的一项，以便通知处理结果")
    if email_ and not _EMAIL.match(email_):
        raise CommunityError("邮箱格式不正确")
    if phone_ and not _PHONE.match(phone_):
        raise CommunityError("电话格式不正确（只能包含数字、空格、短横线和开头的 +）")
    if not work_ or not statement_:
        raise CommunityError("请填写您享有权利的作品和权利声明")
    document = _reportable(document_id, None)
    wait = rate_take(scope="complaint", who=address, limit=settings.FANWEN_COMPLAINTS_PER_HOUR, window_seconds=3600)
    if wait is not None:
        raise CommunityError(wait_message(wait), status=429)
    with transaction.atomic():
        report = Report.objects.create(document=document, reason=Report.Reason.INFRINGEMENT, note=statement_,
                                       contact_name=name_, contact_email=email_, contact_phone=phone_, work=work_)
        audit_record(action="community.complaint.created", subject=report, data={"document_id": document.pk})
    return report


def report_resolve(*, report_id: int, action: str, reason: Any = "", actor: Any, category_id: int | None = None) -> list[int]:
    """Decide an open report.  dismiss / hide_review close that report; recategorise, unpublish
    and takedown act on the document and close every open report of it.  Returns the ids closed."""
    if action not in ACTIONS:
        raise CommunityError("未知的处理方式")
    reason_ = _one_line(reason, 400, "处理说明")
    report = Report.objects.select_related("document").filter(pk=report_id).first()
    if report is None:
        raise CommunityError("举报不存在", status=404)
    if report.status != Report.Status.OPEN:
        raise CommunityError("该举报已处理", status=409)
    document_id = report.document_id
    if action == "takedown":
        if not reason_:
            raise CommunityError("侵权下架须填写原因（买家会看到）")
        try:
            document_takedown(document_id=document_id, reason=reason_, actor=actor)
        except CommerceError as exc:
            raise CommunityError(exc.message, status=409) from exc
    elif action == "unpublish":
        if report.document.status == Document.Status.PUBLISHED:
            library_services.document_set_status(document_id=document_id, status=Document.Status.UNPUBLISHED, actor=actor)
    elif action == "recategorise":
        if category_id is None or not Category.objects.filter(pk=category_id).exists():
            raise CommunityError("请选择正确的分类")
        try:
            library_services.document_update_details(document_id=document_id, category_id=category_id, actor=actor)
        except library_services.DocumentChangeRefused as exc:
            raise CommunityError(exc.message) from exc
    elif action == "hide_review":
        if report.review_id is None:
            raise CommunityError("这条举报针对文档而不是评价")
        reader_services.review_set_hidden(review_id=report.review_id, hidden=True, actor=actor)
    return _close(report=report, action=action, reason=reason_, actor=actor)


_OUTCOME = {"dismiss": Report.Outcome.DISMISS, "recategorise": Report.Outcome.RECATEGORISE,
            "unpublish": Report.Outcome.UNPUBLISH, "takedown": Report.Outcome.TAKEDOWN,
            "hide_review": Report.Outcome.HIDE_REVIEW}


def _close(*, report: Report, action: str, reason: str, actor: Any) -> list[int]:
    outcome = _OUTCOME[action]
    with transaction.atomic():
        open_ = Report.objects.select_for_update().filter(status=Report.Status.OPEN)
        if action == "dismiss":
            open_ = open_.filter(pk=report.pk)
        elif action == "hide_review" and report.review_id is not None:
            open_ = open_.filter(review_id=report.review_id)
        else:
            open_ = open_.filter(document_id=report.document_id, review__isnull=True)
        closing = list(open_.select_related("document").order_by("id"))
        now = timezone.now()
        for item in closing:
            item.status, item.outcome, item.resolution = Report.Status.RESOLVED, outcome, reason
            item.resolved_by_id, item.resolved_at = getattr(actor, "pk", None), now
            item.save(update_fields=["status", "outcome", "resolution", "resolved_by", "resolved_at"])
            audit_record(action="community.report.resolved", actor=actor, subject=item,
                         data={"document_id": item.document_id, "outcome": outcome.value, "reason": reason})
            _tell(item)
    return [item.pk for item in closing]


def _tell(report: Report) -> None:
    title = report.document.title[:60]
    outcome = report.get_outcome_display()
    body = f"处理结果：{outcome}。" + (f"说明：{report.resolution}" if report.resolution else "")
    if report.reporter_id is not None:
        notify(user_id=report.reporter_id, kind=Notice.Kind.REPORT, title=f"您对《{title}》的举报已处理：{outcome}",
               body=body, dedupe_key=f"report:{report.pk}")
    elif report.contact_email:
        report_id, email = report.pk, report.contact_email
        subject = f"【范文库】您对《{title}》的版权投诉已处理：{outcome}"
        transaction.on_commit(lambda: _email(report_id, email, subject, body))


def _email(report_id: int, email: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, f"{body}\n\n投诉编号 #{report_id}\n\n—— 范文库", None, [email])
    except Exception:  # a mail server that is down must not undo the decision
        log.warning("complaint email for report %s not sent", report_id, exc_info=True)
