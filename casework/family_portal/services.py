"""The rules of family requests: what a family may send and see, and what liaison staff decide.

A family acts without an account and leaves no trace of who they are: every audit entry their
actions write carries the actor "family portal" and no address (`FAMILY_ACTOR`). A request waits,
pending, for the liaison staff of the agency it chose; only they see it. What the family reads
later is where their search stands in plain words, never remains, candidates or scores, and
never news of a death: that is given by a person.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.access import Permission, allows
from casework.accounts.models import Agency, Role, User
from casework.attachments.models import AttachmentKind
from casework.attachments.services import check_file
from casework.audit.services import Actor, AuditAction, record
from casework.cases.fields import parse_country
from casework.cases.services import add_note, case_ids_by_similar_name
from casework.clock import now
from casework.db import db, transaction
from casework.errors import ConflictError, NotFound, ValidationError
from casework.family_portal import challenge, codes
from casework.family_portal.events import information_added, request_decided, request_submitted
from casework.family_portal.models import (
    AdditionKind,
    FamilyRequest,
    FamilyRequestAddition,
    FamilyRequestPhoto,
    PhotoSubject,
    RequestStatus,
)
from casework.missing.access import missing_visible_to
from casework.missing.family import FamilyStatus, LeadStage, candidate_stage, plain_status
from casework.missing.inputs import MissingPersonInput
from casework.missing.models import MissingPerson, MissingPersonStatus, Relative
from casework.missing.services import add_relative, register_missing_person

FAMILY_ACTOR = Actor(None, "family portal", None, None)  # no account, no address
MAX_FAILED_CODES = 5
LOCK = timedelta(minutes=15)

# the missing person in the words of the ICRC ante-mortem questionnaire, and their limits
PERSON_FIELDS: dict[str, int] = {
    "given_names": 200,
    "surnames": 200,
    "aliases": 500,
    "sex": 1,
    "birth_date": 20,
    "birth_place": 300,
    "nationality": 100,
    "languages": 200,
    "height_cm": 10,
    "build": 300,
    "hair": 300,
    "marks": 3000,
    "dental": 3000,
    "clothing": 3000,
    "belongings": 3000,
    "phones": 500,
    "social_media": 500,
    "route": 3000,
    "last_contact_date": 20,
    "last_contact_place": 300,
    "last_contact_how": 500,
    "companions": 2000,
    "circumstances": 5000,
}
REPORTER_FIELDS: dict[str, int] = {
    "reporter_name": 200,
    "relationship": 40,
    "contact_language": 8,
    "contact": 2000,
    "organisation": 300,
    "dna_later": 8,
}
RELATIONSHIPS = (
    "mother",
    "father",
    "sibling",
    "child",
    "spouse",
    "grandparent",
    "uncle or aunt",
    "cousin",
    "other relative",
    "friend",
    "organisation",
)
# the case's words from the portal's: which portal field a case field's error belongs to
_CASE_FIELD = {"last_seen_date": "last_contact_date", "last_seen_place": "last_contact_place"}
# what the liaison reads in the case's circumstances, in this order, under these headings
_CIRCUMSTANCES = (
    ("birth_place", "Place of birth"),
    ("nationality", "Nationality (as the family wrote it)"),
    ("build", "Build"),
    ("hair", "Hair"),
    ("marks", "Marks, scars and tattoos"),
    ("clothing", "Clothing at departure"),
    ("belongings", "Belongings"),
    ("phones", "Phone numbers"),
    ("social_media", "Social-media accounts"),
    ("route", "Route"),
    ("last_contact_how", "Last contact: how"),
    ("companions", "Travel companions"),
    ("circumstances", "What else the family told us"),
)


def as_family() -> None:
    """From here on in this request, audit entries name the portal and no address."""
    if has_request_context():
        g.audit_actor = FAMILY_ACTOR


def _words(values: Mapping[str, Any], fields: Mapping[str, int]) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, limit in fields.items():
        text = str(values.get(name) or "").strip()
        if len(text) > limit:
            raise ValidationError(
                _l("Keep this under %(limit)s characters.", limit=limit), field=name
            )
        if text:
            kept[name] = text
    return kept


def _whole(text: str | None) -> int | str | None:
    """Typed digits as a number; anything else as typed, for the case's rule to refuse."""
    return int(text) if text and text.isdigit() and len(text) < 6 else text


