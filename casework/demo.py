"""A synthetic demonstration world for an empty database: agencies on four migration routes,
accounts, hundreds of cases of each kind with samples and custody, and reviewed candidates."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import from_shape
from shapely import LineString
from sqlalchemy import func, select

from casework.accounts.models import Agency, AgencyKind, Role, User
from casework.accounts.passwords import hash_password
from casework.cases.models import (
    FDI_TEETH,
    CaseNote,
    CaseShare,
    EffectCategory,
    MarkKind,
    Sex,
    ToothState,
)
from casework.cases.references import next_reference
from casework.cases.status import Via, record_transition
from casework.clock import now
from casework.custody.models import CustodyEvent, Sample, SampleKind, SampleStatus
from casework.db import db, transaction
from casework.errors import ValidationError
from casework.matches.models import CandidateMatch, CandidateStatus
from casework.matches.services import rematch_all
from casework.missing.inputs import MissingPersonInput
from casework.missing.models import MissingPerson, MissingPersonStatus, Relative
from casework.remains.inputs import RemainsInput
from casework.remains.models import RemainsCondition, RemainsStatus, UnidentifiedRemains
from casework.repatriation.models import Repatriation, RepatriationStep, StepKind
from casework.repatriation.services import DEFAULT_DUE_DAYS

TEETH = sorted(FDI_TEETH)


@dataclass(frozen=True)
class DemoAgency:
    code: str
    country: str
    name: str
    kind: AgencyKind
    domain: str
    roles: tuple[Role, ...]


HUB = "USA-PIMA-ME"
AGENCIES = (
    DemoAgency(
        HUB,
        "USA",
        "Pima County Office of the Medical Examiner",
        AgencyKind.MEDICAL_EXAMINER,
        "pima-me.demo",
        (Role.FORENSIC_OFFICER, Role.SUPERVISOR, Role.FAMILY_LIAISON, Role.AUDITOR),
    ),
    DemoAgency(
        "GTM-CONS-TUS",
        "GTM",
        "Consulate of Guatemala in Tucson",
        AgencyKind.CONSULATE,
        "gtm-consulate.demo",
        (Role.CONSULAR_OFFICIAL,),
    ),
    DemoAgency(
        "GTM-SEARCH",
        "GTM",
        "Guatemalan search mechanism for missing migrants",
        AgencyKind.SEARCH_MECHANISM,
        "gtm-search.demo",
        (Role.FAMILY_LIAISON,),
    ),
    DemoAgency(
        "HND-SEARCH",
        "HND",
        "Honduran search mechanism for missing migrants",
        AgencyKind.SEARCH_MECHANISM,
        "hnd-search.demo",
        (Role.FAMILY_LIAISON, Role.CONSULAR_OFFICIAL),
    ),
    DemoAgency(
        "PAN-IMELCF",
        "PAN",
        "Panama Institute of Legal Medicine and Forensic Sciences",
        AgencyKind.FORENSIC_INSTITUTE,
        "pan-imelcf.demo",
        (Role.FORENSIC_OFFICER, Role.SUPERVISOR),
    ),
    DemoAgency(
        "ITA-IML-PA",
        "ITA",
        "Institute of Legal Medicine, Palermo",
        AgencyKind.FORENSIC_INSTITUTE,
        "ita-iml.demo",
        (Role.FORENSIC_OFFICER, Role.SUPERVISOR, Role.FAMILY_LIAISON),
    ),
    DemoAgency(
        "ESP-IML-LP",
        "ESP",
        "Institute of Legal Medicine, Las Palmas de Gran Canaria",
        AgencyKind.FORENSIC_INSTITUTE,
        "esp-iml.demo",
        (Role.FORENSIC_OFFICER, Role.SUPERVISOR, Role.FAMILY_LIAISON),
    ),
    DemoAgency(
        "SEN-MAESE",
        "SEN",
        "Senegal Ministry of Foreign Affairs, Senegalese Abroad",
        AgencyKind.FOREIGN_MINISTRY,
        "sen-maese.demo",
        (Role.FAMILY_LIAISON, Role.CONSULAR_OFFICIAL),
    ),
)
ADMIN_AGENCY = HUB
ACCOUNT_LANGUAGE = {"GTM": "es", "HND": "es", "PAN": "es", "ESP": "es", "SEN": "fr"}


@dataclass(frozen=True)
class Corridor:
    name: str
    waypoints: tuple[tuple[float, float], ...]  # lon, lat
    sea: bool
    cultures: tuple[str, ...]
    start_place: str
    found_places: tuple[str, ...]
    forensic_agency: str
    recovered_by: tuple[str, ...]
    lab: str
    share: float  # of all cases


CORRIDORS = (
    Corridor(
        "Sonoran desert",
        ((-111.83, 30.71), (-111.54, 31.48), (-111.33, 31.57), (-111.10, 31.90), (-110.97, 32.22)),
        False,
        ("central_american",),
        "Altar, Sonora",
        ("Arivaca desert", "Tohono O'odham lands", "Sasabe wash", "Three Points", "Altar Valley"),
        HUB,
        ("Border Patrol search and rescue", "Pima County Sheriff", "Humanitarian volunteers"),
        "Human identification laboratory (DNA), Texas",
        0.35,
    ),
    Corridor(
        "Darién",
        ((-76.78, 8.42), (-77.28, 8.51), (-77.45, 8.30), (-77.55, 8.06), (-77.80, 8.36)),
        False,
        ("central_american", "west_african"),
        "Necoclí",
        ("Darién jungle", "Río Tuquesa", "Bajo Chiquito trail", "Cañas Blancas"),
        "PAN-IMELCF",
        ("SENAFRONT patrol", "Emberá community guides", "Red Cross volunteers"),
        "IMELCF genetics laboratory, Panama City",
        0.15,
    ),
    Corridor(
        "central Mediterranean",
        ((12.08, 32.93), (12.30, 34.00), (12.60, 35.50)),
        True,
        ("horn", "west_african", "maghreb"),
        "Zuwara beach",
        ("Lampedusa coast", "at sea south of Lampedusa", "Porto Empedocle", "Pozzallo harbour"),
        "ITA-IML-PA",
        ("Coast Guard", "Guardia di Finanza", "Fishing boat crew"),
        "Forensic genetics laboratory, Palermo",
        0.30,
    ),
    Corridor(
        "Atlantic to the Canaries",
        ((-17.03, 20.93), (-17.20, 24.00), (-17.90, 27.70)),
        True,
        ("west_african", "maghreb"),
        "Nouadhibou",
        ("El Hierro coast", "Arguineguín harbour", "at sea south of Gran Canaria", "La Restinga"),
        "ESP-IML-LP",
        ("Salvamento Marítimo", "Guardia Civil", "Fishing boat crew"),
        "National Institute of Toxicology and Forensic Sciences, Madrid",
        0.20,
    ),
)

GIVEN = {
    "central_american": {
        "M": "José Juan Carlos Luis Jorge Miguel Pedro Mario Wilmer Edwin Óscar Erick Byron Kevin "
        "Josué Elmer Nelson Marvin Walter Héctor Jesús Ángel Santos Denis Brayan Fredy".split(),
        "F": "María Ana Rosa Sandra Karla Glenda Marta Gloria Yesenia Dania Lilian Reina Wendy "
        "Sonia Brenda Heidy Ingrid".split(),
    },
    "maghreb": {
        "M": "Mohamed Youssef Ahmed Karim Mustapha Rachid Hamza Khalid Omar Ayoub Bilal Hassan "
        "Said Yassine Abdelkader Nabil Ismail Adil Hicham".split(),
        "F": "Fatima Khadija Amina Salma Nadia Meryem Houda Samira Zineb".split(),
    },
    "horn": {
        "M": "Yonas Tesfay Dawit Mehari Semere Filmon Abel Biniam Yohannes Samuel Abdi Ahmed "
        "Mohamed Hassan Abdirahman Yusuf Ali Omar Kidane Tekle Habtom Merhawi".split(),
        "F": "Helen Senait Selam Hiwet Saba Fatuma Hodan Amran Luwam Ruta".split(),
    },
    "west_african": {
        "M": "Mamadou Moussa Ibrahima Ousmane Abdoulaye Amadou Lamine Seydou Souleymane Boubacar "
        "Cheikh Modou Alassane Bakary Issa Idrissa Sekou Demba Malick".split(),
        "F": "Aminata Fatoumata Mariama Aissatou Kadiatou Awa Binta Hawa Ramatoulaye".split(),
    },
}
SURNAMES = {
    "central_american": "López García Hernández Martínez González Pérez Rodríguez Ramírez Cruz "
    "Flores Reyes Morales Mejía Castillo Díaz Sánchez Aguilar Chávez Orellana Ventura Barrios "
    "Coc Tzul Xol Pop Caal Choc Ajú Ixcoy Sic Villatoro Alvarado Portillo".split(),
    "maghreb": "Benali Amrani Haddad Bouazza Mansouri Idrissi Tazi Alaoui Chaoui Zerhouni "
    "Benmoussa Belkacem Saidi Khelifi Ouali Bensalem Ghali Boukhari Fassi Hamdi".split(),
    "horn": "Gebremedhin Tekle Haile Kidane Berhe Asfaha Mehari Tesfamariam Woldu Ghebreyesus "
    "Mohamed Abdi Hassan Ali Farah Osman Ahmed Nur Warsame Jama".split(),
    "west_african": "Diallo Traoré Koné Camara Cissé Sow Bah Barry Keita Coulibaly Diop Ndiaye "
    "Sylla Touré Fofana Sangaré Diarra Konaté Sissoko Kanté Baldé Jallow".split(),
}
NATIONALITIES = {
    "central_american": (("GTM", 0.45), ("HND", 0.35), ("SLV", 0.1), ("MEX", 0.1)),
    "maghreb": (("MAR", 0.5), ("TUN", 0.3), ("DZA", 0.2)),
    "horn": (("ERI", 0.5), ("SOM", 0.3), ("ETH", 0.2)),
    "west_african": (("SEN", 0.45), ("GIN", 0.2), ("MLI", 0.15), ("GMB", 0.1), ("CIV", 0.1)),
}
LANGUAGES = {
    "GTM": ("Spanish", "Spanish, K'iche'", "Spanish, Q'eqchi'", "Spanish, Mam"),
    "HND": ("Spanish", "Spanish, Garifuna"),
    "SLV": ("Spanish",),
    "MEX": ("Spanish", "Spanish, Nahuatl"),
    "MAR": ("Arabic, French", "Tamazight, Arabic"),
    "TUN": ("Arabic, French",),
    "DZA": ("Arabic, French", "Kabyle, French"),
    "ERI": ("Tigrinya", "Tigrinya, Arabic"),
    "SOM": ("Somali", "Somali, Arabic"),
    "ETH": ("Amharic", "Oromo, Amharic"),
    "SEN": ("Wolof, French", "Pulaar, French", "Serer, Wolof"),
    "GIN": ("Pulaar, French", "Susu, French"),
    "MLI": ("Bambara, French",),
    "GMB": ("Mandinka, English", "Wolof, English"),
    "CIV": ("French, Dioula",),
}
PHONE_PREFIX = {
    "GTM": "+502",
    "HND": "+504",
    "SLV": "+503",
    "MEX": "+52",
    "MAR": "+212",
    "TUN": "+216",
    "DZA": "+213",
    "ERI": "+291",
    "SOM": "+252",
    "ETH": "+251",
    "SEN": "+221",
    "GIN": "+224",
    "MLI": "+223",
    "GMB": "+220",
    "CIV": "+225",
}
LANGUAGE_CODE = {
    "GTM": "es",
    "HND": "es",
    "SLV": "es",
    "MEX": "es",
    "MAR": "ar",
    "TUN": "ar",
    "DZA": "ar",
    "ERI": "ti",
    "SOM": "so",
    "ETH": "am",
    "SEN": "wo",
    "GMB": "en",
}
RELATIONSHIPS = ("mother", "father", "sister", "brother", "wife", "husband", "son", "daughter")
REPORTING_AGENCY = {"GTM": "GTM-SEARCH", "HND": "HND-SEARCH", "SEN": "SEN-MAESE"}

# (kind, body location, description as the family tells it, descriptions as examiners write it)
MARKS = (
    (MarkKind.TATTOO, "left forearm", "rose", ("rosa", "flower, rose")),
    (MarkKind.TATTOO, "right arm", "name of his mother", ("lettering, a name", "nombre")),
    (MarkKind.SCAR, "forehead", "from a fall as a child", ("healed scar", "cicatriz")),
    (MarkKind.SCAR, "left knee", "surgery scar", ("linear scar", "cicatriz quirúrgica")),
    (MarkKind.BIRTHMARK, "neck", "dark patch", ("pigmented patch", "mancha")),
    (MarkKind.TATTOO, "chest", "cross", ("cruz", "cross")),
    (MarkKind.AMPUTATION, "right hand", "little finger missing", ("fifth finger absent", "")),
    (MarkKind.TATTOO, "back", "eagle", ("aigle", "eagle")),
    (MarkKind.SCAR, "right hand", "burn", ("brûlure", "burn scar")),
    (MarkKind.PIERCING, "left ear", "", ("", "earring hole")),
)
EFFECTS = (
    (EffectCategory.CLOTHING, "black hoodie", ("sudadera con capucha negra", "hooded top, black")),
    (EffectCategory.CLOTHING, "blue jeans", ("vaqueros azules", "denim trousers, blue")),
    (EffectCategory.RELIGIOUS, "wooden rosary", ("rosario", "prayer beads")),
    (EffectCategory.CLOTHING, "red cap", ("gorra roja", "casquette rouge")),
    (EffectCategory.FOOTWEAR, "white sneakers", ("tenis blancos", "baskets blanches")),
    (EffectCategory.OTHER, "orange life jacket", ("chaleco salvavidas", "gilet de sauvetage")),
    (EffectCategory.JEWELLERY, "silver ring", ("anillo de plata", "bague")),
    (EffectCategory.JEWELLERY, "watch", ("reloj", "montre")),
    (EffectCategory.CLOTHING, "green jacket", ("chaqueta verde", "veste verte")),
    (EffectCategory.OTHER, "backpack", ("mochila", "sac à dos")),
    (EffectCategory.RELIGIOUS, "small Quran", ("coran", "Quran, pocket size")),
    (EffectCategory.PHONE, "Samsung phone", ("teléfono móvil", "mobile phone, cracked")),
)
CIRCUMSTANCES = (
    "Left home with a cousin; last call came from {place}, saying the group was about to leave.",
    "Travelled with a group of {n}; the others arrived, this one did not.",
    "A smuggler told the family the person was left behind, sick, near {place}.",
    "Called the family from {place}; the phone has been off since.",
    "Survivors said the boat took on water a day after leaving {place}.",
)
EXCLUSION_REASONS = (
    "DNA reference from the mother excludes parentage at several loci.",
    "Dental chart incompatible: tooth 36 restored before the disappearance, sound post-mortem.",
    "The family confirms he called home two weeks after the recovery date.",
    "Stature and age range cannot fit: the family describes someone far taller.",
    "The tattoo described by the sister is absent from the examined skin.",
)
PROPOSALS = (  # identifiers cited, and the proposer's words
    ("dna", "DNA kinship match with the mother's reference sample."),
    ("dental", "Ante-mortem dental records match, restorations included."),
    ("dna;dental", "DNA kinship match, and the dental chart agrees."),
    ("secondary", "Identity document on the body; tattoo and clothing as the family described."),
)


@dataclass
class SyntheticPerson:
    """Who someone really was: each case shows only part of it, with noise."""

    culture: str
    nationality: str
    sex: Sex
    given: str
    surnames: str
    birth: date
    height: int
    corridor: Corridor
    route: LineString
    last_seen: date
    last_seen_point: tuple[float, float]
    marks: list[int]
    effects: list[int]
    dental: dict[int, ToothState]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: Role
    agency: str


@dataclass(frozen=True)
class DemoWorld:
    accounts: list[DemoAccount]
    missing: int
    remains: int
    candidates: int
    stages: dict[str, int]


class DemoRefused(ValidationError):
    pass


def _at(day: date, rng: random.Random) -> datetime:
    """A working hour on `day`, never later than now."""
    moment = datetime.combine(day, time(rng.randint(7, 18), rng.randint(0, 59)), tzinfo=UTC)
    return min(moment, now())


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def _offset(rng: random.Random, lon: float, lat: float, km: float) -> tuple[float, float]:
    angle = rng.uniform(0, 2 * math.pi)
    dlat = km * math.cos(angle) / 111.2
    dlon = km * math.sin(angle) / (111.2 * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def _names(rng: random.Random, culture: str, sex: str) -> tuple[str, str]:
    given = GIVEN[culture][sex]
    surnames = SURNAMES[culture]
    if culture == "central_american":
        first = rng.choice(given) + (f" {rng.choice(given)}" if rng.random() < 0.5 else "")
        return first, f"{rng.choice(surnames)} {rng.choice(surnames)}"
    if culture == "horn":  # given name, father's name, grandfather's name
        return rng.choice(given), f"{rng.choice(surnames)} {rng.choice(surnames)}"
    return rng.choice(given), rng.choice(surnames)


def _person(
    rng: random.Random, today: date, family: SyntheticPerson | None = None
) -> SyntheticPerson:
    if family is None:
        corridor = rng.choices(CORRIDORS, [c.share for c in CORRIDORS])[0]
        culture = rng.choice(corridor.cultures)
        nationality = _weighted(rng, NATIONALITIES[culture])
        jitter = [(x + rng.gauss(0, 0.05), y + rng.gauss(0, 0.05)) for x, y in corridor.waypoints]
        route = LineString(jitter)
        last_seen = today - timedelta(days=rng.randint(120, 6 * 365))
        start = route.interpolate(rng.uniform(0, 0.15), normalized=True)
        point = _offset(rng, start.x, start.y, rng.uniform(0, 10))
    else:
        corridor, culture, nationality = family.corridor, family.culture, family.nationality
        route = family.route
        last_seen = family.last_seen + timedelta(days=rng.randint(-1, 1))
        point = _offset(rng, *family.last_seen_point, rng.uniform(0, 3))
    sex = Sex.MALE if rng.random() < 0.8 else Sex.FEMALE
    given, surnames = _names(rng, culture, sex.value)
    if family is not None:
        surnames = family.surnames
    dental = {}
    for tooth in TEETH:
        roll = rng.random()
        dental[tooth] = (
            ToothState.MISSING
            if roll < 0.05
            else ToothState.FILLED
            if roll < 0.12
            else ToothState.CROWN
            if roll < 0.14
            else ToothState.SOUND
        )
    return SyntheticPerson(
        culture=culture,
        nationality=nationality,
        sex=sex,
        given=given,
        surnames=surnames,
        birth=last_seen - timedelta(days=int(rng.uniform(15, 55) * 365.25)),
        height=round(rng.gauss(169 if sex is Sex.MALE else 158, 7)),
        corridor=corridor,
        route=route,
        last_seen=last_seen,
        last_seen_point=point,
        marks=rng.sample(range(len(MARKS)), rng.choice((0, 0, 1, 1, 2))),
        effects=rng.sample(range(len(EFFECTS)), rng.randint(0, 3)),
        dental=dental,
    )


def _plain(text: str) -> str:
    return text.translate(str.maketrans("áéíóúÁÉÍÓÚñ", "aeiouAEIOUn"))


class _Builder:
    """Builds rows in the session; the caller commits."""

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
            for role, email in _staff(spec):
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

    def missing_case(self, person: SyntheticPerson) -> MissingPerson:
        rng = self.rng
        corridor = person.corridor
        owner_code = REPORTING_AGENCY.get(person.nationality, corridor.forensic_agency)
        if person.nationality in ("GTM", "HND") and corridor.forensic_agency == HUB:
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
            (kind, location, description or None)
            for kind, location, description, _ in (MARKS[index] for index in person.marks)
        ]
        given["effects"] = [EFFECTS[index][:2] for index in person.effects]
        if rng.random() < 0.25:
            given["dental"] = [
                (tooth, person.dental[tooth])
                for tooth in sorted(rng.sample(TEETH, rng.randint(4, 12)))
            ]
        MissingPersonInput.parse(given, self.today).store(case)
        case.created_at = case.updated_at = created
        for _ in range(rng.choice((1, 1, 2))):
            self.relative(case, person, registered, registrar)
        if owner_code != corridor.forensic_agency:
            self.share(case, owner_code, corridor.forensic_agency, registered)
        db.session.add(case)
        return case

    def relative(
        self, case: MissingPerson, person: SyntheticPerson, registered: date, registrar: User
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
        relative.name = f"{_names(rng, person.culture, sex)[0]} {person.surnames.split()[0]}"
        number = f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        relative.contact = f"{PHONE_PREFIX[person.nationality]} {number}"
        case.relatives.append(relative)
        if consent and rng.random() < 0.5:
            collected = _at(registered + timedelta(days=rng.randint(1, 30)), rng)
            if collected.date() <= self.today:
                sample = self.sample(SampleKind.REFERENCE, collected, relative_id=relative.id)
                sample.lab = case_lab = person.corridor.lab
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

    def remains_case(self, person: SyntheticPerson) -> UnidentifiedRemains:
        rng = self.rng
        corridor = person.corridor
        agency = self.agencies[corridor.forensic_agency]
        officer = self.user_of(corridor.forensic_agency, Role.FORENSIC_OFFICER)
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
        given["recovery_lon"], given["recovery_lat"] = _offset(rng, spot.x, spot.y, spread)
        given["recovery_uncertainty_m"] = rng.choice((10, 50, 100, 500, 2000))
        given["recovered_by"] = rng.choice(corridor.recovered_by)
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
            kind, location, _, variants = MARKS[index]
            if rng.random() < 0.5 and condition is not RemainsCondition.SKELETONISED:
                given["marks"].append((kind, location, rng.choice(variants) or None))
        given["effects"] = []
        for index in person.effects:
            category, _, variants = EFFECTS[index]
            if rng.random() < 0.6:
                given["effects"].append((category, rng.choice(variants)))
        if rng.random() < 0.6:
            given["dental"] = [
                (tooth, person.dental[tooth]) for tooth in TEETH if rng.random() < 0.6
            ]
        RemainsInput.parse(given, self.today).store(case)
        case.created_at = case.updated_at = created
        db.session.add(case)
        self.remains_custody(case, corridor, officer)
        return case

    def remains_custody(self, case: UnidentifiedRemains, corridor: Corridor, officer: User) -> None:
        rng = self.rng
        arrival = _at(case.recovery_date, rng)
        morgue = self.agencies[corridor.forensic_agency].name
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
            sample.lab = corridor.lab
            sample.status = rng.choice(
                (SampleStatus.COLLECTED, SampleStatus.SENT_TO_LAB)
                + (SampleStatus.RECEIVED_BY_LAB, SampleStatus.PROFILED, SampleStatus.PROFILED)
            )
            steps = [(morgue, "Courier", "Sent for DNA profiling")]
            if sample.status in (SampleStatus.RECEIVED_BY_LAB, SampleStatus.PROFILED):
                steps.append(("Courier", corridor.lab, "DNA extraction and profiling"))
            if sample.status is SampleStatus.COLLECTED:
                steps = []
            self.custody(sample=sample, steps=tuple(steps), start=collected, user=officer)


def _moved(
    case: MissingPerson | UnidentifiedRemains,
    target: MissingPersonStatus | RemainsStatus,
    via: Via,
    user: User | None,
    at: datetime,
    reason: str | None = None,
) -> None:
    """A status change through the status machine's own rules, dated when it happened."""
    record_transition(case, target, user, reason, via=via).changed_at = at


