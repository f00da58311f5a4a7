"""DNA-led search: every remains profile against every family, ranked by the exact LR.

What depends on a family is computed once: per family and locus, the log10 LR of every
genotype the remains could have there (all genotypes of the database's alleles of the locus;
one contraction of the family's allele network, batched over families of the same shape).
Comparing remains with families is then array work: per locus, the row of each remains
genotype is gathered and the rows summed. A remains genotype with an allele the database lacks
gets its own column, computed for all families on first use. The values are those of
:func:`matching.kinship.likelihood_ratio` for every pair (same ladder, same frequencies).

The search computes theta = 0 LRs (theta makes founders dependent, which defeats the per-family
tables); recompute the shortlisted pairs with ``likelihood_ratio`` when theta > 0 is wanted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from matching.kinship.errors import KinshipError, SettingsError
from matching.kinship.frequencies import FrequencyDatabase, PopulationFrequencies
from matching.kinship.likelihood import (
    Array,
    Network,
    contract,
    genotype_index,
    likelihood_ratio,
    network,
    phased_joint,
    population_of,
    tables_from_joint,
    transmission,
)
from matching.kinship.pedigree import Family, Pedigree
from matching.kinship.profiles import Genotype, Profile
from matching.kinship.settings import KinshipSettings

Progress = Callable[[int, int], None]

# Families contracted at once: bounded so that a batch's largest tensor stays near 160 MB.
_CELLS_PER_BATCH = 20_000_000
_REMAINS_PER_BLOCK = 256
_THREADS = 2
# Families ranked on float32 sums beyond ``top`` that are summed again exactly.
_MARGIN = 16


@dataclass(frozen=True, slots=True)
class KinshipHit:
    """One remains profile and one family, with the evidence.

    Attributes:
        remains: the remains profile's sample id.
        family: the family's id.
        log10_lr: log10 of the LR that the remains are the family's missing person.
        loci: loci that counted (typed in the remains and in a relative).
        rank: 1 for the best family of these remains (or the best remains of this family in
            :meth:`KinshipSearch.hits_for_family`).
    """

    remains: str
    family: str
    log10_lr: float
    loci: int
    rank: int


@dataclass(slots=True)
class _Locus:
    name: str
    alleles: tuple[str, ...]
    founder: Array
    index: dict[str, int]
    male: Array
    female: Array

    @property
    def genotypes(self) -> int:
        return len(self.alleles) * (len(self.alleles) + 1) // 2


@dataclass(frozen=True, slots=True)
class _Kind:
    """Families of one batch with the same pedigree and the same typed relatives."""

    pedigree: Pedigree
    persons: tuple[str, ...]
    families: list[Family]
    columns: NDArray[np.int64]  # the families' columns in the batch
    codes: NDArray[np.int32]  # (family, relative, locus, 2) ladder indices; -1 untyped


@dataclass(slots=True)
class _Block:
    """Families added together: per locus a (genotypes + 1, families) table of log10 LRs, the
    last row 0 for remains untyped at the locus."""

    ids: list[str]
    families: list[Family]
    tables: list[NDArray[np.float64]]
    rough: list[NDArray[np.float32]]
    used: NDArray[np.float32]  # (loci, families): 1 where a relative is typed and consistent
    alive: NDArray[np.bool_]
    kinds: list[_Kind]
    nets: dict[tuple[int, tuple[str, ...]], Network]
    special: dict[tuple[int, Genotype], NDArray[np.float64]] = field(default_factory=dict)


class KinshipSearch:
    """Families and remains profiles held for ranking by LR, updated one at a time or in bulk.

    Example:
        >>> from matching.kinship import (Family, LocusFrequencies, PopulationFrequencies,
        ...     Profile, Relationship, standard_pedigree, MutationModel)
        >>> table = PopulationFrequencies("demo", {"TH01": LocusFrequencies(
        ...     {"6": 0.2, "7": 0.3, "9.3": 0.5})})
        >>> pedigree, _ = standard_pedigree(Relationship.MOTHER)
        >>> families = [Family("F-1", pedigree, {"mother": Profile.parse("R1", {"TH01": "6,7"})}),
        ...             Family("F-2", pedigree, {"mother": Profile.parse("R2", {"TH01": "9.3"})})]
        >>> search = KinshipSearch(table, KinshipSettings(mutation_model=MutationModel.NONE),
        ...                        families, [Profile.parse("PM-1", {"TH01": "6,9.3"})])
        >>> [(h.family, round(h.log10_lr, 3), h.rank) for h in search.hits(top=2)]
        [('F-1', 0.097, 1), ('F-2', 0.0, 2)]
    """

    def __init__(
        self,
        frequencies: FrequencyDatabase | PopulationFrequencies,
        settings: KinshipSettings | None = None,
        families: Iterable[Family] = (),
        remains: Iterable[Profile] = (),
    ) -> None:
        self.settings = settings or KinshipSettings()
        if self.settings.theta > 0:
            raise SettingsError(
                "The DNA-led search computes LRs with theta = 0; recompute the shortlisted "
                "pairs with likelihood_ratio() for theta > 0."
            )
        self.population = population_of(frequencies, self.settings)
        self._loci: list[_Locus] = []
        for name, table in sorted(self.population.loci.items()):
            alleles = tuple(table.alleles)
            founder = np.array(list(table.alleles.values()))
            self._loci.append(
                _Locus(
                    name,
                    alleles,
                    founder,
                    {a: i for i, a in enumerate(alleles)},
                    transmission(alleles, self.settings, False),
                    transmission(alleles, self.settings, True),
                )
            )
        self._locus_at = {locus.name: n for n, locus in enumerate(self._loci)}
        self._blocks: list[_Block] = []
        self._where: dict[str, tuple[int, int]] = {}
        self._remains_ids: list[str] = []
        self._remains_rows = np.zeros((0, len(self._loci)), dtype=np.int64)
        self._remains_typed = np.zeros((0, len(self._loci)), dtype=np.float32)
        self._remains_special: dict[int, list[tuple[int, Genotype]]] = {}
        self._remains_alive = np.zeros(0, dtype=bool)
        self._remains_at: dict[str, int] = {}
        self.add_families(families)
        self.add_remains(remains)

    # --- families ---------------------------------------------------------------------------

    @property
    def family_ids(self) -> list[str]:
        """The families held, in the order they were added."""
        return [
            fid
            for block in self._blocks
            for fid, a in zip(block.ids, block.alive, strict=True)
            if a
        ]

    @property
    def remains_ids(self) -> list[str]:
        """The remains profiles held, in the order they were added."""
        return [rid for rid, a in zip(self._remains_ids, self._remains_alive, strict=True) if a]

    def add_families(self, families: Iterable[Family], progress: Progress | None = None) -> None:
        """Add families (a family already held under the same id is replaced).

        ``progress(done, total)`` is called as the loci's tables are built.
        """
        batch = list(families)
        if not batch:
            return
        ids = [family.id for family in batch]
        if len(set(ids)) != len(ids):
            raise KinshipError("A family id is given twice in one batch.")
        for family_id in ids:
            self.remove_family(family_id, missing_ok=True)
        tables = [
            np.zeros((locus.genotypes + 1, len(batch)), dtype=np.float64) for locus in self._loci
        ]
        used = np.zeros((len(self._loci), len(batch)), dtype=np.float32)
        kinds = self._kinds(batch)
        nets: dict[tuple[int, tuple[str, ...]], Network] = {}
        done = 0
        # numpy's contractions release the GIL: two loci at a time keep both cores busy
        with ThreadPoolExecutor(max_workers=_THREADS) as pool:
            work = [
                pool.submit(self._locus_tables, n, batch, kinds, nets, tables[n], used[n])
                for n in range(len(self._loci))
            ]
            for job in work:
                job.result()
                done += 1
                if progress is not None:
                    progress(done, len(self._loci))
        rough = [table.astype(np.float32) for table in tables]
        alive = np.ones(len(batch), dtype=bool)
        block = _Block(ids, batch, tables, rough, used, alive, kinds, nets)
        self._blocks.append(block)
        for column, family_id in enumerate(ids):
            self._where[family_id] = (len(self._blocks) - 1, column)
        if sum(len(b.ids) < 64 for b in self._blocks) > 32:
            self._merge_small_blocks()

    def add_family(self, family: Family) -> None:
        """Add one family, or replace the one held under its id."""
        self.add_families([family])

    def remove_family(self, family_id: str, missing_ok: bool = False) -> None:
        """Stop searching a family."""
        if family_id not in self._where:
            if missing_ok:
                return
            raise KinshipError(f"Family {family_id} is not in the search.")
        block, column = self._where.pop(family_id)
        self._blocks[block].alive[column] = False

    def _merge_small_blocks(self) -> None:
        small = [b for b in self._blocks if len(b.ids) < 64]
        large = [b for b in self._blocks if len(b.ids) >= 64]
        families = [f for b in small for f, a in zip(b.families, b.alive, strict=True) if a]
        self._blocks = large
        self._where = {
            fid: (n, c)
            for n, b in enumerate(large)
            for c, (fid, a) in enumerate(zip(b.ids, b.alive, strict=True))
            if a
        }
        self.add_families(families)

    def _kinds(self, batch: Sequence[Family]) -> list[_Kind]:
        """The batch's families grouped by pedigree and typed relatives, with the ladder
        index of every typed allele: (family, relative, locus, 2), -1 where untyped and -2
        for an allele the database lacks."""
        pedigrees: dict[Pedigree, int] = {}
        grouped: dict[tuple[int, tuple[str, ...]], list[int]] = defaultdict(list)
        codes: list[NDArray[np.int32]] = []
        for column, family in enumerate(batch):
            persons = tuple(sorted(family.references))
            number = pedigrees.setdefault(family.pedigree, len(pedigrees))
            grouped[(number, persons)].append(column)
            typed = np.full((len(persons), len(self._loci), 2), -1, dtype=np.int32)
            for i, person in enumerate(persons):
                for name, (first, second) in family.references[person].genotypes.items():
                    n = self._locus_at.get(name)
                    if n is not None:
                        index = self._loci[n].index
                        typed[i, n] = (index.get(first, -2), index.get(second, -2))
            codes.append(typed)
        return [
            _Kind(batch[columns[0]].pedigree, persons, [batch[c] for c in columns],
                  np.array(columns), np.stack([codes[c] for c in columns]))
            for (_, persons), columns in grouped.items()
        ]  # fmt: skip

    def _locus_tables(
        self,
        n: int,
        batch: Sequence[Family],
        kinds: Sequence[_Kind],
        nets: dict[tuple[int, tuple[str, ...]], Network],
        table: NDArray[np.float64],
        used: NDArray[np.float32],
    ) -> None:
        """Fill one locus's table: families whose typed relatives form the same allele network
        are contracted together, each distinct set of typed genotypes once."""
        locus = self._loci[n]
        buckets, special = self._buckets(n, kinds, nets)
        for column, refs in special:
            lr = self._special_family_table(batch[column], locus, refs, ())
            if lr is not None:
                table[: locus.genotypes, column] = _log10(lr[: locus.genotypes])
                used[column] = 1.0
        for net, columns, genotypes in buckets:
            distinct, inverse = np.unique(genotypes, axis=0, return_inverse=True)
            logs, valid = self._contract(locus, net, distinct)
            inverse = inverse.reshape(-1)
            table[: locus.genotypes, columns] = logs[inverse].T
            used[columns] = valid[inverse].astype(np.float32)

    def _buckets(
        self,
        n: int,
        kinds: Sequence[_Kind],
        nets: dict[tuple[int, tuple[str, ...]], Network],
    ) -> tuple[
        list[tuple[Network, NDArray[np.int64], NDArray[np.int32]]],
        list[tuple[int, dict[str, Genotype]]],
    ]:
        """At one locus: the families typed there, as (network, their columns, the ladder
        indices of ``network.typed``'s alleles in order) for each allele network, and apart
        the families with an allele the database lacks, as (column, typed genotypes).

        ``nets`` keeps the networks of (kind, relatives typed at a locus) from one locus to
        the next; two threads may both build one, which is the same network."""
        locus = self._loci[n]
        grouped: dict[str, list[tuple[Network, NDArray[np.int64], NDArray[np.int32]]]] = {}
        special: list[tuple[int, dict[str, Genotype]]] = []
        for number, kind in enumerate(kinds):
            alleles = kind.codes[:, :, n, :]  # (families, relatives, 2)
            typed = alleles[:, :, 0] != -1
            odd = (alleles == -2).any(axis=(1, 2))
            for row in np.flatnonzero(odd):
                family = kind.families[row]
                special.append((int(kind.columns[row]), {
                    person: family.references[person].genotypes[locus.name]
                    for person, on in zip(kind.persons, typed[row], strict=True)
                    if on
                }))  # fmt: skip
            plain = ~odd & typed.any(axis=1)
            patterns, which = np.unique(typed[plain], axis=0, return_inverse=True)
            rows = np.flatnonzero(plain)
            for position, pattern in enumerate(patterns):
                subset = tuple(p for p, on in zip(kind.persons, pattern, strict=True) if on)
                net = nets.get((number, subset))
                if net is None:
                    net = nets[(number, subset)] = network(
                        kind.pedigree, subset, kind.pedigree.missing
                    )
                chosen = rows[which.reshape(-1) == position]
                order = [kind.persons.index(person) for person in net.typed]
                genotypes = alleles[chosen][:, order, :].reshape(len(chosen), -1)
                grouped.setdefault(net.key, []).append((net, kind.columns[chosen], genotypes))
        buckets = [
            (
                parts[0][0],
                np.concatenate([part[1] for part in parts]),
                np.concatenate([part[2] for part in parts]),
            )
            for parts in grouped.values()
        ]
        return buckets, special

    def _contract(
        self, locus: _Locus, net: Network, distinct: NDArray[np.int32]
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """log10 LR tables, and whether the references are possible at all, for sets of typed
        genotypes (rows: the alleles of ``net.typed`` in order) on one network."""
        size = len(locus.alleles)
        chunk = max(16, _CELLS_PER_BATCH // size**3)
        logs = np.empty((len(distinct), locus.genotypes))
        valid = np.empty(len(distinct), dtype=bool)
        for start in range(0, len(distinct), chunk):
            part = distinct[start : start + chunk].astype(np.int64)
            by_person = {
                person: part[:, 2 * position : 2 * position + 2]
                for position, person in enumerate(net.typed)
            }
            joint = phased_joint(net, locus.founder, locus.male, locus.female, by_person)
            rows_lr, ok = tables_from_joint(joint, locus.founder)
            logs[start : start + chunk] = _log10(rows_lr)
            valid[start : start + chunk] = ok
        return logs, valid

    def _special_family_table(
        self,
        family: Family,
        locus: _Locus,
        refs: dict[str, Genotype],
        extra: Iterable[str],
    ) -> Array | None:
        seen = {a for g in refs.values() for a in g} | set(extra)
        alleles, founder = self.population.ladder(locus.name, seen, self.settings.minimum_frequency)
        p = np.asarray(founder)
        index = {a: i for i, a in enumerate(alleles)}
        net = network(family.pedigree, refs, family.pedigree.missing)
        evidence = {}
        for person in net.typed:
            matrix = np.zeros((1, len(alleles), len(alleles)))
            i, j = index[refs[person][0]], index[refs[person][1]]
            matrix[0, i, j] = matrix[0, j, i] = 1.0
            evidence[person] = matrix
        operands = net.operands(
            p,
            transmission(alleles, self.settings, False),
            transmission(alleles, self.settings, True),
            evidence,
        )
        rows_lr, valid = tables_from_joint(contract(net, operands), p)
        return rows_lr[0] if valid[0] else None

    # --- remains ----------------------------------------------------------------------------

    def add_remains(self, profiles: Iterable[Profile]) -> None:
        """Add remains profiles (a profile already held under the same sample is replaced)."""
        batch = list(profiles)
        if not batch:
            return
        if len({p.sample for p in batch}) != len(batch):
            raise KinshipError("A remains sample id is given twice in one batch.")
        rows = np.zeros((len(batch), len(self._loci)), dtype=np.int64)
        typed = np.zeros((len(batch), len(self._loci)), dtype=np.float32)
        offset = len(self._remains_ids)
        for r, profile in enumerate(batch):
            if profile.sample in self._remains_at:
                self._remains_alive[self._remains_at[profile.sample]] = False
            self._remains_at[profile.sample] = offset + r
            for n, locus in enumerate(self._loci):
                genotype = profile.genotypes.get(locus.name)
                rows[r, n] = locus.genotypes
                if genotype is None:
                    continue
                typed[r, n] = 1.0
                if genotype[0] in locus.index and genotype[1] in locus.index:
                    rows[r, n] = genotype_index(locus.index[genotype[0]], locus.index[genotype[1]])
                else:
                    self._remains_special.setdefault(offset + r, []).append((n, genotype))
        self._remains_ids += [p.sample for p in batch]
        self._remains_rows = np.concatenate([self._remains_rows, rows])
        self._remains_typed = np.concatenate([self._remains_typed, typed])
        self._remains_alive = np.concatenate([self._remains_alive, np.ones(len(batch), bool)])

    def remove_remains(self, sample: str) -> None:
        """Stop searching a remains profile."""
        if sample not in self._remains_at:
            raise KinshipError(f"Remains {sample} are not in the search.")
        self._remains_alive[self._remains_at.pop(sample)] = False

    def _special_column(self, block: _Block, n: int, genotype: Genotype) -> NDArray[np.float64]:
        """log10 LRs of a remains genotype with an allele the database lacks, against every
        family of a block: the ladder grows by that allele (at the minimum frequency, the
        others scaled down, as :func:`likelihood_ratio` does) and the block's families are
        contracted on it as for their tables, keeping only this genotype's entry."""
        key = (n, genotype)
        if key in block.special:
            return block.special[key]
        locus = self._loci[n]
        wider = self._wider(locus, genotype)
        i, j = (wider.index[allele] for allele in genotype)
        column = np.zeros(len(block.ids))
        buckets, special = self._buckets(n, block.kinds, block.nets)
        for net, columns, genotypes in buckets:
            distinct, inverse = np.unique(genotypes, axis=0, return_inverse=True)
            logs, valid = self._contract(wider, net, distinct)
            entry = np.where(valid, logs[:, genotype_index(i, j)], 0.0)
            column[columns] = entry[inverse.reshape(-1)]
        for c, refs in special:
            row = self._special_family_table(block.families[c], locus, refs, genotype)
            if row is not None:
                alleles, _ = self.population.ladder(
                    locus.name,
                    {a for g in refs.values() for a in g} | set(genotype),
                    self.settings.minimum_frequency,
                )
                index = {a: i for i, a in enumerate(alleles)}
                column[c] = _log10(row[genotype_index(index[genotype[0]], index[genotype[1]])])
        block.special[key] = column
        return column

    def _wider(self, locus: _Locus, genotype: Genotype) -> _Locus:
        """The locus with a remains genotype's unlisted alleles added to its ladder (after the
        listed ones, whose indices stay)."""
        alleles, founder = self.population.ladder(
            locus.name, genotype, self.settings.minimum_frequency
        )
        return _Locus(
            locus.name,
            alleles,
            np.array(founder),
            {a: i for i, a in enumerate(alleles)},
            transmission(alleles, self.settings, False),
            transmission(alleles, self.settings, True),
        )

    # --- scores and hits --------------------------------------------------------------------

    def _axis(self) -> tuple[list[str], NDArray[np.int64], NDArray[np.int64]]:
        """The live families: ids, their block and their column in it."""
        ids: list[str] = []
        blocks, columns = [], []
        for number, block in enumerate(self._blocks):
            alive = np.flatnonzero(block.alive)
            ids += [block.ids[c] for c in alive]
            blocks.append(np.full(len(alive), number, dtype=np.int64))
            columns.append(alive.astype(np.int64))
        if not blocks:
            return [], np.zeros(0, np.int64), np.zeros(0, np.int64)
        return ids, np.concatenate(blocks), np.concatenate(columns)

    def _rough(self, positions: NDArray[np.int64], min_loci: int = 0) -> NDArray[np.float32]:
        """float32 log10 LRs of these remains against every live family, for ranking; minus
        infinity for pairs with fewer than ``min_loci`` loci compared."""
        rows = self._remains_rows[positions]
        typed = self._remains_typed[positions]
        parts = []
        for block in self._blocks:
            score = np.zeros((len(positions), len(block.ids)), dtype=np.float32)
            gathered = np.empty_like(score)
            for n, table in enumerate(block.rough):
                np.take(table, rows[:, n], axis=0, out=gathered)
                score += gathered
            for r, position in enumerate(positions):
                for n, genotype in self._remains_special.get(int(position), ()):
                    score[r] += self._special_column(block, n, genotype).astype(np.float32)
            if min_loci > 0:
                score[typed @ block.used < min_loci - 0.5] = -np.inf
            parts.append(score[:, block.alive])
        if not parts:
            return np.zeros((len(positions), 0), dtype=np.float32)
        return np.concatenate(parts, axis=1)

    def _exact(
        self,
        positions: NDArray[np.int64],
        blocks: NDArray[np.int64],
        columns: NDArray[np.int64],
    ) -> tuple[Array, Array]:
        """float64 log10 LRs and loci used of pairs (remains position, block, column)."""
        value = np.zeros(len(positions))
        loci = np.zeros(len(positions))
        rows = self._remains_rows[positions]
        for number in np.unique(blocks):
            block = self._blocks[int(number)]
            mask = blocks == number
            cols, rr = columns[mask], rows[mask]
            total = np.zeros(int(mask.sum()))
            for n, table in enumerate(block.tables):
                total += table[rr[:, n], cols]
            for local, k in enumerate(np.flatnonzero(mask)):
                for n, genotype in self._remains_special.get(int(positions[k]), ()):
                    total[local] += self._special_column(block, n, genotype)[columns[k]]
            value[mask] = total
            typed = self._remains_typed[positions[mask]]
            loci[mask] = (typed * block.used[:, cols].T).sum(axis=1)
        return value, loci

    def _best(
        self,
        positions: NDArray[np.int64],
        top: int | None,
        min_log10_lr: float | None,
        axis: tuple[list[str], NDArray[np.int64], NDArray[np.int64]],
        min_loci: int = 0,
    ) -> list[list[tuple[int, float, int]]]:
        """Per remains position: (family on the axis, exact log10 LR, loci), best first."""
        _, blocks, columns = axis
        rough = self._rough(positions, min_loci)
        families = rough.shape[1]
        if top is None or top + _MARGIN >= families:
            candidates = np.broadcast_to(np.arange(families), rough.shape)
        else:
            candidates = np.argpartition(-rough, top + _MARGIN - 1, axis=1)[:, : top + _MARGIN]
        flat = candidates.reshape(-1)
        owners = np.repeat(positions, candidates.shape[1])
        value, loci = self._exact(owners, blocks[flat], columns[flat])
        value = value.reshape(candidates.shape)
        loci = loci.reshape(candidates.shape)
        ranked = []
        for r in range(len(positions)):
            keep = loci[r] >= min_loci - 0.5
            if min_log10_lr is not None:
                keep &= value[r] >= min_log10_lr
            order = np.flatnonzero(keep)
            order = order[np.lexsort((candidates[r, order], -value[r, order]))]
            if top is not None:
                order = order[:top]
            ranked.append(
                [(int(candidates[r, i]), float(value[r, i]), int(round(loci[r, i]))) for i in order]
            )
        return ranked

    def hits(
        self,
        top: int | None = 10,
        min_log10_lr: float | None = 0.0,
        progress: Progress | None = None,
        min_loci: int = 0,
    ) -> list[KinshipHit]:
        """Every remains profile against every family: per remains its best families.

        Families are ranked on float32 sums, then the best ``top`` plus a margin are summed
        again in float64, so the values reported are exact to the last bits.

        Args:
            top: families kept per remains profile (None: all).
            min_log10_lr: least log10 LR kept (None: no threshold, exclusions included).
            progress: called as ``progress(done, total)`` as remains profiles are ranked.
            min_loci: least number of loci compared (1 leaves out the pairs with no locus in
                common, whose LR is 1 for want of evidence).

        Returns:
            Hits grouped by remains (in the order added), best family first (rank 1).
        """
        _check(top)
        axis = self._axis()
        positions = np.flatnonzero(self._remains_alive)
        chunks = [
            positions[start : start + _REMAINS_PER_BLOCK]
            for start in range(0, len(positions), _REMAINS_PER_BLOCK)
        ]
        results = []
        with ThreadPoolExecutor(max_workers=_THREADS) as pool:
            for ranked_part in pool.map(
                lambda part: self._best(part, top, min_log10_lr, axis, min_loci), chunks
            ):
                results.append(ranked_part)
                if progress is not None:
                    progress(sum(len(part) for part in results), len(positions))
        found: list[KinshipHit] = []
        for part, ranked_part in zip(chunks, results, strict=True):
            for position, ranked in zip(part, ranked_part, strict=True):
                sample = self._remains_ids[position]
                found += [
                    KinshipHit(sample, axis[0][f], value, count, rank)
                    for rank, (f, value, count) in enumerate(ranked, start=1)
                ]
        return found

    def hits_for_remains(
        self,
        sample: str,
        top: int | None = 10,
        min_log10_lr: float | None = 0.0,
        min_loci: int = 0,
    ) -> list[KinshipHit]:
        """One remains profile (e.g. just added) against every family, best first (the
        arguments are those of :meth:`hits`)."""
        _check(top)
        if sample not in self._remains_at:
            raise KinshipError(f"Remains {sample} are not in the search.")
        axis = self._axis()
        position = np.array([self._remains_at[sample]])
        ranked = self._best(position, top, min_log10_lr, axis, min_loci)[0]
        return [
            KinshipHit(sample, axis[0][f], value, count, rank)
            for rank, (f, value, count) in enumerate(ranked, start=1)
        ]

    def hits_for_family(
        self,
        family_id: str,
        top: int | None = 10,
        min_log10_lr: float | None = 0.0,
        min_loci: int = 0,
    ) -> list[KinshipHit]:
        """One family (e.g. just added or changed) against every remains profile, best first
        (the arguments are those of :meth:`hits`)."""
        _check(top)
        if family_id not in self._where:
            raise KinshipError(f"Family {family_id} is not in the search.")
        block_no, column = self._where[family_id]
        block = self._blocks[block_no]
        positions = np.flatnonzero(self._remains_alive)
        rows = self._remains_rows[positions]
        score = np.zeros(len(positions))
        for n, table in enumerate(block.tables):
            score += table[rows[:, n], column]
        for r, position in enumerate(positions):
            for n, genotype in self._remains_special.get(int(position), ()):
                score[r] += self._special_column(block, n, genotype)[column]
        loci = self._remains_typed[positions] @ block.used[:, column]
        order = np.flatnonzero(loci >= min_loci - 0.5)
        if min_log10_lr is not None:
            order = order[score[order] >= min_log10_lr]
        order = order[np.lexsort((order, -score[order]))][:top]
        ranked = [(int(i), float(score[i]), int(round(loci[i]))) for i in order]
        return [
            KinshipHit(self._remains_ids[positions[r]], family_id, value, count, rank)
            for rank, (r, value, count) in enumerate(ranked, start=1)
        ]

    def log10_lr(self, sample: str, family_id: str) -> float:
        """The log10 LR of one pair, from the tables."""
        for hit in self.hits_for_family(family_id, top=None, min_log10_lr=None):
            if hit.remains == sample:
                return hit.log10_lr
        raise KinshipError(f"Remains {sample} are not in the search.")


def recompute_hits(
    hits: Iterable[KinshipHit],
    families: Mapping[str, Family],
    remains: Mapping[str, Profile],
    frequencies: FrequencyDatabase | PopulationFrequencies,
    settings: KinshipSettings,
    top: int | None = 10,
    min_log10_lr: float | None = 0.0,
    progress: Progress | None = None,
) -> list[KinshipHit]:
    """Compute shortlisted hits again pair by pair with :func:`likelihood_ratio` under
    ``settings`` (theta > 0, which the search cannot do), and rank each remains' hits again.

    Shortlist at theta = 0 a few more families than ``top`` (theta moves LRs towards 1, so the
    order can change near the cut). Each pair costs about 0.1-1 s with theta > 0: this is for
    the shortlist, never for every pair.

    Returns:
        per remains (in the order of ``hits``), its best ``top`` families with a log10 LR of at
        least ``min_log10_lr`` under ``settings``, best first.

    Example:
        >>> from matching.kinship import (LocusFrequencies, PopulationFrequencies, Profile,
        ...     Family, Relationship, standard_pedigree, MutationModel)
        >>> table = PopulationFrequencies("demo", {"TH01": LocusFrequencies(
        ...     {"6": 0.2, "7": 0.3, "9.3": 0.5})})
        >>> pedigree, _ = standard_pedigree(Relationship.MOTHER)
        >>> family = Family("F-1", pedigree, {"mother": Profile.parse("R1", {"TH01": "6,7"})})
        >>> remains = Profile.parse("PM-1", {"TH01": "6,9.3"})
        >>> shortlist = [KinshipHit("PM-1", "F-1", 0.097, 1, 1)]
        >>> theta = KinshipSettings(theta=0.03, mutation_model=MutationModel.NONE)
        >>> [round(h.log10_lr, 3) for h in recompute_hits(  # (1 + 2θ) / (4 (θ + (1 - θ) p_6))
        ...     shortlist, {"F-1": family}, {"PM-1": remains}, table, theta)]
        [0.073]
    """
    _check(top)
    by_remains: dict[str, list[KinshipHit]] = {}
    for hit in hits:
        by_remains.setdefault(hit.remains, []).append(hit)
    total = sum(len(found) for found in by_remains.values())
    done = 0
    ranked: list[KinshipHit] = []
    for sample, found in by_remains.items():
        scored: list[tuple[float, str, int]] = []
        for hit in found:
            result = likelihood_ratio(families[hit.family], remains[sample], frequencies, settings)
            scored.append((result.log10_lr, hit.family, result.loci_used))
            done += 1
            if progress is not None:
                progress(done, total)
        scored.sort(key=lambda item: (-item[0], item[1]))
        if min_log10_lr is not None:
            scored = [item for item in scored if item[0] >= min_log10_lr]
        ranked += [
            KinshipHit(sample, family, value, loci, rank)
            for rank, (value, family, loci) in enumerate(scored[:top], start=1)
        ]
    return ranked


def _log10(values: Array) -> Array:
    with np.errstate(divide="ignore"):
        return np.asarray(np.log10(values), dtype=np.float64)


def _check(top: int | None) -> None:
    if top is not None and (not isinstance(top, int) or top < 1):
        raise KinshipError(f"top must be a positive whole number, not {top!r}.")
