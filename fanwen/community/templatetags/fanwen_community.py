"""Template pieces of the community app, included by library templates:
{% community_panel doc view %} on the document page, {% attach_ratings docs %} for lists of
cards (one query per list), {% my_shelves %} in 我的文库."""

from __future__ import annotations

from typing import Any

from django import template

from fanwen.community import selectors, services

register = template.Library()


@register.simple_tag
def attach_ratings(docs: Any) -> str:
    """Sets ``rating_summary`` (a RatingSummary or None) on every document of the list."""
    items = list(docs or [])
    summaries = selectors.rating_summaries([d.pk for d in items])
    for d in items:
        d.rating_summary = summaries.get(d.pk)
    return ""


@register.inclusion_tag("community/_document_panel.html", takes_context=True)
def community_panel(context: template.Context, doc: Any, view: Any) -> dict[str, Any]:
    """收藏, rating summary, reviews, 举报 — the same for every anonymous reader (the page may be
    cached for them: no form, no token), personal for a signed-in one."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    staff = signed_in and bool(getattr(user, "is_staff", False))
    out: dict[str, Any] = {
        "doc": doc, "signed_in": signed_in, "staff": staff,
        "rating": selectors.rating_of(doc.pk),
        "reviews": selectors.reviews_for(document=doc, user=user, entitled=bool(view.access), staff=staff),
        "csrf_token": context.get("csrf_token"),
    }
    if signed_in:
        mine = selectors.review_of(user=user, document_id=doc.pk)
        out.update({
            "favorite": selectors.is_favorite(user=user, document_id=doc.pk),
            "mine": mine, "refusal": services.review_allowed(user=user, document=doc),
        })
    if staff:
        count = selectors.open_report_count(document_id=doc.pk)
        out.update({"open_reports": count, "flagged": count >= selectors.flag_threshold()})
    return out


@register.inclusion_tag("community/_my_shelves.html", takes_context=True)
def my_shelves(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    return {
        "favorites": selectors.favorites_of(user_id=request.user.pk),
        "history": selectors.history_of(user_id=request.user.pk),
        "csrf_token": context.get("csrf_token"),
    }
