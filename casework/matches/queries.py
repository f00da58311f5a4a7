"""What pages and the API ask of candidates: those a user may see, and a case's best ones."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select

from casework.access import Permission, allows
from casework.accounts.models import User
from casework.cases.models import CaseKind
from casework.db import db
from casework.matches.models import CandidateMatch, CandidateStatus
from casework.missing.access import missing_visible_to
from casework.missing.models import MissingPerson
from casework.remains.access import remains_visible_to
from casework.remains.models import UnidentifiedRemains


def visible_candidates(user: User) -> Select[tuple[CandidateMatch]]:
    """Candidates whose two cases `user` may both see (the query joins both cases, so callers
    can filter and sort on their columns)."""
    return (
        select(CandidateMatch)
        .join(MissingPerson, CandidateMatch.missing_person_id == MissingPerson.id)
        .join(UnidentifiedRemains, CandidateMatch.remains_id == UnidentifiedRemains.id)
        .where(missing_visible_to(user), remains_visible_to(user))
    )


def visible_candidate(user: User, candidate_id: uuid.UUID) -> CandidateMatch | None:
    """The candidate with this id if `user` may see both its cases."""
    return db.session.scalar(visible_candidates(user).where(CandidateMatch.id == candidate_id))


def candidates_of(
    case: MissingPerson | UnidentifiedRemains, user: User, limit: int = 10
) -> list[CandidateMatch] | None:
    """The best candidates of a case that `user` may review, for its page (None: not allowed)."""
    if not allows(user, Permission.READ_MATCHES):
        return None
    column = (
        CandidateMatch.missing_person_id
        if case.__case_kind__ is CaseKind.MISSING
        else CandidateMatch.remains_id
    )
    query = visible_candidates(user).where(
        column == case.id, CandidateMatch.status != CandidateStatus.EXCLUDED
    )
    return list(db.session.scalars(query.order_by(CandidateMatch.score.desc()).limit(limit)))


__all__ = ["candidates_of", "visible_candidate", "visible_candidates"]
