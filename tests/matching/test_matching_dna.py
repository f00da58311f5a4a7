"""DNA as a criterion of the candidate engine: the weight is log2 of the kinship LR, a lineage
exclusion excludes, the words are the kinship reading's, and every path of the index (a remains
query, a missing-person query, the bulk match in and out of worker processes) agrees."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from matching import (
    CandidateIndex,
    DnaEvidence,
    MissingRecord,
    RecordError,
    RemainsRecord,
    Sex,
    default_weights,
    pair_dna,
    score_pair,
)
from matching.dna import LOG2_10

AS_OF = date(2025, 1, 1)


def _people() -> tuple[list[MissingRecord], RemainsRecord]:
    """Five missing men; the remains' stature and place favour M1, the DNA will say M4."""
    missing = [
        MissingRecord(
            f"M{i}",
            sex=Sex.MALE,
            height_cm=170.0 if i == 1 else 185.0,
            last_seen_date=date(2023, 5, 1),
            last_seen_lat=32.0 + (0.0 if i == 1 else 1.0),
            last_seen_lon=-111.0,
        )
        for i in range(1, 6)
    ]
    remains = RemainsRecord(
        "R1",
        sex=Sex.MALE,
        stature_min_cm=165,
        stature_max_cm=175,
        found_date=date(2023, 6, 1),
        found_lat=32.01,
        found_lon=-111.0,
    )
    return missing, remains


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))


def test_the_weight_is_log2_of_the_lr_and_adds_to_the_total() -> None:
    missing, remains = _people()
    without = score_pair(missing[3], remains, as_of=AS_OF)
    dna = DnaEvidence("M4", "R1", 2.5, 18, ("mother",))
    with_dna = score_pair(missing[3], replace(remains, dna=(dna,)), as_of=AS_OF)
    assert dna.weight == pytest.approx(2.5 * math.log2(10))
    assert LOG2_10 == pytest.approx(3.321928094887362)
    # the posterior log2 odds move by exactly the DNA weight
    assert _logit2(with_dna.score) - _logit2(without.score) == pytest.approx(dna.weight, abs=1e-6)
    line = next(e for e in with_dna.evidence if e.criterion == "dna")
    assert line.weight == round(dna.weight, 2)
    assert line.text.startswith("DNA (18 loci): The DNA is about 320 times more likely")
    assert "given his mother's sample" in line.text
    assert "moderately strong support" in line.text
    assert [e.criterion for e in with_dna.evidence][0] == "dna"  # the strongest comes first


def test_a_remains_case_with_a_dna_result_ranks_its_family_first() -> None:
    missing, remains = _people()
    index = CandidateIndex()
    index.add_many(missing)
    before = index.candidates_for_remains(remains, as_of=AS_OF)
    assert before[0].missing_ref == "M1"
    dna = DnaEvidence("M4", "R1", 9.0, 21, ("mother", "brother"))
    after = index.candidates_for_remains(replace(remains, dna=(dna,)), as_of=AS_OF)
    assert after[0].missing_ref == "M4" and after[0].review and after[0].score > 0.999
    assert "billion times more likely" in after[0].evidence[0].text
    assert {c.missing_ref for c in after} == {c.missing_ref for c in before}


def test_evidence_carried_by_the_missing_person_is_seen_from_the_remains() -> None:
    missing, remains = _people()
    dna = DnaEvidence("M4", "R1", 9.0, 21)
    missing[3] = replace(missing[3], dna=(dna,))
    index = CandidateIndex()
    index.add_many(missing)
    assert index.candidates_for_remains(remains, as_of=AS_OF)[0].missing_ref == "M4"
    # and from the missing person, against open remains
    index.add(remains)
    index.add(RemainsRecord("R2", sex=Sex.MALE, stature_min_cm=180, stature_max_cm=190))
    found = index.candidates_for_missing(missing[3], as_of=AS_OF)
    assert found[0].remains_ref == "R1"
    assert any(e.criterion == "dna" for e in found[0].evidence)
    # a removed missing person takes its evidence along
    index.remove(missing[3])
    index.add(replace(missing[3], dna=()))
    assert index.candidates_for_remains(remains, as_of=AS_OF)[0].missing_ref == "M1"


def test_the_remains_evidence_wins_when_both_carry_one() -> None:
    first = DnaEvidence("M1", "R1", -3.0)
    second = DnaEvidence("M1", "R1", 5.0)
    person = MissingRecord("M1", dna=(first,))
    body = RemainsRecord("R1", dna=(second,))
    assert pair_dna(person, body) is second
    assert pair_dna(person, RemainsRecord("R1")) is first
    assert pair_dna(MissingRecord("M2"), body) is None


