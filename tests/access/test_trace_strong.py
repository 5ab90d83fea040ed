"""FANWEN_FINGERPRINT=strong wired into every full-text output: wording variants chosen per
reader survive a leaker's normalisation (NFKC, no Cf / zero-width / variation characters,
collapsed whitespace) of a whole copy, and ``fanwen trace`` names the buyer from it.  A
normalised 300-character excerpt carries too few variants: it is refused, never misattributed
(docs/decisions.md, "Fingerprint")."""

from __future__ import annotations

import html
import json

import pytest
from django.test import Client

from fanwen.access import trace_strong
from fanwen.access.delivery import deliver
from fanwen.accounts.services import api_token_create
from fanwen.core import fingerprint_strong
from fanwen.core.fingerprint import CARRIERS, strip_carriers
from fanwen.core.fingerprint_strong import PAIRS, find_sites
from fanwen.core.fingerprint_text import normalise_like_a_leaker
from fanwen.core.reader import read_path
from fanwen.library.models import Document
from fanwen.library.services import document_import_path
from tests.access.test_trace import TAG_RE, UNRELATED, buyers, trace, word_text
from tests.commerce.factories import make_user
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db
__all__ = ["buyers"]  # the three buyers fixture, over this module's documents
PARTNER = {a: b for a, b in PAIRS} | {b: a for a, b in PAIRS}
EXAMPLES = ("000_2681b15fc75a1dde.txt", "001_8c2f3a0508b80cee.txt")


@pytest.fixture(params=EXAMPLES)
def doc(request, settings) -> Document:  # type: ignore[no-untyped-def]
    settings.FANWEN_FINGERPRINT = "strong"
    author = make_user("writer")
    outcome = document_import_path(path=ROOT / "examples" / request.param, price_fen=500, author_id=author.pk)
    return Document.objects.get(pk=outcome.id)


def paid_and_free(doc: Document) -> tuple[list[str], list[str]]:
    blocks = list(doc.blocks.order_by("position").values_list("text", "paid"))
    return [t for t, p in blocks if p], [t for t, p in blocks if not p]


def page_text(user, doc: Document) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return html.unescape(TAG_RE.sub("", client.get(f"/d/{doc.pk}/").content.decode()))


def assert_names(tmp_path, text: str, user, doc: Document) -> None:  # type: ignore[no-untyped-def]
    leaked = normalise_like_a_leaker(text)
    assert not any(c in leaked for c in CARRIERS)
    code, result = trace(tmp_path, leaked.encode(), "leak.txt")
    assert (code, result["match"], result["username"], result["document_id"]) == (0, True, user.username, doc.pk), (
        result, trace_strong.aligned_documents(leaked), fingerprint_strong.lookup_chunks(leaked))
    assert result["false_match_probability"] <= 1e-6


def test_each_buyer_is_named_from_their_normalised_word_file(doc, buyers, tmp_path):
    for user in buyers:
        delivered = deliver(user=user, document=doc, fmt="docx")
        assert_names(tmp_path, word_text(delivered.content), user, doc)


