"""Forms of the DNA pages: lab file import, per-locus entry, a relative's place in the family,
a reference sample with the family's consent, a withdrawal, a lineage override."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from casework.cases.models import Sex
from casework.dna.models import MarkerSystem
from casework.missing.models import FamilyPosition


class ImportForm(FlaskForm):
    files = MultipleFileField(_l("Laboratory files (CSV or tab-separated)"))
    lab = StringField(_l("Laboratory"), validators=[Optional(), Length(max=200)])
    kit = StringField(_l("Kit"), validators=[Optional(), Length(max=100)])
    typed_on = DateField(_l("Typed on"), validators=[Optional()])
    submit = SubmitField(_l("Import"))


class ProfileForm(FlaskForm):
    system = SelectField(_l("Markers"), choices=[SelectChoice(m.value) for m in MarkerSystem])
    lab = StringField(_l("Laboratory"), validators=[Optional(), Length(max=200)])
    kit = StringField(_l("Kit"), validators=[Optional(), Length(max=100)])
    typed_on = DateField(_l("Typed on"), validators=[Optional()])
    variants = StringField(_l("mtDNA variants (against rCRS)"), validators=[Optional()])
    range = StringField(_l("mtDNA range sequenced"), validators=[Optional()])
    submit = SubmitField(_l("Save the profile"))


class PlaceForm(FlaskForm):
    position = SelectField(
        _l("Place in the family"),
        choices=[SelectChoice("", _l("not in the pedigree"))]
        + [SelectChoice(p.value) for p in FamilyPosition],
    )
    sex = SelectField(_l("Sex"), choices=[SelectChoice(s.value) for s in Sex])
    submit = SubmitField(_l("Save"))


class PopulationForm(FlaskForm):
    population = SelectField(_l("Allele frequencies of"), choices=[])
    submit = SubmitField(_l("Save"))


class ReferenceSampleForm(FlaskForm):
    barcode = StringField(
        _l("Barcode"),
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^[A-Za-z0-9._/-]+$", message=_l("Letters, digits and . _ / - only.")),
        ],
    )
    lab = StringField(_l("Laboratory"), validators=[Optional(), Length(max=200)])
    search_here = BooleanField(_l("The family agrees to a search in this country"))
    search_abroad = BooleanField(_l("The family agrees to a search with other countries"))
    countries = StringField(
        _l("Which countries (ISO codes, or * for all)"), validators=[Optional(), Length(max=400)]
    )
    keep_after_identification = BooleanField(
        _l("Keep the profile after the identification (else it is destroyed when the case closes)")
    )
    submit = SubmitField(_l("Record the reference sample"))


class ConsentForm(FlaskForm):
    search_here = BooleanField(_l("The family agrees to a search in this country"))
    search_abroad = BooleanField(_l("The family agrees to a search with other countries"))
    countries = StringField(
        _l("Which countries (ISO codes, or * for all)"), validators=[Optional(), Length(max=400)]
    )
    keep_after_identification = BooleanField(
        _l("Keep the profile after the identification (else it is destroyed when the case closes)")
    )
    submit = SubmitField(_l("Save the consent"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Confirm"))
