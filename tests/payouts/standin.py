"""The Alipay gateway stand-in, taught the fund-transfer API: ``alipay.fund.trans.uni.transfer``
and ``alipay.fund.trans.common.query``.  Like Alipay, it pays each ``out_biz_no`` at most once
(a repeat answers with the first transfer) and checks our RSA2 signature on every request."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.commerce.standins import AlipayGatewayStandIn, Seen, _valid

_FUND = ("alipay.fund.trans.uni.transfer", "alipay.fund.trans.common.query")


class AlipayTransferStandIn(AlipayGatewayStandIn):
    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.transfers: dict[str, dict[str, Any]] = {}  # out_biz_no → what was paid
        self.paid: list[str] = []  # every payment actually made
        self.transfer_refusal: dict[str, str] | None = None  # knob: a verified business refusal
        self.lose_transfer_answer = False  # knob: pay, then answer with an unsigned system error
        self.hang_transfer = False  # knob: pay, then never answer
        self.transfer_state = "SUCCESS"  # knob: what the transfer ends as (SUCCESS, FAIL, DEALING)
        self.query_unavailable = False  # knob: the query answers with a system error

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        query = urlsplit(path).query + ("&" + body.decode() if body else "")
        params = dict(parse_qsl(query, keep_blank_values=True))
        api = params.get("method", "")
        if api not in _FUND:
            return super().answer(method, path, headers, body)
        signing = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign")
        ok = params.get("app_id") == self.app_id and _valid(self.app_public_key, params.get("sign", ""), signing.encode())
        self.seen.append(Seen(method, path, headers, body, ok, params))
        key = api.replace(".", "_") + "_response"
        if not ok:
            return self._answer(key, {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature"})
        biz = json.loads(params.get("biz_content", "{}"))
        out_biz_no = biz.get("out_biz_no", "")
        if api == "alipay.fund.trans.uni.transfer":
            if self.transfer_refusal:
                return self._answer(key, {"msg": "Business Failed", **self.transfer_refusal})
            if out_biz_no not in self.transfers:
                assert biz["product_code"] == "TRANS_ACCOUNT_NO_PWD" and biz["biz_scene"] == "DIRECT_TRANSFER"
                self.transfers[out_biz_no] = {"order_id": f"20261130{len(self.transfers) + 1:08d}",
                                              "amount": biz["trans_amount"], "payee": biz["payee_info"],
                                              "status": self.transfer_state}
                if self.transfer_state == "SUCCESS":
                    self.paid.append(out_biz_no)
            found = self.transfers[out_biz_no]
            if self.hang_transfer:
                return 0, {}, b""
            if self.lose_transfer_answer:
                self.unsigned = True
                try:
                    return self._answer(key, {"code": "20000", "msg": "Service Currently Unavailable", "sub_code": "isp.unknow-error"})
                finally:
                    self.unsigned = False
            return self._answer(key, {"code": "10000", "msg": "Success", "out_biz_no": out_biz_no, "order_id": found["order_id"],
                                      "pay_fund_order_id": f"P{found['order_id']}", "status": found["status"],
                                      "trans_date": "2026-11-30 10:00:00"})
        if self.query_unavailable:
            return self._answer(key, {"code": "20000", "msg": "Service Currently Unavailable", "sub_code": "isp.unknow-error"})
        found = self.transfers.get(out_biz_no)
        if found is None:
            return self._answer(key, {"code": "40004", "msg": "Business Failed", "sub_code": "ORDER_NOT_EXIST", "sub_msg": "转账订单不存在"})
        return self._answer(key, {"code": "10000", "msg": "Success", "out_biz_no": out_biz_no, "order_id": found["order_id"],
                                  "status": found["status"], "trans_amount": found["amount"]})
