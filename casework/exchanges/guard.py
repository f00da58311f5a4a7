"""The replay and ordering state of imports in the database: `exchange.ReplayGuard` over the
`imported_message` and `sequence_reset` tables, recorded in the transaction that stores the
content."""

from __future__ import annotations

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from casework.db import db
from casework.exchanges.models import ImportedMessage, SequenceReset
from casework.exchanges.models import MessageKind as StoredKind
from exchange import ErrorCode, FreshnessError, ImportReceipt, MessageKind


class DatabaseReplayGuard:
    """Receipts of accepted messages; the unique (sender, message id) key settles races, and
    the unique (sender, kind, epoch) key of resets settles concurrent resets."""

    def imported_digest(self, sender_id: str, message_id: str) -> bytes | None:
        return db.session.scalar(
            select(ImportedMessage.digest).where(
                ImportedMessage.sender_id == sender_id, ImportedMessage.message_id == message_id
            )
        )

    def _reset(self, sender_id: str, kind: MessageKind) -> SequenceReset | None:
        return db.session.scalar(
            select(SequenceReset)
            .where(SequenceReset.sender_id == sender_id, SequenceReset.kind == StoredKind(kind))
            .order_by(SequenceReset.epoch.desc())
            .limit(1)
        )

    def last_sequence(self, sender_id: str, kind: MessageKind) -> int | None:
        reset = self._reset(sender_id, kind)
        epoch = 0 if reset is None else reset.epoch
        last = db.session.scalar(
            select(func.max(ImportedMessage.sequence)).where(
                ImportedMessage.sender_id == sender_id,
                ImportedMessage.kind == StoredKind(kind.value),
                ImportedMessage.epoch == epoch,
            )
        )
        if reset is None:
            return last
        return max(reset.continue_after, last or 0)

    def key_used(self, sender_id: str, kind: MessageKind, fingerprint: bytes) -> bool:
        stored = StoredKind(kind.value)
        return bool(
            db.session.scalar(
                select(
                    or_(
                        exists().where(
                            ImportedMessage.sender_id == sender_id,
                            ImportedMessage.kind == stored,
                            ImportedMessage.signer_fingerprint == fingerprint.hex(),
                        ),
                        exists().where(
                            SequenceReset.sender_id == sender_id,
                            SequenceReset.kind == stored,
                            SequenceReset.fingerprint == fingerprint.hex(),
                        ),
                    )
                )
            )
        )

    def _add_receipt(self, receipt: ImportReceipt, epoch: int) -> None:
        db.session.add(
            ImportedMessage(
                sender_id=receipt.sender_id,
                kind=StoredKind(receipt.kind.value),
                message_id=receipt.message_id,
                sequence=receipt.sequence,
                digest=receipt.digest,
                signer_fingerprint=receipt.signer_fingerprint.hex() or None,
                epoch=epoch,
            )
        )

    def _flush(self, receipt: ImportReceipt, code: ErrorCode) -> None:
        try:
            db.session.flush()  # a concurrent import of the same message fails here
        except IntegrityError:
            raise FreshnessError(
                code, f"Message {receipt.message_id} was recorded by a concurrent import."
            ) from None

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
        reset = self._reset(receipt.sender_id, receipt.kind)
        self._add_receipt(receipt, 0 if reset is None else reset.epoch)
        self._flush(receipt, ErrorCode.ALREADY_IMPORTED)

    def record_reset(self, receipt: ImportReceipt, kind: MessageKind, continue_after: int) -> None:
        if self.imported_digest(receipt.sender_id, receipt.message_id) is not None:
            raise FreshnessError(
                ErrorCode.ALREADY_IMPORTED, f"Message {receipt.message_id} was already imported."
            )
        if self.key_used(receipt.sender_id, kind, receipt.signer_fingerprint):
            raise FreshnessError(
                ErrorCode.RESET_REFUSED,
                "A sequence reset is accepted only under keys that have not yet sent this kind.",
            )
        previous = self._reset(receipt.sender_id, kind)
        self._add_receipt(receipt, 0)
        db.session.add(
            SequenceReset(
                sender_id=receipt.sender_id,
                kind=StoredKind(kind.value),
                epoch=1 if previous is None else previous.epoch + 1,
                continue_after=continue_after,
                fingerprint=receipt.signer_fingerprint.hex(),
                message_id=receipt.message_id,
            )
        )
        self._flush(receipt, ErrorCode.RESET_REFUSED)
