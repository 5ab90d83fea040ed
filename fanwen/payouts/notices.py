"""站内信 to the author at each step of a payout: approved (打款中), paid, rejected — stored
after the payout's transaction commits (see ``commerce/services/notices.py`` for why)."""

from __future__ import annotations

from django.db import transaction

from fanwen.core.money import fen_to_yuan
from fanwen.notices.models import Notice
from fanwen.notices.services import notify
from fanwen.payouts.models import Payout


def tell_author(payout: Payout) -> None:
    amount = f"¥{fen_to_yuan(payout.amount_fen)}"
    if payout.status == Payout.Status.PROCESSING:
        title, body = f"提现 {amount} 已通过审核", "正在通过支付宝打款，到账后会再通知你。"
    elif payout.status == Payout.Status.PAID:
        title, body = f"提现 {amount} 已打款", f"凭证号：{payout.reference}" if payout.reference else "请留意收款账户。"
    elif payout.status == Payout.Status.REJECTED:
        title, body = f"提现 {amount} 未通过", f"原因：{payout.reason}。款项已退回可提现余额。"
    else:
        return
    user_id, key = payout.user_id, f"payout:{payout.pk}:{payout.status}"
    transaction.on_commit(lambda: notify(user_id=user_id, kind=Notice.Kind.PAYOUT, title=title, body=body,
                                         link="/me/payouts/", dedupe_key=key))
