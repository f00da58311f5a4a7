"""Test cases built through the real services, as a user of the app would create them."""

from __future__ import annotations

from datetime import date
from typing import Any

MISSING = {
    "given_names": "José Luis",
    "surnames": "Pérez Xitumul",
    "aliases": "Chepe; Jose Perez",
    "sex": "M",
    "birth_date": "1994-03-07",
    "age_at_disappearance": 31,
    "height_cm": 168,
    "nationality": "GTM",
    "languages": "Spanish, K'iche'",
    "last_seen_date": date(2025, 7, 2),
    "last_seen_place": "Sasabe, Sonora",
    "last_seen_lat": 31.48,
    "last_seen_lon": -111.54,
    "intended_route": "LINESTRING (-111.54 31.48, -111.2 31.9, -110.97 32.22)",
    "circumstances": "Crossed with a group of six; called his sister from the border.",
    "medical_notes": "Broken left wrist in 2015, healed.",
    "marks": "tattoo: left forearm: name Maria in script\nscar: right knee:",
    "effects": "clothing: black hoodie\nreligious: wooden rosary",
    "dental": "16:F; 36:C; 48:M",
}

REMAINS = {
    "recovery_date": date(2025, 9, 15),
    "recovery_place": "Altar Valley, Arizona",
    "recovery_lat": 31.7,
    "recovery_lon": -111.4,
    "recovery_uncertainty_m": 50,
    "recovered_by": "Border Patrol search and rescue",
    "condition": "skeletonised",
    "estimated_sex": "M",
    "age_min": 25,
    "age_max": 40,
    "stature_min_cm": 160,
    "stature_max_cm": 175,
    "pmi_min_days": 30,
    "pmi_max_days": 90,
    "document_names": "JOSE L PEREZ",
    "storage_location": "Cooler 3, bay 12",
    "notes_text": "Healed fracture of the left distal radius.",
    "marks": "",
    "effects": "clothing: hooded sweatshirt, black",
    "dental": "16:F; 36:C",
}


def make_missing(user: Any, **overrides: Any) -> Any:
    from casework.missing.inputs import MissingPersonInput
    from casework.missing.services import register_missing_person

    return register_missing_person(user, MissingPersonInput.parse({**MISSING, **overrides}))


def make_remains(user: Any, **overrides: Any) -> Any:
    from casework.remains.inputs import RemainsInput
    from casework.remains.services import log_remains

    return log_remains(user, RemainsInput.parse({**REMAINS, **overrides}))


def charted_teeth(page: str) -> dict[int, str]:
    """Tooth number -> state selected in the dental chart of a rendered case form."""
    import re

    chart: dict[int, str] = {}
    for tooth, options in re.findall(r'<select id="dental-(\d+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="(\w)" selected>', options)
        if chosen:
            chart[int(tooth)] = chosen.group(1)
    return chart
