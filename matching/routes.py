"""Intended routes for the candidate index: every open report's route arcs in one growable
array, and the route distances one query needs (measured lazily, only for pairs that could
enter the top K)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.geodesy import distance_to_segments_km, route_segments
from matching.records import MissingRecord, RemainsRecord

Array = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class RouteStore:
    """Arcs of every intended route in one growable array, with each slot's first arc and count."""

    def __init__(self) -> None:
        self._frames = np.zeros((1024, 5, 3), dtype=np.float64)
        self._used = 0
        self._first: list[int] = []
        self._count: list[int] = []
        self._arrays: tuple[IntArray, IntArray] | None = None

    def append(self, slot: int, frames: FloatArray | None) -> None:
        while len(self._first) < slot:
            self._first.append(0)
            self._count.append(0)
        count = 0 if frames is None else frames.shape[0]
        if self._used + count > self._frames.shape[0]:
            grown = np.zeros((2 * (self._used + count), 5, 3), dtype=np.float64)
            grown[: self._used] = self._frames[: self._used]
            self._frames = grown
        if frames is not None:
            self._frames[self._used : self._used + count] = frames
        self._first.append(self._used)
        self._count.append(count)
        self._used += count
        self._arrays = None

    def forget(self, slot: int) -> None:
        if slot < len(self._count):
            self._count[slot] = 0
            self._arrays = None

    def distances_km(self, point: FloatArray, slots: IntArray) -> FloatArray:
        """Distance from one unit vector to the route of each slot given (each has one)."""
        if self._arrays is None:
            self._arrays = (np.array(self._first, np.int64), np.array(self._count, np.int64))
        first, count = self._arrays
        counts = count[slots]
        offsets = np.cumsum(counts) - counts
        arcs = np.repeat(first[slots] - offsets, counts) + np.arange(int(counts.sum()))
        km = distance_to_segments_km(point, self._frames[arcs])
        return np.asarray(np.minimum.reduceat(km, offsets), dtype=np.float64)


@dataclass(frozen=True)
class QueryRoutes:
    """Route distances for one query: which pairs have one to measure, and how.

    A missing person's query brings its own route (``segments``) to every remains' recovery
    point; a remains query's recovery point goes to the routes the index stores.
    """

    measurable: Array
    points: FloatArray
    segments: FloatArray | None
    store: RouteStore

    @classmethod
    def of(
        cls,
        record: MissingRecord | RemainsRecord,
        store: RouteStore,
        m: dict[str, Array],
        r: dict[str, Array],
    ) -> QueryRoutes | None:
        """None when no route distance can be measured for this query."""
        if isinstance(record, MissingRecord):
            if record.route is None or record.route.is_empty:
                return None
            points = r["point"]
            return cls(~np.isnan(points[:, 0]), points, route_segments(record.route), store)
        if record.found_lat is None or record.found_lon is None:
            return None
        return cls(m["has_route"], r["point"], None, store)

    def km(self, positions: IntArray, slots: IntArray) -> FloatArray:
        """Route distances of the pairs at ``positions`` of the columns (``slots`` of the
        other side)."""
        if self.segments is not None:
            km = distance_to_segments_km(self.points[positions], self.segments)
            return np.asarray(np.min(km, axis=-1), dtype=np.float64)
        return self.store.distances_km(self.points[0], slots)
