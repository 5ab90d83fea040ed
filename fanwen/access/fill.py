"""填写模板: the placeholders of a document an entitled reader may fill, the filled blocks, the
preview, the file (through ``delivery.deliver``) and the reader's saved details (FillProfile).

The finder runs over the gate's blocks for this reader, and only when the gate gives the
whole document: nobody learns anything of the paid part (not even where its placeholders
are) without being entitled to it.  Values are checked with core's ``clean_values``; they
are never stored unless the reader asks (``fill_profile_save``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fanwen.access import gate
from fanwen.access.delivery import DeliveredFile, deliver
from fanwen.access.errors import AccessError, NotEntitled, SignInRequired
from fanwen.access.models import FillProfile
from fanwen.core import placeholders as core_placeholders
from fanwen.library.models import Document

PROFILE_MAX_ITEMS = 50


class FillValuesInvalid(AccessError):
    """What the reader typed cannot be used; ``errors`` by placeholder text, in Chinese."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("填写的内容有误：" + "；".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class FillForm:
    """An entitled reader's view for filling: the gate's blocks and their placeholders."""

    view: gate.GatedDocument
    placeholders: list[core_placeholders.Placeholder]


def _full_text(title: str, blocks: Sequence[Any]) -> str:
    """The title and the blocks, one per line (no placeholder crosses a line)."""
    return "\n".join([title, *(block.text for block in blocks)])


def fill_form(*, user: Any, document: Document) -> FillForm:
    """The placeholders of the whole document, or SignInRequired / NotEntitled."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise SignInRequired("请先登录后再填写模板")
    view = gate.gated_view(user, document)
    if not view.access:
        raise NotEntitled("您还没有这篇文档的全文阅读权限，购买或开通会员后即可填写模板")
    return FillForm(view, core_placeholders.find_placeholders(_full_text(document.title, view.blocks)))


def clean(form: FillForm, raw: Mapping[str, str]) -> dict[str, str]:
    """Values ready for filling (completed, by placeholder text), or FillValuesInvalid."""
    if len(raw) > max(len(form.placeholders), 1):
        raise FillValuesInvalid({"values": f"填写的项目太多（这篇文档只有 {len(form.placeholders)} 个占位符）"})
    values, errors = core_placeholders.clean_values(form.placeholders, raw)
    if errors:
        raise FillValuesInvalid(errors)
    return values


def fill_and_deliver(*, user: Any, document: Document, fmt: str, raw: Mapping[str, str]) -> DeliveredFile:
    """The filled file: sign-in, gate, validation, then ``deliver`` (cap, render, Delivery row)."""
    values = clean(fill_form(user=user, document=document), raw)
    return deliver(user=user, document=document, fmt=fmt, values=values)


def fill_profile_of(*, user_id: int) -> dict[str, str]:
    profile = FillProfile.objects.filter(user_id=user_id).values_list("values", flat=True).first()
    return dict(profile) if isinstance(profile, dict) else {}


def fill_profile_save(*, user_id: int, form: FillForm, raw: Mapping[str, str]) -> FillProfile:
    """Keep what the reader typed, by label (学校名称 → 清华大学), over what was kept before."""
    labels = {p.text: p.label for p in form.placeholders}
    saved = fill_profile_of(user_id=user_id)
    saved.update({labels[key]: value.strip() for key, value in raw.items() if key in labels})
    kept = dict(list(saved.items())[-PROFILE_MAX_ITEMS:])
    profile, _ = FillProfile.objects.update_or_create(user_id=user_id, defaults={"values": kept})
    return profile


def fill_profile_clear(*, user_id: int) -> int:
    return FillProfile.objects.filter(user_id=user_id).delete()[0]
