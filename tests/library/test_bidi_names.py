"""Issue #9 item 19 (bidi part): titles, categories and tags are stored without bidi controls."""

from __future__ import annotations

import pytest

from fanwen.core.format import parse_text
from fanwen.library.models import Document
from fanwen.library.services import category_get_or_create, document_import

pytestmark = pytest.mark.django_db


def test_category_names_lose_bidi_controls_and_match_the_plain_name():
    plain = category_get_or_create(name="工作报告")
    assert category_get_or_create(name="工作\u202e报告\u2069") == plain
    assert category_get_or_create(name="\u2067心得\u202c").name == "心得"


def test_imported_titles_and_tags_lose_bidi_controls():
    result = document_import(
        parsed=parse_text("\u202e述职报告 gpj.exe\n正文"), tags="乡村\u202e振兴, \u2066心得", category_name="报\u202d告"
    )
    doc = Document.objects.select_related("category").get(pk=result.document_id)
    assert doc.title == "述职报告 gpj.exe"
    assert doc.tag_list == ["乡村振兴", "心得"]
    assert doc.category is not None and doc.category.name == "报告"
