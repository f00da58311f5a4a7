"""Exact pedigree likelihood ratios: are these remains the family's missing person?

LR = P(references, remains | the remains are the missing person)
   / P(references, remains | the remains are an unrelated person of the population),
per locus and in total (loci are independent; the relatives count jointly at each locus).

How it is computed (exact, no sampling):

* The pedigree becomes a Bayesian network of alleles: each person has a paternal and a maternal
  allele; a founder's alleles are drawn from the population, a child's paternal allele is one of
  the father's two (each with probability 1/2) passed through the mutation matrix, likewise from
  the mother; a typed person's two alleles must form their genotype. People with no typed
  person among themselves and their descendants sum out to 1 and are left out. The network is
  summed out by variable elimination (``numpy.einsum`` with an optimised contraction order),
  which is Elston-Stewart peeling for pedigrees without loops and stays exact with loops.
* With ``theta = 0`` the founders are independent: one contraction with the missing person's two
  alleles left open gives P(references, missing person = g) for every genotype g of the locus
  at once, and LR(g) = P(references, g) / (P(references) P(g)). The alleles are the database's
  alleles of the locus plus any allele of this family or these remains that it lacks (minimum
  frequency, all rescaled to sum to 1), so the mutation models see the whole ladder.
* With ``theta > 0`` founder alleles are not independent: under Balding and Nichols they are
  draws from a Polya urn, i.e. independent given population frequencies q that follow a
  Dirichlet distribution with parameters p (1 - theta) / theta (NRC II 4.10 is its two-allele
  case). Both likelihoods are polynomials in q of degree 2 x (number of founders), so their
  expectations are computed exactly by a product Gauss-Jacobi rule on the stick-breaking
  coordinates of the Dirichlet (independent Beta variables), with one node more per coordinate
  than half the degree. To keep the rule small the alleles seen in neither the references nor
  the remains are merged into one "other" allele; by the aggregation property of the Dirichlet
  this is exact for founders, and it is exact for transmissions when the mutation model treats
  all other alleles alike (``none`` and ``equal``). The stepwise model does not (whether an
  unseen allele is one step or five from a typed one matters), so theta > 0 together with a
  stepwise mutation rate above 0 is refused rather than approximated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from matching.kinship.errors import KinshipError, SettingsError
from matching.kinship.frequencies import FrequencyDatabase, PopulationFrequencies
from matching.kinship.mutation import mutation_matrix
from matching.kinship.pedigree import Family, Pedigree, Person
from matching.kinship.profiles import Genotype, Profile
from matching.kinship.settings import KinshipSettings, MutationModel

Array = NDArray[np.float64]
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"
_BATCH = "Z"
# Nodes of the theta rule evaluated at once, and the most a single locus may need.
_NODE_CHUNK = 4096
_MAX_NODES = 2_000_000


@dataclass(frozen=True, slots=True)
class LocusResult:
    """The evidence of one locus.

    Attributes:
        locus: canonical locus name.
        lr: the likelihood ratio (1 when the locus is not used; 0 is an exclusion).
        used: whether the locus counted: the remains and at least one relative are typed there
            and the population has frequencies for it.
        reason: why the locus was not used ("" when used).
    """

    locus: str
    lr: float
    used: bool
    reason: str = ""

    @property
    def log10_lr(self) -> float:
        """log10 of the LR (minus infinity for an exclusion)."""
        return math.log10(self.lr) if self.lr > 0 else -math.inf


@dataclass(frozen=True, slots=True)
class KinshipResult:
    """The LR of one remains profile against one family, per locus and in total."""

    remains: str
    family: str
    loci: tuple[LocusResult, ...]

    @property
    def log10_lr(self) -> float:
        """Sum of the loci's log10 LRs."""
        return float(sum(result.log10_lr for result in self.loci if result.used))

    @property
    def lr(self) -> float:
        """The total LR (may overflow to infinity for very strong evidence: use log10_lr)."""
        return 10.0**self.log10_lr if self.log10_lr < 308 else math.inf

    @property
    def loci_used(self) -> int:
        """How many loci counted."""
        return sum(1 for result in self.loci if result.used)


