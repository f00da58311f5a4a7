"""Tooth-by-tooth comparison of an ante-mortem (AM) and a post-mortem (PM) dental chart.

Each tooth both charts record is *concordant* (same state), *explainable* (dental work or loss
after the AM record: sound→filled, filled→crown, anything→missing) or *inconsistent*
(filled→sound, crown→sound or filled). A tooth missing in life but present after death
EXCLUDES the pair. Charts are held as 32-bit masks so whole populations compare at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.records import DentalEntry, ToothState

STATES: tuple[ToothState, ...] = (
    ToothState.SOUND,
    ToothState.FILLED,
    ToothState.CROWN,
    ToothState.MISSING,
)
_STATE_WORDS = {
    ToothState.SOUND: "sound",
    ToothState.FILLED: "filled",
    ToothState.CROWN: "crowned",
    ToothState.MISSING: "missing",
}
# (AM state, PM state) pairs that later dental work or loss explains
EXPLAINABLE = frozenset(
    {
        (ToothState.SOUND, ToothState.FILLED),
        (ToothState.SOUND, ToothState.CROWN),
        (ToothState.SOUND, ToothState.MISSING),
        (ToothState.FILLED, ToothState.CROWN),
        (ToothState.FILLED, ToothState.MISSING),
        (ToothState.CROWN, ToothState.MISSING),
    }
)


def tooth_bit(tooth: int) -> int:
    """Bit position (0–31) of an FDI tooth number.

    Example:
        >>> tooth_bit(11), tooth_bit(48)
        (0, 31)
    """
    return (tooth // 10 - 1) * 8 + tooth % 10 - 1


def dental_masks(chart: Iterable[DentalEntry]) -> tuple[int, int, int, int]:
    """One 32-bit mask per state (sound, filled, crown, missing) of a chart.

    When a tooth appears twice, the last entry wins.

    Example:
        >>> dental_masks([DentalEntry(11, ToothState.FILLED), DentalEntry(12, ToothState.SOUND)])
        (2, 1, 0, 0)
    """
    latest = {entry.tooth: entry.state for entry in chart}
    masks = [0, 0, 0, 0]
    for tooth, state in latest.items():
        masks[STATES.index(state)] |= 1 << tooth_bit(tooth)
    return masks[0], masks[1], masks[2], masks[3]


def _bits(mask: npt.ArrayLike) -> npt.NDArray[np.int64]:
    return np.bitwise_count(np.asarray(mask, dtype=np.uint32)).astype(np.int64)


def dental_counts(
    am: tuple[npt.ArrayLike, ...], pm: tuple[npt.ArrayLike, ...]
) -> tuple[npt.NDArray[np.int64], ...]:
    """Count, per pair, teeth that are concordant, specific-concordant, explainable,
    inconsistent and excluding. Masks broadcast like numpy arrays.

    "Specific" concordant teeth are filled, crowned or missing on both sides: sound–sound
    agreement says little.

    Example:
        >>> am = dental_masks([DentalEntry(11, ToothState.MISSING)])
        >>> pm = dental_masks([DentalEntry(11, ToothState.FILLED)])
        >>> [int(x) for x in dental_counts(am, pm)]
        [0, 0, 0, 0, 1]
    """
    am_v, am_f, am_c, am_m = (np.asarray(mask, dtype=np.uint32) for mask in am)
    pm_v, pm_f, pm_c, pm_m = (np.asarray(mask, dtype=np.uint32) for mask in pm)
    specific = (am_f & pm_f) | (am_c & pm_c) | (am_m & pm_m)
    concordant = specific | (am_v & pm_v)
    explainable = (am_v & (pm_f | pm_c | pm_m)) | (am_f & (pm_c | pm_m)) | (am_c & pm_m)
    inconsistent = (am_f & pm_v) | (am_c & (pm_v | pm_f))
    excluding = am_m & (pm_v | pm_f | pm_c)
    return (
        _bits(concordant),
        _bits(specific),
        _bits(explainable),
        _bits(inconsistent),
        _bits(excluding),
    )


@dataclass(frozen=True, slots=True)
class ToothFinding:
    """How one tooth compares: "concordant", "explainable", "inconsistent" or "excluding"."""

    tooth: int
    am: ToothState
    pm: ToothState
    verdict: str

    def __str__(self) -> str:
        return f"{self.tooth} {_STATE_WORDS[self.am]}→{_STATE_WORDS[self.pm]}"


def compare_teeth(
    am_chart: Iterable[DentalEntry], pm_chart: Iterable[DentalEntry]
) -> list[ToothFinding]:
    """Compare two charts tooth by tooth, for the teeth both record.

    Example:
        >>> am = [DentalEntry(16, ToothState.SOUND), DentalEntry(21, ToothState.FILLED)]
        >>> pm = [DentalEntry(16, ToothState.FILLED), DentalEntry(21, ToothState.SOUND)]
        >>> [f.verdict for f in compare_teeth(am, pm)]
        ['explainable', 'inconsistent']
    """
    am = {entry.tooth: entry.state for entry in am_chart}
    pm = {entry.tooth: entry.state for entry in pm_chart}
    findings: list[ToothFinding] = []
    for tooth in sorted(am.keys() & pm.keys()):
        before, after = am[tooth], pm[tooth]
        if before == after:
            verdict = "concordant"
        elif before == ToothState.MISSING:
            verdict = "excluding"
        elif (before, after) in EXPLAINABLE:
            verdict = "explainable"
        else:
            verdict = "inconsistent"
        findings.append(ToothFinding(tooth, before, after, verdict))
    return findings
