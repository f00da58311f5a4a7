"""Pedigrees in linkage (PED) form and families: the people, who is missing, whose DNA is typed.

PED gives both parents or none. When a family names only one parent, :meth:`Pedigree.build`
adds the other as an untyped founder of its own (``"<child>:father"`` or ``"<child>:mother"``):
two children with the same mother and no father given are therefore half siblings; give the
father, even untyped, to make them full siblings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from matching.kinship.errors import PedigreeError
from matching.kinship.profiles import Profile
from matching.records import Sex

_SEX_CODES = {
    "1": Sex.MALE, "m": Sex.MALE, "male": Sex.MALE,
    "2": Sex.FEMALE, "f": Sex.FEMALE, "female": Sex.FEMALE,
    "0": Sex.UNKNOWN, "u": Sex.UNKNOWN, "unknown": Sex.UNKNOWN, "": Sex.UNKNOWN,
}  # fmt: skip


def parse_sex(value: str | Sex | None) -> Sex:
    """A sex from PED codes (1 male, 2 female, 0 unknown) or words (M, F, male, female...).

    Example:
        >>> parse_sex("2"), parse_sex("M"), parse_sex(None)
        (<Sex.FEMALE: 'F'>, <Sex.MALE: 'M'>, <Sex.UNKNOWN: 'U'>)
    """
    if isinstance(value, Sex):
        return value
    try:
        return _SEX_CODES[(value or "").strip().lower()]
    except KeyError:
        raise PedigreeError(f"Sex {value!r} is not 1/2/0 or male/female/unknown.") from None


@dataclass(frozen=True, slots=True)
class Person:
    """One line of a PED file: a person and their parents (both None for a founder)."""

    id: str
    father: str | None = None
    mother: str | None = None
    sex: Sex = Sex.UNKNOWN

    @property
    def is_founder(self) -> bool:
        """True when the parents are not in the pedigree."""
        return self.father is None and self.mother is None


@dataclass(frozen=True, slots=True)
class Pedigree:
    """A validated family tree with one missing person; build it with :meth:`Pedigree.build`.

    Attributes:
        people: everyone, parents listed before their children.
        missing: id of the missing person (never typed: the remains stand in for them).
    """

    people: tuple[Person, ...]
    missing: str

    def __post_init__(self) -> None:
        _validate(self.people, self.missing)

    @classmethod
    def build(cls, people: Iterable[Person], missing: str) -> Pedigree:
        """Check a pedigree, add absent second parents, order parents before children.

        Raises:
            PedigreeError: duplicate or empty id, unknown parent id, a person their own
                ancestor (a cycle), a father recorded female or a mother male, one person
                both a father and a mother, or a missing person who is not in the pedigree.

        Example:
            >>> ped = Pedigree.build(
            ...     [Person("ana", mother="rosa"), Person("rosa", sex=Sex.FEMALE)], "ana")
            >>> [p.id for p in ped.people]
            ['ana:father', 'rosa', 'ana']
        """
        listed = list(people)
        ids = {person.id for person in listed}
        completed: list[Person] = []
        for person in listed:
            if (person.father is None) != (person.mother is None):
                if person.father is None:
                    added = f"{person.id}:father"
                    completed.append(Person(added, sex=Sex.MALE))
                    person = replace(person, father=added)
                else:
                    added = f"{person.id}:mother"
                    completed.append(Person(added, sex=Sex.FEMALE))
                    person = replace(person, mother=added)
                if added in ids:
                    raise PedigreeError(f"Person id {added} is reserved for an added parent.")
            completed.append(person)
        _validate(tuple(completed), missing, ordered=False)
        return cls(_parents_first(completed), missing)

    def person(self, person_id: str) -> Person:
        """The person with this id."""
        for person in self.people:
            if person.id == person_id:
                return person
        raise PedigreeError(f"Person {person_id} is not in the pedigree.")

    def children(self, person_id: str) -> tuple[Person, ...]:
        """The person's children, in pedigree order."""
        return tuple(p for p in self.people if person_id in (p.father, p.mother))

    @property
    def ids(self) -> tuple[str, ...]:
        """Everyone's id, parents first."""
        return tuple(person.id for person in self.people)


