"""Issue #9 item 16: the page renders a run-on heading's lead as the heading and the rest as body text."""

from __future__ import annotations

import re

import pytest

from fanwen.core.format import parse_text
from fanwen.library.models import Document
from fanwen.library.services import document_import

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", ["正文。", "正文很长，" * 30], ids=["short", "long"])
def test_run_on_sub_heading_renders_the_same_at_any_length(client, body: str):
    text = f"标题\n开头一段。\n（一）小标题。{body}\n"
    result = document_import(parsed=parse_text(text))
    page = client.get(f"/d/{result.document_id}/").content.decode()
    assert re.search(rf"<h3[^>]*>（一）小标题。</h3>\s*<p[^>]*>{re.escape(body)}</p>", page)
    assert re.search(r'<a href="#[^"]+">（一）小标题</a>', page)  # the outline shows the lead
    document = Document.objects.get(pk=result.document_id)
    assert document.chars_free == len("开头一段。") + len("（一）小标题。") + len(body)
