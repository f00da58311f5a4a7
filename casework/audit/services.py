"""Writing the audit trail (explicit events and automatic change capture) and verifying it."""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from casework.audit.models import AuditEntry, AuditHead
from casework.clock import now
from casework.db import db, take_turn
from casework.errors import CaseworkError
from casework.keystore import audit_chain_key
from casework.personal_data import Encrypted

GENESIS = b"\x00" * 32
_TAIL = "casework.audit_tail"
# the turn every writer of the audit chain takes (`take_turn`)
CHAIN_TURN = 7431
# bookkeeping, not case data: a sequence counter, a retry key, a recomputation still to do,
# a sign-in session (signing in and out are audited as events; its stamps are not changes)
_UNAUDITED = {
    "AuditEntry",
    "AuditHead",
    "NameToken",
    "OwnNameKeys",
    "DataKey",
    "CaseSequence",
    "CreationKey",
    "PendingRefresh",
    "SignInSession",
    "SignInThrottle",
}
HEAD_ID = 1


class AuditAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    VIEW = "view"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    SECURITY = "security"
    KEYS = "keys"


class AppendOnlyError(CaseworkError):
    status_code = 409


@dataclass(frozen=True)
class Actor:
    id: Any
    label: str
    agency_id: int | None
    remote_addr: str | None


def current_actor() -> Actor:
    remote = request.remote_addr if has_request_context() else None
    override = g.get("audit_actor") if has_request_context() or _has_g() else None
    if override is not None:
        return override  # type: ignore[no-any-return]
    if has_request_context() and current_user and current_user.is_authenticated:
        return Actor(current_user.id, current_user.email, current_user.agency_id, remote)
    return Actor(None, "system" if not has_request_context() else "anonymous", None, remote)


def _has_g() -> bool:
    try:
        g.get("audit_actor")
    except RuntimeError:
        return False
    return True


def entry_digest(key: bytes, entry: AuditEntry) -> bytes:
    """The keyed hash of an entry, chained to its predecessor's hash."""
    return _digest(key, {name: getattr(entry, name) for name in _HASHED})


_HASHED = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "object_ref",
    "details",
    "remote_addr",
    "prev_hash",
)


def _digest(key: bytes, values: dict[str, Any]) -> bytes:
    body = {
        "seq": values["seq"],
        "occurred_at": values["occurred_at"].isoformat(timespec="microseconds"),
        "actor_id": str(values["actor_id"]) if values["actor_id"] else None,
        "actor_label": values["actor_label"],
        "agency_id": values["agency_id"],
        "action": values["action"],
        "object_type": values["object_type"],
        "object_id": values["object_id"],
        "object_ref": values["object_ref"],
        "details": values["details"],
        "remote_addr": values["remote_addr"],
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, values["prev_hash"] + canonical.encode(), hashlib.sha256).digest()


