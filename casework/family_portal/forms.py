"""The portal's forms, in plain words (the family's search request after the ICRC ante-mortem
questionnaire, the access form, additions, consents) and the liaison's decisions."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from casework.vocabulary import LANGUAGE_NAMES

RELATIONSHIP_LABELS = {
    "mother": _l("Mother"),
    "father": _l("Father"),
    "sibling": _l("Brother or sister"),
    "child": _l("Son or daughter"),
    "spouse": _l("Husband, wife or partner"),
    "grandparent": _l("Grandparent"),
    "uncle or aunt": _l("Uncle or aunt"),
    "cousin": _l("Cousin"),
    "other relative": _l("Other relative"),
    "friend": _l("Friend"),
    "organisation": _l("An organisation helping the family"),
}


def _choices(pairs: Any) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _text(label: object, lines: bool = False) -> StringField | TextAreaField:
    field = TextAreaField if lines else StringField
    return field(label, validators=[Optional()])


class RequestForm(FlaskForm):
    """Every field optional here: the service checks them, in the family's language."""

    # the missing person
    given_names = _text(_l("First names"))
    surnames = _text(_l("Family names"))
    aliases = _text(_l("Other names and nicknames"))
    sex = SelectField(
        _l("Sex"),
        choices=_choices(
            [("U", _l("I prefer not to say / not known")), ("F", _l("Woman")), ("M", _l("Man"))]
        ),
        default="U",
    )
    birth_date = _text(_l("Date of birth (year-month-day, or only the year)"))
    birth_place = _text(_l("Place of birth"))
    nationality = _text(_l("Nationality"))
    languages = _text(_l("Languages they speak"))
    height_cm = StringField(_l("Height in centimetres (about)"), validators=[Optional()])
    build = _text(_l("Build (thin, medium, strong...)"))
    hair = _text(_l("Hair (colour, length, style)"))
    marks = _text(_l("Marks, scars and tattoos, and where on the body"), lines=True)
    dental = _text(_l("Teeth: fillings, crowns, gold teeth, missing or broken teeth"), lines=True)
    clothing = _text(_l("Clothes they wore when they left"), lines=True)
    belongings = _text(_l("Things they carried (bag, phone, jewellery, documents)"), lines=True)
    phones = _text(_l("Their phone numbers"))
    social_media = _text(_l("Their social-media accounts (Facebook, WhatsApp, TikTok...)"))
    route = _text(_l("Their route: the places they passed or planned to pass"), lines=True)
    last_contact_date = _text(_l("Date of the last contact (year-month-day)"))
    last_contact_place = _text(_l("Where they were at the last contact"))
    last_contact_how = _text(_l("How you were last in contact (call, message, through someone)"))
    companions = _text(_l("Who travelled with them"), lines=True)
    circumstances = _text(_l("Anything else you want to tell us"), lines=True)
    photo_person = FileField(_l("A recent photo of the person (smiling, showing the teeth helps)"))
    photo_belonging = FileField(_l("A photo of their clothes or belongings"))

    # the person reporting
    reporter_name = _text(_l("Your name"))
    relationship = SelectField(
        _l("You are their"), choices=_choices(RELATIONSHIP_LABELS.items()), default="other relative"
    )
    contact_language = SelectField(
        _l("Language we should use with you"), choices=_choices(LANGUAGE_NAMES.items())
    )
    contact = _text(_l("A safe way to reach you (phone, address, e-mail)"), lines=True)
    organisation = _text(_l("Or through this organisation (name and how to reach it)"))
    dna_later = SelectField(
        _l("Could you or a close relative give a DNA sample later?"),
        choices=_choices([("", _l("I do not know yet")), ("yes", _l("Yes")), ("no", _l("No"))]),
        default="",
    )

    # consent
    consent_search = BooleanField(_l("Search for this person in this country."))
    consent_share = BooleanField(
        _l("Share the request with the authorities of other countries to search there.")
    )
    consent_countries = _text(
        _l("Which countries (three-letter codes such as MEX; GTM, or * for all)")
    )
    consent_contact = BooleanField(_l("Contact me about the search."))
    consent_keep = BooleanField(
        _l("Keep the information after the search ends, in case it helps later.")
    )

    agency = SelectField(_l("Office that receives your request"), choices=[])
    website = StringField(_l("Leave this empty"), validators=[Optional()])  # the honeypot
    challenge_salt = HiddenField()
    challenge = HiddenField()
    challenge_signature = HiddenField()
    challenge_number = HiddenField()
    submit = SubmitField(_l("Send the request"))


FIELD_LABELS = {
    name: unbound.args[0]
    for name, unbound in vars(RequestForm).items()
    if isinstance(unbound, UnboundField) and unbound.args
}


class FollowForm(FlaskForm):
    reference = StringField(_l("Reference (FR-...)"), validators=[Optional()])
    code = StringField(_l("Access code"), validators=[Optional()])
    submit = SubmitField(_l("Open my request"))


ADDITION_LABELS = {
    "contact": _l("A new way to reach me"),
    "correction": _l("A correction or new information"),
    "photo": _l("A photo"),
}


class AdditionForm(FlaskForm):
    kind = SelectField(_l("What are you adding?"), choices=_choices(ADDITION_LABELS.items()))
    words = TextAreaField(_l("Your words"), validators=[Optional()])
    photo = FileField(_l("Photo (only for a photo)"))
    submit = SubmitField(_l("Send"))


CONSENT_LABELS = {
    "consent_share": _l("Sharing with other countries"),
    "consent_contact": _l("Being contacted about the search"),
    "consent_keep": _l("Keeping the information after the search ends"),
}


class WithdrawForm(FlaskForm):
    consents = SelectMultipleField(
        _l("I no longer agree to"),
        choices=_choices(CONSENT_LABELS.items()),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )
    submit = SubmitField(_l("Withdraw my agreement"))


class AcceptForm(FlaskForm):
    version = HiddenField()
    nationality = StringField(
        _l("Nationality (ISO code, e.g. GTM), if known"), validators=[Optional()]
    )
    submit = SubmitField(_l("Accept as a missing-person case"))


class MergeForm(FlaskForm):
    version = HiddenField()
    case = StringField(_l("Reference of the existing case"), validators=[Optional()])
    submit = SubmitField(_l("Merge with this case"))


class DeclineForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(_l("Reason the family will read"), validators=[Optional()])
    submit = SubmitField(_l("Decline"))


__all__ = [
    "ADDITION_LABELS",
    "CONSENT_LABELS",
    "RELATIONSHIP_LABELS",
    "AcceptForm",
    "AdditionForm",
    "DeclineForm",
    "FIELD_LABELS",
    "FollowForm",
    "MergeForm",
    "RequestForm",
    "WithdrawForm",
]
