"""Keeping candidates up to date, and the review rules: exclude with a reason, identify with
two signatures citing the identifiers that confirm it, re-estimate weights from decisions."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, inspect, select
from sqlalchemy.orm import selectinload

from casework.accounts.models import Role, User
from casework.cases.events import candidate_for_review, identification_proposed, status_changed
from casework.cases.status import Via, record_transition
from casework.clock import now
from casework.db import db, transaction, utcnow
from casework.dna.models import DnaHit
from casework.errors import ConflictError, NotAllowed, ValidationError
from casework.jobs.models import Job, JobKind
from casework.jobs.services import JobFailed, Progress, params_of
from casework.jobs.services import create as create_job
from casework.keystore import current_keyring
from casework.matches.models import (
    PRIMARY_IDENTIFIERS,
    CandidateMatch,
    CandidateStatus,
    Identifier,
    MatchWeights,
    PendingRefresh,
)
from casework.matches.open_cases import OPEN_MISSING, OPEN_REMAINS, open_cases
from casework.matches.probabilities import (
    latest_weights,
    learn_calibration,
    stored_calibration,
)
from casework.matches.records import missing_record, remains_record
from casework.metrics import time_matching
from casework.missing.models import MissingPerson, MissingPersonStatus
from casework.remains.models import RemainsStatus, UnidentifiedRemains
from casework.vocabulary import word
from matching import (
    Candidate,
    LabelledPair,
    Weights,
    default_weights,
    estimate_weights,
)

log = logging.getLogger(__name__)

TOP_K = 10
_CHILDREN = ("marks", "effects", "dental")


def current_weights() -> Weights:
    latest = latest_weights()
    return Weights.from_json(latest.weights_json) if latest else default_weights()


def open_missing() -> list[MissingPerson]:
    """Every open missing-person case, with what the engine compares loaded in bulk."""
    options = [selectinload(getattr(MissingPerson, name)) for name in _CHILDREN]
    return list(
        db.session.scalars(
            select(MissingPerson).where(MissingPerson.status.in_(OPEN_MISSING)).options(*options)
        )
    )


def open_remains() -> list[UnidentifiedRemains]:
    """Every open remains case, with what the engine compares loaded in bulk."""
    options = [selectinload(getattr(UnidentifiedRemains, name)) for name in _CHILDREN]
    return list(
        db.session.scalars(
            select(UnidentifiedRemains)
            .where(UnidentifiedRemains.status.in_(OPEN_REMAINS))
            .options(*options)
        )
    )


def evidence_digest(candidate: Candidate) -> str:
    """What the evidence says, condensed (keyed, as it quotes names): an excluded pair comes
    back only if this changes."""
    facts = sorted((item.criterion, item.text) for item in candidate.evidence)
    message = json.dumps(facts, ensure_ascii=False).encode()
    return hmac.new(current_keyring().index_key, message, hashlib.sha256).hexdigest()


def evidence_json(candidate: Candidate) -> str:
    """The evidence of a candidate as stored: a JSON list of {criterion, weight, text}."""
    return json.dumps(
        [
            {"criterion": e.criterion, "weight": round(e.weight, 3), "text": e.text}
            for e in candidate.evidence
        ],
        ensure_ascii=False,
    )


def _existing(pairs: list[tuple[Any, Any]]) -> dict[tuple[Any, Any], CandidateMatch]:
    """The stored rows of these (missing, remains) pairs, read in one query."""
    if not pairs:
        return {}
    missing_ids = {missing_id for missing_id, _ in pairs}
    remains_ids = {remains_id for _, remains_id in pairs}
    # narrow on the side with fewer ids (one case against many, or a full re-match)
    column, ids = (
        (CandidateMatch.missing_person_id, missing_ids)
        if len(missing_ids) <= len(remains_ids)
        else (CandidateMatch.remains_id, remains_ids)
    )
    rows = db.session.scalars(select(CandidateMatch).where(column.in_(ids)))
    return {(row.missing_person_id, row.remains_id): row for row in rows}


def _store(
    candidates: Iterable[Candidate], missing_ids: dict[str, Any], remains_ids: dict[str, Any]
) -> int:
    stored = 0
    moment = now()
    found = [
        (candidate, missing_ids[candidate.missing_ref], remains_ids[candidate.remains_ref])
        for candidate in candidates
    ]
    existing = _existing([(missing_id, remains_id) for _, missing_id, remains_id in found])
    for candidate, missing_id, remains_id in found:
        row = existing.get((missing_id, remains_id))
        digest = evidence_digest(candidate)
        was_for_review = row is not None and row.review and row.status is CandidateStatus.PROPOSED
        if row is None:
            row = CandidateMatch(missing_person_id=missing_id, remains_id=remains_id)
            db.session.add(row)
        elif row.status is CandidateStatus.EXCLUDED and row.excluded_digest != digest:
            row.status = CandidateStatus.PROPOSED  # new evidence since the exclusion
        row.score = round(candidate.score, 6)
        row.review = candidate.review
        if row.review and not was_for_review and row.status in (None, CandidateStatus.PROPOSED):
            candidate_for_review.send(row)
        row.evidence = evidence_json(candidate)
        row.evidence_digest = digest
        row.computed_at = moment
        stored += 1
    return stored


@time_matching("case")
def recompute_for_case(case: MissingPerson | UnidentifiedRemains) -> int:
    """Propose candidates for one case against every open case of the other kind.

    The open cases come from this process's index (`casework.matches.open_cases`), brought
    up to date with the database first: only new or changed cases are read.
    """
    held = open_cases()
    as_of = now().date()
    with held.lock:
        if isinstance(case, MissingPerson):
            index = held.synced(UnidentifiedRemains)
            held.put(case)
            found = index.candidates_for_missing(missing_record(case), TOP_K, as_of=as_of)
            missing_ids = {case.reference: case.id}
            ids = held.refs_to_ids(UnidentifiedRemains)
            remains_ids = {c.remains_ref: ids[c.remains_ref] for c in found}
        else:
            index = held.synced(MissingPerson)
            held.put(case)
            found = index.candidates_for_remains(remains_record(case), TOP_K, as_of=as_of)
            ids = held.refs_to_ids(MissingPerson)
            missing_ids = {c.missing_ref: ids[c.missing_ref] for c in found}
            remains_ids = {case.reference: case.id}
    with transaction():
        stored = _store(found, missing_ids, remains_ids)
        db.session.execute(delete(PendingRefresh).where(_owned_by(case)))
    return stored


def _is_open(case: MissingPerson | UnidentifiedRemains) -> bool:
    return case.status in (OPEN_MISSING if isinstance(case, MissingPerson) else OPEN_REMAINS)


def _owned_by(case: MissingPerson | UnidentifiedRemains) -> Any:
    if isinstance(case, MissingPerson):
        return PendingRefresh.missing_person_id == case.id
    return PendingRefresh.remains_id == case.id


def refresh_after_save(case: MissingPerson | UnidentifiedRemains) -> None:
    """Inside the save's transaction: note that the case's candidates are to be recomputed,
    and recompute them once the save has committed. A failure there does not undo the save
    nor reach the user; it is logged and the note stays for `refresh_pending`."""
    db.session.flush()  # a new case takes its first status (a column default) here
    if not _is_open(case):
        return  # a closed case keeps the candidates it has; a reopened one is matched again
    key = "missing_person_id" if isinstance(case, MissingPerson) else "remains_id"
    if db.session.scalar(select(PendingRefresh.id).where(_owned_by(case))) is None:
        db.session.add(PendingRefresh(**{key: case.id}))
    create_job(JobKind.REFRESH, {key: str(case.id)})


def run_refresh_job(job: Job, progress: Progress) -> dict[str, Any] | None:
    """The work of a refresh job (registered by the factory): a failure leaves the case's
    pending mark (with the kind of failure) and raises, so the job is tried again."""
    params = params_of(job)
    if "missing_person_id" in params:
        case: Any = db.session.get(MissingPerson, uuid.UUID(params["missing_person_id"]))
    else:
        case = db.session.get(UnidentifiedRemains, uuid.UUID(params["remains_id"]))
    if case is None:
        return {"gone": True}  # deleted since: nothing to recompute
    if not refresh_candidates(case):
        raise JobFailed("failed")
    return None


def run_rematch_job(job: Job, progress: Progress) -> dict[str, Any]:
    """The work of a full re-match job: one transaction, so a killed worker leaves the
    candidates as they were and the retried job does it all again."""
    return {"stored": rematch_all(lambda done, total: progress(done, total, "matching"))}


def refresh_candidates(case: MissingPerson | UnidentifiedRemains) -> bool:
    """Recompute the candidates of a saved case; True when done. On a failure the case stays
    marked as pending (with the kind of failure) and the error is logged, never raised."""
    try:
        if _is_open(case):
            recompute_for_case(case)
        else:
            with transaction():
                db.session.execute(delete(PendingRefresh).where(_owned_by(case)))
        return True
    except Exception as error:
        db.session.rollback()
        log.exception("Candidates for case %s could not be recomputed; left pending", _id(case))
        _note_failure(case, error)
        return False


def _note_failure(case: MissingPerson | UnidentifiedRemains, error: Exception) -> None:
    try:
        with transaction():
            marks = db.session.scalars(select(PendingRefresh).where(_owned_by(case))).all()
            if not marks:  # refreshed outside a save (a reopened case): keep the trace anyway
                key = "missing_person_id" if isinstance(case, MissingPerson) else "remains_id"
                marks = [PendingRefresh(**{key: case.id})]
                db.session.add(marks[0])
            for mark in marks:
                mark.failures = (mark.failures or 0) + 1
                mark.last_failure = type(error).__name__[:100]
    except Exception:  # the database itself is failing: the log is all that is left
        db.session.rollback()
        log.exception("The pending recomputation of case %s could not be noted", _id(case))


def _id(case: MissingPerson | UnidentifiedRemains) -> Any:
    """The case's id without a trip to the database (which may be what just failed)."""
    identity = inspect(case).identity
    return identity[0] if identity else None


