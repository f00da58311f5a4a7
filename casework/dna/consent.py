"""Reference samples of relatives and the family's consent on them: search here, search with
which other countries, keep or destroy after the identification; a withdrawal takes the
profile out of every later search, and destruction deletes the genotypes (audited)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.accounts.models import User
from casework.audit.services import AuditAction, record
from casework.cases.fields import optional_text, parse_country
from casework.clock import now
from casework.custody.models import Sample, SampleKind
from casework.db import db, transaction
from casework.dna.models import DnaHit, DnaProfile, ReferenceConsent
from casework.errors import ValidationError
from casework.missing.models import MissingPerson, MissingPersonStatus, Relative


def _countries(value: str | None) -> str | None:
    text = (value or "").strip().upper()
    if not text:
        return None
    if text == "*":
        return "*"
    codes = [code for code in re.split(r"[;, ]+", text) if code]
    return ";".join(parse_country(code, "countries") or "" for code in codes)


def record_reference_sample(relative: Relative, user: User, data: dict[str, Any]) -> Sample:
    """A relative's reference sample, with the family's choices recorded at the same time
    (no reference sample is kept without them)."""
    with transaction():
        barcode = (data.get("barcode") or "").strip()
        if not barcode:
            raise ValidationError(_l("A sample needs its barcode."), field="barcode")
        if len(barcode) > 64:
            raise ValidationError(_l("A barcode has at most 64 characters."), field="barcode")
        if db.session.scalar(select(Sample.id).where(Sample.barcode == barcode)) is not None:
            raise ValidationError(
                _l("A sample with barcode %(barcode)s is already recorded.", barcode=barcode),
                field="barcode",
            )
        if relative.position is None:
            raise ValidationError(
                _l("Say first where this relative stands in the family (mother, brother...)."),
                field="barcode",
            )
        sample = Sample(
            barcode=barcode,
            kind=SampleKind.REFERENCE,
            relative_id=relative.id,
            lab=optional_text(data.get("lab"), "lab", 200),
            collected_at=now(),
        )
        db.session.add(sample)
        db.session.flush()
        _set_consent(sample, user, data)
    return sample


def _set_consent(sample: Sample, user: User, data: dict[str, Any]) -> ReferenceConsent:
    abroad = bool(data.get("search_abroad"))
    countries = _countries(data.get("countries"))
    if abroad and not countries:
        raise ValidationError(
            _l("Say with which countries the family agrees to search (or * for all)."),
            field="countries",
        )
    consent = db.session.scalar(
        select(ReferenceConsent).where(ReferenceConsent.sample_id == sample.id)
    )
    if consent is None:
        consent = ReferenceConsent(sample_id=sample.id)
        db.session.add(consent)
    elif consent.withdrawn_at is not None:
        raise ValidationError(
            _l(
                "The family withdrew its consent for this sample: a new consent needs a new "
                "reference sample."
            ),
            field="search_here",
        )
    consent.search_here = bool(data.get("search_here"))
    consent.search_abroad = abroad
    consent.countries = countries if abroad else None
    consent.keep_after_identification = bool(data.get("keep_after_identification"))
    consent.recorded_by_id, consent.recorded_at = user.id, now()
    return consent


def change_consent(sample: Sample, user: User, data: dict[str, Any]) -> ReferenceConsent:
    from casework.dna.search import search_after_save

    with transaction():
        consent = _set_consent(sample, user, data)
        if not consent.search_here:
            _forget_hits(sample)
        search_after_save(sample)
    return consent


def _forget_hits(sample: Sample) -> int:
    """DNA hits that rest on this reference sample are taken back."""
    hits = db.session.scalars(
        select(DnaHit).where(DnaHit.reference_barcodes.contains(sample.barcode))
    ).all()
    for hit in hits:
        if sample.barcode in hit.reference_barcodes.split(";"):
            db.session.delete(hit)
    return len(hits)


def withdraw_consent(sample: Sample, user: User, reason: str | None) -> ReferenceConsent:
    """The family withdraws: the profile is searched no more, its hits are taken back, and
    the withdrawal is recorded (who, when, why)."""
    from casework.dna.search import search_after_save

    with transaction():
        consent = db.session.scalar(
            select(ReferenceConsent).where(ReferenceConsent.sample_id == sample.id)
        )
        if consent is None:
            raise ValidationError(_l("No consent is recorded for this sample."), field="reason")
        if consent.withdrawn_at is not None:
            raise ValidationError(_l("The consent was already withdrawn."), field="reason")
        text = (reason or "").strip()
        if len(text) < 5:
            raise ValidationError(_l("Give the reason in a few words."), field="reason")
        consent.withdrawn_at, consent.withdrawn_by_id = now(), user.id
        consent.withdrawal_reason = text[:2000]
        forgotten = _forget_hits(sample)
        record(
            AuditAction.UPDATE,
            consent,
            event="consent withdrawn",
            sample=sample.barcode,
            hits_removed=forgotten,
        )
        search_after_save(sample)
    return consent


def consent_of(sample: Sample) -> ReferenceConsent | None:
    return db.session.scalar(
        select(ReferenceConsent).where(ReferenceConsent.sample_id == sample.id)
    )


def destroy_at_close(case: MissingPerson, user: User | None) -> int:
    """When a missing person's case closes (identified or closed), delete the genotypes of the
    reference samples whose family chose "destroy" (or withdrew); each deletion is audited.
    Called inside the closing transaction. Returns how many profiles were destroyed."""
    destroyed = 0
    samples = db.session.scalars(
        select(Sample)
        .join(Relative, Sample.relative_id == Relative.id)
        .where(Relative.missing_person_id == case.id)
    ).all()
    for sample in samples:
        consent = consent_of(sample)
        keep = consent is not None and consent.keep_after_identification
        if consent is not None and consent.withdrawn_at is not None:
            keep = False
        if keep:
            continue
        for profile in db.session.scalars(
            select(DnaProfile).where(
                DnaProfile.sample_id == sample.id, DnaProfile.destroyed_at.is_(None)
            )
        ):
            profile.genotypes = None
            profile.destroyed_at = now()
            record(
                AuditAction.DELETE,
                profile,
                event="genotypes destroyed",
                sample=sample.barcode,
                case=case.reference,
                by=str(user.id) if user else "system",
            )
            destroyed += 1
    return destroyed


_CLOSED = (
    MissingPersonStatus.IDENTIFIED,
    MissingPersonStatus.CLOSED,
    MissingPersonStatus.FOUND_ALIVE,
)


def destroy_after_close(case: Any, **_: Any) -> None:
    """Listens to `casework.cases.events.status_changed`, inside the change's transaction."""
    if isinstance(case, MissingPerson) and case.status in _CLOSED:
        destroy_at_close(case, None)
