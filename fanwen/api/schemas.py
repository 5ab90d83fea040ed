from __future__ import annotations

from datetime import datetime

from ninja import Schema


class CategyOut(Schema):
    id: int
    name: str
    slug: str


class CategoryWithCountOut(CategyOut):
    documents: int


class CharsOut(Schema):
    total: int
    free: int
    paid: int


class HiddenOut(Schema):
    chars: int
    sections: int


class BlockOut(Schema):
    text: str
    paid: bool
    kind: str
    level: int


class OutlineOut(Schema):
    text: str
    level: int
    paid: bool


class DocumentSummaryOut(Schema):
    id: int
    title: str
    category: CategyOut | None
    chars: CharsOut
    price_fen: int
    summary: str
    views: int
    created_at: datetime
    url: str


class DocumentOut(DocumentSummaryOut):
    access: bool
    blocks: list[BlockOut]
    outline: list[OutlineOut]
    hidden: HiddenOut


class DocumentPageOut(Schema):
    total: int
    page: int
    page_size: int
    results: list[DocumentSummaryOut]


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class ErrorOut(Schema):
    detail: str
