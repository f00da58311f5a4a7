"""What pages read of attachments: one a user may see, with its case."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from casework.accounts.models import User
from casework.attachments.models import Attachment
from casework.db import db
from casework.remains.access import remains_visible_to
from casework.remains.models import UnidentifiedRemains


def visible_attachment(
    user: User, attachment_id: uuid.UUID
) -> tuple[Attachment, UnidentifiedRemains] | None:
    """The attachment and its remains case, if `user` may see the case."""
    found = db.session.execute(
        select(Attachment, UnidentifiedRemains)
        .join(UnidentifiedRemains, Attachment.remains_id == UnidentifiedRemains.id)
        .where(Attachment.id == attachment_id, remains_visible_to(user))
    ).first()
    return (found[0], found[1]) if found else None


__all__ = ["visible_attachment"]
