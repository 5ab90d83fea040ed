"""Reads for /ops/audit/: the site-wide ``audit.AuditEvent`` and commerce's money log
``commerce.AuditLog`` merged into one timeline, newest first, with the same filters on both.
Paging is by a cursor (the last row shown), so page 100 costs what page 1 costs: each page
reads at most PAGE_SIZE + 1 rows from each table, by their indexed ``created_at``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from fanwen.audit.models import AuditEvent
from fanwen.commerce.models import AuditLog

PAGE_SIZE = 50
EVENT, MONEY = "e", "m"  # the two sources; in a tie of time, EVENT rows come first
ORDER_SUBJECT = "commerce.order"

ACTION_LABELS = {
    "access.trace.run": "追查泄露",
    "commerce.entitlement.granted": "授予阅读权限",
    "commerce.entitlement.revoked": "收回阅读权限",
    "commerce.notification.rejected": "拒绝支付通知",
    "commerce.order.cancelled": "订单取消",
    "commerce.order.created": "下单",
    "commerce.order.expired": "订单过期",
    "commerce.order.paid": "订单支付",
    "commerce.payment.unmatched": "无法匹配的付款",
    "commerce.plan.changed": "修改会员方案",
    "commerce.plan.created": "新建会员方案",
    "commerce.refund.attempt": "退款尝试",
    "commerce.refund.done": "退款完成",
    "commerce.refund.requested": "申请退款",
    "commerce.wallet.credited": "钱包入账",
    "library.category.changed": "修改分类",
    "library.category.created": "新建分类",
    "library.category.deleted": "删除分类",
    "library.document.deleted": "删除文档",
    "library.document.edited": "编辑文档",
    "library.document.pending": "文档转为待审核",
    "library.document.price_changed": "修改价格",
    "library.document.published": "文档上架",
    "library.document.taken_down": "文档下架（侵权）",
    "library.document.unpublished": "文档下线",
    "payouts.account.updated": "修改收款账户",
    "payouts.payout.approved": "提现审核通过",
    "payouts.payout.paid": "提现已打款",
    "payouts.payout.rejected": "提现驳回",
    "payouts.payout.requested": "申请提现",
    "payouts.payout.transfer_failed": "提现转账失败",
    "studio.draft.submitted": "提交审核",
}
SOURCE_LABELS = {EVENT: "站内操作", MONEY: "资金"}


@dataclass(frozen=True)
class Filters:
    action: str = ""  # a prefix: "library." or "commerce.refund"
    actor: str = ""  # a username
    subject_type: str = ""  # "library.document"; commerce rows are "commerce.order"
    subject_id: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Row:
    source: str
    id: int
    created_at: datetime
    action: str
    actor: str
    subject_type: str
    subject_id: str
    data: dict[str, Any]

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    @property
    def cursor(self) -> str:
        return f"{self.created_at.isoformat()}|{self.source}|{self.id}"


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    source: str
    id: int


def parse_cursor(raw: str | None) -> Cursor | None:
    """A cursor from a link, or None (the first page) for anything malformed."""
    try:
        when, source, pk = (raw or "").split("|")
        moment = datetime.fromisoformat(when)
        if source not in (EVENT, MONEY) or moment.tzinfo is None:
            return None
        return Cursor(moment, source, int(pk))
    except ValueError:
        return None


def page(filters: Filters, after: Cursor | None = None) -> tuple[list[Row], Cursor | None]:
    """One page, newest first, and the cursor of the next page (None on the last)."""
    events = _older(_events(filters), EVENT, after)
    money = _older(_money(filters), MONEY, after)
    rows = [_event_row(e) for e in events.select_related("actor")[: PAGE_SIZE + 1]] if events is not None else []
    rows += [_money_row(m) for m in money.select_related("actor")[: PAGE_SIZE + 1]] if money is not None else []
    rows.sort(key=lambda r: (r.created_at, r.source == EVENT, r.id), reverse=True)
    shown = rows[:PAGE_SIZE]
    more = len(rows) > PAGE_SIZE
    last = shown[-1] if shown else None
    return shown, (Cursor(last.created_at, last.source, last.id) if more and last else None)


def _bounds(queryset: QuerySet[Any], filters: Filters) -> QuerySet[Any]:
    tz = timezone.get_current_timezone()
    if filters.since:
        queryset = queryset.filter(created_at__gte=datetime.combine(filters.since, datetime.min.time(), tzinfo=tz))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        queryset = queryset.filter(created_at__lt=end)
    if filters.action:
        queryset = queryset.filter(action__startswith=filters.action)
    if filters.actor:
        queryset = queryset.filter(actor__username=filters.actor)
    return queryset


def _events(filters: Filters) -> QuerySet[AuditEvent] | None:
    queryset = _bounds(AuditEvent.objects.all(), filters)
    if filters.subject_type:
        queryset = queryset.filter(subject_type=filters.subject_type)
    if filters.subject_id:
        queryset = queryset.filter(subject_id=filters.subject_id)
    return queryset


def _money(filters: Filters) -> QuerySet[AuditLog] | None:
    """Commerce's rows have one kind of subject, the order (or none)."""
    queryset = _bounds(AuditLog.objects.all(), filters)
    if filters.subject_type and filters.subject_type != ORDER_SUBJECT:
        return None
    if filters.subject_id:
        if not filters.subject_id.isdigit() or len(filters.subject_id) > 18:
            return None
        queryset = queryset.filter(order_id=int(filters.subject_id))
    elif filters.subject_type:
        queryset = queryset.filter(order__isnull=False)
    return queryset


def _older(queryset: QuerySet[Any] | None, source: str, after: Cursor | None) -> QuerySet[Any] | None:
    """Rows after the cursor in the order (time desc, EVENT before MONEY, id desc)."""
    if queryset is None:
        return None
    queryset = queryset.order_by("-created_at", "-id")
    if after is None:
        return queryset
    older = Q(created_at__lt=after.created_at)
    if source == after.source:
        older |= Q(created_at=after.created_at, id__lt=after.id)
    elif source == MONEY:  # MONEY rows at the cursor's time come after its EVENT rows
        older |= Q(created_at=after.created_at)
    return queryset.filter(older)


def _event_row(e: AuditEvent) -> Row:
    return Row(EVENT, e.pk, e.created_at, e.action, e.actor.username if e.actor else "", e.subject_type, e.subject_id,
               e.data if isinstance(e.data, dict) else {})


def _money_row(m: AuditLog) -> Row:
    return Row(MONEY, m.pk, m.created_at, m.action, m.actor.username if m.actor else "",
               ORDER_SUBJECT if m.order_id else "", str(m.order_id or ""), m.data if isinstance(m.data, dict) else {})
