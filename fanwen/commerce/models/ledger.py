"""Double-entry ledger.

Every movement is one LedgerTransaction whose entries sum to zero.  Money moves *from*
an account (negative entry) *to* another (positive entry), so the sum of all balances is
always zero: clearing accounts go negative by what the outside world has paid in.

Account kinds: ``wallet`` (a user's 余额, never negative — enforced by a CHECK
constraint), ``author`` (an author's earnings), ``revenue`` (the platform, in shards
``revenue:platform:<k>``), ``clearing`` (money held at Alipay/WeChat Pay/sandbox, in shards
``clearing:<provider>:<k>``; k = order id mod ``FANWEN_LEDGER_SHARDS``, so that concurrent sales
lock different rows), ``promotion`` (staff
credits), ``suspense`` (payments that found no open order, for staff to settle),
``refunding`` (money taken back from a sale while the provider has not yet confirmed
the refund), ``pending`` (``author:<id>:pending``: an author's share of sales still inside
the holding period; ``author:<id>`` is then what is available), ``payout`` (``payout:<id>``:
one payout request's money in flight to the author).
``Account.balance_fen`` is stored for locking and speed, and ``fanwen ledger check``
proves it equals the sum of its entries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Account(models.Model):
    class Kind(models.TextChoices):
        WALLET = "wallet", "用户余额"
        AUTHOR = "author", "作者收益"
        REVENUE = "revenue", "平台收入"
        CLEARING = "clearing", "渠道清算"
        PROMOTION = "promotion", "平台赠送"
        SUSPENSE = "suspense", "待处理"
        REFUNDING = "refunding", "退款中"
        PENDING = "pending", "作者待结算"
        PAYOUT = "payout", "提现在途"

    code = models.CharField("账户代码", max_length=64, unique=True)  # e.g. wallet:12, clearing:alipay:3
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
    balance_fen = models.BigIntegerField("余额（分）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "账户"
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="wallet") | Q(balance_fen__gte=0), name="wallet_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class LedgerTransaction(models.Model):
    kind = models.CharField("类型", max_length=40)  # e.g. order.paid, wallet.credit, refund.done
    order = models.ForeignKey("commerce.Order", verbose_name="订单", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    memo = models.CharField("摘要", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "记账凭证"
        constraints = [
            # A sale's author share leaves the holding period exactly once.
            models.UniqueConstraint(
                fields=["order"], condition=Q(kind="earnings.release"), name="one_release_per_order"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, verbose_name="凭证", on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, verbose_name="账户", on_delete=models.PROTECT, related_name="entries")
    amount_fen = models.BigIntegerField("金额（分）")  # + into the account, - out of it

    class Meta:
        verbose_name = verbose_name_plural = "分录"
        constraints = [models.CheckConstraint(condition=~Q(amount_fen=0), name="entry_nonzero")]
        indexes = [models.Index(fields=["account", "transaction"], name="entry_account_tx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_fen:+d}"
