"""Names with a peer in exchange v2 (spec §6.2, §7.6): asking the peer to blind our cases' names
(name queries; our secret scalars kept encrypted until the answer, then destroyed), answering a
peer's queries within its budget, and keeping our names as each peer blinds them for the
cross-border search. Every query, ours and theirs, is audited."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casework.accounts.models import User
from casework.audit.services import append
from casework.clock import now
from casework.db import after_commit, db, transaction
from casework.exchanges.guard import DatabaseReplayGuard
from casework.exchanges.identity import require_identity, sender_secret
from casework.exchanges.models import (
    MessageKind,
    NameQueryDirection,
    NameQueryRecord,
    OutgoingMessage,
    OwnNameKeys,
    PeerAuthority,
)
from casework.exchanges.outbox import Answering, new_message_id, post
from casework.exchanges.trust import get_peer
from casework.matches.services import open_missing, open_remains
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains
from exchange import (
    DEFAULT_QUERY_LIMITS,
    EnvelopeHeader,
    ErrorCode,
    ExchangeError,
    NameAnswer,
    NameQuery,
    PendingQuery,
    QueryLimits,
    Received,
    answer_elements,
    commit_import,
    name_keys,
    prepare_query,
    seal_name_answer,
    seal_name_query,
    unblind_answer,
)
from exchange.namekeys import TokenKeys
from exchange.wire import b64url_decode, b64url_encode

log = logging.getLogger(__name__)


def case_ref(case: MissingPerson | UnidentifiedRemains) -> str:
    kind = "missing" if isinstance(case, MissingPerson) else "remains"
    return f"{kind}:{case.id}"


def case_name(case: MissingPerson | UnidentifiedRemains) -> list[str]:
    """The name compared across borders: the reported name, or the first document name."""
    if isinstance(case, MissingPerson):
        return [part for part in (case.given_names, case.surnames) if part]
    return [case.document_names[0]] if case.document_names else []


def query_limits() -> QueryLimits:
    """What we answer a peer: the caps of the spec, the budget from the settings."""
    budget = int(current_app.config.get("EXCHANGE_NAME_QUERY_BUDGET", DEFAULT_QUERY_LIMITS.budget))
    return QueryLimits(budget=min(budget, DEFAULT_QUERY_LIMITS.budget))  # the spec's ceiling


def _digest(keys: tuple[TokenKeys, ...]) -> str:
    """Keyed, so the stored digest cannot be tested against a list of names."""
    text = json.dumps([list(token.keys()) for token in keys])
    return hmac.new(
        sender_secret(), b"own-name-keys\x00" + text.encode(), hashlib.sha256
    ).hexdigest()


def ask_names(peer: PeerAuthority, user: User | None = None) -> list[OutgoingMessage]:
    """Queue name queries to `peer` for our open cases whose names it has not blinded for us
    yet, or whose names changed since; at most the spec's cap of entries per message."""
    with transaction():
        require_identity()  # refused before any work when we have no identity yet
        known = {
            row.case_ref: row
            for row in db.session.scalars(select(OwnNameKeys).where(OwnNameKeys.peer_id == peer.id))
        }
        todo: list[tuple[str, list[str], str]] = []
        cases: list[MissingPerson | UnidentifiedRemains] = [*open_missing(), *open_remains()]
        for case in cases:
            parts = case_name(case)
            keys = name_keys(parts)
            if not keys:
                continue
            digest = _digest(keys)
            row = known.get(case_ref(case))
            if row is not None and row.names_digest == digest:
                continue  # answered, or asked and awaiting the answer
            todo.append((case_ref(case), parts, digest))
        messages = []
        size = DEFAULT_QUERY_LIMITS.max_entries
        for start in range(0, len(todo), size):
            chunk = todo[start : start + size]
            pending = prepare_query([parts for _, parts, _ in chunk])
            query = NameQuery(new_message_id(), tuple(map(tuple, pending.elements())))
            elements = sum(len(row) for row in query.entries)
            message = post(
                peer,
                MessageKind.NAME_QUERY,
                seal_name_query,
                query,
                record_count=len(chunk),
                user=user,
                event="name query sent",
                audit={"query_id": query.query_id, "entries": len(chunk), "elements": elements},
            )
            stored = NameQueryRecord(
                direction=NameQueryDirection.OUTGOING,
                peer_id=peer.id,
                query_id=query.query_id,
                entries=len(chunk),
                elements=elements,
            )
            stored.pending = json.dumps(
                {
                    "cases": [ref for ref, _, _ in chunk],
                    "scalars": [b64url_encode(scalar) for scalar in pending.scalars],
                    "keys": [[list(token.keys()) for token in entry] for entry in pending.entries],
                }
            )
            db.session.add(stored)
            for ref, _, digest in chunk:
                row = known.get(ref)
                if row is None:
                    row = OwnNameKeys(peer_id=peer.id, case_ref=ref, names_digest=digest)
                    db.session.add(row)
                    known[ref] = row
                row.names_digest = digest
                row.elements = None
                row.updated_at = now()
            messages.append(message)
        return messages


