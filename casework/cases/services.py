"""Rules both kinds of case share: optimistic locking, child records, notes, look-up by name."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.accounts.models import User
from casework.audit.services import AuditAction, record
from casework.cases.models import CaseKind, CaseNote
from casework.crypto import blind_digest
from casework.db import db, transaction
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


def owner_key(case: Any) -> dict[str, Any]:
    """The foreign key a child row (mark, note, finding) of this case is stored with."""
    return (
        {"missing_person_id": case.id}
        if case.__case_kind__ is CaseKind.MISSING
        else {"remains_id": case.id}
    )


def add_note(case: Any, author: User, body: str) -> CaseNote:
    text = (body or "").strip()
    if not text:
        raise ValidationError(_l("A note cannot be empty."), field="body")
    if len(text) > 20000:
        raise ValidationError(_l("A note must be under 20,000 characters."), field="body")
    with transaction():
        note = CaseNote(author_id=author.id, **owner_key(case))
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
