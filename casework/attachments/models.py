"""An attached photo or document: its bytes and caption encrypted in the database row.

Why the database and not files: a file's bytes then commit or roll back with the row that
describes them (a refused upload leaves nothing behind, a deleted case takes its photos along),
they are backed up with everything else, key rotation re-encrypts them with the other cells, and
the AES-GCM associated data binds them to `attachment.content_ct.<row id>` like every other
encrypted column. At our sizes (ATTACHMENT_MAX_BYTES, 10 MiB by default) a BLOB/bytea is fine.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from casework.crypto import key_version
from casework.db import Base, RowId, UtcDateTime, str_enum, utcnow
from casework.keystore import current_keyring
from casework.personal_data import Encrypted


class AttachmentKind(enum.StrEnum):
    EFFECT_PHOTO = "effect_photo"
    TATTOO_PHOTO = "tattoo_photo"
    DOCUMENT = "document"


class MediaType(enum.StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    PDF = "application/pdf"


EXTENSIONS = {
    MediaType.JPEG: "jpg",
    MediaType.PNG: "png",
    MediaType.WEBP: "webp",
    MediaType.PDF: "pdf",
}


class EncryptedBytes(Encrypted):
    """Descriptor: raw bytes in Python, AES-GCM ciphertext in the column (no text decoding)."""

    def __get__(self, obj: Any, owner: type[Any] | None = None) -> Any:
        if obj is None:
            return self
        blob = getattr(obj, self.column)
        if blob is None:
            return None
        ring = current_keyring(need_version=key_version(blob))
        return ring.decrypt(blob, self._context(obj))

    def __set__(self, obj: Any, value: Any) -> None:
        if obj.id is None:
            obj.id = uuid.uuid4()
        blob = None if not value else current_keyring().encrypt(bytes(value), self._context(obj))
        setattr(obj, self.column, blob)


class Attachment(RowId, Base):
    """A photo (effects, tattoos) or document of a remains case, perhaps of a repatriation step."""

    __tablename__ = "attachment"

    remains_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("unidentified_remains.id", ondelete="CASCADE"), index=True
    )
    repatriation_step_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("repatriation_step.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AttachmentKind] = mapped_column(str_enum(AttachmentKind))
    media_type: Mapped[MediaType] = mapped_column(str_enum(MediaType, 40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content_ct: Mapped[bytes] = mapped_column(LargeBinary)
    caption_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    content = EncryptedBytes("content_ct")
    caption = Encrypted("caption_ct")

    @property
    def is_image(self) -> bool:
        return self.media_type is not MediaType.PDF

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.media_type]
