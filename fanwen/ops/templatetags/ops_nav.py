"""The ops console's header: ``{% load ops_nav %}{% ops_nav %}`` in any /ops/ page.  A link is
shown only when its path resolves, so pages other helpers have not built yet do not 404."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import Resolver404, resolve

register = template.Library()

LINKS = (("数据", "/ops/"), ("审核", "/ops/review/"), ("举报", "/ops/reports/"), ("提现", "/ops/payouts/"),
         ("操作记录", "/ops/audit/"))


@register.inclusion_tag("ops/_nav.html", takes_context=True)
def ops_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    here = getattr(request, "path", "")
    links = []
    for label, url in LINKS:
        try:
            resolve(url)
        except Resolver404:
            continue
        on = here == url if url == "/ops/" else here.startswith(url)
        links.append({"label": label, "url": url, "on": on})
    return {"links": links}
