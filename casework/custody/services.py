"""Recording samples and custody transfers; custody events are only ever added."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.accounts.models import User
from casework.cases.fields import optional_text
from casework.clock import now
from casework.custody.models import CustodyEvent, Sample, SampleKind
from casework.db import db, transaction
from casework.errors import ValidationError
from casework.remains.models import UnidentifiedRemains


def _utc(moment: datetime | None, field: str) -> datetime | None:
    if moment is None:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    if moment > now():
        raise ValidationError(_l("That time is in the future."), field=field)
    return moment


def record_sample(case: UnidentifiedRemains, data: dict[str, Any]) -> Sample:
    with transaction():
        barcode = (data.get("barcode") or "").strip()
        if not barcode:
            raise ValidationError(_l("A sample needs its barcode."), field="barcode")
        if db.session.scalar(select(Sample.id).where(Sample.barcode == barcode)) is not None:
            raise ValidationError(
                _l("A sample with barcode %(barcode)s is already recorded.", barcode=barcode),
                field="barcode",
            )
        try:
            kind = SampleKind(data.get("kind"))
        except ValueError:
            raise ValidationError(
                _l("Choose the kind of sample from the list."), field="kind"
            ) from None
        sample = Sample(
            barcode=barcode,
            kind=kind,
            remains_id=case.id,
            lab=optional_text(data.get("lab"), "lab", 200),
            collected_at=_utc(data.get("collected_at"), "collected_at"),
        )
        db.session.add(sample)
    return sample


def record_transfer(
    user: User,
    *,
    remains: UnidentifiedRemains | None = None,
    sample: Sample | None = None,
    data: dict[str, Any],
) -> CustodyEvent:
    """Append one link to the chain of custody of the remains or of one of their samples."""
    with transaction():
        if (remains is None) == (sample is None):
            raise ValidationError(
                _l("Choose what changes hands: the remains or one sample."), field="subject"
            )
        from_party = optional_text(data.get("from_party"), "from_party", 200)
        to_party = optional_text(data.get("to_party"), "to_party", 200)
        purpose = optional_text(data.get("purpose"), "purpose", 2000)
        if not from_party or not to_party:
            raise ValidationError(
                _l("Say who handed it over and who received it."), field="from_party"
            )
        if from_party == to_party:
            raise ValidationError(_l("The giver and the receiver are the same."), field="to_party")
        if not purpose:
            raise ValidationError(_l("Say why it changed hands."), field="purpose")
        occurred_at = _utc(data.get("occurred_at"), "occurred_at")
        if occurred_at is None:
            raise ValidationError(_l("Say when it changed hands."), field="occurred_at")
        event = CustodyEvent(
            remains_id=remains.id if remains else None,
            sample_id=sample.id if sample else None,
            from_party=from_party,
            to_party=to_party,
            occurred_at=occurred_at,
            purpose=purpose,
            recorded_by_id=user.id,
        )
        db.session.add(event)
    return event
