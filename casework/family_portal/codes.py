"""References and access codes of family requests: random (a reference reveals nothing about
how many requests there are), easy to read aloud and copy by hand (no 0/O, 1/I/L), and the code
kept only as an argon2id hash."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 signs a person cannot confuse
CODE_LENGTH = 12  # 31^12, about 2^59: unguessable within the rate limits and lock-out


def new_reference() -> str:
    """A fresh reference such as `FR-7KQ2M9XD`."""
    return "FR-" + "".join(secrets.choice(ALPHABET) for _ in range(8))


def new_code() -> str:
    """A fresh access code such as `K7PQ-2MXD-9RTA`, shown once to the family."""
    signs = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(signs[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise(text: str | None) -> str:
    """What a person typed, as compared: capitals, without spaces or dashes.

    Example:
        >>> normalise(" k7pq 2mxd-9rta ")
        'K7PQ2MXD9RTA'
    """
    return "".join(sign for sign in (text or "").upper() if sign.isalnum())


@cache
def _hasher_for(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def _hasher() -> PasswordHasher:
    return _hasher_for(
        current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_KIB"]
    )


def hash_code(code: str) -> str:
    return _hasher().hash(normalise(code))


def code_matches(stored_hash: str, typed: str) -> bool:
    try:
        return _hasher().verify(stored_hash, normalise(typed))
    except (VerificationError, InvalidHashError):
        return False


__all__ = ["code_matches", "hash_code", "new_code", "new_reference", "normalise"]
