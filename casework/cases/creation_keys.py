"""Creates that a retry cannot repeat: the key a client sends with a create (the API's
`Idempotency-Key` header, the one-time token of a case form) is stored with the case it made,
in the same transaction; the same key again answers with that case instead of a second one."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from casework.accounts.models import User
from casework.audit.services import AuditAction, record
from casework.cases.models import CreationKey
from casework.db import db, transaction
from casework.errors import ValidationError

# printable ASCII without spaces, as the IETF draft and the usual clients (UUIDs) have it
_KEY = re.compile(r"[\x21-\x7e]{1,100}")


@dataclass(frozen=True)
class Created:
    """The case a create request stands for, and whether it was made by an earlier request."""

    case: Any
    replayed: bool


def checked_key(raw: str | None, field: str) -> str | None:
    """The key as sent, or None when there is none; refuses what cannot be a key."""
    if raw is None or raw == "":
        return None
    if not _KEY.fullmatch(raw):
        raise ValidationError(
            _l("An idempotency key is 1 to 100 printable characters without spaces (a UUID)."),
            field=field,
        )
    return raw


def request_digest(kind: str, values: Mapping[str, Any]) -> str:
    """What a create asked for, condensed: a key reused for another request is refused."""
    canonical = json.dumps([kind, values], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def create_once(
    user: User,
    model: Any,
    key: str | None,
    digest: str | None,
    create: Callable[[], Any],
    *,
    record_look: bool = False,
) -> Created:
    """Run `create` (a service making a case of class `model`) unless `user` already made a
    case with `key`; then answer with that case. With `record_look`, the look at the case the
    caller is answered with is audited in the same transaction as the create, so that a stored
    case is never answered with an error.

    A request repeated with the same key and another body (`digest`) is refused. Two requests
    with the same key at the same moment: the unique key lets one commit, and the other finds
    its case when it tries again.

    Example:
        >>> create_once(user, UnidentifiedRemains, "4f1c…", digest, lambda: log(user, data))
        ... # doctest: +SKIP
        Created(case=<UnidentifiedRemains UR-USA-2026-000012>, replayed=False)
    """
    for attempt in (1, 2):
        try:
            with transaction():
                earlier = _earlier(user, model, key, digest) if key is not None else None
                if earlier is not None:
                    created = Created(earlier, replayed=True)
                else:
                    case = create()
                    if key is not None:
                        db.session.flush()  # the case row first: the key refers to it
                        owner = _OWNER[model.__case_kind__]
                        db.session.add(
                            CreationKey(
                                user_id=user.id,
                                key=key,
                                request_digest=digest,
                                **{owner: case.id},
                            )
                        )
                    created = Created(case, replayed=False)
                if record_look:
                    record(AuditAction.VIEW, created.case)
            return created
        except IntegrityError:
            if key is None or attempt == 2:
                raise
            # the same key was committed by a concurrent request: the next round finds it
    raise AssertionError("unreachable")


_OWNER = {"missing": "missing_person_id", "remains": "remains_id"}


def _earlier(user: User, model: Any, key: str, digest: str | None) -> Any:
    found = db.session.scalar(
        select(CreationKey).where(CreationKey.user_id == user.id, CreationKey.key == key)
    )
    if found is None:
        return None
    case_id = getattr(found, _OWNER[model.__case_kind__])
    if case_id is None or (digest is not None and found.request_digest != digest):
        raise ValidationError(
            _l("This idempotency key was used for another request: send a new key for a new case."),
            field="idempotency_key",
        )
    return db.session.get(model, case_id)