def refresh_pending() -> tuple[int, int]:
    """Recompute the candidates of every case left pending; returns (done, still failing)."""
    done = failed = 0
    for mark_id in db.session.scalars(select(PendingRefresh.id)).all():
        mark = db.session.get(PendingRefresh, mark_id)
        if mark is None:  # cleared with another mark of the same case
            continue
        case = (
            db.session.get(MissingPerson, mark.missing_person_id)
            if mark.missing_person_id is not None
            else db.session.get(UnidentifiedRemains, mark.remains_id)
        )
        if case is None:
            continue
        if refresh_candidates(case):
            done += 1
        else:
            failed += 1
    return done, failed


def refresh_after_status_change(case: MissingPerson | UnidentifiedRemains, **_: Any) -> None:
    """Listens to `casework.cases.events.status_changed`, inside the change's transaction: a
    reopened case is matched again once the change is committed; a closed one is left alone."""
    refresh_after_save(case)


@time_matching("all")
def rematch_all(progress: Callable[[int, int], None] | None = None) -> int:
    """Every open remains against every open missing person: the top K of each are stored.

    It uses this process's index of open cases (on the matching worker, the one it already
    holds), brought up to date first, rather than building a second one; saves waiting to
    recompute their candidates in this process wait for it (they hold the same lock)."""
    started = utcnow()
    held = open_cases()
    with held.lock:
        held.synced(MissingPerson)
        index = held.synced(UnidentifiedRemains)
        missing_ids = dict(held.refs_to_ids(MissingPerson))
        remains_ids = dict(held.refs_to_ids(UnidentifiedRemains))
        found = index.match_all(top_k=TOP_K, as_of=now().date(), progress=progress, processes=1)
    with transaction():
        stored = _store(found, missing_ids, remains_ids)
        # every case open when this began was just matched; later saves keep their marks
        db.session.execute(delete(PendingRefresh).where(PendingRefresh.requested_at <= started))
    return stored


