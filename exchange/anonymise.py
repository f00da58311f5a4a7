"""Anonymisation of local records for one recipient: direct identifiers dropped, quasi-identifiers
generalised, names encoded, free text reduced to vocabulary terms (spec §6).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from exchange.coarsening import Coarsening, shifted_band, shifted_cell
from exchange.errors import ErrorCode, RecordError
from exchange.linkage import blip_seed, encode_name, harden, name_tokens
from exchange.pseudonym import check_secret, record_pseudonym
from exchange.psi import BlindedName, blind_names
from exchange.records import (
    DentalFinding,
    Effect,
    GeoPoint,
    Mark,
    MissingPersonRecord,
    RemainsRecord,
)
from exchange.shared import (
    AGE_BAND,
    AGE_MAX,
    COUNTRY_PATTERN,
    MAX_EFFECTS,
    MAX_MARKS,
    MAX_NAME_FILTERS,
    MAX_ROUTE,
    MAX_TERMS,
    PMI_BAND,
    PMI_MAX_DAYS,
    STATURE_BAND,
    STATURE_MAX,
    STATURE_MIN,
    UNCERTAINTY_BANDS_KM,
    GridCell,
    Range,
    SharedEffect,
    SharedMark,
    SharedMissingPerson,
    SharedRemains,
)
from exchange.vocabulary import (
    DENTAL_STATES,
    EFFECT_TERMS,
    FDI_TEETH,
    MARK_TERMS,
    body_location,
    effect_category,
    mark_kind,
    reduce_to_terms,
)


def _invalid(record_id: str, message: str) -> RecordError:
    return RecordError(ErrorCode.INVALID_LOCAL_RECORD, f"Record {record_id}: {message}")


def widen(low: int, high: int, band: int) -> Range:
    """Widen ``low..high`` outwards to whole bands: from a multiple of ``band`` to one below one.

    Example:
        >>> widen(23, 31, 5)
        Range(low=20, high=34)
    """
    return Range(low - low % band, high - high % band + band - 1)


def month_of(day: date) -> str:
    """Generalise a date to its month, "YYYY-MM".

    Example:
        >>> month_of(date(2025, 3, 17))
        '2025-03'
    """
    return f"{day.year:04d}-{day.month:02d}"


def _month(record_id: str, day: date | None) -> str | None:
    if day is None:
        return None
    if not 1900 <= day.year <= 2100:
        raise _invalid(record_id, f"the date {day.isoformat()} is outside 1900-2100.")
    return month_of(day)


def grid_cell(point: GeoPoint) -> GridCell:
    """Generalise a point to the 0.1-degree cell containing it (floor of the decimal value).

    Latitude 90 falls in the cell 899; longitude 180 wraps to -1800.

    Example:
        >>> grid_cell(GeoPoint(lat=36.51, lon=-5.07))
        GridCell(lat10=365, lon10=-51)
    """
    if not (math.isfinite(point.lat) and math.isfinite(point.lon)):
        raise ValueError("coordinates must be finite")
    if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
        raise ValueError("coordinates out of range")
    lat10 = int((Decimal(repr(point.lat)) * 10).to_integral_value(rounding=ROUND_FLOOR))
    lon10 = int((Decimal(repr(point.lon)) * 10).to_integral_value(rounding=ROUND_FLOOR))
    return GridCell(min(lat10, 899), -1800 if lon10 == 1800 else lon10)


def uncertainty_band(metres: int) -> int:
    """Round a location uncertainty up to the next band in km (1, 2, 5, 10 ... 500).

    Example:
        >>> uncertainty_band(3200)
        5
    """
    for band in UNCERTAINTY_BANDS_KM:
        if metres <= band * 1000:
            return band
    return UNCERTAINTY_BANDS_KM[-1]


def _band(low: int, high: int, band: int, offset: int | None, bounds: tuple[int, int]) -> Range:
    """Version 1: `widen`; version 2: bands shifted by the recipient's offset (§6.3)."""
    if offset is None:
        return widen(low, high, band)
    return Range(*shifted_band(low, high, band, offset, bounds))


def _age_at_last_seen(record: MissingPersonRecord, shift: Coarsening | None) -> Range | None:
    seen = record.last_seen_date
    if record.birth_date is not None and seen is not None:
        years = seen.year - record.birth_date.year
        if (seen.month, seen.day) < (record.birth_date.month, record.birth_date.day):
            years -= 1
        low = high = years
    elif record.birth_year is not None and seen is not None:
        low, high = seen.year - record.birth_year - 1, seen.year - record.birth_year
    elif record.stated_age is not None:
        low = high = record.stated_age
    else:
        return None
    low = max(low, 0)
    if high < 0 or high > AGE_MAX:
        raise _invalid(record.local_id, "the age at the last sighting is not plausible.")
    return _band(low, high, AGE_BAND, None if shift is None else shift.age, (0, AGE_MAX))


