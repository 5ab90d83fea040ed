"""Checks of what an author types as a payout account.  Pure Python: each returns the cleaned value
or raises ``AccountInvalid`` with a Chinese message naming the field."""

from __future__ import annotations

import re
import unicodedata

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_NAME = re.compile(r"^[\u4e00-\u9fff\u3400-\u4dbf·A-Za-z ]{2,30}$")
_DIGITS = re.compile(r"^\d{12,30}$")


class AccountInvalid(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _clean(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in text):
        raise AccountInvalid("", "含有不可见或非法字符")
    return text


def real_name(value: object) -> str:
    name = re.sub(r"\s+", " ", _clean(value)).replace("・", "·").replace("•", "·")
    if not name:
        raise AccountInvalid("real_name", "请填写真实姓名")
    if not _NAME.match(name):
        raise AccountInvalid("real_name", "真实姓名应为 2–30 个汉字或字母（少数民族姓名可用“·”），须与收款账户实名一致")
    return name


def alipay_login(value: object) -> str:
    login = _clean(value).replace(" ", "")
    if not login:
        raise AccountInvalid("alipay_login", "请填写支付宝账号（手机号或邮箱）")
    if _MOBILE.match(login) or (len(login) <= 100 and _EMAIL.match(login)):
        return login.lower() if "@" in login else login
    raise AccountInvalid("alipay_login", "支付宝账号应为 11 位手机号或邮箱地址")


def bank_name(value: object) -> str:
    name = _clean(value)
    if not 2 <= len(name) <= 40 or not re.match(r"^[\u4e00-\u9fffA-Za-z（）()]+$", name):
        raise AccountInvalid("bank_name", "请填写开户银行全称，例如：中国工商银行")
    return name


def bank_branch(value: object) -> str:
    branch = _clean(value)
    if len(branch) > 60:
        raise AccountInvalid("bank_branch", "开户支行最多 60 个字")
    return branch


def bank_account_no(value: object) -> str:
    digits = re.sub(r"[\s-]", "", _clean(value))
    if not digits:
        raise AccountInvalid("bank_account_no", "请填写银行卡号")
    if not _DIGITS.match(digits):
        raise AccountInvalid("bank_account_no", "银行卡号应为 12–30 位数字")
    return digits


def masked(identity: str) -> str:
    """What the author's pages and the API show of an account: 138****5678, a***@qq.com, ****1234."""
    if "@" in identity:
        local, _, domain = identity.partition("@")
        return f"{local[:1]}***@{domain}"
    if _MOBILE.match(identity):
        return f"{identity[:3]}****{identity[-4:]}"
    return f"****{identity[-4:]}"
