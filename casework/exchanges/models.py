"""What the exchange with other authorities keeps: our identity, the trust list, messages sent
and received, foreign records, cross-border hits and disclosure requests."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

if TYPE_CHECKING:
    from casework.missing.models import MissingPerson

from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow
from casework.personal_data import Encrypted


class MessageKind(enum.StrEnum):
    """What an envelope carries (the wire names of `exchange.MessageKind`)."""

    BUNDLE = "bundle"
    DISCLOSURE_REQUEST = "disclosure-request"
    DISCLOSURE_DECISION = "disclosure-decision"
    DISCLOSURE_RESPONSE = "disclosure-response"
    SEQUENCE_RESET = "sequence-reset"
    NAME_QUERY = "name-query"
    NAME_ANSWER = "name-answer"
    DNA_SEARCH = "dna-search"
    DNA_ANSWER = "dna-answer"


class RecordKind(enum.StrEnum):
    MISSING_PERSON = "missing-person"
    REMAINS = "remains"


class DisclosureDirection(enum.StrEnum):
    OUTGOING = "outgoing"  # we ask a peer about one of its records
    INCOMING = "incoming"  # a peer asks us about one of ours


class DisclosureStatus(enum.StrEnum):
    AWAITING_DECISION = "awaiting_decision"
    APPROVED = "approved"
    REFUSED = "refused"
    ANSWERED = "answered"


class AuthorityIdentity(RowId, Base):
    """This installation as an authority: its id and long-term keys (private seeds encrypted)."""

    __tablename__ = "authority_identity"

    authority_id: Mapped[str] = mapped_column(String(64), unique=True)
    country: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(200))
    public_keys: Mapped[str] = mapped_column(Text)  # JSON, spec §3.1
    fingerprint: Mapped[str] = mapped_column(String(64))
    seeds_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    seeds = Encrypted("seeds_ct")  # JSON of base64url seeds


class PeerAuthority(RowId, Base):
    """One entry of the trust list: a peer whose keys were compared out of band."""

    __tablename__ = "peer_authority"

    authority_id: Mapped[str] = mapped_column(String(64), unique=True)
    country: Mapped[str] = mapped_column(String(3), index=True)
    name: Mapped[str] = mapped_column(String(200))
    public_keys: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime())
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    inbox_url: Mapped[str | None] = mapped_column(String(500))
    linkage_secret_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    linkage_secret = Encrypted("linkage_secret_ct")  # hex, agreed with this peer

    def __str__(self) -> str:
        return f"{self.name} ({self.authority_id}, {self.country})"


class OutgoingMessage(RowId, Base):
    """A message we sealed for a peer: kept for download and push, and for its sequence."""

    __tablename__ = "outgoing_message"
    __table_args__ = (UniqueConstraint("peer_id", "kind", "sequence"),)

    peer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("peer_authority.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, 24))
    message_id: Mapped[str] = mapped_column(String(36), unique=True)
    sequence: Mapped[int] = mapped_column(BigInteger)  # up to 2^53 - 1 (spec §2)
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    pushed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    peer: Mapped[PeerAuthority] = relationship()


class ExportedRecord(RowId, Base):
    """Which local case a pseudonym sent to a peer stands for, to answer disclosure requests."""

    __tablename__ = "exported_record"
    __table_args__ = (UniqueConstraint("peer_id", "pseudonym"),)

    peer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("peer_authority.id", ondelete="RESTRICT"))
    pseudonym: Mapped[str] = mapped_column(String(43))
    record_kind: Mapped[RecordKind] = mapped_column(str_enum(RecordKind, 16))
    missing_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("missing_person.id", ondelete="CASCADE"), index=True
    )
    remains_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="CASCADE"), index=True
    )
    first_sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # when a bundle told the peer to delete its copy (case closed, consent withdrawn)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ImportedMessage(Base):
    """The replay state of imports: one receipt per message accepted from a peer (spec §5.5)."""

    __tablename__ = "imported_message"
    __table_args__ = (UniqueConstraint("sender_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, 24))
    message_id: Mapped[str] = mapped_column(String(36))
    sequence: Mapped[int] = mapped_column(BigInteger)  # up to 2^53 - 1 (spec §2)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # which keys signed it (hex fingerprint), and the reset epoch of (sender, kind) it counts in
    signer_fingerprint: Mapped[str | None] = mapped_column(String(64))
    epoch: Mapped[int] = mapped_column(Integer, default=0)


class SequenceReset(Base):
    """A peer's accepted sequence reset (spec §5.6): sequences of `kind` from `sender_id` count
    afresh from `continue_after` in the new `epoch`; once per kind and set of signing keys."""

    __tablename__ = "sequence_reset"
    __table_args__ = (
        UniqueConstraint("sender_id", "kind", "epoch"),
        UniqueConstraint("sender_id", "kind", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, 24))
    epoch: Mapped[int] = mapped_column(Integer)
    continue_after: Mapped[int] = mapped_column(BigInteger)
    fingerprint: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(36))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ForeignRecord(RowId, Base):
    """An anonymised record received from a peer, read-only; a later bundle replaces it."""

    __tablename__ = "foreign_record"
    __table_args__ = (UniqueConstraint("peer_id", "pseudonym"),)

    peer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("peer_authority.id", ondelete="RESTRICT"), index=True
    )
    pseudonym: Mapped[str] = mapped_column(String(43))
    record_kind: Mapped[RecordKind] = mapped_column(str_enum(RecordKind, 16))
    bundle_id: Mapped[str] = mapped_column(String(36))
    content: Mapped[str] = mapped_column(Text)  # the record's JSON, spec §7.2
    # 1: names as Bloom filters (read during the transition, flagged), 2: blinded name keys
    format_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    coarsening: Mapped[str | None] = mapped_column(String(200))  # v2: the bundle's offsets, JSON
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    peer: Mapped[PeerAuthority] = relationship()


class NameQueryDirection(enum.StrEnum):
    OUTGOING = "outgoing"  # we asked a peer to blind our names
    INCOMING = "incoming"  # a peer asked us (counted against its budget)


class NameQueryRecord(RowId, Base):
    """A name query (spec §7.6), ours with its secret blinding scalars until answered, or a
    peer's with the number of elements we answered (its budget)."""

    __tablename__ = "name_query"
    __table_args__ = (UniqueConstraint("direction", "peer_id", "query_id"),)

    direction: Mapped[NameQueryDirection] = mapped_column(str_enum(NameQueryDirection, 16))
    peer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("peer_authority.id", ondelete="RESTRICT"), index=True
    )
    query_id: Mapped[str] = mapped_column(String(36))
    entries: Mapped[int] = mapped_column(Integer)
    elements: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # JSON {"cases": ["missing:<id>", ...], "scalars": [...], "keys": [[[f, p, s], ...], ...]}
    pending_ct: Mapped[bytes | None] = mapped_column(LargeBinary)

    pending = Encrypted("pending_ct")