def case_input(person: Mapping[str, str], nationality: str | None = None) -> MissingPersonInput:
    """The family's words as a missing-person case: the fields a case has, the rest (the
    questionnaire's other answers) in its circumstances, the dental work in its medical notes.
    A ValidationError names the portal's field."""
    circumstances = "\n".join(
        f"{heading}: {person[name]}" for name, heading in _CIRCUMSTANCES if person.get(name)
    )
    raw = {
        "given_names": person.get("given_names"),
        "surnames": person.get("surnames"),
        "aliases": person.get("aliases"),
        "sex": person.get("sex") or "U",
        "birth_date": person.get("birth_date"),
        "height_cm": _whole(person.get("height_cm")),
        "nationality": nationality,
        "languages": person.get("languages"),
        "last_seen_date": person.get("last_contact_date"),
        "last_seen_place": person.get("last_contact_place"),
        "circumstances": circumstances,
        "medical_notes": f"Dental work, missing teeth: {person['dental']}"
        if person.get("dental")
        else None,
    }
    try:
        return MissingPersonInput.parse(raw)
    except ValidationError as error:
        raise ValidationError(
            error._message, field=_CASE_FIELD.get(error.field or "", error.field)
        ) from None


def receiving_agencies() -> list[Agency]:
    """The agencies a family may choose: those with liaison staff."""
    return list(
        db.session.scalars(
            select(Agency)
            .where(
                Agency.id.in_(
                    select(User.agency_id).where(
                        User.role.in_((Role.FAMILY_LIAISON, Role.SUPERVISOR)),
                        User.is_enabled.is_(True),
                    )
                )
            )
            .order_by(Agency.name)
        )
    )


def _agency(code: str | None) -> Agency:
    chosen = (code or "").strip() or str(current_app.config.get("FAMILY_DEFAULT_AGENCY") or "")
    agency = db.session.scalar(select(Agency).where(Agency.code == chosen)) if chosen else None
    if agency is None or agency.id not in {a.id for a in receiving_agencies()}:
        raise ValidationError(
            _l("Choose the office that should receive your request."), field="agency"
        )
    return agency


def _countries(text: str | None) -> str | None:
    given = (text or "").strip().upper()
    if not given or given == "*":
        return given or None
    found = [code.strip() for code in re.split(r"[;, ]+", given) if code.strip()]
    for code in found:
        parse_country(code, "consent_countries")
    return ";".join(found)


def _photo(
    request: FamilyRequest, subject: PhotoSubject, content: bytes, field: str
) -> FamilyRequestPhoto:
    """The photo checked as attachments are; a refusal names the form's `field`."""
    try:
        clean = check_file(content, AttachmentKind.EFFECT_PHOTO)  # a photo: no PDF
    except ValidationError as error:
        raise ValidationError(error._message, field=field) from None
    photo = FamilyRequestPhoto(
        request_id=request.id,
        subject=subject,
        media_type=clean.media_type,
        size_bytes=len(clean.content),
        added_at=now(),
    )
    photo.content = clean.content
    return photo


@dataclass(frozen=True)
class Submitted:
    request: FamilyRequest
    access_code: str  # shown once, never stored


