"""API fixtures: personal tokens for the users of `world`, and a bearer header."""

from __future__ import annotations

from typing import Any

import pytest


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def token_for(app: Any, world: Any) -> Any:
    """Issue a token for the user of a role (key of `world.users`); returns the secret."""

    def _issue(
        key: str, scopes: tuple[str, ...] = ("read", "write"), days: int | None = None
    ) -> str:
        from casework.accounts.models import User
        from casework.api.services import issue_token, parse_scopes
        from casework.extensions import db

        with app.test_request_context():
            user = db.session.get(User, world.user(key))
            secret = issue_token(user, f"{key} token", parse_scopes(list(scopes)), days).secret
            db.session.remove()
        return secret

    return _issue


@pytest.fixture
def make_case(app: Any, world: Any) -> Any:
    """Create a case through the services as the user of a role; returns its reference."""

    def _make(kind: str, key: str, **overrides: Any) -> str:
        from casework.accounts.models import User
        from casework.extensions import db
        from tests.casework.factories import make_missing, make_remains

        with app.test_request_context():
            user = db.session.get(User, world.user(key))
            barcode = overrides.pop("sample", None)
            case = (make_missing if kind == "missing" else make_remains)(user, **overrides)
            if barcode:  # a DNA sample held, so that the remains may be buried
                from casework.custody.services import record_sample

                record_sample(case, {"barcode": barcode, "kind": "bone"})
            reference = case.reference
            db.session.remove()
        return str(reference)

    return _make