class IncomingDnaSearch(RowId, Base):
    """A peer's DNA search we answered (spec §7.7): how many families it ran against our
    remains, the peer's daily budget (`EXCHANGE_DNA_SEARCH_BUDGET`) counts them."""

    __tablename__ = "incoming_dna_search"
    __table_args__ = (UniqueConstraint("peer_id", "search_id"),)

    peer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("peer_authority.id", ondelete="RESTRICT"), index=True
    )
    search_id: Mapped[str] = mapped_column(String(36))
    families: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class OwnNameKeys(RowId, Base):
    """One of our cases' names as blinded by one peer (unblinded from its answer): comparable
    with that peer's shared names. Current while `names_digest` matches the case's names."""

    __tablename__ = "own_name_keys"
    __table_args__ = (UniqueConstraint("peer_id", "case_ref"),)

    peer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("peer_authority.id", ondelete="CASCADE"), index=True
    )
    case_ref: Mapped[str] = mapped_column(String(64))  # "missing:<uuid>" or "remains:<uuid>"
    names_digest: Mapped[str] = mapped_column(String(64))  # keyed, so no dictionary test
    elements_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    elements = Encrypted("elements_ct")  # JSON list of base64url elements, 3 per token


class CrossBorderHit(RowId, Base):
    """A foreign record the engine finds likely to be the same person as one of our cases."""

    __tablename__ = "cross_border_hit"
    __table_args__ = (UniqueConstraint("foreign_record_id", "missing_person_id", "remains_id"),)

    foreign_record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("foreign_record.id", ondelete="CASCADE"), index=True
    )
    missing_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("missing_person.id", ondelete="CASCADE"), index=True
    )
    remains_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    review: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    # JSON list of {criterion, weight, text}; the texts may quote our own cases' data
    evidence = Encrypted("evidence_ct")

    foreign_record: Mapped[ForeignRecord] = relationship()


