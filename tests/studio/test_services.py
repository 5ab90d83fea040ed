"""studio.services: submitting is once only, all-or-nothing for tools, and a submitted draft is final."""

from __future__ import annotations

import pytest

from fanwen.core.format import parse_text
from fanwen.library.models import Document
from fanwen.studio.models import Draft
from fanwen.studio.services import (
    DraftRefused,
    draft_create,
    draft_create_and_submit,
    draft_document,
    draft_parsed,
    draft_save,
    draft_submit,
)

pytestmark = pytest.mark.django_db

TEXT = "标题\n开头。\n一、部分\n正文。\n##paidbegin##二、付费\n付费正文。\n##paidend##文末。"


def test_the_stored_text_gives_the_file_back(author):
    parsed = parse_text(TEXT)
    draft = draft_create(author_id=author.pk, parsed=parsed, source_name="a.txt")
    assert draft_parsed(draft) == parsed
    assert draft.paid_from == 3
    assert draft_document(draft).blocks == parsed.blocks  # the markers' regions, 文末 included


def test_submitting_twice_stores_one_document(author):
    draft = draft_create(author_id=author.pk, parsed=parse_text(TEXT))
    draft_save(draft_id=draft.pk, author_id=author.pk, price_fen=100)
    first = draft_submit(draft_id=draft.pk, author_id=author.pk)
    again = draft_submit(draft_id=draft.pk, author_id=author.pk)
    assert first.status == "imported" and again.document_id == first.document_id
    assert Document.objects.count() == 1
    with pytest.raises(DraftRefused, match="已提交审核"):
        draft_save(draft_id=draft.pk, author_id=author.pk, title="改")


def test_someone_elses_draft_does_not_exist(author, django_user_model):
    other = django_user_model.objects.create_user("other", password="other-pass-1")
    draft = draft_create(author_id=author.pk, parsed=parse_text(TEXT))
    with pytest.raises(DraftRefused, match="草稿不存在"):
        draft_save(draft_id=draft.pk, author_id=other.pk, paid_from=1)
    with pytest.raises(DraftRefused, match="草稿不存在"):
        draft_submit(draft_id=draft.pk, author_id=other.pk)


def test_a_refused_tool_upload_leaves_nothing(author):
    with pytest.raises(DraftRefused):
        draft_create_and_submit(author_id=author.pk, parsed=parse_text(TEXT), source_name="a.txt", paid_from=99)
    with pytest.raises(DraftRefused, match="需要填写价格"):
        draft_create_and_submit(author_id=author.pk, parsed=parse_text(TEXT), source_name="a.txt")
    assert not Draft.objects.exists() and not Document.objects.exists()


def test_an_all_free_line_stores_a_free_document(author):
    parsed = parse_text(TEXT)
    draft, result = draft_create_and_submit(
        author_id=author.pk, parsed=parsed, source_name="a.txt", paid_from=len(parsed.blocks), price_fen=500
    )
    document = Document.objects.get(pk=result.document_id)
    assert (document.chars_paid, document.price_fen, draft.status) == (0, 0, Draft.Status.SUBMITTED)
