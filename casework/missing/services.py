"""Registering and updating missing-person cases, and the relatives who report them."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.accounts.models import User
from casework.cases.fields import optional_text, parse_country
from casework.cases.references import next_reference
from casework.cases.services import check_version
from casework.clock import now
from casework.db import db, transaction
from casework.errors import ValidationError
from casework.matches.services import refresh_after_save
from casework.missing.inputs import MissingPersonInput
from casework.missing.models import MissingPerson, Relative


def register_missing_person(user: User, given: MissingPersonInput) -> MissingPerson:
    """Create a case from a family's search request; nothing is stored if anything goes wrong."""
    with transaction():
        case = MissingPerson(agency_id=user.agency_id, created_by_id=user.id)
        given.store(case)
        case.reference = next_reference("MP", user.agency.country, now().year)
        db.session.add(case)
        refresh_after_save(case)
    return case


def update_missing_person(
    case: MissingPerson, given: MissingPersonInput, version: int | None
) -> None:
    with transaction():
        check_version(case, version)
        given.store(case)
        refresh_after_save(case)


def add_relative(case: MissingPerson, data: dict[str, Any]) -> Relative:
    with transaction():
        countries = (data.get("consent_countries") or "").strip().upper()
        if countries and countries != "*":
            codes = [code.strip() for code in re.split(r"[;, ]+", countries) if code.strip()]
            for code in codes:
                parse_country(code, "consent_countries")
            countries = ";".join(codes)
        if data.get("consent_to_share") and not countries:
            raise ValidationError(
                _l("Say with which countries the family agrees to share (or * for all)."),
                field="consent_countries",
            )
        relative = Relative(
            missing_person_id=case.id,
            relationship_to_missing=data.get("relationship_to_missing") or "other relative",
            language=optional_text(data.get("language"), "language", 8),
            consent_to_share=bool(data.get("consent_to_share")),
            consent_countries=countries or None,
            consent_recorded_at=now() if data.get("consent_to_share") else None,
        )
        relative.name = optional_text(data.get("name"), "name", 200)
        if not relative.name:
            raise ValidationError(_l("Give the relative's name."), field="name")
        relative.contact = optional_text(data.get("contact"), "contact", 2000)
        case.relatives.append(relative)
    return relative
