"""Pseudonymous record ids."""

from __future__ import annotations

import re

import pytest

from exchange import ErrorCode, ExchangeError, record_pseudonym

SECRET = bytes(range(32))


def test_stable_for_one_recipient() -> None:
    first = record_pseudonym(SECRET, "ita-labanof", "MP-2024-0012")
    assert first == record_pseudonym(SECRET, "ita-labanof", "MP-2024-0012")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first)


def test_differs_between_recipients_records_and_secrets() -> None:
    base = record_pseudonym(SECRET, "ita-labanof", "MP-1")
    assert base != record_pseudonym(SECRET, "grc-hp", "MP-1")
    assert base != record_pseudonym(SECRET, "ita-labanof", "MP-2")
    assert base != record_pseudonym(bytes(32), "ita-labanof", "MP-1")


def test_separator_prevents_ambiguity() -> None:
    assert record_pseudonym(SECRET, "ab", "c") != record_pseudonym(SECRET, "a", "bc")


@pytest.mark.parametrize(
    ("secret", "local_id"), [(b"short", "MP-1"), (SECRET, ""), (SECRET, "a\x00b")]
)
def test_refuses_bad_arguments(secret: bytes, local_id: str) -> None:
    with pytest.raises(ExchangeError) as caught:
        record_pseudonym(secret, "ita-labanof", local_id)
    assert caught.value.code is ErrorCode.INVALID_ARGUMENT
