"""A case's fields written once. Each field of a case kind's input (`RemainsInput`,
`MissingPersonInput`) carries a spec that says how the form shows it, how the API describes and
checks it, how what people type becomes its value, the rules it keeps, and how it is read from
and stored on the case row.

The form, the API, the bulk importer and the demo all produce the input; the kind's service
consumes it. Adding a field to a kind is a line in its input (plus the model, the migration,
the template and the translations); the form, the API schema and document, the API answer and
the edit form's prefill follow from that line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, ClassVar, Self

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from geoalchemy2 import WKBElement
from sqlalchemy import inspect
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from casework.api.fields import (
    EFFECT,
    MARK,
    NAME,
    TOOTH,
    Body,
    Field,
    enum_field,
    text_field,
    whole_field,
)
from casework.cases.fields import (
    assign_geometry,
    checked_effect,
    checked_mark,
    optional_text,
    parse_birth_date,
    parse_country,
    parse_dental,
    parse_effects,
    parse_marks,
    parse_point,
    parse_route,
    point_coordinates,
    route_wkt,
    split_list,
)
from casework.cases.forms import DentalChartField, one_time_token
from casework.cases.models import (
    DentalFinding,
    DistinguishingMark,
    Effect,
    EffectCategory,
    MarkKind,
    ToothState,
)
from casework.cases.services import owner_key
from casework.clock import now
from casework.db import utcnow
from casework.errors import Message, ValidationError

Mark = tuple[MarkKind, str | None, str | None]
Item = tuple[EffectCategory, str]
Tooth = tuple[int, ToothState]


class Spec:
    """One field of a case kind: the default behaviour of a plain column holding its value."""

    empty: Any = None

    def __init__(self, label: LazyString | str, description: str) -> None:
        self.label = label  # what the form shows
        self.description = description  # what the API document says

    def form_field(self) -> Any:
        raise NotImplementedError

    def json_field(self) -> Field:
        raise NotImplementedError

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        """The value of what was typed (or sent), or ValidationError naming the field.
        `earlier` holds the values of the fields declared before this one."""
        return value

    def from_json(self, value: Any) -> Any:
        """A checked API value as the form would have sent it, so one parser reads both."""
        return value

    def to_json(self, value: Any) -> Any:
        return value

    def read(self, case: Any, name: str) -> Any:
        return getattr(case, name)

    def store(self, case: Any, name: str, value: Any, values: Mapping[str, Any]) -> None:
        setattr(case, name, value)


class Text(Spec):
    """Free text, kept without the surrounding spaces; empty is None."""

    def __init__(
        self, label: LazyString | str, description: str, max_length: int, *, lines: bool = False
    ) -> None:
        super().__init__(label, description)
        self.max_length = max_length
        self.lines = lines

    def form_field(self) -> Any:
        kind = TextAreaField if self.lines else StringField
        return kind(self.label, validators=[Optional(), Length(max=self.max_length)])

    def json_field(self) -> Field:
        return text_field(self.description, self.max_length)

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        return optional_text(value, name, self.max_length)


class Whole(Spec):
    """A whole number within bounds, optional."""

    def __init__(self, label: LazyString | str, description: str, low: int, high: int) -> None:
        super().__init__(label, description)
        self.low, self.high = low, high

    def form_field(self) -> Any:
        return IntegerField(
            self.label, validators=[Optional(), NumberRange(min=self.low, max=self.high)]
        )

    def json_field(self) -> Field:
        return whole_field(self.description, self.low, self.high)

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_l("Give a whole number."), field=name)
        if not self.low <= value <= self.high:
            raise ValidationError(
                _l("Give a number between %(low)s and %(high)s.", low=self.low, high=self.high),
                field=name,
            )
        return value


class UpTo(Whole):
    """The upper end of a range whose lower end is the field `low_field`: never below it."""

    def __init__(
        self,
        label: LazyString | str,
        description: str,
        low: int,
        high: int,
        *,
        low_field: str,
        backwards: Message,
    ) -> None:
        super().__init__(label, description, low, high)
        self.low_field = low_field
        self.backwards = backwards  # the message when the range runs backwards

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        value = super().parse(value, name, earlier, today)
        start = earlier.get(self.low_field)
        if start is not None and value is not None and start > value:
            raise ValidationError(self.backwards, field=self.low_field)
        return value


class Day(Spec):
    """A calendar day, optional, never in the future unless `future` is None (a day planned)."""

    def __init__(
        self, label: LazyString | str, description: str, *, future: Message | None
    ) -> None:
        super().__init__(label, description)
        self.future = future  # the message when the day is after today; None: allowed

    def form_field(self) -> Any:
        return DateField(self.label, validators=[Optional()])

    def json_field(self) -> Field:
        return Field("date", self.description)

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value) if value.strip() else None
            except ValueError:
                raise ValidationError(_l("Give the date as YYYY-MM-DD."), field=name) from None
        if value is not None and self.future is not None and value > today:
            raise ValidationError(self.future, field=name)
        return value

    def to_json(self, value: Any) -> Any:
        return value.isoformat() if value else None


def _choice_text(value: Any) -> str:
    return "" if value is None else str(value)


class Choice(Spec):
    """One value of an enumeration, chosen from a list."""

    def __init__(
        self,
        label: LazyString | str,
        description: str,
        values: Any,
        *,
        choices: Sequence[SelectChoice],
        default: Any = None,
        message: Message,
        error_field: str | None = None,
    ) -> None:
        super().__init__(label, description)
        self.values = values  # the enum
        self.choices = list(choices)
        self.default = default
        self.empty = default
        self.message = message  # the refusal of a value not in the list
        self.error_field = error_field  # the field the refusal is shown at (default: this one)

    def form_field(self) -> Any:
        return SelectField(
            self.label,
            choices=self.choices,
            default=_choice_text(self.default) or None,
            coerce=_choice_text,
        )

    def json_field(self) -> Field:
        return enum_field(
            self.description,
            tuple(item.value for item in self.values),
            nullable=self.default is None,
        )

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        if not value:
            return self.default
        try:
            return self.values(value)
        except ValueError:
            raise ValidationError(self.message, field=self.error_field or name) from None

    def to_json(self, value: Any) -> Any:
        return None if value is None else value.value


class Flag(Spec):
    """Yes or no."""

    empty = False

    def form_field(self) -> Any:
        return BooleanField(self.label)

    def json_field(self) -> Field:
        return Field("boolean", self.description, nullable=False)

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        return bool(value)

    def read(self, case: Any, name: str) -> Any:
        return bool(getattr(case, name))


def _joined(value: Any) -> Any:
    return "; ".join(value) if isinstance(value, list | tuple) else value


class Names(Spec):
    """A list of names, typed on one line separated by ";"."""

    empty: Any = ()

    def __init__(self, label: LazyString | str, description: str, max_length: int) -> None:
        super().__init__(label, description)
        self.max_length = max_length  # of the line in the form

    def form_field(self) -> Any:
        return StringField(
            self.label,
            validators=[Optional(), Length(max=self.max_length)],
            filters=[_joined],
        )

    def json_field(self) -> Field:
        return Field("array", self.description, nullable=False, items=NAME, max_items=20)

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        return tuple(split_list(_joined(value)))

    def from_json(self, value: Any) -> Any:
        return "; ".join(value or [])

    def to_json(self, value: Any) -> Any:
        return list(value)

    def read(self, case: Any, name: str) -> Any:
        return tuple(getattr(case, name))

    def store(self, case: Any, name: str, value: Any, values: Mapping[str, Any]) -> None:
        setattr(case, name, list(value))


class BirthDate(Spec):
    """A full date (YYYY-MM-DD) or a year (YYYY), kept as text."""

    def form_field(self) -> Any:
        return StringField(self.label, validators=[Optional(), Length(max=10)])

    def json_field(self) -> Field:
        return text_field(self.description, 10, "^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$")

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        return parse_birth_date(value)


class Country(Spec):
    """A three-letter ISO 3166 code."""

    def form_field(self) -> Any:
        return StringField(self.label, validators=[Optional(), Length(max=3)])

    def json_field(self) -> Field:
        return text_field(self.description, 3, "^[A-Za-z]{3}$")

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        return parse_country(value, name)


class Coordinate(Spec):
    """Latitude or longitude of the point stored in the geometry column `point`. The latitude
    comes first; the longitude checks the pair and the latitude field stores it."""

    def __init__(
        self, label: LazyString | str, description: str, *, point: str, latitude: str | None
    ) -> None:
        super().__init__(label, description)
        self.point = point
        self.latitude = latitude  # None: this is the latitude; else the name of its partner
        self.bound = 90 if latitude is None else 180

    def form_field(self) -> Any:
        return FloatField(
            self.label, validators=[Optional(), NumberRange(min=-self.bound, max=self.bound)]
        )

    def json_field(self) -> Field:
        return Field("number", self.description, minimum=-self.bound, maximum=self.bound)

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        if self.latitude is not None:
            parse_point(earlier.get(self.latitude), value, self.latitude)
        return value

    def read(self, case: Any, name: str) -> Any:
        point = point_coordinates(getattr(case, self.point))
        return None if point is None else point[0 if self.latitude is None else 1]

    def store(self, case: Any, name: str, value: Any, values: Mapping[str, Any]) -> None:
        if self.latitude is not None:
            lat = values[self.latitude]
            assign_geometry(case, self.point, parse_point(lat, value, self.latitude))


class Route(Spec):
    """A line on the map, typed as WKT `LINESTRING (lon lat, lon lat, ...)`."""

    def form_field(self) -> Any:
        return TextAreaField(
            self.label, validators=[Optional(), Length(max=20000)], filters=[_route_text]
        )

    def json_field(self) -> Field:
        return text_field(self.description, 20000)

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        return value if isinstance(value, WKBElement) else parse_route(value, name)

    def to_json(self, value: Any) -> Any:
        return route_wkt(value) or None

    def store(self, case: Any, name: str, value: Any, values: Mapping[str, Any]) -> None:
        assign_geometry(case, name, value)


def _route_text(value: Any) -> Any:
    return route_wkt(value) if isinstance(value, WKBElement) else value


def _marks_text(value: Any) -> Any:
    if not isinstance(value, list | tuple):
        return value
    return "\n".join(f"{kind.value}: {where or ''}: {words or ''}" for kind, where, words in value)


class Marks(Spec):
    """Distinguishing marks, one a line: `kind: body location: description`."""

    empty: Any = ()

    def form_field(self) -> Any:
        return TextAreaField(
            self.label, validators=[Optional(), Length(max=5000)], filters=[_marks_text]
        )

    def json_field(self) -> Field:
        return Field("array", self.description, nullable=False, items=MARK, max_items=50)

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        if isinstance(value, list | tuple):  # given as marks (the importer): the same rules
            return tuple(checked_mark(*mark) for mark in value)
        return tuple(parse_marks(value))

    def from_json(self, value: Any) -> Any:
        return "\n".join(
            f"{m['kind']}: {m.get('body_location') or ''}: {m.get('description') or ''}"
            for m in value or []
        )

    def to_json(self, value: Any) -> Any:
        return [
            {"kind": kind.value, "body_location": where, "description": words}
            for kind, where, words in value
        ]

    def read(self, case: Any, name: str) -> Any:
        return tuple((mark.kind, mark.body_location, mark.description) for mark in case.marks)

    def store(self, case: Any, name: str, value: Any, values: Mapping[str, Any]) -> None:
        case.marks = [
            DistinguishingMark(kind=kind, body_location=where, description=words, **owner_key(case))
            for kind, where, words in value
        ]


def _effects_text(value: Any) -> Any:
    if not isinstance(value, list | tuple):
        return value
    return "\n".join(f"{category.value}: {words}" for category, words in value)


class Effects(Spec):
    """Clothing and effects, one a line: `category: description`."""

    empty: Any = ()

    def form_field(self) -> Any:
        return TextAreaField(
            self.label, validators=[Optional(), Length(max=5000)], filters=[_effects_text]
        )

    def json_field(self) -> Field:
        return Field("array", self.description, nullable=False, items=EFFECT, max_items=100)

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        if isinstance(value, list | tuple):  # given as items (the importer): the same rules
            return tuple(checked_effect(*item) for item in value)
        return tuple(parse_effects(value))

    def from_json(self, value: Any) -> Any:
        return "\n".join(f"{e['category']}: {e['description']}" for e in value or [])

    def to_json(self, value: Any) -> Any:
        return [{"category": category.value, "description": words} for category, words in value]

    def read(self, case: Any, name: str) -> Any:
        return tuple((item.category, item.description) for item in case.effects)

    def store(self, case: Any, name: str, value: Any, values: Mapping[str, Any]) -> None:
        case.effects = [
            Effect(category=category, description=words, **owner_key(case))
            for category, words in value
        ]


class Dental(Spec):
    """The dental chart in FDI notation: `11:F; 36:C`, or one choice a tooth on the form."""

    empty: Any = ()

    def form_field(self) -> Any:
        return DentalChartField(self.label, validators=[Length(max=2000)])

    def json_field(self) -> Field:
        return Field("array", self.description, nullable=False, items=TOOTH, max_items=32)

    def parse(self, value: Any, name: str, earlier: Mapping[str, Any], today: date) -> Any:
        if isinstance(value, list | tuple):
            return tuple(sorted(value))
        return tuple(parse_dental(value))

    def from_json(self, value: Any) -> Any:
        return "; ".join(f"{d['tooth']}:{d['state']}" for d in value or [])

    def to_json(self, value: Any) -> Any:
        return [{"tooth": tooth, "state": state.value} for tooth, state in value]

    def read(self, case: Any, name: str) -> Any:
        return tuple((finding.tooth, finding.state) for finding in case.dental)

    def store(self, case: Any, name: str, value: Any, values: Mapping[str, Any]) -> None:
        # findings of teeth kept keep their rows: only what changed is written
        by_tooth = {finding.tooth: finding for finding in case.dental}
        kept = []
        for tooth, state in value:
            finding = by_tooth.get(tooth) or DentalFinding(tooth=tooth, **owner_key(case))
            finding.state = state
            kept.append(finding)
        case.dental = kept


# What both kinds record about a body: the same three fields, written once.
MARKS = Marks(
    _l("Distinguishing marks (one a line: kind: body location: description)"),
    "Distinguishing marks.",
)
EFFECTS = Effects(
    _l("Clothing and effects (one a line: category: description)"), "Clothing and effects."
)
DENTAL = Dental(_l("Dental chart (FDI notation)"), "Dental chart.")
SEX_CHOICES = [
    SelectChoice("U", _l("Unknown")),
    SelectChoice("F", _l("Female")),
    SelectChoice("M", _l("Male")),
]


def entry(spec: Spec) -> Any:
    """A dataclass field of an input, with its spec."""
    return dataclasses.field(default=spec.empty, metadata={"spec": spec})


def _children(case: Any) -> tuple[list[tuple[Any, ...]], ...]:
    return (
        [(mark.kind, mark.body_location, mark.description) for mark in case.marks],
        [(effect.category, effect.description) for effect in case.effects],
        sorted((finding.tooth, finding.state) for finding in case.dental),
    )


class CaseInput:
    """What a person (or a client, a file, the demo) gives for one case of a kind: typed values,
    each checked by its field's spec. Subclasses are frozen dataclasses of `entry(...)` fields
    in the order the form shows them and the rules are checked."""

    json_name: ClassVar[str]
    json_description: ClassVar[str]

    @classmethod
    def specs(cls) -> dict[str, Spec]:
        return {item.name: item.metadata["spec"] for item in dataclasses.fields(cls)}  # type: ignore[arg-type]

    @classmethod
    def parse(cls, raw: Mapping[str, Any], today: date | None = None) -> Self:
        """Check and convert what a form (or a file) gave, field by field in declared order;
        the first problem raises ValidationError naming its field. Absent fields are empty."""
        day = today or now().date()
        values: dict[str, Any] = {}
        for name, spec in cls.specs().items():
            values[name] = spec.parse(raw.get(name), name, values, day)
        made = cls(**values)
        made.check()
        return made

    @classmethod
    def parse_all(
        cls, raw: Mapping[str, Any], today: date | None = None
    ) -> Self | list[ValidationError]:
        """Like `parse`, but every problem is collected instead of the first raised: a field
        that fails takes its empty value and the next ones are still read; the rules across
        fields are checked too, unless their field already failed. For the bulk importer, which
        lists every problem of a row at once."""
        day = today or now().date()
        values: dict[str, Any] = {}
        problems: list[ValidationError] = []
        for name, spec in cls.specs().items():
            try:
                values[name] = spec.parse(raw.get(name), name, values, day)
            except ValidationError as error:
                problems.append(error)
                values[name] = spec.empty
        made = cls(**values)
        try:
            made.check()
        except ValidationError as error:
            if not any(problem.field == error.field for problem in problems):
                problems.append(error)
        return problems or made

    @classmethod
    def from_json(cls, values: Mapping[str, Any], today: date | None = None) -> Self:
        """Checked API values (see `json_body`) as an input: through the same parser."""
        specs = cls.specs()
        return cls.parse(
            {name: specs[name].from_json(value) for name, value in values.items()}, today
        )

    @classmethod
    def of_case(cls, case: Any) -> Self:
        """The case's current values: what its edit form shows and its API answer holds."""
        return cls(**{name: spec.read(case, name) for name, spec in cls.specs().items()})

    @classmethod
    def json_body(cls) -> Body:
        """The API's table of this kind's fields."""
        return Body(
            cls.json_name,
            {name: spec.json_field() for name, spec in cls.specs().items()},
            cls.json_description,
        )

    @classmethod
    def form_class(cls, name: str) -> type[FlaskForm]:
        """The case form: one field per spec (the details first, as before), the version, the
        one-time token of a new case's form, and Save."""
        specs = cls.specs()
        details = ("marks", "effects", "dental")
        attributes: dict[str, Any] = {
            key: specs[key].form_field() for key in details if key in specs
        }
        attributes["version"] = HiddenField()
        attributes["form_token"] = HiddenField(default=one_time_token)
        attributes.update(
            {key: spec.form_field() for key, spec in specs.items() if key not in details}
        )
        attributes["submit"] = SubmitField(_l("Save"))
        return type(name, (FlaskForm,), attributes)

    def check(self) -> None:
        """Rules across fields, checked after each field's own (none unless a kind says)."""

    def to_json(self) -> dict[str, Any]:
        specs = self.specs()
        return {name: specs[name].to_json(getattr(self, name)) for name in specs}

    def store(self, case: Any) -> None:
        """Write every field onto the case row (and its marks, effects and dental findings)."""
        before = _children(case)
        values = {name: getattr(self, name) for name in self.specs()}
        for name, spec in self.specs().items():
            spec.store(case, name, values[name], values)
        if _children(case) != before and inspect(case).persistent:
            # the case row changes too (updated_at, and so its version): a concurrent edit of
            # the children is refused, and other processes holding the case see that it changed
            case.updated_at = utcnow()  # what the column's onupdate would write


__all__ = [
    "DENTAL",
    "EFFECTS",
    "MARKS",
    "SEX_CHOICES",
    "BirthDate",
    "CaseInput",
    "Choice",
    "Coordinate",
    "Country",
    "Day",
    "Flag",
    "Item",
    "Mark",
    "Names",
    "Route",
    "Spec",
    "Text",
    "Tooth",
    "UpTo",
    "Whole",
    "entry",
]
