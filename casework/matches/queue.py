"""The review queue: which candidates wait for an officer, narrowed by corridor, agency and
probability band. Candidates of a closed case (either side) are never in it: a person found
alive or identified, remains identified, repatriated or buried, have nothing left to review."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select

from casework.accounts.models import Agency, User
from casework.db import db
from casework.errors import ValidationError
from casework.matches.models import CandidateMatch, CandidateStatus
from casework.matches.open_cases import OPEN_MISSING, OPEN_REMAINS
from casework.matches.queries import visible_candidates
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains

T = TypeVar("T")
REVIEW = "review"  # the queue proper: proposed above the threshold, or an identification to sign


@dataclass(frozen=True)
class Corridor:
    """A migration corridor, as the area where its dead are recovered (a box in degrees): a
    candidate belongs to the corridor where its remains were found."""

    key: str
    name: LazyString
    west: float
    south: float
    east: float
    north: float


# Where the dead of each route are found (IOM Missing Migrants Project regions, boxed loosely).
CORRIDORS = (
    Corridor("us_mexico", _l("US–Mexico border"), -118.0, 25.0, -96.0, 34.0),
    Corridor("darien", _l("Darién Gap"), -79.5, 7.0, -76.0, 9.8),
    Corridor("central_med", _l("Central Mediterranean"), 9.0, 30.0, 20.5, 38.8),
    Corridor("western_med", _l("Western Mediterranean"), -6.5, 34.5, 3.5, 38.9),
    Corridor("eastern_med", _l("Eastern Mediterranean"), 22.0, 34.5, 30.0, 41.5),
    Corridor("atlantic", _l("Atlantic route to the Canary Islands"), -19.5, 14.0, -12.0, 30.0),
)


@dataclass(frozen=True)
class Band:
    """A range of match probabilities, low end included, high end not (except 100 %)."""

    key: str
    name: LazyString
    low: float
    high: float


BANDS = (
    Band("very_likely", _l("90 % and above"), 0.9, 1.01),
    Band("likely", _l("50 to 90 %"), 0.5, 0.9),
    Band("possible", _l("20 to 50 %"), 0.2, 0.5),
    Band("unlikely", _l("below 20 %"), 0.0, 0.2),
)


@dataclass(frozen=True)
class QueueFilter:
    """What the officer chose to see; empty fields narrow nothing."""

    status: str = REVIEW
    corridor: Corridor | None = None
    agency: Agency | None = None
    band: Band | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> QueueFilter:
        """The filter from a query string; a value not in its list is refused with a message
        naming the filter (a typed or stale link says what is wrong, never a blank page)."""
        status = args.get("status") or REVIEW
        if status != REVIEW and status not in {item.value for item in CandidateStatus}:
            raise ValidationError(_l("Choose a status from the list."), field="status")
        return cls(
            status=status,
            corridor=_chosen(
                args.get("corridor"),
                {c.key: c for c in CORRIDORS},
                _l("Choose a corridor from the list."),
                "corridor",
            ),
            agency=_agency(args.get("agency")),
            band=_chosen(
                args.get("band"),
                {b.key: b for b in BANDS},
                _l("Choose a probability band from the list."),
                "band",
            ),
        )

    def arguments(self) -> dict[str, str]:
        """The filter as query arguments (for the pages' links)."""
        chosen = {
            "status": self.status,
            "corridor": self.corridor.key if self.corridor else "",
            "agency": self.agency.code if self.agency else "",
            "band": self.band.key if self.band else "",
        }
        return {key: value for key, value in chosen.items() if value}


def _chosen(value: str | None, known: dict[str, T], message: LazyString, field: str) -> T | None:
    if not value:
        return None
    if value not in known:
        raise ValidationError(message, field=field)
    return known[value]


def _agency(code: str | None) -> Agency | None:
    if not code:
        return None
    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise ValidationError(_l("Choose an agency from the list."), field="agency")
    return agency


def agencies() -> list[Agency]:
    """The agencies a queue can be narrowed to, by name."""
    return list(db.session.scalars(select(Agency).order_by(Agency.name)))


def queue(user: User, chosen: QueueFilter) -> Select[tuple[CandidateMatch]]:
    """The candidates `user` may see that the filter keeps, most probable first."""
    query = visible_candidates(user)
    if chosen.status == REVIEW:
        query = query.where(
            (CandidateMatch.review & (CandidateMatch.status == CandidateStatus.PROPOSED))
            | (CandidateMatch.status == CandidateStatus.IDENTIFICATION_PROPOSED)
        )
    else:
        query = query.where(CandidateMatch.status == chosen.status)
    if chosen.status in (REVIEW, CandidateStatus.PROPOSED, CandidateStatus.IDENTIFICATION_PROPOSED):
        # still to be decided: only while both cases are open
        query = query.where(
            MissingPerson.status.in_(OPEN_MISSING), UnidentifiedRemains.status.in_(OPEN_REMAINS)
        )
    if chosen.corridor is not None:
        box = chosen.corridor
        point = UnidentifiedRemains.recovery_point
        query = query.where(
            func.ST_X(point).between(box.west, box.east),
            func.ST_Y(point).between(box.south, box.north),
        )
    if chosen.agency is not None:
        query = query.where(
            or_(
                MissingPerson.agency_id == chosen.agency.id,
                UnidentifiedRemains.agency_id == chosen.agency.id,
            )
        )
    if chosen.band is not None:
        query = query.where(
            CandidateMatch.score >= chosen.band.low, CandidateMatch.score < chosen.band.high
        )
    return query.order_by(CandidateMatch.score.desc(), CandidateMatch.id)


__all__ = ["BANDS", "CORRIDORS", "REVIEW", "Band", "Corridor", "QueueFilter", "agencies", "queue"]
