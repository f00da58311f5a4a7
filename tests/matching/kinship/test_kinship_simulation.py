"""The kinship benchmark's simulation (bench/kinship_simulation.py): Mendelian transmission,
mutation, loss of loci, determinism, the files it writes and the input it refuses."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bench.kinship_simulation import (
    EXPANDED_CODIS,
    KINDS,
    SHAPES,
    AlleleFrequencies,
    Simulation,
    SimulationError,
    default_frequency_dir,
    main,
    read_frequencies,
    simulate,
    write_files,
)

TABLE = """population,locus,allele,frequency
Test,L1,9.3,0.3
Test,L1,10,0.5
Test,L1,11,0.2
Test,L2,12,0.25
Test,L2,13,0.25
Test,L2,14,0.5
Test,L3,7,0.1
Test,L3,8,0.9
Other,L1,10,1.0
"""


@pytest.fixture
def frequency_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "frequencies"
    folder.mkdir()
    (folder / "test.csv").write_text(TABLE, encoding="utf-8")
    return folder


@pytest.fixture
def table(frequency_dir: Path) -> AlleleFrequencies:
    return read_frequencies("Test", frequency_dir, loci=None)


def test_frequencies_are_read_in_tenths_and_normalised(table: AlleleFrequencies) -> None:
    assert table.loci == ("L1", "L2", "L3")
    assert table.alleles[0].tolist() == [93, 100, 110]
    assert table.frequencies[0].tolist() == pytest.approx([0.3, 0.5, 0.2])
    for frequencies in table.frequencies:
        assert frequencies.sum() == pytest.approx(1.0)


def _pairs_from(child: np.ndarray, father: np.ndarray, mother: np.ndarray, step: int) -> bool:
    """Whether every locus of ``child`` is one allele from each parent, each off by ``step``
    tenths (0: unchanged; 10: one repeat up or down)."""
    for (c1, c2), fa, mo in zip(child, father, mother, strict=True):
        ok = any(
            abs(int(c1) - int(f)) == step
            and abs(int(c2) - int(m)) == step
            or abs(int(c2) - int(f)) == step
            and abs(int(c1) - int(m)) == step
            for f in fa
            for m in mo
        )
        if not ok:
            return False
    return True


def _children(simulation: Simulation) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    trios = []
    for family in simulation.families:
        for member in family.members:
            if member.father:
                trios.append(
                    (
                        family.genotype(member.person),
                        family.genotype(member.father),
                        family.genotype(member.mother),
                    )
                )
    return trios


def test_transmission_is_mendelian_without_mutation(table: AlleleFrequencies) -> None:
    simulation = simulate(table, families=200, mutation_rate=0.0, seed=3)
    trios = _children(simulation)
    assert len(trios) > 300
    assert all(_pairs_from(child, father, mother, 0) for child, father, mother in trios)


def test_every_meiosis_mutates_one_step_at_rate_one(table: AlleleFrequencies) -> None:
    simulation = simulate(table, families=60, mutation_rate=1.0, seed=4)
    trios = _children(simulation)
    assert all(_pairs_from(child, father, mother, 10) for child, father, mother in trios)
    # and not the same as without mutation (the check above could pass by chance otherwise)
    assert not all(_pairs_from(child, father, mother, 0) for child, father, mother in trios)


def test_every_family_has_one_untyped_missing_person_and_sexes_fit(
    table: AlleleFrequencies,
) -> None:
    simulation = simulate(table, families=100, seed=5)
    for family in simulation.families:
        missing = [m for m in family.members if m.missing]
        assert len(missing) == 1 and not missing[0].typed
        assert any(m.typed for m in family.members)
        sexes = {m.person: m.sex for m in family.members}
        for member in family.members:
            assert member.sex in ("M", "F")
            if member.father:
                assert sexes[member.father] == "M" and sexes[member.mother] == "F"
    assert Counter(f.kind for f in simulation.families) == {kind: 10 for kind in KINDS}


def test_shapes_list_parents_before_children() -> None:
    for kind, variants in SHAPES.items():
        for members in variants:
            seen: set[str] = set()
            for member in members:
                for parent in (member.father, member.mother):
                    assert not parent or parent in seen, (kind, member.person)
                assert bool(member.father) == bool(member.mother), (kind, member.person)
                seen.add(member.person)


def test_loss_of_loci_stays_within_range() -> None:
    if not _shipped():
        pytest.skip("the shipped frequency tables are not on this machine")
    table = read_frequencies("SW Hispanic")
    simulation = simulate(table, families=100, found=100, unrelated=300, seed=6)
    lost = Counter(r.lost_loci for r in simulation.remains)
    # 23 loci, up to 40 % lost: 0 to 9 loci, each count about as often as the others.
    assert set(lost) == set(range(10))
    assert min(lost.values()) > 15
    none_lost = simulate(table, families=10, unrelated=10, max_loss=0.0, seed=6)
    assert all(r.lost_loci == 0 for r in none_lost.remains)


def _shipped() -> bool:
    return any(default_frequency_dir().glob("*.csv"))


def test_shipped_tables_have_the_23_loci_for_the_route_populations() -> None:
    if not _shipped():
        pytest.skip("the shipped frequency tables are not on this machine")
    for population in ("SW Hispanic", "SE Hispanic", "Africa", "West Asia", "South America"):
        table = read_frequencies(population)
        assert table.loci == EXPANDED_CODIS


def test_unrelated_profiles_follow_the_frequencies(table: AlleleFrequencies) -> None:
    simulation = simulate(table, families=0, unrelated=4000, max_loss=0.0, seed=8)
    for index, (alleles, frequencies) in enumerate(
        zip(table.alleles, table.frequencies, strict=True)
    ):
        drawn = np.concatenate([r.genotype[index] for r in simulation.remains])
        for allele, frequency in zip(alleles, frequencies, strict=True):
            share = float((drawn == allele).mean())
            standard_error = (frequency * (1 - frequency) / drawn.size) ** 0.5
            assert abs(share - frequency) < 5 * standard_error + 1e-9


def test_remains_truth(table: AlleleFrequencies) -> None:
    simulation = simulate(table, families=50, found=20, unrelated=30, seed=9)
    assert len(simulation.remains) == 50
    found = [r for r in simulation.remains if r.family is not None]
    assert len(found) == 20 and len({r.family for r in found}) == 20
    families = {f.family: f for f in simulation.families}
    for remains in found:
        family = families[remains.family or ""]
        assert remains.kind == family.kind
        assert np.array_equal(remains.genotype, family.genotype("missing"))
    assert all(r.kind is None for r in simulation.remains if r.family is None)
    assert [r.sample for r in simulation.remains] == [f"U{i:06d}" for i in range(1, 51)]


def test_seeded_runs_repeat_and_seeds_differ(table: AlleleFrequencies, tmp_path: Path) -> None:
    first = write_files(simulate(table, families=30, unrelated=10, seed=11), tmp_path / "a")
    again = write_files(simulate(table, families=30, unrelated=10, seed=11), tmp_path / "b")
    other = write_files(simulate(table, families=30, unrelated=10, seed=12), tmp_path / "c")
    for name in first:
        assert first[name].read_bytes() == again[name].read_bytes()
    assert first["references.csv"].read_bytes() != other["references.csv"].read_bytes()


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_files_have_the_columns_of_casework_kinship(
    table: AlleleFrequencies, tmp_path: Path
) -> None:
    simulation = simulate(table, families=40, found=25, unrelated=15, seed=13)
    paths = write_files(simulation, tmp_path)
    pedigrees = _read(paths["pedigrees.csv"])
    references = _read(paths["references.csv"])
    unidentified = _read(paths["unidentified.csv"])
    truth = _read(paths["truth.csv"])
    assert list(pedigrees[0]) == ["family", "person", "father", "mother", "sex", "missing"]
    assert list(references[0]) == ["family", "sample", "locus", "allele1", "allele2"]
    assert list(unidentified[0]) == ["sample", "locus", "allele1", "allele2"]
    assert list(truth[0]) == ["sample", "family", "kind", "lost_loci"]
    people = {(row["family"], row["person"]): row for row in pedigrees}
    for row in references:
        person = people[(row["family"], row["sample"])]
        assert person["missing"] == "0"
        assert float(row["allele1"]) <= float(row["allele2"])
    missing = [row for row in pedigrees if row["missing"] == "1"]
    assert len(missing) == 40
    for row in pedigrees:
        for parent in (row["father"], row["mother"]):
            assert not parent or (row["family"], parent) in people
    typed = Counter(row["sample"] for row in unidentified)
    for row in truth:
        assert typed[row["sample"]] == 3 - int(row["lost_loci"])
    assert sum(1 for row in truth if row["family"]) == 25
    assert {row["allele1"] for row in unidentified if row["locus"] == "L1"} <= {"9.3", "10", "11"}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"families": 5, "kinds": ["cousin"]}, "Unknown family kinds"),
        ({"families": 5, "kinds": []}, "Unknown family kinds"),
        ({"families": 5, "found": 6}, "no more remains found than families"),
        ({"families": -1}, "0 or more"),
        ({"families": 5, "unrelated": -2}, "0 or more"),
        ({"families": 5, "mutation_rate": 1.5}, "mutation rate"),
        ({"families": 5, "max_loss": 1.0}, "share of loci lost"),
        ({"families": 5, "max_loss": -0.1}, "share of loci lost"),
    ],
)
def test_bad_settings_are_refused(
    table: AlleleFrequencies, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(SimulationError, match=message):
        simulate(table, **kwargs)  # type: ignore[arg-type]


def test_bad_frequency_input_is_refused(frequency_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(SimulationError, match="No population 'Mars'.*Other, Test"):
        read_frequencies("Mars", frequency_dir)
    with pytest.raises(SimulationError, match="no frequencies for \\['TH01'\\]"):
        read_frequencies("Test", frequency_dir, loci=["L1", "TH01"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SimulationError, match="No frequency file"):
        read_frequencies("Test", empty)
    (frequency_dir / "bad.csv").write_text(
        "population,locus,allele,frequency\nTest,L1,ten,0.1\n", encoding="utf-8"
    )
    with pytest.raises(SimulationError, match="bad.csv, row 2: 'ten' is not an allele"):
        read_frequencies("Test", frequency_dir)
    (frequency_dir / "bad.csv").write_text(
        "population,locus,allele,frequency\nTest,L1,10,1.7\n", encoding="utf-8"
    )
    with pytest.raises(SimulationError, match="frequency 1.7 not in"):
        read_frequencies("Test", frequency_dir)


def test_script_writes_files_and_reports_errors(
    frequency_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = [str(out), "--frequencies", str(frequency_dir), "--population", "Test"]
    with pytest.raises(SimulationError):  # the default loci are the 23 CODIS loci
        read_frequencies("Test", frequency_dir)
    assert main([*argv, "--families", "5"]) == 2
    assert "no frequencies for" in capsys.readouterr().err
    assert not out.exists()
    assert main([*argv, "--all-loci", "--kinds", "cousin"]) == 2
    assert "Unknown family kinds" in capsys.readouterr().err
    assert main([*argv, "--all-loci", "--families", "5", "--unrelated", "2", "--seed", "3"]) == 0
    assert "5 families (Test, 3 loci), 7 remains profiles" in capsys.readouterr().out
    assert len(_read(out / "truth.csv")) == 7
    assert {row["family"] for row in _read(out / "pedigrees.csv")} == {
        f"F{i:06d}" for i in range(1, 6)
    }
