"""Money is integer fen; yuan strings are parsed exactly, never through float."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanwen.core.money import BadAmount, fen_to_yuan, yuan_to_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("5", 500),
        ("5.5", 550),
        ("5.50", 550),
        ("5.05", 505),
        ("0.01", 1),
        ("0", 0),
        ("0.1", 10),
        ("00.10", 10),
        ("8.00", 800),
        (" 5 ", 500),
        ("0.29", 29),  # 0.29 * 100 is 28.999999999999996 in floats
        ("1.15", 115),  # 1.15 * 100 is 114.99999999999999 in floats
        ("999999999.99", 99_999_999_999),
    ],
)
def test_yuan_to_fen(text: str, fen: int):
    assert yuan_to_fen(text) == fen
    assert isinstance(yuan_to_fen(text), int)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "-1",
        "-0.01",
        "+1",
        "1.234",
        "0.001",
        "5.",
        ".5",
        "1e3",
        "5,00",
        "abc",
        "5元",
        "1 000",
        "NaN",
        "inf",
        "1000000000",
        "0x10",
    ],
)
def test_yuan_to_fen_refuses(text: str):
    with pytest.raises(BadAmount) as info:
        yuan_to_fen(text)
    assert isinstance(info.value, ValueError)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00"),
        (1, "0.01"),
        (10, "0.10"),
        (500, "5.00"),
        (550, "5.50"),
        (123456, "1234.56"),
        (-5, "-0.05"),
        (-150, "-1.50"),
    ],
)
def test_fen_to_yuan(fen: int, text: str):
    assert fen_to_yuan(fen) == text


@settings(max_examples=200, deadline=None, database=None)
@given(st.integers(min_value=0, max_value=99_999_999_999))
def test_round_trip_fen(fen: int):
    assert yuan_to_fen(fen_to_yuan(fen)) == fen


@settings(max_examples=200, deadline=None, database=None)
@given(st.integers(min_value=0, max_value=999_999_999), st.integers(min_value=0, max_value=99), st.booleans())
def test_round_trip_yuan(whole: int, cents: int, short: bool):
    text = f"{whole}.{cents // 10}" if short and cents % 10 == 0 else f"{whole}.{cents:02d}"
    fen = yuan_to_fen(text)
    assert fen == whole * 100 + cents
    assert fen_to_yuan(fen) == f"{whole}.{cents:02d}"
