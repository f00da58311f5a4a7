"""Rules both kinds of case share: optimistic locking, child records, notes, look-up by name."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.accounts.models import User
from casework.audit.services import AuditAction, record
from casework.cases.fields import parse_dental, parse_effects, parse_marks
from casework.cases.models import CaseKind, CaseNote, DentalFinding, DistinguishingMark, Effect
from casework.crypto import blind_digest
from casework.db import db, transaction, utcnow
from casework.errors import ConflictError, ValidationError
from casework.keystore import current_keyring
from casework.personal_data import NameToken, normalise_name
from matching import NameSearch

T = TypeVar("T")


def check_version(case: Any, submitted_version: int | None) -> None:
    """Refuse a save made from a stale copy of the case (somebody else saved in between)."""
    if submitted_version is None or submitted_version != case.version:
        raise ConflictError(
            _l(
                "%(reference)s was changed by someone else while you were editing it. Your "
                "changes were not saved: reload the case, check the new version, and edit again.",
                reference=case.reference,
            )
        )


def _owner_key(case: Any) -> dict[str, Any]:
    return (
        {"missing_person_id": case.id}
        if case.__case_kind__ is CaseKind.MISSING
        else {"remains_id": case.id}
    )


def replace_marks_effects_dental(
    case: Any, marks: str | None, effects: str | None, dental: str | None
) -> None:
    parsed_marks = parse_marks(marks)
    parsed_effects = parse_effects(effects)
    parsed_dental = parse_dental(dental)
    before = _children(case)
    owner = _owner_key(case)
    case.marks = [
        DistinguishingMark(kind=kind, body_location=location, description=description, **owner)
        for kind, location, description in parsed_marks
    ]
    case.effects = [
        Effect(category=category, description=text, **owner) for category, text in parsed_effects
    ]
    by_tooth = {finding.tooth: finding for finding in case.dental}
    kept = []
    for tooth, state in parsed_dental:
        finding = by_tooth.get(tooth) or DentalFinding(tooth=tooth, **owner)
        finding.state = state
        kept.append(finding)
    case.dental = kept
    if _children(case) != before:
        # the case row changes too (updated_at, and so its version): a concurrent edit of the
        # children is refused, and other processes holding the case see that it changed
        case.updated_at = utcnow()  # what the column's onupdate would write


def _children(case: Any) -> tuple[list[tuple[Any, ...]], ...]:
    return (
        [(mark.kind, mark.body_location, mark.description) for mark in case.marks],
        [(effect.category, effect.description) for effect in case.effects],
        sorted((finding.tooth, finding.state) for finding in case.dental),
    )


def add_note(case: Any, author: User, body: str) -> CaseNote:
    text = (body or "").strip()
    if not text:
        raise ValidationError(_l("A note cannot be empty."), field="body")
    if len(text) > 20000:
        raise ValidationError(_l("A note must be under 20,000 characters."), field="body")
    with transaction():
        note = CaseNote(author_id=author.id, **_owner_key(case))
        note.body = text
        case.notes.append(note)
    return note


def record_view(case: Any) -> None:
    """Decrypted personal data is about to be shown: leave a trace, then commit it (inside a
    larger unit of work, it is committed with the rest)."""
    with transaction():
        record(AuditAction.VIEW, case)


def save_then_record_view(save: Callable[[], T], shown: Any) -> T:
    """Run a save and audit the look at what it stored in the same transaction, for callers
    answered with the stored record (the API): once the save has committed, no audit entry
    is left to fail."""
    with transaction():
        result = save()
        record(AuditAction.VIEW, shown)
    return result


def case_ids_by_name(kind: str, query: str) -> select:  # type: ignore[valid-type]
    """The ids of cases of `kind` whose name tokens include every token of `query`."""
    tokens = normalise_name(query)
    if not tokens:
        raise ValidationError(_l("Type at least one name to look for."), field="name")
    key = current_keyring().index_key
    digests = {blind_digest(key, token) for token in tokens}
    return (
        select(NameToken.case_id)
        .where(NameToken.case_kind == kind, NameToken.digest.in_(digests))
        .group_by(NameToken.case_id)
        .having(func.count(func.distinct(NameToken.digest)) == len(digests))
    )


def case_ids_by_similar_name(model: Any, visible: Any, query: str, limit: int = 200) -> list[Any]:
    """Ids of the visible cases whose names resemble `query` (other spellings, transliterations,
    order), best first. Names are decrypted in memory only; the search itself is audited."""
    if not normalise_name(query):
        raise ValidationError(_l("Type at least one name to look for."), field="name")
    cases = db.session.scalars(select(model).where(visible)).all()
    people = []
    for case in cases:
        names: list[str] = []
        for field in model.__name_fields__:
            value = getattr(case, field)
            names.extend(value if isinstance(value, list) else [value] if value else [])
        people.append((str(case.id), names))
    hits = NameSearch(people).search(query, limit=limit)
    with transaction():
        record(
            AuditAction.VIEW, None, search="similar names", kind=model.__case_kind__, hits=len(hits)
        )
    return [uuid.UUID(hit.ref) for hit in hits]


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        return None
