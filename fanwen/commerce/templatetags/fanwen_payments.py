"""``{% payment_methods_text %}``: the payment methods this installation offers, as a phrase
(可用余额、支付宝或微信支付), for the paywall card."""

from __future__ import annotations

from django import template

from fanwen.commerce import selectors

register = template.Library()


@register.simple_tag
def payment_methods_text() -> str:
    """余额支付 · 余额或支付宝支付 · 余额、支付宝或微信支付 · 余额或模拟支付（测试用，不扣款）."""
    methods = selectors.payment_methods_offered()
    phrase = methods[0] if len(methods) == 1 else "、".join(methods[:-1]) + "或" + methods[-1]
    return phrase if "支付" in methods[-1] and methods[-1] != "支付宝" else phrase + "支付"
