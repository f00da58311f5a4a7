"""The DNA-led search: equal to the direct LR for every pair, incremental equal to full."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matching.kinship import (
    Family,
    KinshipError,
    KinshipHit,
    KinshipSearch,
    KinshipSettings,
    LocusFrequencies,
    MutationModel,
    PopulationFrequencies,
    Profile,
    Relationship,
    SettingsError,
    likelihood_ratio,
    standard_pedigree,
)

LOCI = {
    "TH01": {"6": 0.2, "7": 0.2, "8": 0.1, "9": 0.2, "9.3": 0.3},
    "FGA": {"19": 0.1, "20": 0.2, "21": 0.3, "22": 0.25, "22.2": 0.15},
    "vWA": {"14": 0.3, "15": 0.3, "16": 0.2, "17": 0.2},
    "D8S1179": {"10": 0.25, "11": 0.25, "12": 0.25, "13": 0.25},
}
TABLE = PopulationFrequencies(
    "small", {locus: LocusFrequencies(alleles, 100) for locus, alleles in LOCI.items()}
)
SETTINGS = KinshipSettings(mutation_rate=0.01)


def _random_profile(rng: np.random.Generator, sample: str, odd: bool = False) -> Profile:
    alleles: dict[str, object] = {}
    for locus, table in LOCI.items():
        if rng.random() < 0.2:
            continue  # untyped locus
        names = list(table)
        pair = [str(rng.choice(names)), str(rng.choice(names))]
        if odd and rng.random() < 0.3:
            pair[0] = "31"  # an allele the database lacks
        alleles[locus] = pair
    return Profile.parse(sample, alleles)


def _world(seed: int, families: int, remains: int) -> tuple[list[Family], list[Profile]]:
    rng = np.random.default_rng(seed)
    shapes = list(Relationship)
    built = []
    for number in range(families):
        pedigree, typed = standard_pedigree(shapes[number % len(shapes)])
        refs = {who: _random_profile(rng, f"F{number}-{who}", odd=number % 7 == 3) for who in typed}
        built.append(Family(f"F{number}", pedigree, refs))
    profiles = [_random_profile(rng, f"R{n}", odd=n % 5 == 4) for n in range(remains)]
    return built, profiles


def _direct(
    family: Family, remains: Profile, settings: KinshipSettings = SETTINGS
) -> tuple[float, int]:
    result = likelihood_ratio(family, remains, TABLE, settings)
    return result.log10_lr, result.loci_used


def _same(a: float, b: float) -> bool:
    return (math.isinf(a) and a == b) or abs(a - b) < 1e-9


def test_search_equals_the_direct_lr_for_every_pair() -> None:
    families, remains = _world(1, 26, 10)
    search = KinshipSearch(TABLE, SETTINGS, families, remains)
    hits = search.hits(top=None, min_log10_lr=None)
    assert len(hits) == len(families) * len(remains)
    by_family = {family.id: family for family in families}
    by_sample = {profile.sample: profile for profile in remains}
    for hit in hits:
        value, loci = _direct(by_family[hit.family], by_sample[hit.remains])
        assert _same(hit.log10_lr, value), (hit, value)
        assert hit.loci == loci


def test_search_without_mutation_reports_exclusions() -> None:
    settings = KinshipSettings(mutation_model=MutationModel.NONE)
    families, remains = _world(2, 13, 6)
    search = KinshipSearch(TABLE, settings, families, remains)
    hits = search.hits(top=None, min_log10_lr=None)
    assert any(math.isinf(hit.log10_lr) for hit in hits)
    for hit in hits[::5]:
        family = next(f for f in families if f.id == hit.family)
        profile = next(p for p in remains if p.sample == hit.remains)
        assert _same(hit.log10_lr, _direct(family, profile, settings)[0])


def test_ranking_top_and_threshold() -> None:
    families, remains = _world(3, 30, 5)
    search = KinshipSearch(TABLE, SETTINGS, families, remains)
    everything = search.hits(top=None, min_log10_lr=None)
    hits = search.hits(top=3, min_log10_lr=-1.0)
    for sample in {profile.sample for profile in remains}:
        mine = [hit for hit in hits if hit.remains == sample]
        full = sorted(
            (hit for hit in everything if hit.remains == sample),
            key=lambda hit: (-hit.log10_lr, hit.family),
        )
        expected = [hit for hit in full if hit.log10_lr >= -1.0][:3]
        assert [(h.family, h.rank) for h in mine] == [
            (h.family, rank) for rank, h in enumerate(expected, start=1)
        ]


def _equal(first: list[KinshipHit], second: list[KinshipHit]) -> None:
    # Batches of different sizes may sum in another order: equal to the last bits.
    assert [(h.remains, h.family, h.loci, h.rank) for h in first] == [
        (h.remains, h.family, h.loci, h.rank) for h in second
    ]
    assert all(_same(a.log10_lr, b.log10_lr) for a, b in zip(first, second, strict=True))


def test_incremental_equals_full() -> None:
    families, remains = _world(4, 26, 12)
    full = KinshipSearch(TABLE, SETTINGS, families, remains)
    grown = KinshipSearch(TABLE, SETTINGS, families[:10], remains[:4])
    for family in families[10:]:
        grown.add_family(family)
    for profile in remains[4:]:
        grown.add_remains([profile])
    _equal(grown.hits(top=5, min_log10_lr=None), full.hits(top=5, min_log10_lr=None))
    sample = remains[7].sample
    _equal(
        grown.hits_for_remains(sample, top=None, min_log10_lr=None),
        [hit for hit in full.hits(top=None, min_log10_lr=None) if hit.remains == sample],
    )
    family = families[12]
    by_family = [hit for hit in full.hits(top=None, min_log10_lr=None) if hit.family == family.id]
    ranked = grown.hits_for_family(family.id, top=None, min_log10_lr=None)
    assert sorted((h.remains, h.log10_lr) for h in ranked) == sorted(
        (h.remains, h.log10_lr) for h in by_family
    )
    assert [h.rank for h in ranked] == list(range(1, len(ranked) + 1))
    assert all(a.log10_lr >= b.log10_lr for a, b in zip(ranked, ranked[1:], strict=False))


def test_a_changed_family_replaces_the_old_one() -> None:
    families, remains = _world(5, 8, 6)
    search = KinshipSearch(TABLE, SETTINGS, families, remains)
    pedigree, _ = standard_pedigree(Relationship.MOTHER)
    changed = Family(families[0].id, pedigree, {"mother": remains[0]})
    search.add_family(changed)
    assert search.family_ids.count(changed.id) == 1
    value = search.log10_lr(remains[0].sample, changed.id)
    assert _same(value, _direct(changed, remains[0])[0])
    search.remove_family(changed.id)
    assert changed.id not in search.family_ids
    search.remove_remains(remains[1].sample)
    assert remains[1].sample not in {
        hit.remains for hit in search.hits(top=None, min_log10_lr=None)
    }


def test_bad_input_is_refused() -> None:
    with pytest.raises(SettingsError, match="theta = 0"):
        KinshipSearch(TABLE, KinshipSettings(theta=0.01))
    families, remains = _world(6, 3, 2)
    search = KinshipSearch(TABLE, SETTINGS, families, remains)
    with pytest.raises(KinshipError, match="top"):
        search.hits(top=0)
    with pytest.raises(KinshipError, match="not in the search"):
        search.hits_for_family("nobody")
    with pytest.raises(KinshipError, match="not in the search"):
        search.hits_for_remains("nothing")
    with pytest.raises(KinshipError, match="twice"):
        search.add_families([families[0], families[0]])
    with pytest.raises(KinshipError, match="twice"):
        search.add_remains([remains[0], remains[0]])


def test_pairs_with_no_locus_in_common_are_left_out_on_request() -> None:
    families, remains = _world(7, 12, 3)
    fga_only = Profile.parse("R-FGA", {"FGA": ("19", "20")})
    families.append(Family("F-TH01", families[0].pedigree, {
        who: Profile.parse(f"X-{who}", {"TH01": ("6", "7")}) for who in families[0].references
    }))  # fmt: skip
    search = KinshipSearch(TABLE, SETTINGS, families, [*remains, fga_only])
    everything = search.hits(top=None, min_log10_lr=None)
    assert any(hit.loci == 0 for hit in everything)
    kept = search.hits(top=None, min_log10_lr=None, min_loci=1)
    assert kept and all(hit.loci >= 1 for hit in kept)
    assert len(kept) == sum(1 for hit in everything if hit.loci >= 1)
    # the best families with a locus in common, even when below every pair with none
    best = search.hits_for_remains("R-FGA", top=2, min_log10_lr=None, min_loci=1)
    assert [hit.rank for hit in best] == [1, 2] and all(hit.loci == 1 for hit in best)
    assert "F-TH01" not in {hit.family for hit in best}
    assert all(
        hit.loci >= 1
        for hit in search.hits_for_family("F-TH01", top=None, min_log10_lr=None, min_loci=1)
    )
