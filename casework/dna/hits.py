"""Reading DNA hits for people: the hit of a candidate pair, its words (LR, posterior with
its prior, relatives used), the per-locus table for analysts (audited), and the analyst's
override of a lineage exclusion."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.accounts.models import User
from casework.audit.services import AuditAction, record
from casework.clock import now
from casework.custody.models import Sample
from casework.db import db, transaction
from casework.dna.models import DnaHit, DnaProfile
from casework.dna.wording import reading_in_words
from casework.errors import ConflictError, ValidationError
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains
from matching.kinship import read_likelihood_ratio


def hit_of_pair(missing_person_id: Any, remains_id: Any) -> DnaHit | None:
    return db.session.scalar(
        select(DnaHit).where(
            DnaHit.missing_person_id == missing_person_id, DnaHit.remains_id == remains_id
        )
    )


def hits_of_missing(missing_person_id: Any) -> list[DnaHit]:
    """A family's hits, strongest first: several remains of one family are shown together
    (commingled or fragmented remains)."""
    return list(
        db.session.scalars(
            select(DnaHit)
            .where(DnaHit.missing_person_id == missing_person_id)
            .order_by(DnaHit.log10_lr.desc())
        )
    )


def in_words(hit: DnaHit) -> str:
    """The LR and the posterior with its prior, in an officer's words and language (the
    engine's reading said with gettext: `casework.dna.wording`)."""
    case = db.session.get(MissingPerson, hit.missing_person_id)
    sex = case.sex.value if case is not None else None
    reading = read_likelihood_ratio(
        max(hit.log10_lr, -300.0),
        hit.relations,
        sex=sex,
        open_missing=hit.open_missing,
    )
    return reading_in_words(reading)


def per_locus_table(hit: DnaHit, user: User) -> list[dict[str, Any]]:
    """Per locus: the LR and the genotypes of the remains and of each relative used (for
    analysts only; the look is audited)."""
    rows: list[dict[str, Any]] = json.loads(hit.per_locus or "[]")
    barcodes = [hit.remains_barcode, *hit.reference_barcodes.split(";")]
    typed: dict[str, dict[str, Any]] = {}
    for barcode in barcodes:
        profile = db.session.scalar(
            select(DnaProfile)
            .join(Sample, Sample.id == DnaProfile.sample_id)
            .where(
                Sample.barcode == barcode,
                DnaProfile.consensus.is_(True),
                DnaProfile.superseded.is_(False),
            )
        )
        genotypes = json.loads(profile.genotypes) if profile and profile.genotypes else {}
        typed[barcode] = genotypes
    for row in rows:
        row["genotypes"] = [
            "/".join(typed[barcode].get(row["locus"], [])) or "—" for barcode in barcodes
        ]
    with transaction():
        record(AuditAction.VIEW, hit, what="per-locus genotypes", samples=barcodes)
    return rows


def override_lineage(hit: DnaHit, user: User, reason: str | None, version: int | None) -> None:
    """An analyst sets a lineage exclusion aside (a known mutation, a sample mix-up ruled
    out...), with a reason; the candidate is recomputed with the DNA evidence once the
    override has committed, by the job that recomputes a saved case's candidates (on the
    matching worker, which holds the open-case index; in the request only when embedded)."""
    from casework.matches.services import refresh_after_save

    with transaction():
        if version is None or version != hit.version:
            raise ConflictError(
                _l("Someone else changed this DNA result meanwhile. Reload the page.")
            )
        if not hit.lineage_excluded or hit.overridden_at is not None:
            raise ValidationError(_l("No lineage exclusion stands on this result."), field="reason")
        text = (reason or "").strip()
        if len(text) < 5:
            raise ValidationError(_l("Give the reason in a few words."), field="reason")
        hit.override_reason = text[:2000]
        hit.overridden_at, hit.overridden_by_id = now(), user.id
        remains = db.session.get(UnidentifiedRemains, hit.remains_id)
        if remains is not None:
            refresh_after_save(remains)