def _parents_first(people: list[Person]) -> tuple[Person, ...]:
    by_id = {person.id: person for person in people}
    placed: dict[str, Person] = {}

    def place(person: Person) -> None:
        if person.id in placed:
            return
        for parent in (person.father, person.mother):
            if parent is not None:
                place(by_id[parent])
        placed[person.id] = person

    for person in people:
        place(person)
    return tuple(placed.values())


def _validate(people: tuple[Person, ...], missing: str, ordered: bool = True) -> None:
    by_id: dict[str, Person] = {}
    for person in people:
        if not person.id or not person.id.strip():
            raise PedigreeError("A person has an empty id.")
        if person.id in by_id:
            raise PedigreeError(f"Person {person.id} is listed twice.")
        by_id[person.id] = person
    roles: dict[str, str] = {}
    for person in people:
        if (person.father is None) != (person.mother is None):
            raise PedigreeError(
                f"Person {person.id} has one parent; give both or none (Pedigree.build adds the "
                "other as an untyped founder)."
            )
        for role, parent in (("father", person.father), ("mother", person.mother)):
            if parent is None:
                continue
            if parent not in by_id:
                raise PedigreeError(f"Person {person.id}: {role} {parent} is not in the pedigree.")
            if parent == person.id:
                raise PedigreeError(f"Person {person.id} is given as their own {role}.")
            wrong = Sex.FEMALE if role == "father" else Sex.MALE
            if by_id[parent].sex == wrong:
                raise PedigreeError(
                    f"Person {person.id}: {role} {parent} is recorded as "
                    f"{'female' if wrong == Sex.FEMALE else 'male'}."
                )
            if roles.setdefault(parent, role) != role:
                raise PedigreeError(f"Person {parent} is both a father and a mother.")
        if person.father is not None and person.father == person.mother:
            raise PedigreeError(f"Person {person.id} has the same father and mother.")
    state: dict[str, int] = {}

    def visit(person_id: str, path: list[str]) -> None:
        if state.get(person_id) == 2:
            return
        if state.get(person_id) == 1:
            cycle = " -> ".join(path[path.index(person_id) :] + [person_id])
            raise PedigreeError(
                f"The pedigree has a cycle: {cycle} (someone is their own ancestor)."
            )
        state[person_id] = 1
        person = by_id[person_id]
        for parent in (person.father, person.mother):
            if parent is not None:
                visit(parent, [*path, person_id])
        state[person_id] = 2

    for person_id in by_id:
        visit(person_id, [])
    if not missing or missing not in by_id:
        raise PedigreeError(f"The missing person {missing!r} is not in the pedigree.")
    if ordered:
        seen: set[str] = set()
        for person in people:
            if (person.father and person.father not in seen) or (
                person.mother and person.mother not in seen
            ):
                raise PedigreeError("Parents must be listed before their children; use build().")
            seen.add(person.id)


@dataclass(frozen=True, slots=True)
class Family:
    """A pedigree with the profiles of its typed relatives: one unit of the DNA-led search.

    Attributes:
        id: the family's id (a case or request reference, never a name).
        pedigree: the family tree, with its missing person.
        references: person id to that relative's profile.

    Raises:
        PedigreeError: a profile for someone not in the pedigree, or for the missing person.
    """

    id: str
    pedigree: Pedigree
    references: Mapping[str, Profile] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ids = set(self.pedigree.ids)
        for person_id in self.references:
            if person_id not in ids:
                raise PedigreeError(
                    f"Family {self.id}: sample of {person_id}, who is not in the pedigree."
                )
            if person_id == self.pedigree.missing:
                raise PedigreeError(
                    f"Family {self.id}: the missing person {person_id} cannot be a reference; "
                    "compare their own samples as remains or personal items instead."
                )
        object.__setattr__(self, "references", MappingProxyType(dict(self.references)))


class Relationship(StrEnum):
    """The usual shapes of reference families, for tests, the benchmark and quick cases."""

    MOTHER = "mother"
    FATHER = "father"
    BOTH_PARENTS = "both parents"
    FULL_SIBLING = "full sibling"
    TWO_SIBLINGS = "two full siblings"
    HALF_SIBLING = "paternal half sibling"
    CHILD = "child"
    CHILD_AND_PARTNER = "child and other parent"
    GRANDPARENT = "paternal grandfather"
    GRANDPARENTS = "paternal grandparents"
    AUNT_UNCLE = "paternal aunt or uncle"
    MOTHER_AND_SIBLING = "mother and full sibling"


