"""Do the engine's probabilities mean what they say? The reliability table of rank-1
candidates (predicted band against observed share, expected calibration error), the review
queue a threshold would hold, and the calibration learned on another caseload (not a test)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

import numpy as np

from matching import Calibration, Candidate, fit_calibration

#: probability bands of the reliability table
BANDS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95, 1.0)


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def rank_one(candidates: list[Candidate]) -> list[Candidate]:
    """The best candidate of each remains."""
    best: dict[str, Candidate] = {}
    for candidate in candidates:
        held = best.get(candidate.remains_ref)
        if held is None or candidate.score > held.score:
            best[candidate.remains_ref] = candidate
    return list(best.values())


def reliability(
    candidates: list[Candidate],
    truth: Mapping[str, str | None],
    say: Callable[[str], None] = _say,
) -> float:
    """Print predicted band vs observed share of right rank-1 candidates; return the ECE."""
    best = rank_one(candidates)
    scores = np.array([c.score for c in best])
    right = np.array([truth.get(c.remains_ref) == c.missing_ref for c in best])
    say("  reliability of rank-1 probabilities (band: candidates, mean predicted, observed)")
    error = 0.0
    for low, high in zip(BANDS, BANDS[1:], strict=False):
        inside = (scores >= low) & ((scores < high) | (high == 1.0))
        if not inside.any():
            continue
        predicted, observed = float(scores[inside].mean()), float(right[inside].mean())
        error += inside.sum() / scores.size * abs(predicted - observed)
        say(f"    {low:4.2f}–{high:4.2f}: {int(inside.sum()):5d}, {predicted:.3f}, {observed:.3f}")
    say(f"  expected calibration error {error:.3f}")
    return error


def review_thresholds(
    candidates: list[Candidate],
    truth: Mapping[str, str | None],
    say: Callable[[str], None] = _say,
) -> None:
    """Print the review queue a threshold on the probability would hold: with calibrated
    probabilities, its precision is about the mean probability above the threshold."""
    reported = sum(1 for person in truth.values() if person is not None)
    say("  review queue by threshold (candidates, precision, share of true pairs held)")
    for threshold in (0.2, 0.3, 0.4, 0.5, 0.6, 0.8):
        queue = [c for c in candidates if c.score >= threshold]
        right = sum(1 for c in queue if truth.get(c.remains_ref) == c.missing_ref)
        say(
            f"    ≥ {threshold:.1f}: {len(queue):5d}, {right / max(len(queue), 1):.3f}, "
            f"{right / max(reported, 1):.3f}"
        )


def learn_calibration(candidates: list[Candidate], truth: Mapping[str, str | None]) -> Calibration:
    """The calibration officers' decisions would teach: every candidate of a training
    caseload, right or not (the caseload it is then applied to is never used)."""
    return fit_calibration(
        [c.score for c in candidates],
        [truth.get(c.remains_ref) == c.missing_ref for c in candidates],
    )
