"""Password hashing with argon2id (memory-hard) and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from casework.errors import ValidationError

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile defaults
MIN_LENGTH = 12


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationError(
            f"The password must be at least {MIN_LENGTH} characters long.", field="password"
        )
    if password.strip() != password or len(set(password)) < 5:
        raise ValidationError(
            "The password is too simple: use a longer phrase with varied characters.",
            field="password",
        )


# A fixed hash to verify against when the account does not exist, so that a wrong e-mail
# takes as long as a wrong password and does not reveal which accounts exist.
DUMMY_HASH = _hasher.hash("not a real password, only for timing")