def _spent(peer: PeerAuthority, limits: QueryLimits) -> int:
    since = now() - timedelta(hours=limits.window_hours)
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(NameQueryRecord.elements), 0)).where(
                NameQueryRecord.peer_id == peer.id,
                NameQueryRecord.direction == NameQueryDirection.INCOMING,
                NameQueryRecord.created_at >= since,
            )
        )
        or 0
    )


def answer_query(
    received: Received[NameQuery], guard: DatabaseReplayGuard
) -> tuple[EnvelopeHeader, bool]:
    """In the caller's transaction: answer a peer's name query within its budget (else the
    library's ``query-limit`` refusal, which the inbox audits), keep the answer and audit both."""
    header = received.header
    if not received.is_new or received.content is None:
        return header, False
    query = received.content
    peer = get_peer(header.sender_id)
    limits = query_limits()
    spent = _spent(peer, limits)
    rows = answer_elements(
        query.entries,
        sender_secret=sender_secret(),
        querier_id=peer.authority_id,
        spent=spent,
        limits=limits,
    )
    elements = sum(len(row) for row in rows)
    db.session.add(
        NameQueryRecord(
            direction=NameQueryDirection.INCOMING,
            peer_id=peer.id,
            query_id=query.query_id,
            entries=len(rows),
            elements=elements,
            answered_at=now(),
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        raise ExchangeError(
            ErrorCode.ID_REUSED, f"Name query {query.query_id} was answered already."
        ) from None
    post(
        peer,
        MessageKind.NAME_ANSWER,
        seal_name_answer,
        NameAnswer(query.query_id, tuple(map(tuple, rows))),
        record_count=len(rows),
        event="name query answered",
        audit={
            "entries": len(rows),
            "elements": elements,
            "spent_before": spent,
            "budget": limits.budget,
        },
        answering=Answering(received, guard, "NameQuery", query.query_id),
    )
    return header, True


def receive_answer(
    received: Received[NameAnswer], guard: DatabaseReplayGuard
) -> tuple[EnvelopeHeader, bool]:
    """In the caller's transaction: unblind a peer's answer to our query, keep our names as the
    peer blinds them and destroy the query's scalars (the caller searches that peer's records
    again)."""
    header = received.header
    if not received.is_new or received.content is None:
        return header, False
    answer = received.content
    peer = get_peer(header.sender_id)
    query = db.session.scalar(
        select(NameQueryRecord).where(
            NameQueryRecord.direction == NameQueryDirection.OUTGOING,
            NameQueryRecord.peer_id == peer.id,
            NameQueryRecord.query_id == answer.query_id,
        )
    )
    if query is None or query.pending is None:
        raise ExchangeError(
            ErrorCode.SCHEMA_VIOLATION,
            f"The answer refers to no pending name query of ours ({answer.query_id}).",
        )
    pending = json.loads(query.pending)
    unblinded = unblind_answer(
        PendingQuery(
            entries=tuple(tuple(TokenKeys(*token) for token in entry) for entry in pending["keys"]),
            scalars=tuple(b64url_decode(s, what="scalar") for s in pending["scalars"]),
        ),
        answer.entries,
    )
    rows = {
        row.case_ref: row
        for row in db.session.scalars(select(OwnNameKeys).where(OwnNameKeys.peer_id == peer.id))
    }
    for ref, elements in zip(pending["cases"], unblinded, strict=True):
        row = rows.get(ref)
        if row is not None:
            row.elements = json.dumps([b64url_encode(element) for element in elements])
            row.updated_at = now()
    query.answered_at = now()
    query.pending = None  # the scalars are no longer needed: nothing can be unblinded again
    commit_import(received, guard)
    append(
        db.session,
        "import",
        object_type="NameQuery",
        object_id=answer.query_id,
        details={"event": "name answer received", "sender": peer.authority_id},
    )
    return header, True


def own_elements(peer: PeerAuthority) -> dict[str, list[bytes]]:
    """Our cases' names as this peer blinded them: case ref -> elements (3 per token)."""
    found: dict[str, list[bytes]] = {}
    for row in db.session.scalars(select(OwnNameKeys).where(OwnNameKeys.peer_id == peer.id)):
        if row.elements:
            found[row.case_ref] = [
                b64url_decode(item, what="element") for item in json.loads(row.elements)
            ]
    return found


def ask_names_later(sender_id: str) -> None:
    """Inside a v2 bundle's import: once it has committed, ask the sender about our names."""

    def ask() -> Any:
        return ask_names(get_peer(sender_id))

    after_commit(ask, f"name queries to {sender_id}")
