"""How rows look in API answers (a case's own fields as its input type writes them). Summaries
carry no personal data; full cases decrypt it and are only built after the caller's right to
see the case was checked and the view audited."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from casework.attachments.models import Attachment
from casework.cases.models import StatusChange
from casework.custody.models import CustodyEvent, Sample
from casework.matches.models import CandidateMatch
from casework.missing.inputs import MissingPersonInput
from casework.missing.models import MissingPerson
from casework.remains.inputs import RemainsInput
from casework.remains.models import UnidentifiedRemains
from casework.repatriation.models import Repatriation, RepatriationStep


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


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


def missing_full(case: MissingPerson) -> dict[str, Any]:
    return {**missing_summary(case), **MissingPersonInput.of_case(case).to_json()}


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


def remains_full(case: UnidentifiedRemains, identified_as: str | None) -> dict[str, Any]:
    return {
        **remains_summary(case),
        **RemainsInput.of_case(case).to_json(),
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
