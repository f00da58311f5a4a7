"""Turn records into numeric features and hold them column-wise for vectorised comparison.

Every record becomes one row of numpy columns (NaN or 0 where a value is missing); marks,
effects and dental charts become bit masks, so a whole population compares in a few array ops.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.dental import dental_masks
from matching.geodesy import unit_vectors
from matching.last_seen import KIND_CODES as LAST_SEEN_KIND_CODES
from matching.names import fold_token, name_keys, name_tokens
from matching.records import Mark, MissingRecord, RemainsRecord, Sex
from matching.vocabulary import (
    BODY_REGION_LIST,
    EFFECT_CONCEPT_LIST,
    MARK_KIND_LIST,
    effect_concepts,
    mark_words,
    plain_text,
)

Array = npt.NDArray[Any]
Row = dict[str, Any]

NAN = float("nan")
SEX_CODES = {Sex.UNKNOWN: 0, Sex.MALE: 1, Sex.FEMALE: 2}
ROLE_GIVEN, ROLE_SURNAME, ROLE_DOCUMENT = 1, 2, 0

_SEA_WORDS = frozenset(
    "sea mar mer ocean oceano atlantic atlantico atlantique mediterranean mediterraneo "
    "mediterranee boat barco bateau patera cayuco pirogue zodiac dinghy lancha canarias canary "
    "canaries lampedusa strait estrecho detroit beach playa plage coast costa cote shore orilla "
    "rivage island isla ile harbour harbor puerto port offshore".split()
)


def ordinal(day: date | None) -> float:
    """A date as a day number (NaN when missing), so dates subtract as floats."""
    return float(day.toordinal()) if day is not None else NAN


def mentions_sea(*texts: str) -> bool:
    """Tell whether a place text names the sea, a shore or a boat crossing.

    Example:
        >>> mentions_sea("Playa de Arguineguín, Gran Canaria"), mentions_sea("Sasabe, Sonora")
        (True, False)
    """
    return any(word in _SEA_WORDS for text in texts for word in plain_text(text).split())


def _mark_masks(marks: Iterable[Mark]) -> tuple[int, list[int], int]:
    kinds = 0
    places = [0, 0, 0, 0]
    words = 0
    for mark in marks:
        if mark.kind not in MARK_KIND_LIST:
            continue
        kind = MARK_KIND_LIST.index(mark.kind)
        kinds |= 1 << kind
        if mark.region in BODY_REGION_LIST:
            region = BODY_REGION_LIST.index(mark.region)
            sides = (0,) if mark.side == "left" else (1,) if mark.side == "right" else (0, 1)
            for side in sides:
                bit = (kind * len(BODY_REGION_LIST) + region) * 2 + side
                places[bit // 64] |= 1 << (bit % 64)
        for word in mark_words(mark):
            words |= 1 << (zlib.crc32(word.encode()) % 64)
    return kinds, places, words


def _effect_mask(effects: Iterable[str]) -> int:
    mask = 0
    for text in effects:
        for concept in effect_concepts(text):
            mask |= 1 << EFFECT_CONCEPT_LIST.index(concept)
    return mask


def _common_row(
    marks: tuple[Mark, ...], effects: tuple[str, ...], dental: Any, bloom: bytes | None
) -> Row:
    kinds, places, words = _mark_masks(marks)
    return {
        "marks_kind": kinds,
        "marks_place": places,
        "marks_words": words,
        "effects": _effect_mask(effects),
        "dental": list(dental_masks(dental)),
        "bloom": bloom,
    }


def missing_name_tokens(record: MissingRecord) -> list[tuple[str, int]]:
    """(key, role) of every name token of a missing person, given names and aliases first.

    Example:
        >>> missing_name_tokens(MissingRecord("M1", given_names=("Ana",), surnames=("Ruiz",)))
        [('ana', 1), ('ruis', 2)]
    """
    # a token may take both roles (an alias "Jose Perez" beside the surname "Pérez"): each
    # role is kept, so a document name agrees with the surname as ``score_pair`` finds it
    tokens: dict[tuple[str, int], None] = {}
    for name in record.given_names + record.aliases:
        for key in name_keys(name):
            tokens[(key, ROLE_GIVEN)] = None
    for name in record.surnames:
        for key in name_keys(name):
            tokens[(key, ROLE_SURNAME)] = None
    return list(tokens)


def document_joined_keys(record: RemainsRecord) -> list[str]:
    """Keys of every two adjacent document name tokens written as one word, for a name a
    typist split in two (ISABE LLA, PA INE), other than keys the document already holds
    (an initial is never half of one).

    Example:
        >>> document_joined_keys(RemainsRecord("R1", document_names=("PA INE THOMAS",)))
        ['paini', 'initumas']
    """
    own = set(document_name_keys(record))
    keys: list[str] = []
    for name in record.document_names:
        tokens = name_tokens(name)
        for first, second in zip(tokens, tokens[1:], strict=False):
            if len(first) == 1 or len(second) == 1:
                continue  # an initial is no half of a name
            key = fold_token(first + second)
            if key not in own and key not in keys:
                keys.append(key)
    return keys


def document_name_keys(record: RemainsRecord) -> list[str]:
    """Keys of every distinct token of the names read on documents found with remains."""
    keys: list[str] = []
    for name in record.document_names:
        for key in name_keys(name):
            if key not in keys:
                keys.append(key)
    return keys


def missing_row(record: MissingRecord) -> Row:
    """Numeric features of a missing-person record (one column row)."""
    birth_lo = birth_hi = NAN
    if record.birth_date is not None:
        birth_lo = birth_hi = ordinal(record.birth_date)
    elif record.birth_year is not None:
        birth_lo = float(date(record.birth_year, 1, 1).toordinal())
        birth_hi = float(date(record.birth_year, 12, 31).toordinal())
    last_seen = ordinal(record.last_seen_date)
    age_lo = age_hi = NAN
    if record.age is not None:
        age_lo, age_hi = float(record.age), float(record.age) + 1.0
    elif not np.isnan(birth_lo) and not np.isnan(last_seen):
        age_lo = (last_seen - birth_hi) / 365.25
        age_hi = (last_seen - birth_lo) / 365.25
    point = [NAN, NAN, NAN]
    if record.last_seen_lat is not None and record.last_seen_lon is not None:
        point = unit_vectors(record.last_seen_lat, record.last_seen_lon).tolist()
    sea = record.sea_crossing
    if sea is None:
        sea = mentions_sea(record.last_seen_place)
    tokens = missing_name_tokens(record)
    row: Row = {
        "sex": SEX_CODES[record.sex],
        "birth_lo": birth_lo,
        "birth_hi": birth_hi,
        "age_lo": age_lo,
        "age_hi": age_hi,
        "height": NAN if record.height_cm is None else float(record.height_cm),
        "last_seen": last_seen,
        "point": point,
        "has_route": record.route is not None and not record.route.is_empty,
        "last_seen_kind": LAST_SEEN_KIND_CODES[record.last_seen_kind],
        "sea": bool(sea),
        "has_names": bool(tokens),
    }
    row.update(_common_row(record.marks, record.effects, record.dental, record.name_bloom))
    return row


def remains_row(record: RemainsRecord) -> Row:
    """Numeric features of a remains record (one column row)."""
    point = [NAN, NAN, NAN]
    if record.found_lat is not None and record.found_lon is not None:
        point = unit_vectors(record.found_lat, record.found_lon).tolist()
    sea = record.at_sea
    if sea is None:
        sea = mentions_sea(record.found_place)
    keys = document_name_keys(record)

    def number(value: float | None) -> float:
        return NAN if value is None else float(value)

    row: Row = {
        "sex": SEX_CODES[record.sex],
        "age_min": number(record.age_min),
        "age_max": number(record.age_max),
        "stature_min": number(record.stature_min_cm),
        "stature_max": number(record.stature_max_cm),
        "found": ordinal(record.found_date),
        "pmi_min": number(record.pmi_min_days),
        "pmi_max": number(record.pmi_max_days),
        "point": point,
        "sea": bool(sea),
        "has_names": bool(keys),
        "n_doc": len(keys),
    }
    row.update(_common_row(record.marks, record.effects, record.dental, record.name_bloom))
    return row


_COLUMN_TYPES: dict[str, tuple[Any, tuple[int, ...], Any]] = {
    "sex": (np.int8, (), 0),
    "birth_lo": (np.float32, (), NAN),
    "birth_hi": (np.float32, (), NAN),
    "age_lo": (np.float32, (), NAN),
    "age_hi": (np.float32, (), NAN),
    "height": (np.float32, (), NAN),
    "last_seen": (np.float32, (), NAN),
    "age_min": (np.float32, (), NAN),
    "age_max": (np.float32, (), NAN),
    "stature_min": (np.float32, (), NAN),
    "stature_max": (np.float32, (), NAN),
    "found": (np.float32, (), NAN),
    "pmi_min": (np.float32, (), NAN),
    "pmi_max": (np.float32, (), NAN),
    "point": (np.float32, (3,), NAN),
    "has_route": (np.bool_, (), False),
    "last_seen_kind": (np.int8, (), 0),
    "sea": (np.bool_, (), False),
    "has_names": (np.bool_, (), False),
    "n_doc": (np.int16, (), 0),
    "marks_kind": (np.uint32, (), 0),
    "marks_place": (np.uint64, (4,), 0),
    "marks_words": (np.uint64, (), 0),
    "effects": (np.uint64, (), 0),
    "dental": (np.uint32, (4,), 0),
    "active": (np.bool_, (), False),
}


class FeatureColumns:
    """Growable numpy columns of feature rows; a slot, once given, keeps its row number.

    Removing a row only marks it inactive, so slot numbers held elsewhere stay valid.
    """

    def __init__(self, names: Iterable[str], capacity: int = 1024) -> None:
        self._names = [name for name in names if name != "bloom"] + ["active"]
        self._arrays: dict[str, Array] = {}
        self._size = 0
        self._bloom: Array | None = None
        self._bloom_length = 0
        self._allocate(max(capacity, 16))

    def _allocate(self, capacity: int) -> None:
        for name in self._names:
            dtype, tail, fill = _COLUMN_TYPES[name]
            fresh = np.full((capacity, *tail), fill, dtype=dtype)
            old = self._arrays.get(name)
            if old is not None:
                fresh[: self._size] = old[: self._size]
            self._arrays[name] = fresh
        if self._bloom is not None:
            fresh_bloom = np.zeros((capacity, self._bloom_length), dtype=np.uint8)
            fresh_bloom[: self._size] = self._bloom[: self._size]
            self._bloom = fresh_bloom

    @property
    def size(self) -> int:
        """Number of slots given so far, active or not."""
        return self._size

    def append(self, row: Mapping[str, Any]) -> int:
        """Store a row and return its slot."""
        capacity = len(self._arrays["active"])
        if self._size == capacity:
            self._allocate(capacity * 2)
        slot = self._size
        self._size += 1
        for name in self._names[:-1]:
            self._arrays[name][slot] = row[name]
        self._arrays["active"][slot] = True
        self._store_bloom(slot, row.get("bloom"))
        return slot

    def extend(self, rows: list[Row]) -> range:
        """Store many rows at once (faster than appending one by one); return their slots."""
        start = self._size
        needed = start + len(rows)
        capacity = len(self._arrays["active"])
        if needed > capacity:
            self._allocate(max(needed, capacity * 2))
        for name in self._names[:-1]:
            dtype = _COLUMN_TYPES[name][0]
            if rows:
                self._arrays[name][start:needed] = np.array(
                    [row[name] for row in rows], dtype=dtype
                )
        self._arrays["active"][start:needed] = True
        self._size = needed
        for offset, row in enumerate(rows):
            if row.get("bloom") is not None:
                self._store_bloom(start + offset, row["bloom"])
        return range(start, needed)

    def _store_bloom(self, slot: int, bloom: bytes | None) -> None:
        if bloom is None:
            return
        if self._bloom is None:
            self._bloom_length = len(bloom)
            self._bloom = np.zeros((len(self._arrays["active"]), self._bloom_length), np.uint8)
        if len(bloom) == self._bloom_length:
            self._bloom[slot] = np.frombuffer(bloom, dtype=np.uint8)

    def deactivate(self, slot: int) -> None:
        """Mark a slot as removed."""
        self._arrays["active"][slot] = False

    def column(self, name: str) -> Array:
        """View of one column over the slots given so far."""
        return self._arrays[name][: self._size]

    def columns(self) -> dict[str, Array]:
        """Views of every column over the slots given so far."""
        return {name: array[: self._size] for name, array in self._arrays.items()}

    def blooms(self) -> tuple[Array, int] | None:
        """The Bloom-filter matrix (slots × bytes) and its byte length, if any record has one."""
        if self._bloom is None:
            return None
        return self._bloom[: self._size], self._bloom_length


def single_columns(row: Row) -> dict[str, Array]:
    """One feature row as length-1 columns, to compare against a whole population."""
    columns: dict[str, Array] = {}
    for name, value in row.items():
        if name == "bloom":
            continue
        dtype, _tail, _fill = _COLUMN_TYPES[name]
        columns[name] = np.array([value], dtype=dtype)
    columns["active"] = np.array([True])
    return columns


MISSING_COLUMNS = tuple(missing_row(MissingRecord("_")).keys())
REMAINS_COLUMNS = tuple(remains_row(RemainsRecord("_")).keys())
