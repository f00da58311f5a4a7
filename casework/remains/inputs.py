"""What is recorded about unidentified remains, field by field: the one place a remains field is
declared (the form, the API, the importer and the demo all make a `RemainsInput`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from casework.cases.inputs import (
    DENTAL,
    EFFECTS,
    MARKS,
    SEX_CHOICES,
    CaseInput,
    Choice,
    Coordinate,
    Day,
    Item,
    Mark,
    Names,
    Text,
    Tooth,
    UpTo,
    Whole,
    entry,
)
from casework.cases.models import Sex
from casework.errors import ValidationError
from casework.remains.models import RemainsCondition

_LISTS = _l("Choose a condition and sex from the lists.")
RECOVERY_NEEDED = _l(
    "Give at least when or where the remains were recovered: a recovery date or a place."
)


@dataclass(frozen=True)
class RemainsInput(CaseInput):
    json_name: ClassVar[str] = "RemainsInput"
    json_description: ClassVar[str] = (
        "A remains case as a client writes it. Absent fields are empty on creation and "
        "unchanged on update."
    )

    recovery_date: date | None = entry(
        Day(
            _l("Recovered on"),
            "Recovered on (not in the future).",
            future=_l("The recovery date is in the future."),
        )
    )
    recovery_place: str | None = entry(
        Text(_l("Recovered at (place)"), "Recovered at (place).", 300)
    )
    recovery_lat: float | None = entry(
        Coordinate(
            _l("Latitude"),
            "Latitude of the recovery point.",
            point="recovery_point",
            latitude=None,
        )
    )
    recovery_lon: float | None = entry(
        Coordinate(
            _l("Longitude"),
            "Longitude of the recovery point.",
            point="recovery_point",
            latitude="recovery_lat",
        )
    )
    recovery_uncertainty_m: int | None = entry(
        Whole(
            _l("Uncertainty of the point (metres)"),
            "Uncertainty of the point in metres.",
            0,
            500000,
        )
    )
    recovered_by: str | None = entry(Text(_l("Recovered by"), "Recovered by.", 200))
    condition: RemainsCondition | None = entry(
        Choice(
            _l("Condition"),
            "Condition.",
            RemainsCondition,
            choices=[SelectChoice("", "—")] + [SelectChoice(c.value) for c in RemainsCondition],
            message=_LISTS,
        )
    )
    estimated_sex: Sex = entry(
        Choice(
            _l("Estimated sex"),
            "F, M or U (unknown).",
            Sex,
            choices=SEX_CHOICES,
            default=Sex.UNKNOWN,
            message=_LISTS,
            error_field="condition",
        )
    )
    age_min: int | None = entry(Whole(_l("Age from"), "Estimated age from.", 0, 120))
    age_max: int | None = entry(
        UpTo(
            _l("Age to"),
            "Estimated age to.",
            0,
            120,
            low_field="age_min",
            backwards=_l("The age range runs backwards: “from” is above “to”."),
        )
    )
    stature_min_cm: int | None = entry(
        Whole(_l("Stature from (cm)"), "Stature from (cm).", 40, 260)
    )
    stature_max_cm: int | None = entry(
        UpTo(
            _l("Stature to (cm)"),
            "Stature to (cm).",
            40,
            260,
            low_field="stature_min_cm",
            backwards=_l("The stature range runs backwards: “from” is above “to”."),
        )
    )
    pmi_min_days: int | None = entry(
        Whole(_l("Post-mortem interval from (days)"), "Post-mortem interval from (days).", 0, 36500)
    )
    pmi_max_days: int | None = entry(
        UpTo(
            _l("Post-mortem interval to (days)"),
            "Post-mortem interval to (days).",
            0,
            36500,
            low_field="pmi_min_days",
            backwards=_l("The post-mortem interval range runs backwards: “from” is above “to”."),
        )
    )
    document_names: tuple[str, ...] = entry(
        Names(
            _l("Names read on documents found with the remains (separated by ;)"),
            "Names read on documents found.",
            1000,
        )
    )
    storage_location: str | None = entry(Text(_l("Storage location"), "Storage location.", 200))
    burial_planned_on: date | None = entry(
        Day(
            _l("Burial planned on"),
            "Burial or cremation planned on (remains with no DNA sample held are listed first).",
            future=None,
        )
    )
    notes_text: str | None = entry(
        Text(_l("Examination notes"), "Examination notes.", 20000, lines=True)
    )
    marks: tuple[Mark, ...] = entry(MARKS)
    effects: tuple[Item, ...] = entry(EFFECTS)
    dental: tuple[Tooth, ...] = entry(DENTAL)

    def check(self) -> None:
        # a case with neither when nor where it was found cannot be matched nor told apart
        # from another: an empty form would make a blank case (a point on the map is a where)
        if self.recovery_date is None and not self.recovery_place and self.recovery_lat is None:
            raise ValidationError(RECOVERY_NEEDED, field="recovery_date")
        if (
            self.burial_planned_on is not None
            and self.recovery_date is not None
            and self.burial_planned_on < self.recovery_date
        ):
            raise ValidationError(
                _l("The burial is planned before the remains were recovered."),
                field="burial_planned_on",
            )
