"""How rows look in API answers. Summaries carry no personal data; full cases decrypt it and
are only built after the caller's right to see the case was checked and the view audited."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from casework.attachments.models import Attachment
from casework.cases.fields import point_coordinates, route_wkt
from casework.cases.models import StatusChange
from casework.custody.models import CustodyEvent, Sample
from casework.matches.models import CandidateMatch
from casework.missing.models import MissingPerson
from casework.remains.models import UnidentifiedRemains
from casework.repatriation.models import Repatriation, RepatriationStep


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


def status_change(row: StatusChange) -> dict[str, Any]:
    return {
        "from_status": row.from_status,
        "to_status": row.to_status,
        "via": row.via,
        "changed_by": row.changed_by.display_name if row.changed_by else None,
        "changed_at": _moment(row.changed_at),
        "reason": row.reason,
    }


def repatriation_summary(row: Repatriation, today: date) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "remains": row.remains.reference,
        "missing_person": row.missing_person.reference,
        "nationality": row.missing_person.nationality,
        "identified_on": _day(row.identified_on),
        "started_at": _moment(row.started_at),
        "closed_on": _day(row.closed_on),
        "overdue_steps": len(row.overdue_steps(today)),
        "version": row.version,
    }


def document(row: Attachment) -> dict[str, Any]:
    """An attached document as listed: what it is, never its bytes (the page serves those)."""
    return {
        "id": str(row.id),
        "media_type": row.media_type.value,
        "size_bytes": row.size_bytes,
        "caption": row.caption,
        "uploaded_at": _moment(row.uploaded_at),
    }


def step_editable(step: RepatriationStep) -> dict[str, Any]:
    return {
        "due_date": _day(step.due_date),
        "completed_on": _day(step.completed_on),
        "responsible_user": str(step.responsible_user_id) if step.responsible_user_id else None,
        "responsible_name": step.responsible_name,
        "notes": step.notes,
    }


def repatriation_step(
    step: RepatriationStep, today: date, documents: list[Attachment]
) -> dict[str, Any]:
    return {
        "kind": step.kind.value,
        **step_editable(step),
        "responsible_user_name": (
            step.responsible_user.display_name if step.responsible_user else None
        ),
        "overdue": step.is_overdue(today),
        "final": step.is_final,
        "not_applicable": step.not_applicable,
        "updated_at": _moment(step.updated_at),
        "documents": [document(row) for row in documents],
    }


def repatriation_full(
    row: Repatriation, today: date, documents: list[Attachment]
) -> dict[str, Any]:
    return {
        **repatriation_summary(row, today),
        "steps": [
            repatriation_step(
                step, today, [doc for doc in documents if doc.repatriation_step_id == step.id]
            )
            for step in row.ordered_steps()
        ],
    }