def submit_request(
    values: Mapping[str, Any],
    photos: Iterable[tuple[PhotoSubject, bytes]],
    language: str,
) -> Submitted:
    """Store a family's search request, pending; nothing is stored if anything is wrong.

    `values` are the form's words (see `PERSON_FIELDS`, `REPORTER_FIELDS`, the consents, the
    agency, the honeypot `website` and the challenge); `photos` the files chosen, possibly none.
    """
    as_family()
    with transaction():
        if str(values.get("website") or "").strip():
            # the honeypot: a field people never see, which form-filling programs fill
            raise ValidationError(_l("This request could not be accepted."), field="website")
        person = _words(values, PERSON_FIELDS)
        case_input(person)  # the same rules as a case: a name, a real date, a plausible height
        reporter = _words(values, REPORTER_FIELDS)
        if not reporter.get("reporter_name"):
            raise ValidationError(_l("Tell us your name."), field="reporter_name")
        if not reporter.get("contact"):
            raise ValidationError(
                _l("Tell us a safe way to reach you (or an organisation that helps you)."),
                field="contact",
            )
        if reporter.get("relationship", "other relative") not in RELATIONSHIPS:
            raise ValidationError(
                _l("Choose your relationship from the list."), field="relationship"
            )
        if not values.get("consent_search"):
            raise ValidationError(
                _l("We can only search with your agreement: tick the first box."),
                field="consent_search",
            )
        countries = _countries(values.get("consent_countries"))
        if values.get("consent_share") and not countries:
            raise ValidationError(
                _l("Say with which countries we may share it (or * for all)."),
                field="consent_countries",
            )
        agency = _agency(values.get("agency"))
        challenge.spend(
            str(values.get("challenge_salt") or ""),
            str(values.get("challenge") or ""),
            str(values.get("challenge_signature") or ""),
            str(values.get("challenge_number") or ""),
        )
        code = codes.new_code()
        request = FamilyRequest(
            reference=_free_reference(),
            access_code_hash=codes.hash_code(code),
            agency_id=agency.id,
            language=language,
            submitted_at=now(),
            consent_search=True,
            consent_share=bool(values.get("consent_share")),
            consent_countries=countries if values.get("consent_share") else None,
            consent_contact=bool(values.get("consent_contact")),
            consent_keep=bool(values.get("consent_keep")),
        )
        request.person = json.dumps(person, ensure_ascii=False)
        request.reporter = json.dumps(reporter, ensure_ascii=False)
        db.session.add(request)
        for subject, content in photos:
            if content:
                field = f"photo_{subject.value}"  # photo_person, photo_belonging
                request.photos.append(_photo(request, subject, content, field))
        db.session.flush()
        request_submitted.send(request)
    return Submitted(request, code)


def _free_reference() -> str:
    while True:  # 31^8 references: a clash is rare, and then the next draw is free
        reference = codes.new_reference()
        if (
            db.session.scalar(select(FamilyRequest.id).where(FamilyRequest.reference == reference))
            is None
        ):
            return reference


def open_request(reference: str, code: str) -> FamilyRequest:
    """The request a family's reference and access code open. A wrong code counts against the
    reference (five in a row lock it for 15 minutes) and is audited, with no address."""
    as_family()
    wrong = ValidationError(
        _l("The reference or the access code is not right. Check them and try again."),
        field="code",
    )
    typed = (reference or "").strip().upper()
    moment = now()
    with transaction():
        request = db.session.scalar(select(FamilyRequest).where(FamilyRequest.reference == typed))
        if request is None:
            record(AuditAction.SECURITY, None, event="family code refused", reason="unknown")
            refused: ValidationError | None = wrong
        elif request.locked_until is not None and request.locked_until > moment:
            record(AuditAction.SECURITY, request, event="family code refused", reason="locked")
            refused = ValidationError(
                _l(
                    "Too many wrong codes were typed for this reference. Try again in 15 "
                    "minutes, or ask the office that handles your request."
                ),
                field="code",
            )
        elif not codes.code_matches(request.access_code_hash, code):
            request.failed_codes += 1
            locked = request.failed_codes >= MAX_FAILED_CODES
            if locked:
                request.failed_codes = 0
                request.locked_until = moment + LOCK
            record(
                AuditAction.SECURITY,
                request,
                event="family code refused",
                reason="wrong code",
                locked=locked,
            )
            refused = wrong
        else:
            if request.failed_codes or request.locked_until:
                request.failed_codes = 0
                request.locked_until = None
            record(AuditAction.VIEW, request, event="family opened their request")
            refused = None
    if refused is not None:
        raise refused  # after the commit: the count of wrong codes must stay
    assert request is not None
    return request


