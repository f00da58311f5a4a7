"""The replay and ordering state of imports in the database: `exchange.ReplayGuard` over the
`imported_message` table, recorded in the transaction that stores the content."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casework.db import db
from casework.exchanges.models import ImportedMessage
from casework.exchanges.models import MessageKind as StoredKind
from exchange import ErrorCode, FreshnessError, ImportReceipt, MessageKind


class DatabaseReplayGuard:
    """Receipts of accepted messages; the unique (sender, message id) key settles races."""

    def imported_digest(self, sender_id: str, message_id: str) -> bytes | None:
        return db.session.scalar(
            select(ImportedMessage.digest).where(
                ImportedMessage.sender_id == sender_id, ImportedMessage.message_id == message_id
            )
        )

    def last_sequence(self, sender_id: str, kind: MessageKind) -> int | None:
        return db.session.scalar(
            select(func.max(ImportedMessage.sequence)).where(
                ImportedMessage.sender_id == sender_id,
                ImportedMessage.kind == StoredKind(kind.value),
            )
        )

    def record_import(self, receipt: ImportReceipt) -> None:
        if self.imported_digest(receipt.sender_id, receipt.message_id) is not None:
            raise FreshnessError(
                ErrorCode.ALREADY_IMPORTED, f"Message {receipt.message_id} was already imported."
            )
        last = self.last_sequence(receipt.sender_id, receipt.kind)
        if last is not None and receipt.sequence <= last:
            raise FreshnessError(
                ErrorCode.OUT_OF_ORDER,
                f"Sequence {receipt.sequence} is not above the last accepted, {last}.",
            )
        db.session.add(
            ImportedMessage(
                sender_id=receipt.sender_id,
                kind=StoredKind(receipt.kind.value),
                message_id=receipt.message_id,
                sequence=receipt.sequence,
                digest=receipt.digest,
            )
        )
        try:
            db.session.flush()  # a concurrent import of the same message fails here
        except IntegrityError:
            raise FreshnessError(
                ErrorCode.ALREADY_IMPORTED, f"Message {receipt.message_id} was already imported."
            ) from None
