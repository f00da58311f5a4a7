"""How far any weighting could go on the benchmark caseload: a ceiling for recall@10 (not a test).

Run: .venv/bin/python bench/matching_ceiling.py [--missing 20000 --remains 5000 --seed 1]

For remains that carry no document (where the engine loses recall), every pair is described by
fine-grained evidence: days from last seen to the estimated death in 18 bins (to the recovery
in 15 when there is no PMI), the age and stature differences in 1-year and 2-cm steps, the
distance to the route and to the last-seen point in 18 bins, each apart for sea and land; sex,
marks, effects and dental on the engine's levels. Likelihood ratios for every bin are then
counted from the truth of a training caseload as large as the test one (every true pair, and
every pair of a sample of remains for u). That is naive Bayes fitted to the answer on far finer
levels than the engine's: what it reaches shows how much the evidence in these cases can tell
apart, whatever the weights.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching import MatchSettings, RemainsRecord  # noqa: E402
from matching.features import (  # noqa: E402
    MISSING_COLUMNS,
    FeatureColumns,
    missing_row,
    remains_row,
    single_columns,
)
from matching.geodesy import chord_to_km, distance_to_segments_km, route_segments  # noqa: E402
from matching.scoring import (  # noqa: E402
    NameAgreement,
    age_at_death,
    compare_columns,
    estimated_pmi,
)
from matching.synthetic import SyntheticCases, generate  # noqa: E402

Array = npt.NDArray[Any]
AS_OF = float(date(2025, 1, 1).toordinal())
ENGINE_LEVELS = ("sex", "marks", "effects", "dental")
GAP_EDGES = (-90, -60, -30, -15, -8, -4, 0, 4, 8, 15, 22, 30, 45, 60, 90, 120, 180)
INTERVAL_EDGES = (0, 3, 7, 14, 30, 60, 90, 120, 180, 270, 365, 540, 730, 1095)
AGE_EDGES = tuple(range(-10, 11))
STATURE_EDGES = tuple(range(-16, 17, 2))
KM_EDGES = (0.5, 1, 2, 3, 5, 10, 15, 25, 40, 60, 100, 150, 250, 400, 700, 1000, 2000)
BINS = 256


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def binned(values: Array, edges: tuple[float, ...]) -> Array:
    """1 + the bin of each value, 0 where it is unknown."""
    found = np.digitize(values, edges) + 1
    return np.where(np.isnan(values), 0, found).astype(np.int16)


class Caseload:
    """The missing persons of a caseload as feature columns, with every route's arcs."""

    def __init__(self, cases: SyntheticCases) -> None:
        store = FeatureColumns(MISSING_COLUMNS)
        store.extend([missing_row(person) for person in cases.missing])
        self.columns = store.columns()
        self.size = len(cases.missing)
        self.slot = {person.ref: i for i, person in enumerate(cases.missing)}
        arcs, owners = [], []
        for i, person in enumerate(cases.missing):
            if person.route is not None and not person.route.is_empty:
                frames = route_segments(person.route)
                arcs.append(frames)
                owners.extend([i] * frames.shape[0])
        self.arcs = np.concatenate(arcs)
        self.arc_owner = np.array(owners)
        self.with_route = np.unique(self.arc_owner)
        self.first_arc = np.searchsorted(self.arc_owner, self.with_route)

    def levels(self, body: RemainsRecord) -> dict[str, Array]:
        """Fine levels of every (missing, body) pair, per criterion (0: not compared)."""
        m, n = self.columns, self.size
        r = single_columns(remains_row(body))
        nothing = np.zeros(n, dtype=bool)
        names = NameAgreement(
            nothing, nothing, nothing, np.full(n, np.nan), np.zeros(n), np.full(n, -1, np.int8)
        )
        compared = compare_columns(m, r, names, MatchSettings(), AS_OF)
        levels = {
            c: np.broadcast_to(compared.levels[c], (n,)).astype(np.int16) for c in ENGINE_LEVELS
        }
        sea = np.broadcast_to(m["sea"] | r["sea"], (n,)).astype(np.int16)
        days = (r["found"] - m["last_seen"]).astype(np.float64)
        if body.pmi_min_days is not None:
            gap = days - estimated_pmi(r).astype(np.float64)
            level = binned(gap, GAP_EDGES)
        else:
            level = binned(days, INTERVAL_EDGES)
            level = np.where(level > 0, level + 20, 0)  # levels apart from the PMI's
        levels["time"] = np.where(level > 0, level + 40 * sea, 0)
        low, high = age_at_death(m, r, AS_OF)
        middle = (r["age_min"] + r["age_max"]) / 2.0
        levels["age"] = binned(((low + high) / 2.0 - middle).astype(np.float64), AGE_EDGES)
        stature = m["height"] - (r["stature_min"] + r["stature_max"]) / 2.0
        levels["stature"] = binned(stature.astype(np.float64), STATURE_EDGES)
        diff = m["point"] - r["point"]
        point_km = chord_to_km(np.sqrt(np.einsum("...i,...i->...", diff, diff)))
        route_km = np.full(n, np.nan)
        if body.found_lat is not None and body.found_lon is not None:
            km = distance_to_segments_km(r["point"][0], self.arcs)
            route_km[self.with_route] = np.minimum.reduceat(km, self.first_arc)
        by_route = binned(route_km, KM_EDGES)
        by_point = binned(point_km.astype(np.float64), KM_EDGES)
        level = np.where(by_route > 0, by_route, np.where(by_point > 0, by_point + 20, 0))
        levels["distance"] = np.where(level > 0, level + 40 * sea, 0)
        levels["excluded"] = np.broadcast_to(compared.excluded, (n,))
        return levels


