"""JSON-LD for document pages, built from the title and the free part only.

Follows Google's guidance for paywalled content: ``isAccessibleForFree: false`` and
a ``hasPart`` WebPageElement whose ``cssSelector`` names the paywall section.
"""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from fanwen.library.models import Document
from fanwen.web.site_url import absolute_url

register = template.Library()


@register.filter
def absolute(path: str) -> str:
    """``{{ doc.get_absolute_url|absolute }}``: on the site's address (FANWEN_SITE_URL)."""
    return absolute_url(path)


@register.simple_tag
def document_jsonld(doc: Document) -> SafeString:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": doc.title[:110],
        "description": doc.summary,
        "datePublished": doc.created_at.isoformat(),
        "dateModified": doc.updated_at.isoformat(),
        "wordCount": doc.chars_total,
        "url": absolute_url(doc.get_absolute_url()),
        "mainEntityOfPage": absolute_url(doc.get_absolute_url()),
        "isAccessibleForFree": not doc.has_paid,
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
    }
    if doc.category:
        data["articleSection"] = doc.category.name
    if doc.has_paid:
        data["hasPart"] = {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paid-part"}
    text = json.dumps(data, ensure_ascii=False)
    # Escape what could close the script element or start HTML.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308
