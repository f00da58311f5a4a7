"""Identified remains built through the real services: a report, remains, a confirmed match."""

from __future__ import annotations

from typing import Any


def identify(
    liaison: Any, officer: Any, supervisor: Any, *, sample: bool = True, **missing: Any
) -> tuple[Any, Any]:
    """A missing person (GTM by default) and remains identified as them by two signatures.
    With `sample`, a bone sample taken at the examination is held, as a laboratory keeps one:
    without it the remains cannot be released at the end of a repatriation."""
    from sqlalchemy import select

    from casework.custody.services import record_sample
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from casework.matches.services import confirm_identification, propose_identification
    from tests.casework.factories import make_missing, make_remains

    person = make_missing(liaison, **missing)
    remains = make_remains(officer)
    if sample:
        record_sample(remains, {"barcode": f"PM-KEPT-{remains.reference}", "kind": "bone"})
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
