"""The paywall gate: the only code that decides what a reader may see, and produces it.

Every channel (pages, API, feeds, sitemaps, meta tags, search snippets, exports)
reads document text through :func:`gated_view`.  For a
reader who is not entitled, paid blocks are filtered out in the SQL query itself,
so paid text is never even loaded into the process serving them.

Entitled readers: staff, the document's author, holders of an active
entitlement (grant or purchase), and members with an active membership period.  Documents without paid blocks are open to all.
A document that is not published is seen only by those :func:`can_see` names.
Access is decided per document per request; nothing here is cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fanwen.access import selectors as access_selectors
from fanwen.core import quotes as quoting
from fanwen.core import structure
from fanwen.library.models import Block, Document
from fanwen.library.selectors import MAX_ID


@dataclass(frozen=True)
class OutlineItem:
    text: str
    level: int
    paid: bool
    anchor: str


@dataclass(frozen=True, slots=True)
class ShownBlock:
    """One block as this reader sees it.  ``anchor`` numbers the blocks the reader sees
    (b0, b1, … without gaps) and ``level`` is computed among them, so neither tells where or
    how many hidden blocks there are."""

    anchor: str
    text: str
    paid: bool
    kind: str
    level: int
    lead: str

    @property
    def heading_text(self) -> str:
        """For a heading that runs on into body text: the heading (up to its stop)."""
        return structure.split_heading(self.text)[0]

    @property
    def heading_rest(self) -> str:
        """... and the body text after it, rendered as a paragraph under the heading."""
        return structure.split_heading(self.text)[1]


@dataclass(frozen=True)
class GatedDocument:
    """What one reader may see of one document.

    ``blocks`` in document order; for a reader who may not read the paid part, the free
    blocks after the first paid one are the ``ending``, shown after the paywall card as one
    group (however many paid regions there are), the rest is the ``opening``."""

    document: Document
    access: bool
    blocks: list[ShownBlock]
    outline: list[OutlineItem]
    hidden_chars: int
    hidden_sections: int
    ending_start: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def opening(self) -> list[ShownBlock]:
        return self.blocks[: self.ending_start]

    @property
    def ending(self) -> list[ShownBlock]:
        return self.blocks[self.ending_start :]


def _signed_in(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def _is_staff_or_author(user: Any, document: Document) -> bool:
    return bool(user.is_staff) or (document.author_id is not None and document.author_id == user.pk)


def can_see(user: Any, document: Document) -> bool:
    """May this reader open the document at all (its page, its API entry)?  Published: anyone.
    Unpublished (已下架): its author, staff, and holders of an active entitlement — buyers and
    grantees keep what they were given; members who never bought it do not.  Pending review or
    taken down for infringement (已下架（侵权）): its author and staff only."""
    if document.status == Document.Status.PUBLISHED:
        return True
    if not _signed_in(user):
        return False
    if _is_staff_or_author(user, document):
        return True
    if document.status == Document.Status.UNPUBLISHED:
        return access_selectors.entitlement_active_exists(user_id=user.pk, document_id=document.pk)
    return False


def document_get_visible(*, document_id: int, user: Any) -> Document | None:
    """The document if this reader may open it (:func:`can_see`): published ones for everyone,
    unpublished ones for their author, staff, buyers and grantees, the rest for author and staff."""
    if not 0 < document_id <= MAX_ID:  # out-of-range ids are "not found", not a database error
        return None
    document = Document.objects.select_related("category", "author").filter(pk=document_id).first()
    if document is None or not can_see(user, document):
        return None
    return document


def can_read_full(user: Any, document: Document) -> bool:
    if document.status != Document.Status.PUBLISHED and not can_see(user, document):
        return False
    if not document.has_paid:
        return True
    if not _signed_in(user):
        return False
    if _is_staff_or_author(user, document):
        return True
    if document.status != Document.Status.PUBLISHED:
        return access_selectors.entitlement_active_exists(user_id=user.pk, document_id=document.pk)
    return access_selectors.user_may_read(user_id=user.pk, document_id=document.pk)


def visible_blocks(user: Any, document: Document) -> list[ShownBlock]:
    return gated_view(user, document).blocks


def gated_view(user: Any, document: Document) -> GatedDocument:
    access = can_read_full(user, document)
    rows = list(_block_queryset(document, full=access))
    if access:
        levels = [b.level for b in rows]
        ending_start = len(rows)
    else:
        levels = structure.levels_among([(b.kind, b.level) for b in rows])
        first_paid = _first_paid_position(document)
        after_paid = (i for i, b in enumerate(rows) if first_paid is not None and b.position > first_paid)
        ending_start = next(after_paid, len(rows))
    blocks = [
        ShownBlock(anchor=f"b{i}", text=b.text, paid=b.paid, kind=b.kind, level=level, lead=b.lead)
        for i, (b, level) in enumerate(zip(rows, levels, strict=True))
    ]
    outline = [
        OutlineItem(text=b.lead or b.text, level=b.level, paid=b.paid, anchor=b.anchor)
        for b in blocks
        if b.kind != Block.Kind.PARAGRAPH
    ]
    return GatedDocument(
        document,
        access,
        blocks,
        outline,
        hidden_chars=0 if access else document.chars_paid,
        hidden_sections=0 if access else document.sections_paid,
        ending_start=ending_start,
    )


def _block_queryset(document: Document, *, full: bool):  # type: ignore[no-untyped-def]
    qs = Block.objects.filter(document=document).order_by("position")
    return qs if full else qs.filter(paid=False)


def _first_paid_position(document: Document) -> int | None:
    """Where the paid part starts: its position only, never its text."""
    return _block_queryset(document, full=True).filter(paid=True).values_list("position", flat=True).first()


def paid_part_quoted_by(*, document: Document, texts: list[str]) -> list[bool]:
    """For each text (a review, say): does it quote a run of the document's paid part?  A check
    made for the site, not for a reader: it answers booleans only, so the paid text never
    leaves the gate (``core/quotes.py`` says what quoting is)."""
    if not any(texts):
        return [False for _ in texts]
    rows = _block_queryset(document, full=True).filter(paid=True).values_list("lead", "text")
    paid = quoting.SEPARATOR.join(quoting.normalise(lead + text) for lead, text in rows)
    return [bool(text) and quoting.quotes(text, paid) for text in texts]
