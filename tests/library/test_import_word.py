"""Word files whose paid marker stands inside a wrapper (tracked change, content control, smart
tag, custom XML, field, hyperlink, moved text, text box): `fanwen import --price 5` stores the
text after the marker as paid, or refuses the file with a reason.  Never free, never dropped."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from fanwen.library.models import Block, Document
from fanwen.search.indexer import index_sync
from fanwen.search.selectors import search_documents
from tests.conftest import FIXTURES
from tests.fixtures.make_fixtures import Fixture
from tests.fixtures.word_fixtures import HIDDEN, word_fixtures

pytestmark = pytest.mark.django_db

OK = [f for f in word_fixtures() if f.ok]
REFUSED = [f for f in word_fixtures() if not f.ok]


def import_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[list[dict], int]:
    code = 0
    try:
        call_command("import", *args, "--json")
    except SystemExit as exc:
        code = int(exc.code or 0)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()], code


@pytest.mark.parametrize("fixture", OK, ids=lambda f: f.name)
def test_word_wrapper_text_after_the_marker_is_stored_paid(client, capsys, fixture: Fixture):
    rows, code = import_json(capsys, str(FIXTURES / fixture.name), "--price", "5")
    assert code == 0 and rows[0]["status"] == "imported", rows
    assert "warning" not in rows[0] or rows[0]["warning"] is None
    stored = list(Block.objects.filter(document_id=rows[0]["id"]).order_by("position").values_list("text", "paid"))
    assert tuple(stored) == fixture.blocks
    document = Document.objects.get(pk=rows[0]["id"])
    assert document.price_fen == 500 and document.chars_paid == fixture.paid_chars
    page = client.get(f"/d/{document.pk}/").content.decode()
    api = json.dumps(client.get(f"/api/v1/documents/{document.pk}").json(), ensure_ascii=False)
    for text, paid in fixture.blocks:
        if paid:
            assert text not in page and text not in api
        else:
            assert all(piece in page for piece in text.split())
    assert "##paid" not in page.lower()
    index_sync()
    for text, paid in fixture.blocks:
        if paid:
            snippets = "".join(h.snippet + h.title for h in search_documents(text).results)
            assert text not in snippets.replace("<mark>", "").replace("</mark>", "")


@pytest.mark.parametrize("fixture", REFUSED, ids=lambda f: f.name)
def test_word_marker_fanwen_cannot_read_refuses_the_file(capsys, fixture: Fixture):
    rows, code = import_json(capsys, str(FIXTURES / fixture.name), "--price", "5")
    assert code == 1
    assert rows[0]["status"] == "failed" and HIDDEN in rows[0]["error"], rows
    assert rows[0]["error"].startswith(f"{FIXTURES / fixture.name}: refused: ")
    assert "\n" not in rows[0]["error"]
    assert Document.objects.count() == 0 and Block.objects.count() == 0


def test_price_given_but_no_paid_part_warns_in_json(capsys, tmp_path):
    (tmp_path / "free.txt").write_text("全免费的标题\n没有付费标记的正文。\n", encoding="utf-8")
    (tmp_path / "paid.txt").write_text("有付费的标题\n免费\n##paidbegin##付费\n", encoding="utf-8")
    rows, code = import_json(capsys, str(tmp_path), "--price", "5")
    assert code == 0
    by_name = {r["path"].rsplit("/", 1)[-1]: r for r in rows}
    assert by_name["free.txt"]["status"] == "imported"
    assert "##paidbegin##" in by_name["free.txt"]["warning"] and "免费" in by_name["free.txt"]["warning"]
    assert by_name["paid.txt"]["warning"] is None
    assert Document.objects.get(pk=by_name["free.txt"]["id"]).price_fen == 0


def test_price_given_but_no_paid_part_warns_in_the_summary(capsys, tmp_path):
    (tmp_path / "free.txt").write_text("全免费的标题\n没有付费标记的正文。\n", encoding="utf-8")
    call_command("import", str(tmp_path), "--price", "5")
    captured = capsys.readouterr()
    assert "free.txt" in captured.err and "##paidbegin##" in captured.err
    assert "警告 1" in captured.out


def test_no_price_and_no_paid_part_has_no_warning(capsys, tmp_path):
    (tmp_path / "free.txt").write_text("全免费的标题\n正文。\n", encoding="utf-8")
    rows, code = import_json(capsys, str(tmp_path))
    assert code == 0 and rows[0]["status"] == "imported" and rows[0]["warning"] is None