def _decide(builder: _Builder, truth: dict[object, object], stages: dict[str, int]) -> None:
    """Put some candidates at each stage, as reviewers would have: true pairs identified or
    proposed, some false ones excluded with a reason."""
    rng = builder.rng
    rows = sorted(
        db.session.scalars(select(CandidateMatch)),
        key=lambda row: (-row.score, row.remains.reference, row.missing_person.reference),
    )
    true_pairs = [row for row in rows if truth.get(row.remains_id) == row.missing_person_id]
    true_pairs.sort(key=lambda row: row.remains.reference)
    decided_cases: set[object] = set()
    for number, row in enumerate(true_pairs):
        remains, person = row.remains, row.missing_person
        code = next(c for c, a in builder.agencies.items() if a.id == remains.agency_id)
        officer = builder.user_of(code, Role.FORENSIC_OFFICER)
        supervisor = builder.user_of(code, Role.SUPERVISOR)
        if number % 5 in (3, 4):
            continue
        start = max(remains.created_at, person.created_at)
        span = max(1, (now() - start).days)
        proposed_at = start + timedelta(days=rng.randint(0, span - 1) * 0.7)
        row.identifiers, row.decision_reason = rng.choice(PROPOSALS)
        row.proposed_by_id, row.proposed_at = officer.id, proposed_at
        decided_cases.update((remains.id, person.id))
        review = Via.MATCHING
        _moved(remains, RemainsStatus.CANDIDATE_UNDER_REVIEW, review, officer, proposed_at)
        _moved(person, MissingPersonStatus.CANDIDATE_UNDER_REVIEW, review, officer, proposed_at)
        if number % 5 == 1:
            row.status = CandidateStatus.IDENTIFICATION_PROPOSED
            remains.updated_at = person.updated_at = proposed_at
            stages["identification_proposed"] += 1
            continue
        decided_at = proposed_at + (now() - proposed_at) * rng.uniform(0.05, 0.3)
        row.status = CandidateStatus.CONFIRMED
        row.decided_by_id, row.decided_at = supervisor.id, decided_at
        _moved(remains, RemainsStatus.IDENTIFIED, Via.IDENTIFICATION, supervisor, decided_at)
        remains.identified_as_id = person.id
        _moved(person, MissingPersonStatus.IDENTIFIED, Via.IDENTIFICATION, supervisor, decided_at)
        remains.updated_at = person.updated_at = decided_at
        stages["confirmed"] += 1
        if (now() - decided_at).days > 90 and rng.random() < 0.4:
            builder.repatriated.add(remains.id)
            consulate = {"GTM": "Consulate of Guatemala", "SEN": "Senegal Foreign Ministry"}
            builder.custody(
                remains=remains,
                steps=(
                    (
                        builder.agencies[code].name,
                        consulate.get(person.nationality or "", "Funeral home (repatriation)"),
                        "Released to the family for repatriation",
                    ),
                ),
                start=decided_at + timedelta(days=rng.randint(20, 60)),
                user=supervisor,
            )
    builder.settle()
    false_pairs = [
        row
        for row in rows
        if truth.get(row.remains_id) != row.missing_person_id
        and row.remains_id not in decided_cases
        and row.missing_person_id not in decided_cases
    ]
    best_per_remains: dict[object, CandidateMatch] = {}
    for row in false_pairs:  # rows run from the highest score down
        best_per_remains.setdefault(row.remains_id, row)
    for number, row in enumerate(best_per_remains.values()):
        if number % 3:
            continue
        code = next(c for c, a in builder.agencies.items() if a.id == row.remains.agency_id)
        row.status = CandidateStatus.EXCLUDED
        row.decision_reason = rng.choice(EXCLUSION_REASONS)
        row.excluded_digest = row.evidence_digest
        row.decided_by_id = builder.user_of(code, Role.FORENSIC_OFFICER).id
        row.decided_at = now() - timedelta(hours=rng.randint(1, 24 * 30))
        stages["excluded"] += 1


