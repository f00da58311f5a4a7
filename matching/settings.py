"""Tolerances and thresholds of the comparison rules, passed in rather than read from config."""

from __future__ import annotations

from dataclasses import dataclass

from matching.calibration import Calibration
from matching.errors import MatchingError
from matching.weights import CRITERIA

#: hard contradictions a setting may make exclude a pair outright
CONTRADICTIONS = frozenset({"sex", "age"})


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """Rules of comparison; the defaults are documented in docs/matching.md.

    Attributes:
        review_threshold: least match probability that puts a candidate in the review queue.
        last_seen_tolerance_days: remains found more than this many days before the person was
            last seen are excluded (dates reported by families are often approximate).
        pmi_slack_days: fixed part of the slack allowed when the PMI puts death before the
            last-seen date; ``pmi_slack_fraction`` of the PMI is added to it.
        pmi_slack_fraction: part of the PMI lower bound added to the slack.
        age_tolerance_years: an age at death this close to the estimated range still agrees.
        age_near_years: up to this far from the range, the age is "near".
        stature_tolerance_cm: a reported height this close to the stature range still agrees.
        stature_near_cm: up to this far from the range, the stature is "near".
        distance_thresholds_km: upper bounds of the distance levels km2 ... km1000.
        sea_drift_factor: distance thresholds are multiplied by this when the journey crossed
            the sea or the remains were recovered at sea or on a shore.
        point_only_factor: distance thresholds are also multiplied by this when the person
            reported no intended route, so the distance is to the last-seen point only: people
            travel on from where they were last seen, usually a corridor's starting point.
        home_time_factor: for a person last seen at home (``LastSeenKind.HOME``), the days
            from last seen to the estimated death or the recovery are divided by this before
            the PMI and interval levels read them: the journey from home took weeks or months
            (see ``matching.last_seen``).
        interval_days: upper bounds of the interval levels week ... two_years.
        pmi_gap_days: bounds of the PMI levels on the days from last seen to the estimated
            death (found date − the PMI range's geometric middle): below the first bound the
            person was last seen after the estimated death ("after_estimate"), then
            "at_estimate", "within_week" ... "within_four_months", and "later" beyond the last.
        land_interval_factor: the interval bounds are multiplied by this for journeys over
            land (not sea): bodies in the desert or the jungle are often found months or years
            after death, at sea within weeks, so a short interval says less on land.
        pmi_replaces_interval: when the PMI is compared, the interval is not: both measure the
            time from last seen to the recovery, and counting both would count it twice.
        range_central_fraction: the age and the stature are "central" (the strong level) when
            the reported value comes within this fraction of the half-width of the estimated
            range from its middle (both ends of the range known); 0 leaves only "within".
        name_similarity_bits: bits taken off a name token's agreement per point of similarity
            below 100 (rapidfuzz 0–100 on folded keys; a short form counts as
            ``SHORT_FORM_SIMILARITY``): a one-letter slip in a long name costs little, a
            looser likeness more.
        name_frequency_cap_bits: the term-frequency adjustment of one agreeing name token
            (log2 of the average chance agreement over the chance agreement on that name, as
            Splink does) is held within ± this many bits.
        name_all_reported_bits: where only a surname or only a given name agrees, the bits
            added when every reported name agrees with a document name all the same (the
            report holds no name the documents lack: a report with a surname only, against a
            document reading that surname alone), as (surname only, given name only); m and u
            of "every reported name found" at those names levels, measured on FEBRL3 (its 3,000
            true pairs and 400,000 random pairs; never on FEBRL4, the benchmark), so that of
            the reports sharing a document's surname, the one whose names the document holds
            all of comes first.
        name_unreported_bits: the bits at those levels when a reported name is not on the
            documents (the usual case there, a little more common among other people's
            reports), as (surname only, given name only).
        age_contradiction_years: an age at death this many years or more outside the
            estimated range is a hard contradiction.
        excluding_contradictions: which hard contradictions exclude the pair outright, of
            "sex" (both sexes known and different) and "age" (``age_contradiction_years``);
            a person last seen alive after the remains were found (beyond
            ``last_seen_tolerance_days``) is always excluded. A contradiction that does not
            exclude still voids the names' weight for the pair: people carry relatives' and
            friends' documents, so a name hit on remains of the wrong sex or an age decades off
            more likely names someone else.
        voiding_contradictions: which hard contradictions void the names' weight (when they
            do not exclude); an empty set lets names count whatever sex and age say. Sex is
            not in the default: the records do not say how certain a sex estimate is, and on
            the benchmark caseload (3 % of remains' sex estimated wrong) voiding on sex cost
            recall@1 0.015 on remains with a document; an installation whose sex estimates
            are certain (DNA amelogenin, intact remains) adds it.
        reported_share: when set, the prior comes from the caseload rather than the weights'
            constant: remains are taken to be, with this probability, the person of one of the
            open reports they can be compared with, all alike beforehand (so the prior of each
            pair is this share over their number) and candidates compete for it (see
            ``CandidateIndex``). It is the share of remains whose person the caseload holds:
            near 1 where families report nearly everyone, far lower at sea.
        calibration: Platt scaling of the caseload prior's probabilities (``reported_share``
            set), learned from decided candidates or another caseload, never from the caseload
            it is applied to (see ``matching.calibration``); None leaves them as they are.
    """

    review_threshold: float = 0.5
    last_seen_tolerance_days: float = 2.0
    pmi_slack_days: float = 7.0
    pmi_slack_fraction: float = 0.25
    age_tolerance_years: float = 1.0
    age_near_years: float = 6.0
    stature_tolerance_cm: float = 3.0
    stature_near_cm: float = 8.0
    distance_thresholds_km: tuple[float, ...] = (
        2.0,
        5.0,
        10.0,
        15.0,
        25.0,
        40.0,
        60.0,
        100.0,
        150.0,
        250.0,
        400.0,
        1000.0,
    )
    sea_drift_factor: float = 5.0
    point_only_factor: float = 4.0
    home_time_factor: float = 4.0
    interval_days: tuple[float, ...] = (7.0, 15.0, 30.0, 45.0, 60.0, 90.0, 180.0, 365.0, 730.0)
    pmi_gap_days: tuple[float, ...] = (-3.0, 4.0, 8.0, 15.0, 30.0, 60.0, 120.0)
    land_interval_factor: float = 8.0
    pmi_replaces_interval: bool = True
    range_central_fraction: float = 0.5
    name_similarity_bits: float = 0.25
    name_frequency_cap_bits: float = 5.0
    name_all_reported_bits: tuple[float, float] = (1.74, 2.59)
    name_unreported_bits: tuple[float, float] = (-0.12, -0.08)
    age_contradiction_years: float = 15.0
    excluding_contradictions: frozenset[str] = frozenset()
    voiding_contradictions: frozenset[str] = frozenset({"age"})
    reported_share: float | None = None
    calibration: Calibration | None = None

    def __post_init__(self) -> None:
        if not self.home_time_factor >= 1.0:
            raise MatchingError(f"home_time_factor must be 1 or more, not {self.home_time_factor}")
        if self.reported_share is not None and not 0.0 < self.reported_share <= 1.0:
            raise MatchingError(f"reported_share must lie in (0, 1], not {self.reported_share}")
        for field in ("excluding_contradictions", "voiding_contradictions"):
            unknown = set(getattr(self, field)) - CONTRADICTIONS
            if unknown:
                raise MatchingError(
                    f"{field} may name only {sorted(CONTRADICTIONS)}, not {sorted(unknown)}"
                )
        for field, criterion, extra in (
            ("distance_thresholds_km", "distance", 1),
            ("interval_days", "interval", 1),
            ("pmi_gap_days", "pmi", 3),
        ):
            bounds = getattr(self, field)
            wanted = len(CRITERIA[criterion]) - extra
            if len(bounds) != wanted or list(bounds) != sorted(bounds):
                raise MatchingError(
                    f"{field} must hold {wanted} ascending bounds, as the {criterion} "
                    f"levels need, not {bounds!r}"
                )
