"""Every open case of the other kind compared with one query, for its top K: the criteria
that read columns with few distinct values (a sex, a height, a last-seen day, effects) are
compared once per distinct value and spread back, the others on every pair; the route
distance, the one costly criterion, is measured only for pairs it could lift into the top K
(branch and bound). The totals agree to the last bit with comparing every pair in full.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.routes import QueryRoutes
from matching.scoring import (
    COMPARISONS,
    Comparison,
    NameAgreement,
    PairLevels,
    compare_columns,
    distance_level,
    outcomes,
    pair_totals,
    skipped,
)
from matching.settings import MatchSettings

Array = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Columns = Mapping[str, Array]

#: the criteria compared once per distinct value, in groups read together (the interval reads
#: the PMI's levels)
DISTINCT_GROUPS = (("sex",), ("stature",), ("pmi", "interval"), ("effects",))
#: the criteria few cases hold a value for (marks, teeth): compared only where one is held
SPARSE = ("marks", "dental")
#: the criteria that read the names (the token index's agreement): compared for every pair
NAMED = ("names", "name_near", "encoded_names")
#: every other criterion reads values of each case's own (birth and age, place; and any
#: criterion added to ``COMPARISONS`` until it is listed above): bounded by its best weight
#: until a pair could enter the top K
DEFERRED = tuple(
    c.criterion
    for c in COMPARISONS
    if c.criterion not in NAMED + SPARSE + tuple(x for g in DISTINCT_GROUPS for x in g)
)
# pairs compared in full first (the best bounds), for a K-th best total to prune the rest with
_SEED = 256
# the seed's threshold is read off every so many bounds
_SAMPLE = 16
# float sums of the same weights in another order differ in the last bits: bounds get a margin
_MARGIN = 1e-6
_CHUNK = 256


@dataclass(frozen=True)
class DistinctRows:
    """The distinct rows of the columns one group of criteria reads, in the order they first
    appear, per position the row it holds, and per row the position it first appears at."""

    criteria: tuple[str, ...]
    rows: dict[str, Array]
    inverse: npt.NDArray[np.intp]
    first: IntArray

    def prefix(self, width: int) -> dict[str, Array]:
        """The rows held by the first ``width`` positions (what a bulk query reads): a prefix
        of the rows, as they come in the order they first appear."""
        few = int(np.searchsorted(self.first, width))
        return {column: values[:few] for column, values in self.rows.items()}


class Distinct:
    """A population's columns, per group of criteria in ``DISTINCT_GROUPS``, as distinct rows:
    the criteria are compared once per distinct row and the levels spread back, which gives
    the very values comparing every pair does (the rules work value by value); and per
    criterion of ``SPARSE``, the positions holding a value for it (elsewhere its level is 0)."""

    def __init__(self, population: Columns, side: str) -> None:
        self.held: dict[str, IntArray] = {}
        self.present: dict[str, Array] = {}
        for comparison in COMPARISONS:
            if comparison.criterion not in DEFERRED and comparison.criterion not in SPARSE:
                continue
            holding = _holding(comparison, population, side)
            if comparison.criterion in DEFERRED:
                self.present[comparison.criterion] = holding
            if comparison.criterion in SPARSE:
                self.held[comparison.criterion] = np.flatnonzero(holding)
        self.groups: list[DistinctRows] = []
        for criteria in DISTINCT_GROUPS:
            reads: dict[str, None] = {}
            for comparison in COMPARISONS:
                if comparison.criterion in criteria:
                    reads.update(
                        dict.fromkeys(
                            comparison.missing_reads if side == "m" else comparison.remains_reads
                        )
                    )
            self.groups.append(_distinct_rows(criteria, population, tuple(reads)))
        #: per criterion of ``SPARSE``, the distinct rows of the positions in ``held``
        self.sparse: dict[str, DistinctRows] = {}
        for comparison in COMPARISONS:
            if comparison.criterion in SPARSE:
                held = self.held[comparison.criterion]
                own = comparison.missing_reads if side == "m" else comparison.remains_reads
                held_columns = {column: population[column][held] for column in (*own, "sex")}
                self.sparse[comparison.criterion] = _distinct_rows(
                    (comparison.criterion,), held_columns, own
                )


class GrowingDistinct:
    """``Distinct`` of a population that only grows (the open cases of one kind, by slot):
    rows appended a few at a time are looked up among the distinct rows and added to them,
    not every row deduplicated anew (which takes ~0.4 s at 100,000 persons); many at once
    rebuild it. ``of`` gives the ``Distinct`` of the population as it is now."""

    #: more new rows than this rebuild the distinct rows rather than look each one up
    REBUILD = 64

    def __init__(self, side: str) -> None:
        self.side = side
        self._distinct: Distinct | None = None
        self._size = 0

    def of(self, population: Columns) -> Distinct:
        size = len(population["sex"])
        if self._distinct is None or size < self._size or size - self._size > self.REBUILD:
            self._distinct = Distinct(population, self.side)
        else:
            for position in range(self._size, size):
                self._append(self._distinct, population, position)
        self._size = size
        return self._distinct

    def _append(self, distinct: Distinct, population: Columns, position: int) -> None:
        side = self.side
        for comparison in COMPARISONS:
            criterion = comparison.criterion
            if criterion not in DEFERRED and criterion not in SPARSE:
                continue
            row = {column: population[column][position : position + 1] for column in population}
            holding = bool(_holding(comparison, row, side)[0])
            if criterion in DEFERRED:
                distinct.present[criterion] = np.append(distinct.present[criterion], holding)
            if criterion in SPARSE and holding:
                own = comparison.missing_reads if side == "m" else comparison.remains_reads
                held = distinct.held[criterion]
                distinct.held[criterion] = np.append(held, position)
                # the sparse rows number the holders, not every position
                distinct.sparse[criterion] = _appended(
                    distinct.sparse[criterion], population, position, own, held.size
                )
        for at, group in enumerate(distinct.groups):
            reads: dict[str, None] = {}
            for comparison in COMPARISONS:
                if comparison.criterion in group.criteria:
                    reads.update(
                        dict.fromkeys(
                            comparison.missing_reads if side == "m" else comparison.remains_reads
                        )
                    )
            distinct.groups[at] = _appended(group, population, position, tuple(reads))


def _appended(
    group: DistinctRows,
    population: Columns,
    position: int,
    reads: tuple[str, ...],
    at: int | None = None,
) -> DistinctRows:
    """``group`` with the row at ``position`` appended as its ``at``-th (``position``-th when
    None): its distinct row if it has one (the values of ``reads`` equal, floats by bit
    pattern), else a new one."""
    count = len(group.rows["sex"])
    same = np.ones(count, dtype=bool)
    for column in reads:
        held = group.rows[column]
        width = int(np.prod(held.shape[1:]))
        held = held.reshape(count, width)
        value = population[column][position].reshape(1, width)
        if held.dtype.kind == "f":
            kind = np.dtype(f"u{held.dtype.itemsize}")
            held, value = held.view(kind), value.view(kind)
        same &= np.all(held == value, axis=1)
    found = np.flatnonzero(same)
    rows, first = group.rows, group.first
    if found.size:
        row = int(found[0])
    else:
        # a new row first appears at the last position: the rows stay in that order
        row = count
        rows = {
            column: np.concatenate([values, population[column][position : position + 1]])
            for column, values in rows.items()
        }
        first = np.append(first, position if at is None else at).astype(first.dtype)
    inverse = np.append(group.inverse, row).astype(group.inverse.dtype)
    return DistinctRows(group.criteria, rows, inverse, first)


def _distinct_rows(
    criteria: tuple[str, ...], population: Columns, reads: tuple[str, ...]
) -> DistinctRows:
    """The distinct rows of the columns ``reads`` (and a column of sex, which gives the rows'
    shape: a criterion that does not read it takes any)."""
    code = np.zeros(len(population["sex"]), dtype=np.int64)
    for column in reads:
        values = population[column]
        values = values.reshape(len(values), int(np.prod(values.shape[1:])))
        if values.dtype.kind == "f":
            # by bit pattern: rows of equal values are one row, NaNs included (as floats,
            # every NaN would be a distinct row of its own)
            values = values.view(np.dtype(f"u{values.dtype.itemsize}"))
        _, inverse = np.unique(values, axis=0, return_inverse=True)
        code = code * (int(inverse.max(initial=0)) + 1) + inverse.reshape(-1)
        _, code = np.unique(code, return_inverse=True)
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    order = np.argsort(first)
    renumbered = np.empty_like(order)
    renumbered[order] = np.arange(order.size)
    first = first[order]
    rows = {column: population[column][first] for column in {"sex": None, **dict.fromkeys(reads)}}
    return DistinctRows(criteria, rows, renumbered[inverse.reshape(-1)], first.astype(np.int64))


def _holding(comparison: Comparison, population: Columns, side: str) -> Array:
    """Where the population holds, for every need of this comparison on its side, at least one
    of the columns that need accepts."""
    holding = np.ones(len(population["sex"]), dtype=bool)
    for need in comparison.needs:
        if need.side == side:
            for_need = np.zeros_like(holding)
            for column in need.columns:
                for_need |= _known(population[column])
            holding &= for_need
    return holding


def _known(values: Array) -> Array:
    known = ~np.isnan(values) if values.dtype.kind == "f" else values != 0
    return known if known.ndim == 1 else np.any(known, axis=tuple(range(1, known.ndim)))


@dataclass(frozen=True)
class Scored:
    """The pairs one query was compared with in full (positions in the population's columns)
    and their totals (-inf: excluded), and the route distances measured (per position; NaN:
    not measured). ``competing`` (every pair compared, for the caseload prior) holds the totals
    the pairs compete with for the query: the pairs the route refinement left out of the top
    K at their point-only score (a lower bound, and too low to matter in the sum)."""

    positions: IntArray
    totals: FloatArray
    route_km: FloatArray
    competing: FloatArray | None = None


@dataclass(frozen=True)
class Query:
    """One query against a population: the query's columns (length 1) and the population's,
    their name agreement, the DNA weight per pair (0: none; -inf: excludes), the routes to
    measure, and the population's slots per position (None: positions are slots)."""

    query: Columns
    population: Columns
    query_is_missing: bool
    names: NameAgreement
    dna: FloatArray
    routes: QueryRoutes | None
    slots: IntArray | None
    distinct: Distinct | None = None

    @functools.cached_property
    def lacking(self) -> frozenset[str]:
        """The criteria the query lacks a value for: skipped for every pair."""
        m, r = self.sides(self.population)
        return frozenset(c.criterion for c in COMPARISONS if c.lacking(m, r))

    @property
    def size(self) -> int:
        return len(self.population["sex"])

    def sides(self, population: Columns) -> tuple[Columns, Columns]:
        """(missing, remains) columns with ``population`` in its place."""
        return (self.query, population) if self.query_is_missing else (population, self.query)

    def slot_of(self, positions: IntArray) -> IntArray:
        return positions if self.slots is None else self.slots[positions]


class Ranker:
    """Compares queries with populations by the weights and rules given."""

    def __init__(self, tables: Mapping[str, FloatArray], settings: MatchSettings) -> None:
        self.tables = tables
        self.settings = settings
        self._distance = tables["distance"]

    def every_pair(self, q: Query, as_of: float, top_k: int) -> Scored:
        """Compare every pair in full (what the caseload prior needs: every total); routes
        still by branch and bound, as only the top K needs them."""
        top_k = max(top_k, 1)
        m, r = q.sides(q.population)
        compared = compare_columns(m, r, q.names, self.settings, as_of)
        totals = np.broadcast_to(pair_totals(compared, self.tables), (q.size,)).copy()
        totals[compared.excluded | ~q.population["active"]] = -np.inf
        totals += q.dna
        return self._every_route(q, compared.levels["distance"], totals, top_k, m["sea"] | r["sea"])

    def dense(self, q: Query, as_of: float, top_k: int) -> Scored:
        """Compare every pair, the screened criteria once per distinct value (``Distinct``);
        the totals are summed in the order ``pair_totals`` sums them, so they agree with it to
        the last bit."""
        if q.distinct is None:
            return self.every_pair(q, as_of, top_k)
        top_k = max(top_k, 1)
        m, r = q.sides(q.population)
        distinct = {c for group in q.distinct.groups for c in group.criteria} | set(SPARSE)
        rest = [c.criterion for c in COMPARISONS if c.criterion not in distinct]
        compared = compare_columns(m, r, q.names, self.settings, as_of, criteria=rest)
        weights, excluded, voids = self._screened(q, m, r, as_of)
        excluded |= np.broadcast_to(compared.excluded, (q.size,))
        contradicted = compared.contradicted | (voids & (compared.levels["names"] != 0))
        total: FloatArray | None = None
        for comparison in COMPARISONS:
            criterion = comparison.criterion
            if criterion in distinct:
                part = weights.get(criterion)
            elif not skipped(compared.levels[criterion]):
                part = self.tables[criterion][compared.levels[criterion]]
            else:
                part = None
            if part is not None:
                total = part if total is None else total + part
        totals = np.broadcast_to(
            (np.zeros(1) if total is None else total) + compared.name_bits, (q.size,)
        ).copy()
        if bool(np.any(contradicted)):
            names = self.tables["names"][compared.levels["names"]] + compared.name_bits
            totals = totals - np.where(contradicted & (names > 0), names, 0.0)
        totals[excluded | ~q.population["active"]] = -np.inf
        totals += q.dna
        return self._every_route(q, compared.levels["distance"], totals, top_k, m["sea"] | r["sea"])

    def _every_route(
        self, q: Query, point_levels: Array, totals: FloatArray, top_k: int, sea: Array
    ) -> Scored:
        """Every pair's totals with the routes refined for the top K; the totals before the
        refinement dropped a pair kept as the ones it competes with."""
        route_km = np.full(q.size, np.nan)
        competing = totals
        if q.routes is not None:
            competing = totals.copy()
            self._refine_routes(q, point_levels, totals, route_km, top_k, sea)
            competing = np.where(np.isneginf(totals), competing, totals)
        return Scored(np.arange(q.size), totals, route_km, competing)

    def pruned(self, q: Query, as_of: float, top_k: int) -> Scored:
        """As ``dense``, but the age and the distance, the costly criteria left, only for the
        pairs that could still enter the top K: every other criterion is compared for every
        pair, the age and the distance bounded by their best weight where the case holds a
        value for them (branch and bound; the totals of the pairs kept agree with comparing
        every pair to the last bit)."""
        assert q.distinct is not None
        top_k = max(top_k, 1)
        m, r = q.sides(q.population)
        names = compare_columns(m, r, q.names, self.settings, as_of, criteria=NAMED)
        weights, excluded, voids = self._screened(q, m, r, as_of)
        for criterion in NAMED:
            if not skipped(names.levels[criterion]):
                weights[criterion] = self.tables[criterion][names.levels[criterion]]
        named = np.broadcast_to(names.levels["names"] != 0, (q.size,))
        bound = np.broadcast_to(names.name_bits, (q.size,)) + q.dna + _MARGIN
        for weight in weights.values():
            bound = bound + weight
        for criterion in DEFERRED:
            if criterion not in q.lacking:
                best = max(float(self.tables[criterion].max()), 0.0)
                bound = bound + best * q.distinct.present[criterion][: q.size]
        bound[excluded | ~q.population["active"]] = -np.inf
        live = np.flatnonzero(np.isfinite(bound))
        route_km = np.full(q.size, np.nan)
        if live.size <= _SEED:
            totals = self._exact(
                q, live, weights, excluded, voids, named, names, as_of, route_km, top_k
            )
            return Scored(live, totals, route_km)
        # the best bounds first: their exact totals (routes measured where they could lift a
        # pair into the top K; a pair not measured is dropped) give a K-th best to prune with
        seed = live[np.argpartition(-bound[live], _SEED - 1)[:_SEED]]
        found = self._exact(q, seed, weights, excluded, voids, named, names, as_of, route_km, top_k)
        top = _top_values(found, top_k)
        kth = top[0] if top.size >= top_k else -np.inf
        beyond = np.isfinite(bound) & (bound >= kth)
        beyond[seed] = False
        rest = np.flatnonzero(beyond)
        if rest.size == 0:
            return Scored(seed, found, route_km)
        more = self._exact(q, rest, weights, excluded, voids, named, names, as_of, route_km, top_k)
        return Scored(np.concatenate([seed, rest]), np.concatenate([found, more]), route_km)

    def _screened(
        self, q: Query, m: Columns, r: Columns, as_of: float
    ) -> tuple[dict[str, Array], Array, Array]:
        """Per criterion compared once per distinct value or only where held, its weight per
        pair; the pairs they exclude, and those whose names a contradiction voids."""
        assert q.distinct is not None
        weights: dict[str, Array] = {}
        excluded = np.zeros(q.size, dtype=bool)
        voids = np.zeros(q.size, dtype=bool)
        for group in q.distinct.groups:
            rows = group.prefix(q.size)
            rows_m, rows_r = q.sides(rows)
            few = len(rows["sex"])  # the population's side (a missing person's query: r)
            found = outcomes(rows_m, rows_r, group.criteria, self.settings, as_of, q.lacking)
            inverse = group.inverse[: q.size]  # a bulk query reads a prefix of the rows
            for criterion, outcome in found.items():
                if not skipped(outcome.level):
                    level = np.broadcast_to(outcome.level, (few,))
                    weights[criterion] = self.tables[criterion][level][inverse]
                if outcome.excluded is not None and bool(np.any(outcome.excluded)):
                    excluded |= np.broadcast_to(outcome.excluded, (few,))[inverse]
                if outcome.contradicted is not None and bool(np.any(outcome.contradicted)):
                    voids |= np.broadcast_to(outcome.contradicted, (few,))[inverse]
        for criterion, held in q.distinct.held.items():
            comparison = next(c for c in COMPARISONS if c.criterion == criterion)
            held = held[: np.searchsorted(held, q.size)]  # a bulk query reads a prefix
            if held.size == 0 or criterion in q.lacking:
                continue
            reads = comparison.remains_reads if q.query_is_missing else comparison.missing_reads
            holding = {column: q.population[column][held] for column in (*reads, "sex")}
            part_m, part_r = q.sides(holding)
            outcome = outcomes(part_m, part_r, (criterion,), self.settings, as_of, q.lacking)[
                criterion
            ]
            weight = np.zeros(q.size)
            weight[held] = self.tables[criterion][outcome.level]
            weights[criterion] = weight
            if outcome.excluded is not None and bool(np.any(outcome.excluded)):
                excluded[held] |= np.broadcast_to(outcome.excluded, (held.size,))
        return weights, excluded, voids

    def _exact(
        self,
        q: Query,
        positions: IntArray,
        weights: dict[str, Array],
        excluded: Array,
        voids: Array,
        named: Array,
        names: PairLevels,
        as_of: float,
        route_km: FloatArray,
        top_k: int,
    ) -> FloatArray:
        """Exact totals of the pairs at ``positions``: the deferred criteria compared, every
        weight summed in ``pair_totals``' order, and the routes that could lift a pair into
        their top K measured (branch and bound; a pair not measured is dropped)."""
        totals, distance, sea = self._exact_points(
            q, positions, weights, excluded, voids, named, names, as_of
        )
        if q.routes is not None:
            self._refine_routes(q, distance, totals, route_km, top_k, sea, positions)
        return totals

    def _exact_points(
        self,
        q: Query,
        positions: IntArray,
        weights: dict[str, Array],
        excluded: Array,
        voids: Array,
        named: Array,
        names: PairLevels,
        as_of: float,
    ) -> tuple[FloatArray, Array, Array]:
        """As ``_exact``, the routes not measured: the totals with the distance from the
        last-seen point, and for the route branch and bound the distance levels and sea
        crossings of the pairs."""
        side = "r" if q.query_is_missing else "m"
        reads: dict[str, None] = {"sex": None}
        for comparison in COMPARISONS:
            if comparison.criterion in DEFERRED:
                reads.update(
                    dict.fromkeys(
                        comparison.missing_reads if side == "m" else comparison.remains_reads
                    )
                )
        part = {column: q.population[column][positions] for column in reads}
        m, r = q.sides(part)
        found = outcomes(m, r, DEFERRED, self.settings, as_of, q.lacking)
        total: FloatArray | None = None
        for comparison in COMPARISONS:
            criterion = comparison.criterion
            if criterion in found:
                level = found[criterion].level
                part_weight = None if skipped(level) else self.tables[criterion][level]
            else:
                held = weights.get(criterion)
                part_weight = None if held is None else held[positions]
            if part_weight is not None:
                total = part_weight if total is None else total + part_weight
        name_bits = np.broadcast_to(names.name_bits, (q.size,))[positions]
        totals = np.broadcast_to(
            (np.zeros(1) if total is None else total) + name_bits, positions.shape
        ).copy()
        contradicted = voids[positions]
        out = excluded[positions]
        for outcome in found.values():
            if outcome.contradicted is not None:
                contradicted = contradicted | outcome.contradicted
            if outcome.excluded is not None:
                out = out | outcome.excluded
        contradicted = contradicted & named[positions]
        if bool(np.any(contradicted)):
            level = np.broadcast_to(names.levels["names"], (q.size,))[positions]
            weight = self.tables["names"][level] + name_bits
            totals = totals - np.where(contradicted & (weight > 0), weight, 0.0)
        totals[np.broadcast_to(out, positions.shape)] = -np.inf
        totals += q.dna[positions]
        distance = np.broadcast_to(found["distance"].level, positions.shape)
        sea = np.broadcast_to(m["sea"] | r["sea"], positions.shape)
        return totals, distance, sea

    def _refine_routes(
        self,
        q: Query,
        point_levels: Array,
        totals: FloatArray,
        route_km: FloatArray,
        top_k: int,
        sea: Array,
        positions: IntArray | None = None,
    ) -> None:
        """Lift pairs whose route passes nearer than the last-seen point, best bound first,
        until no pair left could enter the top K (branch and bound: exact, not a heuristic).
        The arrays run over ``positions`` of the population (all of it when None)."""
        assert q.routes is not None
        distance_table = self._distance
        now = np.broadcast_to(distance_table[point_levels], totals.shape)
        gain = distance_table.max() - now
        measurable = q.routes.measurable if positions is None else q.routes.measurable[positions]
        pending = np.isfinite(totals) & measurable & (gain > 0)
        settled = np.where(pending, -np.inf, totals)
        top = _top_values(settled, top_k)
        kth = top[0] if top.size >= top_k else -np.inf
        candidates = np.flatnonzero(pending & (totals + gain >= kth))
        if candidates.size == 0:
            return
        optimistic = totals[candidates] + gain[candidates]
        by_bound = candidates[np.argsort(-optimistic, kind="stable")]
        sea = np.broadcast_to(sea, totals.shape)
        point_levels_full = np.broadcast_to(point_levels, totals.shape)
        evaluated = np.zeros(totals.shape, dtype=bool)
        for start in range(0, by_bound.size, _CHUNK):
            chunk = by_bound[start : start + _CHUNK]
            if totals[chunk[0]] + gain[chunk[0]] < kth:
                break
            at = chunk if positions is None else positions[chunk]
            km = q.routes.km(at, q.slot_of(at))
            route_km[at] = km
            better = distance_table[distance_level(km, sea[chunk], self.settings)]
            # the nearer of point and route counts; with no point, the route alone does
            totals[chunk] += np.where(
                point_levels_full[chunk] > 0, np.maximum(better - now[chunk], 0.0), better
            )
            evaluated[chunk] = True
            top = _top_values(np.concatenate([top, totals[chunk]]), top_k)
            kth = top[0] if top.size >= top_k else -np.inf
        # pairs never refined have an exact score at most their bound, which is below the
        # K-th best: they cannot enter the top K, nor tie with it (equal totals at the K-th
        # place are cut in slot order, whichever pairs were refined first), and their
        # provisional score must not enter either
        totals[pending & ~evaluated] = -np.inf

    def pruned_many(self, queries: list[Query], as_of: float, top_k: int) -> list[Scored]:
        """As ``pruned`` for a block of remains queries against prefixes of one population
        of missing persons (bulk matching), what every query reads compared at once as
        (queries × persons) arrays: the same pairs compared in full, the same totals to the
        bit, with numpy's per-call overhead paid once per block rather than per query."""
        top_k = max(top_k, 1)
        block = self._block(queries, as_of)
        bound = block.bound
        count, width = bound.shape
        finite = np.isfinite(bound)
        seeds = _best_bounds(bound, finite)
        found = self._exact_many(block, queries, seeds, as_of)
        # the K-th best of the least totals the seed's pairs can end with, once their routes
        # are measured, is a K-th best to prune with (none where the seed holds every pair
        # that could be kept)
        kth = np.full(count, np.inf)
        for row, seed in enumerate(seeds):
            if seed.size == _SEED:
                values = _top_values(self._least_totals(queries[row], seed, found[row]), top_k)
                kth[row] = values[0] if values.size >= top_k else -np.inf
        beyond = finite & (bound >= kth[:, None])
        for row in np.flatnonzero(kth < np.inf).tolist():
            beyond[row, seeds[row]] = False
        rows, positions = np.nonzero(beyond)
        starts = np.searchsorted(rows, np.arange(count + 1))
        rests = [positions[starts[row] : starts[row + 1]] for row in range(count)]
        more = self._exact_many(block, queries, rests, as_of)
        scored = []
        for q, seed, rest, first, second in zip(queries, seeds, rests, found, more, strict=True):
            at = np.concatenate([seed, rest])
            totals, distance, sea = (
                np.concatenate(pair) for pair in zip(first, second, strict=True)
            )
            route_km = np.full(q.size, np.nan)
            if q.routes is not None and at.size:
                # one branch and bound over the pairs compared in full
                self._refine_routes(q, distance, totals, route_km, top_k, sea, at)
            scored.append(Scored(at, totals, route_km))
        return scored

    def _least_totals(
        self, q: Query, positions: IntArray, found: tuple[FloatArray, Array, Array]
    ) -> FloatArray:
        """The least totals the pairs at ``positions``, compared in full before the routes,
        can end with: measuring a route only raises a pair's total where its last-seen point
        was compared, but where there is none the route's weight counts alone, down to the
        lowest distance weight."""
        totals, distance, _sea = found
        if q.routes is None:
            return totals
        route_alone = (distance == 0) & q.routes.measurable[positions]
        lowest = min(float(self._distance.min()), 0.0)
        return np.where(route_alone, totals + lowest, totals)

    def _block(self, queries: list[Query], as_of: float) -> _Block:
        """What ``pruned_many`` reads for a block of remains queries, and their bounds."""
        first = queries[0]
        distinct = first.distinct
        assert distinct is not None and not first.query_is_missing
        count = len(queries)
        sizes = [q.size for q in queries]
        population = queries[int(np.argmax(sizes))].population
        width = max(sizes)
        remains = {
            column: np.concatenate([q.query[column] for q in queries]) for column in first.query
        }
        pairs_r = {column: values[:, None] for column, values in remains.items()}
        lacks = _lacking_rows(remains)
        lacking = frozenset(c for c, lack in lacks.items() if bool(np.all(lack)))
        fields = NameAgreement.__slots__
        fills = {
            "given": False,
            "surname": False,
            "all_document": False,
            "all_reported": False,
            "dice": np.nan,
        }
        no_dice = all(bool(np.isnan(q.names.dice).all()) for q in queries)
        agreement = NameAgreement(
            *(
                np.full((1, 1), np.nan)
                if f == "dice" and no_dice
                else _stack([getattr(q.names, f) for q in queries], width, fills.get(f, 0.0))
                for f in fields
            )
        )
        # a block of remains none of which has a name to compare skips the names outright
        named_criteria = [criterion for criterion in NAMED if criterion not in lacking]
        names = compare_columns(
            population, pairs_r, agreement, self.settings, as_of, named_criteria
        )
        named = {
            criterion: np.broadcast_to(names.levels[criterion], (count, width))
            for criterion in NAMED
            if not skipped(names.levels[criterion])
        }
        bound = np.empty((count, width))
        bound[...] = names.name_bits
        bound += _MARGIN
        scratch = np.empty((count, width))  # one buffer for the terms, not one per term
        for criterion, level in named.items():
            bound += np.take(self.tables[criterion], level, out=scratch, mode="clip")
        for row, q in enumerate(queries):
            if bool(np.any(q.dna)):
                bound[row, : q.size] += q.dna
            # beyond a query's prefix (last seen after the remains were found): excluded
            bound[row, q.size :] = -np.inf
        group_weights: list[dict[str, FloatArray]] = []
        group_void: list[Array | None] = []
        for group in distinct.groups:
            held_rows = group.prefix(width)
            few = len(held_rows["sex"])
            found = outcomes(held_rows, pairs_r, group.criteria, self.settings, as_of, lacking)
            weights: dict[str, FloatArray] = {}
            summed = np.zeros((count, few))
            void: Array | None = None
            for criterion, outcome in found.items():
                if not skipped(outcome.level):
                    weights[criterion] = self.tables[criterion][
                        np.broadcast_to(outcome.level, (count, few))
                    ]
                    summed = summed + weights[criterion]
                if outcome.excluded is not None and bool(np.any(outcome.excluded)):
                    summed[np.broadcast_to(outcome.excluded, (count, few))] = -np.inf
                if outcome.contradicted is not None and bool(np.any(outcome.contradicted)):
                    contradicted = np.broadcast_to(outcome.contradicted, (count, few))
                    void = contradicted if void is None else void | contradicted
            group_weights.append(weights)
            group_void.append(void)
            bound += np.take(summed, group.inverse[:width], axis=1, out=scratch, mode="clip")
        sparse_weights: dict[str, FloatArray] = {}
        sparse_column: dict[str, IntArray] = {}
        for criterion, held in distinct.held.items():
            held = held[: np.searchsorted(held, width)]
            if held.size == 0 or criterion in lacking:
                continue
            rows = distinct.sparse[criterion]
            held_rows = rows.prefix(held.size)
            few = len(held_rows["sex"])
            # the queries lacking a value for it: level 0, weight 0, never excluded
            holding = np.flatnonzero(~lacks[criterion])
            holding_r = {column: values[holding] for column, values in pairs_r.items()}
            outcome = outcomes(held_rows, holding_r, (criterion,), self.settings, as_of, lacking)[
                criterion
            ]
            weight = np.zeros((count, few))
            weight[holding] = self.tables[criterion][
                np.broadcast_to(outcome.level, (holding.size, few))
            ]
            sparse_weights[criterion] = weight
            column = np.full(width, -1, dtype=np.int64)
            column[held] = rows.inverse[: held.size]
            sparse_column[criterion] = column
            held_weight = weight[holding]
            if outcome.excluded is not None and bool(np.any(outcome.excluded)):
                excluding = np.broadcast_to(outcome.excluded, held_weight.shape)
                held_weight = np.where(excluding, -np.inf, held_weight)
            bound[np.ix_(holding, held)] += np.take(held_weight, rows.inverse[: held.size], axis=1)
        # the deferred criteria at their best where the persons hold what they need: one sum
        # per combination of criteria the queries lack
        deferred = [c for c in DEFERRED if c not in lacking]
        if deferred:
            combination = np.zeros(count, dtype=np.int64)
            for bit, criterion in enumerate(deferred):
                combination |= (~lacks[criterion]).astype(np.int64) << bit
            sums = np.zeros((1 << len(deferred), width))
            for bit, criterion in enumerate(deferred):
                best = max(float(self.tables[criterion].max()), 0.0)
                with_it = (np.arange(1 << len(deferred)) >> bit) & 1 == 1
                sums[with_it] += best * distinct.present[criterion][:width]
            bound += np.take(sums, combination, axis=0, out=scratch, mode="clip")
        if not bool(np.all(population["active"])):
            bound[:, ~population["active"]] = -np.inf
        return _Block(
            bound=bound,
            population=population,
            remains=remains,
            lacking=lacking,
            group_weights=group_weights,
            group_void=group_void,
            sparse_weights=sparse_weights,
            sparse_column=sparse_column,
            named=named,
            names_level=np.broadcast_to(names.levels["names"], (count, width)),
            name_bits=np.broadcast_to(names.name_bits, (count, width)),
        )

    def _exact_many(
        self, block: _Block, queries: list[Query], chosen: list[IntArray], as_of: float
    ) -> list[tuple[FloatArray, Array, Array]]:
        """As ``_exact`` for the pairs ``chosen`` of each query of the block (positions in its
        population), all compared at once, before the routes: per query, the totals and, for
        the route branch and bound, the distance levels and sea crossings."""
        sizes = np.array([c.size for c in chosen], dtype=np.int64)
        rows = np.repeat(np.arange(len(chosen)), sizes)
        positions = np.concatenate(chosen).astype(np.int64) if rows.size else np.zeros(0, np.int64)
        distinct = queries[0].distinct
        assert distinct is not None
        reads: dict[str, None] = {"sex": None}
        reads_r: dict[str, None] = {"sex": None}
        for comparison in COMPARISONS:
            if comparison.criterion in DEFERRED:
                reads.update(dict.fromkeys(comparison.missing_reads))
                reads_r.update(dict.fromkeys(comparison.remains_reads))
        m = {column: block.population[column][positions] for column in reads}
        r = {column: block.remains[column][rows] for column in reads_r}
        found = outcomes(m, r, DEFERRED, self.settings, as_of, block.lacking)
        inverse = [group.inverse[positions] for group in distinct.groups]
        total: FloatArray | None = None
        for comparison in COMPARISONS:
            criterion = comparison.criterion
            part: FloatArray | None = None
            if criterion in found:
                level = found[criterion].level
                part = None if skipped(level) else self.tables[criterion][level]
            elif criterion in block.named:
                part = self.tables[criterion][block.named[criterion][rows, positions]]
            elif criterion in block.sparse_weights:
                at = block.sparse_column[criterion][positions]
                held = block.sparse_weights[criterion][rows, np.maximum(at, 0)]
                part = np.where(at >= 0, held, 0.0)
            else:
                for weights, at in zip(block.group_weights, inverse, strict=True):
                    if criterion in weights:
                        part = weights[criterion][rows, at]
            if part is not None:
                total = part if total is None else total + part
        name_bits = block.name_bits[rows, positions]
        totals = np.broadcast_to(
            (np.zeros(1) if total is None else total) + name_bits, positions.shape
        ).copy()
        contradicted = np.zeros(positions.shape, dtype=bool)
        for void, at in zip(block.group_void, inverse, strict=True):
            if void is not None:
                contradicted |= void[rows, at]
        out = np.zeros(positions.shape, dtype=bool)
        for outcome in found.values():
            if outcome.contradicted is not None:
                contradicted = contradicted | outcome.contradicted
            if outcome.excluded is not None:
                out = out | outcome.excluded
        level = block.names_level[rows, positions]
        contradicted = contradicted & (level != 0)
        if bool(np.any(contradicted)):
            weight = self.tables["names"][level] + name_bits
            totals = totals - np.where(contradicted & (weight > 0), weight, 0.0)
        totals[np.broadcast_to(out, positions.shape)] = -np.inf
        totals += np.concatenate(
            [q.dna[at] for q, at in zip(queries, chosen, strict=True)] or [np.zeros(0)]
        )
        distance = np.broadcast_to(found["distance"].level, positions.shape)
        sea = np.broadcast_to(m["sea"] | r["sea"], positions.shape)
        ends = np.cumsum(sizes).tolist()
        return [
            (totals[start:end], distance[start:end], sea[start:end])
            for start, end in zip([0, *ends[:-1]], ends, strict=True)
        ]


def _best_bounds(bound: FloatArray, finite: Array) -> list[IntArray]:
    """Per row of ``bound``, the positions of its ``_SEED`` best finite bounds (all finite
    ones where there are no more): sought among the bounds at least a threshold read off every
    ``_SAMPLE``-th column, twice as low as the seed needs on average, which spares partitioning
    whole rows (among all the finite ones where the threshold lets too few through)."""
    count, width = bound.shape
    sample = bound[:, ::_SAMPLE]
    rank = max(2 * _SEED // _SAMPLE, 1)
    threshold = np.full(count, -np.inf)
    if sample.shape[1] > rank:
        threshold = np.partition(sample, sample.shape[1] - rank, axis=1)[:, sample.shape[1] - rank]
    seeds = []
    for row in range(count):
        ahead = np.flatnonzero(finite[row] & (bound[row] >= threshold[row]))
        if ahead.size < _SEED:
            ahead = np.flatnonzero(finite[row])
        if ahead.size > _SEED:
            ahead = ahead[np.argpartition(-bound[row, ahead], _SEED - 1)[:_SEED]]
        seeds.append(ahead)
    return seeds


def _top_values(values: FloatArray, k: int) -> FloatArray:
    """The k largest finite values, ascending (fewer if there are fewer)."""
    finite = values[np.isfinite(values)]
    if k <= 0:
        return finite[:0]
    if finite.size > k:
        finite = np.partition(finite, finite.size - k)[finite.size - k :]
    return np.sort(finite)


@dataclass(frozen=True)
class _Block:
    """What the queries of one block of bulk matching read, as (queries × persons) arrays
    over the longest prefix of the population: the bound of every pair (-inf: excluded or
    beyond the query's prefix); per criterion compared once per distinct value, its weight
    per (query, distinct row), and the names they void; per criterion compared only where
    held, its weight per (query, distinct row of the holders) and each position's row (-1:
    holds none); the levels of the criteria that read names (those skipped left out), the
    names' level (for the contradictions that void it) and bits."""

    bound: FloatArray
    population: Columns
    remains: dict[str, Array]
    lacking: frozenset[str]
    group_weights: list[dict[str, FloatArray]]
    group_void: list[Array | None]
    sparse_weights: dict[str, FloatArray]
    sparse_column: dict[str, IntArray]
    named: dict[str, Array]
    names_level: Array
    name_bits: FloatArray


def _stack(rows: list[Array], width: int, fill: Any) -> Array:
    """Per-query 1-D arrays of their own lengths as one (queries × width) array, ``fill``
    beyond each one's length."""
    stacked = np.empty((len(rows), width), dtype=rows[0].dtype)
    for row, values in zip(stacked, rows, strict=True):
        row[: values.size] = values
        row[values.size :] = fill
    return stacked


def _lacking_rows(remains: Columns) -> dict[str, Array]:
    """Per criterion, the remains (one per row) lacking every value one of its needs on the
    remains' side accepts: the criterion gives those rows level 0."""
    count = len(remains["sex"])
    lacks: dict[str, Array] = {}
    for comparison in COMPARISONS:
        lack = np.zeros(count, dtype=bool)
        for need in comparison.needs:
            if need.side == "r":
                known = np.zeros(count, dtype=bool)
                for column in need.columns:
                    known |= _known(remains[column])
                lack |= ~known
        lacks[comparison.criterion] = lack
    return lacks
