"""The open cases of both kinds, indexed so that a new case is compared with all of the other
kind in milliseconds, and the whole caseload re-matched in seconds.

Names go through an inverted index of folded tokens (``matching.name_index``); every pair is
screened on the cheap criteria at once on numpy columns, and compared in full only if it could
still enter the top K (branch and bound, ``matching.ranking``); the distance to each intended
route, the one costly criterion, is measured only for pairs it could lift into the top K.
Nothing is pruned that the scorer would rank in the top K: the ranking is exact.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.candidates import Candidate, Evidence
from matching.dna import DnaEvidence
from matching.errors import MatchingError
from matching.explanations import describe_pairs, score_pair
from matching.features import (
    MISSING_COLUMNS,
    REMAINS_COLUMNS,
    ROLE_DOCUMENT,
    FeatureColumns,
    document_joined_keys,
    document_name_keys,
    missing_name_tokens,
    missing_row,
    remains_row,
    single_columns,
)
from matching.geodesy import route_segments
from matching.name_index import NameTokens, names_against_missing, names_against_remains
from matching.ranking import Distinct, GrowingDistinct, Query, Ranker, Scored
from matching.records import MissingRecord, RemainsRecord
from matching.routes import QueryRoutes, RouteStore
from matching.scoring import NameAgreement, probability, weight_tables
from matching.settings import MatchSettings
from matching.weights import Weights, default_weights

Array = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Progress = Callable[[int, int], None]

_CHUNK = 256
# remains queries ranked at once in bulk matching (``Ranker.pruned_many``)
_BLOCK = 32


class _DnaStore:
    """The DNA evidence the open cases carry, looked up from the other side of each pair: a
    remains query must see the evidence the open missing persons carry about it, and back."""

    def __init__(self) -> None:
        # remains ref -> missing ref -> evidence carried by that missing person's record
        self.from_missing: dict[str, dict[str, DnaEvidence]] = {}
        # missing ref -> remains ref -> evidence carried by those remains' record
        self.from_remains: dict[str, dict[str, DnaEvidence]] = {}

    def add(self, record: MissingRecord | RemainsRecord) -> None:
        for evidence in record.dna:
            if isinstance(record, MissingRecord):
                self.from_missing.setdefault(evidence.remains_ref, {})[record.ref] = evidence
            else:
                self.from_remains.setdefault(evidence.missing_ref, {})[record.ref] = evidence

    def remove(self, record: MissingRecord | RemainsRecord) -> None:
        for evidence in record.dna:
            if isinstance(record, MissingRecord):
                held = self.from_missing.get(evidence.remains_ref, {})
            else:
                held = self.from_remains.get(evidence.missing_ref, {})
            held.pop(record.ref, None)

    def for_query(self, record: MissingRecord | RemainsRecord) -> dict[str, DnaEvidence]:
        """Evidence about the query's pairs by the other side's ref; the remains' evidence
        wins when both records of a pair carry one (as in :func:`matching.dna.pair_dna`)."""
        if isinstance(record, RemainsRecord):
            held = self.from_missing.get(record.ref, {})
            return {**held, **{e.missing_ref: e for e in record.dna}} if record.dna else held
        own = {e.remains_ref: e for e in record.dna}
        return {**own, **self.from_remains.get(record.ref, {})}


@dataclass
class _Side:
    """The open cases of one kind: records, feature columns, name tokens, routes."""

    columns: FeatureColumns
    tokens: NameTokens
    records: list[MissingRecord | RemainsRecord | None] = field(default_factory=list)
    slots: dict[str, int] = field(default_factory=dict)
    routes: RouteStore = field(default_factory=RouteStore)
    name_counts: list[int] = field(default_factory=list)
    # remains: adjacent document names written as one (a name split in two, PA INE)
    joined: NameTokens = field(default_factory=lambda: NameTokens(1))
    # the columns' distinct values, for one query of the other kind at a time
    distinct: GrowingDistinct = field(default_factory=lambda: GrowingDistinct("m"))


class CandidateIndex:
    """Open missing-person and remains cases, ready to be matched.

    Args:
        weights: Fellegi–Sunter weights; ``default_weights()`` when None.
        settings: comparison rules and the review threshold; ``MatchSettings()`` when None.
        workers: threads for rapidfuzz (-1: all cores).
        review_threshold: overrides ``settings.review_threshold`` when given.

    Example:
        >>> from matching.records import Sex
        >>> index = CandidateIndex()
        >>> index.add(MissingRecord("M1", given_names=("Ana",), surnames=("Ruiz",)))
        >>> index.add(MissingRecord("M2", given_names=("Eva",), surnames=("Soto",)))
        >>> best = index.candidates_for_remains(RemainsRecord("R1", document_names=("Ana Ruiz",)))
        >>> best[0].missing_ref
        'M1'
    """

    def __init__(
        self,
        weights: Weights | None = None,
        settings: MatchSettings | None = None,
        workers: int = -1,
        review_threshold: float | None = None,
    ) -> None:
        self.weights = weights or default_weights()
        self.settings = settings or MatchSettings()
        if review_threshold is not None:
            self.settings = replace(self.settings, review_threshold=review_threshold)
        self._tables = weight_tables(self.weights)
        self._ranker = Ranker(self._tables, self.settings)
        self._missing = _Side(FeatureColumns(MISSING_COLUMNS), NameTokens(workers))
        self._remains = _Side(
            FeatureColumns(REMAINS_COLUMNS), NameTokens(workers), distinct=GrowingDistinct("r")
        )
        self._dna = _DnaStore()

    # -- keeping the index up to date -------------------------------------------------------

    def __len__(self) -> int:
        return len(self._missing.slots) + len(self._remains.slots)

    @property
    def missing_count(self) -> int:
        """Number of open missing-person cases."""
        return len(self._missing.slots)

    @property
    def remains_count(self) -> int:
        """Number of open remains cases."""
        return len(self._remains.slots)

    @property
    def replaced_slots(self) -> int:
        """Rows of removed or replaced cases still held: memory a rebuild would free."""
        return sum(side.columns.size - len(side.slots) for side in (self._missing, self._remains))

    def add(self, record: MissingRecord | RemainsRecord) -> None:
        """Add one open case.

        Raises:
            MatchingError: a case of the same kind with this ref is already open.
        """
        self.add_many([record])

    def add_many(self, records: Iterable[MissingRecord | RemainsRecord]) -> None:
        """Add many open cases at once (much faster than one by one for a bulk load).

        Raises:
            MatchingError: a ref is already open for its kind, or appears twice.
        """
        missing: list[MissingRecord] = []
        remains: list[RemainsRecord] = []
        for record in records:
            (missing if isinstance(record, MissingRecord) else remains).append(record)  # type: ignore[arg-type]
        self._extend(self._missing, missing)
        self._extend(self._remains, remains)

    def _extend(self, side: _Side, records: Sequence[MissingRecord | RemainsRecord]) -> None:
        if not records:
            return
        refs = [record.ref for record in records]
        clash = next((ref for ref in refs if ref in side.slots), None)
        if clash is None and len(set(refs)) != len(refs):
            clash = next(ref for ref in refs if refs.count(ref) > 1)
        if clash is not None:
            raise MatchingError(f"case {clash} is already open")
        rows = [missing_row(r) if isinstance(r, MissingRecord) else remains_row(r) for r in records]
        slots = side.columns.extend(rows)
        for slot, record in zip(slots, records, strict=True):
            side.records.append(record)
            side.slots[record.ref] = slot
            self._dna.add(record)
            if isinstance(record, MissingRecord):
                side.tokens.add(slot, missing_name_tokens(record))
                has_route = record.route is not None and not record.route.is_empty
                side.routes.append(slot, route_segments(record.route) if has_route else None)
            else:
                side.tokens.add(slot, ((key, ROLE_DOCUMENT) for key in document_name_keys(record)))
                side.joined.add(
                    slot, ((key, ROLE_DOCUMENT) for key in document_joined_keys(record))
                )

    def update(self, record: MissingRecord | RemainsRecord) -> None:
        """Replace an open case by its new version (or add it if it was not open)."""
        self.remove(record)
        self.add(record)

    def remove(self, record: MissingRecord | RemainsRecord) -> None:
        """Close a case: it is no longer proposed. Unknown refs are ignored."""
        side = self._missing if isinstance(record, MissingRecord) else self._remains
        slot = side.slots.pop(record.ref, None)
        if slot is not None:
            held = side.records[slot]
            if held is not None:
                self._dna.remove(held)
            side.columns.deactivate(slot)
            side.records[slot] = None
            side.routes.forget(slot)

    # -- matching ---------------------------------------------------------------------------

    def name_frequency(self, key: str) -> float:
        """Term-frequency adjustment (bits) of agreeing on a document name key, learned from
        the open missing persons' names (see ``matching.name_index.NameTokens.key_bits``)."""
        return self._missing.tokens.key_bits(key, self.settings.name_frequency_cap_bits)

    def score_pair(
        self, missing: MissingRecord, remains: RemainsRecord, as_of: date | None = None
    ) -> Candidate:
        """Score one pair as this index ranks it: its weights, settings and name frequencies.

        Example:
            >>> index = CandidateIndex()
            >>> index.add(MissingRecord("M1", given_names=("Ana",), surnames=("Ruiz",)))
            >>> body = RemainsRecord("R1", document_names=("Ana Ruiz",))
            >>> index.score_pair(index.record("M1"), body).score == (
            ...     index.candidates_for_remains(body)[0].score)
            True
        """
        return score_pair(missing, remains, self.weights, self.settings, as_of, self.name_frequency)

    def record(self, ref: str) -> MissingRecord | RemainsRecord:
        """The open case with this ref (missing persons first).

        Raises:
            MatchingError: no open case has this ref.
        """
        for side in (self._missing, self._remains):
            slot = side.slots.get(ref)
            if slot is not None:
                found = side.records[slot]
                assert found is not None
                return found
        raise MatchingError(f"no open case {ref}")

    def candidates_for_remains(
        self, record: RemainsRecord, top_k: int = 10, as_of: date | None = None
    ) -> list[Candidate]:
        """The open missing persons most likely to be these remains, best first.

        The ranking is exact over every open missing person; excluded pairs are never proposed.

        Args:
            record: the remains (open in the index or not).
            top_k: most candidates returned.
            as_of: today's date, passed in; bounds the death date when no found date is known.

        Returns:
            up to ``top_k`` candidates, highest score first.

        Example:
            >>> from matching import Sex
            >>> index = CandidateIndex()
            >>> index.add(MissingRecord("M1", sex=Sex.FEMALE))
            >>> index.add(MissingRecord("M2", sex=Sex.MALE))
            >>> found = index.candidates_for_remains(RemainsRecord("R1", sex=Sex.MALE))
            >>> [c.missing_ref for c in found]
            ['M2', 'M1']
        """
        slots, offsets, names, route_km = self._rank(record, top_k, as_of)
        return self._candidates(record, slots, names, route_km, as_of, offsets)

    def candidates_for_missing(
        self, record: MissingRecord, top_k: int = 10, as_of: date | None = None
    ) -> list[Candidate]:
        """The open remains most likely to be this missing person, best first.

        With ``settings.reported_share`` set and the person in the index, each remains'
        probability is the one its own query gives the pair (the caseload prior is the
        remains'): one more remains query per candidate. Otherwise the weights' constant prior
        serves.

        Args:
            record: the missing person (open in the index or not).
            top_k: most candidates returned.
            as_of: today's date, passed in.

        Example:
            >>> index = CandidateIndex()
            >>> index.add(RemainsRecord("R1", stature_min_cm=150, stature_max_cm=160))
            >>> index.add(RemainsRecord("R2", stature_min_cm=170, stature_max_cm=180))
            >>> found = index.candidates_for_missing(MissingRecord("M1", height_cm=175))
            >>> [c.remains_ref for c in found]
            ['R2', 'R1']
        """
        slots, offsets, names, route_km = self._rank(record, top_k, as_of)
        if self.settings.reported_share is not None and record.ref in self._missing.slots:
            offsets = self._remains_offsets(slots, top_k, as_of)
        return self._candidates(record, slots, names, route_km, as_of, offsets)

    def _remains_offsets(self, slots: IntArray, top_k: int, as_of: date | None) -> FloatArray:
        """The caseload prior's offset of each remains found for a missing person: from the
        remains' own competition over every open missing person (the query among them, so it
        must be in the index), one remains query each; the pair's probability is then the one
        the remains' query gives it."""
        offsets = np.full(slots.size, np.nan)
        as_of_day = float(as_of.toordinal()) if as_of is not None else float("nan")
        for position, slot in enumerate(slots.tolist()):
            body = self._remains.records[slot]
            assert isinstance(body, RemainsRecord)
            # only the offset: not the top K, its names and the routes ``_finish`` measures
            query = self._query(body, None)
            scored = self._ranker.dense(query, as_of_day, top_k)
            competing = scored.totals if scored.competing is None else scored.competing
            offsets[position] = self._caseload_offset(body, competing)
        return offsets

    def match_all(
        self,
        top_k: int = 10,
        as_of: date | None = None,
        progress: Progress | None = None,
        processes: int | None = None,
    ) -> list[Candidate]:
        """For each open remains case, the top K open missing persons, grouped by remains.

        Args:
            top_k: most candidates per remains.
            as_of: today's date, passed in; bounds the death date where no found date is known.
            progress: called as ``progress(done, total)`` as blocks of remains are finished.
            processes: worker processes (forked; None: one per core, 1: stay in this process,
                which is what a threaded web worker should ask for).

        Example:
            >>> index = CandidateIndex()
            >>> index.add_many([MissingRecord("M1"), RemainsRecord("R1")])
            >>> [(c.remains_ref, c.missing_ref) for c in index.match_all()]
            [('R1', 'M1')]
        """
        keys = {
            key
            for record in self._remains.records
            if isinstance(record, RemainsRecord)
            for key in document_name_keys(record)
        }
        self._missing.tokens.prepare(keys)
        self._missing.tokens.prepare_spelt(
            key
            for record in self._remains.records
            if isinstance(record, RemainsRecord)
            for key in document_joined_keys(record)
        )
        open_slots = list(self._remains.slots.values())
        processes = processes or os.cpu_count() or 1
        bulk = _ByLastSeen.of(self._missing)
        # remains found about the same day read about the same persons: ranked together,
        # their blocks are no wider than they need; the widest first, so that workers do not
        # wait at the end on one slow block; those with names to compare apart from those
        # without, whose blocks then compare no names at all (the candidates come back in
        # slot order)
        records: list[RemainsRecord] = [self._remains.records[slot] for slot in open_slots]  # type: ignore[misc]
        limits = [-bulk.limit(record, self.settings) for record in records]
        nameless = [not _reads_names(record) for record in records]
        by_limit = [open_slots[i] for i in np.lexsort((limits, nameless)).tolist()]
        blocks = [by_limit[i : i + _CHUNK] for i in range(0, len(by_limit), _CHUNK)]
        with _long_lived_set_aside():
            found = self._match_blocks(blocks, bulk, top_k, as_of, processes, progress)
        # as blocks of slots in order, each grouped by remains ref
        place = {
            self._remains.records[slot].ref: (i // _CHUNK, self._remains.records[slot].ref)  # type: ignore[union-attr]
            for i, slot in enumerate(open_slots)
        }
        found.sort(key=lambda candidate: place[candidate.remains_ref])
        return found

    def _match_blocks(
        self,
        blocks: list[list[int]],
        bulk: _ByLastSeen,
        top_k: int,
        as_of: date | None,
        processes: int,
        progress: Progress | None,
    ) -> list[Candidate]:
        """``_match_block`` for every block, in forked worker processes where it can."""
        total = sum(len(block) for block in blocks)
        found: list[Candidate] = []
        done = 0
        # forking a process that runs other threads can deadlock: then stay in this process
        can_fork = "fork" in mp.get_all_start_methods() and threading.active_count() == 1
        if processes > 1 and len(blocks) > 1 and can_fork:
            global _FORKED
            _FORKED = (self, bulk)
            try:
                context = mp.get_context("fork")
                with context.Pool(processes) as pool:
                    work = [(block, top_k, as_of) for block in blocks]
                    for block, result in zip(
                        blocks, pool.imap(_match_block_in_worker, work), strict=True
                    ):
                        found.extend(
                            Candidate(m, r, score, review, tuple(Evidence(*e) for e in evidence))
                            for m, r, score, review, evidence in result
                        )
                        done += len(block)
                        if progress is not None:
                            progress(done, total)
            finally:
                _FORKED = None
        else:
            for block in blocks:
                found.extend(self._match_block(block, top_k, as_of, bulk))
                done += len(block)
                if progress is not None:
                    progress(done, total)
        return found

    def _match_block(
        self,
        slots: list[int],
        top_k: int,
        as_of: date | None,
        by_last_seen: _ByLastSeen | None = None,
    ) -> list[Candidate]:
        """Rank the missing persons for a block of remains slots, then explain all at once."""
        by_last_seen = by_last_seen or _ByLastSeen.of(self._missing)
        missing_slots: list[IntArray] = []
        remains_slots: list[IntArray] = []
        routes: list[FloatArray] = []
        offsets: list[FloatArray] = []
        found: list[NameAgreement] = []
        records = [self._remains.records[slot] for slot in slots]
        ranked: list[tuple[IntArray, FloatArray, NameAgreement, FloatArray]] = []
        if self.settings.reported_share is None:
            # what the queries read is compared block by block (``Ranker.pruned_many``)
            queries = [self._query(record, by_last_seen) for record in records]  # type: ignore[arg-type]
            as_of_day = float(as_of.toordinal()) if as_of is not None else float("nan")
            for start in range(0, len(queries), _BLOCK):
                block = queries[start : start + _BLOCK]
                for record, query, scored in zip(
                    records[start : start + _BLOCK],
                    block,
                    self._ranker.pruned_many(block, as_of_day, top_k),
                    strict=True,
                ):
                    ranked.append(self._finish(record, query, scored, top_k))  # type: ignore[arg-type]
        else:
            for record in records:
                assert isinstance(record, RemainsRecord)
                ranked.append(self._rank(record, top_k, as_of, by_last_seen))
        for slot, (best, offset, names, route_km) in zip(slots, ranked, strict=True):
            offsets.append(offset)
            missing_slots.append(best)
            remains_slots.append(np.full(best.size, slot, dtype=np.int64))
            routes.append(route_km)
            found.append(names)
        if not missing_slots:
            return []
        agreement = NameAgreement(
            *(np.concatenate([getattr(n, f) for n in found]) for f in _NAME_FIELDS)
        )
        return self._describe(
            np.concatenate(missing_slots),
            np.concatenate(remains_slots),
            agreement,
            np.concatenate(routes),
            as_of,
            np.concatenate(offsets),
        )

    def _rank(
        self,
        record: MissingRecord | RemainsRecord,
        top_k: int,
        as_of: date | None,
        by_last_seen: _ByLastSeen | None = None,
    ) -> tuple[IntArray, FloatArray, NameAgreement, FloatArray]:
        """Exact top K of the other kind for one record.

        Returns the slots, the caseload prior's offset (``_caseload_offset``, repeated per
        slot), and their name agreement and route distances.
        ``by_last_seen`` (bulk matching) lets a remains query skip every missing person last
        seen after it was found: those pairs are excluded anyway.
        """
        query = self._query(record, by_last_seen)
        as_of_day = float(as_of.toordinal()) if as_of is not None else float("nan")
        if query.distinct is None:
            scored = self._ranker.dense(query, as_of_day, top_k)
        elif self.settings.reported_share is None or query.query_is_missing:
            # a missing person's query has no caseload offset (its remains' queries give it)
            scored = self._ranker.pruned(query, as_of_day, top_k)
        else:
            # the caseload prior sums every pair's likelihood ratio: compare them all (the
            # sum is spread over most pairs: docs/matching.md, "a pruned sum")
            scored = self._ranker.dense(query, as_of_day, top_k)
        return self._finish(record, query, scored, top_k)

    def _finish(
        self, record: MissingRecord | RemainsRecord, query: Query, scored: Scored, top_k: int
    ) -> tuple[IntArray, FloatArray, NameAgreement, FloatArray]:
        """The top K of a query's pairs scored, as ``_rank`` returns them."""
        competing = scored.totals if scored.competing is None else scored.competing
        offset = self._caseload_offset(record, competing)
        best = _best(scored, query, top_k)
        slots = query.slot_of(best)
        route_best = scored.route_km[best]
        if query.routes is not None:
            # route distances the ranking did not need (the point was as near) are measured
            # here, so the explanation can say which was nearer without measuring one by one
            need = np.flatnonzero(np.isnan(route_best) & query.routes.measurable[best])
            route_best[need] = query.routes.km(best[need], slots[need])
        return slots, np.full(best.size, offset), _take(query.names, best), route_best

    def _query(
        self, record: MissingRecord | RemainsRecord, by_last_seen: _ByLastSeen | None
    ) -> Query:
        """The query of one record against every open case of the other kind (in
        ``by_last_seen``'s order, up to its limit, for bulk remains queries)."""
        other = self._remains if isinstance(record, MissingRecord) else self._missing
        columns = other.columns.columns()
        slots: IntArray | None = None
        distinct: Distinct | None = None
        if isinstance(record, MissingRecord):
            query = single_columns(missing_row(record))
            person = missing_name_tokens(record)
            self._prepare_document_tokens([key for key, _role in person])
            names = names_against_remains(
                self._remains.tokens,
                self._missing.tokens,
                person,
                self._remains.columns.column("n_doc"),
                self.settings,
                self._remains.joined,
            )
            names = _with_dice(names, self._dice(record, other))
            distinct = other.distinct.of(columns)
        elif by_last_seen is not None:
            limit = by_last_seen.limit(record, self.settings)
            slots = by_last_seen.order[:limit]
            columns = {name: array[:limit] for name, array in by_last_seen.columns.items()}
            distinct = by_last_seen.distinct
            slot = self._remains.slots.get(record.ref)
            if slot is not None and self._remains.records[slot] is record:
                # an open case's row is already in the columns
                _, query = self._gather(self._remains, np.array([slot]))
            else:
                query = single_columns(remains_row(record))
            names = names_against_missing(
                self._missing.tokens,
                document_name_keys(record),
                self.settings,
                limit,
                by_last_seen.position,
                document_joined_keys(record),
            )
            dice = self._dice(record, other)
            names = _with_dice(names, None if dice is None else dice[slots])
        else:
            query = single_columns(remains_row(record))
            distinct = other.distinct.of(columns)
            names = names_against_missing(
                self._missing.tokens,
                document_name_keys(record),
                self.settings,
                other.columns.size,
                joined=document_joined_keys(record),
            )
            names = _with_dice(names, self._dice(record, other))
        m, r = (query, columns) if isinstance(record, MissingRecord) else (columns, query)
        return Query(
            query=query,
            population=columns,
            query_is_missing=isinstance(record, MissingRecord),
            names=names,
            dna=self._dna_weights(record, other, len(columns["sex"]), by_last_seen),
            routes=QueryRoutes.of(record, other.routes, m, r),
            slots=slots,
            distinct=distinct,
        )

    def _prepare_document_tokens(self, keys: list[str]) -> None:
        """Look up at once, among the reported names, every document token that the person's
        name ``keys`` meet (their frequencies weigh the pairs): one rapidfuzz pass over the
        reported vocabulary, not one per token (each pass reads the whole vocabulary, and a
        new reported name empties the look-ups, so a query after a save paid dozens)."""
        remains = self._remains.tokens
        remains.prepare(keys)
        met = {remains.vocabulary[i] for key in keys for i in remains.similar(key)[0].tolist()}
        self._missing.tokens.prepare(met)

    def _caseload_offset(self, record: MissingRecord | RemainsRecord, totals: FloatArray) -> float:
        """log2 of what turns a pair's likelihood ratio into its probability under the caseload
        prior (NaN: the weights' constant prior serves).

        With ``settings.reported_share`` = s, remains are the person of one of the N reports
        they can be compared with (not excluded), each alike beforehand, with probability s,
        or of no one: P(i) = (s/N)·LR_i / ((1 − s) + (s/N)·Σ_j LR_j). Competing candidates
        thus lower each other's probability, as they should. Remains queries only.
        """
        share = self.settings.reported_share
        if share is None or isinstance(record, MissingRecord):
            return float("nan")
        finite = totals[np.isfinite(totals)]
        if finite.size == 0:
            return float("nan")
        top = float(finite.max())
        log_sum = top + float(np.log2(np.exp2(finite - top).sum()))
        log_each = float(np.log2(share / finite.size))
        log_none = float(np.log2(1.0 - share)) if share < 1.0 else -np.inf
        return log_each - float(np.logaddexp2(log_none, log_each + log_sum))

    def _dna_weights(
        self,
        record: MissingRecord | RemainsRecord,
        other: _Side,
        size: int,
        by_last_seen: _ByLastSeen | None,
    ) -> FloatArray:
        """The DNA weight (log2 LR) of the query's pairs that have DNA evidence, 0 elsewhere; a
        lineage exclusion, or an LR of 0, excludes the pair (-inf). Runs over the other side's
        slots, or over ``by_last_seen``'s order when given (remains queries)."""
        weights = np.zeros(size)
        use_order = by_last_seen is not None and isinstance(record, RemainsRecord)
        for ref, evidence in self._dna.for_query(record).items():
            slot = other.slots.get(ref)
            if slot is None:
                continue
            position = int(by_last_seen.position[slot]) if use_order else slot  # type: ignore[union-attr]
            if not 0 <= position < size:
                continue  # last seen after these remains were found: excluded already
            weights[position] = -np.inf if evidence.excludes else evidence.weight
        return weights

    @staticmethod
    def _dice(record: MissingRecord | RemainsRecord, other: _Side) -> FloatArray | None:
        """Dice similarity of the query's Bloom-encoded names with each slot's (NaN: the slot
        has none); None when the query has none to compare."""
        blooms = other.columns.blooms()
        if record.name_bloom is None or blooms is None or len(record.name_bloom) != blooms[1]:
            return None
        matrix = blooms[0]
        query = np.frombuffer(record.name_bloom, dtype=np.uint8)
        common = np.bitwise_count(matrix & query).sum(axis=1, dtype=np.int64)
        own = np.bitwise_count(matrix).sum(axis=1, dtype=np.int64)
        total = own + int(np.bitwise_count(query).sum())
        return np.where(own > 0, 2.0 * common / np.maximum(total, 1), np.nan)

    def _describe(
        self,
        m_slots: IntArray,
        r_slots: IntArray,
        names: NameAgreement,
        route_km: FloatArray,
        as_of: date | None,
        offsets: FloatArray,
    ) -> list[Candidate]:
        m_records, m = self._gather(self._missing, m_slots)
        r_records, r = self._gather(self._remains, r_slots)
        return self._explain(m_records, r_records, m, r, names, route_km, as_of, offsets)

    @staticmethod
    def _gather(side: _Side, slots: IntArray) -> tuple[list[Any], dict[str, Array]]:
        columns = {name: array[slots] for name, array in side.columns.columns().items()}
        return [side.records[int(slot)] for slot in slots], columns

    def _explain(
        self,
        missing: list[Any],
        remains: list[Any],
        m: dict[str, Array],
        r: dict[str, Array],
        names: NameAgreement,
        route_km: FloatArray,
        as_of: date | None,
        offsets: FloatArray,
    ) -> list[Candidate]:
        if not missing:
            return []
        described = describe_pairs(
            missing, remains, m, r, names, route_km, self.weights, self.settings, as_of
        )
        totals = np.array([d.total for d in described])
        scores = np.where(
            np.isnan(offsets),
            probability(totals, self.weights),
            np.exp2(np.minimum(totals + np.nan_to_num(offsets), 0.0)),
        )
        if self.settings.calibration is not None:
            scores = np.where(np.isnan(offsets), scores, self.settings.calibration.apply(scores))
        found = [
            Candidate(
                missing_ref=person.ref,
                remains_ref=body.ref,
                score=float(score),
                review=float(score) >= self.settings.review_threshold,
                evidence=description.evidence,
            )
            for person, body, description, score in zip(
                missing, remains, described, scores, strict=True
            )
        ]
        found.sort(key=lambda c: (c.remains_ref, -c.score))
        return found

    def _candidates(
        self,
        record: MissingRecord | RemainsRecord,
        slots: IntArray,
        names: NameAgreement,
        route_km: FloatArray,
        as_of: date | None,
        offsets: FloatArray,
    ) -> list[Candidate]:
        agreement = names
        if isinstance(record, MissingRecord):
            remains, r = self._gather(self._remains, slots)
            m = single_columns(missing_row(record))
            missing: list[Any] = [record] * len(remains)
        else:
            missing, m = self._gather(self._missing, slots)
            r = single_columns(remains_row(record))
            remains = [record] * len(missing)
        found = self._explain(missing, remains, m, r, agreement, route_km, as_of, offsets)
        found.sort(key=lambda c: -c.score)
        return found


_NAME_FIELDS = ("given", "surname", "all_document", "dice", "graded", "near", "all_reported")


def _reads_names(record: RemainsRecord) -> bool:
    """Whether ranking the remains compares names: document names, or names encoded."""
    return bool(document_name_keys(record)) or record.name_bloom is not None


def _take(names: NameAgreement, positions: IntArray) -> NameAgreement:
    return NameAgreement(*(getattr(names, field)[positions] for field in _NAME_FIELDS))


def _with_dice(names: NameAgreement, dice: FloatArray | None) -> NameAgreement:
    return names if dice is None else replace(names, dice=dice)


def _best(scored: Scored, query: Query, top_k: int) -> IntArray:
    """Positions of the top K pairs of those compared, best first; equal totals in slot order."""
    top_k = min(top_k, int(np.isfinite(scored.totals).sum()))
    if top_k <= 0:
        return np.zeros(0, dtype=np.int64)
    best = np.argpartition(-scored.totals, top_k - 1)[:top_k]
    # every pair as good as the K-th best, so that equal totals are cut in slot order
    kth = scored.totals[best].min()
    best = np.flatnonzero(scored.totals >= kth)
    positions = scored.positions[best]
    rank = np.lexsort((query.slot_of(positions), -scored.totals[best]))[:top_k]
    return positions[rank].astype(np.int64)


@dataclass(frozen=True)
class _ByLastSeen:
    """Open missing persons sorted by last-seen date (unknown first), for bulk matching: the
    persons a remains case can be compared with are then a prefix of this order."""

    order: IntArray
    columns: dict[str, Array]
    last_seen: FloatArray
    position: IntArray  # per slot, its place in ``order`` (-1: not open)
    distinct: Distinct  # of ``columns``

    @classmethod
    def of(cls, side: _Side) -> _ByLastSeen:
        columns = side.columns.columns()
        active = np.flatnonzero(columns["active"])
        last_seen = np.nan_to_num(columns["last_seen"][active].astype(np.float64), nan=-np.inf)
        rank = np.argsort(last_seen, kind="stable")
        order = active[rank]
        position = np.full(side.columns.size, -1, dtype=np.int64)
        position[order] = np.arange(order.size)
        ordered = {name: array[order] for name, array in columns.items()}
        return cls(
            order=order,
            columns=ordered,
            last_seen=last_seen[rank],
            position=position,
            distinct=Distinct(ordered, "m"),
        )

    def limit(self, record: RemainsRecord, settings: MatchSettings) -> int:
        if record.found_date is None:
            return int(self.order.size)
        latest = record.found_date.toordinal() + settings.last_seen_tolerance_days
        return int(np.searchsorted(self.last_seen, latest, side="right"))


@contextmanager
def _long_lived_set_aside() -> Iterator[None]:
    """Set the objects alive now (the index's records, columns and look-ups: hundreds of
    thousands) aside from the cycle collector while a bulk match makes its candidates: its
    full collections would walk them all again and again, for a third of the time spent
    explaining, and in forked workers copy the pages they sit on. A caller that froze objects
    itself keeps them as it left them."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# what forked workers inherit from the process that called match_all
_FORKED: tuple[CandidateIndex, _ByLastSeen] | None = None


_PlainCandidate = tuple[str, str, float, bool, tuple[tuple[str, float, str], ...]]


def _match_block_in_worker(
    work: tuple[list[int], int, date | None],
) -> list[_PlainCandidate]:
    """Worker-process side of ``match_all``: plain tuples pickle many times faster."""
    assert _FORKED is not None
    index, bulk = _FORKED
    slots, top_k, as_of = work
    return [
        (
            c.missing_ref,
            c.remains_ref,
            c.score,
            c.review,
            tuple((e.criterion, e.weight, e.text) for e in c.evidence),
        )
        for c in index._match_block(slots, top_k, as_of, bulk)
    ]
