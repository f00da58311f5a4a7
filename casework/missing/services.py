"""Registering and updating missing-person cases, and the relatives who report them."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.accounts.models import User
from casework.cases.fields import (
    assign_geometry,
    optional_text,
    parse_birth_date,
    parse_country,
    parse_point,
    parse_route,
    split_list,
)
from casework.cases.models import Sex
from casework.cases.references import next_reference
from casework.cases.services import check_version, replace_marks_effects_dental
from casework.clock import now
from casework.db import db, transaction
from casework.errors import ValidationError
from casework.matches.services import refresh_after_save
from casework.missing.models import MissingPerson, Relative


def _apply(case: MissingPerson, data: dict[str, Any]) -> None:
    case.given_names = optional_text(data.get("given_names"), "given_names", 200)
    case.surnames = optional_text(data.get("surnames"), "surnames", 200)
    case.aliases = split_list(data.get("aliases"))
    try:
        case.sex = Sex(data.get("sex") or "U")
    except ValueError:
        raise ValidationError(_l("Sex must be F, M or U (unknown)."), field="sex") from None
    case.birth_date = parse_birth_date(data.get("birth_date"))
    case.age_at_disappearance = data.get("age_at_disappearance")
    case.height_cm = data.get("height_cm")
    case.nationality = parse_country(data.get("nationality"), "nationality")
    case.languages = optional_text(data.get("languages"), "languages", 200)
    case.last_seen_date = data.get("last_seen_date")
    if case.last_seen_date is not None and case.last_seen_date > now().date():
        raise ValidationError(_l("The last-seen date is in the future."), field="last_seen_date")
    case.last_seen_place = optional_text(data.get("last_seen_place"), "last_seen_place", 300)
    assign_geometry(
        case,
        "last_seen_point",
        parse_point(data.get("last_seen_lat"), data.get("last_seen_lon"), "last_seen_lat"),
    )
    assign_geometry(case, "intended_route", parse_route(data.get("intended_route")))
    case.sea_crossing = bool(data.get("sea_crossing"))
    case.circumstances = optional_text(data.get("circumstances"), "circumstances", 20000)
    case.medical_notes = optional_text(data.get("medical_notes"), "medical_notes", 20000)
    replace_marks_effects_dental(case, data.get("marks"), data.get("effects"), data.get("dental"))
    if not (case.given_names or case.surnames or case.aliases):
        raise ValidationError(
            _l("Give at least one name: a given name, a surname or an alias."), field="given_names"
        )


def register_missing_person(user: User, data: dict[str, Any]) -> MissingPerson:
    """Create a case from a family's search request; nothing is stored if any field is wrong."""
    with transaction():
        case = MissingPerson(agency_id=user.agency_id, created_by_id=user.id)
        _apply(case, data)
        case.reference = next_reference("MP", user.agency.country, now().year)
        db.session.add(case)
        refresh_after_save(case)
    return case


def update_missing_person(case: MissingPerson, data: dict[str, Any], version: int | None) -> None:
    with transaction():
        check_version(case, version)
        _apply(case, data)
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