def request_by_id(request_id: Any) -> FamilyRequest | None:
    """The request a family opened earlier in this browser (its id kept in the session)."""
    return db.session.get(FamilyRequest, request_id) if request_id else None


@dataclass(frozen=True)
class FamilyView:
    """What the family's own page shows, in the page's language."""

    status: RequestStatus
    paragraphs: list[str]
    next_steps: list[str]
    decline_reason: str | None


def _liaison_will_call() -> FamilyStatus:
    return FamilyStatus(
        paragraphs=[
            _(
                "There is news about your search that we want to give you in person. The person "
                "in charge of your request will contact you soon."
            )
        ],
        next_steps=[_("If you cannot wait, contact the office that handles your request.")],
    )


def family_view(request: FamilyRequest) -> FamilyView:
    """Where the family's request stands. Once it is a case, the plain-words family summary,
    except when a person may have been identified: then only that their liaison will call."""
    case = (
        db.session.get(MissingPerson, request.missing_person_id)
        if request.missing_person_id
        else None
    )
    if request.status is RequestStatus.PENDING:
        shown = FamilyStatus(
            [
                _(
                    "We have received your request. A member of staff will check it and contact "
                    "you. This can take a few days."
                )
            ],
            [_("Keep your reference and access code safe: you need both to come back here.")],
        )
    elif request.status is RequestStatus.DECLINED:
        shown = FamilyStatus(
            [_("We could not accept your request as a search. The reason is below.")],
            [_("You can send a new request at any time.")],
        )
    elif case is None:
        shown = _liaison_will_call()
    elif case.status is MissingPersonStatus.IDENTIFIED or candidate_stage(case) in (
        LeadStage.IDENTIFICATION_PROPOSED,
        LeadStage.CONFIRMED,
    ):
        shown = _liaison_will_call()
    else:
        shown = plain_status(case)
    return FamilyView(
        status=request.status,
        paragraphs=shown.paragraphs,
        next_steps=shown.next_steps,
        decline_reason=request.decline_reason if request.status is RequestStatus.DECLINED else None,
    )


def add_information(
    request: FamilyRequest, kind: str, words: str | None, photo: bytes | None
) -> FamilyRequestAddition:
    """Something new from the family (a contact, a correction, a photo), kept with their request
    for the liaison; nothing is stored if it is empty or the photo is refused."""
    as_family()
    try:
        chosen = AdditionKind(kind)
    except ValueError:
        chosen = None
    if chosen not in (AdditionKind.CONTACT, AdditionKind.CORRECTION, AdditionKind.PHOTO):
        raise ValidationError(_l("Choose what you are adding from the list."), field="kind")
    text = (words or "").strip()
    if len(text) > 5000:
        raise ValidationError(
            _l("Keep this under %(limit)s characters.", limit=5000), field="words"
        )
    with transaction():
        if chosen is AdditionKind.PHOTO:
            if not photo:
                raise ValidationError(_l("Choose a photo to send."), field="photo")
            request.photos.append(_photo(request, PhotoSubject.PERSON, photo, "photo"))
        elif not text:
            raise ValidationError(_l("Write what you want to tell us."), field="words")
        addition = FamilyRequestAddition(request_id=request.id, kind=chosen, added_at=now())
        addition.words = text or None
        db.session.add(addition)
        db.session.flush()
        information_added.send(addition, request=request)
    return addition


CONSENTS = ("consent_share", "consent_contact", "consent_keep")


