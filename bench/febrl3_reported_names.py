"""Measure on FEBRL3 (never FEBRL4, the benchmark) the m and u of "every reported name is on
the documents" at the names levels where only a surname or only a given name agrees: the
defaults of ``MatchSettings.name_all_reported_bits`` and ``name_unreported_bits``.

FEBRL3's 3,000 remains (duplicates) against their true report give m; 400,000 random
(report, remains) pairs of other people give u; each pair is compared one at a time
(``scoring.name_agreement_pair``, ``scoring.all_reported_pair``), as ``score_pair`` does.

Run: .venv/bin/python bench/febrl3_reported_names.py [--random 400000] [--seed 13]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.febrl_names import febrl3_records, say  # noqa: E402
from matching.features import document_name_keys  # noqa: E402
from matching.records import MissingRecord, RemainsRecord  # noqa: E402
from matching.scoring import all_reported_pair, name_agreement_pair  # noqa: E402

_LEVELS = ("surname_only", "given_only")


def partial_level(person: MissingRecord, body: RemainsRecord) -> str | None:
    """The pair's names level when only a surname or only a given name agrees, else None."""
    given, surname, _every, _matched, _bits = name_agreement_pair(person, body)
    if surname and not given:
        return "surname_only"
    if given and not surname:
        return "given_only"
    return None


def counts(pairs: list[tuple[MissingRecord, RemainsRecord]]) -> Counter[tuple[str, bool]]:
    found: Counter[tuple[str, bool]] = Counter()
    for person, body in pairs:
        if not document_name_keys(body):
            continue
        level = partial_level(person, body)
        if level is not None:
            found[(level, all_reported_pair(person, body))] += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    missing, remains, truth = febrl3_records()
    by_ref = {person.ref: person for person in missing}
    true = [(by_ref[truth[body.ref]], body) for body in remains]
    draw = random.Random(args.seed)
    other: list[tuple[MissingRecord, RemainsRecord]] = []
    while len(other) < args.random:
        person, body = draw.choice(missing), draw.choice(remains)
        if truth[body.ref] != person.ref:
            other.append((person, body))
    m, u = counts(true), counts(other)
    say(f"FEBRL3: {len(true):,} true pairs, {len(other):,} random pairs")
    for level in _LEVELS:
        say(
            f"{level}: true pairs {m[(level, True)] + m[(level, False)]:,}, "
            f"random {u[(level, True)] + u[(level, False)]:,}"
        )
        for every, label in ((True, "every reported name found"), (False, "one not found")):
            share_m = m[(level, every)] / max(m[(level, True)] + m[(level, False)], 1)
            share_u = u[(level, every)] / max(u[(level, True)] + u[(level, False)], 1)
            bits = math.log2(share_m / share_u) if share_m and share_u else float("nan")
            say(
                f"  {label}: m {share_m:.4f} ({m[(level, every)]}), "
                f"u {share_u:.4f} ({u[(level, every)]}), {bits:+.2f} bits"
            )


if __name__ == "__main__":
    main()