def _checked_range(
    record_id: str, low: int | None, high: int | None, bounds: tuple[int, int], what: str
) -> tuple[int, int] | None:
    if low is None and high is None:
        return None
    low = bounds[0] if low is None else low
    high = bounds[1] if high is None else high
    if not bounds[0] <= low <= high <= bounds[1]:
        raise _invalid(record_id, f"the {what} range {low}-{high} is not plausible.")
    return low, high


def _names(
    name_sets: Iterable[Sequence[str]],
    pseudonym: str,
    field: str,
    sender_secret: bytes,
    linkage_secret: bytes | None,
) -> tuple[bytes, ...]:
    if linkage_secret is None:
        return ()
    check_secret(linkage_secret, what="linkage secret")
    usable = [parts for parts in name_sets if name_tokens(parts)][:MAX_NAME_FILTERS]
    return tuple(
        harden(
            encode_name(parts, linkage_secret),
            sender_secret,
            blip_seed(pseudonym, field, index),
        )
        for index, parts in enumerate(usable)
    )


def _keys(
    name_sets: Sequence[Sequence[str]],
    sender_secret: bytes,
    recipient_id: str,
    linkage_secret: bytes | None,
) -> tuple[BlindedName, ...] | None:
    if linkage_secret is not None:
        return None  # a version 1 record
    return blind_names(name_sets, sender_secret, recipient_id, MAX_NAME_FILTERS)


def _marks(record_id: str, marks: Sequence[Mark]) -> tuple[SharedMark, ...]:
    if len(marks) > MAX_MARKS:
        raise _invalid(record_id, f"more than {MAX_MARKS} marks.")
    return tuple(
        SharedMark(
            kind=mark_kind(mark.kind),
            location=body_location(mark.location),
            terms=reduce_to_terms([mark.description], MARK_TERMS)[:MAX_TERMS],
        )
        for mark in marks
    )


def _effects(record_id: str, effects: Sequence[Effect]) -> tuple[SharedEffect, ...]:
    if len(effects) > MAX_EFFECTS:
        raise _invalid(record_id, f"more than {MAX_EFFECTS} effects.")
    return tuple(
        SharedEffect(
            category=effect_category(effect.category),
            terms=reduce_to_terms([effect.description], EFFECT_TERMS)[:MAX_TERMS],
        )
        for effect in effects
    )


def _dental(record_id: str, findings: Sequence[DentalFinding]) -> tuple[DentalFinding, ...]:
    result: dict[int, DentalFinding] = {}
    for finding in findings:
        state = finding.state.strip().lower().replace(" ", "-").replace("_", "-")
        if finding.tooth not in FDI_TEETH:
            raise _invalid(record_id, f"{finding.tooth} is not an FDI tooth number.")
        if state not in DENTAL_STATES:
            raise _invalid(record_id, f"the dental state {finding.state!r} is not recognised.")
        if finding.tooth in result:
            raise _invalid(record_id, f"tooth {finding.tooth} is recorded twice.")
        result[finding.tooth] = DentalFinding(finding.tooth, state)
    return tuple(result[tooth] for tooth in sorted(result))


def _country(record_id: str, value: str, what: str) -> str:
    code = value.strip().upper()
    if not COUNTRY_PATTERN.match(code):
        raise _invalid(record_id, f"the {what} {value!r} is not an ISO 3166-1 alpha-3 code.")
    return code


def _cell(record_id: str, point: GeoPoint | None, shift: Coarsening | None) -> GridCell | None:
    if point is None:
        return None
    try:
        if shift is not None:
            return GridCell(*shifted_cell(point.lat, point.lon, shift))
        return grid_cell(point)
    except ValueError:
        raise _invalid(record_id, "the coordinates are not valid WGS 84 degrees.") from None


