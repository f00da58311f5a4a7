"""The repatriation rules: who starts one, the order of its steps, their dates, and the end.

Steps complete in the order that matters (transport after the death certificate, the transit
permit and the family's consent; handing over after transport), never on a future date nor
before the identification. Handing over to the family or a burial (the family's choice, with a
death certificate and consent, no transport) closes the repatriation and the remains case
becomes "repatriated": for a burial too, since the case is closed by the family's decision and
the remains have left the holding agency for their resting place; "buried unidentified" would
be wrong for a named person.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.accounts.models import User
from casework.attachments.services import build_attachment
from casework.audit.services import AuditAction, record
from casework.cases.fields import optional_text
from casework.cases.status import record_transition
from casework.clock import now
from casework.db import db, transaction
from casework.errors import ConflictError, NotAllowed, ValidationError
from casework.matches.models import CandidateMatch, CandidateStatus
from casework.missing.models import MissingPerson
from casework.remains.models import RemainsStatus, UnidentifiedRemains
from casework.repatriation.access import can_manage_repatriation, repatriation_visible_to
from casework.repatriation.models import (
    FINAL_STEPS,
    PREREQUISITES,
    STEP_ORDER,
    Repatriation,
    RepatriationStep,
    StepKind,
)
from casework.vocabulary import word, words

# Days from the start of a repatriation to each step's first due date (the consul adjusts them).
DEFAULT_DUE_DAYS: dict[StepKind, int | None] = {
    StepKind.FAMILY_NOTIFIED: 7,
    StepKind.DEATH_CERTIFICATE: 21,
    StepKind.TRANSIT_PERMIT: 30,
    StepKind.FAMILY_CONSENT: 21,
    StepKind.TRANSPORT: 45,
    StepKind.HANDED_OVER: 60,
    StepKind.BURIED: None,  # only when the family chooses it
}


def today() -> date:
    return now().date()


@dataclass(frozen=True)
class IdentifiedNational:
    """A row of the identified nationals list."""

    remains: UnidentifiedRemains
    person: MissingPerson
    identified_on: date
    repatriation: Repatriation | None

    @property
    def overdue(self) -> int:
        return len(self.repatriation.overdue_steps(today())) if self.repatriation else 0


def _identified_query() -> Any:
    return (
        select(UnidentifiedRemains, MissingPerson, CandidateMatch.decided_at, Repatriation)
        .join(MissingPerson, UnidentifiedRemains.identified_as_id == MissingPerson.id)
        .join(
            CandidateMatch,
            (CandidateMatch.remains_id == UnidentifiedRemains.id)
            & (CandidateMatch.missing_person_id == MissingPerson.id)
            & (CandidateMatch.status == CandidateStatus.CONFIRMED),
        )
        .outerjoin(Repatriation, Repatriation.remains_id == UnidentifiedRemains.id)
    )


def identified_nationals(user: User) -> list[IdentifiedNational]:
    """Remains identified through a confirmed candidate that `user` may follow: for a consul
    their country's nationals, for staff the remains their agency holds. Names are shown, so
    the look is audited."""
    rows = db.session.execute(
        _identified_query()
        .where(repatriation_visible_to(user))
        .order_by(CandidateMatch.decided_at.desc(), UnidentifiedRemains.reference)
    ).all()
    found = [
        IdentifiedNational(remains, person, (decided or now()).date(), repatriation)
        for remains, person, decided, repatriation in rows
    ]
    with transaction():
        record(AuditAction.VIEW, None, list="identified nationals", count=len(found))
    return found


def identification_date(remains: UnidentifiedRemains) -> date | None:
    decided = db.session.scalar(
        select(CandidateMatch.decided_at).where(
            CandidateMatch.remains_id == remains.id,
            CandidateMatch.missing_person_id == remains.identified_as_id,
            CandidateMatch.status == CandidateStatus.CONFIRMED,
        )
    )
    return decided.date() if decided else None


def start_repatriation(user: User, remains: UnidentifiedRemains) -> Repatriation:
    """Open a repatriation with its steps and first due dates; only a consul of the person's
    nationality, only for remains identified through a confirmed candidate, only once."""
    with transaction():
        person = (
            db.session.get(MissingPerson, remains.identified_as_id)
            if remains.identified_as_id
            else None
        )
        identified_on = identification_date(remains)
        if person is None or identified_on is None:
            raise ValidationError(
                _l(
                    "%(reference)s is not identified: a repatriation starts after a confirmed "
                    "identification.",
                    reference=remains.reference,
                )
            )
        if not can_manage_repatriation(user, person):
            raise NotAllowed(_l("Only a consular official of the person's country can start this."))
        existing = db.session.scalar(
            select(Repatriation.id).where(Repatriation.remains_id == remains.id)
        )
        if existing is not None:
            raise ValidationError(
                _l(
                    "A repatriation of %(reference)s is already under way.",
                    reference=remains.reference,
                )
            )
        if remains.status is not RemainsStatus.IDENTIFIED:
            raise ValidationError(
                _l(
                    "%(reference)s is %(status)s: only identified remains can be repatriated.",
                    reference=remains.reference,
                    status=word(remains.status),
                )
            )
        start = today()
        repatriation = Repatriation(
            remains_id=remains.id,
            missing_person_id=person.id,
            identified_on=identified_on,
            started_by_id=user.id,
            started_at=now(),
        )
        for kind in STEP_ORDER:
            days = DEFAULT_DUE_DAYS[kind]
            repatriation.steps.append(
                RepatriationStep(
                    kind=kind, due_date=start + timedelta(days=days) if days is not None else None
                )
            )
        db.session.add(repatriation)
    return repatriation


def _mark_remains_repatriated(
    remains: UnidentifiedRemains, user: User, step: RepatriationStep
) -> None:
    """The remains leave our care: the status machine records it with the closing step."""
    record_transition(remains, RemainsStatus.REPATRIATED, user, f"Repatriation: {step.kind.value}")


def _dependents(kind: StepKind) -> list[StepKind]:
    return [other for other, needs in PREREQUISITES.items() if kind in needs]


def _check_dates(step: RepatriationStep, due: date | None, completed: date | None) -> None:
    identified_on = step.repatriation.identified_on
    shown = identified_on.isoformat()
    if due is not None and due < identified_on:
        raise ValidationError(
            _l("The due date is before the identification (%(date)s).", date=shown),
            field="due_date",
        )
    if completed is None:
        return
    if completed > today():
        raise ValidationError(_l("The completion date is in the future."), field="completed_on")
    if completed < identified_on:
        raise ValidationError(
            _l("The completion date is before the identification (%(date)s).", date=shown),
            field="completed_on",
        )


def _check_order(step: RepatriationStep, completed: date | None) -> None:
    repatriation = step.repatriation
    if completed is not None:
        missing = [
            need
            for need in PREREQUISITES.get(step.kind, ())
            if not repatriation.step(need).completed_on
        ]
        if missing:
            raise ValidationError(
                _l(
                    "The %(step)s step needs %(steps)s completed first.",
                    step=word(step.kind),
                    steps=words(missing),
                ),
                field="completed_on",
            )
        for need in PREREQUISITES.get(step.kind, ()):
            done = repatriation.step(need).completed_on
            if done is not None and completed < done:
                raise ValidationError(
                    _l(
                        "The %(step)s cannot be completed before the %(needed)s "
                        "(completed on %(date)s).",
                        step=word(step.kind),
                        needed=word(need),
                        date=done.isoformat(),
                    ),
                    field="completed_on",
                )
    for dependent in _dependents(step.kind):
        done = repatriation.step(dependent).completed_on
        if done is not None and (completed is None or completed > done):
            raise ValidationError(
                _l(
                    "The %(step)s step was completed on %(date)s and depends on this one: this "
                    "step must be completed on or before that date.",
                    step=word(dependent),
                    date=done.isoformat(),
                ),
                field="completed_on",
            )


def _responsible(user: User, value: Any) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        chosen = uuid.UUID(str(value))
    except ValueError:
        raise ValidationError(
            _l("Choose the responsible person from the list."), field="responsible_user"
        ) from None
    found = db.session.get(User, chosen)
    if found is None or found.agency_id != user.agency_id:
        raise ValidationError(
            _l("Choose the responsible person from the list."), field="responsible_user"
        )
    return chosen


def update_step(
    user: User,
    step: RepatriationStep,
    data: dict[str, Any],
    document: bytes | None = None,
    *,
    version: int | None = None,
) -> RepatriationStep:
    """Record dates, the responsible person, notes and optionally a document for one step.
    All or nothing: a refused step stores no document, a refused document changes no step.

    Every saved step moves the repatriation's version on, so a client that names the version
    it read (the API does) is refused when someone saved a step in between."""
    with transaction():
        repatriation = step.repatriation
        if not can_manage_repatriation(user, repatriation.missing_person):
            raise NotAllowed(
                _l("Only a consular official of the person's country can change this.")
            )
        if version is not None and version != repatriation.version:
            raise ConflictError(
                _l(
                    "The repatriation of %(reference)s was changed by someone else while you "
                    "were editing it. Nothing was saved: read it again and redo the change.",
                    reference=repatriation.reference,
                )
            )
        if repatriation.closed_on is not None:
            raise ValidationError(
                _l(
                    "This repatriation was closed on %(date)s: its steps can no longer change.",
                    date=repatriation.closed_on.isoformat(),
                )
            )
        due, completed = data.get("due_date"), data.get("completed_on")
        _check_dates(step, due, completed)
        _check_order(step, completed)
        step.due_date, step.completed_on = due, completed
        step.responsible_user_id = _responsible(user, data.get("responsible_user"))
        step.responsible_name = optional_text(data.get("responsible_name"), "responsible_name", 200)
        step.notes = optional_text(data.get("notes"), "notes", 5000)
        if document:
            build_attachment(
                user,
                repatriation.remains,
                "document",
                document,
                data.get("document_caption"),
                step_id=step.id,
            )
        if step.kind in FINAL_STEPS and completed is not None:
            repatriation.closed_on = completed  # the row changes, so its version moves on
            _mark_remains_repatriated(repatriation.remains, user, step)
        else:
            repatriation.version += 1  # only a step changed: move the version on by hand
    return step


def counts_for(user: User) -> tuple[int, int]:
    """Open repatriations and overdue steps among those `user` may read (for the dashboard)."""
    visible = repatriation_visible_to(user)
    base = (
        select(func.count())
        .select_from(Repatriation)
        .join(UnidentifiedRemains, Repatriation.remains_id == UnidentifiedRemains.id)
        .join(MissingPerson, Repatriation.missing_person_id == MissingPerson.id)
        .where(visible, Repatriation.closed_on.is_(None))
    )
    open_count = db.session.scalar(base) or 0
    overdue = db.session.scalar(
        base.join(RepatriationStep, RepatriationStep.repatriation_id == Repatriation.id).where(
            RepatriationStep.due_date < today(), RepatriationStep.completed_on.is_(None)
        )
    )
    return open_count, overdue or 0