def withdraw_consent(request: FamilyRequest, which: Iterable[str]) -> None:
    """The family takes back some of their agreements; sharing withdrawn reaches the case's
    relative too, so the next exchange bundle withdraws the shared record."""
    as_family()
    chosen = [name for name in which if name in CONSENTS and getattr(request, name)]
    if not chosen:
        raise ValidationError(_l("Tick what you no longer agree to."), field="consents")
    with transaction():
        for name in chosen:
            setattr(request, name, False)
        if "consent_share" in chosen:
            request.consent_countries = None
            relative = (
                db.session.get(Relative, request.relative_id) if request.relative_id else None
            )
            if relative is not None:
                relative.consent_to_share = False
                relative.consent_countries = None
                relative.consent_recorded_at = now()
        request.consent_withdrawn_at = now()
        addition = FamilyRequestAddition(
            request_id=request.id, kind=AdditionKind.CONSENT_WITHDRAWN, added_at=now()
        )
        addition.words = ", ".join(chosen)
        db.session.add(addition)
        db.session.flush()
        information_added.send(addition, request=request)


# ---- liaison staff ------------------------------------------------------------------------


def may_review(user: User) -> bool:
    return allows(user, Permission.REVIEW_FAMILY_REQUESTS)


def requests_for(
    user: User, status: RequestStatus | None = RequestStatus.PENDING
) -> list[FamilyRequest]:
    """The requests waiting for the liaison staff of `user`'s agency (others never see them)."""
    if not may_review(user):
        return []
    query = select(FamilyRequest).where(FamilyRequest.agency_id == user.agency_id)
    if status is not None:
        query = query.where(FamilyRequest.status == status)
    return list(db.session.scalars(query.order_by(FamilyRequest.submitted_at)))


def request_for(user: User, reference: str) -> FamilyRequest:
    """One request of `user`'s agency, or NotFound (another agency's is not revealed)."""
    request = db.session.scalar(select(FamilyRequest).where(FamilyRequest.reference == reference))
    if request is None or not may_review(user) or request.agency_id != user.agency_id:
        raise NotFound(_l("There is no such family request."))
    return request


def record_request_view(request: FamilyRequest) -> None:
    with transaction():
        record(AuditAction.VIEW, request)


def person_of(request: FamilyRequest) -> dict[str, str]:
    return dict(json.loads(request.person or "{}"))


def reporter_of(request: FamilyRequest) -> dict[str, str]:
    return dict(json.loads(request.reporter or "{}"))


def likely_duplicates(user: User, request: FamilyRequest, limit: int = 5) -> list[MissingPerson]:
    """Cases `user` sees whose names resemble the requested person's (the name search's
    spellings, transliterations and order), best first."""
    person = person_of(request)
    query = " ".join(
        part for part in (person.get("given_names"), person.get("surnames")) if part
    ) or person.get("aliases", "")
    if not query.strip():
        return []
    try:
        ids = case_ids_by_similar_name(MissingPerson, missing_visible_to(user), query, limit)
    except ValidationError:
        return []
    found = {
        case.id: case
        for case in db.session.scalars(select(MissingPerson).where(MissingPerson.id.in_(ids)))
    }
    return [found[case_id] for case_id in ids if case_id in found]


def _decide(request: FamilyRequest, user: User, version: int | None, status: RequestStatus) -> None:
    if version is None or version != request.version:
        raise ConflictError(
            _l(
                "Someone else decided on request %(reference)s meanwhile. Reload it.",
                reference=request.reference,
            )
        )
    if request.status is not RequestStatus.PENDING:
        raise ConflictError(
            _l("Request %(reference)s has already been decided.", reference=request.reference)
        )
    request.status = status
    request.decided_by_id = user.id
    request.decided_at = now()


def _reporter_as_relative(request: FamilyRequest, case: MissingPerson) -> Relative:
    reporter = reporter_of(request)
    lines = [reporter.get("contact", "")]
    if reporter.get("organisation"):
        lines.append(f"Through: {reporter['organisation']}")
    if reporter.get("dna_later"):
        lines.append(f"Can give a DNA reference sample later: {reporter['dna_later']}")
    relationship = reporter.get("relationship") or "other relative"
    return add_relative(
        case,
        {
            "name": reporter.get("reporter_name"),
            "relationship_to_missing": relationship,
            "contact": "\n".join(line for line in lines if line),
            "language": reporter.get("contact_language") or request.language,
            "consent_to_share": request.consent_share,
            "consent_countries": request.consent_countries,
        },
    )


