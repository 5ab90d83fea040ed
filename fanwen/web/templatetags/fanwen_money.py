from __future__ import annotations

from django import template

from fanwen.core.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen → "12.34" (no float anywhere)."""
    return fen_to_yuan(int(fen or 0))
