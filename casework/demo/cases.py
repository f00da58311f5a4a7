"""The demo's cases: a missing-person report and a remains case per synthetic person, with
relatives, reference and post-mortem samples, shares between agencies and custody chains."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from geoalchemy2.shape import from_shape
from sqlalchemy import select

from casework.accounts.models import Agency, Role, User
from casework.accounts.passwords import hash_password
from casework.cases.models import (
    FDI_TEETH,
    CaseShare,
    EffectCategory,
    MarkKind,
)
from casework.cases.references import next_reference
from casework.clock import now
from casework.custody.models import CustodyEvent, Sample, SampleKind, SampleStatus
from casework.db import db
from casework.demo.agencies import (
    ACCOUNT_LANGUAGE,
    AGENCIES,
    HUB,
    REPORTING_AGENCY,
    DemoAccount,
    staff,
)
from casework.demo.people import LANGUAGE_CODE, LANGUAGES, PHONE_PREFIX, CorridorOffice, DemoPerson
from casework.missing.inputs import MissingPersonInput
from casework.missing.models import MissingPerson, Relative
from casework.remains.inputs import RemainsInput
from casework.remains.models import RemainsCondition, UnidentifiedRemains
from matching.synthetic import EFFECTS, GIVEN, MARKS, moved_by

TEETH = sorted(FDI_TEETH)

RELATIONSHIPS = ("mother", "father", "sister", "brother", "wife", "husband", "son", "daughter")

CIRCUMSTANCES = (
    "Left home with a cousin; last call came from {place}, saying the group was about to leave.",
    "Travelled with a group of {n}; the others arrived, this one did not.",
    "A smuggler told the family the person was left behind, sick, near {place}.",
    "Called the family from {place}; the phone has been off since.",
    "Survivors said the boat took on water a day after leaving {place}.",
)


def _at(day: date, rng: random.Random) -> datetime:
    """A working hour on `day`, never later than now."""
    moment = datetime.combine(day, time(rng.randint(7, 18), rng.randint(0, 59)), tzinfo=UTC)
    return min(moment, now())


def _plain(text: str) -> str:
    return text.translate(str.maketrans("áéíóúÁÉÍÓÚñ", "aeiouAEIOUn"))


class CaseBuilder:
    """Builds the demo's rows in the session (agencies, accounts, cases with relatives,
    samples, shares and custody); the caller commits."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.agencies: dict[str, Agency] = {}
        self.staff: dict[tuple[str, Role], User] = {}
        self.barcodes = 0
        # rows whose foreign keys need their owners flushed first (no relationship orders them)
        self.dependents: list[Sample | CaseShare] = []
        self.events: list[CustodyEvent] = []
        self.repatriated: set[object] = set()  # remains that went home: their workflow is complete

    def settle(self) -> None:
        """Flush the cases, then their samples and shares, then the custody events."""
        db.session.flush()
        for rows in (self.dependents, self.events):
            db.session.add_all(rows)
            db.session.flush()
        self.dependents, self.events = [], []

    def user_of(self, code: str, *roles: Role) -> User | None:
        for role in roles:
            if (code, role) in self.staff:
                return self.staff[(code, role)]
        return None

    def agencies_and_accounts(self, password: str) -> list[DemoAccount]:
        accounts = []
        password_hash = hash_password(password)
        for spec in AGENCIES:
            agency = db.session.scalar(select(Agency).where(Agency.code == spec.code))
            if agency is None:
                agency = Agency(
                    code=spec.code, country=spec.country, name=spec.name, kind=spec.kind
                )
                db.session.add(agency)
            self.agencies[spec.code] = agency
            for role, email in staff(spec):
                user = User(
                    agency=agency,
                    email=email,
                    display_name=f"{role.value.replace('_', ' ').capitalize()}, {spec.code}",
                    role=role,
                    password_hash=password_hash,
                    language=ACCOUNT_LANGUAGE.get(spec.country, "en"),
                )
                db.session.add(user)
                self.staff[(spec.code, role)] = user
                accounts.append(DemoAccount(email, role, spec.name))
        db.session.flush()
        return accounts

    def missing_case(self, person: DemoPerson) -> MissingPerson:
        rng = self.rng
        corridor = person.corridor
        office = person.office
        owner_code = REPORTING_AGENCY.get(person.nationality, office.forensic_agency)
        if person.nationality in ("GTM", "HND") and office.forensic_agency == HUB:
            owner_code = HUB if rng.random() < 0.3 else owner_code
        owner = self.agencies[owner_code]
        registrar = self.user_of(owner_code, Role.FAMILY_LIAISON, Role.FORENSIC_OFFICER)
        registered = min(self.today, person.last_seen + timedelta(days=rng.randint(3, 120)))
        case = MissingPerson(agency_id=owner.id, created_by_id=registrar.id)
        case.reference = next_reference("MP", owner.country, registered.year)
        created = _at(registered, rng)
        given: dict[str, Any] = {
            "given_names": person.given,
            "surnames": person.surnames if rng.random() < 0.97 else None,
        }
        if rng.random() < 0.15:
            given["aliases"] = [_plain(person.given.split()[0]) + " " + person.surnames.split()[0]]
        given["sex"] = person.sex
        roll = rng.random()
        if roll < 0.5:
            given["birth_date"] = person.birth.isoformat()
        elif roll < 0.7:
            given["birth_date"] = str(person.birth.year)
        given["age_at_disappearance"] = (person.last_seen - person.birth).days // 365
        if rng.random() < 0.75:
            given["height_cm"] = round((person.height + rng.gauss(0, 3)) / 5) * 5
        given["nationality"] = person.nationality
        given["languages"] = rng.choice(LANGUAGES[person.nationality])
        given["last_seen_date"] = person.last_seen
        given["last_seen_place"] = corridor.start_place
        given["last_seen_lon"], given["last_seen_lat"] = person.last_seen_point
        if rng.random() < 0.8:
            given["intended_route"] = from_shape(person.route, srid=4326)
        given["sea_crossing"] = corridor.sea
        given["circumstances"] = rng.choice(CIRCUMSTANCES).format(
            place=corridor.start_place, n=rng.randint(3, 40)
        )
        if rng.random() < 0.2:
            given["medical_notes"] = rng.choice(
                ("Broken left wrist in 2015, healed.", "Diabetic.", "Metal pin in the right femur.")
            )
        given["marks"] = [
            (MarkKind(mark.kind), mark.location, mark.description or None)
            for mark in (MARKS[index] for index in person.marks)
        ]
        given["effects"] = [
            (EffectCategory(effect.category), effect.told)
            for effect in (EFFECTS[index] for index in person.effects)
        ]
        if rng.random() < 0.25:
            given["dental"] = [
                (tooth, person.dental[tooth])
                for tooth in sorted(rng.sample(TEETH, rng.randint(4, 12)))
            ]
        MissingPersonInput.parse(given, self.today).store(case)
        case.created_at = case.updated_at = created
        for _ in range(rng.choice((1, 1, 2))):
            self.relative(case, person, registered, registrar)
        if owner_code != office.forensic_agency:
            self.share(case, owner_code, office.forensic_agency, registered)
        db.session.add(case)
        return case

    def relative(
        self, case: MissingPerson, person: DemoPerson, registered: date, registrar: User
    ) -> None:
        rng = self.rng
        consent = rng.random() < 0.85
        relative = Relative(
            missing_person_id=case.id,
            relationship_to_missing=rng.choice(RELATIONSHIPS),
            language=LANGUAGE_CODE.get(person.nationality, "fr"),
            is_reporter=not case.relatives,
            consent_to_share=consent,
            consent_countries=(
                "*" if rng.random() < 0.6 else f"{person.nationality};USA;MEX;PAN;ITA;ESP"
            )
            if consent
            else None,
            consent_recorded_at=_at(registered, rng) if consent else None,
        )
        sex = rng.choice("MF")
        relative.name = f"{rng.choice(GIVEN[person.culture][sex])} {person.surnames.split()[0]}"
        number = f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        relative.contact = f"{PHONE_PREFIX[person.nationality]} {number}"
        case.relatives.append(relative)
        if consent and rng.random() < 0.5:
            collected = _at(registered + timedelta(days=rng.randint(1, 30)), rng)
            if collected.date() <= self.today:
                sample = self.sample(SampleKind.REFERENCE, collected, relative_id=relative.id)
                sample.lab = case_lab = person.office.lab
                sample.status = SampleStatus.PROFILED
                self.custody(
                    sample=sample,
                    steps=(
                        ("Family liaison (buccal swab)", "Courier", "Sent for DNA profiling"),
                        ("Courier", case_lab, "Reference profile for kinship comparison"),
                    ),
                    start=collected,
                    user=registrar,
                )

    def share(self, case: MissingPerson, owner_code: str, with_code: str, day: date) -> None:
        self.dependents.append(
            CaseShare(
                missing_person_id=case.id,
                agency_id=self.agencies[with_code].id,
                shared_by_id=self.user_of(owner_code, Role.FAMILY_LIAISON).id,
                reason="Search on the route where the person was last seen.",
                created_at=_at(day, self.rng),
            )
        )

    def sample(self, kind: SampleKind, collected: datetime, **owner: object) -> Sample:
        self.barcodes += 1
        sample = Sample(
            barcode=f"DEMO-{collected.year}-{self.barcodes:06d}",
            kind=kind,
            collected_at=collected,
            created_at=collected,
            **owner,
        )
        self.dependents.append(sample)
        return sample

    def custody(
        self,
        *,
        steps: tuple[tuple[str, str, str], ...],
        start: datetime,
        user: User | None,
        sample: Sample | None = None,
        remains: UnidentifiedRemains | None = None,
    ) -> None:
        moment = start
        for from_party, to_party, purpose in steps:
            if moment > now():
                return
            self.events.append(
                CustodyEvent(
                    sample_id=sample.id if sample else None,
                    remains_id=remains.id if remains else None,
                    from_party=from_party,
                    to_party=to_party,
                    occurred_at=moment,
                    purpose=purpose,
                    recorded_by_id=user.id if user else None,
                    recorded_at=moment,
                )
            )
            moment += timedelta(days=self.rng.randint(1, 20), hours=self.rng.randint(0, 8))

    def remains_case(self, person: DemoPerson) -> UnidentifiedRemains:
        rng = self.rng
        corridor, office = person.corridor, person.office
        agency = self.agencies[office.forensic_agency]
        officer = self.user_of(office.forensic_agency, Role.FORENSIC_OFFICER)
        death = person.last_seen + timedelta(
            days=int(rng.expovariate(1 / (6 if corridor.sea else 15)))
        )
        pmi = rng.uniform(2, 60) if corridor.sea else rng.uniform(5, 400)
        found = min(
            death + timedelta(days=int(pmi)), self.today - timedelta(days=rng.randint(1, 20))
        )
        found = max(found, person.last_seen)
        case = UnidentifiedRemains(agency_id=agency.id, created_by_id=officer.id)
        case.reference = next_reference("UR", agency.country, found.year)
        created = _at(min(self.today, found + timedelta(days=1)), rng)
        given: dict[str, Any] = {
            "recovery_date": found,
            "recovery_place": rng.choice(corridor.found_places),
        }
        spot = person.route.interpolate(rng.uniform(0.1, 0.95), normalized=True)
        spread = rng.uniform(10, 150) if corridor.sea else rng.expovariate(1 / 8)
        given["recovery_lon"], given["recovery_lat"] = moved_by(
            spot.x, spot.y, spread, rng.uniform(0, 2 * math.pi)
        )
        given["recovery_uncertainty_m"] = rng.choice((10, 50, 100, 500, 2000))
        given["recovered_by"] = rng.choice(office.recovered_by)
        condition = (
            rng.choice((RemainsCondition.FRESH, RemainsCondition.DECOMPOSED))
            if pmi < 20
            else rng.choice(
                (
                    RemainsCondition.DECOMPOSED,
                    RemainsCondition.SKELETONISED,
                    RemainsCondition.PARTIAL,
                )
            )
        )
        given["condition"] = condition
        if rng.random() < 0.85:
            given["estimated_sex"] = person.sex
        age = (death - person.birth).days / 365.25 + rng.gauss(0, 3)
        if rng.random() < 0.8:
            given["age_min"], given["age_max"] = max(12, round(age - 6)), round(age + 6)
        if rng.random() < 0.6:
            stature = person.height + rng.gauss(0, 3)
            given["stature_min_cm"], given["stature_max_cm"] = (
                round(stature - 5),
                round(stature + 5),
            )
        if rng.random() < 0.7:
            given["pmi_min_days"], given["pmi_max_days"] = round(pmi * 0.6), round(pmi * 1.6 + 3)
        if rng.random() < 0.25:
            parts = [person.given.split()[0], *person.surnames.split()]
            given["document_names"] = [_plain(" ".join(parts)).upper()]
        given["storage_location"] = f"Cooler {rng.randint(1, 4)}, bay {rng.randint(1, 40)}"
        if rng.random() < 0.3:
            given["notes_text"] = rng.choice(
                (
                    "Healed fracture of the left distal radius.",
                    "Found with a group of personal effects scattered over 30 m.",
                    "Partial skeleton; skull and long bones recovered.",
                )
            )
        given["marks"] = []
        for index in person.marks:
            mark = MARKS[index]
            if rng.random() < 0.5 and condition is not RemainsCondition.SKELETONISED:
                given["marks"].append(
                    (MarkKind(mark.kind), mark.location, rng.choice(mark.examined))
                )
        given["effects"] = []
        for index in person.effects:
            effect = EFFECTS[index]
            if rng.random() < 0.6:
                given["effects"].append(
                    (EffectCategory(effect.category), rng.choice(effect.examined))
                )
        if rng.random() < 0.6:
            given["dental"] = [
                (tooth, person.dental[tooth]) for tooth in TEETH if rng.random() < 0.6
            ]
        RemainsInput.parse(given, self.today).store(case)
        case.created_at = case.updated_at = created
        db.session.add(case)
        self.remains_custody(case, office, officer)
        return case

    def remains_custody(
        self, case: UnidentifiedRemains, office: CorridorOffice, officer: User
    ) -> None:
        rng = self.rng
        arrival = _at(case.recovery_date, rng)
        morgue = self.agencies[office.forensic_agency].name
        self.custody(
            remains=case,
            steps=(
                (case.recovered_by or "Recovery team", morgue, "Recovery and transport"),
                (morgue, f"{morgue}, {case.storage_location}", "Storage after examination"),
            ),
            start=arrival,
            user=officer,
        )
        for kind in rng.sample((SampleKind.BONE, SampleKind.TOOTH, SampleKind.TISSUE), 2):
            collected = arrival + timedelta(days=rng.randint(1, 5))
            if collected > now():
                continue
            sample = self.sample(kind, collected, remains_id=case.id)
            sample.lab = office.lab
            sample.status = rng.choice(
                (SampleStatus.COLLECTED, SampleStatus.SENT_TO_LAB)
                + (SampleStatus.RECEIVED_BY_LAB, SampleStatus.PROFILED, SampleStatus.PROFILED)
            )
            steps = [(morgue, "Courier", "Sent for DNA profiling")]
            if sample.status in (SampleStatus.RECEIVED_BY_LAB, SampleStatus.PROFILED):
                steps.append(("Courier", office.lab, "DNA extraction and profiling"))
            if sample.status is SampleStatus.COLLECTED:
                steps = []
            self.custody(sample=sample, steps=tuple(steps), start=collected, user=officer)


__all__ = ["CaseBuilder"]