def share_missing_person(
    record: MissingPersonRecord,
    *,
    recipient_id: str,
    sender_secret: bytes,
    linkage_secret: bytes | None = None,
) -> SharedMissingPerson:
    """Anonymise a missing person report for one recipient.

    Dropped: names (kept only as blinded name keys, spec §6.2), birth date, free text, contacts,
    photos.
    Generalised: age at last sighting to 5-year bands, height to 5 cm, date to the month, point
    to the 0.1-degree cell; marks and effects reduced to vocabulary terms.

    Args:
        record: the local report.
        recipient_id: the authority it is for (the pseudonym depends on it).
        sender_secret: our pseudonym secret (32+ bytes, never shared).
        linkage_secret: None (the default) writes version 2, names as blinded keys; a secret
            agreed with the recipient (32+ bytes) writes the version 1 record with Bloom
            filters, for the transition period only (spec §12).

    Raises:
        RecordError: ``invalid-local-record`` if a value cannot be exported (bad tooth number,
            impossible age, invalid coordinates or country code).

    Example:
        >>> shared = share_missing_person(
        ...     MissingPersonRecord("MP-1", given_names=("Amanuel",), stated_age=23),
        ...     recipient_id="ita-labanof", sender_secret=bytes(32))
        >>> shared.age, shared.version, len(shared.name_keys[0])  # 5-year band, offset 1 here
        (Range(low=21, high=25), 2, 1)
    """
    pseudonym = record_pseudonym(sender_secret, recipient_id, record.local_id)
    shift = (
        None
        if linkage_secret is not None
        else Coarsening.for_recipient(sender_secret, recipient_id)
    )
    height = None
    if record.height_cm is not None:
        if not STATURE_MIN <= record.height_cm <= STATURE_MAX:
            raise _invalid(record.local_id, f"the height {record.height_cm} cm is not plausible.")
        height = _band(
            record.height_cm,
            record.height_cm,
            STATURE_BAND,
            None if shift is None else shift.height,
            (STATURE_MIN, STATURE_MAX),
        )
    if len(record.route) > MAX_ROUTE:
        raise _invalid(record.local_id, f"the route lists more than {MAX_ROUTE} countries.")
    main_name = (*record.given_names, *record.surnames)
    name_sets = [main_name, *((alias,) for alias in record.aliases)]
    return SharedMissingPerson(
        pseudonym=pseudonym,
        names=_names(name_sets, pseudonym, "names", sender_secret, linkage_secret),
        name_keys=_keys(name_sets, sender_secret, recipient_id, linkage_secret),
        sex=record.sex,
        age=_age_at_last_seen(record, shift),
        height_cm=height,
        nationality=None
        if record.nationality is None
        else _country(record.local_id, record.nationality, "nationality"),
        last_seen_month=_month(record.local_id, record.last_seen_date),
        last_seen_cell=_cell(record.local_id, record.last_seen_point, shift),
        route=tuple(
            _country(record.local_id, country, "route country") for country in record.route
        ),
        marks=_marks(record.local_id, record.marks),
        effects=_effects(record.local_id, record.effects),
        dental=_dental(record.local_id, record.dental),
        coarsening=shift,
    )


def share_remains(
    record: RemainsRecord,
    *,
    recipient_id: str,
    sender_secret: bytes,
    linkage_secret: bytes | None = None,
) -> SharedRemains:
    """Anonymise an unidentified remains case for one recipient.

    Dropped: notes. Generalised: age and stature ranges widened to 5-year and 5 cm bands, PMI to
    whole weeks, found date to the month, point to the 0.1-degree cell, uncertainty up to a band;
    names on documents encoded as Bloom filters; marks and effects reduced to vocabulary terms.

    Args:
        record: the local case.
        recipient_id: the authority it is for.
        sender_secret: our pseudonym secret (32+ bytes).
        linkage_secret: None for version 2 (the default); a secret for version 1 (§12).

    Raises:
        RecordError: ``invalid-local-record``.

    Example:
        >>> shared = share_remains(RemainsRecord("PM-7", age_min=18, age_max=26),
        ...     recipient_id="esp-cnp", sender_secret=bytes(32))
        >>> shared.age  # 5-year bands from 5k + 4 for this recipient
        Range(low=14, high=28)
    """
    rid = record.local_id
    pseudonym = record_pseudonym(sender_secret, recipient_id, rid)
    shift = (
        None
        if linkage_secret is not None
        else Coarsening.for_recipient(sender_secret, recipient_id)
    )
    age = _checked_range(rid, record.age_min, record.age_max, (0, AGE_MAX), "age")
    stature = _checked_range(
        rid, record.stature_min_cm, record.stature_max_cm, (STATURE_MIN, STATURE_MAX), "stature"
    )
    pmi = _checked_range(rid, record.pmi_min_days, record.pmi_max_days, (0, PMI_MAX_DAYS), "PMI")
    uncertainty = record.found_uncertainty_m
    if uncertainty is not None and uncertainty < 0:
        raise _invalid(rid, "the location uncertainty is negative.")
    return SharedRemains(
        pseudonym=pseudonym,
        document_names=_names(
            [(name,) for name in record.document_names],
            pseudonym,
            "document_names",
            sender_secret,
            linkage_secret,
        ),
        name_keys=_keys(
            [(name,) for name in record.document_names], sender_secret, recipient_id, linkage_secret
        ),
        sex=record.sex,
        age=None
        if age is None
        else _band(*age, AGE_BAND, None if shift is None else shift.age, (0, AGE_MAX)),
        stature_cm=None
        if stature is None
        else _band(
            *stature,
            STATURE_BAND,
            None if shift is None else shift.height,
            (STATURE_MIN, STATURE_MAX),
        ),
        found_month=_month(rid, record.found_date),
        found_cell=_cell(rid, record.found_point, shift),
        found_uncertainty_km=None if uncertainty is None else uncertainty_band(uncertainty),
        pmi_days=None
        if pmi is None
        else _band(*pmi, PMI_BAND, None if shift is None else shift.pmi, (0, PMI_MAX_DAYS)),
        marks=_marks(rid, record.marks),
        effects=_effects(rid, record.effects),
        dental=_dental(rid, record.dental),
        coarsening=shift,
    )
