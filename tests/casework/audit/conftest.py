"""What the audit tests share: a trail with custody events and status changes recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.casework.factories import make_missing, make_remains


@pytest.fixture
def recorded(app: Any, world: Any) -> dict[str, Any]:
    """Remains handed over once, a missing-person case closed and reopened."""
    from casework.accounts.models import User
    from casework.cases.status import change_status
    from casework.custody.services import record_transfer
    from casework.extensions import db

    with app.test_request_context():
        officer = db.session.get(User, world.user("forensic_officer"))
        liaison = db.session.get(User, world.user("family_liaison"))
        remains = make_remains(officer)
        event = record_transfer(
            officer,
            remains=remains,
            data={
                "from_party": "Border Patrol",
                "to_party": "PCOME intake",
                "purpose": "autopsy",
                "occurred_at": datetime(2025, 9, 15, 14, 0, tzinfo=UTC),
            },
        )
        case = make_missing(liaison)
        change_status(case, "closed", liaison, "The family withdrew the request.", case.version)
        change_status(case, "open", liaison, "New call from a cousin in Tapachula.", case.version)
        ids = {"event": str(event.id), "case": str(case.id), "remains": str(remains.id)}
        db.session.remove()
    return ids