# the order a consul usually gets the steps done in; a burial instead of a hand-over is rare
_REPATRIATION_ORDER = (
    StepKind.FAMILY_NOTIFIED,
    StepKind.DEATH_CERTIFICATE,
    StepKind.FAMILY_CONSENT,
    StepKind.TRANSIT_PERMIT,
    StepKind.TRANSPORT,
    StepKind.HANDED_OVER,
)
REPATRIATION_NOTES = (
    "Family reached by phone through the consulate; they asked for a visit.",
    "Certificate requested from the county registrar.",
    "Airline cargo booked; waiting for the transit permit.",
    "Funeral home in the home town confirmed.",
)


def _repatriations(builder: _Builder, stages: dict[str, int]) -> None:
    """Repatriations for most confirmed identifications: those whose remains went home are
    complete, the others at some step, the older ones with overdue steps."""
    rng, today = builder.rng, builder.today
    consuls = {
        builder.agencies[code].country: user
        for (code, role), user in builder.staff.items()
        if role is Role.CONSULAR_OFFICIAL
    }
    confirmed = sorted(
        db.session.scalars(
            select(CandidateMatch).where(CandidateMatch.status == CandidateStatus.CONFIRMED)
        ),
        key=lambda row: row.remains.reference,
    )
    for number, row in enumerate(confirmed):
        remains, person = row.remains, row.missing_person
        identified_on = (row.decided_at or now()).date()
        span = (today - identified_on).days
        finished = remains.id in builder.repatriated
        if span < 2 or (not finished and number % 4 == 3):
            continue  # identified too recently, or the consul has not started yet
        start = identified_on + timedelta(days=rng.randint(1, min(10, span - 1)))
        consul = consuls.get(person.nationality or "")
        repatriation = Repatriation(
            remains_id=remains.id,
            missing_person_id=person.id,
            identified_on=identified_on,
            started_by_id=consul.id if consul else None,
            started_at=datetime.combine(start, time(10), UTC),
        )
        steps = {}
        for kind in StepKind:
            days = DEFAULT_DUE_DAYS[kind]
            steps[kind] = RepatriationStep(
                kind=kind, due_date=start + timedelta(days=days) if days is not None else None
            )
            repatriation.steps.append(steps[kind])
        done = len(_REPATRIATION_ORDER) if finished else rng.randint(0, 4)
        room = max(0, (today - start).days)
        day = start
        for kind in _REPATRIATION_ORDER[:done]:
            day = min(today, day + timedelta(days=rng.randint(0, max(0, room // 6))))
            steps[kind].completed_on = day
            steps[kind].responsible_user_id = consul.id if consul else None
            if rng.random() < 0.4:
                steps[kind].notes = rng.choice(REPATRIATION_NOTES)
        if finished:
            repatriation.closed_on = steps[StepKind.HANDED_OVER].completed_on
            handed_over = datetime.combine(repatriation.closed_on, time(16), UTC)
            _moved(remains, RemainsStatus.REPATRIATED, Via.WORKFLOW, consul, handed_over)
            stages["repatriations_complete"] += 1
        else:
            stages["repatriations_open"] += 1
        db.session.add(repatriation)
    db.session.flush()


def synthetic_people(count: int, seed: int, today: date) -> list[SyntheticPerson]:
    """The people behind the demo cases, some travelling with relatives; the same for a seed.

    Example:
        >>> people = synthetic_people(3, seed=1, today=date(2026, 6, 1))
        >>> len(people)
        3
    """
    rng = random.Random(seed)
    people: list[SyntheticPerson] = []
    while len(people) < count:
        head = _person(rng, today)
        people.append(head)
        if rng.random() < 0.08:  # relatives travelling together
            people.extend(_person(rng, today, family=head) for _ in range(rng.randint(1, 3)))
    return people[:count]


def cases_exist() -> bool:
    return bool(
        db.session.scalar(select(func.count()).select_from(MissingPerson))
        or db.session.scalar(select(func.count()).select_from(UnidentifiedRemains))
    )


def build_world(cases: int, seed: int, password: str) -> DemoWorld:
    """Fill an empty database with `cases` missing persons and as many remains, reproducibly.

    Example:
        >>> world = build_world(20, seed=1, password="a long demo password")  # doctest: +SKIP
        >>> world.missing, world.remains  # doctest: +SKIP
        (20, 20)
    """
    if cases_exist():
        raise DemoRefused(
            _l("The database already holds cases: the demo only fills an empty database.")
        )
    taken = db.session.scalar(select(User.email).where(User.email.in_(_demo_emails())).limit(1))
    if taken is not None:
        raise DemoRefused(
            _l(
                "The demo account %(email)s exists already: start from an empty database.",
                email=taken,
            )
        )
    today = now().date()
    people = synthetic_people(cases, seed, today)
    rng = random.Random(f"{seed}:cases")
    builder = _Builder(rng, today)
    with transaction():
        accounts = builder.agencies_and_accounts(password)
        missing = []
        for person in people:
            missing.append(builder.missing_case(person))
            db.session.flush()  # next_reference reads its counter from the database
        truth: dict[object, object] = {}
        reported = rng.sample(range(cases), int(cases * 0.7))
        for slot in reported:
            case = builder.remains_case(people[slot])
            truth[case.id] = missing[slot].id
            db.session.flush()
        while len(truth) < cases:  # remains of people nobody reported (yet)
            case = builder.remains_case(_person(rng, today))
            truth[case.id] = None
            db.session.flush()  # the case's status and creation time are set on insert
            if (today - case.recovery_date).days > 3 * 365 and rng.random() < 0.3:
                buried = min(now(), case.created_at + timedelta(days=rng.randint(180, 720)))
                officer = db.session.get(User, case.created_by_id)
                reason = "Buried in the county cemetery, plot recorded; samples kept."
                _moved(case, RemainsStatus.BURIED_UNIDENTIFIED, Via.FORM, officer, buried, reason)
            db.session.flush()
        builder.settle()
        dead = set(reported)
        unmatched = [m for i, m in enumerate(missing) if i not in dead]
        for case in unmatched[: max(1, cases // 40)]:
            heard = min(now(), case.created_at + timedelta(days=rng.randint(10, 90)))
            liaison = db.session.get(User, case.created_by_id)
            reason = "The family heard from this person."
            _moved(case, MissingPersonStatus.FOUND_ALIVE, Via.FORM, liaison, heard, reason)
            note = CaseNote(missing_person_id=case.id, author_id=case.created_by_id)
            note.body = "The family heard from this person: detained, alive, in contact again."
            note.created_at = heard
            case.notes.append(note)
            case.updated_at = note.created_at
    candidates = rematch_all()
    stages = {
        "excluded": 0,
        "identification_proposed": 0,
        "confirmed": 0,
        "repatriations_open": 0,
        "repatriations_complete": 0,
    }
    with transaction():
        _decide(builder, truth, stages)
        _repatriations(builder, stages)
    return DemoWorld(
        accounts=accounts,
        missing=cases,
        remains=cases,
        candidates=candidates,
        stages=stages,
    )


def _staff(spec: DemoAgency) -> list[tuple[Role, str]]:
    """The demo accounts of an agency: role and e-mail address."""
    roles = spec.roles + (
        (Role.ADMINISTRATOR, Role.SYSTEM_ADMINISTRATOR) if spec.code == ADMIN_AGENCY else ()
    )
    return [(role, f"{role.value.replace('_', '.')}@{spec.domain}") for role in roles]


def _demo_emails() -> list[str]:
    return [email for spec in AGENCIES for _, email in _staff(spec)]


__all__ = [
    "AGENCIES",
    "CORRIDORS",
    "DemoAccount",
    "DemoRefused",
    "DemoWorld",
    "SyntheticPerson",
    "build_world",
    "synthetic_people",
]
