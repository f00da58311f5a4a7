"""Password hashing with argon2id (memory-hard) and the rules a new password must meet:
long enough, varied, and none of the passwords most often found in breaches (an offline list
shipped with the package, see data/README.md), nor one of them dressed up with digits."""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from casework.errors import ValidationError

MIN_LENGTH = 12
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"
# digits and symbols around a word: "Password2024!" is "password" to anyone guessing
_DRESSING = re.compile(r"^[\d\W_]+|[\d\W_]+$")


@cache
def _hasher_for(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def _hasher() -> PasswordHasher:
    # argon2id; the defaults follow RFC 9106's second recommended profile (64 MiB, 3 passes)
    return _hasher_for(
        current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_KIB"]
    )


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationError(
            _l("The password must be at least %(length)s characters long.", length=MIN_LENGTH),
            field="password",
        )
    if password.strip() != password or len(set(password)) < 5:
        raise ValidationError(
            _l("The password is too simple: use a longer phrase with varied characters."),
            field="password",
        )
    if is_common(password):
        raise ValidationError(
            _l(
                "This password is too common: it is among those most often found in breaches "
                "and tried first by anyone guessing. Choose a phrase of several words of your "
                "own."
            ),
            field="password",
        )


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """Whether `password`, ignoring case, surrounding digits and symbols and spaces, is one of
    the common passwords.

    Example:
        >>> is_common("Password2024!"), is_common("pass word 1234"), is_common("kettle ochre ferry")
        (True, True, False)
    """
    lowered = password.strip().lower()
    word = _DRESSING.sub("", lowered)
    candidates = {lowered, word, re.sub(r"\s+", "", word)}
    return bool(candidates & _common_passwords())


def verify_nothing(password: str) -> None:
    """Spend the time a real check takes, so a wrong e-mail does not reveal that no account
    has it."""
    verify_password(_dummy_hash(), password)


def _dummy_hash() -> str:
    config = current_app.config
    return _dummy_for(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_KIB"])


@cache
def _dummy_for(time_cost: int, memory_kib: int) -> str:
    return _hasher_for(time_cost, memory_kib).hash("not a real password, only for timing")
