"""Short forms and nicknames of given names, per naming culture: the data, and its look-up.

Each row is (culture, short form, full forms). A short form may stand for several names
(Beto: Alberto or Roberto); both sides of a pair are looked up, so "Pipe" on a report finds
"FELIPE" on a document and the other way round.

Sources: the rows were compiled by hand from common usage; these references list them (a
row none of them lists is marked "usage" in its comment and is the weakest evidence):
- Spanish: Boyd-Bowman, "Cómo obra la fonética infantil en la formación de los
  hipocorísticos", Nueva Revista de Filología Hispánica 9 (1955); Real Academia Española,
  Diccionario panhispánico de dudas (2005), entry "hipocorístico".
- French: Dauzat, Dictionnaire étymologique des noms de famille et prénoms de France (1951).
- Arabic (Maghreb, Levant, Sudan, the Horn): Schimmel, Islamic Names (1989);
  Ahmed, A Dictionary of Muslim Names (1999).
- West African (Wolof, Pulaar, Mandinka usage of Arabic names): Diouf, Dictionnaire
  wolof-français et français-wolof (2003).
Why a table and not a library: no maintained Python package holds hypocorisms for these
cultures (the English nickname lists on PyPI do not cover them).
"""

from __future__ import annotations

from functools import lru_cache

SHORT_FORMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # Spanish (Mexico, Central America, Spain)
    ("es", "pipe", ("felipe",)),
    ("es", "pepe", ("jose",)),
    ("es", "chepe", ("jose",)),
    ("es", "chema", ("jose maria",)),
    ("es", "lupe", ("guadalupe",)),
    ("es", "chuy", ("jesus",)),
    ("es", "chucho", ("jesus",)),
    ("es", "paco", ("francisco",)),
    ("es", "pancho", ("francisco",)),
    ("es", "curro", ("francisco",)),
    ("es", "kiko", ("francisco", "enrique")),
    ("es", "nacho", ("ignacio",)),
    ("es", "memo", ("guillermo",)),
    ("es", "toño", ("antonio",)),
    ("es", "tono", ("antonio",)),
    ("es", "tony", ("antonio",)),
    ("es", "beto", ("alberto", "roberto", "humberto")),
    ("es", "quique", ("enrique",)),
    ("es", "lalo", ("eduardo",)),
    ("es", "lencho", ("lorenzo",)),
    ("es", "chalo", ("gonzalo", "rosalio")),
    ("es", "goyo", ("gregorio",)),
    ("es", "nando", ("fernando",)),
    ("es", "fer", ("fernando",)),
    ("es", "rafa", ("rafael",)),
    ("es", "tito", ("alberto", "roberto")),
    ("es", "manolo", ("manuel",)),
    ("es", "meño", ("manuel",)),  # usage
    ("es", "chente", ("vicente",)),
    ("es", "checo", ("sergio",)),
    ("es", "poncho", ("alfonso",)),
    ("es", "chon", ("asuncion", "encarnacion")),
    ("es", "concha", ("concepcion",)),
    ("es", "conchita", ("concepcion",)),
    ("es", "lola", ("dolores",)),
    ("es", "lolita", ("dolores",)),
    ("es", "pili", ("pilar",)),
    ("es", "charo", ("rosario",)),
    ("es", "chayo", ("rosario",)),
    ("es", "maru", ("maria eugenia",)),  # usage
    ("es", "male", ("maria elena",)),  # usage
    ("es", "marisa", ("maria luisa",)),
    ("es", "maite", ("maria teresa",)),
    ("es", "tere", ("teresa",)),
    ("es", "nena", ("magdalena",)),
    ("es", "cuca", ("refugio",)),
    ("es", "cuco", ("refugio",)),
    ("es", "licha", ("alicia",)),
    ("es", "paty", ("patricia",)),
    ("es", "fito", ("adolfo", "rodolfo")),
    ("es", "pepito", ("jose",)),
    ("es", "juancho", ("juan",)),
    ("es", "chus", ("jesus",)),
    # French
    ("fr", "jeannot", ("jean",)),
    ("fr", "pierrot", ("pierre",)),
    ("fr", "mimi", ("michel", "michelle")),
    ("fr", "dédé", ("andre",)),
    ("fr", "jojo", ("joseph", "georges")),
    ("fr", "manu", ("emmanuel",)),
    ("fr", "fanfan", ("francois",)),
    ("fr", "nico", ("nicolas",)),
    ("fr", "seb", ("sebastien",)),  # usage
    # Arabic (Maghreb, Levant, Sudan, the Horn)
    ("ar", "hamada", ("muhammad", "ahmad")),
    ("ar", "hamoud", ("muhammad", "mahmud")),
    ("ar", "moha", ("muhammad",)),  # usage
    ("ar", "mido", ("muhammad",)),  # usage
    ("ar", "simo", ("muhammad",)),  # usage
    ("ar", "abboud", ("abdullah", "abdulrahman")),
    ("ar", "aboudi", ("abdullah",)),
    ("ar", "karim", ("abdulkarim",)),
    ("ar", "kader", ("abdelkader",)),
    ("ar", "aziz", ("abdelaziz",)),
    ("ar", "rahman", ("abdulrahman",)),
    ("ar", "latif", ("abdellatif",)),
    ("ar", "salem", ("salim",)),
    ("ar", "fafa", ("fatima",)),  # usage
    ("ar", "touma", ("fatima",)),  # usage
    # West African usage of Arabic and local names
    ("wa", "modou", ("muhammad",)),
    ("wa", "mamadou", ("muhammad",)),
    ("wa", "mamoudou", ("mahmud",)),
    ("wa", "lamine", ("muhammad al amin", "al amin")),
    ("wa", "bamba", ("ahmad",)),
    ("wa", "laye", ("abdoulaye",)),
    ("wa", "assane", ("hasan",)),
    ("wa", "ousseynou", ("husayn",)),
    ("wa", "penda", ("fatima",)),  # usage
    ("wa", "bintou", ("bintu", "fatoumata")),
    ("wa", "fanta", ("fatoumata",)),
    ("wa", "binta", ("bintu",)),
    ("wa", "tidiane", ("ahmad tijani",)),
)


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, ...]]:
    from matching.names import name_keys  # the keys are computed by the name rules

    table: dict[str, list[str]] = {}
    for _culture, short, full_forms in SHORT_FORMS:
        short_keys = name_keys(short)
        if len(short_keys) != 1:
            continue
        for full in full_forms:
            # a compound full form (Chema: Jose Maria) is reached through each of its names
            for key in name_keys(full):
                if key != short_keys[0]:
                    table.setdefault(short_keys[0], []).append(key)
    return {short: tuple(dict.fromkeys(full)) for short, full in table.items()}


