"""The open cases held in memory once per process and kept in step with the database, so a
saved case is matched against every open case without reading them all again.

Each app keeps one `OpenCases` (in ``app.extensions``). Before it answers, it reads a stamp of
the open cases of the kind it searches (count, sum of versions, latest ``updated_at``: one
aggregate query). When the stamp moved, it reads the cases changed since shortly before the
last one it saw, replaces them in the index and removes those no longer open; if the count and
the sum of versions still disagree, it compares the (id, version, reference) of every open
case. Every save bumps a case's version (``version_id_col``), so changes made by other
processes or other app instances on the same database are seen. A full rebuild happens only on
first use, when the weights change, when most of the cases changed, or when the index holds
more replaced slots than live ones (memory).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from casework.db import db
from casework.matches.models import MatchWeights
from casework.matches.probabilities import match_settings
from casework.matches.records import missing_record, remains_record
from casework.missing.models import MissingPerson, MissingPersonStatus
from casework.remains.models import RemainsStatus, UnidentifiedRemains
from matching import CandidateIndex, MissingRecord, RemainsRecord, Weights, default_weights

log = logging.getLogger(__name__)
OPEN_MISSING = (MissingPersonStatus.OPEN, MissingPersonStatus.CANDIDATE_UNDER_REVIEW)
OPEN_REMAINS = (RemainsStatus.UNIDENTIFIED, RemainsStatus.CANDIDATE_UNDER_REVIEW)
_CHILDREN = ("marks", "effects", "dental")
_EXTENSION = "casework.open_cases"
# read changed cases in batches of this many ids (bound parameters stay few)
_BATCH = 500
# changes are looked for from this long before the latest change seen: transactions of other
# processes may commit a little after the time they wrote into updated_at
_MARGIN = timedelta(minutes=10)
# more changed cases than this share of the open ones: rebuild instead of replacing one by one
_REBUILD_SHARE = 0.5

Case = MissingPerson | UnidentifiedRemains
Record = MissingRecord | RemainsRecord


@dataclass
class _Kind:
    """What the index holds of one kind of case: id -> (version, reference) and its record."""

    model: type[MissingPerson] | type[UnidentifiedRemains]
    open_statuses: tuple[Any, ...]
    held: dict[Any, tuple[int, str]] = field(default_factory=dict)
    records: dict[Any, Record] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)
    version_sum: int = 0
    # (open count, sum of their versions, latest updated_at) when the index was last in step
    stamp: tuple[int, int, datetime | None] | None = None

    def record(self, case: Any) -> Record:
        return missing_record(case) if self.model is MissingPerson else remains_record(case)

    def forget(self) -> None:
        self.held.clear()
        self.records.clear()
        self.ids.clear()
        self.version_sum = 0
        self.stamp = None

    def read_stamp(self) -> tuple[int, int, datetime | None]:
        """Count, sum of versions and latest change of the open cases: one aggregate query.

        Any save bumps a version (the sum grows) and writes ``updated_at``; a case closed or
        reopened changes the count or the sum too, so an equal stamp means nothing changed.
        """
        model = self.model
        row = db.session.execute(
            select(
                func.count(), func.coalesce(func.sum(model.version), 0), func.max(model.updated_at)
            ).where(model.status.in_(self.open_statuses))
        ).one()
        return int(row[0]), int(row[1]), row[2]


class OpenCases:
    """A process-level `CandidateIndex` of the open cases of one database.

    Use it through `open_cases()`; `builds` counts full rebuilds (the tests read it).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: CandidateIndex | None = None
        self.weights_id: int | None = None
        self.builds = 0
        self.kinds = {
            MissingPerson: _Kind(MissingPerson, OPEN_MISSING),
            UnidentifiedRemains: _Kind(UnidentifiedRemains, OPEN_REMAINS),
        }

    def synced(self, model: type[MissingPerson] | type[UnidentifiedRemains]) -> CandidateIndex:
        """The index with the open cases of ``model``'s kind as the database has them now.

        Call with ``lock`` held. On any error the index is dropped, so the next call rebuilds.
        """
        try:
            weights_id = db.session.scalar(select(func.max(MatchWeights.id)))
            if self.index is None or weights_id != self.weights_id or self._bloated():
                self._build(weights_id)
            else:
                self._catch_up(self.kinds[model])
            assert self.index is not None
            # the share of remains reported moves as remains are closed: read it every time
            stored = db.session.get(MatchWeights, weights_id) if weights_id is not None else None
            self.index.settings = match_settings(stored)
            return self.index
        except Exception:
            self.drop()
            raise

    def refs_to_ids(self, model: type[MissingPerson] | type[UnidentifiedRemains]) -> dict[str, Any]:
        """Reference -> row id of the open cases of a kind held in the index."""
        return self.kinds[model].ids

    def drop(self) -> None:
        """Forget everything: the next use rebuilds."""
        self.index = None
        for kind in self.kinds.values():
            kind.forget()

    def _bloated(self) -> bool:
        assert self.index is not None
        return self.index.replaced_slots > max(len(self.index), 1024)

    def _build(self, weights_id: int | None) -> None:
        started = time.monotonic()
        stamps = {model: kind.read_stamp() for model, kind in self.kinds.items()}
        weights: Weights = default_weights()
        if weights_id is not None:
            stored = db.session.get(MatchWeights, weights_id)
            if stored is not None:
                weights = Weights.from_json(stored.weights_json)
        self.drop()
        index = CandidateIndex(weights=weights, workers=1)
        for kind in self.kinds.values():
            cases = _load(kind, None)
            records = [kind.record(case) for case in cases]
            index.add_many(records)
            for case, record in zip(cases, records, strict=True):
                self._hold(kind, case.id, case.version, record)
        for model, kind in self.kinds.items():
            kind.stamp = stamps[model]
        self.index, self.weights_id = index, weights_id
        self.builds += 1
        # which process holds the index, and what a build costs (the workers' topology)
        log.info(
            "open-case index built: %s cases in %.1f s",
            sum(len(kind.held) for kind in self.kinds.values()),
            time.monotonic() - started,
        )

    def _catch_up(self, kind: _Kind) -> None:
        assert self.index is not None
        stamp = kind.read_stamp()
        if stamp == kind.stamp:
            return
        if kind.stamp is not None and kind.stamp[2] is not None and self._recent(kind):
            if (len(kind.held), kind.version_sum) == stamp[:2]:
                kind.stamp = stamp
                return
        # the recent changes do not account for the difference (a change older than the
        # margin, a deleted row): compare every open case's version
        self._compare_all(kind)
        kind.stamp = stamp

    def _recent(self, kind: _Kind) -> bool:
        """Bring in the cases changed since shortly before the last stamp; False if none."""
        assert kind.stamp is not None and kind.stamp[2] is not None
        model = kind.model
        since = kind.stamp[2] - _MARGIN
        rows = db.session.execute(
            select(model.id, model.version, model.reference, model.status).where(
                model.updated_at >= since
            )
        ).all()
        changed = []
        for row in rows:
            if row.status in kind.open_statuses:
                if kind.held.get(row.id) != (row.version, row.reference):
                    changed.append(row.id)
            elif row.id in kind.records:
                self._let_go(kind, row.id)
        self._replace(kind, changed)
        return bool(rows)

    def _replace(self, kind: _Kind, changed: list[Any]) -> None:
        for start in range(0, len(changed), _BATCH):
            for case in _load(kind, changed[start : start + _BATCH]):
                self.put(case)

    def _compare_all(self, kind: _Kind) -> None:
        assert self.index is not None
        model = kind.model
        rows = db.session.execute(
            select(model.id, model.version, model.reference).where(
                model.status.in_(kind.open_statuses)
            )
        ).all()
        now_open = {row.id: (row.version, row.reference) for row in rows}
        for case_id in [case_id for case_id in kind.held if case_id not in now_open]:
            self._let_go(kind, case_id)
        changed = [case_id for case_id, held in now_open.items() if kind.held.get(case_id) != held]
        if len(changed) > _REBUILD_SHARE * max(len(now_open), 1) and len(changed) > _BATCH:
            self._build(self.weights_id)
            return
        self._replace(kind, changed)

    def put(self, case: Case) -> None:
        """Hold the current version of one case (or let it go if it is no longer open)."""
        if self.index is None:
            return
        kind = self.kinds[type(case)]
        if case.id in kind.records:
            self._let_go(kind, case.id)
        if case.status in kind.open_statuses:
            record = kind.record(case)
            self.index.add(record)
            self._hold(kind, case.id, case.version, record)

    def _hold(self, kind: _Kind, case_id: Any, version: int, record: Record) -> None:
        kind.held[case_id] = (version, record.ref)
        kind.version_sum += version
        kind.records[case_id] = record
        kind.ids[record.ref] = case_id

    def _let_go(self, kind: _Kind, case_id: Any) -> None:
        assert self.index is not None
        record = kind.records.pop(case_id)
        self.index.remove(record)
        held = kind.held.pop(case_id, None)
        if held is not None:
            kind.version_sum -= held[0]
        if kind.ids.get(record.ref) == case_id:
            del kind.ids[record.ref]


def _load(kind: _Kind, ids: Sequence[Any] | None) -> list[Any]:
    """Open cases of a kind (all, or those with these ids), children loaded in bulk."""
    model = kind.model
    options = [selectinload(getattr(model, name)) for name in _CHILDREN]
    query = select(model).where(model.status.in_(kind.open_statuses)).options(*options)
    if ids is not None:
        query = query.where(model.id.in_(ids))
    return list(db.session.scalars(query))


def open_cases(app: Flask | None = None) -> OpenCases:
    """This app's index of open cases (one per app and process)."""
    app = app or current_app
    holder = app.extensions.get(_EXTENSION)
    if holder is None:
        holder = app.extensions.setdefault(_EXTENSION, OpenCases())
    return holder  # type: ignore[no-any-return]


def build_now(app: Flask | None = None) -> None:
    """Bring this process's index up to date now (the matching worker at start), rather than
    at the first save it matches."""
    held = open_cases(app)
    with held.lock:
        held.synced(MissingPerson)
