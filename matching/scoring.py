"""The comparison rules: criterion levels for pairs of feature columns, their weights and the
match probability.

Levels are computed on numpy columns that broadcast, so the same code compares one pair, many
aligned pairs, or one new case with every open case of the other kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.dental import dental_counts
from matching.features import (
    ROLE_GIVEN,
    ROLE_SURNAME,
)
from matching.geodesy import chord_to_km
from matching.last_seen import journey_days
from matching.last_seen import point_km as counted_point_km
from matching.names import (
    bloom_dice,
    fold_token,
    is_initial_pair,
    name_tokens,
    token_similarity,
)
from matching.records import MissingRecord, RemainsRecord
from matching.settings import MatchSettings
from matching.weights import CRITERIA, Weights

Array = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class NameAgreement:
    """Which name roles agree, per pair: a given name (or alias), a surname, and whether every
    document token found a reported name; ``dice`` holds Bloom-encoding similarity (NaN: none);
    ``graded`` the bits the agreeing tokens add to the names level's weight: per document token
    its best reported token's term-frequency adjustment less its similarity shortfall.
    """

    given: Array
    surname: Array
    all_document: Array
    dice: Array
    graded: Array


@dataclass(frozen=True, slots=True)
class PairLevels:
    """Criterion levels per pair (0 = not compared), hard exclusions, point distances and the
    graded names bits (added to the names level's weight)."""

    levels: dict[str, Array]
    excluded: Array
    point_km: FloatArray
    name_bits: FloatArray
    contradicted: Array


def _nan_to(value: Array, fill: float) -> Array:
    return np.where(np.isnan(value), fill, value)


def death_window(
    m: Mapping[str, Array], r: Mapping[str, Array], as_of: float
) -> tuple[Array, Array]:
    """Earliest and latest day of death per pair: last seen .. found minus the least PMI.

    Without a found date the latest day is ``as_of``; without a last-seen date the earliest
    is taken equal to the latest.
    """
    latest = np.where(np.isnan(r["found"]), as_of, r["found"] - _nan_to(r["pmi_min"], 0.0))
    earliest = np.where(np.isnan(m["last_seen"]), latest, np.minimum(m["last_seen"], latest))
    return earliest, latest


def age_at_death(
    m: Mapping[str, Array], r: Mapping[str, Array], as_of: float
) -> tuple[Array, Array]:
    """Range of the missing person's possible age at death per pair, in years (NaN: unknown)."""
    earliest, latest = death_window(m, r, as_of)
    from_birth_lo = (earliest - m["birth_hi"]) / 365.25
    from_birth_hi = (latest - m["birth_lo"]) / 365.25
    elapsed = _nan_to(np.maximum(latest - m["last_seen"], 0.0) / 365.25, 0.0)
    from_age_lo = m["age_lo"]
    from_age_hi = m["age_hi"] + elapsed
    use_birth = ~np.isnan(m["birth_lo"]) & ~np.isnan(latest)
    return np.where(use_birth, from_birth_lo, from_age_lo), np.where(
        use_birth, from_birth_hi, from_age_hi
    )


def _range_gap(value_lo: Array, value_hi: Array, low: Array, high: Array) -> Array:
    """How far [value_lo, value_hi] lies outside [low, high] (NaN when nothing to compare)."""
    known = ~(np.isnan(low) & np.isnan(high)) & ~np.isnan(value_lo)
    low_ = _nan_to(low, -np.inf)
    high_ = _nan_to(high, np.inf)
    gap = np.maximum(np.maximum(low_ - value_hi, value_lo - high_), 0.0)
    return np.where(known, gap, np.nan)


def _graded(gap: Array, tolerance: float, near: float, central: Array | None = None) -> Array:
    """Levels 1 (central, when ``central`` is given) .. far from a gap outside a range."""
    level = 1 + (gap > tolerance).astype(np.int8) + (gap > near).astype(np.int8)
    if central is not None:
        level = level + (~central | (level > 1)).astype(np.int8)
    return np.where(np.isnan(gap), np.int8(0), level).astype(np.int8)


def _central(value_lo: Array, value_hi: Array, low: Array, high: Array, fraction: float) -> Array:
    """Whether [value_lo, value_hi] reaches the central part of [low, high]: within
    ``fraction`` of the half-width from its middle, and is itself no wider than half the
    range (False when either end is unknown).

    An estimated range is centred on the examiner's best estimate, and the true value lies
    nearer its middle than its ends, so agreement near the middle is stronger evidence.
    """
    if fraction <= 0.0:
        return np.zeros(np.broadcast_shapes(np.shape(value_lo), np.shape(low)), dtype=bool)
    middle = (low + high) / 2.0
    reach = fraction * (high - low) / 2.0
    off = np.maximum(np.maximum(value_lo - middle, middle - value_hi), 0.0)
    # a value known only loosely (an age at death spread over years) proves no centrality
    narrow = (value_hi - value_lo) <= (high - low) / 2.0
    return np.asarray((_nan_to(off, np.inf) <= _nan_to(reach, -1.0)) & narrow)


def distance_level(
    km: Array, sea: Array, settings: MatchSettings, no_route: Array | None = None
) -> Array:
    """Distance level per pair: 1 (km2) .. 13 (beyond), 0 when no distance is known.

    ``no_route`` marks pairs measured from the last-seen point only (the person reported no
    intended route): their thresholds are multiplied by ``settings.point_only_factor``, since
    people travel on from where they were last seen.
    """
    scaled = km / np.where(sea, settings.sea_drift_factor, 1.0) if np.any(sea) else km
    if no_route is not None and settings.point_only_factor != 1.0 and np.any(no_route):
        scaled = scaled / np.where(no_route, settings.point_only_factor, 1.0)
    level = 1 + _bounds_passed(scaled, settings.distance_thresholds_km)
    level[np.isnan(km)] = 0
    return level


def _bounds_passed(values: Array, bounds: tuple[float, ...], at_bound: bool = False) -> Array:
    """How many of ``bounds`` each value exceeds (``at_bound``: reaches), as int8; a NaN value
    passes none."""
    passed = np.zeros(np.shape(values), dtype=np.int8)
    for bound in bounds:
        passed += (values >= bound) if at_bound else (values > bound)
    return passed


def _interval_level(
    gap_days: Array, sea: Array, shape: tuple[int, ...], settings: MatchSettings
) -> Array:
    """Interval level per pair from found − last-seen days (bounds × ``land_interval_factor``
    over land), 0 when either date is unknown."""
    scaled_gap = (
        gap_days / np.where(sea, 1.0, settings.land_interval_factor)
        if settings.land_interval_factor != 1.0
        else gap_days
    )
    level = np.broadcast_to(1 + _bounds_passed(scaled_gap, settings.interval_days), shape)
    return np.where(np.isnan(gap_days), np.int8(0), level).astype(np.int8)


def estimated_pmi(r: Mapping[str, Array]) -> Array:
    """Best single estimate of the PMI in days: the geometric middle of its range.

    A PMI estimate errs in proportion to its size (3–12 months is as sure as 3–12 weeks), so
    its best point is the geometric, not the arithmetic, middle: 30–120 days → 60 days. With
    no upper bound the lower bound is taken.
    """
    low = np.maximum(r["pmi_min"], 1.0)
    return np.where(
        np.isnan(r["pmi_max"]), r["pmi_min"], np.sqrt(low * np.maximum(r["pmi_max"], low))
    )


def _pmi_level(m: Mapping[str, Array], r: Mapping[str, Array], settings: MatchSettings) -> Array:
    """PMI level per pair: how many days before the estimated death the person was last seen.

    People on a journey mostly die within days or weeks of their last contact, so the nearer
    the last-seen date to the estimated day of death (found date − estimated PMI), the
    stronger the agreement. Last seen after the latest possible death (found − least PMI) is
    "borderline" within the slack, "inconsistent" beyond it.
    """
    latest_death = r["found"] - r["pmi_min"]
    slack = settings.pmi_slack_days + settings.pmi_slack_fraction * r["pmi_min"]
    behind = m["last_seen"] - latest_death
    gap = journey_days((r["found"] - estimated_pmi(r)) - m["last_seen"], m, settings)
    level = _PMI_LEVEL_OF_BIN[_bounds_passed(gap, settings.pmi_gap_days, at_bound=True)]
    level = np.where(
        behind > settings.last_seen_tolerance_days,
        np.where(behind > slack, _PMI_INCONSISTENT, _PMI_BORDERLINE),
        level,
    )
    return np.where(np.isnan(behind), np.int8(0), level).astype(np.int8)


def _pmi_levels() -> tuple[Array, np.int8, np.int8]:
    """Level numbers of the PMI gap bins (after the estimate, then nearest first, then later),
    and of "borderline" and "inconsistent"."""
    names = CRITERIA["pmi"]
    number = {name: np.int8(i + 1) for i, name in enumerate(names)}
    near = [
        name
        for name in names
        if name not in ("after_estimate", "later", "borderline", "inconsistent")
    ]
    order = ["after_estimate", *near, "later"]
    return (
        np.array([number[name] for name in order], dtype=np.int8),
        number["borderline"],
        number["inconsistent"],
    )


_PMI_LEVEL_OF_BIN, _PMI_BORDERLINE, _PMI_INCONSISTENT = _pmi_levels()


# Dice thresholds for Bloom-encoded names; with the exchange format's hardened 1024-bit filters
# the same name scores about 0.87, a transliteration variant 0.85, a shared given name and
# father's name 0.65, a shared given name only 0.47, unrelated names 0.2
ENCODED_STRONG = 0.8
ENCODED_PARTIAL = 0.6

# level array of a criterion skipped outright: all "not compared"
_SKIPPED = np.zeros(1, dtype=np.int8)
_SKIPPED.flags.writeable = False

# names level from (given agrees) + 2 (surname agrees) + 4 (all document names matched)
_NAME_LEVELS = np.array([5, 4, 3, 2, 5, 4, 3, 1], dtype=np.int8)


def _lacks(side: Mapping[str, Array], test: Callable[[Mapping[str, Array]], Array]) -> bool:
    """True when ``side`` is a single record (the query) and ``test`` finds no value on it: the
    criterion is then skipped outright. A population is never tested: that costs as much as
    comparing it."""
    return np.size(side["sex"]) <= 8 and not bool(np.any(test(side)))


def compare_columns(
    m: Mapping[str, Array],
    r: Mapping[str, Array],
    names: NameAgreement,
    settings: MatchSettings,
    as_of: float,
) -> PairLevels:
    """Criterion levels of (missing, remains) pairs given as broadcasting feature columns.

    A criterion one side lacks entirely is skipped (level 0) without touching the other side,
    which keeps a query against a large population cheap.
    """
    shape = np.broadcast_shapes(m["sex"].shape, r["sex"].shape)
    zeros = np.broadcast_to(_SKIPPED, shape)
    levels: dict[str, Array] = {}
    excluded_early: Array = np.zeros(shape, dtype=bool)

    if _lacks(m, lambda c: c["has_names"]) or _lacks(r, lambda c: c["has_names"]):
        levels["names"] = zeros
    else:
        code = (
            names.given.astype(np.int8)
            + 2 * names.surname.astype(np.int8)
            + 4 * (names.given & names.surname & names.all_document & (r["n_doc"] >= 2))
        )
        levels["names"] = np.where(
            m["has_names"] & r["has_names"], _NAME_LEVELS[code], np.int8(0)
        ).astype(np.int8)
    dice = names.dice
    if bool(np.isnan(dice).all()):
        levels["encoded_names"] = zeros
    else:
        level = (
            1 + (dice < ENCODED_STRONG).astype(np.int8) + (dice < ENCODED_PARTIAL).astype(np.int8)
        )
        levels["encoded_names"] = np.where(
            (levels["names"] != 0) | np.isnan(dice), np.int8(0), level
        ).astype(np.int8)

    if _lacks(m, lambda c: c["sex"] != 0) or _lacks(r, lambda c: c["sex"] != 0):
        levels["sex"] = zeros
    else:
        levels["sex"] = np.where(
            (m["sex"] != 0) & (r["sex"] != 0), 1 + (m["sex"] != r["sex"]), 0
        ).astype(np.int8)

    contradicted = np.zeros(shape, dtype=bool)
    if levels["sex"] is not zeros:
        other_sex = levels["sex"] == 2
        if "sex" in settings.voiding_contradictions:
            contradicted = other_sex
        if "sex" in settings.excluding_contradictions:
            excluded_early = other_sex
    if _lacks(r, lambda c: ~np.isnan(c["age_min"]) | ~np.isnan(c["age_max"])):
        levels["age"] = zeros
    else:
        age_lo, age_hi = age_at_death(m, r, as_of)
        age_gap = _range_gap(age_lo, age_hi, r["age_min"], r["age_max"])
        far_off = _nan_to(age_gap, 0.0) >= settings.age_contradiction_years
        if "age" in settings.voiding_contradictions:
            contradicted = contradicted | far_off
        if "age" in settings.excluding_contradictions:
            excluded_early = excluded_early | far_off
        levels["age"] = _graded(
            age_gap,
            settings.age_tolerance_years,
            settings.age_near_years,
            _central(age_lo, age_hi, r["age_min"], r["age_max"], settings.range_central_fraction),
        )
    if _lacks(m, lambda c: ~np.isnan(c["height"])) or _lacks(
        r, lambda c: ~np.isnan(c["stature_min"]) | ~np.isnan(c["stature_max"])
    ):
        levels["stature"] = zeros
    else:
        levels["stature"] = _graded(
            _range_gap(m["height"], m["height"], r["stature_min"], r["stature_max"]),
            settings.stature_tolerance_cm,
            settings.stature_near_cm,
            _central(
                m["height"],
                m["height"],
                r["stature_min"],
                r["stature_max"],
                settings.range_central_fraction,
            ),
        )

    if _lacks(m, lambda c: ~np.isnan(c["last_seen"])) or _lacks(r, lambda c: ~np.isnan(c["found"])):
        excluded = np.zeros(shape, dtype=bool)
        levels["interval"] = levels["pmi"] = zeros
    else:
        gap_days = r["found"] - m["last_seen"]
        excluded = gap_days < -settings.last_seen_tolerance_days
        if _lacks(r, lambda c: ~np.isnan(c["pmi_min"])):
            levels["pmi"] = zeros
        else:
            levels["pmi"] = _pmi_level(m, r, settings)
        if (
            settings.pmi_replaces_interval
            and np.size(r["pmi_min"]) == 1
            and levels["pmi"] is not zeros
        ):
            # one remains with a PMI: the PMI is compared wherever the interval would be
            levels["interval"] = zeros
        else:
            levels["interval"] = _interval_level(
                journey_days(gap_days, m, settings), m["sea"] | r["sea"], shape, settings
            )
            if settings.pmi_replaces_interval and levels["pmi"] is not zeros:
                levels["interval"] = np.where(
                    levels["pmi"] != 0, np.int8(0), levels["interval"]
                ).astype(np.int8)

    if _lacks(m, lambda c: ~np.isnan(c["point"][..., 0])) or _lacks(
        r, lambda c: ~np.isnan(c["point"][..., 0])
    ):
        point_km = np.full(shape, np.nan)
        levels["distance"] = zeros
    else:
        diff = m["point"] - r["point"]
        chord = np.sqrt(np.einsum("...i,...i->...", diff, diff))
        point_km = counted_point_km(chord_to_km(chord), m)
        levels["distance"] = distance_level(
            point_km, m["sea"] | r["sea"], settings, ~m["has_route"]
        )

    if _lacks(m, lambda c: c["marks_kind"] != 0) or _lacks(r, lambda c: c["marks_kind"] != 0):
        levels["marks"] = zeros
    else:
        both_marked = (m["marks_kind"] != 0) & (r["marks_kind"] != 0)
        same_place = np.any((m["marks_place"] & r["marks_place"]) != 0, axis=-1)
        same_words = (m["marks_words"] & r["marks_words"]) != 0
        same_kind = (m["marks_kind"] & r["marks_kind"]) != 0
        level = np.where(same_place, np.where(same_words, 1, 2), np.where(same_kind, 3, 4)).astype(
            np.int8
        )
        levels["marks"] = np.where(both_marked, level, np.int8(0)).astype(np.int8)

    if _lacks(m, lambda c: c["effects"] != 0) or _lacks(r, lambda c: c["effects"] != 0):
        levels["effects"] = zeros
    else:
        shared = np.bitwise_count(m["effects"] & r["effects"])
        both_effects = (m["effects"] != 0) & (r["effects"] != 0)
        level = 3 - np.minimum(shared, 2).astype(np.int8)
        levels["effects"] = np.where(both_effects, level, np.int8(0)).astype(np.int8)

    if _lacks(m, lambda c: c["dental"] != 0) or _lacks(r, lambda c: c["dental"] != 0):
        levels["dental"] = zeros
    else:
        am = tuple(m["dental"][..., i] for i in range(4))
        pm = tuple(r["dental"][..., i] for i in range(4))
        concordant, specific, explainable, inconsistent, excluding = dental_counts(am, pm)
        compared = concordant + explainable + inconsistent + excluding
        levels["dental"] = np.select(
            [compared == 0, inconsistent >= 2, inconsistent == 1, specific >= 2, specific == 1],
            [0, 5, 4, 1, 2],
            3,
        ).astype(np.int8)
        excluded = excluded | (excluding > 0)
    name_bits = np.where(levels["names"] != 0, names.graded, 0.0)
    return PairLevels(
        levels=levels,
        excluded=np.asarray(excluded | excluded_early),
        point_km=point_km,
        name_bits=name_bits,
        contradicted=np.asarray(contradicted & (levels["names"] != 0)),
    )


def pair_totals(compared: PairLevels, tables: Mapping[str, FloatArray]) -> FloatArray:
    """Summed weights per pair (log2 likelihood ratio, without the prior): the level weights,
    the graded names bits, and no names weight in favour where a hard contradiction says the
    document may be someone else's."""
    total = total_weight(compared.levels, tables) + compared.name_bits
    if not bool(np.any(compared.contradicted)):
        return np.asarray(total, dtype=np.float64)
    names = tables["names"][compared.levels["names"]] + compared.name_bits
    return np.asarray(
        total - np.where(compared.contradicted & (names > 0), names, 0.0), dtype=np.float64
    )


def total_weight(levels: Mapping[str, Array], tables: Mapping[str, FloatArray]) -> FloatArray:
    """Sum of the level weights per pair (log2 likelihood ratio, without the prior)."""
    total: FloatArray | None = None
    for criterion, level in levels.items():
        if level.base is _SKIPPED or level is _SKIPPED:
            continue
        part = tables[criterion][level]
        total = part if total is None else total + part
    return total if total is not None else np.zeros(1)


def weight_tables(weights: Weights) -> dict[str, FloatArray]:
    """Level weight arrays per criterion, indexable by level arrays."""
    return {criterion: weights.table(criterion) for criterion in CRITERIA}


def probability(total: float | FloatArray, weights: Weights) -> FloatArray:
    """Match probability from summed level weights and the prior.

    Example:
        >>> from matching.weights import default_weights
        >>> w = default_weights()
        >>> float(probability(-w.prior_log_odds, w))
        0.5
    """
    log_odds = np.asarray(total, dtype=np.float64) + weights.prior_log_odds
    return np.asarray(1.0 / (1.0 + np.exp2(-np.clip(log_odds, -60.0, 60.0))), dtype=np.float64)


def name_agreement_pair(
    missing: MissingRecord,
    remains: RemainsRecord,
    per_point: float = 0.25,
    frequency: Callable[[str], float] | None = None,
) -> tuple[bool, bool, bool, list[tuple[str, str]], float]:
    """Compare the names of one pair.

    Returns:
        whether a given name (or alias) agrees, whether a surname agrees, whether every
        document token found a reported name, the (document word, reported word) pairs that
        agree, as written (accents and case removed), and the graded bits: per agreeing
        document token, its term-frequency adjustment (``frequency(key)``, learned from a
        caseload; 0 without one) less ``per_point`` times its best similarity's shortfall
        from 100.
    """
    reported: list[tuple[str, str, int]] = []
    for names, role in (
        (missing.given_names + missing.aliases, ROLE_GIVEN),
        (missing.surnames, ROLE_SURNAME),
    ):
        for name in names:
            reported.extend((word, fold_token(word), role) for word in name_tokens(name))
    documents = {
        fold_token(word): word for name in remains.document_names for word in name_tokens(name)
    }
    given = surname = False
    matched: list[tuple[str, str]] = []
    best: dict[str, float] = {}
    for doc_key, doc_word in documents.items():
        for word, key, role in reported:
            similarity = token_similarity(doc_key, key)
            if similarity > 0.0:
                given = given or role == ROLE_GIVEN
                surname = surname or (role == ROLE_SURNAME and not is_initial_pair(doc_key, key))
                if doc_key not in best:
                    matched.append((doc_word, word))
                best[doc_key] = max(best.get(doc_key, 0.0), similarity)
    all_document = bool(documents) and set(best) == set(documents)
    graded = sum(
        (frequency(key) if frequency is not None else 0.0) - per_point * (100.0 - similarity)
        for key, similarity in best.items()
    )
    return given, surname, all_document, matched, graded


def pair_name_agreement(
    missing: list[MissingRecord],
    remains: list[RemainsRecord],
    settings: MatchSettings | None = None,
    frequency: Callable[[str], float] | None = None,
) -> NameAgreement:
    """Name agreement of aligned pairs, one by one (for small numbers of pairs); ``frequency``
    gives a document name key's term-frequency adjustment in bits (see ``CandidateIndex``)."""
    per_point = (settings or MatchSettings()).name_similarity_bits
    given, surname, all_document, dice, graded = [], [], [], [], []
    for person, body in zip(missing, remains, strict=True):
        g, s, a, _, bits = name_agreement_pair(person, body, per_point, frequency)
        given.append(g)
        surname.append(s)
        all_document.append(a)
        graded.append(bits)
        found = None
        if person.name_bloom is not None and body.name_bloom is not None:
            found = bloom_dice(person.name_bloom, body.name_bloom)
        dice.append(float("nan") if found is None else found)
    return NameAgreement(
        np.array(given, dtype=bool),
        np.array(surname, dtype=bool),
        np.array(all_document, dtype=bool),
        np.array(dice, dtype=np.float64),
        np.array(graded, dtype=np.float64),
    )
