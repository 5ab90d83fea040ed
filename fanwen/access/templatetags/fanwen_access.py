"""{% download_buttons doc view user %}: 下载 Word (and PDF when offered) and, when the document
has placeholders, 填写并下载 — for a signed-in reader the gate lets read the whole document;
nothing for anyone else."""

from __future__ import annotations

from typing import Any

from django import template

from fanwen.access.filled import has_placeholders
from fanwen.access.renderers import formats_offered

register = template.Library()


@register.inclusion_tag("access/_download_buttons.html")
def download_buttons(doc: Any, view: Any, user: Any) -> dict[str, Any]:
    entitled = bool(view.access) and user is not None and user.is_authenticated
    return {
        "doc": doc,
        "formats": list(formats_offered().values()) if entitled else [],
        "fillable": entitled and has_placeholders(view.blocks),
    }
