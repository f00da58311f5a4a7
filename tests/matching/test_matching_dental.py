"""Dental comparison tooth by tooth: concordant, explainable by later work or loss, inconsistent,
and the one finding that excludes a pair (a tooth missing in life, present after death)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from matching import (
    DentalEntry,
    MissingRecord,
    RecordError,
    RemainsRecord,
    ToothState,
    compare_teeth,
    pair_levels,
    score_pair,
)
from matching.dental import dental_counts, dental_masks, tooth_bit
from matching.weights import CRITERIA

V, M, F, C = ToothState.SOUND, ToothState.MISSING, ToothState.FILLED, ToothState.CROWN


@dataclass(frozen=True)
class ToothCase:
    am: ToothState
    pm: ToothState
    verdict: str


TOOTH_CASES = [
    ToothCase(V, V, "concordant"),
    ToothCase(F, F, "concordant"),
    ToothCase(C, C, "concordant"),
    ToothCase(M, M, "concordant"),
    ToothCase(V, F, "explainable"),  # filled after the AM record
    ToothCase(V, C, "explainable"),
    ToothCase(F, C, "explainable"),  # a filling later crowned
    ToothCase(V, M, "explainable"),  # lost after the record (or post mortem)
    ToothCase(F, M, "explainable"),
    ToothCase(C, M, "explainable"),
    ToothCase(F, V, "inconsistent"),  # fillings do not heal
    ToothCase(C, V, "inconsistent"),
    ToothCase(C, F, "inconsistent"),
    ToothCase(M, V, "excluding"),  # teeth do not grow back
    ToothCase(M, F, "excluding"),
    ToothCase(M, C, "excluding"),
]


@pytest.mark.parametrize("case", TOOTH_CASES, ids=lambda c: f"{c.am.value}->{c.pm.value}")
def test_each_state_pair(case: ToothCase) -> None:
    findings = compare_teeth([DentalEntry(36, case.am)], [DentalEntry(36, case.pm)])
    assert [f.verdict for f in findings] == [case.verdict]
    counts = dental_counts(
        dental_masks([DentalEntry(36, case.am)]), dental_masks([DentalEntry(36, case.pm)])
    )
    concordant, _specific, explainable, inconsistent, excluding = (int(x) for x in counts)
    assert {
        "concordant": concordant,
        "explainable": explainable,
        "inconsistent": inconsistent,
        "excluding": excluding,
    }[case.verdict] == 1
    assert concordant + explainable + inconsistent + excluding == 1


@dataclass(frozen=True)
class ChartCase:
    why: str
    am: tuple[tuple[int, ToothState], ...]
    pm: tuple[tuple[int, ToothState], ...]
    level: str  # "not compared", a dental level, or "excluded"


CHART_CASES = [
    ChartCase("no common tooth", ((11, F),), ((21, F),), "not compared"),
    ChartCase("one chart empty", (), ((21, F),), "not compared"),
    ChartCase(
        "two fillings alike",
        ((16, F), (26, C), (11, V)),
        ((16, F), (26, C), (11, V)),
        "specific_many",
    ),
    ChartCase("one filling alike", ((16, F), (11, V)), ((16, F), (11, V)), "specific_one"),
    ChartCase("sound teeth only", ((11, V), (12, V)), ((11, V), (12, V)), "compatible"),
    ChartCase("work done since", ((16, V), (26, F)), ((16, F), (26, C)), "compatible"),
    ChartCase("one inconsistency", ((16, F), (26, F)), ((16, V), (26, F)), "inconsistent_one"),
    ChartCase("two inconsistencies", ((16, F), (26, C)), ((16, V), (26, F)), "inconsistent_many"),
    ChartCase(
        "missing in life, present after death", ((16, M), (26, F)), ((16, V), (26, F)), "excluded"
    ),
]


def _chart(entries: tuple[tuple[int, ToothState], ...]) -> tuple[DentalEntry, ...]:
    return tuple(DentalEntry(tooth, state) for tooth, state in entries)


@pytest.mark.parametrize("case", CHART_CASES, ids=lambda c: c.why)
def test_chart_levels(case: ChartCase) -> None:
    missing = MissingRecord("M1", dental=_chart(case.am))
    remains = RemainsRecord("R1", dental=_chart(case.pm))
    candidate = score_pair(missing, remains)
    if case.level == "excluded":
        assert candidate.score == 0.0
        assert candidate.evidence[0].criterion == "exclusion"
        assert "16 missing in life" in candidate.evidence[0].text
        return
    level = int(pair_levels([missing], [remains])["dental"][0])
    assert ("not compared", *CRITERIA["dental"])[level] == case.level
    assert candidate.score > 0.0


def test_explanation_counts_and_names_teeth() -> None:
    missing = MissingRecord("M1", dental=_chart(((16, V), (21, F), (36, F), (11, V))))
    remains = RemainsRecord("R1", dental=_chart(((16, F), (21, V), (36, F), (11, V))))
    text = next(e.text for e in score_pair(missing, remains).evidence if e.criterion == "dental")
    assert "2 teeth concordant" in text
    assert "1 explainable (16 sound→filled)" in text
    assert "1 inconsistent (21 filled→sound)" in text


@pytest.mark.parametrize("tooth", [0, 10, 19, 51, 9, 88])
def test_invalid_fdi_numbers_are_refused(tooth: int) -> None:
    with pytest.raises(RecordError):
        DentalEntry(tooth, V)


def test_every_fdi_tooth_has_its_own_bit() -> None:
    teeth = [q * 10 + t for q in (1, 2, 3, 4) for t in range(1, 9)]
    assert sorted(tooth_bit(t) for t in teeth) == list(range(32))


def test_vectorised_counts_agree_with_tooth_by_tooth() -> None:
    rng = np.random.default_rng(5)
    teeth = [q * 10 + t for q in (1, 2, 3, 4) for t in range(1, 9)]
    states = [V, M, F, C]
    for _ in range(200):
        am = [DentalEntry(int(t), states[int(rng.integers(4))]) for t in rng.choice(teeth, 10)]
        pm = [DentalEntry(int(t), states[int(rng.integers(4))]) for t in rng.choice(teeth, 12)]
        findings = compare_teeth(am, pm)
        concordant, _s, explainable, inconsistent, excluding = (
            int(x) for x in dental_counts(dental_masks(am), dental_masks(pm))
        )
        verdicts = [f.verdict for f in findings]
        assert verdicts.count("concordant") == concordant
        assert verdicts.count("explainable") == explainable
        assert verdicts.count("inconsistent") == inconsistent
        assert verdicts.count("excluding") == excluding
