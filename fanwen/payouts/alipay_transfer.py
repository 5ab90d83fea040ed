"""支付宝单笔转账: ``alipay.fund.trans.uni.transfer`` and ``alipay.fund.trans.common.query``.

The same gateway client as payments (``commerce.providers.alipay``): every request is RSA2-signed
with our key, every answer's signature is verified with Alipay's public key, and an answer about
another ``out_biz_no`` is not believed.  ``out_biz_no`` is Alipay's idempotency key: a request sent
twice with it pays once, so a retry is safe; still, after an answer we cannot trust (timeout,
unsigned, system error) we first *query*, and only a transfer Alipay does not know is sent again.

Outcomes: ``success`` (paid; ``order_id`` is Alipay's), ``failed`` (Alipay said, verifiably, that
nothing was paid: the payee is wrong, our balance is short …), ``unknown`` (ask again later),
and for queries ``not_found``.

Real Alipay asks for public-key *certificate* mode (app_cert_sn/alipay_root_cert_sn) on fund
transfers; the signature over the request is the same RSA2 as here.  Certificate mode is not
implemented: see docs/decisions.md.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any, Literal

from fanwen.commerce.providers.alipay import AlipayConfig, AlipayProvider
from fanwen.commerce.providers.base import ProviderUnavailable
from fanwen.core.money import BadAmount, fen_to_yuan, yuan_to_fen

log = logging.getLogger("fanwen.payouts")

Status = Literal["success", "failed", "unknown", "not_found"]
TIMEOUT_SECONDS = 15.0
_PRODUCT = {"product_code": "TRANS_ACCOUNT_NO_PWD", "biz_scene": "DIRECT_TRANSFER"}
_NOT_FOUND = frozenset({"ORDER_NOT_EXIST", "aop.ORDER_NOT_EXIST"})
_FAILED_STATUSES = frozenset({"FAIL", "CLOSED", "REFUND"})


@dataclass(frozen=True)
class TransferOutcome:
    status: Status
    order_id: str = ""
    detail: str = ""  # for logs and the staff queue; never shown to authors as is


class AlipayTransfers(AlipayProvider):
    def __init__(self, config: AlipayConfig) -> None:
        super().__init__(dataclasses.replace(config, timeout_seconds=min(config.timeout_seconds, TIMEOUT_SECONDS)))

    def transfer(self, *, out_biz_no: str, amount_fen: int, identity: str, name: str, title: str) -> TransferOutcome:
        biz: dict[str, Any] = {
            "out_biz_no": out_biz_no,
            "trans_amount": fen_to_yuan(amount_fen),
            **_PRODUCT,
            "order_title": title[:128],
            "payee_info": {"identity": identity, "identity_type": "ALIPAY_LOGON_ID", "name": name},
            "remark": title[:200],
        }
        try:
            answer = self._call("alipay.fund.trans.uni.transfer", biz)
        except ProviderUnavailable as exc:  # no answer, or one that does not verify
            return self._after_unclear(out_biz_no, amount_fen, f"transfer: {exc.detail or exc}")
        code, sub_code = str(answer.get("code", "")), str(answer.get("sub_code", ""))
        if code == "10000":
            if str(answer.get("out_biz_no", out_biz_no)) != out_biz_no:
                return self._after_unclear(out_biz_no, amount_fen, f"answer about out_biz_no={answer.get('out_biz_no')!r}")
            status, order_id = str(answer.get("status", "")), str(answer.get("order_id", ""))
            if status == "SUCCESS" and order_id:
                return TransferOutcome("success", order_id, "SUCCESS")
            return self._after_unclear(out_biz_no, amount_fen, f"transfer status {status or '?'}")
        detail = f"code={code} sub_code={sub_code} sub_msg={answer.get('sub_msg', '')}"
        if code == "20000" or "SYSTEM_ERROR" in sub_code:
            return self._after_unclear(out_biz_no, amount_fen, detail)
        # A verified refusal.  Confirm with a query that nothing went out under this out_biz_no.
        known = self.query_transfer(out_biz_no=out_biz_no, amount_fen=amount_fen)
        if known.status in ("not_found", "failed"):
            return TransferOutcome("failed", "", detail)
        return known

    def _after_unclear(self, out_biz_no: str, amount_fen: int, detail: str) -> TransferOutcome:
        log.warning("alipay transfer %s unclear: %s; querying", out_biz_no, detail)
        known = self.query_transfer(out_biz_no=out_biz_no, amount_fen=amount_fen)
        if known.status == "not_found":  # perhaps still on its way: keep it open, resend later
            return TransferOutcome("unknown", "", f"{detail}; query: not found yet")
        return known

    def query_transfer(self, *, out_biz_no: str, amount_fen: int) -> TransferOutcome:
        try:
            answer = self._call("alipay.fund.trans.common.query", {"out_biz_no": out_biz_no, **_PRODUCT})
        except ProviderUnavailable as exc:
            return TransferOutcome("unknown", "", f"query: {exc.detail or exc}")
        code, sub_code = str(answer.get("code", "")), str(answer.get("sub_code", ""))
        if sub_code in _NOT_FOUND:
            return TransferOutcome("not_found", "", sub_code)
        if code != "10000":
            return TransferOutcome("unknown", "", f"query: code={code} sub_code={sub_code}")
        if str(answer.get("out_biz_no", out_biz_no)) != out_biz_no:
            return TransferOutcome("unknown", "", f"query answer about out_biz_no={answer.get('out_biz_no')!r}")
        status, order_id = str(answer.get("status", "")), str(answer.get("order_id", ""))
        if status == "SUCCESS":
            if not order_id or _fen(answer.get("trans_amount")) != amount_fen:
                return TransferOutcome("unknown", "", f"query: SUCCESS with order_id={order_id!r} amount={answer.get('trans_amount')!r}")
            return TransferOutcome("success", order_id, "query: SUCCESS")
        if status in _FAILED_STATUSES:
            return TransferOutcome("failed", order_id, f"query: {status} {answer.get('fail_reason', '')}".strip())
        return TransferOutcome("unknown", order_id, f"query: {status or '?'}")


def _fen(value: object) -> int | None:
    try:
        return yuan_to_fen(str(value)) if value is not None else None
    except BadAmount:
        return None