def population_of(
    frequencies: FrequencyDatabase | PopulationFrequencies, settings: KinshipSettings
) -> PopulationFrequencies:
    """The table to use: the one given, or the settings' population of a database."""
    if isinstance(frequencies, PopulationFrequencies):
        return frequencies
    return frequencies.population(settings.population)


def likelihood_ratio(
    family: Family,
    remains: Profile,
    frequencies: FrequencyDatabase | PopulationFrequencies,
    settings: KinshipSettings | None = None,
) -> KinshipResult:
    """The exact LR that the remains are the family's missing person, per locus and in total.

    Every locus typed in the remains or in a relative is reported; it is used when the remains
    and at least one relative are typed there and the population has frequencies for it.

    Args:
        family: the pedigree and the relatives' profiles.
        remains: the profile of the unidentified remains.
        frequencies: a database (the settings name the population) or one population's table.
        settings: theta, mutation model and minimum frequency; defaults when None.

    Raises:
        FrequencyError: unknown population.
        SettingsError: theta > 0 with a stepwise mutation rate above 0.
        KinshipError: the pedigree is too large for the engine at a locus.

    Example:
        >>> from matching.kinship import (LocusFrequencies, Profile, Family,
        ...     PopulationFrequencies, Relationship, standard_pedigree)
        >>> table = PopulationFrequencies("demo", {"TH01": LocusFrequencies(
        ...     {"6": 0.2, "7": 0.3, "9.3": 0.5})})
        >>> pedigree, _ = standard_pedigree(Relationship.MOTHER)
        >>> mother = Profile.parse("R-1", {"TH01": ("6", "7")})
        >>> family = Family("F-1", pedigree, {"mother": mother})
        >>> remains = Profile.parse("PM-1", {"TH01": ("6", "9.3")})
        >>> settings = KinshipSettings(mutation_model=MutationModel.NONE)
        >>> round(likelihood_ratio(family, remains, table, settings).lr, 6)  # 1/(4 p_6)
        1.25
    """
    settings = settings or KinshipSettings()
    population = population_of(frequencies, settings)
    loci = set(remains.genotypes)
    for profile in family.references.values():
        loci |= set(profile.genotypes)
    results = []
    for locus in sorted(loci):
        typed = {
            person: profile.genotypes[locus]
            for person, profile in family.references.items()
            if locus in profile.genotypes
        }
        target = remains.genotypes.get(locus)
        if target is None:
            results.append(LocusResult(locus, 1.0, False, "remains not typed"))
        elif not typed:
            results.append(LocusResult(locus, 1.0, False, "no relative typed"))
        elif locus not in population.loci:
            results.append(LocusResult(locus, 1.0, False, f"no frequencies in {population.name}"))
        else:
            lr = locus_lr(family.pedigree, typed, target, population, locus, settings)
            if lr is None:
                reason = "the references contradict the pedigree (no mutation allowed)"
                results.append(LocusResult(locus, 1.0, False, reason))
            else:
                results.append(LocusResult(locus, lr, True))
    return KinshipResult(remains.sample, family.id, tuple(results))


def locus_lr(
    pedigree: Pedigree,
    typed: Mapping[str, Genotype],
    remains: Genotype,
    population: PopulationFrequencies,
    locus: str,
    settings: KinshipSettings,
) -> float | None:
    """The LR at one locus, or None when the references alone are impossible (P = 0)."""
    if settings.theta > 0:
        return _theta_lr(pedigree, typed, remains, population, locus, settings)
    extra = {allele for genotype in (*typed.values(), remains) for allele in genotype}
    alleles, founder = population.ladder(locus, extra, settings.minimum_frequency)
    table = lr_tables(pedigree, [typed], alleles, founder, settings)[0]
    if table is None:
        return None
    index = {allele: i for i, allele in enumerate(alleles)}
    return float(table[genotype_index(index[remains[0]], index[remains[1]])])


