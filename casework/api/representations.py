"""How rows look in API answers. Summaries carry no personal data; full cases decrypt it and
are only built after the caller's right to see the case was checked and the view audited."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from casework.cases.fields import point_coordinates, route_wkt
from casework.custody.models import CustodyEvent, Sample
from casework.matches.models import CandidateMatch
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _details(case: MissingPerson | UnidentifiedRemains) -> dict[str, Any]:
    return {
        "marks": [
            {
                "kind": mark.kind.value,
                "body_location": mark.body_location,
                "description": mark.description,
            }
            for mark in case.marks
        ],
        "effects": [
            {"category": item.category.value, "description": item.description}
            for item in case.effects
        ],
        "dental": [
            {"tooth": finding.tooth, "state": finding.state.value} for finding in case.dental
        ],
    }


def missing_summary(case: MissingPerson) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "status": case.status.value,
        "version": case.version,
        "sex": case.sex.value,
        "nationality": case.nationality,
        "last_seen_date": _day(case.last_seen_date),
        "created_at": _moment(case.created_at),
        "updated_at": _moment(case.updated_at),
    }


def missing_editable(case: MissingPerson) -> dict[str, Any]:
    """The fields a client may write, with their current values (decrypted)."""
    point = point_coordinates(case.last_seen_point)
    return {
        "given_names": case.given_names,
        "surnames": case.surnames,
        "aliases": list(case.aliases),
        "sex": case.sex.value,
        "birth_date": case.birth_date,
        "age_at_disappearance": case.age_at_disappearance,
        "height_cm": case.height_cm,
        "nationality": case.nationality,
        "languages": case.languages,
        "last_seen_date": _day(case.last_seen_date),
        "last_seen_place": case.last_seen_place,
        "last_seen_lat": point[0] if point else None,
        "last_seen_lon": point[1] if point else None,
        "intended_route": route_wkt(case.intended_route) or None,
        "sea_crossing": bool(case.sea_crossing),
        "circumstances": case.circumstances,
        "medical_notes": case.medical_notes,
        **_details(case),
    }


def missing_full(case: MissingPerson) -> dict[str, Any]:
    return {**missing_summary(case), **missing_editable(case)}


def remains_summary(case: UnidentifiedRemains) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "status": case.status.value,
        "version": case.version,
        "estimated_sex": case.estimated_sex.value,
        "recovery_date": _day(case.recovery_date),
        "condition": case.condition.value if case.condition else None,
        "created_at": _moment(case.created_at),
        "updated_at": _moment(case.updated_at),
    }


def remains_editable(case: UnidentifiedRemains) -> dict[str, Any]:
    point = point_coordinates(case.recovery_point)
    return {
        "recovery_date": _day(case.recovery_date),
        "recovery_place": case.recovery_place,
        "recovery_lat": point[0] if point else None,
        "recovery_lon": point[1] if point else None,
        "recovery_uncertainty_m": case.recovery_uncertainty_m,
        "recovered_by": case.recovered_by,
        "condition": case.condition.value if case.condition else None,
        "estimated_sex": case.estimated_sex.value,
        "age_min": case.age_min,
        "age_max": case.age_max,
        "stature_min_cm": case.stature_min_cm,
        "stature_max_cm": case.stature_max_cm,
        "pmi_min_days": case.pmi_min_days,
        "pmi_max_days": case.pmi_max_days,
        "document_names": list(case.document_names),
        "storage_location": case.storage_location,
        "notes_text": case.notes_text,
        **_details(case),
    }


def remains_full(case: UnidentifiedRemains, identified_as: str | None) -> dict[str, Any]:
    return {
        **remains_summary(case),
        **remains_editable(case),
        "identified_as": identified_as,
    }


def sample(row: Sample, remains_reference: str) -> dict[str, Any]:
    return {
        "barcode": row.barcode,
        "kind": row.kind.value,
        "status": row.status.value,
        "lab": row.lab,
        "collected_at": _moment(row.collected_at),
        "created_at": _moment(row.created_at),
        "remains": remains_reference,
    }


def custody_event(row: CustodyEvent, sample_barcode: str | None) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "subject": row.subject.value,
        "sample": sample_barcode,
        "from_party": row.from_party,
        "to_party": row.to_party,
        "occurred_at": _moment(row.occurred_at),
        "purpose": row.purpose,
        "recorded_at": _moment(row.recorded_at),
    }


def candidate_summary(row: CandidateMatch) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "missing_person": row.missing_person.reference,
        "remains": row.remains.reference,
        "score": row.score,
        "review": bool(row.review),
        "status": row.status.value,
        "version": row.version,
        "computed_at": _moment(row.computed_at),
    }


def candidate_full(row: CandidateMatch) -> dict[str, Any]:
    return {
        **candidate_summary(row),
        "evidence": json.loads(row.evidence) if row.evidence else [],
        "identifiers": [item for item in (row.identifiers or "").split(";") if item],
        "decision_reason": row.decision_reason,
        "proposed_at": _moment(row.proposed_at),
        "decided_at": _moment(row.decided_at),
    }
