"""What the free markup tells about the paid part: nothing beyond the counts shown on purpose.

Oracle: the anonymous page (and API) of a document with paid regions must carry the same
anchors and outline levels as a document made of its free blocks alone, imported as its own
document.  Free text after ``##paidend##`` is shown after the paywall card, as one ending."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from fanwen.commerce.services import entitlement_grant
from fanwen.core.fingerprint import strip_carriers
from fanwen.core.format import parse_text
from fanwen.library import services

pytestmark = pytest.mark.django_db

LINES = [
    ("一、总体情况", False),
    ("开篇的免费段落，交代背景。", False),
    ("二、付费部分的大标题", True),
    ("（一）付费部分的小标题", True),
    ("付费段落甲，只有买家能读到。", True),
    ("一是免费要点，紧跟在付费小标题之后。后面还有说明。", False),
    ("免费段落乙，在第一个付费区之后。", False),
    ("付费段落丙，第二个付费区。", True),
    ("二是第二个免费要点，在第二个付费区之后。", False),
    ("结尾的免费段落，写在最后。", False),
]
PAID_TEXTS = [text for text, paid in LINES if paid]


def source(lines: list[tuple[str, bool]], title: str) -> str:
    out, paid_now = [title], False
    for text, paid in lines:
        if paid != paid_now:
            out.append("##paidbegin##" if paid else "##paidend##")
            paid_now = paid
        out.append(text)
    return "\n".join(out) + "\n"


def import_text(text: str, **kwargs: object) -> int:
    return services.document_import(parsed=parse_text(text), **kwargs).document_id  # type: ignore[arg-type]


@pytest.fixture
def pair() -> tuple[int, int]:
    """(document with paid regions, the same document's free blocks alone)."""
    mixed = import_text(source(LINES, "付费形状测试"), price_fen=500)
    free_only = import_text(source([(t, p) for t, p in LINES if not p], "付费形状测试（免费部分）"))
    return mixed, free_only


ANCHOR_RE = re.compile(r'<(h[2-4]|p) id="(b\d+)"( class="point")?>([^<]*)<')
OUTLINE_RE = re.compile(r'<li class="l(\d)"><a href="#(b\d+)">([^<]*)</a>')


def article(body: str) -> str:
    return body[body.index('<div class="article') : body.index("</article>")]


def shape(body: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    return ANCHOR_RE.findall(body), OUTLINE_RE.findall(body)


def test_anonymous_anchors_and_levels_equal_those_of_the_free_part_alone(client, pair):
    mixed, free_only = pair
    body = client.get(f"/d/{mixed}/").content.decode()
    assert not any(text in body for text in PAID_TEXTS)
    blocks, outline = shape(body)
    assert [anchor for _, anchor, _, _ in blocks] == [f"b{i}" for i in range(len(LINES) - len(PAID_TEXTS))]  # contiguous
    assert shape(body) == shape(client.get(f"/d/{free_only}/").content.decode())
    assert ("2", "b2", "一是免费要点，紧跟在付费小标题之后") in outline  # level from the free heading above


def test_api_levels_equal_those_of_the_free_part_alone(client, pair):
    data, oracle = (client.get(f"/api/v1/documents/{pk}").json() for pk in pair)
    assert not data["access"]
    strip = [{k: b[k] for k in ("text", "kind", "level")} for b in data["blocks"]]
    assert strip == [{k: b[k] for k in ("text", "kind", "level")} for b in oracle["blocks"]]
    assert data["outline"] == oracle["outline"]


def test_entitled_reader_keeps_anchors_and_levels_over_all_blocks(client, pair):
    mixed, _ = pair
    user = get_user_model().objects.create_user("buyer", password="buyer-pass-123")
    entitlement_grant(user_id=user.pk, document_id=mixed)
    client.force_login(user)
    body = client.get(f"/d/{mixed}/").content.decode()
    blocks, outline = shape(body)
    assert [anchor for _, anchor, _, _ in blocks] == [f"b{i}" for i in range(len(LINES))]
    assert ("3", "b5", "一是免费要点，紧跟在付费小标题之后") in outline  # under the paid （一）
    text = strip_carriers(article(body))  # the paid blocks carry the reader's fingerprint
    positions = [text.index(line) for line, _ in LINES]
    assert positions == sorted(positions) and 'id="paywall"' not in body


def test_free_text_after_the_paid_part_is_shown_after_the_card_as_one_ending(client, pair):
    mixed, _ = pair
    body = article(client.get(f"/d/{mixed}/").content.decode())
    card = body.index('id="paywall"')
    assert body.index("开篇的免费段落") < card
    after = ["一是免费要点", "免费段落乙", "二是第二个免费要点", "结尾的免费段落"]
    assert all(body.index(text) > card for text in after)
    assert body.count("doc-ending") == 1  # one group: how many paid regions there were is not shown
    assert body.count('class="free-part') == 2


def test_a_document_that_opens_with_its_paid_part_shows_the_free_rest_after_the_card(client):
    pk = import_text("先付费\n##paidbegin##\n付费开头。\n##paidend##\n免费结尾。\n", price_fen=100)
    body = client.get(f"/d/{pk}/").content.decode()
    assert "付费开头" not in body
    body = article(body)
    assert body.index('id="paywall"') < body.index("免费结尾") and 'id="b0"' in body
