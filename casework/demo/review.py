"""The demo's review history: candidates decided as reviewers would have (true pairs identified
or proposed, some false ones excluded) and repatriations of the identified at every step."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from casework.accounts.models import Role, User
from casework.cases.status import Via, record_transition
from casework.clock import now
from casework.custody.holdings import dna_sample_held
from casework.custody.models import Sample, SampleKind
from casework.db import db
from casework.demo.cases import CaseBuilder
from casework.matches.models import CandidateMatch, CandidateStatus
from casework.missing.models import MissingPerson, MissingPersonStatus
from casework.remains.models import RemainsStatus, UnidentifiedRemains
from casework.repatriation.models import Repatriation, RepatriationStep, StepKind
from casework.repatriation.services import DEFAULT_DUE_DAYS

# how many candidates reached each stage, and how many repatriations are open or complete
Stages = Counter[str]
REPATRIATIONS_OPEN, REPATRIATIONS_COMPLETE = "repatriations_open", "repatriations_complete"


EXCLUSION_REASONS = (
    "DNA reference from the mother excludes parentage at several loci.",
    "Dental chart incompatible: tooth 36 restored before the disappearance, sound post-mortem.",
    "The family confirms he called home two weeks after the recovery date.",
    "Stature and age range cannot fit: the family describes someone far taller.",
    "The tattoo described by the sister is absent from the examined skin.",
)
PROPOSALS = (  # identifiers cited, and the proposer's words
    ("dna", "DNA kinship match with the mother's reference sample."),
    ("dental", "Ante-mortem dental records match, restorations included."),
    ("dna;dental", "DNA kinship match, and the dental chart agrees."),
    ("secondary", "Identity document on the body; tattoo and clothing as the family described."),
)


def moved(
    case: MissingPerson | UnidentifiedRemains,
    target: MissingPersonStatus | RemainsStatus,
    via: Via,
    user: User | None,
    at: datetime,
    reason: str | None = None,
) -> None:
    """A status change through the status machine's own rules, dated when it happened."""
    record_transition(case, target, user, reason, via=via).changed_at = at


def keep_dna_sample(case: UnidentifiedRemains) -> None:
    """A tooth kept for DNA before burial or release, as the status machine requires."""
    if not dna_sample_held(case.id):
        db.session.add(
            Sample(
                barcode=f"DEMO-KEPT-{case.reference}",
                kind=SampleKind.TOOTH,
                remains_id=case.id,
                collected_at=case.created_at,
            )
        )
        db.session.flush()


def decide_candidates(builder: CaseBuilder, truth: dict[object, object], stages: Stages) -> None:
    """Put some candidates at each stage, as reviewers would have: true pairs identified or
    proposed, some false ones excluded with a reason."""
    rng = builder.rng
    rows = sorted(
        db.session.scalars(select(CandidateMatch)),
        key=lambda row: (-row.score, row.remains.reference, row.missing_person.reference),
    )
    true_pairs = [row for row in rows if truth.get(row.remains_id) == row.missing_person_id]
    true_pairs.sort(key=lambda row: row.remains.reference)
    decided_cases: set[object] = set()
    for number, row in enumerate(true_pairs):
        remains, person = row.remains, row.missing_person
        code = next(c for c, a in builder.agencies.items() if a.id == remains.agency_id)
        officer = builder.user_of(code, Role.FORENSIC_OFFICER)
        supervisor = builder.user_of(code, Role.SUPERVISOR)
        if number % 5 in (3, 4):
            continue
        start = max(remains.created_at, person.created_at)
        span = max(1, (now() - start).days)
        proposed_at = start + timedelta(days=rng.randint(0, span - 1) * 0.7)
        row.identifiers, row.decision_reason = rng.choice(PROPOSALS)
        row.proposed_by_id, row.proposed_at = officer.id, proposed_at
        decided_cases.update((remains.id, person.id))
        review = Via.MATCHING
        moved(remains, RemainsStatus.CANDIDATE_UNDER_REVIEW, review, officer, proposed_at)
        moved(person, MissingPersonStatus.CANDIDATE_UNDER_REVIEW, review, officer, proposed_at)
        if number % 5 == 1:
            row.status = CandidateStatus.IDENTIFICATION_PROPOSED
            remains.updated_at = person.updated_at = proposed_at
            stages[CandidateStatus.IDENTIFICATION_PROPOSED] += 1
            continue
        decided_at = proposed_at + (now() - proposed_at) * rng.uniform(0.05, 0.3)
        row.status = CandidateStatus.CONFIRMED
        row.decided_by_id, row.decided_at = supervisor.id, decided_at
        moved(remains, RemainsStatus.IDENTIFIED, Via.IDENTIFICATION, supervisor, decided_at)
        remains.identified_as_id = person.id
        moved(person, MissingPersonStatus.IDENTIFIED, Via.IDENTIFICATION, supervisor, decided_at)
        remains.updated_at = person.updated_at = decided_at
        stages[CandidateStatus.CONFIRMED] += 1
        if (now() - decided_at).days > 90 and rng.random() < 0.4:
            builder.repatriated.add(remains.id)
            consulate = {"GTM": "Consulate of Guatemala", "SEN": "Senegal Foreign Ministry"}
            builder.custody(
                remains=remains,
                steps=(
                    (
                        builder.agencies[code].name,
                        consulate.get(person.nationality or "", "Funeral home (repatriation)"),
                        "Released to the family for repatriation",
                    ),
                ),
                start=decided_at + timedelta(days=rng.randint(20, 60)),
                user=supervisor,
            )
    builder.settle()
    false_pairs = [
        row
        for row in rows
        if truth.get(row.remains_id) != row.missing_person_id
        and row.remains_id not in decided_cases
        and row.missing_person_id not in decided_cases
    ]
    best_per_remains: dict[object, CandidateMatch] = {}
    for row in false_pairs:  # rows run from the highest score down
        best_per_remains.setdefault(row.remains_id, row)
    for number, row in enumerate(best_per_remains.values()):
        if number % 3:
            continue
        code = next(c for c, a in builder.agencies.items() if a.id == row.remains.agency_id)
        row.status = CandidateStatus.EXCLUDED
        row.decision_reason = rng.choice(EXCLUSION_REASONS)
        row.excluded_digest = row.evidence_digest
        row.decided_by_id = builder.user_of(code, Role.FORENSIC_OFFICER).id
        row.decided_at = now() - timedelta(hours=rng.randint(1, 24 * 30))
        stages[CandidateStatus.EXCLUDED] += 1


