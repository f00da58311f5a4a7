"""GeoJSON features of the cases a user may see: reference, kind, status and date, nothing else.

Names, birth dates, nationality and notes never enter a feature: the map is shown on shared
screens and its GeoJSON may be cached by a browser.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from geoalchemy2 import WKBElement
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import select

from casework.access import Permission, allows
from casework.accounts.models import User
from casework.cases.models import CaseKind
from casework.db import db
from casework.errors import ValidationError
from casework.missing.access import missing_visible_to
from casework.missing.models import MissingPerson, MissingPersonStatus
from casework.remains.access import remains_visible_to
from casework.remains.models import RemainsStatus, UnidentifiedRemains

COORDINATE_DIGITS = 5  # about a metre: as precise as the forms take


STATUSES: dict[CaseKind, frozenset[str]] = {
    CaseKind.REMAINS: frozenset(status.value for status in RemainsStatus),
    CaseKind.MISSING: frozenset(status.value for status in MissingPersonStatus),
}


@dataclass(frozen=True)
class MapFilter:
    """Which cases to draw: one kind or both, one status or all."""

    kind: CaseKind | None = None
    status: str | None = None

    @classmethod
    def from_args(cls, args: Any) -> MapFilter:
        """Read `kind` and `status` from query arguments; unknown values raise ValidationError.

        Example:
            >>> MapFilter.from_args({"kind": "remains", "status": "identified"}).kind
            <CaseKind.REMAINS: 'remains'>
        """
        raw_kind = (args.get("kind") or "").strip()
        raw_status = (args.get("status") or "").strip()
        try:
            kind = CaseKind(raw_kind) if raw_kind else None
        except ValueError:
            raise ValidationError(_("Unknown kind of case."), field="kind") from None
        if raw_status:
            known = (
                STATUSES[kind] if kind else STATUSES[CaseKind.REMAINS] | STATUSES[CaseKind.MISSING]
            )
            if raw_status not in known:
                raise ValidationError(_("Unknown status."), field="status")
        return cls(kind=kind, status=raw_status or None)

    def shows(self, kind: CaseKind) -> bool:
        return self.kind in (None, kind) and (self.status is None or self.status in STATUSES[kind])


def kinds_for(user: User) -> list[CaseKind]:
    """The kinds of case the user's role may read; empty for roles that read no case."""
    kinds = []
    if allows(user, Permission.READ_REMAINS):
        kinds.append(CaseKind.REMAINS)
    if allows(user, Permission.READ_MISSING):
        kinds.append(CaseKind.MISSING)
    return kinds


def _geometry(element: WKBElement) -> dict[str, Any]:
    shape = mapping(to_shape(element))
    return {"type": shape["type"], "coordinates": _rounded(shape["coordinates"])}


def _rounded(coordinates: Any) -> Any:
    if isinstance(coordinates[0], int | float):
        return [round(value, COORDINATE_DIGITS) for value in coordinates]
    return [_rounded(part) for part in coordinates]


def _feature(
    element: WKBElement,
    reference: str,
    kind: CaseKind,
    layer: str,
    status: enum.Enum,
    day: date | None,
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": _geometry(element),
        "properties": {
            "reference": reference,
            "kind": kind.value,
            "layer": layer,
            "status": status.value,
            "date": day.isoformat() if day else None,
        },
    }


def _remains_features(user: User, status: str | None) -> list[dict[str, Any]]:
    # Only the columns a feature carries are selected: no encrypted column is ever read.
    query = select(
        UnidentifiedRemains.reference,
        UnidentifiedRemains.status,
        UnidentifiedRemains.recovery_date,
        UnidentifiedRemains.recovery_point,
    ).where(remains_visible_to(user), UnidentifiedRemains.recovery_point.is_not(None))
    if status:
        query = query.where(UnidentifiedRemains.status == status)
    rows = db.session.execute(query.order_by(UnidentifiedRemains.reference)).all()
    return [
        _feature(point, reference, CaseKind.REMAINS, "recovery", row_status, day)
        for reference, row_status, day, point in rows
    ]


def _missing_features(user: User, status: str | None) -> list[dict[str, Any]]:
    query = select(
        MissingPerson.reference,
        MissingPerson.status,
        MissingPerson.last_seen_date,
        MissingPerson.last_seen_point,
        MissingPerson.intended_route,
    ).where(
        missing_visible_to(user),
        MissingPerson.last_seen_point.is_not(None) | MissingPerson.intended_route.is_not(None),
    )
    if status:
        query = query.where(MissingPerson.status == status)
    features = []
    for reference, row_status, day, point, route in db.session.execute(
        query.order_by(MissingPerson.reference)
    ):
        if route is not None:
            features.append(_feature(route, reference, CaseKind.MISSING, "route", row_status, day))
        if point is not None:
            features.append(
                _feature(point, reference, CaseKind.MISSING, "last_seen", row_status, day)
            )
    return features


def visible_features(user: User, selection: MapFilter) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the cases `user` may see that match `selection`."""
    features: list[dict[str, Any]] = []
    readable = kinds_for(user)
    if CaseKind.REMAINS in readable and selection.shows(CaseKind.REMAINS):
        features += _remains_features(user, selection.status)
    if CaseKind.MISSING in readable and selection.shows(CaseKind.MISSING):
        features += _missing_features(user, selection.status)
    return {"type": "FeatureCollection", "features": features}


__all__ = ["STATUSES", "CaseKind", "MapFilter", "kinds_for", "visible_features"]
