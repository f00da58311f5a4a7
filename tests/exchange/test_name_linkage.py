"""Keyed Bloom-filter name encodings, hardening and the Dice coefficient."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from exchange import dice, encode_name
from exchange.linkage import FILTER_BYTES, blip_seed, harden, name_bigrams, name_tokens

SECRET = bytes(range(32))
OTHER_SECRET = bytes(range(1, 33))
SENDER = bytes(32)


@pytest.mark.parametrize(
    ("parts", "tokens"),
    [
        (["María José", "García-López"], ["maria", "jose", "garcia", "lopez"]),
        (["  ÉLODIE  "], ["elodie"]),
        (["Abd al-Rahman"], ["abd", "al", "rahman"]),
        (["O'Brien", "3rd"], ["o", "brien", "rd"]),
        (["Ådne Øvrebø"], ["adne", "øvrebø"]),
        (["Ἀλέξανδρος"], ["αλεξανδροσ"]),
        (["", "  "], []),
    ],
)
def test_name_tokens(parts: list[str], tokens: list[str]) -> None:
    assert name_tokens(parts) == tokens


def test_bigrams_ignore_order_and_separators() -> None:
    assert name_bigrams(["García López", "Ana"]) == name_bigrams(["Ana", "Lopez-Garcia"])
    assert name_bigrams(["Ab"]) == {"_a", "ab", "b_"}


@dataclass(frozen=True)
class Pair:
    a: tuple[str, ...]
    b: tuple[str, ...]
    low: float
    high: float


@pytest.mark.parametrize(
    "pair",
    [
        Pair(("Amanuel", "Tesfay"), ("Amanuel", "Tesfay"), 1.0, 1.0),
        Pair(("Amanuel", "Tesfay"), ("Tesfay", "Amanuel"), 1.0, 1.0),
        Pair(("Amanuel", "Tesfay"), ("Amanuel", "Tesfaye"), 0.8, 0.99),
        Pair(("Mohamed", "Ali"), ("Mohammed", "Aly"), 0.7, 0.95),
        Pair(("María", "García López"), ("Maria", "Lopez"), 0.75, 0.95),
        Pair(("Ahmed",), ("Yonas",), 0.0, 0.3),
        Pair(("Abdirahman", "Hassan"), ("Fatima", "Nur"), 0.0, 0.4),
    ],
)
def test_dice_separates_similar_from_different_names(pair: Pair) -> None:
    similarity = dice(encode_name(pair.a, SECRET), encode_name(pair.b, SECRET))
    assert pair.low <= similarity <= pair.high


def test_encoding_depends_on_the_pair_secret() -> None:
    a = encode_name(["Amanuel Tesfay"], SECRET)
    b = encode_name(["Amanuel Tesfay"], OTHER_SECRET)
    assert len(a) == FILTER_BYTES
    assert a != b
    assert dice(a, b) < 0.4


def test_empty_name_gives_empty_filter() -> None:
    assert encode_name(["123", "--"], SECRET) == bytes(FILTER_BYTES)
    assert dice(bytes(FILTER_BYTES), bytes(FILTER_BYTES)) == 0.0


def test_secret_must_be_long_enough() -> None:
    with pytest.raises(Exception, match="32 bytes"):
        encode_name(["Ana"], b"short")


def test_hardening_changes_bits_but_keeps_similarity() -> None:
    plain = encode_name(["Amanuel", "Tesfay"], SECRET)
    one = harden(plain, SENDER, blip_seed("p1", "names", 0))
    two = harden(plain, SENDER, blip_seed("p2", "names", 0))
    assert one != plain and two != plain and one != two
    assert dice(one, plain) > 0.85
    assert dice(one, two) > 0.75
    assert harden(plain, SENDER, blip_seed("p1", "names", 0)) == one


def test_hardening_needs_the_sender_secret() -> None:
    plain = encode_name(["Amanuel"], SECRET)
    seed = blip_seed("p1", "names", 0)
    assert harden(plain, SENDER, seed) != harden(plain, OTHER_SECRET, seed)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(b"\xff", b"\xff", 1.0), (b"\xf0", b"\x0f", 0.0), (b"\xf0", b"\xc0", 2 * 2 / 6)],
)
def test_dice_values(a: bytes, b: bytes, expected: float) -> None:
    assert dice(a, b) == pytest.approx(expected)


def test_dice_refuses_different_lengths() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        dice(b"\x00", b"\x00\x00")
