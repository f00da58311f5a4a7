"""An identified Guatemalan national (remains held by the home agency) for these tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.casework.repatriation.builders import identify


@dataclass
class Identified:
    person_id: Any
    remains_id: Any
    reference: str


@pytest.fixture
def identified(app, world) -> Identified:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        users = {key: db.session.get(User, world.user(key)) for key in world.users}
        person, remains = identify(
            users["family_liaison"], users["forensic_officer"], users["supervisor"]
        )
        found = Identified(person.id, remains.id, remains.reference)
        db.session.remove()
    return found
