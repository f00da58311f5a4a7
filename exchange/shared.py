"""Anonymised records as they travel between authorities, read-only, with their strict JSON
form: what an exporter produces and what an importer returns (spec §6, §7).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from exchange.coarsening import Coarsening, cell_bounds, is_shifted_band
from exchange.errors import ErrorCode, MalformedMessageError
from exchange.linkage import FILTER_BYTES
from exchange.namekeys import MAX_TOKENS
from exchange.psi import ELEMENT_BYTES, BlindedName, BlindedToken, check_element
from exchange.records import DentalFinding, Sex
from exchange.vocabulary import (
    BODY_LOCATIONS,
    DENTAL_STATES,
    EFFECT_CATEGORIES,
    EFFECT_TERMS,
    FDI_TEETH,
    MARK_KINDS,
    MARK_TERMS,
)
from exchange.wire import JsonValue, b64url_decode, b64url_encode

MAX_NAME_FILTERS = 8
MAX_MARKS = 50
MAX_EFFECTS = 100
MAX_TERMS = 16
MAX_ROUTE = 20
AGE_BAND = 5
AGE_MAX = 124
STATURE_BAND = 5
STATURE_MIN, STATURE_MAX = 40, 254
PMI_BAND = 7
PMI_MAX_DAYS = 36_525
GRID_STEP_TENTHS = 1
UNCERTAINTY_BANDS_KM = (1, 2, 5, 10, 20, 50, 100, 200, 500)
MONTH_PATTERN = re.compile(r"^(19\d{2}|20\d{2}|2100)-(0[1-9]|1[0-2])$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{3}$")
PSEUDONYM_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")

T = TypeVar("T")


@dataclass(frozen=True)
class Range:
    """An inclusive range of whole numbers (years of age, centimetres, days)."""

    low: int
    high: int


@dataclass(frozen=True)
class GridCell:
    """A 0.1-degree grid cell named by its south-west corner in tenths of a degree.

    ``lat10`` is ``floor(lat * 10)`` in -900..899, ``lon10`` is ``floor(lon * 10)`` in
    -1800..1799; the cell covers lat10/10 to (lat10+1)/10 and likewise for longitude.
    """

    lat10: int
    lon10: int


@dataclass(frozen=True)
class SharedMark:
    """A body mark reduced to the vocabulary: kind, body location and motif terms."""

    kind: str
    location: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class SharedEffect:
    """An effect reduced to the vocabulary: category and item, colour and material terms."""

    category: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class SharedMissingPerson:
    """An anonymised missing person report, as sent to (or received from) one peer.

    Attributes:
        pseudonym: the sender's record pseudonym for this recipient (43 base64url characters).
        names: version 1 only: hardened Bloom filters (128 bytes each), the main name first,
            then aliases; empty in version 2.
        name_keys: version 2: the blinded name keys (spec §6.2), the main name first, then
            aliases; None for a version 1 record.
        age: age at last sighting, in a 5-year band; None if unknown.
        height_cm: in a 5 cm band.
        last_seen_month: "YYYY-MM".
        last_seen_cell: the 0.1-degree cell of the last sighting.
    """

    pseudonym: str
    names: tuple[bytes, ...]
    sex: Sex
    age: Range | None
    height_cm: Range | None
    nationality: str | None
    last_seen_month: str | None
    last_seen_cell: GridCell | None
    route: tuple[str, ...]
    marks: tuple[SharedMark, ...]
    effects: tuple[SharedEffect, ...]
    dental: tuple[DentalFinding, ...]
    name_keys: tuple[BlindedName, ...] | None = None
    coarsening: Coarsening | None = None  # v2: the recipient's offsets (bundle-level in JSON)

    @property
    def version(self) -> int:
        """1 for a record with Bloom filters, 2 for one with blinded name keys."""
        return 1 if self.name_keys is None else 2


@dataclass(frozen=True)
class SharedRemains:
    """An anonymised unidentified remains case, as sent to (or received from) one peer.

    Attributes:
        document_names: version 1: hardened Bloom filters of names read on documents found with
            the body; empty in version 2.
        name_keys: version 2: the blinded keys of those names; None in version 1.
        age: estimated age range widened to 5-year bands.
        stature_cm: estimated stature range widened to 5 cm bands.
        found_uncertainty_km: the location uncertainty rounded up to a band (1, 2, 5... 500).
        pmi_days: post-mortem interval widened to whole weeks.
    """

    pseudonym: str
    document_names: tuple[bytes, ...]
    sex: Sex
    age: Range | None
    stature_cm: Range | None
    found_month: str | None
    found_cell: GridCell | None
    found_uncertainty_km: int | None
    pmi_days: Range | None
    marks: tuple[SharedMark, ...]
    effects: tuple[SharedEffect, ...]
    dental: tuple[DentalFinding, ...]
    name_keys: tuple[BlindedName, ...] | None = None
    coarsening: Coarsening | None = None  # v2: the recipient's offsets (bundle-level in JSON)

    @property
    def version(self) -> int:
        """1 for a record with Bloom filters, 2 for one with blinded name keys."""
        return 1 if self.name_keys is None else 2


@dataclass(frozen=True)
class SharedWithdrawal:
    """A record the sender withdraws (case closed, consent withdrawn): the recipient deletes its
    copy of this pseudonym (spec §7.1). Version 2 only."""

    pseudonym: str
    coarsening: Coarsening | None = None
    name_keys: tuple[BlindedName, ...] | None = ()

    @property
    def version(self) -> int:
        """Withdrawals exist from version 2 on."""
        return 2


SharedRecord = SharedMissingPerson | SharedRemains | SharedWithdrawal


# Writing -----------------------------------------------------------------------------------


def _range_json(value: Range | None) -> JsonValue:
    return None if value is None else {"low": value.low, "high": value.high}


def _cell_json(value: GridCell | None) -> JsonValue:
    return None if value is None else {"lat10": value.lat10, "lon10": value.lon10}


def _common_json(
    marks: tuple[SharedMark, ...],
    effects: tuple[SharedEffect, ...],
    dental: tuple[DentalFinding, ...],
) -> dict[str, JsonValue]:
    return {
        "marks": [{"kind": m.kind, "location": m.location, "terms": list(m.terms)} for m in marks],
        "effects": [{"category": e.category, "terms": list(e.terms)} for e in effects],
        "dental": [{"tooth": d.tooth, "state": d.state} for d in dental],
    }


def _names_json(
    filters: tuple[bytes, ...], keys: tuple[BlindedName, ...] | None
) -> list[JsonValue]:
    if keys is None:
        return [b64url_encode(bloom) for bloom in filters]
    if filters:
        raise MalformedMessageError(
            ErrorCode.SCHEMA_VIOLATION, "A version 2 record carries no Bloom filters."
        )
    return [[[b64url_encode(element) for element in token] for token in name] for name in keys]


def record_to_json(record: SharedRecord) -> dict[str, JsonValue]:
    """Return the JSON object of a shared record (spec §7.2), validating it on the way.

    Raises:
        MalformedMessageError: ``schema-violation`` if the record breaks a rule of the format.

    Example:
        >>> record = SharedRemains("A" * 43, (), Sex.MALE, Range(20, 34), None, "2025-04",
        ...     GridCell(375, 150), 2, None, (), (), ())
        >>> record_to_json(record)["found_cell"]
        {'lat10': 375, 'lon10': 150}
    """
    value: dict[str, JsonValue]
    if isinstance(record, SharedWithdrawal):
        return {"type": "withdrawn", "pseudonym": _pseudonym(record.pseudonym)}
    if isinstance(record, SharedMissingPerson):
        value = {
            "type": "missing-person",
            "pseudonym": record.pseudonym,
            "names": _names_json(record.names, record.name_keys),
            "sex": record.sex.value,
            "age": _range_json(record.age),
            "height_cm": _range_json(record.height_cm),
            "nationality": record.nationality,
            "last_seen_month": record.last_seen_month,
            "last_seen_cell": _cell_json(record.last_seen_cell),
            "route": list(record.route),
            **_common_json(record.marks, record.effects, record.dental),
        }
    else:
        value = {
            "type": "remains",
            "pseudonym": record.pseudonym,
            "document_names": _names_json(record.document_names, record.name_keys),
            "sex": record.sex.value,
            "age": _range_json(record.age),
            "stature_cm": _range_json(record.stature_cm),
            "found_month": record.found_month,
            "found_cell": _cell_json(record.found_cell),
            "found_uncertainty_km": record.found_uncertainty_km,
            "pmi_days": _range_json(record.pmi_days),
            **_common_json(record.marks, record.effects, record.dental),
        }
    if record_from_json(value, version=record.version, coarsening=record.coarsening) != record:
        raise MalformedMessageError(ErrorCode.SCHEMA_VIOLATION, "The record does not round-trip.")
    return value


# Reading -----------------------------------------------------------------------------------


def _fail(message: str) -> MalformedMessageError:
    return MalformedMessageError(ErrorCode.SCHEMA_VIOLATION, message)


def _object(value: object, keys: set[str], what: str) -> dict[str, object]:
    if not isinstance(value, dict) or set(value) != keys:
        raise _fail(f"{what} must be an object with exactly the fields {sorted(keys)}.")
    return value


def _int(value: object, low: int, high: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _fail(f"{what} must be a whole number from {low} to {high}.")
    return value


def _list(value: object, limit: int, item: Callable[[object], T], what: str) -> tuple[T, ...]:
    if not isinstance(value, list):
        raise _fail(f"{what} must be a list.")
    if len(value) > limit:
        raise _fail(f"{what} has {len(value)} entries; the limit is {limit}.")
    return tuple(item(entry) for entry in value)


def _optional(value: object, read: Callable[[object], T]) -> T | None:
    return None if value is None else read(value)


def _choice(value: object, allowed: frozenset[str], what: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise _fail(f"{what} is not a term of the controlled vocabulary.")
    return value


def _terms(value: object, allowed: frozenset[str], what: str) -> tuple[str, ...]:
    terms = _list(value, MAX_TERMS, lambda term: _choice(term, allowed, what), what)
    if list(terms) != sorted(set(terms)):
        raise _fail(f"{what} must be sorted and without repetition.")
    return terms


def _banded(
    value: object, band: int, low: int, high: int, what: str, offset: int | None = None
) -> Range:
    """A range in whole bands; `offset` None is version 1 (bands from multiples of `band`), a
    number is version 2 (bands from ``band·k + offset``, ends clamped to the domain)."""
    fields = _object(value, {"low", "high"}, what)
    result = Range(_int(fields["low"], low, high, what), _int(fields["high"], low, high, what))
    if offset is not None:
        if not is_shifted_band(result.low, result.high, band, offset, (low, high)):
            raise _fail(f"{what} must run over whole bands of {band} from {band}k + {offset}.")
        return result
    if result.low > result.high or result.low % band or (result.high + 1) % band:
        raise _fail(f"{what} must run from a multiple of {band} to one less than a multiple.")
    return result


def _month(value: object, what: str) -> str:
    if not isinstance(value, str) or not MONTH_PATTERN.match(value):
        raise _fail(f"{what} must be a month YYYY-MM between 1900-01 and 2100-12.")
    return value


def _country(value: object, what: str) -> str:
    if not isinstance(value, str) or not COUNTRY_PATTERN.match(value):
        raise _fail(f"{what} must be an ISO 3166-1 alpha-3 code.")
    return value


def _cell(value: object, what: str, coarsening: Coarsening | None = None) -> GridCell:
    fields = _object(value, {"lat10", "lon10"}, what)
    (lat_low, lat_high), (lon_low, lon_high) = cell_bounds(coarsening or Coarsening())
    return GridCell(
        _int(fields["lat10"], lat_low, lat_high, f"{what} latitude"),
        _int(fields["lon10"], lon_low, lon_high, f"{what} longitude"),
    )


def _sex(value: object) -> Sex:
    if not isinstance(value, str) or value not in {s.value for s in Sex}:
        raise _fail("sex must be female, male or unknown.")
    return Sex(value)


def _pseudonym(value: object) -> str:
    if not isinstance(value, str) or not PSEUDONYM_PATTERN.match(value):
        raise _fail("pseudonym must be 43 base64url characters.")
    return value


def _bloom(value: object) -> bytes:
    return b64url_decode(value, what="a name encoding", length=FILTER_BYTES)


def _token(value: object) -> BlindedToken:
    if not isinstance(value, list) or len(value) != 3:
        raise _fail("A name token is a list of 3 elements.")
    folded, phonetic, short = (
        check_element(b64url_decode(item, what="a name element", length=ELEMENT_BYTES))
        for item in value
    )
    return (folded, phonetic, short)


def _blinded_name(value: object) -> BlindedName:
    tokens = _list(value, MAX_TOKENS, _token, "a name")
    if not tokens or list(tokens) != sorted(set(tokens)):
        raise _fail("A name holds 1 to 16 distinct tokens sorted by their bytes.")
    return tokens


def _names(value: object, version: int, what: str) -> tuple[tuple[bytes, ...], object]:
    """(Bloom filters, blinded names) of a names member: one of them is empty or None."""
    if version == 1:
        return _list(value, MAX_NAME_FILTERS, _bloom, what), None
    return (), _list(value, MAX_NAME_FILTERS, _blinded_name, what)


def _mark(value: object) -> SharedMark:
    fields = _object(value, {"kind", "location", "terms"}, "a mark")
    return SharedMark(
        kind=_choice(fields["kind"], MARK_KINDS, "mark kind"),
        location=_choice(fields["location"], BODY_LOCATIONS, "mark location"),
        terms=_terms(fields["terms"], MARK_TERMS, "mark terms"),
    )


def _effect(value: object) -> SharedEffect:
    fields = _object(value, {"category", "terms"}, "an effect")
    return SharedEffect(
        category=_choice(fields["category"], EFFECT_CATEGORIES, "effect category"),
        terms=_terms(fields["terms"], EFFECT_TERMS, "effect terms"),
    )


def _tooth(value: object) -> DentalFinding:
    fields = _object(value, {"tooth", "state"}, "a dental finding")
    tooth = _int(fields["tooth"], 11, 48, "tooth")
    if tooth not in FDI_TEETH:
        raise _fail(f"{tooth} is not an FDI permanent tooth number.")
    return DentalFinding(tooth, _choice(fields["state"], DENTAL_STATES, "dental state"))


def _dental(value: object) -> tuple[DentalFinding, ...]:
    findings = _list(value, len(FDI_TEETH), _tooth, "dental")
    teeth = [finding.tooth for finding in findings]
    if teeth != sorted(set(teeth)):
        raise _fail("dental findings must be sorted by tooth, one per tooth.")
    return findings


_MISSING_FIELDS = {
    "type",
    "pseudonym",
    "names",
    "sex",
    "age",
    "height_cm",
    "nationality",
    "last_seen_month",
    "last_seen_cell",
    "route",
    "marks",
    "effects",
    "dental",
}
_REMAINS_FIELDS = {
    "type",
    "pseudonym",
    "document_names",
    "sex",
    "age",
    "stature_cm",
    "found_month",
    "found_cell",
    "found_uncertainty_km",
    "pmi_days",
    "marks",
    "effects",
    "dental",
}


def _offset(shift: Coarsening | None, name: str) -> int | None:
    return None if shift is None else int(getattr(shift, name))


def record_from_json(
    value: object, version: int = 1, coarsening: Coarsening | None = None
) -> SharedRecord:
    """Read one shared record strictly (exact fields, types, ranges, vocabulary, FDI teeth);
    `version` is the bundle's (1: names as Bloom filters, 2: as blinded name keys).

    Raises:
        MalformedMessageError: code ``schema-violation`` with the first problem found.

    Example:
        >>> record_from_json({"type": "unknown"})
        Traceback (most recent call last):
        ...
        exchange.errors.MalformedMessageError: schema-violation: A record must have type \