class Disclosure(RowId, Base):
    """A disclosure request, ours or a peer's, with its decision and (for ours) the answer."""

    __tablename__ = "disclosure"
    __table_args__ = (UniqueConstraint("direction", "request_id"),)

    direction: Mapped[DisclosureDirection] = mapped_column(str_enum(DisclosureDirection, 16))
    request_id: Mapped[str] = mapped_column(String(36))
    peer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("peer_authority.id", ondelete="RESTRICT"), index=True
    )
    pseudonym: Mapped[str] = mapped_column(String(43))
    record_kind: Mapped[RecordKind] = mapped_column(str_enum(RecordKind, 16))
    purpose: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str] = mapped_column(Text)
    requested_fields: Mapped[str] = mapped_column(String(400))  # sorted, ";"-separated
    requested_by: Mapped[str] = mapped_column(String(420))  # "name (role)"
    status: Mapped[DisclosureStatus] = mapped_column(
        str_enum(DisclosureStatus), default=DisclosureStatus.AWAITING_DECISION, index=True
    )
    hit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cross_border_hit.id", ondelete="SET NULL")
    )
    missing_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("missing_person.id", ondelete="SET NULL")
    )
    remains_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="SET NULL")
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    approved_fields: Mapped[str | None] = mapped_column(String(400))
    decided_by: Mapped[str | None] = mapped_column(String(420))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    disclosed_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    disclosed = Encrypted("disclosed_ct")  # JSON of the released fields (requester side)

    peer: Mapped[PeerAuthority] = relationship()

    @property
    def requested_field_list(self) -> list[str]:
        return [name for name in self.requested_fields.split(";") if name]

    @property
    def approved_field_list(self) -> list[str]:
        return [name for name in (self.approved_fields or "").split(";") if name]


class DnaSearchStatus(enum.StrEnum):
    PENDING = "pending"  # sent, no answer yet
    HIT = "hit"
    NO_HIT = "no_hit"


class DnaSearchResult(RowId, Base):
    """One of our families in a cross-border DNA search we sent a peer (spec §7.7), and what
    the peer answered: hit (with the LR and the remains' pseudonym, for a disclosure request)
    or no hit. Neither genotypes nor names are kept here."""

    __tablename__ = "dna_search_result"
    __table_args__ = (UniqueConstraint("peer_id", "search_id", "pseudonym"),)

    peer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("peer_authority.id", ondelete="RESTRICT"), index=True
    )
    search_id: Mapped[str] = mapped_column(String(36))
    position: Mapped[int] = mapped_column(Integer)  # the family's place in the search
    pseudonym: Mapped[str] = mapped_column(String(43))
    missing_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("missing_person.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[DnaSearchStatus] = mapped_column(
        str_enum(DnaSearchStatus, 16), default=DnaSearchStatus.PENDING
    )
    log10_lr: Mapped[float | None] = mapped_column(Float)
    remains_pseudonym: Mapped[str | None] = mapped_column(String(43))
    # a hit the peer's lineage markers exclude: "mtdna", "ystr" or "mtdna;ystr" (spec §7.7)
    lineage_exclusion: Mapped[str | None] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    peer: Mapped[PeerAuthority] = relationship()
    missing_person: Mapped[MissingPerson] = relationship()
