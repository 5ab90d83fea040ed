"""Local stand-ins for the Alipay gateway and the WeChat Pay API v3, on 127.0.0.1 port 0.

Each one checks our request's signature with OUR public key (as the real provider would) and
signs its answers with the PROVIDER's test key.  Knobs on the instance make it misbehave:
answer with a bad signature, a foreign serial, a stale timestamp, an error, or not at all.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.commerce.testkeys import sign_sha256_rsa


@dataclass
class Seen:
    """One request as the stand-in received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool
    params: dict[str, Any] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.server.standin.answer(self.command, self.path, dict(self.headers), body)
        if status == 0:  # hang: let the client time out
            time.sleep(self.server.standin.hang_seconds)
            return
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: StandIn


class StandIn:
    hang_seconds = 2.0

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError


@contextmanager
def closed_port() -> Iterator[str]:
    """A URL on 127.0.0.1 where nothing listens: the port is bound (so nobody else gets it) but never
    listens, so connecting is refused at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def _valid(public_key: rsa.RSAPublicKey, signature: str, message: bytes) -> bool:
    try:
        public_key.verify(base64.b64decode(signature), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


# ---- WeChat Pay API v3 --------------------------------------------------------------------------

_AUTH_RE = re.compile(r'(\w+)="([^"]*)"')


class WechatPayStandIn(StandIn):
    """Routes: native and h5 orders, refunds (create and query), order query by out_trade_no."""

    def __init__(
        self,
        *,
        merchant_public_key: rsa.RSAPublicKey,
        mch_id: str,
        merchant_serial: str,
        platform_key: rsa.RSAPrivateKey,
        platform_key_id: str,
    ) -> None:
        super().__init__()
        self.merchant_public_key = merchant_public_key
        self.mch_id = mch_id
        self.merchant_serial = merchant_serial
        self.sign_with = platform_key  # knob: sign answers with another key
        self.answer_serial = platform_key_id  # knob: name another serial
        self.timestamp_offset = 0  # knob: seconds added to the answer timestamp
        self.tamper_after_signing = False  # knob: change the body after signing it
        self.hang = False  # knob: never answer
        self.error: tuple[int, dict[str, str]] | None = None  # knob: answer this error instead
        self.refund_status = "SUCCESS"
        self.refunds: dict[str, dict[str, Any]] = {}
        self.refund_create_error: tuple[int, dict[str, str]] | None = None  # knob: for POST refunds only
        self.transactions: dict[str, dict[str, Any]] = {}

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        signature_ok = self._authorization_ok(method, path, headers, body)
        params = json.loads(body) if body else {}
        self.seen.append(Seen(method, path, headers, body, signature_ok, params))
        if self.hang:
            return 0, {}, b""
        if not signature_ok:
            return self._json(401, {"code": "SIGN_ERROR", "message": "签名错误"}, sign=False)
        if self.error:
            return self._json(self.error[0], self.error[1], sign=True)
        route = urlsplit(path).path
        if method == "POST" and route == "/v3/pay/transactions/native":
            return self._json(200, {"code_url": f"weixin://wxpay/bizpayurl?pr={params['out_trade_no']}"})
        if method == "POST" and route == "/v3/pay/transactions/h5":
            return self._json(200, {"h5_url": "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1"})
        if method == "POST" and route == "/v3/refund/domestic/refunds":
            if self.refund_create_error:
                return self._json(*self.refund_create_error)
            refund = {
                "refund_id": f"50000{len(self.refunds) + 1:05d}",
                "out_refund_no": params["out_refund_no"],
                "out_trade_no": params["out_trade_no"],
                "status": self.refund_status,
                "amount": {**params["amount"], "payer_total": params["amount"]["total"]},
            }
            self.refunds.setdefault(params["out_refund_no"], refund)
            return self._json(200, self.refunds[params["out_refund_no"]])
        if method == "GET" and route.startswith("/v3/refund/domestic/refunds/"):
            found = self.refunds.get(route.rsplit("/", 1)[1])
            return self._json(200, found) if found else self._json(404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"})
        if method == "GET" and route.startswith("/v3/pay/transactions/out-trade-no/"):
            found = self.transactions.get(route.rsplit("/", 1)[1])
            return self._json(200, found) if found else self._json(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
        return self._json(404, {"code": "NOT_FOUND", "message": route})

    def _authorization_ok(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bool:
        scheme, _, rest = headers.get("Authorization", "").partition(" ")
        fields = dict(_AUTH_RE.findall(rest))
        if scheme != "WECHATPAY2-SHA256-RSA2048" or fields.get("mchid") != self.mch_id:
            return False
        if fields.get("serial_no") != self.merchant_serial:
            return False
        message = f"{method}\n{path}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n".encode() + body + b"\n"
        return _valid(self.merchant_public_key, fields.get("signature", ""), message)

    def _json(self, status: int, payload: dict[str, Any], *, sign: bool = True) -> tuple[int, dict[str, str], bytes]:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if sign:
            headers.update(wechatpay_signature_headers(
                body, key=self.sign_with, serial=self.answer_serial, timestamp=int(time.time()) + self.timestamp_offset
            ))
        if self.tamper_after_signing:
            body = body.replace(b"weixin://", b"weixin:/x")
        return status, headers, body


def wechatpay_signature_headers(
    body: bytes, *, key: rsa.RSAPrivateKey, serial: str, timestamp: int, nonce: str | None = None
) -> dict[str, str]:
    """The Wechatpay-* headers over ``timestamp\\nnonce\\nbody\\n``, as WeChat Pay sends them."""
    nonce = nonce or secrets.token_hex(16)
    message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
    return {
        "Wechatpay-Timestamp": str(timestamp),
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": sign_sha256_rsa(key, message),
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }


# ---- Alipay openapi gateway ---------------------------------------------------------------------


class AlipayGatewayStandIn(StandIn):
    """``/gateway.do``: alipay.trade.refund, alipay.trade.fastpay.refund.query, alipay.trade.query."""

    def __init__(self, *, app_public_key: rsa.RSAPublicKey, app_id: str, alipay_key: rsa.RSAPrivateKey) -> None:
        super().__init__()
        self.app_public_key = app_public_key
        self.app_id = app_id
        self.sign_with = alipay_key  # knob: sign answers with another key
        self.unsigned = False  # knob: answer without a sign (as for gateway-level errors)
        self.fund_change = "Y"
        self.refund_query_status: str | None = "REFUND_SUCCESS"
        self.business_error: dict[str, str] | None = None  # knob: e.g. {"code": "40004", "sub_code": ...}
        self.answer_out_trade_no: str | None = None  # knob: answer about another trade
        self.trades: dict[str, dict[str, str]] = {}
        self.refunds: dict[str, dict[str, str]] = {}

    @property
    def gateway(self) -> str:
        return f"{self.url}/gateway.do"

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        query = urlsplit(path).query + ("&" + body.decode() if body else "")
        params = dict(parse_qsl(query, keep_blank_values=True))
        signing = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign")
        ok = params.get("app_id") == self.app_id and _valid(self.app_public_key, params.get("sign", ""), signing.encode())
        self.seen.append(Seen(method, path, headers, body, ok, params))
        api = params.get("method", "")
        response_key = api.replace(".", "_") + "_response"
        if not ok:
            return self._answer(response_key, {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature"})
        biz = json.loads(params.get("biz_content", "{}"))
        if self.business_error:
            return self._answer(response_key, {"msg": "Business Failed", **self.business_error})
        out_trade_no = self.answer_out_trade_no or biz.get("out_trade_no", "")
        if api == "alipay.trade.refund":
            self.refunds.setdefault(biz["out_request_no"], biz)
            return self._answer(response_key, {
                "code": "10000", "msg": "Success", "trade_no": f"2024{out_trade_no}", "out_trade_no": out_trade_no,
                "buyer_logon_id": "159****5620", "fund_change": self.fund_change, "refund_fee": biz["refund_amount"],
            })
        if api == "alipay.trade.fastpay.refund.query":
            refund = self.refunds.get(biz["out_request_no"], {})
            answer = {"code": "10000", "msg": "Success", "out_trade_no": out_trade_no, "out_request_no": biz["out_request_no"]}
            if refund and self.refund_query_status:
                answer |= {"refund_status": self.refund_query_status, "refund_amount": refund["refund_amount"]}
            return self._answer(response_key, answer)
        if api == "alipay.trade.query":
            trade = self.trades.get(out_trade_no)
            if trade is None:
                return self._answer(response_key, {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST", "sub_msg": "交易不存在"})
            return self._answer(response_key, {"code": "10000", "msg": "Success", "out_trade_no": out_trade_no, **trade})
        return self._answer(response_key, {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"})

    def _answer(self, response_key: str, inner: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        content = json.dumps(inner, ensure_ascii=False, separators=(",", ":"))
        text = f'{{"{response_key}":{content}'
        if not self.unsigned:
            text += f',"sign":"{sign_sha256_rsa(self.sign_with, content.encode())}"'
        return 200, {"Content-Type": "text/html;charset=utf-8"}, (text + "}").encode("utf-8")
