"""Columns and form fields shared by the admin pages: money shown and typed in 元 (stored in
integer fen, ``core/money.py``), and the id column under a Chinese header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin

from fanwen.core.money import BadAmount, fen_to_yuan, yuan_to_fen


def yuan_text(fen: int | None) -> str:
    """Integer fen → "¥12.34" ("-¥12.34" for money going out)."""
    text = fen_to_yuan(int(fen or 0))
    return f"-¥{text[1:]}" if text.startswith("-") else f"¥{text}"


def yuan_column(field: str, description: str) -> Callable[[Any], str]:
    """A changelist column showing ``field`` (fen) as ¥x.xx, sortable by the field."""

    @admin.display(description=description, ordering=field)
    def column(obj: Any) -> str:
        return yuan_text(getattr(obj, field))

    column.__name__ = f"{field}_yuan"
    return column


class YuanField(forms.CharField):
    """A price typed in 元 ("5", "5.5", "0.01"); cleans to integer fen."""

    def __init__(self, *, max_fen: int, min_fen: int = 1, **kwargs: Any) -> None:
        self.min_fen, self.max_fen = min_fen, max_fen
        kwargs.setdefault("help_text", f"单位：元，最多两位小数（{fen_to_yuan(min_fen)} 到 {fen_to_yuan(max_fen)}）")
        super().__init__(max_length=20, **kwargs)

    def clean(self, value: Any) -> int:  # type: ignore[override]
        text = super().clean(value)
        try:
            fen = yuan_to_fen(text or "")
        except BadAmount:
            raise forms.ValidationError("价格须是以元为单位的数字，最多两位小数，例如 5 或 12.50") from None
        if not self.min_fen <= fen <= self.max_fen:
            raise forms.ValidationError(f"价格须在 {fen_to_yuan(self.min_fen)} 到 {fen_to_yuan(self.max_fen)} 元之间")
        return fen


@admin.display(description="编号", ordering="id")
def id_column(obj: Any) -> str:
    return str(obj.pk)


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Records written by services only (deliveries, logs): staff may look, not add, edit or delete."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