# the order a consul usually gets the steps done in; a burial instead of a hand-over is rare
_REPATRIATION_ORDER = (
    StepKind.FAMILY_NOTIFIED,
    StepKind.DEATH_CERTIFICATE,
    StepKind.FAMILY_CONSENT,
    StepKind.TRANSIT_PERMIT,
    StepKind.TRANSPORT,
    StepKind.HANDED_OVER,
)
REPATRIATION_NOTES = (
    "Family reached by phone through the consulate; they asked for a visit.",
    "Certificate requested from the county registrar.",
    "Airline cargo booked; waiting for the transit permit.",
    "Funeral home in the home town confirmed.",
)


def start_repatriations(builder: CaseBuilder, stages: Stages) -> None:
    """Repatriations for most confirmed identifications: those whose remains went home are
    complete, the others at some step, the older ones with overdue steps."""
    rng, today = builder.rng, builder.today
    consuls = {
        builder.agencies[code].country: user
        for (code, role), user in builder.staff.items()
        if role is Role.CONSULAR_OFFICIAL
    }
    confirmed = sorted(
        db.session.scalars(
            select(CandidateMatch).where(CandidateMatch.status == CandidateStatus.CONFIRMED)
        ),
        key=lambda row: row.remains.reference,
    )
    for number, row in enumerate(confirmed):
        remains, person = row.remains, row.missing_person
        identified_on = (row.decided_at or now()).date()
        span = (today - identified_on).days
        finished = remains.id in builder.repatriated
        if span < 2 or (not finished and number % 4 == 3):
            continue  # identified too recently, or the consul has not started yet
        start = identified_on + timedelta(days=rng.randint(1, min(10, span - 1)))
        consul = consuls.get(person.nationality or "")
        repatriation = Repatriation(
            remains_id=remains.id,
            missing_person_id=person.id,
            identified_on=identified_on,
            started_by_id=consul.id if consul else None,
            started_at=datetime.combine(start, time(10), UTC),
        )
        steps = {}
        for kind in StepKind:
            days = DEFAULT_DUE_DAYS[kind]
            steps[kind] = RepatriationStep(
                kind=kind, due_date=start + timedelta(days=days) if days is not None else None
            )
            repatriation.steps.append(steps[kind])
        done = len(_REPATRIATION_ORDER) if finished else rng.randint(0, 4)
        room = max(0, (today - start).days)
        day = start
        for kind in _REPATRIATION_ORDER[:done]:
            day = min(today, day + timedelta(days=rng.randint(0, max(0, room // 6))))
            steps[kind].completed_on = day
            steps[kind].responsible_user_id = consul.id if consul else None
            if rng.random() < 0.4:
                steps[kind].notes = rng.choice(REPATRIATION_NOTES)
        if finished:
            repatriation.closed_on = steps[StepKind.HANDED_OVER].completed_on
            handed_over = datetime.combine(repatriation.closed_on, time(16), UTC)
            keep_dna_sample(remains)  # the laboratory kept a sample before the release
            moved(remains, RemainsStatus.REPATRIATED, Via.WORKFLOW, consul, handed_over)
            stages[REPATRIATIONS_COMPLETE] += 1
        else:
            stages[REPATRIATIONS_OPEN] += 1
        db.session.add(repatriation)
    db.session.flush()


__all__ = [
    "REPATRIATIONS_COMPLETE",
    "REPATRIATIONS_OPEN",
    "Stages",
    "decide_candidates",
    "moved",
    "start_repatriations",
]