def _reason(text: str | None, field: str = "reason") -> str:
    reason = (text or "").strip()
    if len(reason) < 5:
        raise ValidationError(_l("Give the reason in a few words."), field=field)
    if len(reason) > 5000:
        raise ValidationError(_l("Keep the reason under 5,000 characters."), field=field)
    return reason


def _decidable(
    candidate: CandidateMatch, version: int | None, allowed: tuple[CandidateStatus, ...]
) -> None:
    if version is None or version != candidate.version:
        raise ConflictError(
            _l(
                "Someone else decided on this candidate while you were reading it. "
                "Reload the page to see what changed."
            )
        )
    if candidate.status not in allowed:
        raise ValidationError(
            _l(
                "This candidate is %(status)s: that step does not apply.",
                status=word(candidate.status),
            )
        )


def _both_open(candidate: CandidateMatch) -> None:
    """Neither case is identified, repatriated, found alive or closed: a person is identified
    once, and remains are someone once (checked when an identification is proposed; on
    confirmation the status rules refuse a case that changed meanwhile)."""
    for case, open_statuses in (
        (candidate.remains, OPEN_REMAINS),
        (candidate.missing_person, OPEN_MISSING),
    ):
        if case.status not in open_statuses:
            raise ValidationError(
                _l(
                    "%(reference)s is already %(status)s: no identification can be proposed "
                    "with it.",
                    reference=case.reference,
                    status=word(case.status),
                )
            )