def _tail(session: Session) -> tuple[int, bytes]:
    tail = session.info.get(_TAIL)
    if tail is not None:
        return tail  # type: ignore[no-any-return]
    # one writer extends the chain at a time: two sessions reading the same tail would clash
    # on `seq` at the second insert (writes outside `transaction()` too)
    take_turn(session, CHAIN_TURN)
    with session.no_autoflush:
        last = session.execute(
            select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
    return (last.seq, last.entry_hash) if last else (0, GENESIS)


def _entry_values(
    key: bytes,
    seq: int,
    prev: bytes,
    actor: Actor,
    action: AuditAction | str,
    object_type: str | None,
    object_id: Any,
    object_ref: str | None,
    details: dict[str, Any] | None,
) -> dict[str, Any]:
    """The column values of the entry after `prev`, its hash (keyed by `key`) included."""
    values: dict[str, Any] = {
        "seq": seq,
        "occurred_at": now(),
        "actor_id": actor.id,
        "actor_label": actor.label,
        "agency_id": actor.agency_id,
        "action": str(action),
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "object_ref": object_ref,
        "details": json.dumps(details or {}, sort_keys=True, separators=(",", ":"), default=str),
        "remote_addr": actor.remote_addr,
        "prev_hash": prev,
    }
    values["entry_hash"] = _digest(key, values)
    return values


def append(
    session: Session,
    action: AuditAction | str,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    object_ref: str | None = None,
    details: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> AuditEntry:
    """Add one entry to the chain in the session's transaction."""
    seq, prev = _tail(session)
    entry = AuditEntry(
        **_entry_values(
            audit_chain_key(),
            seq + 1,
            prev,
            actor or current_actor(),
            action,
            object_type,
            object_id,
            object_ref,
            details,
        )
    )
    session.add(entry)
    session.info[_TAIL] = (entry.seq, entry.entry_hash)
    _advance_head(session, entry.seq, entry.entry_hash)
    return entry


def _advance_head(session: Session, seq: int, entry_hash: bytes) -> None:
    """Move the checkpoint to the new end of the chain, in the appending transaction (Core
    statements: this also runs inside a flush, where the ORM must not flush again)."""
    table = AuditHead.__table__
    with session.no_autoflush:
        moved = session.execute(
            table.update().where(table.c.id == HEAD_ID).values(seq=seq, entry_hash=entry_hash)
        )
        if not getattr(moved, "rowcount", 0):
            session.execute(table.insert().values(id=HEAD_ID, seq=seq, entry_hash=entry_hash))


def record(action: AuditAction, obj: Any = None, **details: Any) -> AuditEntry:
    """Record an explicit event (a view of personal data, a login, an export) about `obj`."""
    kwargs: dict[str, Any] = {}
    if obj is not None:
        kwargs = {
            "object_type": type(obj).__name__,
            "object_id": inspect(obj).identity[0] if inspect(obj).identity else None,
            "object_ref": getattr(obj, "reference", None),
        }
    return append(db.session, action, details=details or None, **kwargs)


def forget_tail(session: Session) -> None:
    session.info.pop(_TAIL, None)
    session.info.pop(_STAGED, None)  # the staging table went with the transaction


def _changed_fields(obj: Any) -> list[str]:
    state = inspect(obj)
    names = []
    for attr in state.mapper.column_attrs:
        if attr.key in ("version", "updated_at"):
            continue
        if state.attrs[attr.key].history.has_changes():
            names.append(attr.key.removesuffix("_ct"))
    return sorted(names)


def _owner(obj: Any) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for link in ("missing_person_id", "remains_id", "sample_id", "effect_id", "relative_id"):
        value = getattr(obj, link, None)
        if value is not None:
            details[link] = str(value)
    return details


def _with_defaults(obj: Any) -> None:
    """Give a new object the Python-side column defaults the flush would (a timestamp, a first
    status) now, so what the audit entry records is what the row will hold."""
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        column = attr.columns[0]
        default = column.default
        if default is None or getattr(obj, attr.key) is not None or column.primary_key:
            continue
        if default.is_scalar:
            setattr(obj, attr.key, default.arg)
        elif default.is_callable:
            setattr(obj, attr.key, default.arg(None))


def _canonical(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def row_digest(key: bytes, obj: Any) -> str:
    """A keyed digest of every column of an append-only row (custody event, status change),
    kept in its creation entry: the chain then vouches for the row itself, so a row changed,
    added or removed behind the application's back is found by `casework audit verify`.
    Encrypted columns count by their plaintext: a key rotation rewrites the ciphertext, not
    what was recorded."""
    mapper = inspect(obj).mapper
    plaintext = {
        value.column: name
        for klass in type(obj).__mro__
        for name, value in vars(klass).items()
        if isinstance(value, Encrypted)
    }
    values = {}
    for column in obj.__table__.columns:
        attribute = plaintext.get(column.name, mapper.get_property_by_column(column).key)
        values[column.name] = _canonical(getattr(obj, attribute))
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def _status_of(obj: Any) -> str | None:
    """A case's status as stored (its column default when not given yet), for its entry."""
    if not hasattr(type(obj), "status") or not hasattr(obj, "__case_kind__"):
        return None
    status = obj.status
    if status is None:
        default = inspect(obj).mapper.columns["status"].default
        status = default.arg if default is not None and default.is_scalar else None
    return None if status is None else str(getattr(status, "value", status))


def capture_changes(session: Session) -> None:
    """Before a flush: append-only tables stay untouched, every other change is recorded."""
    for obj in session.dirty:
        if getattr(obj, "__append_only__", False) and session.is_modified(obj):
            raise AppendOnlyError(
                _l("%(kind)s records cannot be changed.", kind=type(obj).__name__)
            )
    for obj in session.deleted:
        if getattr(obj, "__append_only__", False):
            raise AppendOnlyError(
                _l("%(kind)s records cannot be deleted.", kind=type(obj).__name__)
            )

    for action, objects in (
        (AuditAction.CREATE, list(session.new)),
        (AuditAction.UPDATE, list(session.dirty)),
        (AuditAction.DELETE, list(session.deleted)),
    ):
        for obj in objects:
            name = type(obj).__name__
            if name in _UNAUDITED:
                continue
            details = _owner(obj)
            if action is AuditAction.UPDATE:
                fields = _changed_fields(obj)
                if not fields:
                    continue
                details["fields"] = fields
                status = inspect(obj).attrs.get("status") if hasattr(obj, "status") else None
                if status is not None and status.history.has_changes():
                    old = status.history.deleted[0] if status.history.deleted else None
                    details["status"] = [str(old) if old else None, str(obj.status)]
            elif action is AuditAction.CREATE:
                if getattr(obj, "__append_only__", False):
                    _with_defaults(obj)
                    details["row_digest"] = row_digest(audit_chain_key(), obj)
                details["fields"] = _changed_fields(obj)
                status = _status_of(obj)
                if status is not None:
                    details["status"] = status
            append(
                session,
                action,
                object_type=name,
                object_id=getattr(obj, "id", None),
                object_ref=getattr(obj, "reference", None),
                details=details,
            )


def _created_fields(obj: Any) -> list[str]:
    """`_changed_fields` of an object never flushed: every column attribute it was given
    (worked out once per class and set of attributes: a bulk import repeats a few shapes)."""
    shape = (type(obj), frozenset(obj.__dict__))
    names = _CREATED_FIELDS.get(shape)
    if names is None:
        names = _CREATED_FIELDS[shape] = sorted(
            attr.key.removesuffix("_ct")
            for attr in inspect(obj).mapper.column_attrs
            if attr.key in obj.__dict__ and attr.key not in ("version", "updated_at")
        )
    return list(names)


_CREATED_FIELDS: dict[tuple[type, frozenset[str]], list[str]] = {}


def append_created(session: Session, objects: list[Any], actor: Actor | None = None) -> int:
    """Audit the creation of objects stored by a bulk insert rather than a flush: the same
    create entries `capture_changes` would write, chained in order, inserted in one statement.
    Returns how many entries were written."""
    actor = actor or current_actor()
    seq, prev = _tail(session)
    key = audit_chain_key()  # derived once for the whole batch
    rows: list[dict[str, Any]] = []
    for obj in objects:
        name = type(obj).__name__
        if name in _UNAUDITED:
            continue
        details = _owner(obj)
        details["fields"] = _created_fields(obj)
        status = _status_of(obj)
        if status is not None:
            details["status"] = status
        seq += 1
        row = _entry_values(
            key,
            seq,
            prev,
            actor,
            AuditAction.CREATE,
            name,
            getattr(obj, "id", None),
            getattr(obj, "reference", None),
            details,
        )
        prev = row["entry_hash"]
        rows.append(row)
    if rows:
        session.execute(AuditEntry.__table__.insert(), rows)
        session.info[_TAIL] = (seq, prev)
        _advance_head(session, seq, prev)
    return len(rows)


_STAGING = "casework_audit_staging"
_STAGED = "casework.audit_staged"
_CHAIN_PAGE = 2000


def stage_created(session: Session, objects: list[Any], actor: Actor | None = None) -> int:
    """`append_created` for a long bulk insert (an import). On PostgreSQL the entries wait in a
    temporary table of this transaction and join the chain in `chain_staged`, at its end: the
    chain's lock is then held for that last step only, not while the whole file is read, so
    every other user's audited work (a case page, a save) goes on meanwhile. On SQLite the one
    writer holds the database anyway: the entries are chained at once."""
    if session.get_bind().dialect.name != "postgresql":
        return append_created(session, objects, actor)
    if not session.info.get(_STAGED):
        session.execute(
            text(
                f"CREATE TEMPORARY TABLE {_STAGING} (n bigserial PRIMARY KEY, "
                "occurred_at timestamptz NOT NULL, object_type text, object_id text, "
                "object_ref text, details text NOT NULL) ON COMMIT DROP"
            )
        )
        session.info[_STAGED] = True
    moment = now()
    rows = []
    for obj in objects:
        name = type(obj).__name__
        if name in _UNAUDITED:
            continue
        details = _owner(obj)
        details["fields"] = _created_fields(obj)
        status = _status_of(obj)
        if status is not None:
            details["status"] = status
        object_id = getattr(obj, "id", None)
        rows.append(
            {
                "occurred_at": moment,
                "object_type": name,
                "object_id": None if object_id is None else str(object_id),
                "object_ref": getattr(obj, "reference", None),
                "details": json.dumps(details, sort_keys=True, separators=(",", ":"), default=str),
            }
        )
    if rows:
        session.execute(
            text(
                f"INSERT INTO {_STAGING} (occurred_at, object_type, object_id, object_ref, "
                "details) VALUES (:occurred_at, :object_type, :object_id, :object_ref, :details)"
            ),
            rows,
        )
    return len(rows)


def chain_staged(session: Session, actor: Actor | None = None) -> int:
    """Chain the entries `stage_created` kept aside, in the order they were staged (a page at a
    time: memory stays flat however long the import). Returns how many were chained."""
    if not session.info.pop(_STAGED, False):
        return 0
    actor = actor or current_actor()
    seq, prev = _tail(session)  # takes the chain's lock, until this transaction ends
    key = audit_chain_key()
    chained, after = 0, 0
    while True:
        page = session.execute(
            text(
                f"SELECT n, occurred_at, object_type, object_id, object_ref, details "
                f"FROM {_STAGING} WHERE n > :after ORDER BY n LIMIT {_CHAIN_PAGE}"
            ),
            {"after": after},
        ).all()
        if not page:
            break
        rows = []
        for staged in page:
            seq += 1
            values: dict[str, Any] = {
                "seq": seq,
                "occurred_at": staged.occurred_at.astimezone(UTC),
                "actor_id": actor.id,
                "actor_label": actor.label,
                "agency_id": actor.agency_id,
                "action": str(AuditAction.CREATE),
                "object_type": staged.object_type,
                "object_id": staged.object_id,
                "object_ref": staged.object_ref,
                "details": staged.details,
                "remote_addr": actor.remote_addr,
                "prev_hash": prev,
            }
            values["entry_hash"] = prev = _digest(key, values)
            rows.append(values)
        session.execute(AuditEntry.__table__.insert(), rows)
        chained += len(rows)
        after = page[-1].n
    session.info[_TAIL] = (seq, prev)
    if chained:
        _advance_head(session, seq, prev)
    return chained


@dataclass(frozen=True)
class ChainProblem:
    """What is wrong at entry `seq`: `reason` in English (the console), `code` and `figures`
    (entry numbers only) for a page that says it in the reader's language."""

    seq: int
    reason: str
    code: str = ""
    figures: dict[str, int] = field(default_factory=dict)


def verify_chain(
    session: Session,
    key: bytes,
    anchor: tuple[int, bytes] | None = None,
    walked: Callable[[int], None] | None = None,
) -> tuple[int, list[ChainProblem]]:
    """Walk the whole chain; return how many entries were read and every problem found.

    Besides each entry's hash and link, the chain's end must be where the checkpoint row says
    it is (entries cut off the end leave a chain that is whole but short), and, when an
    `anchor` (seq, hash) kept apart from the database is given, that entry must still be there
    unchanged (this holds even against someone who could rewrite the checkpoint too).
    `walked(count)` is told every thousand entries how many were read (a job's progress).
    """
    problems: list[ChainProblem] = []
    expected_seq, prev_hash, count = 1, GENESIS, 0
    anchored: bytes | None = None
    rows = session.execute(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
    ).scalars()
    for entry in rows:
        count += 1
        if entry.seq != expected_seq:
            problems.append(
                ChainProblem(
                    entry.seq,
                    f"entries {expected_seq}–{entry.seq - 1} are missing (deleted)",
                    "entries-deleted",
                    {"first": expected_seq, "last": entry.seq - 1},
                )
            )
        if entry.prev_hash != prev_hash:
            problems.append(
                ChainProblem(
                    entry.seq, "does not follow the entry before it (chain broken)", "unlinked"
                )
            )
        if not hmac.compare_digest(entry_digest(key, entry), entry.entry_hash):
            problems.append(
                ChainProblem(entry.seq, "its content was changed after it was written", "changed")
            )
        if anchor is not None and entry.seq == anchor[0]:
            anchored = entry.entry_hash
        expected_seq, prev_hash = entry.seq + 1, entry.entry_hash
        if walked is not None and count % 1000 == 0:
            walked(count)
    last_seq = expected_seq - 1
    problems += _head_problems(session, last_seq, prev_hash)
    if anchor is not None:
        seq, digest = anchor
        if anchored is None:
            problems.append(
                ChainProblem(seq, "the anchored entry is missing (deleted)", "anchor-deleted")
            )
        elif not hmac.compare_digest(anchored, digest):
            problems.append(
                ChainProblem(seq, "differs from the anchor kept apart", "anchor-differs")
            )
    return count, problems


def _head_problems(session: Session, last_seq: int, last_hash: bytes) -> list[ChainProblem]:
    head = session.execute(
        select(AuditHead.seq, AuditHead.entry_hash).where(AuditHead.id == HEAD_ID)
    ).first()
    if head is None:
        if last_seq == 0:
            return []
        return [
            ChainProblem(
                last_seq, "the checkpoint of the chain's end is missing (deleted)", "no-checkpoint"
            )
        ]
    if head.seq > last_seq:
        return [
            ChainProblem(
                last_seq + 1,
                f"entries {last_seq + 1}–{head.seq} are missing: the trail was cut short "
                f"(the checkpoint records {head.seq} entries)",
                "cut-short",
                {"first": last_seq + 1, "last": head.seq},
            )
        ]
    if head.seq < last_seq:
        return [
            ChainProblem(
                head.seq, f"the checkpoint stops at entry {head.seq} (set back)", "set-back"
            )
        ]
    if not hmac.compare_digest(head.entry_hash, last_hash):
        return [
            ChainProblem(
                last_seq, "the last entry is not the one the checkpoint records", "not-the-end"
            )
        ]
    return []


def chain_head(session: Session) -> tuple[int, bytes]:
    """The chain's end as the checkpoint records it: (number of entries, last entry's hash)."""
    row = session.execute(
        select(AuditHead.seq, AuditHead.entry_hash).where(AuditHead.id == HEAD_ID)
    ).first()
    return (row.seq, row.entry_hash) if row else (0, GENESIS)
