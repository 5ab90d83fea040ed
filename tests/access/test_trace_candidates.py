"""Who a trace compares an excerpt with: delivered files by the code they carried, and for the
documents whose paid text holds the excerpt only, entitlements, authors and members — so
members × catalogue no longer grows the work, and the answer stays right and fail-closed."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from fanwen.access.delivery import deliver
from fanwen.access.trace import code_pattern, documents_of, probes, trace_text
from fanwen.commerce.models import Order, Plan
from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
from fanwen.core.fingerprint import ZWJ, ZWSP
from fanwen.library.models import Document
from fanwen.library.services import document_import_path
from tests.access.test_downloads import buy
from tests.access.test_trace import EXAMPLE, PAID_BLOCKS, TAG_RE, window_from, word_text
from tests.commerce.factories import make_user

pytestmark = pytest.mark.django_db
OTHER_DOCUMENTS = 6


@pytest.fixture
def catalogue(tmp_path) -> list[Document]:  # type: ignore[no-untyped-def]
    """The example document and six other paid documents (its text with another title)."""
    author = make_user("writer")
    first = document_import_path(path=EXAMPLE, price_fen=500, author_id=author.pk)
    docs = [Document.objects.get(pk=first.id)]
    original = EXAMPLE.read_text(encoding="utf-8")
    for i in range(OTHER_DOCUMENTS):
        path = tmp_path / f"other{i}.txt"
        lines = original.splitlines()
        # A different paid text: every Han character shifted, so no probe of the example is in it.
        path.write_text("\n".join([lines[0] + f"（其{i}）"] + [shift(line, i + 1) for line in lines[1:]]), encoding="utf-8")
        outcome = document_import_path(path=path, price_fen=300, author_id=author.pk)
        docs.append(Document.objects.get(pk=outcome.id))
    return docs


def shift(text: str, by: int) -> str:
    return "".join(chr(ord(c) + by) if "\u4e00" <= c < "\u9f00" else c for c in text)


def make_member(username: str):  # type: ignore[no-untyped-def]
    user = make_user(username)
    plan, _ = Plan.objects.get_or_create(code="month", defaults={"name": "月卡", "days": 30, "price_fen": 3000})
    wallet_credit(user=user, amount_fen=plan.price_fen, reason="test")
    order = order_create(user=user, plan_code=plan.code)
    order_pay_with_wallet(order_id=order.pk, user=user)
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    return user


def page_excerpt(user, doc: Document, anchor: str = PAID_BLOCKS[4][:12]) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    page = html.unescape(TAG_RE.sub("", client.get(f"/d/{doc.pk}/").content.decode()))
    return window_from(page, anchor)


def test_probes_skip_carriers_and_stop_at_line_breaks_and_punctuation():
    text = f"关{ZWSP}于进{ZWJ}一步加强工作中\n基层组织建设工作的通知，全面推进，短句"
    assert probes(text) == ["关于进一步加强工作中", "基层组织建设工作的通"]
    assert probes("abc，短句。") == []


def test_an_excerpt_belongs_to_the_document_whose_paid_text_holds_it(catalogue):
    excerpt = window_from("\n".join(PAID_BLOCKS), PAID_BLOCKS[4][:12])
    assert documents_of(excerpt) == {catalogue[0].pk}


def test_a_member_is_named_from_their_page_and_members_are_compared_for_that_document_only(catalogue):
    members = [make_member(f"member{i}") for i in range(3)]
    result = trace_text(page_excerpt(members[1], catalogue[0]))
    assert result.match and result.holder is not None
    assert (result.holder.username, result.holder.via, result.holder.document_id) == ("member1", "会员", catalogue[0].pk)
    # 3 members × 1 document + its author: not 3 × 7 documents + 7 authors.
    assert result.candidates == 4


def test_a_delivered_file_is_traced_by_the_code_it_carried_even_after_the_key_changes(catalogue, settings, tmp_path):
    buyer = make_user("buyer0")
    buy(buyer, catalogue[0])
    delivered = deliver(user=buyer, document=catalogue[0], fmt="docx")
    excerpt = window_from(word_text(delivered.content), PAID_BLOCKS[2][:12])
    settings.FANWEN_FINGERPRINT_KEY = "a-new-key-after-the-delivery"
    result = trace_text(excerpt)
    assert result.match and result.holder is not None
    assert (result.holder.username, result.holder.delivered_at is not None) == ("buyer0", True)
    assert "Word 下载" in result.holder.via


def test_each_excerpt_names_the_reader_of_its_own_document(catalogue):
    reader, member = make_user("reader"), make_member("member9")
    buy(reader, catalogue[3])
    buy(reader, catalogue[0])
    own = trace_text(page_excerpt(reader, catalogue[3], shift(PAID_BLOCKS[4][:12], 3)))
    assert own.holder is not None and (own.holder.username, own.holder.document_id) == ("reader", catalogue[3].pk)
    theirs = trace_text(page_excerpt(member, catalogue[3], shift(PAID_BLOCKS[4][:12], 3)))
    assert theirs.holder is not None and (theirs.holder.username, theirs.holder.document_id) == ("member9", catalogue[3].pk)


def test_the_code_pattern_writes_only_digits_read_in_full():
    assert code_pattern(0xF0, 0xA0) == "_" * 14 + "a_"
    assert code_pattern(0x3F << 56, 0x2B << 56) == "_b" + "_" * 14  # the second digit in full, the top one half
    code = 0x2B3C4D5E6F708192
    assert re.fullmatch(code_pattern((1 << 62) - 1, code).replace("_", "."), f"{code:016x}")


def test_no_fingerprint_reads_no_record(catalogue, django_assert_num_queries):
    with django_assert_num_queries(0):
        result = trace_text("\n".join(PAID_BLOCKS))
    assert (result.match, result.reason, result.candidates) == (False, "未找到指纹", 0)
