"""A missing person's family as the kinship engine reads it: the PED structure built from the
relatives' places in the family, and which relatives give a searchable reference profile."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from casework.cases.models import Sex as CaseSex
from casework.custody.models import Sample
from casework.db import db
from casework.dna.models import ReferenceConsent
from casework.dna.stored import consensus_of
from casework.missing.models import FamilyPosition, MissingPerson, Relative
from matching.kinship import Family, Pedigree, Person, Profile, Sex

P = FamilyPosition
MISSING = "missing"
# Founders every pedigree has, typed or not: a sibling shares both of them with the missing.
FATHER, MOTHER = "father", "mother"
_SEX = {CaseSex.MALE: Sex.MALE, CaseSex.FEMALE: Sex.FEMALE, CaseSex.UNKNOWN: Sex.UNKNOWN}


@dataclass
class Member:
    """One person of the chart: the pedigree id, the relative (None for an untyped link such
    as an absent father), parents, and whether a reference profile is used."""

    id: str
    sex: Sex
    father: str | None = None
    mother: str | None = None
    relative: Relative | None = None
    typed: bool = False
    sample_barcode: str | None = None
    label: str = ""


@dataclass
class FamilyTree:
    """The chart and the engine's view of the same family."""

    case: MissingPerson
    members: dict[str, Member] = field(default_factory=dict)
    references: dict[str, Profile] = field(default_factory=dict)
    relations: dict[str, str] = field(default_factory=dict)  # person id -> reading relation

    def pedigree(self) -> Pedigree:
        return Pedigree.build(
            [Person(m.id, m.father, m.mother, m.sex) for m in self.members.values()], MISSING
        )

    def family(self) -> Family | None:
        """The engine's family, or None when no relative gives a searchable profile."""
        if not self.references:
            return None
        return Family(self.case.reference, self.pedigree(), self.references)

    def generations(self) -> list[list[Member]]:
        """Members by generation (grandparents first), for the chart."""
        depth: dict[str, int] = {}

        def level(member_id: str) -> int:
            if member_id not in depth:
                member = self.members[member_id]
                parents = [p for p in (member.father, member.mother) if p in self.members]
                depth[member_id] = 1 + max((level(p) for p in parents), default=-1)
            return depth[member_id]

        rows: dict[int, list[Member]] = {}
        for member_id in self.members:
            rows.setdefault(level(member_id), []).append(self.members[member_id])
        return [rows[key] for key in sorted(rows)]


def relation_word(position: FamilyPosition, sex: Sex, missing_sex: Sex) -> str:
    """The reading's word for a relative (the relative is the missing person's ...)."""
    by_sex = {
        P.MOTHER: ("mother", "mother", "mother"),
        P.FATHER: ("father", "father", "father"),
        P.FULL_SIBLING: ("brother", "sister", "sibling"),
        P.MATERNAL_HALF_SIBLING: ("half_brother", "half_sister", "half_sibling"),
        P.PATERNAL_HALF_SIBLING: ("half_brother", "half_sister", "half_sibling"),
        P.CHILD: ("son", "daughter", "child"),
        P.PATERNAL_GRANDPARENT: ("grandfather", "grandmother", "grandparent"),
        P.MATERNAL_GRANDPARENT: ("grandfather", "grandmother", "grandparent"),
        P.PATERNAL_AUNT_UNCLE: ("uncle", "aunt", "relative"),
        P.MATERNAL_AUNT_UNCLE: ("uncle", "aunt", "relative"),
        P.SPOUSE: ("husband", "wife", "partner"),
        P.CHILD_OTHER_PARENT: ("partner", "partner", "partner"),
    }[position]
    return by_sex[0] if sex is Sex.MALE else by_sex[1] if sex is Sex.FEMALE else by_sex[2]


def searchable_reference(sample: Sample) -> Profile | None:
    """The sample's consensus profile if the family's consent allows a search here."""
    consent = db.session.scalar(
        select(ReferenceConsent).where(ReferenceConsent.sample_id == sample.id)
    )
    if consent is None or not consent.allows_search_here:
        return None
    profile = consensus_of(sample.id)
    if profile is None or profile.genotypes is None:
        return None
    values = json.loads(profile.genotypes)
    return Profile.parse(sample.barcode, {locus: tuple(pair) for locus, pair in values.items()})


