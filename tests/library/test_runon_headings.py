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


def test_restructure_reclassifies_documents_stored_under_the_old_rule(capsys):
    from django.core.management import call_command

    from fanwen.library.models import Block

    long_heading = "（一）小标题。" + "正文很长，" * 10
    result = document_import(parsed=parse_text(f"标题\n开头。\n{long_heading}\n（二）短的。正文\n"))
    # As the old rule stored them: the long one a paragraph, the short one a heading led by its whole text.
    Block.objects.filter(document_id=result.document_id, position=1).update(kind="paragraph", level=0, lead="")
    Block.objects.filter(document_id=result.document_id, position=2).update(lead="（二）短的。正文")
    Document.objects.filter(pk=result.document_id).update(sections_free=1)
    call_command("restructure")
    assert "1 documents changed" in capsys.readouterr().out
    rows = list(Block.objects.filter(document_id=result.document_id).order_by("position").values_list("kind", "level", "lead"))
    assert rows == [("paragraph", 0, ""), ("heading", 2, "（一）小标题"), ("heading", 2, "（二）短的")]
    assert Document.objects.get(pk=result.document_id).sections_free == 2
    call_command("restructure")
    assert "0 documents changed" in capsys.readouterr().out
