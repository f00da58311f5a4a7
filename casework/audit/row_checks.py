"""The rows the audit chain vouches for besides its own entries: every custody event and
status change (sealed by a digest in its creation entry) and every case's current status (the
last one the chain recorded). `casework audit verify` runs these after walking the chain."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit.models import AuditEntry
from casework.audit.services import AuditAction, row_digest
from casework.cases.models import StatusChange
from casework.crypto import CryptoError
from casework.custody.models import CustodyEvent
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains

SEALED = (CustodyEvent, StatusChange)
CASES = (MissingPerson, UnidentifiedRemains)


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row: `reason` in English (the console), `code` and `figures`
    (an entry number, status codes) for a page that says it in the reader's language."""

    kind: str
    object_id: str
    reason: str
    code: str = ""
    figures: dict[str, int | str] = field(default_factory=dict)


def _entries(session: Session, kind: str, actions: tuple[str, ...]) -> Iterator[Any]:
    return session.execute(
        select(AuditEntry.seq, AuditEntry.action, AuditEntry.object_id, AuditEntry.details)
        .where(AuditEntry.object_type == kind, AuditEntry.action.in_(actions))
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=1000)
    )


def _digest_or_nothing(key: bytes, row: Any) -> str:
    """The row's digest; empty (matching no recorded digest) when an encrypted column no longer
    decrypts: its ciphertext was replaced."""
    try:
        return row_digest(key, row)
    except CryptoError:
        return ""


def sealed_row_problems(session: Session, key: bytes) -> list[RowProblem]:
    """Custody events and status changes changed, added or removed outside the application.
    Rows recorded before their entries carried a digest (before migration 0018) are only
    checked for being there."""
    problems: list[RowProblem] = []
    for model in SEALED:
        kind = model.__name__
        sealed: dict[str, tuple[int, str | None]] = {}
        for entry in _entries(session, kind, (str(AuditAction.CREATE),)):
            digest = json.loads(entry.details or "{}").get("row_digest")
            sealed[entry.object_id] = (entry.seq, digest)
        seen: set[str] = set()
        rows = session.execute(select(model).execution_options(yield_per=1000)).scalars()
        for row in rows:
            object_id = str(row.id)
            seen.add(object_id)
            recorded = sealed.get(object_id)
            if recorded is None:
                problems.append(
                    RowProblem(
                        kind,
                        object_id,
                        "is not in the audit trail (written outside it)",
                        "row-unrecorded",
                    )
                )
            elif recorded[1] is not None and not hmac.compare_digest(
                recorded[1], _digest_or_nothing(key, row)
            ):
                problems.append(
                    RowProblem(
                        kind,
                        object_id,
                        f"was changed after it was recorded (audit entry {recorded[0]})",
                        "row-changed",
                        {"seq": recorded[0]},
                    )
                )
        for object_id, (seq, _) in sealed.items():
            if object_id not in seen:
                problems.append(
                    RowProblem(
                        kind,
                        object_id,
                        f"was deleted (recorded in audit entry {seq})",
                        "row-deleted",
                        {"seq": seq},
                    )
                )
        session.expunge_all()  # a long walk holds no rows
    return problems


def case_status_problems(session: Session) -> list[RowProblem]:
    """Cases whose stored status is not the last one the chain recorded for them (cases whose
    entries never named a status, from before migration 0018, are not checked)."""
    problems: list[RowProblem] = []
    actions = (str(AuditAction.CREATE), str(AuditAction.UPDATE))
    for model in CASES:
        kind = model.__name__
        last: dict[str, tuple[int, str]] = {}
        for entry in _entries(session, kind, actions):
            status = json.loads(entry.details or "{}").get("status")
            if isinstance(status, list) and len(status) == 2:
                status = status[1]
            if isinstance(status, str):
                last[entry.object_id] = (entry.seq, status)
        for case_id, status in session.execute(select(model.id, model.status)):
            recorded = last.get(str(case_id))
            stored = str(getattr(status, "value", status))
            if recorded is not None and recorded[1] != stored:
                problems.append(
                    RowProblem(
                        kind,
                        str(case_id),
                        f"has status {stored!r}, but the audit trail last recorded "
                        f"{recorded[1]!r} (entry {recorded[0]})",
                        "status-differs",
                        {"stored": stored, "recorded": recorded[1], "seq": recorded[0]},
                    )
                )
    return problems
