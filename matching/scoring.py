"""The comparison rules: criterion levels for pairs of feature columns, their weights and the
match probability.

Levels are computed on numpy columns that broadcast, so the same code compares one pair, many
aligned pairs, or one new case with every open case of the other kind.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.dental import dental_counts
from matching.features import (
    ROLE_GIVEN,
    ROLE_SURNAME,
    document_name_keys,
    missing_name_tokens,
)
from matching.geodesy import chord_to_km
from matching.last_seen import journey_days
from matching.last_seen import point_km as counted_point_km
from matching.names import (
    NEAR_CLOSE,
    NEAR_LOOSE,
    bloom_dice,
    fold_token,
    is_initial_pair,
    missed_band,
    name_tokens,
    spelt_alike,
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
    its best reported token's term-frequency adjustment less its similarity shortfall;
    ``near`` how near the document tokens that agree with no reported token come to one
    (``names.near_bands``, the best of them; -1 where every document token agrees);
    ``all_reported`` whether every reported name token agrees with a document token.
    """

    given: Array
    surname: Array
    all_document: Array
    dice: Array
    graded: Array
    near: Array
    all_reported: Array


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

Columns = Mapping[str, Array]


@functools.lru_cache(maxsize=64)
def _skipped_level(shape: tuple[int, ...]) -> Array:
    # one read-only view per shape: broadcasting anew costs more than many comparisons
    return np.broadcast_to(_SKIPPED, shape)


def skipped(level: Array) -> bool:
    """Whether a level array is a criterion skipped outright (all "not compared")."""
    return level is _SKIPPED or level.base is _SKIPPED