def exclude(candidate: CandidateMatch, user: User, reason: str | None, version: int | None) -> None:
    with transaction():
        _decidable(candidate, version, (CandidateStatus.PROPOSED,))
        candidate.decision_reason = _reason(reason)
        candidate.status = CandidateStatus.EXCLUDED
        candidate.excluded_digest = candidate.evidence_digest
        candidate.decided_by_id, candidate.decided_at = user.id, now()


def propose_identification(
    candidate: CandidateMatch,
    user: User,
    identifiers: list[str],
    reason: str | None,
    version: int | None,
) -> None:
    """First signature: the officer cites what confirms it (a primary identifier, or
    secondary ones with a reason)."""
    with transaction():
        _decidable(candidate, version, (CandidateStatus.PROPOSED,))
        _both_open(candidate)
        try:
            cited = {Identifier(value) for value in identifiers}
        except ValueError:
            raise ValidationError(
                _l("Choose identifiers from the list."), field="identifiers"
            ) from None
        if not cited:
            raise ValidationError(
                _l(
                    "Cite what confirms the identification: DNA, dental, fingerprints, "
                    "or secondary identifiers."
                ),
                field="identifiers",
            )
        if Identifier.DNA in cited:
            _dna_supports(candidate)
        text = (reason or "").strip()
        if not cited & PRIMARY_IDENTIFIERS:
            text = _reason(reason)  # secondary identifiers never identify alone: say why
        candidate.identifiers = ";".join(sorted(item.value for item in cited))
        candidate.decision_reason = text or None
        candidate.status = CandidateStatus.IDENTIFICATION_PROPOSED
        candidate.proposed_by_id, candidate.proposed_at = user.id, now()
        _under_review(candidate, user)
        identification_proposed.send(candidate, proposer=user)


def _dna_supports(candidate: CandidateMatch) -> None:
    """DNA may be cited only when a DNA hit for this very pair reaches the identification
    threshold (posterior, a setting) and no lineage exclusion stands."""
    hit = db.session.scalar(
        select(DnaHit).where(
            DnaHit.missing_person_id == candidate.missing_person_id,
            DnaHit.remains_id == candidate.remains_id,
        )
    )
    least = float(current_app.config["DNA_IDENTIFICATION_MIN_POSTERIOR"])
    if hit is None or hit.excludes or hit.posterior < least:
        raise ValidationError(
            _l(
                "DNA cannot be cited: no DNA result for this pair reaches a posterior "
                "probability of %(least)s %%.",
                least=f"{least * 100:g}",
            ),
            field="identifiers",
        )