def fit(cases: SyntheticCases, sample: int) -> dict[str, Array]:
    """log2(m/u) per fine level, counted from the truth (u from every pair of ``sample``
    remains), with half a pair added to every bin."""
    caseload = Caseload(cases)
    m_counts: dict[str, Array] = {}
    u_counts: dict[str, Array] = {}
    for i, body in enumerate(cases.remains):
        person = cases.truth[body.ref]
        if person is None and i >= sample:
            continue
        levels = caseload.levels(body)
        ranked = ~levels.pop("excluded")
        for criterion, level in levels.items():
            if person is not None:
                slot = caseload.slot[person]
                m_counts.setdefault(criterion, np.zeros(BINS))[level[slot]] += 1
            if i < sample:
                counts = u_counts.setdefault(criterion, np.zeros(BINS))
                counts += np.bincount(level[ranked], minlength=BINS)
    tables = {}
    for criterion, m in m_counts.items():
        u = u_counts[criterion]
        m_share = (m[1:] + 0.5) / (m[1:].sum() + 0.5 * (BINS - 1))
        u_share = (u[1:] + 0.5) / (u[1:].sum() + 0.5 * (BINS - 1))
        tables[criterion] = np.concatenate([[0.0], np.log2(m_share / u_share)])
    return tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", type=int, default=20000)
    parser.add_argument("--remains", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample", type=int, default=400, help="remains whose pairs give u")
    args = parser.parse_args()
    started = time.perf_counter()
    training = generate(args.missing, args.remains, seed=args.seed + 100)
    tables = fit(training, args.sample)
    say(f"likelihood ratios counted on another caseload in {time.perf_counter() - started:.0f} s")
    cases = generate(args.missing, args.remains, seed=args.seed)
    caseload = Caseload(cases)
    ranks = []
    for body in cases.remains:
        person = cases.truth[body.ref]
        if person is None or body.document_names:
            continue
        levels = caseload.levels(body)
        total = np.zeros(caseload.size)
        for criterion, level in levels.items():
            if criterion != "excluded":
                total += tables[criterion][level]
        total[levels["excluded"]] = -np.inf
        ranks.append(int((total > total[caseload.slot[person]]).sum()))
    found = np.array(ranks)
    say(
        f"remains with no document ({found.size:,} reported): recall@1 {np.mean(found < 1):.3f}, "
        f"recall@10 {np.mean(found < 10):.3f} with likelihood ratios fitted to the truth"
    )


if __name__ == "__main__":
    main()
