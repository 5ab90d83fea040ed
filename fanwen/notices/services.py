"""Writes of 站内信.  ``notify`` is called by other apps' services inside their transactions;
the email (off unless FANWEN_NOTIFY_EMAIL) goes out only after the commit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from fanwen.notices.models import Notice

log = logging.getLogger(__name__)


def notify(
    *, user_id: int, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str = ""
) -> Notice | None:
    """Store one notice (None when ``dedupe_key`` was already used for this user)."""
    fields = {"kind": kind, "title": title[:120], "body": body[:500], "link": link[:200]}
    try:
        with transaction.atomic():
            notice = Notice.objects.create(user_id=user_id, dedupe_key=dedupe_key[:80], **fields)
    except IntegrityError:
        if dedupe_key and Notice.objects.filter(user_id=user_id, dedupe_key=dedupe_key[:80]).exists():
            return None
        raise
    if getattr(settings, "FANWEN_NOTIFY_EMAIL", False):
        transaction.on_commit(lambda: _email(notice.pk))
    return notice


def _email(notice_id: int) -> None:
    notice = Notice.objects.filter(pk=notice_id).select_related("user").first()
    if notice is None or not notice.user.email:
        return
    site = getattr(settings, "FANWEN_SITE_URL", "").rstrip("/")
    lines = [notice.body, f"{site}{notice.link}" if notice.link else "", "—— 范文库"]
    try:
        send_mail(f"【范文库】{notice.title}", "\n\n".join(x for x in lines if x), None, [notice.user.email])
    except Exception:  # a mail server that is down must not undo what was committed
        log.warning("notice email %s not sent", notice_id, exc_info=True)


def notices_mark_read(*, user_id: int, notice_ids: list[int] | None = None) -> int:
    qs = Notice.objects.filter(user_id=user_id, read_at__isnull=True)
    if notice_ids is not None:
        qs = qs.filter(pk__in=notice_ids)
    return qs.update(read_at=timezone.now())


def notify_staff(*, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str = "") -> int:
    """The same notice to every active staff member."""
    sent = 0
    for staff_id in get_user_model().objects.filter(is_staff=True, is_active=True).values_list("pk", flat=True):
        sent += notify(user_id=staff_id, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key) is not None
    return sent