def confirm_identification(candidate: CandidateMatch, user: User, version: int | None) -> None:
    """Second signature, by a supervisor other than the proposer: the remains are identified."""
    with transaction():
        _decidable(candidate, version, (CandidateStatus.IDENTIFICATION_PROPOSED,))
        if user.role is not Role.SUPERVISOR:
            raise NotAllowed(_l("Only a supervisor can confirm an identification."))
        if user.id == candidate.proposed_by_id:
            raise NotAllowed(
                _l(
                    "An identification needs two people: someone else must confirm what you "
                    "proposed."
                )
            )
        remains, person = candidate.remains, candidate.missing_person
        if remains.status not in OPEN_REMAINS:
            raise ValidationError(
                _l(
                    "%(reference)s is already %(status)s.",
                    reference=remains.reference,
                    status=word(remains.status),
                )
            )
        candidate.status = CandidateStatus.CONFIRMED
        candidate.decided_by_id, candidate.decided_at = user.id, now()
        record_transition(
            remains, RemainsStatus.IDENTIFIED, user, person.reference, via=Via.IDENTIFICATION
        )
        remains.identified_as_id = person.id
        record_transition(
            person, MissingPersonStatus.IDENTIFIED, user, remains.reference, via=Via.IDENTIFICATION
        )
        status_changed.send(person)  # what follows an identification (DNA kept or destroyed)


def reject_identification(
    candidate: CandidateMatch, user: User, reason: str | None, version: int | None
) -> None:
    with transaction():
        _decidable(candidate, version, (CandidateStatus.IDENTIFICATION_PROPOSED,))
        if user.role is not Role.SUPERVISOR:
            raise NotAllowed(_l("Only a supervisor can turn down a proposed identification."))
        candidate.decision_reason = _reason(reason)
        candidate.status = CandidateStatus.PROPOSED
        candidate.identifiers = None
        candidate.proposed_by_id = candidate.proposed_at = None
        _review_over(candidate, user)


def _under_review(candidate: CandidateMatch, user: User) -> None:
    """An identification is proposed: both cases are under review (if they were open)."""
    pairs = (
        (candidate.remains, RemainsStatus.UNIDENTIFIED, RemainsStatus.CANDIDATE_UNDER_REVIEW),
        (
            candidate.missing_person,
            MissingPersonStatus.OPEN,
            MissingPersonStatus.CANDIDATE_UNDER_REVIEW,
        ),
    )
    for case, open_status, under_review in pairs:
        if case.status is open_status:
            other = candidate.missing_person if case is candidate.remains else candidate.remains
            record_transition(case, under_review, user, other.reference, via=Via.MATCHING)


def _review_over(candidate: CandidateMatch, user: User) -> None:
    """A proposal was turned down: a case with no other pending proposal is open again."""
    pairs = (
        (
            candidate.remains,
            CandidateMatch.remains_id,
            RemainsStatus.CANDIDATE_UNDER_REVIEW,
            RemainsStatus.UNIDENTIFIED,
        ),
        (
            candidate.missing_person,
            CandidateMatch.missing_person_id,
            MissingPersonStatus.CANDIDATE_UNDER_REVIEW,
            MissingPersonStatus.OPEN,
        ),
    )
    for case, column, under_review, open_status in pairs:
        if case.status is not under_review:
            continue
        pending = db.session.scalar(
            select(CandidateMatch.id).where(
                column == case.id,
                CandidateMatch.id != candidate.id,
                CandidateMatch.status == CandidateStatus.IDENTIFICATION_PROPOSED,
            )
        )
        if pending is None:
            record_transition(case, open_status, user, candidate.decision_reason, via=Via.MATCHING)


def reestimate_weights(smoothing: float = 100.0) -> MatchWeights:
    """New weights from every confirmed and excluded pair, and the calibration of the
    probabilities those candidates were shown with (``casework.matches.probabilities``);
    stored and used from now on."""
    rows = db.session.scalars(
        select(CandidateMatch).where(
            CandidateMatch.status.in_((CandidateStatus.CONFIRMED, CandidateStatus.EXCLUDED))
        )
    ).all()
    pairs = [
        LabelledPair(
            missing_record(row.missing_person),
            remains_record(row.remains),
            row.status is CandidateStatus.CONFIRMED,
        )
        for row in rows
    ]
    confirmed = sum(pair.same_person for pair in pairs)
    weights = estimate_weights(
        pairs, start=default_weights(), smoothing=smoothing, as_of=now().date()
    )
    calibration = learn_calibration(list(rows), stored_calibration(latest_weights()))
    with transaction():
        stored = MatchWeights(
            weights_json=weights.to_json(),
            confirmed_pairs=confirmed,
            excluded_pairs=len(pairs) - confirmed,
            calibration_json=None if calibration is None else json.dumps(calibration.to_json()),
        )
        db.session.add(stored)
    return stored