def test_a_lineage_exclusion_excludes_the_pair() -> None:
    missing, remains = _people()
    note = "Y-STR: the haplotypes differ at 3 of 17 loci (DYS19, DYS390, DYS391)."
    dna = DnaEvidence("M1", "R1", None, lineage_excluded=True, lineage_note=note)
    body = replace(remains, dna=(dna,))
    scored = score_pair(missing[0], body, as_of=AS_OF)
    assert scored.score == 0.0 and not scored.review
    assert scored.evidence[0].criterion == "exclusion"
    assert "the lineage markers exclude a shared line (Y-STR: the haplotypes differ" in (
        scored.evidence[0].text
    )
    index = CandidateIndex()
    index.add_many(missing)
    assert "M1" not in {c.missing_ref for c in index.candidates_for_remains(body, as_of=AS_OF)}


def test_an_lr_of_zero_excludes_and_says_why() -> None:
    missing, remains = _people()
    dna = DnaEvidence("M1", "R1", -math.inf, 15)
    scored = score_pair(missing[0], replace(remains, dna=(dna,)), as_of=AS_OF)
    assert scored.score == 0.0
    assert "cannot be those of relatives so related" in scored.evidence[0].text
    assert dna.excludes and dna.weight == -math.inf


@pytest.mark.parametrize("processes", [1, 2])
def test_the_bulk_match_applies_dna_like_a_single_query(processes: int) -> None:
    rng = np.random.default_rng(4)
    missing, remains = _people()
    people = [*missing] + [
        MissingRecord(
            f"N{i}",
            sex=Sex.MALE,
            height_cm=float(rng.normal(172, 6)),
            last_seen_date=date(2023, 1, 1 + i % 28),
            last_seen_lat=31.5 + float(rng.random()),
            last_seen_lon=-111.0,
        )
        for i in range(300)
    ]
    bodies = [
        replace(remains, ref=f"R{i}", dna=(DnaEvidence(f"M{1 + i % 5}", f"R{i}", 8.0),))
        for i in range(1, 300)
    ]
    bodies.append(replace(remains, ref="R300", dna=(DnaEvidence("M1", "R300", None, 0, (), True),)))
    index = CandidateIndex()
    index.add_many([*people, *bodies])
    found = index.match_all(top_k=5, as_of=AS_OF, processes=processes)
    best: dict[str, str] = {}
    for candidate in found:  # best first per remains
        best.setdefault(candidate.remains_ref, candidate.missing_ref)
    for i in range(1, 300):
        assert best[f"R{i}"] == f"M{1 + i % 5}"
    assert "M1" not in {c.missing_ref for c in found if c.remains_ref == "R300"}
    single = index.candidates_for_remains(bodies[10], top_k=5, as_of=AS_OF)
    bulk = [c for c in found if c.remains_ref == bodies[10].ref]
    # the same scores (ties among the identical people M2-M5 may come in another order)
    assert single[0].missing_ref == bulk[0].missing_ref == "M2"
    assert [round(c.score, 9) for c in single] == [round(c.score, 9) for c in bulk]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"log10_lr": float("nan")}, "not a log10 likelihood ratio"),
        ({"log10_lr": math.inf}, "not a log10 likelihood ratio"),
        ({"loci": -1}, "cannot be negative"),
        ({"relatives": ("neighbour",)}, "not a relationship"),
        ({"missing_ref": ""}, "names both"),
    ],
)
def test_bad_dna_evidence_is_refused(kwargs: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"missing_ref": "M1", "remains_ref": "R1", "log10_lr": 1.0}
    with pytest.raises(RecordError, match=message):
        DnaEvidence(**(values | kwargs))  # type: ignore[arg-type]


def test_evidence_must_name_the_record_it_is_given_with() -> None:
    dna = DnaEvidence("M1", "R1", 3.0)
    with pytest.raises(RecordError, match="given with remains R2"):
        RemainsRecord("R2", dna=(dna,))
    with pytest.raises(RecordError, match="given with missing person M2"):
        MissingRecord("M2", dna=(dna,))


def test_dna_is_not_a_level_criterion_the_estimation_would_reweigh() -> None:
    # the LR is already a calibrated likelihood ratio: it is added as it is
    assert "dna" not in default_weights().probabilities