missing-person or remains.
    """
    if version == 2 and coarsening is None:
        raise _fail("A version 2 record is read with its bundle's coarsening.")
    shift = None if version == 1 else coarsening
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "withdrawn" and version == 2:
        fields = _object(value, {"type", "pseudonym"}, "a withdrawal")
        return SharedWithdrawal(_pseudonym(fields["pseudonym"]))
    if kind == "missing-person":
        fields = _object(value, _MISSING_FIELDS, "a missing person record")
        filters, keys = _names(fields["names"], version, "names")
        return SharedMissingPerson(
            pseudonym=_pseudonym(fields["pseudonym"]),
            names=filters,
            name_keys=keys,  # type: ignore[arg-type]
            sex=_sex(fields["sex"]),
            age=_optional(
                fields["age"],
                lambda v: _banded(v, AGE_BAND, 0, AGE_MAX, "age", _offset(shift, "age")),
            ),
            height_cm=_optional(
                fields["height_cm"],
                lambda v: _banded(
                    v, STATURE_BAND, STATURE_MIN, STATURE_MAX, "height_cm", _offset(shift, "height")
                ),
            ),
            nationality=_optional(fields["nationality"], lambda v: _country(v, "nationality")),
            last_seen_month=_optional(
                fields["last_seen_month"], lambda v: _month(v, "last_seen_month")
            ),
            last_seen_cell=_optional(
                fields["last_seen_cell"], lambda v: _cell(v, "last_seen_cell", shift)
            ),
            route=_list(fields["route"], MAX_ROUTE, lambda v: _country(v, "route"), "route"),
            marks=_list(fields["marks"], MAX_MARKS, _mark, "marks"),
            effects=_list(fields["effects"], MAX_EFFECTS, _effect, "effects"),
            dental=_dental(fields["dental"]),
            coarsening=shift,
        )
    if kind == "remains":
        fields = _object(value, _REMAINS_FIELDS, "a remains record")
        uncertainty = fields["found_uncertainty_km"]
        if uncertainty is not None and uncertainty not in UNCERTAINTY_BANDS_KM:
            raise _fail(f"found_uncertainty_km must be null or one of {UNCERTAINTY_BANDS_KM}.")
        if isinstance(uncertainty, bool):
            raise _fail("found_uncertainty_km must be a number.")
        filters, keys = _names(fields["document_names"], version, "document_names")
        return SharedRemains(
            pseudonym=_pseudonym(fields["pseudonym"]),
            document_names=filters,
            name_keys=keys,  # type: ignore[arg-type]
            sex=_sex(fields["sex"]),
            age=_optional(
                fields["age"],
                lambda v: _banded(v, AGE_BAND, 0, AGE_MAX, "age", _offset(shift, "age")),
            ),
            stature_cm=_optional(
                fields["stature_cm"],
                lambda v: _banded(
                    v,
                    STATURE_BAND,
                    STATURE_MIN,
                    STATURE_MAX,
                    "stature_cm",
                    _offset(shift, "height"),
                ),
            ),
            found_month=_optional(fields["found_month"], lambda v: _month(v, "found_month")),
            found_cell=_optional(fields["found_cell"], lambda v: _cell(v, "found_cell", shift)),
            found_uncertainty_km=uncertainty if isinstance(uncertainty, int) else None,
            pmi_days=_optional(
                fields["pmi_days"],
                lambda v: _banded(v, PMI_BAND, 0, PMI_MAX_DAYS, "pmi_days", _offset(shift, "pmi")),
            ),
            marks=_list(fields["marks"], MAX_MARKS, _mark, "marks"),
            effects=_list(fields["effects"], MAX_EFFECTS, _effect, "effects"),
            dental=_dental(fields["dental"]),
            coarsening=shift,
        )
    raise _fail("A record must have type missing-person or remains.")  # or withdrawn (v2)
