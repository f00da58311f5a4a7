"""Accepting an upload (type by content, size, metadata stripped) and handing it out, audited."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from casework.accounts.models import User
from casework.attachments.models import Attachment, AttachmentKind, MediaType
from casework.audit.services import AuditAction, record
from casework.cases.fields import optional_text
from casework.clock import now
from casework.db import db, transaction
from casework.errors import ValidationError, readable_size
from casework.remains.models import UnidentifiedRemains

MAX_PIXELS = 40_000_000  # a 40-megapixel photo; anything larger is refused, not decoded
_PILLOW_FORMATS = {MediaType.JPEG: "JPEG", MediaType.PNG: "PNG", MediaType.WEBP: "WEBP"}


@dataclass(frozen=True)
class CleanFile:
    media_type: MediaType
    content: bytes


def sniff(content: bytes) -> MediaType | None:
    """The type of a file from its first bytes (never its name).

    Example:
        >>> sniff(b"%PDF-1.7 ...")
        <MediaType.PDF: 'application/pdf'>
    """
    if content.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return MediaType.WEBP
    if content.startswith(b"%PDF-"):
        return MediaType.PDF
    return None


def reencode_image(content: bytes, media_type: MediaType) -> bytes:
    """Decode and encode again with no metadata at all (EXIF with GPS, XMP, ICC, comments),
    the EXIF orientation applied to the pixels first so the photo still stands upright."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise ValidationError(
                        _l("The image has too many pixels: send one of at most 40 megapixels."),
                        field="file",
                    )
                opened.load()
                upright = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):  # fmt: skip
        raise ValidationError(
            _l("The image could not be read: it is damaged or not really a JPEG, PNG or WebP."),
            field="file",
        ) from None
    if upright.mode in ("P", "PA", "LA"):  # a palette would not survive the copy below
        upright = upright.convert("RGBA")
    # a fresh image holds only pixels: nothing of the original's info dict travels along
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    if media_type is MediaType.JPEG and clean.mode not in ("RGB", "L", "CMYK"):
        clean = clean.convert("RGB")
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": 90} if media_type is not MediaType.PNG else {}
    clean.save(out, format=_PILLOW_FORMATS[media_type], **options)
    return out.getvalue()


def check_file(content: bytes, kind: AttachmentKind) -> CleanFile:
    """The file as it will be stored, or a ValidationError saying what is wrong with it."""
    limit = int(current_app.config["ATTACHMENT_MAX_BYTES"])
    if not content:
        raise ValidationError(_l("Choose a file to upload: this one is empty."), field="file")
    if len(content) > limit:
        raise ValidationError(
            _l(
                "The file is too large: files up to %(size)s are accepted.",
                size=readable_size(limit),
            ),
            field="file",
        )
    media_type = sniff(content)
    if media_type is None:
        raise ValidationError(
            _l("This type of file is not accepted: send a JPEG, PNG or WebP photo, or a PDF."),
            field="file",
        )
    if media_type is MediaType.PDF:
        if kind is not AttachmentKind.DOCUMENT:
            raise ValidationError(_l("A photo must be a JPEG, PNG or WebP image."), field="file")
        if b"%%EOF" not in content[-1024:]:
            raise ValidationError(_l("The PDF is incomplete or damaged."), field="file")
        return CleanFile(media_type, content)
    return CleanFile(media_type, reencode_image(content, media_type))


def build_attachment(
    user: User,
    remains: UnidentifiedRemains,
    kind: str,
    content: bytes,
    caption: str | None,
    step_id: Any = None,
) -> Attachment:
    """A checked attachment added to the session; the caller commits (or rolls back)."""
    try:
        chosen = AttachmentKind(kind)
    except ValueError:
        raise ValidationError(
            _l("Choose what the file shows from the list."), field="kind"
        ) from None
    clean = check_file(content, chosen)
    attachment = Attachment(
        remains_id=remains.id,
        repatriation_step_id=step_id,
        kind=chosen,
        media_type=clean.media_type,
        size_bytes=len(clean.content),
        uploaded_by_id=user.id,
        uploaded_at=now(),
    )
    attachment.content = clean.content
    attachment.caption = optional_text(caption, "caption", 500)
    db.session.add(attachment)
    return attachment


def attach(
    user: User, remains: UnidentifiedRemains, kind: str, content: bytes, caption: str | None
) -> Attachment:
    """Store a photo or document on a remains case; nothing is stored if anything is wrong."""
    with transaction():
        attachment = build_attachment(user, remains, kind, content, caption)
    return attachment


def open_attachment(attachment: Attachment, remains: UnidentifiedRemains, download: bool) -> bytes:
    """The decrypted bytes, with an audit entry for this look at them committed first."""
    with transaction():
        record(
            AuditAction.EXPORT if download else AuditAction.VIEW,
            attachment,
            remains=remains.reference,
            kind=attachment.kind.value,
            download=download,
        )
    return attachment.content  # type: ignore[no-any-return]


def attachments_of(remains: UnidentifiedRemains, step_ids: list[Any] | None = None) -> list[Any]:
    """The attachments of a case (or of some of its repatriation steps), oldest first."""
    from sqlalchemy import select

    query = select(Attachment).where(Attachment.remains_id == remains.id)
    if step_ids is not None:
        query = query.where(Attachment.repatriation_step_id.in_(step_ids))
    return list(db.session.scalars(query.order_by(Attachment.uploaded_at, Attachment.id)))
