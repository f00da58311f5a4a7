"""Re-estimate Fellegi–Sunter m and u probabilities from pairs that officers confirmed or excluded.

Counts are smoothed toward the current weights (a pseudo-count per criterion), so a handful of
reviewed pairs nudges the weights instead of swinging them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.errors import WeightsError
from matching.features import (
    MISSING_COLUMNS,
    REMAINS_COLUMNS,
    FeatureColumns,
    missing_row,
    remains_row,
)
from matching.geodesy import distance_to_route_km
from matching.records import MissingRecord, RemainsRecord
from matching.scoring import compare_columns, distance_level, pair_name_agreement
from matching.settings import MatchSettings
from matching.weights import CRITERIA, Weights, default_weights

Array = npt.NDArray[Any]


@dataclass(frozen=True, slots=True)
class LabelledPair:
    """A pair an officer reviewed: ``same_person`` True if confirmed, False if excluded."""

    missing: MissingRecord
    remains: RemainsRecord
    same_person: bool


def pair_levels(
    missing: list[MissingRecord],
    remains: list[RemainsRecord],
    settings: MatchSettings | None = None,
    as_of: date | None = None,
) -> dict[str, Array]:
    """Criterion levels (0 = not compared) of aligned pairs, route distances included.

    Example:
        >>> body = RemainsRecord("R1", stature_min_cm=160, stature_max_cm=180)
        >>> pair_levels([MissingRecord("M1", height_cm=170)], [body])["stature"].tolist()
        [1]
    """
    return _compared_pairs(missing, remains, settings, as_of)[0]


def _compared_pairs(
    missing: list[MissingRecord],
    remains: list[RemainsRecord],
    settings: MatchSettings | None,
    as_of: date | None,
) -> tuple[dict[str, Array], Array]:
    """Criterion levels of aligned pairs, and which pairs the rules exclude outright."""
    settings = settings or MatchSettings()
    m_store, r_store = FeatureColumns(MISSING_COLUMNS), FeatureColumns(REMAINS_COLUMNS)
    m_store.extend([missing_row(record) for record in missing])
    r_store.extend([remains_row(record) for record in remains])
    m, r = m_store.columns(), r_store.columns()
    as_of_day = float(as_of.toordinal()) if as_of is not None else float("nan")
    compared = compare_columns(m, r, pair_name_agreement(missing, remains), settings, as_of_day)
    km = np.array(compared.point_km, dtype=np.float64)
    for i, (person, body) in enumerate(zip(missing, remains, strict=True)):
        if person.route is not None and body.found_lat is not None and body.found_lon is not None:
            route = distance_to_route_km(body.found_lat, body.found_lon, person.route)
            km[i] = route if np.isnan(km[i]) else min(km[i], route)
    levels = dict(compared.levels)
    levels["distance"] = distance_level(km, m["sea"] | r["sea"], settings, ~m["has_route"])
    excluded = np.broadcast_to(compared.excluded, (len(missing),))
    return {c: np.broadcast_to(v, (len(missing),)) for c, v in levels.items()}, excluded


def estimate_weights(
    pairs: Iterable[LabelledPair],
    start: Weights | None = None,
    smoothing: float = 100.0,
    settings: MatchSettings | None = None,
    as_of: date | None = None,
) -> Weights:
    """New m and u probabilities from reviewed pairs, smoothed toward ``start``.

    For each criterion, m of a level is (confirmed pairs at that level + smoothing × old m)
    / (confirmed pairs where the criterion could be compared + smoothing); u likewise from
    excluded pairs. Pairs the comparison rules exclude outright (found well before last seen,
    a tooth lost in life present after death) are left out: they are never ranked, and counting
    them would, for one, make "found within a week" look common among different people. The
    prior is kept: reviewed pairs are not a random sample of all pairs.

    Args:
        pairs: pairs officers confirmed (same_person=True) or excluded (False).
        start: the weights to move from; ``default_weights()`` when None.
        smoothing: pseudo-count per criterion; larger moves the weights less.
        settings: comparison rules used to put each pair on its levels.
        as_of: today's date, passed in.

    Raises:
        WeightsError: smoothing is not positive.

    Example:
        >>> pairs = [LabelledPair(MissingRecord("M1", height_cm=170),
        ...                       RemainsRecord("R1", stature_min_cm=190), True)] * 50
        >>> new = estimate_weights(pairs)
        >>> new.weight("stature", "far") > default_weights().weight("stature", "far")
        True
    """
    if smoothing <= 0:
        raise WeightsError("smoothing must be positive")
    start = start or default_weights()
    labelled = list(pairs)
    probabilities: dict[str, dict[str, tuple[float, float]]] = {
        c: dict(levels) for c, levels in start.probabilities.items()
    }
    if not labelled:
        return Weights(prior=start.prior, probabilities=probabilities)
    levels, excluded = _compared_pairs(
        [p.missing for p in labelled], [p.remains for p in labelled], settings, as_of
    )
    # a pair the rules exclude outright (found well before last seen, a tooth lost in life
    # present after death) is never ranked: its levels say nothing about ranked pairs
    same = np.array([p.same_person for p in labelled], dtype=bool)
    ranked = ~excluded
    for criterion, names in CRITERIA.items():
        observed = levels[criterion]
        for label, position in ((True, 0), (False, 1)):
            chosen = observed[(same == label) & ranked & (observed != 0)]
            counts = np.bincount(chosen, minlength=len(names) + 1)[1:]
            total = float(counts.sum())
            for index, level in enumerate(names):
                old = probabilities[criterion][level]
                value = (float(counts[index]) + smoothing * old[position]) / (total + smoothing)
                pair = (value, old[1]) if position == 0 else (old[0], value)
                probabilities[criterion][level] = pair
    return Weights(prior=start.prior, probabilities=probabilities)