@dataclass(frozen=True, slots=True)
class Pairs:
    """What a comparison reads: the (missing, remains) feature columns, which broadcast to
    ``shape``, their name agreement, the rules, today's day number, and the levels of the
    comparisons before it in ``COMPARISONS``."""

    m: Columns
    r: Columns
    names: NameAgreement
    settings: MatchSettings
    as_of: float
    shape: tuple[int, ...]
    levels: Mapping[str, Array]

    def skip(self) -> Outcome:
        """The outcome of a criterion not compared for any pair."""
        return Outcome(_skipped_level(self.shape))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one comparison finds per pair: its level (0 = not compared), and where it has a say,
    the pairs it excludes outright, the pairs whose names it voids (a hard contradiction), and
    the distance in km it measured."""

    level: Array
    excluded: Array | None = None
    contradicted: Array | None = None
    km: FloatArray | None = None


@dataclass(frozen=True, slots=True)
class Need:
    """A value a comparison cannot do without: one of ``columns`` known on the missing-person
    (``side`` "m") or the remains (``side`` "r") side."""

    side: str
    columns: tuple[str, ...]

    def lacking(self, m: Columns, r: Columns) -> bool:
        """True when this side is a single record (the query) with none of the values: the
        criterion is then skipped outright. A population is never tested: that costs as much as
        comparing it."""
        side = m if self.side == "m" else r
        if np.size(side["sex"]) > 8:
            return False
        return not any(bool(np.any(_known(side[column]))) for column in self.columns)


def _known(values: Array) -> Array:
    """Where a feature column holds a value: not NaN, or not 0 (a code or bit mask)."""
    return ~np.isnan(values) if values.dtype.kind == "f" else values != 0


def _m(*columns: str) -> Need:
    return Need("m", columns)


def _r(*columns: str) -> Need:
    return Need("r", columns)


@dataclass(frozen=True, slots=True)
class Comparison:
    """One criterion: its name (a key of ``CRITERIA``), the missing-person and remains columns
    it reads, what it cannot do without, and the rule that puts each pair on a level."""

    criterion: str
    missing_reads: tuple[str, ...]
    remains_reads: tuple[str, ...]
    needs: tuple[Need, ...]
    compare: Callable[[Pairs], Outcome]

    def lacking(self, m: Columns, r: Columns) -> bool:
        """True when the query record lacks a value this comparison needs."""
        return any(need.lacking(m, r) for need in self.needs)


def _names(p: Pairs) -> Outcome:
    names = p.names
    code = (
        names.given.astype(np.int8)
        + 2 * names.surname.astype(np.int8)
        + 4 * (names.given & names.surname & names.all_document & (p.r["n_doc"] >= 2))
    )
    return Outcome(
        np.where(p.m["has_names"] & p.r["has_names"], _NAME_LEVELS[code], np.int8(0)).astype(
            np.int8
        )
    )


def _name_near(p: Pairs) -> Outcome:
    """A document name that agrees with no reported name but comes near one: weak evidence
    of its own (a typo past the agreement threshold, WBEB for Webb), never an agreement."""
    near = p.names.near
    level = np.where(near >= NEAR_CLOSE, 1, np.where(near == NEAR_LOOSE, 2, 3))
    compared = p.m["has_names"] & p.r["has_names"] & (near >= 0)
    return Outcome(np.where(compared, level, 0).astype(np.int8))


def _encoded_names(p: Pairs) -> Outcome:
    dice = p.names.dice
    if bool(np.isnan(dice).all()):
        return p.skip()
    level = 1 + (dice < ENCODED_STRONG).astype(np.int8) + (dice < ENCODED_PARTIAL).astype(np.int8)
    # read only where the names themselves were not compared
    return Outcome(
        np.where((p.levels["names"] != 0) | np.isnan(dice), np.int8(0), level).astype(np.int8)
    )


def _sex(p: Pairs) -> Outcome:
    m, r = p.m["sex"], p.r["sex"]
    level = np.where((m != 0) & (r != 0), 1 + (m != r), 0).astype(np.int8)
    other_sex = level == 2
    settings = p.settings
    return Outcome(
        level,
        excluded=other_sex if "sex" in settings.excluding_contradictions else None,
        contradicted=other_sex if "sex" in settings.voiding_contradictions else None,
    )


def _age(p: Pairs) -> Outcome:
    m, r, settings = p.m, p.r, p.settings
    age_lo, age_hi = age_at_death(m, r, p.as_of)
    age_gap = _range_gap(age_lo, age_hi, r["age_min"], r["age_max"])
    far_off = _nan_to(age_gap, 0.0) >= settings.age_contradiction_years
    level = _graded(
        age_gap,
        settings.age_tolerance_years,
        settings.age_near_years,
        _central(age_lo, age_hi, r["age_min"], r["age_max"], settings.range_central_fraction),
    )
    return Outcome(
        level,
        excluded=far_off if "age" in settings.excluding_contradictions else None,
        contradicted=far_off if "age" in settings.voiding_contradictions else None,
    )


def _stature(p: Pairs) -> Outcome:
    height, low, high = p.m["height"], p.r["stature_min"], p.r["stature_max"]
    settings = p.settings
    return Outcome(
        _graded(
            _range_gap(height, height, low, high),
            settings.stature_tolerance_cm,
            settings.stature_near_cm,
            _central(height, height, low, high, settings.range_central_fraction),
        )
    )


def _pmi(p: Pairs) -> Outcome:
    return Outcome(_pmi_level(p.m, p.r, p.settings))


def _interval(p: Pairs) -> Outcome:
    """Found − last seen; also excludes a person last seen after the remains were found
    (beyond the tolerance). Where the PMI was compared, it replaces the interval."""
    m, r, settings = p.m, p.r, p.settings
    gap_days = r["found"] - m["last_seen"]
    excluded = gap_days < -settings.last_seen_tolerance_days
    pmi = p.levels["pmi"]
    compared_pmi = settings.pmi_replaces_interval and not skipped(pmi)
    if compared_pmi and np.size(r["pmi_min"]) == 1:
        # one remains with a PMI: the PMI is compared wherever the interval would be
        return Outcome(_skipped_level(p.shape), excluded=excluded)
    level = _interval_level(
        journey_days(gap_days, m, settings), m["sea"] | r["sea"], p.shape, settings
    )
    if compared_pmi:
        level = np.where(pmi != 0, np.int8(0), level).astype(np.int8)
    return Outcome(level, excluded=excluded)


def _distance(p: Pairs) -> Outcome:
    """From the last-seen point; the intended route is measured apart (see
    ``CandidateIndex``), only for the pairs it could lift."""
    m, r = p.m, p.r
    diff = m["point"] - r["point"]
    km = counted_point_km(chord_to_km(np.sqrt(np.einsum("...i,...i->...", diff, diff))), m)
    return Outcome(distance_level(km, m["sea"] | r["sea"], p.settings, ~m["has_route"]), km=km)


def _marks(p: Pairs) -> Outcome:
    m, r = p.m, p.r
    both_marked = (m["marks_kind"] != 0) & (r["marks_kind"] != 0)
    same_place = np.any((m["marks_place"] & r["marks_place"]) != 0, axis=-1)
    same_words = (m["marks_words"] & r["marks_words"]) != 0
    same_kind = (m["marks_kind"] & r["marks_kind"]) != 0
    level = np.where(same_place, np.where(same_words, 1, 2), np.where(same_kind, 3, 4))
    return Outcome(np.where(both_marked, level.astype(np.int8), np.int8(0)).astype(np.int8))


def _effects(p: Pairs) -> Outcome:
    m, r = p.m["effects"], p.r["effects"]
    shared = np.bitwise_count(m & r)
    level = 3 - np.minimum(shared, 2).astype(np.int8)
    return Outcome(np.where((m != 0) & (r != 0), level, np.int8(0)).astype(np.int8))


def _dental(p: Pairs) -> Outcome:
    """Tooth by tooth; a tooth missing in life but present after death excludes the pair."""
    am = tuple(p.m["dental"][..., i] for i in range(4))
    pm = tuple(p.r["dental"][..., i] for i in range(4))
    concordant, specific, explainable, inconsistent, excluding = dental_counts(am, pm)
    compared = concordant + explainable + inconsistent + excluding
    level = np.select(
        [compared == 0, inconsistent >= 2, inconsistent == 1, specific >= 2, specific == 1],
        [0, 5, 4, 1, 2],
        3,
    ).astype(np.int8)
    return Outcome(level, excluded=excluding > 0)


#: every criterion, in the order compared (a comparison may read the levels of those before
#: it); the order also fixes the order in which weights are summed
COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "names", ("has_names",), ("has_names", "n_doc"), (_m("has_names"), _r("has_names")), _names
    ),
    Comparison(
        "name_near",
        ("has_names",),
        ("has_names",),
        (_m("has_names"), _r("has_names")),
        _name_near,
    ),
    Comparison("encoded_names", (), (), (), _encoded_names),
    Comparison("sex", ("sex",), ("sex",), (_m("sex"), _r("sex")), _sex),
    Comparison(
        "age",
        ("birth_lo", "birth_hi", "age_lo", "age_hi", "last_seen"),
        ("found", "pmi_min", "age_min", "age_max"),
        (_m("birth_lo", "age_lo"), _r("age_min", "age_max")),
        _age,
    ),
    Comparison(
        "stature",
        ("height",),
        ("stature_min", "stature_max"),
        (_m("height"), _r("stature_min", "stature_max")),
        _stature,
    ),
    Comparison(
        "pmi",
        ("last_seen", "last_seen_kind"),
        ("found", "pmi_min", "pmi_max"),
        (_m("last_seen"), _r("found"), _r("pmi_min")),
        _pmi,
    ),
    Comparison(
        "interval",
        ("last_seen", "last_seen_kind", "sea"),
        ("found", "pmi_min", "sea"),
        (_m("last_seen"), _r("found")),
        _interval,
    ),
    Comparison(
        "distance",
        ("point", "last_seen_kind", "sea", "has_route"),
        ("point", "sea"),
        # a route alone counts too: the index measures it apart, where the level is 0 here
        (_m("point", "has_route"), _r("point")),
        _distance,
    ),
    Comparison(
        "marks",
        ("marks_kind", "marks_place", "marks_words"),
        ("marks_kind", "marks_place", "marks_words"),
        (_m("marks_kind"), _r("marks_kind")),
        _marks,
    ),
    Comparison("effects", ("effects",), ("effects",), (_m("effects"), _r("effects")), _effects),
    Comparison("dental", ("dental",), ("dental",), (_m("dental"), _r("dental")), _dental),
)


def compare_columns(
    m: Mapping[str, Array],
    r: Mapping[str, Array],
    names: NameAgreement,
    settings: MatchSettings,
    as_of: float,
    criteria: Container[str] | None = None,
) -> PairLevels:
    """Criterion levels of (missing, remains) pairs given as broadcasting feature columns: each
    comparison of ``COMPARISONS`` in turn (only those of ``criteria`` when given; the others
    are skipped).

    A criterion the query record lacks a value for is skipped (level 0) without touching the
    other side, which keeps a query against a large population cheap.
    """
    shape = np.broadcast_shapes(m["sex"].shape, r["sex"].shape)
    levels: dict[str, Array] = {}
    pairs = Pairs(m, r, names, settings, as_of, shape, levels)
    excluded: Array = np.zeros(shape, dtype=bool)
    contradicted: Array = np.zeros(shape, dtype=bool)
    point_km: FloatArray | None = None
    for comparison in COMPARISONS:
        wanted = criteria is None or comparison.criterion in criteria
        outcome = (
            comparison.compare(pairs) if wanted and not comparison.lacking(m, r) else pairs.skip()
        )
        levels[comparison.criterion] = outcome.level
        if outcome.excluded is not None:
            excluded = excluded | outcome.excluded
        if outcome.contradicted is not None:
            contradicted = contradicted | outcome.contradicted
        if outcome.km is not None:
            point_km = outcome.km
    names_compared = levels["names"] != 0
    return PairLevels(
        levels=levels,
        excluded=np.asarray(excluded),
        point_km=np.full(shape, np.nan) if point_km is None else point_km,
        name_bits=np.where(names_compared, names.graded + _reported_bits(pairs), 0.0),
        contradicted=np.asarray(contradicted & names_compared),
    )


def _reported_bits(p: Pairs) -> FloatArray:
    """Where only a surname or only a given name agrees, the bits of whether every reported
    name is on the documents all the same (``MatchSettings.name_all_reported_bits``)."""
    level = p.levels["names"]
    if skipped(level):
        return np.zeros(1)
    table = _reported_table(p.settings.name_all_reported_bits, p.settings.name_unreported_bits)
    every = np.asarray(p.names.all_reported, dtype=np.intp)
    return np.asarray(table[2 * level + every], dtype=np.float64)


@functools.lru_cache(maxsize=8)
def _reported_table(found: tuple[float, float], missed: tuple[float, float]) -> FloatArray:
    """Bits per (names level, every reported name found), flattened as 2 * level + found: only
    surname only (level 3) and given name only (4) weigh it (see ``_NAME_LEVELS``)."""
    table = np.zeros((len(CRITERIA["names"]) + 1, 2))
    table[3], table[4] = (missed[0], found[0]), (missed[1], found[1])
    table.flags.writeable = False
    return table.ravel()


def outcomes(
    m: Mapping[str, Array],
    r: Mapping[str, Array],
    criteria: Container[str],
    settings: MatchSettings,
    as_of: float,
    lacking: Container[str] | None = None,
) -> dict[str, Outcome]:
    """What the comparisons of ``criteria`` alone find (none that reads names), for callers
    that combine the outcomes themselves: none of ``compare_columns``' bookkeeping, which
    costs more than comparing a few hundred pairs. ``lacking``, when given, names the
    criteria the query lacks a value for (worked out once per query, not per call)."""
    shape = np.broadcast_shapes(m["sex"].shape, r["sex"].shape)
    levels: dict[str, Array] = {}
    pairs = Pairs(m, r, _NO_NAMES, settings, as_of, shape, levels)
    found: dict[str, Outcome] = {}
    for comparison in COMPARISONS:
        if comparison.criterion in criteria:
            lacks = comparison.lacking(m, r) if lacking is None else comparison.criterion in lacking
            outcome = pairs.skip() if lacks else comparison.compare(pairs)
            levels[comparison.criterion] = outcome.level
            found[comparison.criterion] = outcome
    return found


_NO_NAMES = NameAgreement(*(np.zeros(0) for _ in range(7)))


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
        if skipped(level):
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
        # a document name counts for the role it agrees with best (a surname on a tie), never
        # for both: one word cannot be both the given name and the surname
        as_given = as_surname = 0.0
        for word, key, role in reported:
            similarity = token_similarity(doc_key, key)
            if similarity > 0.0:
                if role == ROLE_GIVEN:
                    as_given = max(as_given, similarity)
                elif not is_initial_pair(doc_key, key):
                    as_surname = max(as_surname, similarity)
                if doc_key not in best:
                    matched.append((doc_word, word))
                best[doc_key] = max(best.get(doc_key, 0.0), similarity)
        if as_surname > 0.0 and as_surname >= as_given:
            surname = True
        elif as_given > 0.0:
            given = True
    all_document = bool(documents) and set(best) == set(documents)
    graded = sum(
        (frequency(key) if frequency is not None else 0.0) - per_point * (100.0 - similarity)
        for key, similarity in best.items()
    )
    return given, surname, all_document, matched, graded


def all_reported_pair(missing: MissingRecord, remains: RemainsRecord) -> bool:
    """Whether every reported name token (given names, aliases, surnames) of a pair agrees
    with one of its document name tokens (``names.token_similarity``).

    Example:
        >>> all_reported_pair(
        ...     MissingRecord("M1", surnames=("Tiller",)),
        ...     RemainsRecord("R1", document_names=("TILLER",)),
        ... )
        True
        >>> all_reported_pair(
        ...     MissingRecord("M2", given_names=("Adam",), surnames=("Tiller",)),
        ...     RemainsRecord("R1", document_names=("TILLER",)),
        ... )
        False
    """
    reported = {key for key, _role in missing_name_tokens(missing)}
    documents = document_name_keys(remains)
    return bool(reported) and all(
        any(token_similarity(key, other) > 0.0 for other in documents) for key in reported
    )


def near_miss_pair(
    missing: MissingRecord, remains: RemainsRecord
) -> tuple[int, list[tuple[str, str]]]:
    """How near the document names that agree with no reported name come to one.

    Returns:
        the best ``names.near_band`` of those document tokens (-1 when every document token
        agrees with a reported one, or there is none), and per document token that comes near
        (closest first), the (document word, reported word) it comes nearest to.
    """
    reported = [
        (word, fold_token(word))
        for name in missing.given_names + missing.aliases + missing.surnames
        for word in name_tokens(name)
    ]
    documents = {
        fold_token(word): word for name in remains.document_names for word in name_tokens(name)
    }
    missed = [
        (key, word)
        for key, word in documents.items()
        if not any(token_similarity(key, other) > 0.0 for _word, other in reported)
    ]
    if not missed:
        return -1, []
    found: list[tuple[int, str, str]] = []
    # a name split in two (PA INE): adjacent document names re-joined, spelt like a reported one
    for name in remains.document_names:
        words = name_tokens(name)
        for first, second in zip(words, words[1:], strict=False):
            key = fold_token(first + second)
            if key in documents or len(first) == 1 or len(second) == 1:
                continue
            alike = [other_word for other_word, other in reported if spelt_alike(key, other)]
            if alike:
                found.append((NEAR_CLOSE, f"{first} {second}", alike[0]))
    for key, word in missed:
        bands = [(missed_band(key, other), other_word) for other_word, other in reported]
        band, other_word = max(bands, default=(0, ""), key=lambda item: item[0])
        if band > 0:
            found.append((band, word, other_word))
    found.sort(key=lambda item: -item[0])
    return max((band for band, _d, _r in found), default=0), [(d, r) for _b, d, r in found]


def pair_name_agreement(
    missing: list[MissingRecord],
    remains: list[RemainsRecord],
    settings: MatchSettings | None = None,
    frequency: Callable[[str], float] | None = None,
) -> NameAgreement:
    """Name agreement of aligned pairs, one by one (for small numbers of pairs); ``frequency``
    gives a document name key's term-frequency adjustment in bits (see ``CandidateIndex``)."""
    per_point = (settings or MatchSettings()).name_similarity_bits
    given, surname, all_document, dice, graded, near = [], [], [], [], [], []
    every: list[bool] = []
    for person, body in zip(missing, remains, strict=True):
        g, s, a, _, bits = name_agreement_pair(person, body, per_point, frequency)
        near.append(near_miss_pair(person, body)[0])
        every.append(all_reported_pair(person, body))
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
        np.array(near, dtype=np.int8),
        np.array(every, dtype=bool),
    )
