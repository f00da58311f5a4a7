"""Profiles on samples: entry by form, import of laboratory files (all-or-nothing, idempotent),
the consensus an analyst confirms, and reading genotypes (every look audited)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.accounts.models import User
from casework.audit.services import AuditAction, record
from casework.cases.fields import optional_text
from casework.clock import now
from casework.custody.models import Sample, SampleKind, SampleStatus
from casework.db import db, transaction
from casework.dna.labfiles import FileProblem, read_lab_file
from casework.dna.models import DnaProfile, MarkerSystem, ProfileSource
from casework.errors import ValidationError
from casework.keystore import current_keyring
from matching.kinship import (
    KinshipError,
    Profile,
    ProfileError,
    parse_mito_profile,
    parse_y_haplotype,
)

STR_KITS: dict[str, tuple[str, ...]] = {
    # the loci each kit types, in the order its electropherogram shows them
    "GlobalFiler": (
        "D3S1358", "vWA", "D16S539", "CSF1PO", "TPOX", "D8S1179", "D21S11", "D18S51",
        "D2S441", "D19S433", "TH01", "FGA", "D22S1045", "D5S818", "D13S317", "D7S820",
        "SE33", "D10S1248", "D1S1656", "D12S391", "D2S1338",
    ),
    "PowerPlex Fusion": (
        "D3S1358", "D1S1656", "D2S441", "D10S1248", "D13S317", "Penta E", "D16S539",
        "D18S51", "D2S1338", "CSF1PO", "Penta D", "TH01", "vWA", "D21S11", "D7S820",
        "D5S818", "TPOX", "D8S1179", "D12S391", "D19S433", "FGA", "D22S1045",
    ),
    "Identifiler": (
        "D8S1179", "D21S11", "D7S820", "CSF1PO", "D3S1358", "TH01", "D13S317", "D16S539",
        "D2S1338", "D19S433", "vWA", "TPOX", "D18S51", "D5S818", "FGA",
    ),
}  # fmt: skip


def content_digest(system: MarkerSystem, values: Mapping[str, Any], lab: str | None) -> str:
    """Keyed digest of a result (reveals nothing of it): the same result stored once."""
    message = json.dumps([system.value, lab or "", values], sort_keys=True).encode()
    return hmac.new(current_keyring().index_key, message, hashlib.sha256).hexdigest()


def _str_json(genotypes: Mapping[str, tuple[str, str]]) -> dict[str, list[str]]:
    return {locus: list(pair) for locus, pair in sorted(genotypes.items())}


def _add_profile(
    sample: Sample,
    system: MarkerSystem,
    values: dict[str, Any],
    loci: int,
    user: User | None,
    source: ProfileSource,
    lab: str | None,
    kit: str | None,
    typed_on: date | None,
) -> DnaProfile | None:
    """Store one result unless the same one is already stored for the sample (None then)."""
    digest = content_digest(system, values, lab)
    exists = db.session.scalar(
        select(DnaProfile.id).where(
            DnaProfile.sample_id == sample.id, DnaProfile.content_digest == digest
        )
    )
    if exists is not None:
        return None
    profile = DnaProfile(
        sample_id=sample.id,
        system=system,
        source=source,
        lab=lab,
        kit=kit,
        typed_on=typed_on,
        loci=loci,
        content_digest=digest,
        created_by_id=user.id if user else None,
    )
    profile.genotypes = json.dumps(values, sort_keys=True)
    db.session.add(profile)
    if sample.status in (SampleStatus.COLLECTED, SampleStatus.SENT_TO_LAB,
                         SampleStatus.RECEIVED_BY_LAB):  # fmt: skip
        sample.status = SampleStatus.PROFILED
    return profile


def sample_by_barcode(barcode: str) -> Sample | None:
    return db.session.scalar(select(Sample).where(Sample.barcode == barcode.strip()))


def _typed_on(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        if value > now().date():
            raise ValidationError(_l("That date is in the future."), field="typed_on")
        return value
    try:
        return _typed_on(date.fromisoformat(str(value)))
    except ValueError:
        raise ValidationError(_l("Give the date as YYYY-MM-DD."), field="typed_on") from None


def record_profile(sample: Sample, user: User, data: Mapping[str, Any]) -> DnaProfile | None:
    """A profile entered by hand: `data` holds system, lab, kit, typed_on and, per locus,
    ``locus:<name>`` = "15,16" (STR, Y-STR), or mtDNA ``variants`` and ``range``."""
    with transaction():
        try:
            system = MarkerSystem(data.get("system") or MarkerSystem.STR)
        except ValueError:
            raise ValidationError(_l("Choose the kind of markers."), field="system") from None
        lab = optional_text(data.get("lab"), "lab", 200)
        kit = optional_text(data.get("kit"), "kit", 100)
        typed_on = _typed_on(data.get("typed_on"))
        typed = {
            key.removeprefix("locus:"): str(value).strip()
            for key, value in data.items()
            if key.startswith("locus:") and value is not None and str(value).strip()
        }
        values: dict[str, Any]
        try:
            if system is MarkerSystem.STR:
                profile = Profile.parse(sample.barcode, typed)
                values, loci = _str_json(profile.genotypes), len(profile)
            elif system is MarkerSystem.Y_STR:
                haplotype = parse_y_haplotype(typed)
                values = {locus.name: locus.words() for locus in haplotype.loci}
                loci = len(values)
            else:
                variants = str(data.get("variants") or "").strip()
                ranges = str(data.get("range") or "").strip() or None
                parse_mito_profile(variants, ranges)
                values, loci = {"variants": variants, "range": ranges or ""}, 1
        except (ProfileError, KinshipError) as error:
            raise ValidationError(
                _l("The profile cannot be read: %(problem)s", problem=str(error)),
                field="loci",
            ) from None
        if not loci:
            raise ValidationError(_l("Type at least one locus."), field="loci")
        return _add_profile(
            sample, system, values, loci, user, ProfileSource.FORM, lab, kit, typed_on
        )


def import_lab_files(
    user: User,
    files: Iterable[tuple[str, bytes]],
    lab: str | None,
    kit: str | None,
    typed_on: Any = None,
) -> tuple[int, int]:
    """Import STR profiles from laboratory files: every problem of every file is listed (by
    file, row and locus) and then nothing is stored; a profile already stored is not stored
    again. Returns (profiles added, profiles already there)."""
    read = [read_lab_file(name, raw) for name, raw in files]
    if not read:
        raise ValidationError(_l("Choose a file to import."), field="files")
    problems: list[FileProblem] = [problem for found in read for problem in found.problems]
    for found in read:
        for barcode in found.profiles:
            if sample_by_barcode(barcode) is None:
                problems.append(
                    FileProblem(
                        found.name,
                        0,
                        "",
                        _l("No sample has the barcode %(barcode)s.", barcode=barcode),
                    )
                )
        if not found.profiles and not found.problems:
            problems.append(FileProblem(found.name, 0, "", _l("The file holds no profile.")))
    if problems:
        raise ValidationError(
            _l(
                "Nothing was imported. Correct these problems and import the file again: "
                "%(problems)s",
                problems="; ".join(str(problem) for problem in problems),
            ),
            field="files",
        )
    added = again = 0
    with transaction():
        day = _typed_on(typed_on)
        lab = optional_text(lab, "lab", 200)
        kit = optional_text(kit, "kit", 100)
        for found in read:
            for barcode, genotypes in found.profiles.items():
                sample = sample_by_barcode(barcode)
                assert sample is not None  # checked above, and samples are never deleted
                stored = _add_profile(
                    sample, MarkerSystem.STR, _str_json(genotypes), len(genotypes), user,
                    ProfileSource.IMPORT, lab, kit, day,
                )  # fmt: skip
                if stored is None:
                    again += 1
                else:
                    added += 1
    return added, again


def profiles_of(sample: Sample) -> list[DnaProfile]:
    """The sample's profiles, newest first (their genotypes are not read here)."""
    return list(
        db.session.scalars(
            select(DnaProfile)
            .where(DnaProfile.sample_id == sample.id)
            .order_by(DnaProfile.created_at.desc())
        )
    )


