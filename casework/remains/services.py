"""Logging and updating unidentified remains."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from casework.accounts.models import User
from casework.cases.fields import assign_geometry, optional_text, parse_point, split_list
from casework.cases.models import Sex
from casework.cases.references import next_reference
from casework.cases.services import check_version, replace_marks_effects_dental
from casework.clock import now
from casework.db import db, transaction
from casework.errors import Message, ValidationError
from casework.matches.services import refresh_after_save
from casework.remains.models import RemainsCondition, UnidentifiedRemains


def _range(
    data: dict[str, Any], low: str, high: str, backwards: Message
) -> tuple[int | None, int | None]:
    lo, hi = data.get(low), data.get(high)
    if lo is not None and hi is not None and lo > hi:
        raise ValidationError(backwards, field=low)
    return lo, hi


def _apply(case: UnidentifiedRemains, data: dict[str, Any]) -> None:
    case.recovery_date = data.get("recovery_date")
    if case.recovery_date is not None and case.recovery_date > now().date():
        raise ValidationError(_l("The recovery date is in the future."), field="recovery_date")
    case.recovery_place = optional_text(data.get("recovery_place"), "recovery_place", 300)
    assign_geometry(
        case,
        "recovery_point",
        parse_point(data.get("recovery_lat"), data.get("recovery_lon"), "recovery_lat"),
    )
    case.recovery_uncertainty_m = data.get("recovery_uncertainty_m")
    case.recovered_by = optional_text(data.get("recovered_by"), "recovered_by", 200)
    condition = data.get("condition") or None
    try:
        case.condition = RemainsCondition(condition) if condition else None
        case.estimated_sex = Sex(data.get("estimated_sex") or "U")
    except ValueError:
        raise ValidationError(
            _l("Choose a condition and sex from the lists."), field="condition"
        ) from None
    case.age_min, case.age_max = _range(
        data, "age_min", "age_max", _l("The age range runs backwards: “from” is above “to”.")
    )
    case.stature_min_cm, case.stature_max_cm = _range(
        data,
        "stature_min_cm",
        "stature_max_cm",
        _l("The stature range runs backwards: “from” is above “to”."),
    )
    case.pmi_min_days, case.pmi_max_days = _range(
        data,
        "pmi_min_days",
        "pmi_max_days",
        _l("The post-mortem interval range runs backwards: “from” is above “to”."),
    )
    case.document_names = split_list(data.get("document_names"))
    case.storage_location = optional_text(data.get("storage_location"), "storage_location", 200)
    case.notes_text = optional_text(data.get("notes_text"), "notes_text", 20000)
    replace_marks_effects_dental(case, data.get("marks"), data.get("effects"), data.get("dental"))


def log_remains(user: User, data: dict[str, Any]) -> UnidentifiedRemains:
    """Create a remains case; nothing is stored if any field is wrong."""
    with transaction():
        case = UnidentifiedRemains(agency_id=user.agency_id, created_by_id=user.id)
        _apply(case, data)
        year = (case.recovery_date or now().date()).year
        case.reference = next_reference("UR", user.agency.country, year)
        db.session.add(case)
        refresh_after_save(case)
    return case


def update_remains(case: UnidentifiedRemains, data: dict[str, Any], version: int | None) -> None:
    with transaction():
        check_version(case, version)
        _apply(case, data)
        refresh_after_save(case)
