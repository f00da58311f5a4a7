"""Issuing, listing, revoking and checking personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.accounts.models import User
from casework.api.models import ApiToken, Scope
from casework.clock import now
from casework.db import db, transaction
from casework.errors import NotFound, ValidationError

TOKEN_PREFIX = "cwk_"
MAX_LIFETIME_DAYS = 3650
# last use is written at most this often, so reading the API does not write on every call
LAST_USED_RESOLUTION = timedelta(minutes=10)


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret; the secret exists only here, never in the database."""

    token: ApiToken
    secret: str


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(values: list[str] | tuple[str, ...]) -> frozenset[Scope]:
    scopes = set()
    for value in values:
        try:
            scopes.add(Scope(value))
        except ValueError:
            raise ValidationError(
                _l("“%(value)s” is not a scope: use read or write.", value=value), field="scopes"
            ) from None
    if not scopes:
        raise ValidationError(_l("Choose at least one scope."), field="scopes")
    return frozenset(scopes)


def issue_token(
    user: User, name: str | None, scopes: frozenset[Scope], expires_in_days: int | None
) -> IssuedToken:
    """Create a token for `user`; the returned secret is shown once and never stored."""
    label = (name or "").strip()
    if not label or len(label) > 100:
        raise ValidationError(_l("Name the token (up to 100 characters)."), field="name")
    if not scopes:
        raise ValidationError(_l("Choose at least one scope."), field="scopes")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_LIFETIME_DAYS:
        raise ValidationError(
            _l(
                "A token lasts between 1 and %(days)s days, or does not expire.",
                days=MAX_LIFETIME_DAYS,
            ),
            field="expires_in_days",
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    moment = now()
    with transaction():
        token = ApiToken(
            user_id=user.id,
            name=label,
            token_hash=token_hash(secret),
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            scopes=";".join(sorted(scope.value for scope in scopes)),
            created_at=moment,
            expires_at=moment + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        db.session.add(token)
    return IssuedToken(token=token, secret=secret)


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )


def revoke_token(user: User, token_id: uuid.UUID) -> ApiToken:
    """Revoke one of the user's own tokens; revoking twice changes nothing."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if token is None:
        raise NotFound(_l("No such token."))
    if token.revoked_at is None:
        with transaction():
            token.revoked_at = now()
    return token


def user_for_token(secret: str) -> tuple[User, ApiToken] | None:
    """The enabled user a live token belongs to, or None (unknown, revoked, expired, disabled)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    moment = now()
    if token is None or not token.is_usable(moment) or not token.user.is_active:
        return None
    if token.last_used_at is None or moment - token.last_used_at > LAST_USED_RESOLUTION:
        with transaction():
            token.last_used_at = moment
    return token.user, token
