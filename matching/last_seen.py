"""How much the distance and the time from the last-seen point count, by the kind of place it
is (home, departure point, on the route).

Many families report the last time they saw the person, at home, months before and thousands of
kilometres from where the journey ended. From home the point says where the journey began, not
where to look: the distance counts to the intended route only (none known: not compared), and
the time since is read on a longer scale (``MatchSettings.home_time_factor``), since the journey
itself took weeks or months. A departure point or a sighting on the route keeps the rules of the
other criteria (the nearer of point and route; the point alone, widened, without a route).
Leaving a pair's distance uncompared is neutral evidence (principle 4), never a penalty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.records import LastSeenKind
from matching.settings import MatchSettings

Array = npt.NDArray[Any]

#: the feature column's code of each kind (int8; 0: unknown)
KIND_CODES = {
    LastSeenKind.UNKNOWN: 0,
    LastSeenKind.HOME: 1,
    LastSeenKind.DEPARTURE: 2,
    LastSeenKind.ROUTE: 3,
}


def at_home(m: Mapping[str, Array]) -> Array:
    """Whether each missing person was last seen at home (feature column ``last_seen_kind``)."""
    return np.asarray(m["last_seen_kind"] == KIND_CODES[LastSeenKind.HOME])


def point_km(km: Array, m: Mapping[str, Array]) -> Array:
    """Distances from the last-seen point that count: none (NaN) from a home, so that the
    intended route alone measures the pair, or nothing does.

    Example:
        >>> columns = {"last_seen_kind": np.array([0, 1, 2], dtype=np.int8)}
        >>> point_km(np.array([5.0, 3000.0, 40.0]), columns).tolist()
        [5.0, nan, 40.0]
    """
    home = at_home(m)
    if not bool(np.any(home)):
        return km
    return np.asarray(np.where(home, np.nan, km), dtype=np.float64)


def journey_days(days: Array, m: Mapping[str, Array], settings: MatchSettings) -> Array:
    """Days from last seen (to the estimated death or to the recovery) as the time levels read
    them: from home, a later day is divided by ``settings.home_time_factor``, the journey's
    own time; a day before last seen (an impossibility the levels flag) is kept as it is.

    Example:
        >>> columns = {"last_seen_kind": np.array([0, 1, 1], dtype=np.int8)}
        >>> journey_days(np.array([60.0, 60.0, -5.0]), columns, MatchSettings()).tolist()
        [60.0, 15.0, -5.0]
    """
    home = at_home(m)
    factor = settings.home_time_factor
    if factor == 1.0 or not bool(np.any(home)):
        return days
    return np.asarray(np.where(home & (days > 0), days / factor, days), dtype=np.float64)