def genotypes_of(profile: DnaProfile, user: User) -> dict[str, Any]:
    """The decrypted genotypes, for an analyst; the look is audited (in its own unit)."""
    if profile.genotypes is None:
        return {}
    with transaction():
        record(
            AuditAction.VIEW,
            profile,
            what="genotypes",
            sample=profile.sample.barcode,
            system=profile.system.value,
        )
    return dict(json.loads(profile.genotypes))


def proposed_consensus(sample: Sample) -> dict[str, list[str]]:
    """The STR consensus of a sample's results: a locus every result that types it agrees
    on; a locus where results disagree is left out (the analyst re-tests it)."""
    by_locus: dict[str, set[tuple[str, ...]]] = {}
    for profile in profiles_of(sample):
        if profile.system is not MarkerSystem.STR or profile.consensus or not profile.genotypes:
            continue
        for locus, pair in json.loads(profile.genotypes).items():
            by_locus.setdefault(locus, set()).add(tuple(pair))
    return {locus: list(next(iter(pairs))) for locus, pairs in sorted(by_locus.items())
            if len(pairs) == 1}  # fmt: skip


def confirm_consensus(sample: Sample, user: User) -> DnaProfile:
    """The analyst confirms the consensus: it becomes the sample's profile in the search (an
    earlier consensus is kept, marked superseded), and the DNA search runs after the commit."""
    from casework.dna.search import search_after_save

    with transaction():
        values = proposed_consensus(sample)
        if not values:
            raise ValidationError(
                _l("This sample has no autosomal STR result to confirm."), field="consensus"
            )
        earlier = db.session.scalars(
            select(DnaProfile).where(
                DnaProfile.sample_id == sample.id,
                DnaProfile.consensus.is_(True),
                DnaProfile.superseded.is_(False),
            )
        ).all()
        digest = content_digest(MarkerSystem.STR, {"consensus": values}, None)
        for profile in earlier:
            if profile.content_digest == digest:
                return profile  # the same consensus, already confirmed
            profile.superseded = True
        profile = DnaProfile(
            sample_id=sample.id,
            system=MarkerSystem.STR,
            source=ProfileSource.CONSENSUS,
            loci=len(values),
            content_digest=digest,
            consensus=True,
            confirmed_by_id=user.id,
            confirmed_at=now(),
            created_by_id=user.id,
        )
        profile.genotypes = json.dumps(values, sort_keys=True)
        db.session.add(profile)
        db.session.flush()
        search_after_save(sample)
    return profile


def is_reference(sample: Sample) -> bool:
    return sample.relative_id is not None or sample.kind is SampleKind.REFERENCE


__all__ = [
    "STR_KITS",
    "confirm_consensus",
    "genotypes_of",
    "import_lab_files",
    "profiles_of",
    "proposed_consensus",
    "record_profile",
    "sample_by_barcode",
]