_M, _F, _U = Sex.MALE, Sex.FEMALE, Sex.UNKNOWN
_Line = tuple[str, str | None, str | None, Sex]
_SHAPES: Mapping[Relationship, tuple[tuple[_Line, ...], tuple[str, ...]]] = {
    Relationship.MOTHER: ((("father", None, None, _M), ("mother", None, None, _F),
                           ("missing", "father", "mother", _U)), ("mother",)),
    Relationship.FATHER: ((("father", None, None, _M), ("mother", None, None, _F),
                           ("missing", "father", "mother", _U)), ("father",)),
    Relationship.BOTH_PARENTS: ((("father", None, None, _M), ("mother", None, None, _F),
                                 ("missing", "father", "mother", _U)), ("father", "mother")),
    Relationship.FULL_SIBLING: ((("father", None, None, _M), ("mother", None, None, _F),
                                 ("missing", "father", "mother", _U),
                                 ("sibling", "father", "mother", _U)), ("sibling",)),
    Relationship.TWO_SIBLINGS: ((("father", None, None, _M), ("mother", None, None, _F),
                                 ("missing", "father", "mother", _U),
                                 ("sibling", "father", "mother", _U),
                                 ("sibling2", "father", "mother", _U)), ("sibling", "sibling2")),
    Relationship.HALF_SIBLING: ((("father", None, None, _M), ("mother", None, None, _F),
                                 ("mother2", None, None, _F), ("missing", "father", "mother", _U),
                                 ("half_sibling", "father", "mother2", _U)), ("half_sibling",)),
    Relationship.CHILD: ((("missing", None, None, _M), ("partner", None, None, _F),
                          ("child", "missing", "partner", _U)), ("child",)),
    Relationship.CHILD_AND_PARTNER: ((("missing", None, None, _M), ("partner", None, None, _F),
                                      ("child", "missing", "partner", _U)), ("child", "partner")),
    Relationship.GRANDPARENT: ((("grandfather", None, None, _M), ("grandmother", None, None, _F),
                                ("father", "grandfather", "grandmother", _M),
                                ("mother", None, None, _F), ("missing", "father", "mother", _U)),
                               ("grandfather",)),
    Relationship.GRANDPARENTS: ((("grandfather", None, None, _M), ("grandmother", None, None, _F),
                                 ("father", "grandfather", "grandmother", _M),
                                 ("mother", None, None, _F), ("missing", "father", "mother", _U)),
                                ("grandfather", "grandmother")),
    Relationship.AUNT_UNCLE: ((("grandfather", None, None, _M), ("grandmother", None, None, _F),
                               ("father", "grandfather", "grandmother", _M),
                               ("uncle", "grandfather", "grandmother", _U),
                               ("mother", None, None, _F), ("missing", "father", "mother", _U)),
                              ("uncle",)),
    Relationship.MOTHER_AND_SIBLING: ((("father", None, None, _M), ("mother", None, None, _F),
                                       ("missing", "father", "mother", _U),
                                       ("sibling", "father", "mother", _U)), ("mother", "sibling")),
}  # fmt: skip


def standard_pedigree(relationship: Relationship | str) -> tuple[Pedigree, tuple[str, ...]]:
    """A pedigree of a usual shape and the ids of the relatives who give references.

    The missing person is ``"missing"``; the others are named by their role ("mother",
    "sibling", "half_sibling", "child", "partner", "grandfather", "uncle"...).

    Example:
        >>> pedigree, typed = standard_pedigree(Relationship.HALF_SIBLING)
        >>> pedigree.missing, typed
        ('missing', ('half_sibling',))
    """
    try:
        people, typed = _SHAPES[Relationship(relationship)]
    except ValueError:
        known = ", ".join(r.value for r in Relationship)
        raise PedigreeError(f"Unknown relationship {relationship!r}; known: {known}.") from None
    pedigree = Pedigree.build([Person(*person) for person in people], "missing")
    return pedigree, typed
