"""Likelihood ratios against textbook formulas, published theta and mutation formulas, and an
independent brute-force enumeration over every genotype of the untyped people."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matching.kinship import (
    Family,
    KinshipSettings,
    LocusFrequencies,
    MutationModel,
    Pedigree,
    Person,
    PopulationFrequencies,
    Profile,
    Relationship,
    SettingsError,
    Sex,
    likelihood_ratio,
    standard_pedigree,
)

P = {"6": 0.1, "7": 0.2, "8": 0.3, "9": 0.4}
pa, pb, pc, pd = P["6"], P["7"], P["8"], P["9"]
TABLE = PopulationFrequencies("textbook", {"TH01": LocusFrequencies(P)})
NO_MUTATION = KinshipSettings(mutation_model=MutationModel.NONE)
# X1: the parent-child LR of the genotypes, X2: the identity LR; a relative with IBD
# coefficients (k0, k1, k2) has LR = k0 + k1 X1 + k2 X2 (e.g. Evett & Weir 1998, ch. 7).
X1_AB_AB = (pa + pb) / (4 * pa * pb)
X2_AB_AB = 1 / (2 * pa * pb)


@dataclass(frozen=True)
class Case:
    relationship: Relationship
    references: dict[str, str]
    remains: str
    expected: float
    formula: str


CASES = [
    Case(Relationship.MOTHER, {"mother": "6,7"}, "6,8", 1 / (4 * pa), "1/(4 pa)"),
    Case(Relationship.MOTHER, {"mother": "6,6"}, "6,7", 1 / (2 * pa), "1/(2 pa)"),
    Case(Relationship.MOTHER, {"mother": "6,7"}, "6,6", 1 / (2 * pa), "1/(2 pa)"),
    Case(Relationship.FATHER, {"father": "6,6"}, "6,6", 1 / pa, "1/pa"),
    Case(Relationship.MOTHER, {"mother": "6,7"}, "6,7", X1_AB_AB, "(pa+pb)/(4 pa pb)"),
    Case(Relationship.MOTHER, {"mother": "6,7"}, "8,9", 0.0, "exclusion"),
    Case(Relationship.BOTH_PARENTS, {"mother": "6,8", "father": "7,9"}, "6,7",
         1 / (8 * pa * pb), "(1/2 * 1/2) / (2 pa pb)"),
    Case(Relationship.BOTH_PARENTS, {"mother": "6,6", "father": "7,7"}, "6,7",
         1 / (2 * pa * pb), "1 / (2 pa pb)"),
    Case(Relationship.CHILD, {"child": "6,7"}, "6,8", 1 / (4 * pa), "1/(4 pa)"),
    Case(Relationship.CHILD_AND_PARTNER, {"child": "6,7", "partner": "7,8"}, "6,9",
         1 / (2 * pa), "(1/2 * 1/2) / (pa * 1/2)"),
    Case(Relationship.FULL_SIBLING, {"sibling": "6,7"}, "6,7",
         0.25 + 0.5 * X1_AB_AB + 0.25 * X2_AB_AB, "1/4 + 1/2 X1 + 1/4 X2"),
    Case(Relationship.FULL_SIBLING, {"sibling": "6,6"}, "6,6",
         0.25 + 0.5 / pa + 0.25 / pa**2, "1/4 + 1/(2 pa) + 1/(4 pa^2)"),
    Case(Relationship.FULL_SIBLING, {"sibling": "6,7"}, "8,9", 0.25, "k0 = 1/4"),
    Case(Relationship.HALF_SIBLING, {"half_sibling": "6,7"}, "6,8",
         0.5 + 0.5 / (4 * pa), "1/2 + 1/2 * 1/(4 pa)"),
    Case(Relationship.GRANDPARENT, {"grandfather": "6,7"}, "6,8",
         0.5 + 0.5 / (4 * pa), "1/2 + 1/2 * 1/(4 pa)"),
    Case(Relationship.AUNT_UNCLE, {"uncle": "6,7"}, "6,7", 0.5 + 0.5 * X1_AB_AB, "1/2 + 1/2 X1"),
    Case(Relationship.AUNT_UNCLE, {"uncle": "6,7"}, "8,9", 0.5, "k0 = 1/2"),
]  # fmt: skip


def _lr(relationship: Relationship, references: dict[str, str], remains: str,
        settings: KinshipSettings = NO_MUTATION) -> float:  # fmt: skip
    pedigree, _ = standard_pedigree(relationship)
    profiles = {who: Profile.parse(who, {"TH01": value}) for who, value in references.items()}
    result = likelihood_ratio(
        Family("F", pedigree, profiles), Profile.parse("R", {"TH01": remains}), TABLE, settings
    )
    return result.lr


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.relationship}:{c.formula}")
def test_textbook_values(case: Case) -> None:
    assert _lr(case.relationship, case.references, case.remains) == pytest.approx(case.expected)


def test_rate_zero_gives_the_textbook_values_for_every_model() -> None:
    for model in MutationModel:
        settings = KinshipSettings(mutation_model=model, mutation_rate=0.0)
        for case in CASES:
            assert _lr(case.relationship, case.references, case.remains, settings) == (
                pytest.approx(case.expected)
            )


# Balding & Nichols (1995) sampling formula; the paternity indices with theta as tabulated in
# Buckleton, Bright & Taylor, "Forensic DNA Evidence Interpretation" (2nd ed., 2016), ch. 10,
# for an untyped other parent: derived as P(next allele = x | n drawn, m of them x)
# = (m theta + (1 - theta) p_x) / (1 + (n - 1) theta).
@pytest.mark.parametrize("theta", [0.0, 0.01, 0.03, 0.1])
def test_theta_parent_child_indices(theta: float) -> None:
    s = KinshipSettings(mutation_model=MutationModel.NONE, theta=theta)
    t = theta
    expected_ab_ac = (1 + 2 * t) / (4 * (t + (1 - t) * pa))
    expected_aa_ab = (1 + 2 * t) / (2 * (2 * t + (1 - t) * pa))
    expected_aa_aa = (1 + 2 * t) / (3 * t + (1 - t) * pa)
    assert _lr(Relationship.MOTHER, {"mother": "6,8"}, "6,7", s) == pytest.approx(expected_ab_ac)
    assert _lr(Relationship.MOTHER, {"mother": "6,6"}, "6,7", s) == pytest.approx(expected_aa_ab)
    assert _lr(Relationship.MOTHER, {"mother": "6,6"}, "6,6", s) == pytest.approx(expected_aa_aa)


def test_theta_full_siblings_fung_formula() -> None:
    # Full siblings sharing genotype ab under theta (Fung, Carracedo & Hu 2003; Buckleton et al.
    # ch. 10): LR = 1/4 + 1/2 X1 + 1/4 X2 with the conditional allele probabilities.
    t = 0.02
    ra = (t + (1 - t) * pa) / (1 + t)  # P(a | a, b drawn)
    rb = (t + (1 - t) * pb) / (1 + t)
    ra2 = (t + (1 - t) * pa) / (1 + 2 * t)  # P(a | a, b, b drawn)
    x1 = (ra + rb) / (4 * ra * ((t + (1 - t) * pb) / (1 + 2 * t)))
    x2 = 1 / (2 * ra * ((t + (1 - t) * pb) / (1 + 2 * t)))
    s = KinshipSettings(mutation_model=MutationModel.NONE, theta=t)
    value = _lr(Relationship.FULL_SIBLING, {"sibling": "6,7"}, "6,7", s)
    assert value == pytest.approx(0.25 + 0.5 * x1 + 0.25 * x2)
    assert ra2 > 0


def test_a_single_mutation_does_not_exclude() -> None:
    # Mother aa, child bc: the child's b must be a mutated a (Dawid, Mortera & Pascali 2001;
    # Egeland, Kling & Mostad 2016, ch. 4). The untyped father passes x with probability
    # f_x = sum_y p_y M(y->x), so LR = [M(a->b) f_c + M(a->c) f_b] / (2 pb pc).
    mu = 0.002
    p = [P["6"], P["7"], P["8"], P["9"]]
    # Equal model on n = 4 alleles: M(a->b) = mu/3.
    equal = [[1 - mu if i == j else mu / 3 for j in range(4)] for i in range(4)]
    f = [sum(p[y] * equal[y][x] for y in range(4)) for x in range(4)]
    expected = (mu / 3 * f[3] + mu / 3 * f[0]) / (2 * P["6"] * P["9"])
    settings = KinshipSettings(mutation_model=MutationModel.EQUAL, mutation_rate=mu)
    assert _lr(Relationship.MOTHER, {"mother": "8,8"}, "6,9", settings) == pytest.approx(expected)
    # Stepwise: a one-step mutation weighs 1, a two-step one the range r, ... shared out of mu.
    r = 0.1
    steps = [[0.0 if i == j else r ** (abs(i - j) - 1) for j in range(4)] for i in range(4)]
    stepwise = [
        [1 - mu if i == j else mu * w / sum(steps[i]) for j, w in enumerate(steps[i])]
        for i in range(4)
    ]
    f = [sum(p[y] * stepwise[y][x] for y in range(4)) for x in range(4)]
    to_9, to_6 = mu / (2 + r), mu * r / (2 + r)
    assert stepwise[2][3] == pytest.approx(to_9) and stepwise[2][0] == pytest.approx(to_6)
    expected = (to_9 * f[0] + to_6 * f[3]) / (2 * P["6"] * P["9"])
    settings = KinshipSettings(mutation_rate=mu, stepwise_range=r)
    assert _lr(Relationship.MOTHER, {"mother": "8,8"}, "6,9", settings) == pytest.approx(expected)
    assert _lr(Relationship.MOTHER, {"mother": "8,8"}, "6,9", NO_MUTATION) == 0.0


def test_microvariants_mutate_with_their_share() -> None:
    table = PopulationFrequencies(
        "m", {"TH01": LocusFrequencies({"9": 0.5, "9.3": 0.3, "10": 0.2})}
    )
    mu, share = 0.01, 0.05
    s = KinshipSettings(mutation_rate=mu, microvariant_share=share)
    pedigree, _ = standard_pedigree(Relationship.MOTHER)
    family = Family("F", pedigree, {"mother": Profile.parse("m", {"TH01": "9.3,9.3"})})
    value = likelihood_ratio(family, Profile.parse("r", {"TH01": "10,10"}), table, s).lr
    # 9 <-> 10 are whole steps (mu (1 - share)); 9 -> 9.3 and 10 -> 9.3 change the fractional
    # part (mu share). 9.3 has no whole-step neighbour in the ladder, so all its mutations
    # change the fractional part: mu / 2 to each of 9 and 10. The untyped father passes 10
    # with probability f_10 = sum_y p_y M(y->10).
    m = {("9", "10"): mu * (1 - share), ("9.3", "10"): mu / 2, ("10", "10"): 1 - mu}
    f_10 = 0.5 * m[("9", "10")] + 0.3 * m[("9.3", "10")] + 0.2 * m[("10", "10")]
    assert value == pytest.approx(m[("9.3", "10")] * f_10 / 0.2**2)


def test_loci_not_used_are_reported_with_the_reason() -> None:
    table = PopulationFrequencies("t", {"TH01": LocusFrequencies(P), "FGA": LocusFrequencies(P)})
    pedigree, _ = standard_pedigree(Relationship.MOTHER)
    mother = Profile.parse("m", {"TH01": "6,7", "FGA": "6,7", "D8S1179": "6,7"})
    family = Family("F", pedigree, {"mother": mother})
    remains = Profile.parse("r", {"TH01": "6,8", "vWA": "6,6", "D8S1179": "6,6"})
    result = likelihood_ratio(family, remains, table, NO_MUTATION)
    reasons = {locus.locus: (locus.used, locus.reason) for locus in result.loci}
    assert reasons == {
        "TH01": (True, ""),
        "FGA": (False, "remains not typed"),
        "vWA": (False, "no relative typed"),
        "D8S1179": (False, "no frequencies in t"),
    }
    assert result.loci_used == 1
    assert result.log10_lr == pytest.approx(math.log10(1 / (4 * pa)))


def test_total_is_the_sum_of_loci_and_relatives_count_jointly() -> None:
    table = PopulationFrequencies("t", {"TH01": LocusFrequencies(P), "FGA": LocusFrequencies(P)})
    pedigree, _ = standard_pedigree(Relationship.MOTHER_AND_SIBLING)
    family = Family("F", pedigree, {
        "mother": Profile.parse("m", {"TH01": "6,7", "FGA": "8,9"}),
        "sibling": Profile.parse("s", {"TH01": "6,8", "FGA": "8,8"}),
    })  # fmt: skip
    remains = Profile.parse("r", {"TH01": "6,8", "FGA": "9,8"})
    result = likelihood_ratio(family, remains, table, NO_MUTATION)
    assert result.log10_lr == pytest.approx(sum(locus.log10_lr for locus in result.loci))
    mother_only = _lr(Relationship.MOTHER, {"mother": "6,7"}, "6,8")
    sibling_only = _lr(Relationship.FULL_SIBLING, {"sibling": "6,8"}, "6,8")
    joint = result.loci[1].lr  # TH01
    assert joint != pytest.approx(mother_only * sibling_only)


def test_references_contradicting_the_pedigree_leave_the_locus_out() -> None:
    pedigree, _ = standard_pedigree(Relationship.BOTH_PARENTS)
    mother, father = Profile.parse("m", {"TH01": "6,6"}), Profile.parse("f", {"TH01": "7,7"})
    family = Family("F", pedigree, {"mother": mother, "father": father})
    remains = Profile.parse("r", {"TH01": "6,7"})
    assert likelihood_ratio(family, remains, TABLE, NO_MUTATION).loci[0].used
    pedigree, _ = standard_pedigree(Relationship.TWO_SIBLINGS)
    first, second = Profile.parse("a", {"TH01": "6,7"}), Profile.parse("b", {"TH01": "8,9"})
    family = Family("F", pedigree, {"sibling": first, "sibling2": second})
    locus = likelihood_ratio(family, remains, TABLE, NO_MUTATION).loci[0]
    assert locus.used  # two siblings may share nothing: not a contradiction
    pedigree = Pedigree.build(
        [Person("f", sex=Sex.MALE), Person("m", sex=Sex.FEMALE), Person("c", "f", "m"),
         Person("missing", "f", "m")], "missing")  # fmt: skip
    family = Family("F", pedigree, {
        "f": Profile.parse("f", {"TH01": "6,6"}), "m": Profile.parse("m", {"TH01": "6,6"}),
        "c": Profile.parse("c", {"TH01": "8,8"}),
    })  # fmt: skip
    locus = likelihood_ratio(family, remains, TABLE, NO_MUTATION).loci[0]
    assert not locus.used and "contradict" in locus.reason


def test_theta_with_stepwise_mutation_is_refused() -> None:
    with pytest.raises(SettingsError, match="stepwise"):
        _lr(Relationship.MOTHER, {"mother": "6,7"}, "6,8", KinshipSettings(theta=0.01))


# --- brute force ----------------------------------------------------------------------------

ALLELES = ("10", "11", "12")


def _polya(sequence: list[int], p: list[float], theta: float) -> float:
    """Balding-Nichols: probability of a sequence of founder alleles."""
    value = 1.0
    for n, allele in enumerate(sequence):
        seen = sequence[:n].count(allele)
        value *= (seen * theta + (1 - theta) * p[allele]) / (1 + (n - 1) * theta)
    return value


def _matrix(model: str, rate: float, r: float = 0.1) -> list[list[float]]:
    n = len(ALLELES)
    rows = []
    for i in range(n):
        if model == "none" or rate == 0:
            rows.append([1.0 if i == j else 0.0 for j in range(n)])
        elif model == "equal":
            rows.append([1 - rate if i == j else rate / (n - 1) for j in range(n)])
        else:  # stepwise on whole repeats 10, 11, 12
            weights = [0.0 if i == j else r ** (abs(i - j) - 1) for j in range(n)]
            rows.append(
                [1 - rate if i == j else rate * w / sum(weights) for j, w in enumerate(weights)]
            )
    return rows


def _brute_total(
    people: list[tuple[str, str | None, str | None]],
    typed: dict[str, tuple[int, int]],
    p: list[float],
    theta: float,
    mutation: list[list[float]],
) -> float:
    """Sum over every ordered genotype of every person consistent with the typed ones."""
    options = []
    for person, _, _ in people:
        if person in typed:
            x, y = typed[person]
            options.append(sorted({(x, y), (y, x)}))
        else:
            options.append([(x, y) for x in range(len(p)) for y in range(len(p))])
    position = {person: n for n, (person, _, _) in enumerate(people)}
    total = 0.0
    for assignment in product(*options):
        founders = [
            a for (_, f, _), g in zip(people, assignment, strict=True) if f is None for a in g
        ]
        value = _polya(founders, p, theta)
        for (_, father, mother), (pat, mat) in zip(people, assignment, strict=True):
            if father is None or mother is None:
                continue
            fp, fm = assignment[position[father]]
            mp, mm = assignment[position[mother]]
            value *= 0.5 * (mutation[fp][pat] + mutation[fm][pat])
            value *= 0.5 * (mutation[mp][mat] + mutation[mm][mat])
            if value == 0:
                break
        total += value
    return total


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    size = draw(st.integers(3, 5))
    people: list[tuple[str, str | None, str | None]] = []
    sexes: dict[str, Sex] = {}
    for n in range(size):
        person = f"p{n}"
        males = [q for q, s in sexes.items() if s == Sex.MALE]
        females = [q for q, s in sexes.items() if s == Sex.FEMALE]
        if males and females and draw(st.booleans()):
            people.append((person, draw(st.sampled_from(males)), draw(st.sampled_from(females))))
        else:
            people.append((person, None, None))
        sexes[person] = draw(st.sampled_from([Sex.MALE, Sex.FEMALE]))
    ids = [person for person, _, _ in people]
    missing = draw(st.sampled_from(ids))
    others = [person for person in ids if person != missing]
    typed_people = draw(st.lists(st.sampled_from(others), min_size=1, max_size=3, unique=True))
    genotype = st.tuples(st.integers(0, 2), st.integers(0, 2))
    typed = {person: draw(genotype) for person in typed_people}
    weights = draw(st.lists(st.floats(0.05, 1.0), min_size=3, max_size=3))
    model = draw(st.sampled_from(["none", "equal", "stepwise"]))
    theta = 0.0 if model == "stepwise" else draw(st.sampled_from([0.0, 0.05, 0.2]))
    return {
        "people": people, "sexes": sexes, "missing": missing, "typed": typed,
        "remains": draw(genotype), "p": [w / sum(weights) for w in weights], "model": model,
        "rate": draw(st.sampled_from([0.0, 0.01, 0.2])), "theta": theta,
    }  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_agrees_with_brute_force_enumeration(case: dict[str, object]) -> None:
    people = case["people"]
    assert isinstance(people, list)
    typed = case["typed"]
    assert isinstance(typed, dict)
    p, theta, missing = case["p"], case["theta"], case["missing"]
    assert isinstance(p, list) and isinstance(theta, float) and isinstance(missing, str)
    remains = case["remains"]
    assert isinstance(remains, tuple)
    mutation = _matrix(str(case["model"]), float(case["rate"]))  # type: ignore[arg-type]
    related = _brute_total(people, {**typed, missing: remains}, p, theta, mutation)
    unrelated = _brute_total(
        [*people, ("U", None, None)], {**typed, "U": remains}, p, theta, mutation
    )
    assume(unrelated > 0 and related > 0)
    sexes = case["sexes"]
    assert isinstance(sexes, dict)
    pedigree = Pedigree.build(
        [Person(person, father, mother, sexes[person]) for person, father, mother in people],
        missing,
    )
    table = PopulationFrequencies(
        "b", {"TH01": LocusFrequencies(dict(zip(ALLELES, p, strict=True)))}
    )
    profiles = {
        person: Profile.parse(person, {"TH01": (ALLELES[x], ALLELES[y])})
        for person, (x, y) in typed.items()
    }
    s = KinshipSettings(
        theta=theta, mutation_model=MutationModel(case["model"]),
        mutation_rate=float(case["rate"]), stepwise_range=0.1,  # type: ignore[arg-type]
    )  # fmt: skip
    result = likelihood_ratio(
        Family("F", pedigree, profiles),
        Profile.parse("R", {"TH01": (ALLELES[remains[0]], ALLELES[remains[1]])}),
        table,
        s,
    )
    expected = math.log10(related / unrelated)
    assert result.loci[0].used
    assert abs(result.log10_lr - expected) < 1e-6


def test_gauss_rule_integrates_beta_moments_exactly() -> None:
    from matching.kinship.likelihood import beta_gauss_rule

    for a, b in [(0.3, 5.0), (2.0, 2.0), (0.05, 0.4), (40.0, 3.0)]:
        nodes, weights = beta_gauss_rule(a, b, 5)
        for power in range(10):
            exact = np.prod([(a + i) / (a + b + i) for i in range(power)])
            assert float(weights @ nodes**power) == pytest.approx(exact, rel=1e-9)
