"""Where notifications come from: the events other areas announce (`casework.cases.events`,
`casework.family_portal.events`), one row each in `SOURCES`; the daily look at repatriation
steps; and `notify_family_request` / `notify_dna_hit` for callers outside a signal.

A listener only notes ids inside the transaction that stores the change; the notifications are
written after it has committed (`after_commit`), so a failure here is logged and never undoes
nor fails the save that caused it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from blinker import Signal
from sqlalchemy import select

from casework.accounts.models import Agency, Role, User
from casework.cases.events import (
    candidate_for_review,
    cross_border_hit,
    disclosure_requested,
    dna_hit_found,
    identification_proposed,
)
from casework.db import after_commit, db, transaction
from casework.dna.models import DnaHit
from casework.exchanges.models import CrossBorderHit, Disclosure
from casework.family_portal.events import information_added, request_submitted
from casework.family_portal.models import FamilyRequest, FamilyRequestAddition
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


@dataclass(frozen=True)
class Noted:
    """What a listener notes inside the transaction that stores the change: plain values only,
    since the rows it was sent expire when that transaction commits. The staff of the cases'
    agencies (and of `agency_ids`) are told; `reference` replaces the cases' references."""

    link: str
    dedupe_key: str
    missing_id: uuid.UUID | None = None
    remains_id: uuid.UUID | None = None
    agency_ids: tuple[int, ...] = ()
    reference: str | None = None
    detail: str | None = None
    not_to: uuid.UUID | None = None  # who caused it is not told


def _candidate(candidate: CandidateMatch, **_: Any) -> Noted:
    """A candidate newly above the review threshold: its evidence digest tells a candidate
    that rose again with new evidence from the same one recomputed."""
    return Noted(
        path("matches.detail", candidate_id=candidate.id),
        f"candidate:{candidate.id}:{(candidate.evidence_digest or '')[:16]}",
        candidate.missing_person_id,
        candidate.remains_id,
    )


def _identification(candidate: CandidateMatch, proposer: User, **_: Any) -> Noted:
    """The first signature is given: everyone who may confirm it but the proposer."""
    proposed_at = candidate.proposed_at.isoformat() if candidate.proposed_at else ""
    return Noted(
        path("matches.detail", candidate_id=candidate.id),
        f"identification:{candidate.id}:{proposed_at}",
        candidate.missing_person_id,
        candidate.remains_id,
        not_to=proposer.id,
    )


def _cross_border_hit(hit: CrossBorderHit, **_: Any) -> Noted:
    return Noted(
        path("exchanges.hit", hit_id=hit.id), f"hit:{hit.id}", hit.missing_person_id, hit.remains_id
    )


def _disclosure(disclosure: Disclosure, **_: Any) -> Noted:
    return Noted(
        path("exchanges.disclosure", disclosure_id=disclosure.id),
        f"disclosure:{disclosure.id}",
        disclosure.missing_person_id,
        disclosure.remains_id,
    )


def _dna_hit(hit: DnaHit, **_: Any) -> Noted:
    link = path("dna.hit", hit_id=hit.id)
    reference = _references(hit.missing_person_id, hit.remains_id)
    return Noted(link, f"dna-hit:{reference}:{link}", hit.missing_person_id, hit.remains_id)


def _family_request(request: FamilyRequest, **_: Any) -> Noted:
    """A family's new request, pending for the agency it chose: its reference, never a name."""
    return Noted(
        path("family_requests.detail", reference=request.reference),
        f"family-request:{request.reference}",
        agency_ids=(request.agency_id,),
        reference=request.reference,
    )


def _family_addition(addition: FamilyRequestAddition, request: FamilyRequest, **_: Any) -> Noted:
    """The family added something on their page: once the request is a case, the case's page
    shows it (and is where the link goes); before, the request's page."""
    if request.missing_person_id is not None:
        link = path("missing.detail", reference=_references(request.missing_person_id, None))
    else:
        link = path("family_requests.detail", reference=request.reference)
    return Noted(
        link,
        f"family-addition:{addition.id}",
        request.missing_person_id,
        agency_ids=(request.agency_id,),
        reference=request.reference,
        detail=f"addition:{addition.kind.value}",
    )


# each event another area announces, the kind it notifies, and what its listener notes
SOURCES: tuple[tuple[Signal, NotificationKind, Callable[..., Noted]], ...] = (
    (candidate_for_review, K.CANDIDATE_FOR_REVIEW, _candidate),
    (identification_proposed, K.IDENTIFICATION_WAITING, _identification),
    (cross_border_hit, K.EXCHANGE_HIT, _cross_border_hit),
    (disclosure_requested, K.DISCLOSURE_REQUEST, _disclosure),
    (dna_hit_found, K.DNA_HIT, _dna_hit),
    (request_submitted, K.FAMILY_REQUEST, _family_request),
    (information_added, K.FAMILY_REQUEST, _family_addition),
)


def notify(kind: NotificationKind, noted: Noted) -> None:
    """Tell the staff concerned, once the current transaction commits."""

    def write() -> None:
        event = Event(
            kind,
            noted.reference or _references(noted.missing_id, noted.remains_id),
            noted.link,
            noted.dedupe_key[:200],
            detail=noted.detail,
        )
        agencies = [*_agencies(noted.missing_id, noted.remains_id), *noted.agency_ids]
        staff = agency_staff(agencies, kind)
        deliver(event, [user_id for user_id in staff if user_id != noted.not_to])

    _after_commit(write, noted.dedupe_key)


def _listener(kind: NotificationKind, note: Callable[..., Noted]) -> Callable[..., None]:
    def listen(sender: Any, **values: Any) -> None:
        notify(kind, note(sender, **values))

    return listen


# made once: the signals hold their receivers weakly, and connecting the same one again (an app
# built twice, in tests) is a no-op
_LISTENERS = [(signal, _listener(kind, note)) for signal, kind, note in SOURCES]


def notify_family_request(agency_id: int, reference: str, link: str) -> None:
    """A family submitted a request for `agency_id`: its liaison staff are told, once per
    reference. `link` is the path of the pending request's page."""
    notify(
        K.FAMILY_REQUEST,
        Noted(link, f"family-request:{reference}", agency_ids=(agency_id,), reference=reference),
    )


def notify_dna_hit(agency_ids: Iterable[int], reference: str, link: str) -> None:
    """A DNA search found a likely match for a case of these agencies: their staff who review
    candidates are told, once per reference and link. `reference` names the case(s) or the
    sample, never a person."""
    notify(
        K.DNA_HIT,
        Noted(
            link, f"dna-hit:{reference}:{link}", agency_ids=tuple(agency_ids), reference=reference
        ),
    )


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
    """Listen to the events the other areas announce (called by the app factory)."""
    for signal, listen in _LISTENERS:
        signal.connect(listen)
