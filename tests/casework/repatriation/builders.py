"""Identified remains built through the real services: a report, remains, a confirmed match."""

from __future__ import annotations

from typing import Any


def identify(liaison: Any, officer: Any, supervisor: Any, **missing: Any) -> tuple[Any, Any]:
    """A missing person (GTM by default) and remains identified as them by two signatures."""
    from sqlalchemy import select

    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from casework.matches.services import confirm_identification, propose_identification
    from tests.casework.factories import make_missing, make_remains

    person = make_missing(liaison, **missing)
    remains = make_remains(officer)
    candidate = db.session.scalar(
        select(CandidateMatch).where(
            CandidateMatch.missing_person_id == person.id,
            CandidateMatch.remains_id == remains.id,
        )
    )
    assert candidate is not None, "the engine should propose the pair"
    propose_identification(candidate, officer, ["dental"], "", candidate.version)
    confirm_identification(candidate, supervisor, candidate.version)
    return person, remains
