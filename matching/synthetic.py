"""A synthetic world with known truth: the people who went missing, and the cases that record
them, for the matching benchmarks (`bench/`) and the demo database (`casework demo`).

Four corridors (Sonoran desert, Darién, central Mediterranean, Atlantic to the Canaries), four
naming cultures, transliteration and typing noise, relatives travelling together, partial
documents, remains of people nobody reported, and many empty fields. `synthetic_people` draws
the truth; `generate` turns it into the engine's records with noise; the demo turns the same
people into database rows its own way. A seed gives the same world every time: the benchmark's
figures are comparable from run to run only while this module draws the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
from shapely.geometry import LineString

from matching.records import DentalEntry, Mark, MissingRecord, RemainsRecord, Sex, ToothState
from matching.vocabulary import parse_mark


@dataclass(frozen=True)
class Corridor:
    """A migration route: where people set out, the way they take, where the dead are found."""

    name: str
    waypoints: tuple[tuple[float, float], ...]  # lon, lat
    sea: bool
    cultures: tuple[str, ...]
    start_place: str
    found_places: tuple[str, ...]
    share: float  # of the people on all corridors


CORRIDORS = (
    Corridor(
        "sonoran",
        ((-111.83, 30.71), (-111.54, 31.48), (-111.33, 31.57), (-111.10, 31.90), (-110.97, 32.22)),
        False,
        ("central_american",),
        "Altar, Sonora",
        ("Arivaca desert", "Tohono O'odham lands", "Sasabe wash", "Three Points"),
        0.3,
    ),
    Corridor(
        "darien",
        ((-76.78, 8.42), (-77.28, 8.51), (-77.45, 8.30), (-77.55, 8.06), (-77.80, 8.36)),
        False,
        ("central_american", "west_african"),
        "Necoclí",
        ("Darién jungle", "Río Tuquesa", "Bajo Chiquito trail"),
        0.2,
    ),
    Corridor(
        "central_med",
        ((12.08, 32.93), (12.30, 34.00), (12.60, 35.50)),
        True,
        ("horn", "west_african", "maghreb"),
        "Zuwara beach",
        ("Lampedusa coast", "at sea south of Lampedusa", "Zuwara shore", "Sabratha beach"),
        0.3,
    ),
    Corridor(
        "atlantic",
        ((-17.03, 20.93), (-17.20, 24.00), (-17.90, 27.70)),
        True,
        ("west_african", "maghreb"),
        "Nouadhibou",
        ("El Hierro coast", "at sea off Dakhla", "Playa de Arguineguín", "Tarfaya beach"),
        0.2,
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
    "Coc Tzul Xol Pop Caal Choc Ajú Ixcoy Sic de León Villatoro del Cid Alvarado Portillo".split(),
    "maghreb": "Benali Amrani Haddad Bouazza Mansouri Idrissi Tazi Alaoui Chaoui Zerhouni "
    "Benmoussa Belkacem Saidi Khelifi Ouali Bensalem Ghali Boukhari Fassi Hamdi".split(),
    "west_african": "Diallo Traoré Koné Camara Cissé Sow Bah Barry Keita Coulibaly Diop Ndiaye "
    "Sylla Touré Fofana Sangaré Diarra Konaté Sissoko Kanté Baldé Jallow".split(),
}
VARIANTS = {
    "mohamed": ["Mohammed", "Muhammad", "Mohamad", "Mamadou"],
    "youssef": ["Yusuf", "Youssouf", "Yousef"],
    "yusuf": ["Youssef", "Yousif"],
    "ahmed": ["Ahmad", "Ahmet"],
    "mustapha": ["Mustafa", "Moustapha"],
    "hassan": ["Hasan", "Hassane"],
    "khalid": ["Khaled"],
    "fatima": ["Fatma", "Fatimah"],
    "meryem": ["Mariam", "Maryam"],
    "tesfay": ["Tesfaye", "Tesfai"],
    "yohannes": ["Yohanes"],
    "abdirahman": ["Abdulrahman", "Abderrahmane"],
    "moussa": ["Musa", "Mousa"],
    "ibrahima": ["Ibrahim", "Brahim"],
    "ousmane": ["Usman", "Osman"],
    "souleymane": ["Suleiman", "Soulaymane"],
    "abdoulaye": ["Abdullahi", "Abdallah"],
    "traoré": ["Traore"],
    "koné": ["Kone"],
    "diallo": ["Jallow", "Jalloh"],
    "touré": ["Toure"],
    "tekle": ["Tecle", "Teklay"],
    "gebremedhin": ["Ghebremedhin", "Gebremedin"],
    "fatoumata": ["Fatuma", "Fatimata"],
}
FATHER_NAMES_HORN = "Gebremedhin Tekle Haile Kidane Berhe Asfaha Mehari Tesfamariam Woldu "
FATHER_NAMES_HORN += "Ghebreyesus Mohamed Abdi Hassan Ali Farah Osman Ahmed Nur Warsame Jama"
HORN_FATHERS = FATHER_NAMES_HORN.split()


@dataclass(frozen=True)
class SyntheticMark:
    """A mark on someone's body: as the family tells it in one line, in parts, and as examiners
    have written it on remains (in several languages)."""

    told: str
    kind: str
    location: str
    description: str
    examined: tuple[str, ...]


MARKS = (
    SyntheticMark(
        "tattoo left forearm rose",
        "tattoo",
        "left forearm",
        "rose",
        ("tatuaje antebrazo izquierdo rosa", "tattoo left arm flower rose"),
    ),
    SyntheticMark(
        "tattoo right arm name of mother",
        "tattoo",
        "right arm",
        "name of his mother",
        ("tattoo right upper arm lettering name", "tatuaje brazo derecho nombre"),
    ),
    SyntheticMark(
        "scar on forehead", "scar", "forehead", "", ("cicatriz frente", "healed scar forehead")
    ),
    SyntheticMark(
        "scar left knee", "scar", "left knee", "", ("scar left knee", "cicatriz rodilla izquierda")
    ),
    SyntheticMark(
        "birthmark on neck",
        "birthmark",
        "neck",
        "dark patch",
        ("mancha de nacimiento cuello", "birthmark neck"),
    ),
    SyntheticMark(
        "tattoo chest cross",
        "tattoo",
        "chest",
        "cross",
        ("tatuaje pecho cruz", "tattoo on chest cross"),
    ),
    SyntheticMark(
        "amputated finger right hand",
        "amputation",
        "right hand",
        "a finger missing",
        ("amputation right hand finger", "amputación dedo mano derecha"),
    ),
    SyntheticMark(
        "mole on left cheek",
        "birthmark",
        "left cheek",
        "mole",
        ("lunar mejilla izquierda", "mole left cheek"),
    ),
    SyntheticMark(
        "tattoo back eagle", "tattoo", "back", "eagle", ("tatouage dos aigle", "tattoo back eagle")
    ),
    SyntheticMark(
        "burn scar right hand",
        "scar",
        "right hand",
        "burn",
        ("brûlure main droite", "burn right hand"),
    ),
    SyntheticMark(
        "piercing left ear",
        "piercing",
        "left ear",
        "",
        ("piercing left ear", "perforación oreja izquierda"),
    ),
)


@dataclass(frozen=True)
class SyntheticEffect:
    """Something a person wore or carried: as the family describes it, and as examiners have
    written it on the effects found with remains."""

    told: str
    category: str
    examined: tuple[str, ...]


EFFECTS = (
    SyntheticEffect(
        "black hoodie", "clothing", ("sudadera con capucha negra", "hooded sweatshirt black")
    ),
    SyntheticEffect("blue jeans", "clothing", ("vaqueros azules", "denim trousers blue")),
    SyntheticEffect("rosary", "religious", ("prayer beads", "rosario", "chapelet")),
    SyntheticEffect("red cap", "clothing", ("gorra roja", "casquette rouge")),
    SyntheticEffect("white sneakers", "footwear", ("tenis blancos", "baskets blanches")),
    SyntheticEffect("life jacket orange", "other", ("chaleco salvavidas", "gilet de sauvetage")),
    SyntheticEffect("silver ring", "jewellery", ("anillo", "bague")),
    SyntheticEffect("watch", "jewellery", ("reloj", "montre")),
    SyntheticEffect("green jacket", "clothing", ("chaqueta verde", "veste verte")),
    SyntheticEffect("backpack", "other", ("mochila", "sac à dos")),
    SyntheticEffect("quran", "religious", ("coran",)),
    SyntheticEffect("bracelet", "jewellery", ("pulsera", "bracelet")),
    SyntheticEffect("grey t-shirt", "clothing", ("camiseta gris", "tee-shirt gris")),
    SyntheticEffect("sandals", "footwear", ("chanclas", "sandales")),
)
TEETH = [q * 10 + t for q in (1, 2, 3, 4) for t in range(1, 9)]


@dataclass(frozen=True)
class Era:
    """When people went missing: on one of `days` days from `first_day`."""

    first_day: date
    days: int


BENCHMARK_ERA = Era(date(2014, 1, 1), 10 * 365)


@dataclass(frozen=True)
class SyntheticPerson:
    """Who someone really was; each case shows only part of it, with noise. `marks` and
    `effects` index `MARKS` and `EFFECTS`; `family` is the person one travelled with."""

    culture: str
    sex: str  # "M" or "F"
    given: tuple[str, ...]
    surnames: tuple[str, ...]
    birth: date
    height: float
    corridor: Corridor
    route: LineString
    last_seen: date
    last_seen_point: tuple[float, float]  # lon, lat
    marks: tuple[int, ...]
    effects: tuple[int, ...]
    dental: dict[int, ToothState]
    family: SyntheticPerson | None = None


@dataclass
class SyntheticCases:
    """Generated cases and the truth: remains ref -> missing ref (None: never reported)."""

    missing: list[MissingRecord]
    remains: list[RemainsRecord]
    truth: dict[str, str | None]


def moved_by(lon: float, lat: float, km: float, bearing: float) -> tuple[float, float]:
    """The point `km` away from (lon, lat) towards `bearing` (radians from north), on a sphere
    flat enough at these distances.

    Example:
        >>> lon, lat = moved_by(0.0, 0.0, 111.2, 0.0)
        >>> round(lon, 6), round(lat, 6)
        (0.0, 1.0)
    """
    dlat = km * math.cos(bearing) / 111.2
    dlon = km * math.sin(bearing) / (111.2 * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def _typo(rng: np.random.Generator, word: str) -> str:
    if len(word) < 5:
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = rng.integers(3)
    letters = "aeinorstlmu"
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + letters[int(rng.integers(len(letters)))] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _spell(rng: np.random.Generator, name: str, typo_rate: float) -> str:
    words = []
    for word in name.split():
        options = VARIANTS.get(word.lower())
        if options and rng.random() < 0.5:
            word = options[int(rng.integers(len(options)))]
        if rng.random() < 0.3:
            word = word.replace("é", "e").replace("á", "a").replace("í", "i").replace("ó", "o")
        if rng.random() < typo_rate:
            word = _typo(rng, word)
        if rng.random() < 0.2:
            word = word.upper()
        words.append(word)
    return " ".join(words)


def _pick(rng: np.random.Generator, items: tuple[str, ...] | list[str]) -> str:
    return items[int(rng.integers(len(items)))]


def _names(
    rng: np.random.Generator, culture: str, sex: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    given_pool = GIVEN[culture][sex]
    if culture == "central_american":
        given = [_pick(rng, given_pool)] + ([_pick(rng, given_pool)] if rng.random() < 0.5 else [])
        pool = SURNAMES[culture]
        return tuple(given), (_pick(rng, pool), _pick(rng, pool))
    if culture == "horn":  # given name, father's name, grandfather's name
        return (_pick(rng, given_pool),), (_pick(rng, HORN_FATHERS), _pick(rng, HORN_FATHERS))
    if culture == "maghreb":
        prefix = "Ben " if rng.random() < 0.2 else "El " if rng.random() < 0.2 else ""
        return (_pick(rng, given_pool),), (prefix + _pick(rng, SURNAMES[culture]),)
    return (_pick(rng, given_pool),), (_pick(rng, SURNAMES[culture]),)


def _point_along(
    rng: np.random.Generator, route: LineString, low: float, high: float
) -> tuple[float, float, float]:
    fraction = float(rng.uniform(low, high))
    point = route.interpolate(fraction, normalized=True)
    return point.x, point.y, fraction


def _offset(rng: np.random.Generator, lon: float, lat: float, km: float) -> tuple[float, float]:
    return moved_by(lon, lat, km, float(rng.uniform(0, 2 * math.pi)))


def synthetic_person(
    rng: np.random.Generator, era: Era = BENCHMARK_ERA, family: SyntheticPerson | None = None
) -> SyntheticPerson:
    """One person; with `family`, a relative who set out with them (same corridor, culture,
    surnames and route, last seen within a day and a few kilometres)."""
    if family is not None:
        corridor, culture = family.corridor, family.culture
    else:
        corridor = CORRIDORS[int(rng.choice(len(CORRIDORS), p=[c.share for c in CORRIDORS]))]
        culture = corridor.cultures[int(rng.integers(len(corridor.cultures)))]
    sex = "M" if rng.random() < 0.82 else "F"
    given, surnames = _names(rng, culture, sex)
    if family is not None:
        surnames = family.surnames
    height = float(rng.normal(169 if sex == "M" else 158, 7))
    jitter = np.asarray(corridor.waypoints) + rng.normal(0, 0.05, (len(corridor.waypoints), 2))
    route = LineString(jitter) if family is None else family.route
    if family is None:
        last_seen = era.first_day + timedelta(days=int(rng.integers(0, era.days)))
        lon, lat, _ = _point_along(rng, route, 0.0, 0.15)
        last_seen_point = _offset(rng, lon, lat, float(rng.uniform(0, 10)))
    else:
        last_seen = family.last_seen + timedelta(days=int(rng.integers(-1, 2)))
        last_seen_point = _offset(rng, *family.last_seen_point, float(rng.uniform(0, 3)))
    birth = last_seen - timedelta(days=int(rng.uniform(15, 50) * 365.25))
    marks = (int(rng.integers(len(MARKS))),) if rng.random() < 0.3 else ()
    effects = (
        tuple(sorted({int(i) for i in rng.integers(0, len(EFFECTS), int(rng.integers(1, 4)))}))
        if rng.random() < 0.5
        else ()
    )
    dental: dict[int, ToothState] = {}
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
        sex=sex,
        given=given,
        surnames=surnames,
        birth=birth,
        height=height,
        corridor=corridor,
        route=route,
        last_seen=last_seen,
        last_seen_point=last_seen_point,
        marks=marks,
        effects=effects,
        dental=dental,
        family=family,
    )


def synthetic_people(
    rng: np.random.Generator, count: int, era: Era = BENCHMARK_ERA
) -> list[SyntheticPerson]:
    """`count` people, some travelling with relatives (8 % of groups); the same for the same
    generator state.

    Example:
        >>> people = synthetic_people(np.random.default_rng(1), 3)
        >>> len(people), people[0].corridor.name
        (3, 'central_med')
    """
    people: list[SyntheticPerson] = []
    while len(people) < count:
        head = synthetic_person(rng, era)
        people.append(head)
        if rng.random() < 0.08:
            for _ in range(int(rng.integers(1, 4))):
                people.append(synthetic_person(rng, era, family=head))
    return people[:count]


def _missing_record(rng: np.random.Generator, person: SyntheticPerson, ref: str) -> MissingRecord:
    age_years = (person.last_seen - person.birth).days / 365.25
    roll = rng.random()
    birth_date = person.birth if roll < 0.2 else None
    birth_year = person.birth.year if 0.2 <= roll < 0.3 else None
    age = float(int(age_years)) if 0.3 <= roll < 0.9 else None
    height = (
        float(round((person.height + rng.normal(0, 3)) / 5) * 5) if rng.random() < 0.7 else None
    )
    has_point = rng.random() < 0.75
    has_route = rng.random() < 0.6 or not has_point
    chart: tuple[DentalEntry, ...] = ()
    if rng.random() < 0.12:
        teeth = rng.choice(TEETH, int(rng.integers(4, 12)), replace=False)
        chart = tuple(DentalEntry(int(t), person.dental[int(t)]) for t in sorted(teeth))
    return MissingRecord(
        ref=ref,
        given_names=tuple(_spell(rng, g, 0.05) for g in person.given),
        surnames=tuple(_spell(rng, s, 0.05) for s in person.surnames)
        if rng.random() < 0.97
        else (),
        aliases=(),
        sex=Sex(person.sex) if rng.random() < 0.97 else Sex.UNKNOWN,
        birth_date=birth_date,
        birth_year=birth_year,
        age=age,
        height_cm=height,
        last_seen_date=person.last_seen if rng.random() < 0.9 else None,
        last_seen_lat=person.last_seen_point[1] if has_point else None,
        last_seen_lon=person.last_seen_point[0] if has_point else None,
        last_seen_place=person.corridor.start_place if rng.random() < 0.5 else "",
        route=person.route if has_route else None,
        sea_crossing=True if person.corridor.sea and rng.random() < 0.5 else None,
        marks=tuple(m for i in person.marks if (m := parse_mark(MARKS[i].told)) is not None),
        effects=tuple(EFFECTS[i].told for i in person.effects),
        dental=chart,
    )


def _remains_record(rng: np.random.Generator, person: SyntheticPerson, ref: str) -> RemainsRecord:
    corridor = person.corridor
    lon, lat, _ = _point_along(rng, person.route, 0.1, 0.95)
    spread = float(rng.uniform(10, 150)) if corridor.sea else float(rng.exponential(8))
    lon, lat = _offset(rng, lon, lat, spread)
    pmi = float(rng.uniform(2, 60)) if corridor.sea else float(rng.uniform(5, 500))
    death = person.last_seen + timedelta(days=int(rng.exponential(6 if corridor.sea else 15)))
    found = death + timedelta(days=int(pmi))
    age_at_death = (death - person.birth).days / 365.25
    sex = person.sex if rng.random() < 0.97 else ("F" if person.sex == "M" else "M")
    sex_value = Sex(sex) if rng.random() < 0.8 else Sex.UNKNOWN
    age_centre = age_at_death + rng.normal(0, 3)
    has_age = rng.random() < 0.75
    has_stature = rng.random() < 0.6
    stature_centre = person.height + rng.normal(0, 3)
    pmi_known = rng.random() < 0.7
    documents: tuple[str, ...] = ()
    if rng.random() < 0.22:
        parts = person.given[:1] + person.surnames
        if rng.random() < 0.5 and len(parts) > 2:
            parts = parts[:2]
        elif rng.random() < 0.3 and len(parts) > 1:
            parts = parts[1:] + parts[:1]
        documents = (_spell(rng, " ".join(parts), 0.15),)
    marks: list[Mark] = []
    for index in person.marks:
        if rng.random() < 0.5:
            mark = parse_mark(_pick(rng, MARKS[index].examined))
            if mark is not None:
                marks.append(mark)
    if rng.random() < 0.1:
        mark = parse_mark(_pick(rng, [item.told for item in MARKS]))
        if mark is not None:
            marks.append(mark)
    effects = [_pick(rng, EFFECTS[i].examined) for i in person.effects if rng.random() < 0.5]
    if rng.random() < 0.2:
        effects.append(_pick(rng, EFFECTS[int(rng.integers(len(EFFECTS)))].examined))
    chart: list[DentalEntry] = []
    if rng.random() < 0.5:
        for tooth in TEETH:
            if rng.random() < 0.6:
                state = person.dental[tooth]
                roll = rng.random()
                if state == ToothState.SOUND and roll < 0.04:
                    state = ToothState.FILLED
                elif roll < 0.05:
                    state = ToothState.MISSING  # lost after death or after the AM record
                chart.append(DentalEntry(tooth, state))
    return RemainsRecord(
        ref=ref,
        sex=sex_value,
        age_min=round(age_centre - 5) if has_age else None,
        age_max=round(age_centre + 5) if has_age else None,
        stature_min_cm=round(stature_centre - 5) if has_stature else None,
        stature_max_cm=round(stature_centre + 5) if has_stature else None,
        found_date=found if rng.random() < 0.97 else None,
        found_lat=lat,
        found_lon=lon,
        found_place=_pick(rng, corridor.found_places),
        pmi_min_days=round(pmi * 0.6) if pmi_known else None,
        pmi_max_days=round(pmi * 1.6 + 3) if pmi_known else None,
        document_names=documents,
        marks=tuple(marks),
        effects=tuple(effects),
        dental=tuple(chart),
    )


def generate(
    missing_count: int, remains_count: int, seed: int = 1, reported_share: float = 0.7
) -> SyntheticCases:
    """Generate cases: ``reported_share`` of the remains belong to someone in the missing list.

    Example:
        >>> cases = generate(50, 10, seed=3)
        >>> len(cases.missing), len(cases.remains)
        (50, 10)
    """
    rng = np.random.default_rng(seed)
    people = synthetic_people(rng, missing_count)
    missing = [_missing_record(rng, p, f"M{i:06d}") for i, p in enumerate(people)]
    reported = min(int(remains_count * reported_share), missing_count)
    dead = rng.choice(missing_count, reported, replace=False)
    remains: list[RemainsRecord] = []
    truth: dict[str, str | None] = {}
    for i, slot in enumerate(dead):
        ref = f"R{i:06d}"
        remains.append(_remains_record(rng, people[int(slot)], ref))
        truth[ref] = missing[int(slot)].ref
    for i in range(reported, remains_count):
        ref = f"R{i:06d}"
        remains.append(_remains_record(rng, synthetic_person(rng), ref))
        truth[ref] = None
    order = rng.permutation(len(remains))
    remains = [remains[int(i)] for i in order]
    return SyntheticCases(missing, remains, truth)


def extra_missing(
    cases: SyntheticCases, count: int, seed: int, prefix: str = "X"
) -> list[MissingRecord]:
    """More missing persons (for the 100,000-case latency check), refs not clashing."""
    rng = np.random.default_rng(seed)
    return [
        replace(_missing_record(rng, synthetic_person(rng), "x"), ref=f"{prefix}{i:07d}")
        for i in range(count)
    ]


def extra_remains(count: int, seed: int) -> list[RemainsRecord]:
    """Remains of unreported people (for the 100,000-case latency check)."""
    rng = np.random.default_rng(seed)
    return [_remains_record(rng, synthetic_person(rng), f"Y{i:07d}") for i in range(count)]


__all__ = [
    "BENCHMARK_ERA",
    "CORRIDORS",
    "EFFECTS",
    "GIVEN",
    "MARKS",
    "SURNAMES",
    "TEETH",
    "Corridor",
    "Era",
    "SyntheticCases",
    "SyntheticEffect",
    "SyntheticMark",
    "SyntheticPerson",
    "extra_missing",
    "extra_remains",
    "generate",
    "moved_by",
    "synthetic_people",
    "synthetic_person",
]