def test_each_buyer_is_named_from_their_normalised_page_and_api_text(doc, buyers, tmp_path):
    for user in buyers:
        assert_names(tmp_path, page_text(user, doc), user, doc)
        token = api_token_create(user=user)
        body = Client().get(f"/api/v1/documents/{doc.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
        assert_names(tmp_path, "\n".join(b["text"] for b in body["blocks"]), user, doc)


def test_buyers_see_standard_wording_that_differs_per_reader_and_keeps_its_length(doc, buyers):
    paid, _ = paid_and_free(doc)
    copies = []
    for user in buyers:
        token = api_token_create(user=user)
        body = Client().get(f"/api/v1/documents/{doc.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
        copies.append([strip_carriers(b["text"]) for b in body["blocks"] if b["paid"]])
    assert len({tuple(c) for c in copies}) == 3
    for copy in copies:
        assert [len(t) for t in copy] == [len(t) for t in paid]
        changed = sum(a != b for t, o in zip(copy, paid, strict=True) for a, b in zip(t, o, strict=True))
        assert changed > 0
        # every change is one of the original's sites, its form replaced by its partner
        for t, o in zip(copy, paid, strict=True):
            sites = {start: form for start, form in find_sites(o)}
            for start, form in sites.items():
                assert t[start : start + len(form)] in (form, PARTNER[form])
            covered = {start + i for start, form in sites.items() for i in range(len(form))}
            assert all(a == b or i in covered for i, (a, b) in enumerate(zip(t, o, strict=True)))


def test_normalised_300_characters_are_refused_never_misattributed(doc, buyers, tmp_path):
    leaked = normalise_like_a_leaker(word_text(deliver(user=buyers[0], document=doc, fmt="docx").content))
    paid, _ = paid_and_free(doc)
    start = leaked.index(normalise_like_a_leaker(paid[0])[:12])
    for offset in range(start, len(leaked) - 300, 200):
        code, result = trace(tmp_path, leaked[offset : offset + 300].encode(), "x.txt")
        assert (code, result["match"], result["username"]) == (1, False, None), result
        assert result["reason"] in ("证据不足", "未找到指纹", "证据不足：不止一位读者的指纹与之相符")


def test_unnormalised_300_characters_still_name_the_buyer_through_the_light_carriers(doc, buyers, tmp_path):
    from tests.access.test_trace import window_from

    paid, _ = paid_and_free(doc)
    for user in buyers:
        text = word_text(deliver(user=user, document=doc, fmt="docx").content)
        excerpt = window_from(text, strip_carriers(text)[strip_carriers(text).index(paid[1][:6]) :][:12])
        code, result = trace(tmp_path, excerpt.encode(), "x.txt")
        assert (code, result["username"]) == (0, user.username), result


def test_free_part_unrelated_text_and_an_unmarked_copy_name_nobody(doc, buyers, tmp_path):
    paid, free = paid_and_free(doc)
    for text in ("\n".join(free) * 3, UNRELATED, "\n".join(paid)):
        code, result = trace(tmp_path, normalise_like_a_leaker(text).encode(), "x.txt")
        assert (code, result["match"], result["username"]) == (1, False, None), result


def test_anonymous_and_non_buyers_see_the_original_free_text_only(doc, buyers):
    paid, free = paid_and_free(doc)
    stranger = make_user("stranger")
    for user in (None, stranger):
        client = Client()
        if user:
            client.force_login(user)
        body = client.get(f"/api/v1/documents/{doc.pk}").json()
        assert body["access"] is False
        shown = json.dumps(body, ensure_ascii=False)
        assert body["blocks"] and all(b["text"] in free for b in body["blocks"])
        assert not any(c in shown for c in CARRIERS)
        assert not any(t[:20] in shown for t in paid)


def test_a_light_copy_normalised_is_refused_not_misattributed(doc, buyers, tmp_path, settings):
    settings.FANWEN_FINGERPRINT = "light"
    text = word_text(deliver(user=buyers[0], document=doc, fmt="docx").content)
    settings.FANWEN_FINGERPRINT = "strong"  # the trace reads variants; the copy has none chosen
    code, result = trace(tmp_path, normalise_like_a_leaker(text).encode(), "x.txt")
    assert (code, result["match"], result["username"]) == (1, False, None), result


def test_the_examples_paid_parts_are_the_documents_read_here():
    for name in EXAMPLES:
        assert any(b.paid for b in read_path(ROOT / "examples" / name).blocks)


def test_each_buyer_is_named_from_their_normalised_pdf(doc, buyers, tmp_path):
    from tests.access.test_pdf_fingerprint import pdftotext

    paid, _ = paid_and_free(doc)
    for user in buyers:
        delivered = deliver(user=user, document=doc, fmt="pdf")
        code, result = trace(tmp_path, delivered.content, "leak.pdf")
        assert (code, result["username"]) == (0, user.username), result
        text = pdftotext(delivered.content, tmp_path)
        # the PDF draws this reader's wording (the API's variants), not the original
        token = api_token_create(user=user)
        body = Client().get(f"/api/v1/documents/{doc.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
        varied = [strip_carriers(b["text"]) for b in body["blocks"] if b["paid"]]
        flat = normalise_like_a_leaker(strip_carriers(text)).replace(" ", "")
        checked = 0
        for mine, original in zip(varied, paid, strict=True):
            diff = next((i for i, (a, b) in enumerate(zip(mine, original, strict=True)) if a != b), None)
            if diff is None:
                continue
            window = slice(max(0, diff - 8), diff + 8)
            assert normalise_like_a_leaker(mine[window]).replace(" ", "") in flat
            assert normalise_like_a_leaker(original[window]).replace(" ", "") not in flat
            checked += 1
        assert checked > 0
        assert_names(tmp_path, text, user, doc)