def genotype_index(i: int, j: int) -> int:
    """Position of the unordered genotype (i, j) of ladder alleles in an LR table.

    Genotypes of the first n alleles come first whatever is added to the ladder after them.
    """
    low, high = (i, j) if i <= j else (j, i)
    return high * (high + 1) // 2 + low


# --- the allele network -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Network:
    """The allele network of a pedigree at one locus, people in a canonical order.

    Attributes:
        people: the people kept (a typed person or the target among them or their
            descendants), in canonical order.
        typed: the typed people, in the order their evidence is passed.
        target: the person whose alleles are left open (the missing person), or None.
        key: the einsum subscripts; two networks with the same key differ only in names.
        letters: person id to the subscripts of their paternal and maternal allele.
    """

    people: tuple[Person, ...]
    typed: tuple[str, ...]
    target: str | None
    key: str
    letters: Mapping[str, tuple[str, str]]

    @property
    def founders(self) -> int:
        """Number of founders (each brings two alleles from the population)."""
        return sum(1 for person in self.people if person.is_founder)

    def operands(
        self,
        founder: Array,
        male: Array,
        female: Array,
        evidence: Mapping[str, Array],
    ) -> list[Array]:
        """The tensors in the order of :attr:`key`."""
        tensors: list[Array] = []
        for person in self.people:
            if person.is_founder:
                tensors += [founder, founder]
            else:
                tensors += [male, female]
        return tensors + [evidence[person] for person in self.typed]


def network(
    pedigree: Pedigree,
    typed: Iterable[str],
    target: str | None,
    batch: str = "evidence",
) -> Network:
    """Build the network; ``batch`` says which operands carry a leading batch axis.

    ``"evidence"``: one evidence matrix per family (the search); ``"founder"``: one founder
    distribution per node of the theta rule; ``"none"``: no batch axis.
    """
    typed_set = set(typed)
    observed = typed_set | ({target} if target else set())
    keep: set[str] = set()
    for person in reversed(pedigree.people):  # children before parents
        if person.id in observed or any(c.id in keep for c in pedigree.children(person.id)):
            keep.add(person.id)
    by_id = {p.id: p for p in pedigree.people if p.id in keep}

    def shape(person_id: str) -> str:
        children = [c.id for c in pedigree.children(person_id) if c.id in keep]
        mark = "T" if person_id == target else ("t" if person_id in typed_set else "u")
        return mark + "(" + ",".join(sorted(shape(c) for c in children)) + ")"

    start = [target] if target in by_id else []
    start += sorted((p for p in by_id if p not in start), key=lambda p: (shape(p), p))
    order: list[str] = []
    for root in start:
        queue = [root]
        while queue:
            current = queue.pop(0)
            if current in order:
                continue
            order.append(current)
            person = by_id[current]
            queue += [p for p in (person.father, person.mother) if p is not None]
            kids = [c.id for c in pedigree.children(current) if c.id in keep]
            queue += sorted(kids, key=lambda c: (shape(c), c))
    if 2 * len(order) > len(_LETTERS):
        raise KinshipError(
            f"The pedigree has {len(order)} people linking the typed relatives; the engine "
            f"takes at most {len(_LETTERS) // 2}."
        )
    letter = {pid: (_LETTERS[2 * n], _LETTERS[2 * n + 1]) for n, pid in enumerate(order)}
    b_founder = _BATCH if batch == "founder" else ""
    b_evidence = _BATCH if batch == "evidence" else ""
    terms: list[str] = []
    people = tuple(by_id[pid] for pid in order)
    for person in people:
        pat, mat = letter[person.id]
        if person.is_founder:
            terms += [b_founder + pat, b_founder + mat]
        else:
            assert person.father is not None and person.mother is not None
            terms.append("".join(letter[person.father]) + pat)
            terms.append("".join(letter[person.mother]) + mat)
    typed_order = tuple(pid for pid in order if pid in typed_set)
    terms += [b_evidence + "".join(letter[pid]) for pid in typed_order]
    output = (_BATCH if batch != "none" else "") + (
        "".join(letter[target]) if target in letter else ""
    )
    key = ",".join(terms) + "->" + output
    return Network(people, typed_order, target, key, MappingProxyType(letter))