def family_tree(case: MissingPerson) -> FamilyTree:
    """Build the pedigree of `case` from its relatives' places (relatives without a place are
    left out)."""
    tree = FamilyTree(case)
    missing_sex = _SEX[case.sex]
    members = tree.members
    members[FATHER] = Member(FATHER, Sex.MALE, label="father")
    members[MOTHER] = Member(MOTHER, Sex.FEMALE, label="mother")
    members[MISSING] = Member(MISSING, missing_sex, FATHER, MOTHER, label="missing")
    relatives = sorted(
        (r for r in case.relatives if r.position is not None), key=lambda r: str(r.id)
    )

    def grandparents(side: str) -> tuple[str, str]:
        parent = FATHER if side == "paternal" else MOTHER
        gf, gm = f"{side}_grandfather", f"{side}_grandmother"
        for gid, sex in ((gf, Sex.MALE), (gm, Sex.FEMALE)):
            members.setdefault(gid, Member(gid, sex, label=f"{side} grandparent"))
        members[parent].father, members[parent].mother = gf, gm
        return gf, gm

    partner: str | None = None
    for relative in relatives:
        if relative.position in (P.SPOUSE, P.CHILD_OTHER_PARENT) and partner is None:
            partner = "partner"
            sex = _SEX[relative.sex]
            members[partner] = Member(partner, sex, relative=relative, label="partner")
    for index, relative in enumerate(relatives):
        sex = _SEX[relative.sex]
        position = relative.position
        assert position is not None
        person = f"relative_{index}"
        if position is P.MOTHER:
            members[MOTHER].relative = relative
            continue
        if position is P.FATHER:
            members[FATHER].relative = relative
            continue
        if position in (P.SPOUSE, P.CHILD_OTHER_PARENT):
            continue  # placed above
        if position is P.FULL_SIBLING:
            members[person] = Member(person, sex, FATHER, MOTHER, relative)
        elif position is P.MATERNAL_HALF_SIBLING:
            members[f"{person}:father"] = Member(f"{person}:father", Sex.MALE)
            members[person] = Member(person, sex, f"{person}:father", MOTHER, relative)
        elif position is P.PATERNAL_HALF_SIBLING:
            members[f"{person}:mother"] = Member(f"{person}:mother", Sex.FEMALE)
            members[person] = Member(person, sex, FATHER, f"{person}:mother", relative)
        elif position is P.CHILD:
            other = partner or f"{person}:other_parent"
            if other not in members:
                other_sex = Sex.FEMALE if missing_sex is Sex.MALE else Sex.MALE
                members[other] = Member(other, other_sex)
            # the missing person is the mother when female, or when the other parent is a man
            if missing_sex is Sex.FEMALE or members[other].sex is Sex.MALE:
                father, mother = other, MISSING
            else:
                father, mother = MISSING, other
            members[person] = Member(person, sex, father, mother, relative)
        elif position in (P.PATERNAL_GRANDPARENT, P.MATERNAL_GRANDPARENT):
            side = "paternal" if position is P.PATERNAL_GRANDPARENT else "maternal"
            gf, gm = grandparents(side)
            slot = gm if sex is Sex.FEMALE or members[gf].relative is not None else gf
            members[slot].relative = relative
        else:  # aunt or uncle
            side = "paternal" if position is P.PATERNAL_AUNT_UNCLE else "maternal"
            gf, gm = grandparents(side)
            members[person] = Member(person, sex, gf, gm, relative)
    for member in members.values():
        relative = member.relative
        if relative is None:
            continue
        member.label = relation_word(relative.position, _SEX[relative.sex], missing_sex)  # type: ignore[arg-type]
        if relative.sex is not CaseSex.UNKNOWN:
            member.sex = _SEX[relative.sex]
        for sample in db.session.scalars(
            select(Sample).where(Sample.relative_id == relative.id).order_by(Sample.created_at)
        ):
            member.sample_barcode = sample.barcode
            profile = searchable_reference(sample)
            if profile is not None and len(profile):
                member.typed = True
                tree.references[member.id] = profile
                tree.relations[member.id] = member.label
                break
    return tree


def families_with_references() -> list[uuid.UUID]:
    """Ids of missing persons with at least one relative's reference sample."""
    rows = db.session.scalars(
        select(Relative.missing_person_id)
        .join(Sample, Sample.relative_id == Relative.id)
        .distinct()
    )
    return list(rows)
