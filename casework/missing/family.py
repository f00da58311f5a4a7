"""What the family of a missing person is told: the contact log, and where the search stands in
plain words (no jargon, nothing about remains, scores or internal notes)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.accounts.models import User
from casework.audit.services import AuditAction, record
from casework.cases.fields import optional_text
from casework.cases.services import parse_uuid
from casework.clock import now
from casework.custody.models import Sample, SampleStatus
from casework.db import db, transaction
from casework.errors import ValidationError
from casework.matches.models import CandidateMatch, CandidateStatus
from casework.missing.models import (
    ContactChannel,
    FamilyContact,
    MissingPerson,
    MissingPersonStatus,
    Relative,
)


def add_family_contact(case: MissingPerson, user: User, data: dict[str, Any]) -> FamilyContact:
    """Log one contact with the family; nothing is stored if any field is wrong."""
    with transaction():
        try:
            channel = ContactChannel(data.get("channel"))
        except ValueError:
            raise ValidationError(
                _l("Choose how you were in contact from the list."), field="channel"
            ) from None
        contacted_at = data.get("contacted_at")
        if not isinstance(contacted_at, datetime):
            raise ValidationError(_l("Say when you were in contact."), field="contacted_at")
        if contacted_at.tzinfo is None:
            contacted_at = contacted_at.replace(tzinfo=UTC)
        if contacted_at > now():
            raise ValidationError(_l("That time is in the future."), field="contacted_at")
        relative_id = None
        if data.get("relative_id"):
            relative_id = parse_uuid(data["relative_id"])
            known = {relative.id for relative in case.relatives}
            if relative_id not in known:
                raise ValidationError(
                    _l("Choose a relative of this case from the list."), field="relative_id"
                )
        summary = optional_text(data.get("summary"), "summary", 5000)
        if not summary:
            raise ValidationError(_l("Say in a few words what was said."), field="summary")
        due = data.get("next_contact_due")
        if due is not None and due < contacted_at.date():
            raise ValidationError(
                _l("The next contact cannot be due before this one."), field="next_contact_due"
            )
        contact = FamilyContact(
            missing_person_id=case.id,
            relative_id=relative_id,
            contacted_at=contacted_at,
            channel=channel,
            recorded_by_id=user.id,
            recorded_at=now(),
            next_contact_due=due,
        )
        contact.summary = summary
        db.session.add(contact)
    return contact


def record_summary_printed(case: MissingPerson, language: str) -> None:
    """The family summary quotes the case: the trail says who printed it, in which language."""
    with transaction():
        record(AuditAction.EXPORT, case, document="family summary", language=language)


def contacts_of(case: MissingPerson) -> list[FamilyContact]:
    """The contact log of a case, newest first."""
    return list(
        db.session.scalars(
            select(FamilyContact)
            .where(FamilyContact.missing_person_id == case.id)
            .order_by(FamilyContact.contacted_at.desc(), FamilyContact.recorded_at.desc())
        )
    )


class LeadStage(enum.StrEnum):
    """How far the best lead of a search has gone, as the family is told: a candidate in the
    review queue, an identification awaiting its second signature, a confirmed one."""

    UNDER_REVIEW = "under_review"
    IDENTIFICATION_PROPOSED = "identification_proposed"
    CONFIRMED = "confirmed"


def candidate_stage(case: MissingPerson) -> LeadStage | None:
    """The stage of the best lead of `case`, or None when there is no lead under review."""
    rows = db.session.execute(
        select(CandidateMatch.status, CandidateMatch.review).where(
            CandidateMatch.missing_person_id == case.id
        )
    ).all()
    statuses = {row.status for row in rows}
    if CandidateStatus.CONFIRMED in statuses or case.status is MissingPersonStatus.IDENTIFIED:
        return LeadStage.CONFIRMED
    if CandidateStatus.IDENTIFICATION_PROPOSED in statuses:
        return LeadStage.IDENTIFICATION_PROPOSED
    if any(row.status is CandidateStatus.PROPOSED and row.review for row in rows):
        return LeadStage.UNDER_REVIEW
    return None


@dataclass(frozen=True)
class FamilyStatus:
    """Where the search stands, in the language active when it was built."""

    paragraphs: list[str]
    next_steps: list[str]


def _samples(case: MissingPerson) -> tuple[int, int]:
    """How many reference samples the family gave, and how many of them were analysed."""
    rows = db.session.execute(
        select(Sample.status, func.count())
        .join(Relative, Sample.relative_id == Relative.id)
        .where(Relative.missing_person_id == case.id)
        .group_by(Sample.status)
    ).all()
    total = sum(count for _status, count in rows)
    analysed = sum(count for status, count in rows if status is SampleStatus.PROFILED)
    return total, analysed


def plain_status(case: MissingPerson, contacts: list[FamilyContact] | None = None) -> FamilyStatus:
    """The paragraph a family reads about their search, and what they can do next.

    Call it inside `force_locale(...)` for the family's language."""
    name = case.display_name
    stage = candidate_stage(case)
    status = case.status
    searching = status in (MissingPersonStatus.OPEN, MissingPersonStatus.CANDIDATE_UNDER_REVIEW)
    paragraphs: list[str] = []
    steps: list[str] = []

    if status is MissingPersonStatus.IDENTIFIED or stage is LeadStage.CONFIRMED:
        paragraphs.append(
            _(
                "The search has ended: %(name)s has been identified. The person in charge of "
                "your search will speak with you in person about what this means and what "
                "happens next.",
                name=name,
            )
        )
        steps.append(_("We will arrange a meeting with you. You can bring someone you trust."))
    elif status is MissingPersonStatus.FOUND_ALIVE:
        paragraphs.append(_("%(name)s has been found alive. The search has ended.", name=name))
    elif status is MissingPersonStatus.CLOSED:
        paragraphs.append(
            _(
                "The search has been closed. If you learn anything new about %(name)s, tell us: "
                "the search can be opened again.",
                name=name,
            )
        )
    elif stage is LeadStage.IDENTIFICATION_PROPOSED:
        paragraphs.append(
            _(
                "Specialists think they may have found %(name)s and are checking this very "
                "carefully. A second specialist must confirm it before anything is certain. "
                "We will contact you as soon as there is an answer.",
                name=name,
            )
        )
    elif stage is LeadStage.UNDER_REVIEW:
        paragraphs.append(
            _(
                "We are checking a possible lead. This does not mean that %(name)s has been "
                "found: most leads turn out to be someone else. We will tell you as soon as we "
                "know more.",
                name=name,
            )
        )
    else:
        paragraphs.append(
            _(
                "We are still searching for %(name)s. So far nobody we know of matches what you "
                "told us. Every new report of a person found, here and by partner authorities in "
                "other countries, is compared with it.",
                name=name,
            )
        )

    if searching:
        given, analysed = _samples(case)
        if given:
            paragraphs.append(
                ngettext(
                    "Your family has given %(num)d sample for DNA comparison.",
                    "Your family has given %(num)d samples for DNA comparison.",
                    given,
                )
                + " "
                + ngettext(
                    "%(num)d of them has already been analysed.",
                    "%(num)d of them have already been analysed.",
                    analysed,
                )
            )
        else:
            paragraphs.append(
                _(
                    "No DNA sample from your family has been recorded yet. A sample from a close "
                    "relative (a parent, a child, a brother or a sister) makes it much more "
                    "likely that %(name)s can be identified.",
                    name=name,
                )
            )
            steps.append(_("Ask us how a close relative can give a DNA sample."))
        steps.append(
            _(
                "Tell us at once if you hear from %(name)s or learn anything new: a call, a "
                "message, a place, a date.",
                name=name,
            )
        )

    contacts = contacts_of(case) if contacts is None else contacts
    if contacts:
        paragraphs.append(
            _(
                "We last spoke with you on %(date)s.",
                date=format_date(contacts[0].contacted_at.date(), "long"),
            )
        )
        due = contacts[0].next_contact_due  # the latest contact sets the next one
        if due is not None:
            steps.append(
                _("We plan to contact you again by %(date)s.", date=format_date(due, "long"))
            )
    steps.append(
        _("Keep this page. Give the reference of your search request whenever you contact us.")
    )
    return FamilyStatus(paragraphs=paragraphs, next_steps=steps)


def agency_contact(case: MissingPerson, contacts: list[FamilyContact]) -> User | None:
    """Who the family should call: whoever last spoke with them, else who registered the case."""
    for contact in contacts:
        if contact.recorded_by_id is not None:
            return db.session.get(User, contact.recorded_by_id)
    return db.session.get(User, case.created_by_id) if case.created_by_id else None


def family_language(case: MissingPerson, languages: list[str], fallback: str) -> str:
    """The language to print in by default: the reporting relative's, if the app speaks it."""
    for relative in case.relatives:
        if relative.is_reporter and (relative.language or "").lower() in languages:
            return (relative.language or "").lower()
    return fallback


__all__ = [
    "FamilyStatus",
    "LeadStage",
    "add_family_contact",
    "agency_contact",
    "candidate_stage",
    "contacts_of",
    "family_language",
    "plain_status",
]