def transmission(alleles: Sequence[str], settings: KinshipSettings, female: bool) -> Array:
    """T[x, y, z]: probability that a parent with alleles (x, y) passes allele z."""
    matrix = mutation_matrix(alleles, settings, female)
    return 0.5 * (matrix[:, None, :] + matrix[None, :, :])


def evidence_matrix(genotype: Genotype, index: Mapping[str, int], size: int) -> Array:
    """E[x, y] = 1 when the ordered alleles (x, y) form the genotype."""
    matrix = np.zeros((size, size))
    i, j = index[genotype[0]], index[genotype[1]]
    matrix[i, j] = matrix[j, i] = 1.0
    return matrix


def contract(net: Network, operands: Sequence[Array]) -> Array:
    """Sum the network out with an optimised contraction order."""
    return _einsum(net.key, operands)


def _einsum(key: str, operands: Sequence[Array]) -> Array:
    # The default limit (no intermediate larger than the largest input) makes numpy give up
    # on pairwise contraction and fall back to one naive sum over every index.
    path, _ = np.einsum_path(key, *operands, optimize=("greedy", 1e10))
    return np.asarray(np.einsum(key, *operands, optimize=path), dtype=np.float64)


def phased_joint(
    net: Network,
    founder: Array,
    male: Array,
    female: Array,
    genotypes: Mapping[str, NDArray[np.int64]],
) -> Array:
    """P(references, missing person = ordered genotype) for a batch of families, [family, x, y].

    ``net`` must be built with ``batch="evidence"``; ``genotypes[person]`` holds, per family,
    the ladder indices of that typed person's two alleles. Instead of an evidence matrix, each
    typed person's alleles are fixed in both phases (paternal x and maternal y, or the reverse;
    one phase for a homozygote) and their allele variables leave the network: the cost per
    family is that of the untyped people, not of the typed ones' genotype pairs.
    """
    people = {person.id: person for person in net.people}
    typed = list(net.typed)
    batch = len(next(iter(genotypes.values()))) if genotypes else 1
    kinds: list[tuple[Array, str]] = []
    for person in net.people:
        pat, mat = net.letters[person.id]
        if person.is_founder:
            kinds += [(founder, pat), (founder, mat)]
        else:
            assert person.father is not None and person.mother is not None
            kinds.append((male, "".join(net.letters[person.father]) + pat))
            kinds.append((female, "".join(net.letters[person.mother]) + mat))
    target = net.target
    output = _BATCH + ("".join(net.letters[target]) if target in people and target else "")
    total: Array | None = None
    path: list[object] | None = None
    for phases in product((0, 1), repeat=len(typed)):
        fixed: dict[str, NDArray[np.int64]] = {}
        weight = np.ones(batch)
        for typed_id, phase in zip(typed, phases, strict=True):
            alleles = genotypes[typed_id]
            pat, mat = net.letters[typed_id]
            fixed[pat], fixed[mat] = alleles[:, phase], alleles[:, 1 - phase]
            if phase:
                weight = weight * (alleles[:, 0] != alleles[:, 1])
        if not weight.any():
            continue
        operands: list[Array] = []
        terms: list[str] = []
        for tensor, letters in kinds:
            observed = [n for n, c in enumerate(letters) if c in fixed]
            if not observed:
                operands.append(tensor)
                terms.append(letters)
                continue
            free = [n for n in range(len(letters)) if n not in observed]
            moved = np.transpose(tensor, observed + free)
            operands.append(moved[tuple(fixed[letters[n]] for n in observed)])
            terms.append(_BATCH + "".join(letters[n] for n in free))
        operands.append(weight)
        terms.append(_BATCH)
        key = ",".join(terms) + "->" + output
        if path is None:
            path = np.einsum_path(key, *operands, optimize=("greedy", 1e10))[0]
        part = np.asarray(np.einsum(key, *operands, optimize=path), dtype=np.float64)
        total = part if total is None else total + part
    assert total is not None
    return total


