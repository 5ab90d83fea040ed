"""The light fingerprint wired into every full-text output, and ``fanwen trace`` naming the
buyer from a Word file, a copied excerpt or the page's text — and refusing everything else."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import docx
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fanwen.access.delivery import deliver
from fanwen.access.models import Delivery
from fanwen.accounts.services import api_token_create
from fanwen.core.fingerprint import CARRIERS, strip_carriers
from fanwen.core.fingerprint_text import is_invisible
from fanwen.core.reader import read_path
from fanwen.library.models import Document
from fanwen.library.services import document_import_path
from tests.access.test_downloads import buy
from tests.commerce.factories import make_user
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db
EXAMPLE = ROOT / "examples" / "001_8c2f3a0508b80cee.txt"
PARSED = read_path(EXAMPLE)
FREE_TEXT = "\n".join(b.text for b in PARSED.blocks if not b.paid)
PAID_BLOCKS = [b.text for b in PARSED.blocks if b.paid]
UNRELATED = "今天天气晴朗，我们一家人去公园散步。湖边的柳树发出了新芽，孩子们在草地上放风筝。" * 8
TAG_RE = re.compile(r"<[^>]+>")


@pytest.fixture
def doc() -> Document:
    author = make_user("writer")
    outcome = document_import_path(path=EXAMPLE, price_fen=500, author_id=author.pk)
    return Document.objects.get(pk=outcome.id)


@pytest.fixture
def buyers(doc: Document) -> list:  # type: ignore[type-arg]
    users = [make_user(f"buyer{i}") for i in range(3)]
    for user in users:
        buy(user, doc)
    return users


def has_marks(text: str) -> bool:
    return any(c in text for c in CARRIERS)


def word_text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def window_from(text: str, anchor: str, width: int = 300) -> str:
    """``width`` consecutive visible characters starting where ``anchor`` (unmarked) begins."""
    positions = [i for i, ch in enumerate(text) if not is_invisible(ch)]
    start = "".join(text[i] for i in positions).index(anchor)
    assert start + width <= len(positions)
    return text[positions[start] : positions[start + width - 1] + 1]


def trace(tmp_path: Path, data: bytes, name: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    try:
        call_command("trace", str(path), "--json", stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


def test_trace_names_each_buyer_from_their_word_file_and_300_copied_characters(doc, buyers, tmp_path):
    for user in buyers:
        delivered = deliver(user=user, document=doc, fmt="docx")
        row = Delivery.objects.get(pk=delivered.delivery_id)
        assert row.fingerprint_code and len(row.fingerprint_code) == 16
        code, result = trace(tmp_path, delivered.content, "leak.docx")
        assert (code, result["match"], result["username"], result["document_id"]) == (0, True, user.username, doc.pk)
        assert result["bits"] >= 20 and result["false_match_probability"] <= 1e-6
        assert result["delivered_at"] is not None
        text = word_text(delivered.content)
        excerpt = window_from(text, PAID_BLOCKS[2][:12])
        code, result = trace(tmp_path, excerpt.encode(), "excerpt.txt")
        assert (code, result["username"]) == (0, user.username)


def test_trace_names_each_buyer_from_300_characters_of_their_page(doc, buyers, tmp_path):
    for user in buyers:
        client = Client()
        client.force_login(user)
        page = html.unescape(TAG_RE.sub("", client.get(f"/d/{doc.pk}/").content.decode()))
        assert has_marks(page)
        excerpt = window_from(page, PAID_BLOCKS[4][:12])
        code, result = trace(tmp_path, excerpt.encode(), "page.txt")
        assert (code, result["match"], result["username"]) == (0, True, user.username), result


def test_trace_says_no_match_for_free_part_unrelated_text_and_a_short_excerpt(doc, buyers, tmp_path):
    delivered = deliver(user=buyers[0], document=doc, fmt="docx")
    text = word_text(delivered.content)
    free = window_from(text, FREE_TEXT[:12])
    assert not has_marks(free)
    short = window_from(text, PAID_BLOCKS[2][:12], width=50)
    assert has_marks(short)
    for excerpt, reason in ((free, "未找到指纹"), (UNRELATED, "未找到指纹"), (short, "摘录太短")):
        code, result = trace(tmp_path, excerpt.encode(), "x.txt")
        assert (code, result["match"], result["username"], result["reason"]) == (1, False, None, reason)


def test_trace_reads_stdin_and_prints_the_reader(doc, buyers, monkeypatch):
    delivered = deliver(user=buyers[1], document=doc, fmt="docx")
    excerpt = window_from(word_text(delivered.content), PAID_BLOCKS[2][:12])
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(excerpt.encode())))
    out = io.StringIO()
    call_command("trace", "-", stdout=out)
    assert "buyer1" in out.getvalue() and "误判概率" in out.getvalue()


def test_non_buyers_and_anonymous_readers_get_no_marks_on_page_or_api(doc, buyers):
    stranger = make_user("stranger")
    signed_in = Client()
    signed_in.force_login(stranger)
    for client in (Client(), Client(), signed_in):  # the second anonymous hit is the cached page
        page = client.get(f"/d/{doc.pk}/").content.decode()
        api = client.get(f"/api/v1/documents/{doc.pk}")
        assert api.status_code == 200
        assert not has_marks(json.dumps(api.json(), ensure_ascii=False))  # JSON may escape them
        assert not has_marks(html.unescape(page))


def test_anonymous_cached_page_never_carries_marks_after_buyers_read(doc, buyers):
    for user in buyers:
        client = Client()
        client.force_login(user)
        assert has_marks(client.get(f"/d/{doc.pk}/").content.decode())
    for _ in range(2):
        assert not has_marks(Client().get(f"/d/{doc.pk}/").content.decode())


def test_api_full_blocks_are_marked_for_the_buyer_only_in_paid_blocks(doc, buyers):
    token = api_token_create(user=buyers[0])
    body = Client().get(f"/api/v1/documents/{doc.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["access"] is True
    assert all(has_marks(b["text"]) == b["paid"] for b in body["blocks"] if len(b["text"]) > 20)
    assert [strip_carriers(b["text"]) for b in body["blocks"] if b["paid"]] == PAID_BLOCKS


def test_fingerprint_off_marks_nothing(doc, buyers, settings):
    settings.FANWEN_FINGERPRINT = "off"
    client = Client()
    client.force_login(buyers[0])
    assert not has_marks(client.get(f"/d/{doc.pk}/").content.decode())
    delivered = deliver(user=buyers[0], document=doc, fmt="docx")
    assert Delivery.objects.get(pk=delivered.delivery_id).fingerprint_code is None


def test_marking_adds_no_query_to_the_entitled_page(doc, buyers, settings):
    client = Client()
    client.force_login(buyers[0])
    client.get(f"/d/{doc.pk}/")
    counts = {}
    for mode in ("off", "light"):
        settings.FANWEN_FINGERPRINT = mode
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/d/{doc.pk}/")
        counts[mode] = len(queries)
    assert counts["light"] <= counts["off"]


def test_trace_names_the_author_from_their_own_page(doc, tmp_path):
    client = Client()
    client.force_login(doc.author)
    page = html.unescape(TAG_RE.sub("", client.get(f"/d/{doc.pk}/").content.decode()))
    code, result = trace(tmp_path, window_from(page, PAID_BLOCKS[4][:12]).encode(), "page.txt")
    assert (code, result["username"], result["delivered_at"]) == (0, "writer", None)
