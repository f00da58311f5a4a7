"""Where notifications come from: listeners to the events other areas announce
(`casework.cases.events`), the daily look at repatriation steps, and the functions the family
portal and the DNA work call.

A listener only notes ids inside the transaction that stores the change; the notifications are
written after it has committed (`after_commit`), so a failure here is logged and never undoes
nor fails the save that caused it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from casework.accounts.models import Agency, Role, User
from casework.db import after_commit, db, transaction
from casework.dna.models import DnaHit
from casework.exchanges.models import CrossBorderHit, Disclosure
from casework.family_portal.models import FamilyRequest
from casework.matches.models import CandidateMatch
from casework.missing.models import MissingPerson
from casework.notifications.models import NotificationKind
from casework.notifications.services import Event, agency_staff, deliver, path
from casework.remains.models import UnidentifiedRemains
from casework.repatriation.models import Repatriation, RepatriationStep

K = NotificationKind
log = logging.getLogger(__name__)
# a repatriation step is "due" this many days before its due date, "overdue" after it
DUE_SOON_DAYS = 3


def _after_commit(work: Callable[[], Any], what: str) -> None:
    """Run `work` in its own transaction once the current one commits; called outside any
    transaction (a console command, another helper's code), run it now. Either way a failure
    is logged, never raised to the caller."""

    def guarded() -> None:
        try:
            with transaction():
                work()
        except Exception:  # rolled back by transaction(); the cause stays in the log
            log.exception("Notifications for %s could not be written", what)

    try:
        after_commit(guarded, what)
    except RuntimeError:  # not inside a transaction
        guarded()


def _agencies(missing_id: uuid.UUID | None, remains_id: uuid.UUID | None) -> list[int]:
    agencies = []
    if missing_id is not None:
        agencies.append(
            db.session.scalar(select(MissingPerson.agency_id).where(MissingPerson.id == missing_id))
        )
    if remains_id is not None:
        agencies.append(
            db.session.scalar(
                select(UnidentifiedRemains.agency_id).where(UnidentifiedRemains.id == remains_id)
            )
        )
    return [agency for agency in agencies if agency is not None]


def _references(missing_id: uuid.UUID | None, remains_id: uuid.UUID | None) -> str:
    references = []
    if missing_id is not None:
        references.append(
            db.session.scalar(select(MissingPerson.reference).where(MissingPerson.id == missing_id))
        )
    if remains_id is not None:
        references.append(
            db.session.scalar(
                select(UnidentifiedRemains.reference).where(UnidentifiedRemains.id == remains_id)
            )
        )
    return " / ".join(reference for reference in references if reference)


def on_candidate_for_review(candidate: CandidateMatch, **_: Any) -> None:
    """A candidate newly above the review threshold: the staff of both cases' agencies."""
    candidate_id, missing_id, remains_id = (
        candidate.id,
        candidate.missing_person_id,
        candidate.remains_id,
    )
    digest = (candidate.evidence_digest or "")[:16]

    def write() -> None:
        event = Event(
            K.CANDIDATE_FOR_REVIEW,
            _references(missing_id, remains_id),
            path("matches.detail", candidate_id=candidate_id),
            f"candidate:{candidate_id}:{digest}",
        )
        deliver(event, agency_staff(_agencies(missing_id, remains_id), event.kind))

    _after_commit(write, f"candidate {candidate_id}")


def on_identification_proposed(candidate: CandidateMatch, proposer: User, **_: Any) -> None:
    """The first signature is given: the supervisors of both agencies but the proposer."""
    candidate_id, missing_id, remains_id = (
        candidate.id,
        candidate.missing_person_id,
        candidate.remains_id,
    )
    proposer_id = proposer.id
    proposed_at = candidate.proposed_at.isoformat() if candidate.proposed_at else ""

    def write() -> None:
        event = Event(
            K.IDENTIFICATION_WAITING,
            _references(missing_id, remains_id),
            path("matches.detail", candidate_id=candidate_id),
            f"identification:{candidate_id}:{proposed_at}",
        )
        staff = agency_staff(_agencies(missing_id, remains_id), event.kind)
        deliver(event, [user_id for user_id in staff if user_id != proposer_id])

    _after_commit(write, f"identification {candidate_id}")


def on_cross_border_hit(hit: CrossBorderHit, **_: Any) -> None:
    hit_id, missing_id, remains_id = hit.id, hit.missing_person_id, hit.remains_id

    def write() -> None:
        event = Event(
            K.EXCHANGE_HIT,
            _references(missing_id, remains_id),
            path("exchanges.hit", hit_id=hit_id),
            f"hit:{hit_id}",
        )
        deliver(event, agency_staff(_agencies(missing_id, remains_id), event.kind))

    _after_commit(write, f"cross-border hit {hit_id}")


def on_disclosure_requested(disclosure: Disclosure, **_: Any) -> None:
    disclosure_id = disclosure.id
    missing_id, remains_id = disclosure.missing_person_id, disclosure.remains_id

    def write() -> None:
        event = Event(
            K.DISCLOSURE_REQUEST,
            _references(missing_id, remains_id),
            path("exchanges.disclosure", disclosure_id=disclosure_id),
            f"disclosure:{disclosure_id}",
        )
        deliver(event, agency_staff(_agencies(missing_id, remains_id), event.kind))

    _after_commit(write, f"disclosure request {disclosure_id}")


def notify_family_request(agency_id: int, reference: str, link: str) -> None:
    """A family submitted a request for `agency_id` (the family portal calls this): its liaison
    staff are told, once per reference. `link` is the path of the pending request's page; the
    reference is the request's, never a name."""

    def write() -> None:
        event = Event(K.FAMILY_REQUEST, reference, link, f"family-request:{reference}")
        deliver(event, agency_staff([agency_id], event.kind))

    _after_commit(write, f"family request {reference}")


def on_family_request_submitted(request: FamilyRequest, **_: Any) -> None:
    notify_family_request(
        request.agency_id,
        request.reference,
        path("family_requests.detail", reference=request.reference),
    )


def on_dna_hit_found(hit: DnaHit, **_: Any) -> None:
    missing_id, remains_id = hit.missing_person_id, hit.remains_id
    notify_dna_hit(
        _agencies(missing_id, remains_id),
        _references(missing_id, remains_id),
        path("dna.hit", hit_id=hit.id),
    )


def notify_dna_hit(agency_ids: Iterable[int], reference: str, link: str) -> None:
    """A DNA search found a likely match for a case of these agencies (the DNA work calls
    this): their staff who review candidates are told, once per reference and link.
    `reference` names the case(s) or the sample, never a person."""
    agencies = list(agency_ids)

    def write() -> None:
        event = Event(K.DNA_HIT, reference, link, f"dna-hit:{reference}:{link}"[:200])
        deliver(event, agency_staff(agencies, event.kind))

    _after_commit(write, f"DNA hit {reference}")


def notify_repatriation_steps(today: date) -> int:
    """The daily look: every open step due within `DUE_SOON_DAYS` or overdue is told to the
    consuls of the person's country and the step's responsible user. Idempotent: a step is
    told once as due and once as overdue (again if its due date moves); returns how many
    notifications were written."""
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    written = 0
    with transaction():
        rows = db.session.execute(
            select(
                RepatriationStep,
                Repatriation,
                UnidentifiedRemains.reference,
                MissingPerson.nationality,
            )
            .join(Repatriation, RepatriationStep.repatriation_id == Repatriation.id)
            .join(UnidentifiedRemains, Repatriation.remains_id == UnidentifiedRemains.id)
            .join(MissingPerson, Repatriation.missing_person_id == MissingPerson.id)
            .where(
                Repatriation.closed_on.is_(None),
                RepatriationStep.completed_on.is_(None),
                RepatriationStep.due_date.is_not(None),
                RepatriationStep.due_date <= horizon,
            )
        ).all()
        consuls: dict[str | None, list[uuid.UUID]] = {}
        for step, repatriation, reference, nationality in rows:
            if nationality not in consuls:
                consuls[nationality] = list(
                    db.session.scalars(
                        select(User.id)
                        .join(Agency, User.agency_id == Agency.id)
                        .where(Agency.country == nationality, User.role == Role.CONSULAR_OFFICIAL)
                    )
                )
            state = "overdue" if step.due_date < today else "due"
            event = Event(
                K.REPATRIATION_STEP,
                reference,
                path("repatriation.detail", repatriation_id=repatriation.id),
                f"repatriation:{step.id}:{state}:{step.due_date.isoformat()}",
                detail=f"{state}:{step.kind.value}",
            )
            recipients = list(consuls[nationality])
            if step.responsible_user_id is not None:
                recipients.append(step.responsible_user_id)
            written += deliver(event, recipients)
    return written


def connect_listeners() -> None:
    """Listen to the events the other areas announce (called once by the app factory)."""
    from casework.cases.events import (
        candidate_for_review,
        cross_border_hit,
        disclosure_requested,
        dna_hit_found,
        identification_proposed,
    )
    from casework.family_portal.events import request_submitted

    candidate_for_review.connect(on_candidate_for_review)
    request_submitted.connect(on_family_request_submitted)
    dna_hit_found.connect(on_dna_hit_found)
    identification_proposed.connect(on_identification_proposed)
    cross_border_hit.connect(on_cross_border_hit)
    disclosure_requested.connect(on_disclosure_requested)
