"""Pedigrees: PED validation with clear errors, added second parents, the usual shapes."""

from __future__ import annotations

import pytest

from matching.kinship import (
    Family,
    Pedigree,
    PedigreeError,
    Person,
    Profile,
    Relationship,
    Sex,
    parse_sex,
    standard_pedigree,
)

M, F = Sex.MALE, Sex.FEMALE


def test_parents_are_listed_before_children() -> None:
    pedigree = Pedigree.build(
        [Person("kid", "dad", "mum"), Person("dad", sex=M), Person("mum", sex=F)], "kid"
    )
    assert pedigree.ids == ("dad", "mum", "kid")
    assert [c.id for c in pedigree.children("mum")] == ["kid"]


def test_one_parent_given_adds_the_other_as_an_untyped_founder() -> None:
    pedigree = Pedigree.build(
        [Person("mum", sex=F), Person("a", mother="mum"), Person("b", mother="mum")], "a"
    )
    assert pedigree.person("a").father == "a:father"
    assert pedigree.person("b").father == "b:father"  # so a and b are half siblings
    assert pedigree.person("a:father").sex == M
    assert pedigree.person("a:father").is_founder


@pytest.mark.parametrize(
    ("people", "missing", "words"),
    [([Person("a", "b", "c"), Person("b", "a", "c", M), Person("c", sex=F)], "a", "cycle"),
     ([Person("a", "b", "c"), Person("b", sex=F), Person("c", sex=F)], "a",
      "father b is recorded as female"),
     ([Person("a", "b", "c"), Person("b", sex=M), Person("c", sex=M)], "a",
      "mother c is recorded as male"),
     ([Person("a", "b", "x"), Person("b", sex=M)], "a", "mother x is not in the pedigree"),
     ([Person("a"), Person("a")], "a", "listed twice"),
     ([Person("")], "", "empty id"),
     ([Person("a")], "nobody", "missing person 'nobody' is not in the pedigree"),
     ([Person("a", "p", "q"), Person("b", "q", "p"), Person("p"), Person("q")], "a",
      "both a father and a mother"),
     ([Person("a", "a", "m"), Person("m", sex=F)], "a", "own father")],
)  # fmt: skip
def test_bad_pedigrees_are_refused(people: list[Person], missing: str, words: str) -> None:
    with pytest.raises(PedigreeError, match=words):
        Pedigree.build(people, missing)


def test_direct_construction_refuses_a_single_parent() -> None:
    with pytest.raises(PedigreeError, match="one parent"):
        Pedigree((Person("m", sex=F), Person("a", mother="m")), "a")


@pytest.mark.parametrize(
    ("code", "sex"),
    [("1", M), ("2", F), ("0", Sex.UNKNOWN), ("male", M), ("F", F), ("", Sex.UNKNOWN)],
)
def test_sex_codes(code: str, sex: Sex) -> None:
    assert parse_sex(code) == sex


def test_bad_sex_code() -> None:
    with pytest.raises(PedigreeError, match="not 1/2/0"):
        parse_sex("3")


def test_family_refuses_a_sample_of_someone_outside_the_pedigree_or_the_missing_person() -> None:
    pedigree, _ = standard_pedigree(Relationship.MOTHER)
    profile = Profile.parse("R-1", {"TH01": "6,7"})
    with pytest.raises(PedigreeError, match="not in the pedigree"):
        Family("F-1", pedigree, {"aunt": profile})
    with pytest.raises(PedigreeError, match="missing person missing cannot be a reference"):
        Family("F-1", pedigree, {"missing": profile})


@pytest.mark.parametrize("relationship", list(Relationship))
def test_standard_shapes_are_valid_and_name_their_references(relationship: Relationship) -> None:
    pedigree, typed = standard_pedigree(relationship)
    assert pedigree.missing == "missing"
    assert typed and set(typed) <= set(pedigree.ids) - {"missing"}


def test_unknown_shape() -> None:
    with pytest.raises(PedigreeError, match="Unknown relationship"):
        standard_pedigree("second cousin")
