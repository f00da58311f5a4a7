"""Changes to a family's DNA set-up by liaison staff: a relative's place in the pedigree and
sex, and the population of the case's allele frequencies; each runs the search again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.cases.models import Sex
from casework.db import db, transaction
from casework.dna.search import populations, search_family_after_save
from casework.errors import ValidationError
from casework.missing.models import FamilyPosition, MissingPerson, Relative


def place_relative(relative: Relative, position: str | None, sex: str | None) -> None:
    with transaction():
        try:
            relative.position = FamilyPosition(position) if position else None
        except ValueError:
            raise ValidationError(
                _l("Choose the place in the family from the list."), field="position"
            ) from None
        try:
            relative.sex = Sex(sex or Sex.UNKNOWN)
        except ValueError:
            raise ValidationError(_l("Choose the sex from the list."), field="sex") from None
        if relative.position in (FamilyPosition.MOTHER,) and relative.sex is Sex.MALE:
            raise ValidationError(_l("A mother cannot be recorded as male."), field="sex")
        if relative.position in (FamilyPosition.FATHER,) and relative.sex is Sex.FEMALE:
            raise ValidationError(_l("A father cannot be recorded as female."), field="sex")
        case = db.session.get(MissingPerson, relative.missing_person_id)
        assert case is not None
        search_family_after_save(case)


def choose_population(case: MissingPerson, population: str | None) -> None:
    with transaction():
        if population and population not in populations():
            raise ValidationError(_l("Choose the population from the list."), field="population")
        case.dna_population = population or None
        search_family_after_save(case)