def lr_tables(
    pedigree: Pedigree,
    families: Sequence[Mapping[str, Genotype]],
    alleles: Sequence[str],
    founder: Sequence[float],
    settings: KinshipSettings,
) -> list[Array | None]:
    """theta = 0: per set of references, the LR of every genotype of the ladder.

    All sets of references must type the same people of ``pedigree`` (one batched
    contraction). Entry ``genotype_index(i, j)`` of a table is the LR of genotype (alleles[i],
    alleles[j]); a table is None when its references are impossible under the pedigree.
    """
    if not families:
        return []
    size = len(alleles)
    p = np.asarray(founder, dtype=np.float64)
    index = {allele: i for i, allele in enumerate(alleles)}
    people = sorted(families[0])
    net = network(pedigree, people, pedigree.missing, batch="evidence")
    evidence = {
        person: np.stack([evidence_matrix(refs[person], index, size) for refs in families])
        for person in people
    }
    operands = net.operands(
        p, transmission(alleles, settings, False), transmission(alleles, settings, True), evidence
    )
    joint = contract(net, operands)  # [family, paternal, maternal] = P(refs, missing = (x, y))
    tables, valid = tables_from_joint(joint, p)
    return [table if ok else None for table, ok in zip(tables, valid, strict=True)]


def tables_from_joint(joint: Array, p: Array) -> tuple[Array, NDArray[np.bool_]]:
    """LR tables (rows, triangular genotype order) from P(refs, missing = ordered genotype),
    and whether each row's references are possible at all (rows that are not hold zeros)."""
    size = p.shape[0]
    refs = joint.sum(axis=(1, 2))
    unordered = joint + np.swapaxes(joint, 1, 2)
    upper_i, upper_j = np.triu_indices(size)
    order = np.argsort(upper_j * (upper_j + 1) // 2 + upper_i)
    i, j = upper_i[order], upper_j[order]
    numerator = np.where(i == j, joint[:, i, j], unordered[:, i, j])
    prior = np.where(i == j, p[i] * p[j], 2 * p[i] * p[j])
    valid = refs > 0
    safe = np.where(valid, refs, 1.0)
    return numerator / (prior[None, :] * safe[:, None]) * valid[:, None], valid


# --- theta > 0 ----------------------------------------------------------------------------


def beta_gauss_rule(a: float, b: float, nodes: int) -> tuple[Array, Array]:
    """Gauss rule for the Beta(a, b) distribution on [0, 1]: exact to degree 2 nodes - 1.

    Golub-Welsch on the recurrence of the Jacobi polynomials (alpha = b - 1, beta = a - 1).
    """
    alpha, beta = b - 1.0, a - 1.0
    n = np.arange(nodes, dtype=np.float64)
    s = 2 * n + alpha + beta
    diagonal = np.empty(nodes)
    diagonal[0] = (beta - alpha) / (alpha + beta + 2)
    diagonal[1:] = (beta**2 - alpha**2) / (s[1:] * (s[1:] + 2))
    off = np.empty(max(nodes - 1, 0))
    if nodes > 1:
        off[0] = 4 * (1 + alpha) * (1 + beta) / ((2 + alpha + beta) ** 2 * (3 + alpha + beta))
        k = n[2:]
        t = 2 * k + alpha + beta
        off[1:] = 4 * k * (k + alpha) * (k + beta) * (k + alpha + beta) / (t**2 * (t + 1) * (t - 1))
    jacobi = np.diag(diagonal) + np.diag(np.sqrt(off), 1) + np.diag(np.sqrt(off), -1)
    x, vectors = np.linalg.eigh(jacobi)
    return (x + 1) / 2, vectors[0] ** 2


def dirichlet_rule(alpha: Sequence[float], degree: int) -> tuple[Array, Array]:
    """Nodes (rows: frequency vectors) and weights integrating polynomials of ``degree``
    exactly against the Dirichlet(alpha) distribution (product rule on stick-breaking)."""
    k = len(alpha)
    per_axis = degree // 2 + 1
    if k == 1:
        return np.ones((1, 1)), np.ones(1)
    if per_axis ** (k - 1) > _MAX_NODES:
        raise KinshipError(
            f"theta > 0 here needs {per_axis ** (k - 1)} evaluations (too many distinct alleles "
            "and founders); compute this pair with theta = 0."
        )
    rules = []
    for j in range(k - 1):
        rules.append(beta_gauss_rule(alpha[j], float(sum(alpha[j + 1 :])), per_axis))
    sticks = np.array(list(product(*[rule[0] for rule in rules])))
    weights = np.prod(np.array(list(product(*[rule[1] for rule in rules]))), axis=1)
    q = np.empty((sticks.shape[0], k))
    left = np.ones(sticks.shape[0])
    for j in range(k - 1):
        q[:, j] = left * sticks[:, j]
        left = left * (1 - sticks[:, j])
    q[:, k - 1] = left
    return q, weights


def _lumped_matrix(
    alleles: int, ladder: int, rest: bool, rate: float, model: MutationModel
) -> Array:
    size = alleles + (1 if rest else 0)
    if model == MutationModel.NONE or rate == 0.0 or ladder < 2:
        return np.eye(size)
    step = rate / (ladder - 1)
    matrix = np.full((size, size), step)
    np.fill_diagonal(matrix, 1.0 - rate)
    if rest:
        others = ladder - alleles
        matrix[:alleles, alleles] = step * others
        matrix[alleles, alleles] = 1.0 - step * alleles
    return matrix


def _theta_lr(
    pedigree: Pedigree,
    typed: Mapping[str, Genotype],
    remains: Genotype,
    population: PopulationFrequencies,
    locus: str,
    settings: KinshipSettings,
) -> float | None:
    if settings.mutation_model == MutationModel.STEPWISE and (
        settings.mutation_rate > 0 or (settings.female_mutation_rate or 0) > 0
    ):
        raise SettingsError(
            "theta > 0 with the stepwise mutation model cannot be computed exactly; use the "
            "equal mutation model or theta = 0."
        )
    seen = {allele for genotype in (*typed.values(), remains) for allele in genotype}
    ladder, founder = population.ladder(locus, seen, settings.minimum_frequency)
    frequency = dict(zip(ladder, founder, strict=True))
    explicit = sorted(seen, key=ladder.index)
    rest_mass = max(0.0, 1.0 - sum(frequency[a] for a in explicit))
    rest = rest_mass > 1e-12 and len(explicit) < len(ladder)
    p = [frequency[a] for a in explicit] + ([rest_mass] if rest else [])
    p_arr = np.asarray(p) / sum(p)
    index = {allele: i for i, allele in enumerate(explicit)}
    size = len(p)

    def trans(female: bool) -> Array:
        matrix = _lumped_matrix(
            len(explicit), len(ladder), rest, settings.rate(female), settings.mutation_model
        )
        return 0.5 * (matrix[:, None, :] + matrix[None, :, :])

    male, female = trans(False), trans(True)
    evidence = {person: evidence_matrix(g, index, size) for person, g in typed.items()}
    with_missing = {**evidence, pedigree.missing: evidence_matrix(remains, index, size)}
    related = network(pedigree, with_missing, None, batch="founder")
    alone = network(pedigree, evidence, None, batch="founder")
    degree = 2 * max(related.founders, alone.founders + 1)
    alpha = p_arr * (1 - settings.theta) / settings.theta
    q, weights = dirichlet_rule(alpha.tolist(), degree)
    i, j = index[remains[0]], index[remains[1]]
    numerator = denominator = 0.0
    for start in range(0, len(weights), _NODE_CHUNK):
        nodes, w = q[start : start + _NODE_CHUNK], weights[start : start + _NODE_CHUNK]
        h1 = contract(related, related.operands(nodes, male, female, with_missing))
        h2 = contract(alone, alone.operands(nodes, male, female, evidence))
        unrelated = nodes[:, i] * nodes[:, j] * (1.0 if i == j else 2.0)
        numerator += float(w @ h1)
        denominator += float(w @ (h2 * unrelated))
    if denominator <= 0:
        return None
    return numerator / denominator
