"""Per-reader fingerprints of paid text and the codes a trace compares a leaked excerpt with.

Settings: ``FANWEN_FINGERPRINT`` is ``light`` (default: zero-width carriers), ``strong``
(the light carriers plus meaning-preserving wording variants chosen per reader, which
survive NFKC, removal of invisible characters and whitespace collapse; see
:mod:`fanwen.core.fingerprint_strong`) or ``off``; the key is
``FANWEN_FINGERPRINT_KEY`` when set, else HMAC(SECRET_KEY, "fanwen-fingerprint-v1"), so
the fingerprint key is never the signing key itself.  Only *paid* blocks are marked (a free
excerpt must carry no code); which gaps carry a mark does not depend on the reader, so the
plan is cached per paid text and each reader's copy costs one table lookup per gap.

Every full-text output takes its paid blocks from :func:`mark_blocks`: the page, the API,
Word and PDF.  The visible text of a strong copy differs per reader (the variants), so what
a renderer draws is ``fingerprint.strip_carriers`` of the marked text, never the original.
WeasyPrint drops zero-width characters, so ``access.pdf_marks`` puts a PDF's light carriers
in ``/ActualText`` spans around the paid runs of the rendered PDF instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections import OrderedDict
from collections.abc import Sequence
from threading import Lock
from typing import TYPE_CHECKING, Any

from django.conf import settings

from fanwen.core import fingerprint

if TYPE_CHECKING:
    from fanwen.access.gate import GatedDocument, ShownBlock

LIGHT = "light"
STRONG = "strong"
OFF = "off"
_PLAN_CACHE_SIZE = 256
_plans: OrderedDict[bytes, fingerprint.Plan] = OrderedDict()
_plans_lock = Lock()


def mode() -> str:
    """``off``, ``strong``, else ``light`` (an unknown value marks rather than not)."""
    value = str(getattr(settings, "FANWEN_FINGERPRINT", LIGHT)).strip().lower()
    return value if value in (OFF, STRONG) else LIGHT


def enabled() -> bool:
    return mode() != OFF


def key() -> bytes:
    explicit = str(getattr(settings, "FANWEN_FINGERPRINT_KEY", "") or "")
    if explicit:
        return explicit.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"fanwen-fingerprint-v1", hashlib.sha256).digest()


def code_for(user_id: int, document_id: int) -> int:
    """The 62-bit code of this reader's copy of this document."""
    return fingerprint.reader_code(key(), user_id, document_id)


def code_text(code: int) -> str:
    """How a code is stored on a Delivery row (16 hex digits)."""
    return f"{code:016x}"


def plan_for(texts: Sequence[str], plan_mode: str | None = None) -> fingerprint.Plan:
    """The reader-independent plan for these paid block texts (cached per text and mode)."""
    plan_mode = plan_mode or mode()
    if plan_mode == OFF:
        plan_mode = LIGHT
    digest = (
        hashlib.blake2b("\x00".join(texts).encode(), digest_size=16).digest()
        + bytes([len(texts) % 256])
        + plan_mode.encode()
    )
    with _plans_lock:
        plan = _plans.get(digest)
        if plan is not None:
            _plans.move_to_end(digest)
            return plan
    plan = fingerprint.prepare(texts, plan_mode)
    with _plans_lock:
        _plans[digest] = plan
        while len(_plans) > _PLAN_CACHE_SIZE:
            _plans.popitem(last=False)
    return plan


def mark_blocks(blocks: Sequence[ShownBlock], code: int) -> list[ShownBlock]:
    """The blocks with every paid block's text marked for ``code``; free blocks unchanged."""
    paid = [i for i, b in enumerate(blocks) if b.paid]
    if not paid:
        return list(blocks)
    marked = plan_for([blocks[i].text for i in paid]).mark(code)
    out = list(blocks)
    for i, text in zip(paid, marked, strict=True):
        out[i] = dataclasses.replace(blocks[i], text=text)
    return out


def marked_view(view: GatedDocument, user: Any) -> GatedDocument:
    """The entitled reader's view with the paid blocks marked for this reader.  A view
    without access (or with fingerprints off, or for nobody signed in) comes back as is."""
    if not enabled() or not view.access or user is None or not getattr(user, "is_authenticated", False):
        return view
    if not any(b.paid for b in view.blocks):
        return view
    return dataclasses.replace(view, blocks=mark_blocks(view.blocks, code_for(user.pk, view.document.pk)))