def accept_request(
    request: FamilyRequest, user: User, version: int | None, nationality: str | None = None
) -> MissingPerson:
    """Make a missing-person case of a pending request (the reporter its relative, their
    consent theirs); nothing is stored if anything is wrong."""
    with transaction():
        _decide(request, user, version, RequestStatus.ACCEPTED)
        given = case_input(person_of(request), parse_country(nationality, "nationality"))
        case = register_missing_person(user, given)
        db.session.flush()
        relative = _reporter_as_relative(request, case)
        db.session.flush()
        request.missing_person_id = case.id
        request.relative_id = relative.id
        request_decided.send(request)
    return case


def merge_request(
    request: FamilyRequest, user: User, version: int | None, case_reference: str
) -> MissingPerson:
    """Join a pending request to a case of the user's agency that is the same person: the
    reporter becomes a relative of it, the family's words a note on it."""
    with transaction():
        case = db.session.scalar(
            select(MissingPerson).where(
                MissingPerson.reference == (case_reference or "").strip(),
                MissingPerson.agency_id == user.agency_id,
            )
        )
        if case is None:
            raise ValidationError(
                _l("Choose a missing-person case of your agency to merge with."), field="case"
            )
        _decide(request, user, version, RequestStatus.MERGED)
        person = person_of(request)
        words = "\n".join(f"{name}: {value}" for name, value in person.items())
        add_note(case, user, f"Family request {request.reference}:\n{words}")
        relative = _reporter_as_relative(request, case)
        db.session.flush()
        request.missing_person_id = case.id
        request.relative_id = relative.id
        request_decided.send(request)
    return case


def decline_request(request: FamilyRequest, user: User, version: int | None, reason: str) -> None:
    """Decline a pending request with a reason the family reads on their page."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError(
            _l("Give the reason, in words the family will understand."), field="reason"
        )
    if len(text) > 2000:
        raise ValidationError(
            _l("Keep this under %(limit)s characters.", limit=2000), field="reason"
        )
    with transaction():
        _decide(request, user, version, RequestStatus.DECLINED)
        request.decline_reason = text
        request_decided.send(request)


@dataclass(frozen=True)
class FromTheFamily:
    """A request joined to a case, with what the family sent through the portal: the words and
    photos they added on their page, before the decision and after it."""

    request: FamilyRequest
    additions: list[FamilyRequestAddition]
    photos: list[FamilyRequestPhoto]


def sent_to_case(user: User, case: MissingPerson) -> list[FromTheFamily]:
    """The requests accepted as `case` or merged with it, for the liaison staff of the agency
    that received them (the same people who read the request), oldest first."""
    if not may_review(user):
        return []
    found = db.session.scalars(
        select(FamilyRequest)
        .where(
            FamilyRequest.missing_person_id == case.id,
            FamilyRequest.agency_id == user.agency_id,
        )
        .order_by(FamilyRequest.submitted_at)
    )
    return [
        FromTheFamily(request, list(request.additions), list(request.photos)) for request in found
    ]


def open_photo(request: FamilyRequest, photo_id: Any) -> FamilyRequestPhoto:
    """A photo of the request for its liaison, the look at it audited first."""
    photo = next((p for p in request.photos if str(p.id) == str(photo_id)), None)
    if photo is None:
        raise NotFound(_l("There is no such photo."))
    with transaction():
        record(AuditAction.VIEW, photo, request=request.reference)
    return photo


__all__ = [
    "CONSENTS",
    "FAMILY_ACTOR",
    "PERSON_FIELDS",
    "RELATIONSHIPS",
    "REPORTER_FIELDS",
    "FamilyView",
    "FromTheFamily",
    "Submitted",
    "accept_request",
    "add_information",
    "as_family",
    "case_input",
    "decline_request",
    "family_view",
    "likely_duplicates",
    "merge_request",
    "open_photo",
    "open_request",
    "person_of",
    "receiving_agencies",
    "record_request_view",
    "reporter_of",
    "request_by_id",
    "request_for",
    "requests_for",
    "sent_to_case",
    "submit_request",
    "withdraw_consent",
]
