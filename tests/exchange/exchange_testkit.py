"""Test kit for the exchange tests: fixed clock, authorities with keys derived from labels."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

from exchange import (
    AuthorityKeys,
    DentalFinding,
    Effect,
    GeoPoint,
    Mark,
    MissingPersonRecord,
    RemainsRecord,
    Sex,
    TrustedAuthority,
)
from exchange.keys import PRIVATE_SEED_LENGTHS

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
VALID_FROM = datetime(2026, 1, 1, tzinfo=UTC)
VALID_UNTIL = datetime(2028, 1, 1, tzinfo=UTC)


def seeded_keys(label: str) -> AuthorityKeys:
    """Keys derived from a label, so every run (and the vectors) use the same keys."""
    return AuthorityKeys.from_seeds(
        {
            name: hashlib.shake_256(f"{label}/{name}".encode()).digest(length)
            for name, length in PRIVATE_SEED_LENGTHS.items()
        }
    )


@dataclass(frozen=True)
class Authority:
    authority_id: str
    keys: AuthorityKeys
    entry: TrustedAuthority
    sender_secret: bytes


def make_authority(authority_id: str, country: str, name: str) -> Authority:
    keys = seeded_keys(authority_id)
    return Authority(
        authority_id=authority_id,
        keys=keys,
        entry=TrustedAuthority(authority_id, country, name, keys.public, VALID_FROM, VALID_UNTIL),
        sender_secret=hashlib.sha256(f"{authority_id}/pseudonym".encode()).digest(),
    )


SPAIN = make_authority("esp-cnp", "ESP", "Centro Nacional de Personas Desaparecidas")
ITALY = make_authority("ita-labanof", "ITA", "LABANOF, Università di Milano")
GREECE = make_authority("grc-hp", "GRC", "Hellenic Police Forensic Division")


def sample_missing_person(local_id: str = "MP-2026-0042") -> MissingPersonRecord:
    """A report full of personal data, to check that none of it leaves."""
    return MissingPersonRecord(
        local_id=local_id,
        given_names=("Amanuel",),
        surnames=("Tesfay", "Gebremariam"),
        aliases=("Emmanuel Tesfaye",),
        sex=Sex.MALE,
        birth_date=date(2001, 9, 14),
        height_cm=176,
        nationality="eri",
        last_seen_date=date(2025, 3, 17),
        last_seen_point=GeoPoint(lat=32.88765, lon=13.18721),
        route=("ERI", "SDN", "LBY"),
        marks=(
            Mark("tattoo", "left forearm", "a cross and the name SELAM"),
            Mark("cicatriz", "frente", "linear scar 3 cm"),
        ),
        effects=(
            Effect("clothing", "red Adidas jacket, size L"),
            Effect("religious item", "silver cross on a black cord, engraved 'Mother'"),
        ),
        dental=(DentalFinding(36, "filled"), DentalFinding(11, "crown")),
        free_text="His mother Letekidan says he called from Tripoli on 17 March.",
        contacts=("+291 7 123 456", "letekidan@example.org"),
        photo_refs=("photos/amanuel-1.jpg",),
    )


def sample_remains(local_id: str = "PM-2026-0107") -> RemainsRecord:
    """A remains case with a document name and notes."""
    return RemainsRecord(
        local_id=local_id,
        sex=Sex.MALE,
        age_min=20,
        age_max=30,
        stature_min_cm=172,
        stature_max_cm=181,
        found_date=date(2025, 4, 2),
        found_point=GeoPoint(lat=37.50123, lon=15.09876),
        found_uncertainty_m=1500,
        pmi_min_days=10,
        pmi_max_days=20,
        document_names=("Amanuel Tesfay",),
        marks=(Mark("tattoo", "left forearm", "cross, letters"),),
        effects=(Effect("clothing", "red jacket"),),
        dental=(DentalFinding(36, "filled"),),
        notes="Recovered by the coast guard vessel Dattilo, body bag 17.",
    )
