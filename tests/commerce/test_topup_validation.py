"""A top-up amount is checked on the first page, against the same bounds the service enforces."""

from __future__ import annotations

import re

import pytest

from fanwen.commerce.models import Order
from fanwen.commerce.services.orders import TOPUP_MAX_FEN, TOPUP_MIN_FEN
from fanwen.core.money import fen_to_yuan
from tests.commerce.factories import make_user

pytestmark = pytest.mark.django_db

BOUNDS_MESSAGE = f"充值金额须在 {TOPUP_MIN_FEN // 100} 到 {TOPUP_MAX_FEN // 100} 元之间"


@pytest.mark.parametrize("amount", ["0", "0.99", fen_to_yuan(TOPUP_MAX_FEN + 1), "100001"])
def test_out_of_bounds_top_up_is_refused_before_any_checkout(client, amount):
    client.force_login(make_user())

    response = client.get(f"/buy/?topup={amount}", follow=True)

    assert response.redirect_chain == [("/me/wallet/", 302)]
    assert BOUNDS_MESSAGE in response.content.decode()
    assert Order.objects.count() == 0


def test_out_of_bounds_top_up_posted_directly_says_why_and_does_not_land_on_vip(client):
    client.force_login(make_user())

    response = client.post("/buy/", {"topup": "0", "method": "sandbox", "form_key": "k"}, follow=True)

    assert response.redirect_chain[-1][0] == "/me/wallet/"
    assert BOUNDS_MESSAGE in response.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.parametrize("amount_fen", [TOPUP_MIN_FEN, TOPUP_MAX_FEN])
def test_top_up_at_the_bounds_shows_the_checkout(client, amount_fen):
    client.force_login(make_user())

    response = client.get(f"/buy/?topup={fen_to_yuan(amount_fen)}")

    assert response.status_code == 200
    assert f"¥{fen_to_yuan(amount_fen)}" in response.content.decode()


def test_the_wallet_form_offers_the_service_bounds(client):
    client.force_login(make_user())

    html = client.get("/me/wallet/").content.decode()

    field = re.search(r'<input id="topup"[^>]*>', html)
    assert field
    assert f'min="{fen_to_yuan(TOPUP_MIN_FEN)}"' in field.group(0)
    assert f'max="{fen_to_yuan(TOPUP_MAX_FEN)}"' in field.group(0)