def full_form_keys(key: str) -> tuple[str, ...]:
    """Keys of the names a short-form key may stand for (empty when it is none).

    Example:
        >>> from matching.names import name_keys
        >>> name_keys("Felipe")[0] in full_form_keys(name_keys("Pipe")[0])
        True
    """
    return _table().get(key, ())


@lru_cache(maxsize=1)
def _written() -> dict[tuple[str, str], tuple[str, str]]:
    from matching.names import name_keys

    written: dict[tuple[str, str], tuple[str, str]] = {}
    for _culture, short, full_forms in SHORT_FORMS:
        for full in full_forms:
            for key in name_keys(full):
                written.setdefault((name_keys(short)[0], key), (short, full))
    return written


def short_form_text(first: str, second: str) -> str | None:
    """ "Pipe is a short form of Felipe" when one key is a known short form of the other.

    Example:
        >>> from matching.names import name_keys
        >>> short_form_text(name_keys("felipe")[0], name_keys("pipe")[0])
        'Pipe is a short form of Felipe'
    """
    for short, full in ((first, second), (second, first)):
        found = _written().get((short, full))
        if found is not None:
            return f"{found[0].capitalize()} is a short form of {found[1].title()}"
    return None


@lru_cache(maxsize=1)
def _related() -> dict[str, tuple[str, ...]]:
    related: dict[str, list[str]] = {}
    for short, full_forms in _table().items():
        for full in full_forms:
            related.setdefault(short, []).append(full)
            related.setdefault(full, []).append(short)
    return {key: tuple(dict.fromkeys(keys)) for key, keys in related.items()}


def related_keys(key: str) -> tuple[str, ...]:
    """Keys a key is a short form of, or a full form of (both ways).

    Example:
        >>> from matching.names import name_keys
        >>> name_keys("Nacho")[0] in related_keys(name_keys("Ignacio")[0])
        True
    """
    return _related().get(key, ())
