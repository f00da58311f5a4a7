"""Evidence in words: compare pairs in full and say what raised or lowered each score, in terms
an officer can check against the case files ("Stature 165–175 cm consistent with ...").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.candidates import Candidate, Evidence
from matching.dental import compare_teeth
from matching.dna import pair_dna
from matching.features import missing_row, remains_row, single_columns
from matching.geodesy import distance_to_route_km
from matching.names import convention_text, near_text
from matching.records import MissingRecord, RemainsRecord
from matching.scoring import (
    NameAgreement,
    age_at_death,
    compare_columns,
    distance_level,
    estimated_pmi,
    name_agreement_pair,
    near_miss_pair,
    pair_name_agreement,
    pair_totals,
    probability,
    weight_tables,
)
from matching.settings import MatchSettings
from matching.vocabulary import effect_colours, effect_concepts, mark_words
from matching.weights import CRITERIA, Weights, default_weights

Array = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _range_text(low: float | None, high: float | None, unit: str = "") -> str:
    if low is not None and high is not None:
        return f"{_num(low)}–{_num(high)}{unit}"
    if low is not None:
        return f"≥{_num(low)}{unit}"
    return f"≤{_num(high or 0.0)}{unit}"


_NAME_TEXT = {
    1: "all names on the documents match reported names",
    2: "a given name and a surname match",
    3: "only a surname matches (could be a relative)",
    4: "only a given name matches",
    5: "no name on the documents matches a reported name",
}


@dataclass(frozen=True, slots=True)
class PairDescription:
    """Everything said about one compared pair."""

    evidence: tuple[Evidence, ...]
    excluded: bool
    total: float


def describe_pairs(
    missing: list[MissingRecord],
    remains: list[RemainsRecord],
    m: Mapping[str, Array],
    r: Mapping[str, Array],
    names: NameAgreement,
    route_km: FloatArray,
    weights: Weights,
    settings: MatchSettings,
    as_of: date | None = None,
) -> list[PairDescription]:
    """Compare aligned pairs in full and put the evidence in words, strongest first.

    ``m`` and ``r`` are feature columns aligned with ``missing`` and ``remains``; ``route_km``
    holds the distance to the intended route where already known (NaN: work it out here).
    The levels come from ``compare_columns``, so the words always agree with the ranking.
    """
    as_of_day = float(as_of.toordinal()) if as_of is not None else float("nan")
    compared = compare_columns(m, r, names, settings, as_of_day)
    point_km = np.broadcast_to(compared.point_km, (len(missing),)).copy()
    route = np.array(route_km, dtype=np.float64, copy=True)
    for i, (person, body) in enumerate(zip(missing, remains, strict=True)):
        if (
            np.isnan(route[i])
            and person.route is not None
            and not person.route.is_empty
            and body.found_lat is not None
            and body.found_lon is not None
        ):
            route[i] = distance_to_route_km(body.found_lat, body.found_lon, person.route)
    # the route counts only when nearer by more than a metre: a last-seen point on the route
    # measures the same either way, give or take rounding
    via_route = ~np.isnan(route) & ~(point_km <= route + 1e-3)
    km = np.where(via_route, route, point_km)
    sea = np.broadcast_to(m["sea"] | r["sea"], (len(missing),))
    levels = dict(compared.levels)
    no_route = np.broadcast_to(~m["has_route"], (len(missing),))
    levels["distance"] = distance_level(km, sea, settings, no_route)
    levels = {c: np.broadcast_to(v, (len(missing),)) for c, v in levels.items()}
    tables = weight_tables(weights)
    contradicted = np.broadcast_to(compared.contradicted, (len(missing),))
    name_weight = np.broadcast_to(
        tables["names"][levels["names"]] + compared.name_bits, (len(missing),)
    )
    # the names line shows what the names add to the total: nothing in favour when a hard
    # contradiction says the document may be someone else's
    voided = contradicted & (name_weight > 0)
    name_bits = np.where(
        voided, -tables["names"][levels["names"]], np.broadcast_to(compared.name_bits, voided.shape)
    ).tolist()
    voided_list = voided.tolist()
    totals = np.broadcast_to(
        pair_totals(replace(compared, levels=levels), tables), (len(missing),)
    ).tolist()
    excluded = np.broadcast_to(compared.excluded, (len(missing),)).tolist()
    age_lo, age_hi = age_at_death(m, r, as_of_day)
    ages = zip(
        np.broadcast_to(age_lo, (len(missing),)).tolist(),
        np.broadcast_to(age_hi, (len(missing),)).tolist(),
        strict=True,
    )
    dice = np.broadcast_to(names.dice, (len(missing),)).tolist()
    every_reported = np.broadcast_to(names.all_reported, (len(missing),)).tolist()
    pmi_days = np.broadcast_to(estimated_pmi(r), (len(missing),)).tolist()
    # plain Python lists: indexing numpy arrays element by element is slow
    columns = {criterion: level.tolist() for criterion, level in levels.items()}
    level_weights = {criterion: table.tolist() for criterion, table in tables.items()}
    rows = zip(missing, remains, km.tolist(), via_route.tolist(), sea.tolist(), ages, strict=True)
    described = []
    for i, (person, body, pair_km, by_route, at_sea, age_range) in enumerate(rows):
        pair_levels = {criterion: level[i] for criterion, level in columns.items()}
        evidence = _pair_evidence(
            person,
            body,
            pair_levels,
            level_weights,
            pair_km,
            by_route,
            at_sea,
            age_range,
            dice[i],
            pmi_days[i],
            name_bits[i],
            voided_list[i],
            bool(every_reported[i]),
        )
        total, is_excluded = float(totals[i]), bool(excluded[i])
        dna = pair_dna(person, body)
        if dna is not None:
            # the LR is a likelihood ratio like the others: its log2 adds to the total
            total += dna.weight
            is_excluded = is_excluded or dna.excludes
            if dna.log10_lr is not None or dna.lineage_note:
                line = Evidence("dna", round(dna.weight, 2), dna.text(person.sex))
                evidence = tuple(sorted((*evidence, line), key=lambda item: -abs(item.weight)))
        if is_excluded:
            evidence = (
                Evidence("exclusion", float("-inf"), _exclusion_text(person, body, settings)),
                *evidence,
            )
        described.append(PairDescription(evidence, is_excluded, total))
    return described


def _span_text(low: float, high: float) -> str:
    """ "32" for 32–32, "32–34" otherwise."""
    return _num(low) if low == high else f"{_num(low)}–{_num(high)}"


def _pmi_text(
    missing: MissingRecord, remains: RemainsRecord, level: str, estimate_days: float
) -> str:
    """The PMI against the last-seen date, in words: when it puts death (``estimate_days``:
    the PMI the score took, ``estimated_pmi``)."""
    assert remains.found_date is not None and missing.last_seen_date is not None
    pmi = _range_text(remains.pmi_min_days, remains.pmi_max_days, " days")
    if level in ("borderline", "inconsistent"):
        latest = remains.found_date - timedelta(days=float(remains.pmi_min_days or 0.0))
        before = (missing.last_seen_date - latest).days
        return f"PMI {pmi} puts death by {latest}, {before} days before last seen"
    estimate = remains.found_date - timedelta(days=round(estimate_days))
    gap = (estimate - missing.last_seen_date).days
    if gap < 0:
        return (
            f"PMI {pmi} puts death about {estimate}, {-gap} days before last seen "
            f"({missing.last_seen_date}), though still within its range"
        )
    return (
        f"PMI {pmi} puts death about {estimate}, {gap} days after last seen "
        f"({missing.last_seen_date})"
    )


def _pair_evidence(
    missing: MissingRecord,
    remains: RemainsRecord,
    levels: dict[str, int],
    level_weights: Mapping[str, list[float]],
    km: float,
    via_route: bool,
    sea: bool,
    age_range: tuple[float, float],
    dice: float,
    pmi_days: float,
    name_bits: float = 0.0,
    voided: bool = False,
    every_reported: bool = False,
) -> tuple[Evidence, ...]:
    evidence: list[Evidence] = []

    def add(criterion: str, text: str, extra: float = 0.0) -> None:
        level = levels[criterion]
        if level:
            weight = round(level_weights[criterion][level] + extra, 2)
            evidence.append(Evidence(criterion, weight, text))

    if levels["names"]:
        _given, _surname, _all, matched, _bits = name_agreement_pair(missing, remains)
        docs = "; ".join(remains.document_names)
        pairs = ", ".join(f"{d}≈{k}" if d != k else d for d, k in matched[:4])
        notes = [
            note for d, k in matched[:4] if d != k and (note := convention_text(d, k)) is not None
        ]
        add(
            "names",
            f"Document names '{docs}': {_NAME_TEXT[levels['names']]}"
            + (f" ({pairs})" if pairs else "")
            + (f"; {'; '.join(notes)}" if notes else "")
            + (
                # the bits below count it (``MatchSettings.name_all_reported_bits``)
                "; the report holds no name the documents lack"
                if levels["names"] in (3, 4) and every_reported
                else ""
            )
            + (
                f"; how rare the names are and how closely spelt: {name_bits:+.1f}"
                if abs(name_bits) >= 0.05 and not voided
                else ""
            )
            + (
                "; not counted: the sex or the age contradicts it, so the document may be "
                "someone else's"
                if voided
                else ""
            ),
            name_bits,
        )
    if levels["name_near"]:
        _band, near = near_miss_pair(missing, remains)
        if near:
            said = "; ".join(near_text(d, k) for d, k in near[:3])
            kind = "a near miss" if levels["name_near"] == 1 else "a loose likeness"
            add("name_near", f"{said}: {kind}, weak evidence, not an agreement")
        else:
            add("name_near", "A document name agrees with no reported name, nor comes near one")
    # the texts of the common criteria are put together only where the criterion counts
    if levels["encoded_names"]:
        add(
            "encoded_names",
            f"Shared names compared without reading them: Dice similarity {dice:.2f}",
        )
    if levels["sex"]:
        add("sex", f"Sex reported {missing.sex.value}, estimated {remains.sex.value}")
    verdicts = ("consistent with", "consistent with", "close to", "far from")
    middle = {1: ", near the middle of the range"}
    if levels["age"]:
        add(
            "age",
            f"Estimated age {_range_text(remains.age_min, remains.age_max)} "
            f"{verdicts[levels['age'] - 1]} age at death about "
            + _span_text(round(age_range[0]), round(age_range[1]))
            + middle.get(levels["age"], ""),
        )
    if levels["stature"]:
        add(
            "stature",
            f"Stature {_range_text(remains.stature_min_cm, remains.stature_max_cm, ' cm')} "
            f"{verdicts[levels['stature'] - 1]} "
            f"reported height {_num(missing.height_cm or 0.0)} cm"
            + middle.get(levels["stature"], ""),
        )
    if levels["interval"] and remains.found_date and missing.last_seen_date:
        days = (remains.found_date - missing.last_seen_date).days
        add("interval", f"Found {days} days after last seen ({missing.last_seen_date})")
    if levels["pmi"] and remains.found_date and missing.last_seen_date:
        add("pmi", _pmi_text(missing, remains, CRITERIA["pmi"][levels["pmi"] - 1], pmi_days))
    if levels["distance"]:
        place = f" ({missing.last_seen_place})" if missing.last_seen_place else ""
        via = "the intended route" if via_route else f"the last-seen point{place}"
        drift = " (sea drift allowed)" if sea else ""
        add("distance", f"Found {km:.0f} km from {via}{drift}")
    if levels["marks"]:
        add("marks", _marks_text(missing, remains))
    if levels["effects"]:
        add("effects", _effects_text(missing, remains))
    if levels["dental"]:
        add("dental", _dental_text(missing, remains))
    evidence.sort(key=lambda item: -abs(item.weight))
    return tuple(evidence)


def _exclusion_text(missing: MissingRecord, remains: RemainsRecord, settings: MatchSettings) -> str:
    reasons = []
    if remains.found_date and missing.last_seen_date:
        days = (missing.last_seen_date - remains.found_date).days
        if days > settings.last_seen_tolerance_days:
            reasons.append(f"remains found {days} days before the person was last seen")
    teeth = [f for f in compare_teeth(missing.dental, remains.dental) if f.verdict == "excluding"]
    if teeth:
        listed = ", ".join(str(f.tooth) for f in teeth)
        reasons.append(f"tooth {listed} missing in life but present after death")
    dna = pair_dna(missing, remains)
    if dna is not None and dna.excludes:
        reasons.append(dna.exclusion_text())
    return "EXCLUDED: " + "; ".join(reasons)


def _marks_text(missing: MissingRecord, remains: RemainsRecord) -> str:
    agreeing = []
    for am in missing.marks:
        for pm in remains.marks:
            if am.kind != pm.kind:
                continue
            place = am.region == pm.region and (not am.side or not pm.side or am.side == pm.side)
            shared = sorted(mark_words(am) & mark_words(pm))
            detail = f" ({', '.join(shared)})" if shared else ""
            side = pm.side or am.side
            where = f" on {side + ' ' if side else ''}{pm.region}" if place and pm.region else ""
            agreeing.append(f"{pm.kind}{where}{detail}")
    if not agreeing:
        return (
            f"Marks differ: reported {', '.join(map(str, missing.marks))}; "
            f"found {', '.join(map(str, remains.marks))}"
        )
    return "Marks in common: " + "; ".join(sorted(set(agreeing))[:3])


def _effects_text(missing: MissingRecord, remains: RemainsRecord) -> str:
    am = frozenset().union(*(effect_concepts(t) for t in missing.effects))
    pm = frozenset().union(*(effect_concepts(t) for t in remains.effects))
    shared = sorted(am & pm)
    if not shared:
        reported, found = ", ".join(sorted(am)), ", ".join(sorted(pm))
        return f"No effects in common (reported {reported}; found {found})"
    am_colours = frozenset().union(*(effect_colours(t) for t in missing.effects))
    pm_colours = frozenset().union(*(effect_colours(t) for t in remains.effects))
    colours = sorted(am_colours & pm_colours)
    return (
        "Effects in common: "
        + ", ".join(shared)
        + (f" (colours {', '.join(colours)})" if colours else "")
    )


def _dental_text(missing: MissingRecord, remains: RemainsRecord) -> str:
    findings = compare_teeth(missing.dental, remains.dental)
    counts = {
        verdict: [f for f in findings if f.verdict == verdict]
        for verdict in ("concordant", "explainable", "inconsistent", "excluding")
    }
    same = len(counts["concordant"])
    parts = [f"{same} {'tooth' if same == 1 else 'teeth'} concordant"]
    for verdict in ("explainable", "inconsistent", "excluding"):
        if counts[verdict]:
            listed = ", ".join(str(f) for f in counts[verdict][:4])
            parts.append(f"{len(counts[verdict])} {verdict} ({listed})")
    return "Dental: " + "; ".join(parts)


def score_pair(
    missing: MissingRecord,
    remains: RemainsRecord,
    weights: Weights | None = None,
    settings: MatchSettings | None = None,
    as_of: date | None = None,
    name_frequency: Callable[[str], float] | None = None,
) -> Candidate:
    """Compare one missing person with one set of remains and explain the result.

    An excluded pair gets score 0 and an "exclusion" evidence line saying why. Names are
    weighed without term-frequency adjustment unless ``name_frequency`` gives it (a
    ``CandidateIndex`` learns it from its caseload: ``CandidateIndex.score_pair``).

    Example:
        >>> from matching.records import Sex
        >>> c = score_pair(
        ...     MissingRecord("M1", sex=Sex.MALE, height_cm=170),
        ...     RemainsRecord("R1", sex=Sex.MALE, stature_min_cm=165, stature_max_cm=175),
        ... )
        >>> [e.criterion for e in c.evidence]
        ['stature', 'sex']
    """
    weights = weights or default_weights()
    settings = settings or MatchSettings()
    m = single_columns(missing_row(missing))
    r = single_columns(remains_row(remains))
    described = describe_pairs(
        [missing],
        [remains],
        m,
        r,
        pair_name_agreement([missing], [remains], settings, name_frequency),
        np.array([np.nan]),
        weights,
        settings,
        as_of,
    )[0]
    score = 0.0 if described.excluded else float(probability(described.total, weights))
    return Candidate(
        missing_ref=missing.ref,
        remains_ref=remains.ref,
        score=score,
        review=not described.excluded and score >= settings.review_threshold,
        evidence=described.evidence,
    )
