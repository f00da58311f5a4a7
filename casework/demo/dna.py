"""DNA in the demo world: for some families whose remains are in the database, the relatives are
placed in the pedigree (mother, brother or sister), their reference samples carry the family's
consent, and profiles simulated by Mendel from the shipped frequencies are stored as confirmed
consensus profiles (partial remains profiles, a family with mutations, one lineage exclusion);
the DNA search then finds them."""

from __future__ import annotations

import json
import random
import uuid

from sqlalchemy import select

from casework.cases.models import Sex
from casework.clock import now
from casework.custody.models import Sample, SampleKind, SampleStatus
from casework.db import db
from casework.demo.genotypes import child, founder, partial
from casework.dna.models import DnaProfile, MarkerSystem, ProfileSource, ReferenceConsent
from casework.dna.profiles import content_digest
from casework.matches.open_cases import OPEN_MISSING, OPEN_REMAINS
from casework.missing.models import FamilyPosition, MissingPerson
from casework.remains.models import UnidentifiedRemains

LOCI = (
    "D3S1358", "vWA", "D16S539", "CSF1PO", "TPOX", "D8S1179", "D21S11", "D18S51", "D2S441",
    "D19S433", "TH01", "FGA", "D22S1045", "D5S818", "D13S317", "D7S820", "SE33", "D10S1248",
    "D1S1656", "D12S391", "D2S1338",
)  # fmt: skip
Y_BROTHER = {"DYS19": "14", "DYS389I": "13", "DYS390": "24", "DYS391": "10", "DYS393": "13"}
Y_OTHER = {"DYS19": "15", "DYS389I": "13", "DYS390": "23", "DYS391": "11", "DYS393": "13"}


def _profile(sample: Sample, system: MarkerSystem, values: dict[str, object], loci: int) -> None:
    row = DnaProfile(
        id=uuid.uuid4(),
        sample_id=sample.id,
        system=system,
        source=ProfileSource.CONSENSUS if system is MarkerSystem.STR else ProfileSource.IMPORT,
        lab=sample.lab,
        kit="GlobalFiler" if system is MarkerSystem.STR else "Yfiler Plus",
        loci=loci,
        content_digest=content_digest(system, values, sample.lab),
        consensus=system is MarkerSystem.STR,
        confirmed_at=now() if system is MarkerSystem.STR else None,
    )
    row.genotypes = json.dumps(values, sort_keys=True)
    db.session.add(row)


def _str(typed: dict[str, tuple[str, str]]) -> dict[str, object]:
    return {locus: list(pair) for locus, pair in sorted(typed.items())}


def _can_exclude(case: MissingPerson, remains: UnidentifiedRemains) -> bool:
    """A man with two relatives whose case and remains are still open (the search reads those)."""
    still_open = case.status in OPEN_MISSING and remains.status in OPEN_REMAINS
    return still_open and case.sex is Sex.MALE and len(case.relatives) > 1


def add_dna(rng: random.Random, truth: dict[object, object], families: int) -> list[uuid.UUID]:
    """Give `families` true (remains, missing person) pairs DNA; returns the families' ids."""
    from casework.dna.search import frequencies

    table = frequencies().population("SW Hispanic")
    pairs = []
    for remains_id, missing_id in truth.items():
        case = db.session.get(MissingPerson, missing_id) if missing_id else None
        remains = db.session.get(UnidentifiedRemains, remains_id)
        if case is not None and remains is not None and case.relatives:
            pairs.append((case, remains))
    # the ids are random, the references follow the generator: order by reference, and put
    # first the family that can show a lineage exclusion (a man with two relatives) so that
    # every demo world has one
    pairs.sort(key=lambda pair: (not _can_exclude(*pair), pair[0].reference))
    chosen: list[uuid.UUID] = []
    excluded = False
    for case, remains in pairs:
        if len(chosen) >= families:
            break
        mutation = 0.08 if len(chosen) == 1 else 0.0  # one family with a few mutations
        father, mother = founder(rng, table, LOCI), founder(rng, table, LOCI)
        missing, sibling = (
            child(rng, father, mother, mutation),
            child(rng, father, mother, mutation),
        )
        relatives = list(case.relatives)[:2]
        # one lineage exclusion: the remains' Y-STR differs from the brother's
        exclusion = not excluded and _can_exclude(case, remains)
        excluded = excluded or exclusion
        places = [(FamilyPosition.MOTHER, Sex.FEMALE, mother)]
        if len(relatives) > 1:
            places.append((FamilyPosition.FULL_SIBLING, Sex.MALE, sibling))
        for relative, (position, sex, typed) in zip(relatives, places, strict=False):
            relative.position, relative.sex = position, sex
            sample = db.session.scalar(select(Sample).where(Sample.relative_id == relative.id))
            if sample is None:
                sample = Sample(
                    barcode=f"DEMO-REF-{case.reference}-{position.value}",
                    kind=SampleKind.REFERENCE,
                    relative_id=relative.id,
                    lab="UNT Center for Human Identification",
                    collected_at=case.created_at,
                    status=SampleStatus.PROFILED,
                )
                db.session.add(sample)
                db.session.flush()
            db.session.add(
                ReferenceConsent(
                    sample_id=sample.id,
                    search_here=True,
                    search_abroad=rng.random() < 0.5,
                    countries="*",
                    keep_after_identification=rng.random() < 0.5,
                )
            )
            _profile(sample, MarkerSystem.STR, _str(typed), len(typed))
            if position is FamilyPosition.FULL_SIBLING and exclusion:
                _profile(sample, MarkerSystem.Y_STR, dict(Y_BROTHER), len(Y_BROTHER))
        bone = Sample(
            barcode=f"DEMO-PM-{remains.reference}",
            kind=SampleKind.BONE,
            remains_id=remains.id,
            lab="UNT Center for Human Identification",
            collected_at=remains.created_at,
            status=SampleStatus.PROFILED,
        )
        db.session.add(bone)
        db.session.flush()
        degraded = partial(rng, missing, rng.choice((0.5, 0.8, 1.0)))  # bone is often partial
        _profile(bone, MarkerSystem.STR, _str(degraded), len(degraded))
        if exclusion:
            _profile(bone, MarkerSystem.Y_STR, dict(Y_OTHER), len(Y_OTHER))
        chosen.append(case.id)
    db.session.flush()
    return chosen
