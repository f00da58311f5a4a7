"""The status machine of both kinds of case: which transitions exist, who makes them and how,
and the one service that makes them and writes the status history.

Each transition is a row of `TRANSITIONS`: the kind of case, from, to, by which route (`Via`),
which roles may make it on the case page, and whether a reason is required. Decisions behind
the table:

- **Candidate under review** is set and cleared by candidate review only (`casework.matches`):
  a case enters it when an identification is proposed for one of its candidates, and leaves it
  when the proposal is turned down (back to open / unidentified) or confirmed (identified).
  While a proposal is pending nobody closes the case by hand: decide on the proposal first.
- **Identified** is reached only through the two-person confirmation of a candidate
  (`confirm_identification`), for remains and missing person alike; the case page refuses it.
- **Repatriated** (remains) follows identified only, recorded by the repatriation workflow
  through `record_transition` (no form, no version: that workflow owns its transaction). The
  remains are released for good then, so the DNA sample hold below applies to it too: a
  supervisor of the holding agency may override it ahead, with a reason, on the remains page
  (`override_dna_hold_for_release`), since the consul who closes the repatriation cannot.
- **Closed** (a search the family or the agency ends) needs a reason, and can be **reopened**
  with a reason when new information comes.
- **Found alive** is final for family liaison staff: a new disappearance of the same person is a
  new case. Only a supervisor reopens it, with a reason, when it was recorded in error.
- **Buried unidentified** (remains) needs a reason and a DNA sample of theirs held (collected
  and not consumed, or profiled): once buried nothing more can be taken. A supervisor may
  override the hold with a reason (recorded in the history and the audit trail). Remains can
  be taken back to unidentified (exhumation for identification) with a reason. **Identified**
  and **repatriated** are final.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.accounts.models import Role, User
from casework.cases.events import status_changed
from casework.cases.models import CaseKind, StatusChange
from casework.cases.services import check_version
from casework.clock import now
from casework.db import db, transaction
from casework.errors import NotAllowed, ValidationError
from casework.missing.models import MissingPerson, MissingPersonStatus
from casework.remains.models import RemainsStatus, UnidentifiedRemains
from casework.vocabulary import word, words

Case = MissingPerson | UnidentifiedRemains


class Via(enum.StrEnum):
    """How a transition is made."""

    FORM = "form"  # a person on the case page ("Change status")
    MATCHING = "matching"  # candidate review: an identification proposed or turned down
    IDENTIFICATION = "identification"  # the second signature confirms an identification
    WORKFLOW = "workflow"  # another service's workflow (repatriation)


@dataclass(frozen=True)
class Transition:
    kind: CaseKind
    source: str
    target: str
    via: Via
    roles: frozenset[Role] = frozenset()  # who may make it on the case page (Via.FORM)
    needs_reason: bool = False
    # remains leave for good: a DNA sample of theirs must be held, or a supervisor overrides
    needs_dna_sample: bool = False


M, R = MissingPersonStatus, RemainsStatus
LIAISON_OR_SUPERVISOR = frozenset({Role.FAMILY_LIAISON, Role.SUPERVISOR})
OFFICER_OR_SUPERVISOR = frozenset({Role.FORENSIC_OFFICER, Role.SUPERVISOR})
SUPERVISOR = frozenset({Role.SUPERVISOR})


def _missing(
    source: M, target: M, via: Via, roles: frozenset[Role] = frozenset(), reason: bool = False
) -> Transition:
    return Transition(CaseKind.MISSING, source.value, target.value, via, roles, reason)


def _remains(
    source: R,
    target: R,
    via: Via,
    roles: frozenset[Role] = frozenset(),
    reason: bool = False,
    dna_sample: bool = False,
) -> Transition:
    return Transition(CaseKind.REMAINS, source.value, target.value, via, roles, reason, dna_sample)


TRANSITIONS: tuple[Transition, ...] = (
    # missing persons
    _missing(M.OPEN, M.CANDIDATE_UNDER_REVIEW, Via.MATCHING),
    _missing(M.CANDIDATE_UNDER_REVIEW, M.OPEN, Via.MATCHING),
    _missing(M.CANDIDATE_UNDER_REVIEW, M.IDENTIFIED, Via.IDENTIFICATION),
    _missing(M.OPEN, M.IDENTIFIED, Via.IDENTIFICATION),  # proposals made before this table
    _missing(M.OPEN, M.FOUND_ALIVE, Via.FORM, LIAISON_OR_SUPERVISOR, reason=True),
    _missing(M.OPEN, M.CLOSED, Via.FORM, LIAISON_OR_SUPERVISOR, reason=True),
    _missing(M.CLOSED, M.OPEN, Via.FORM, LIAISON_OR_SUPERVISOR, reason=True),
    _missing(M.FOUND_ALIVE, M.OPEN, Via.FORM, SUPERVISOR, reason=True),
    # unidentified remains
    _remains(R.UNIDENTIFIED, R.CANDIDATE_UNDER_REVIEW, Via.MATCHING),
    _remains(R.CANDIDATE_UNDER_REVIEW, R.UNIDENTIFIED, Via.MATCHING),
    _remains(R.CANDIDATE_UNDER_REVIEW, R.IDENTIFIED, Via.IDENTIFICATION),
    _remains(R.UNIDENTIFIED, R.IDENTIFIED, Via.IDENTIFICATION),  # proposals made before this
    _remains(R.IDENTIFIED, R.REPATRIATED, Via.WORKFLOW, dna_sample=True),
    _remains(
        R.UNIDENTIFIED,
        R.BURIED_UNIDENTIFIED,
        Via.FORM,
        OFFICER_OR_SUPERVISOR,
        reason=True,
        dna_sample=True,
    ),
    _remains(R.BURIED_UNIDENTIFIED, R.UNIDENTIFIED, Via.FORM, OFFICER_OR_SUPERVISOR, reason=True),
)
_BY_EDGE = {(t.kind, t.source, t.target): t for t in TRANSITIONS}

# What the case page says when someone asks there for a step another route makes.
_ELSEWHERE = {
    Via.FORM: _l("A person makes this change on the case page, with a reason where one is needed."),
    Via.MATCHING: _l(
        "Candidate review sets and clears this status: propose an identification on the "
        "candidate page, or turn the proposal down there."
    ),
    Via.IDENTIFICATION: _l(
        "A case becomes identified only when a supervisor confirms a proposed identification "
        "on the candidate page (two people sign)."
    ),
    Via.WORKFLOW: _l(
        "Repatriation is recorded by the repatriation workflow, not on the case page."
    ),
}


def _statuses(kind: CaseKind) -> type[enum.StrEnum]:
    return MissingPersonStatus if kind is CaseKind.MISSING else RemainsStatus


def transition(kind: CaseKind | str, source: str, target: str) -> Transition | None:
    """The transition from `source` to `target` for cases of `kind`, if there is one."""
    return _BY_EDGE.get((kind, str(source), str(target)))


def next_statuses(case: Case, user: User) -> list[enum.StrEnum]:
    """The statuses `user` may move `case` to on its page, in the order of the status list."""
    kind, current = case.__case_kind__, case.status.value
    allowed = {
        t.target
        for t in TRANSITIONS
        if t.kind == kind and t.source == current and t.via is Via.FORM and user.role in t.roles
    }
    return [status for status in _statuses(kind) if status.value in allowed]


def _reason(text: str | None, required: bool) -> str | None:
    reason = (text or "").strip()
    if required and len(reason) < 5:
        raise ValidationError(_l("Give the reason for this change in a few words."), field="reason")
    if len(reason) > 5000:
        raise ValidationError(_l("Keep the reason under 5,000 characters."), field="reason")
    return reason or None


def record_transition(
    case: Case,
    to: Any,
    user: User | None,
    reason: str | None = None,
    *,
    via: Via = Via.WORKFLOW,
    override_dna_hold: bool = False,
) -> StatusChange:
    """Move `case` to status `to` by route `via` if the table has that transition, and add the
    history row. Does not commit: the calling service owns the transaction.

    For workflows such as repatriation, which call it inside their own transaction:

        >>> record_transition(remains, RemainsStatus.REPATRIATED, user, "Flown to Guatemala")
    """
    kind = case.__case_kind__
    source = case.status.value
    try:
        target = _statuses(kind)(str(to))
    except ValueError:
        raise ValidationError(_l("Choose a status from the list."), field="status") from None
    if target.value == source:
        raise ValidationError(
            _l(
                "%(reference)s is already %(status)s.",
                reference=case.reference,
                status=word(source),
            ),
            field="status",
        )
    step = transition(kind, source, target.value)
    if step is None:
        allowed = [t.target for t in TRANSITIONS if t.kind == kind and t.source == source]
        if not allowed:
            raise ValidationError(
                _l(
                    "A case that is %(status)s cannot become %(target)s. From %(status)s it can "
                    "become nothing: this status is final.",
                    status=word(source),
                    target=word(target),
                ),
                field="status",
            )
        raise ValidationError(
            _l(
                "A case that is %(status)s cannot become %(target)s. From %(status)s it can "
                "become %(allowed)s.",
                status=word(source),
                target=word(target),
                allowed=words(allowed),
            ),
            field="status",
        )
    if step.via is not via:
        raise ValidationError(
            _ELSEWHERE.get(step.via, _l("That step is not made on the case page.")),
            field="status",
        )
    reason = _reason(reason, step.needs_reason)
    if step.needs_dna_sample:
        reason = _dna_hold(case, user, reason, override_dna_hold)
    change = StatusChange(
        from_status=source,
        to_status=target.value,
        via=via.value,
        changed_by_id=user.id if user is not None else None,
        changed_at=now(),
        **({"missing_person_id": case.id} if kind is CaseKind.MISSING else {"remains_id": case.id}),
    )
    change.reason = _reason(reason, step.needs_reason)
    case.status = target
    db.session.add(change)
    return change


def _dna_hold(case: Case, user: User | None, reason: str | None, override: bool) -> str | None:
    """No DNA sample held: refused, unless a supervisor overrides with a reason now, or did
    ahead for this case (both audited)."""
    from casework.audit.services import AuditAction, record
    from casework.custody.holdings import dna_sample_held

    if dna_sample_held(case.id):
        return reason
    if isinstance(case, UnidentifiedRemains) and case.dna_hold_waived_at is not None:
        given = f"{reason} " if reason else ""
        return f"{given}[DNA sample hold overridden: {case.dna_hold_waiver_reason}]"
    if not override:
        raise ValidationError(
            _l(
                "No DNA sample of %(reference)s is held: take one (and keep it) before the "
                "remains leave, or ask a supervisor to override with a reason.",
                reference=case.reference,
            ),
            field="status",
        )
    if user is None or user.role is not Role.SUPERVISOR:
        raise NotAllowed(_l("Only a supervisor can override the DNA sample hold."))
    text = _reason(reason, True)
    record(AuditAction.SECURITY, case, event="DNA sample hold overridden", reason=text)
    return f"{text} [DNA sample hold overridden]"


def override_dna_hold_for_release(
    case: UnidentifiedRemains, user: User, reason: str | None, version: int | None
) -> None:
    """A supervisor lets these remains leave with no DNA sample held (a release at the end of
    a repatriation, which a consul records): the reason is kept with the case and the
    override is audited. Refused while a sample is held (nothing to override), twice, or by
    anyone but a supervisor; nothing is stored then."""
    from casework.audit.services import AuditAction, record
    from casework.custody.holdings import dna_sample_held

    with transaction():
        if user.role is not Role.SUPERVISOR:
            raise NotAllowed(_l("Only a supervisor can override the DNA sample hold."))
        text = _reason(reason, True)
        if text is not None and len(text) > 2000:  # it joins the release's reason later
            raise ValidationError(_l("Keep the reason under 2,000 characters."), field="reason")
        check_version(case, version)
        if case.status in (RemainsStatus.REPATRIATED, RemainsStatus.BURIED_UNIDENTIFIED):
            raise ValidationError(
                _l("%(reference)s has already left.", reference=case.reference), field="reason"
            )
        if dna_sample_held(case.id):
            raise ValidationError(
                _l(
                    "A DNA sample of %(reference)s is held: there is no hold to override.",
                    reference=case.reference,
                ),
                field="reason",
            )
        if case.dna_hold_waived_at is not None:
            raise ValidationError(
                _l(
                    "The DNA sample hold of %(reference)s is already overridden.",
                    reference=case.reference,
                ),
                field="reason",
            )
        case.dna_hold_waived_at = now()
        case.dna_hold_waiver_reason = text
        record(
            AuditAction.SECURITY, case, event="DNA sample hold overridden for release", reason=text
        )


def change_status(
    case: Case,
    new_status: str | None,
    user: User,
    reason: str | None,
    version: int | None,
    override_dna_hold: bool = False,
) -> StatusChange:
    """A person changes the status on the case page: stale copies, steps other routes make,
    roles without the right and missing reasons are refused; nothing is stored then."""
    with transaction():
        check_version(case, version)
        kind = case.__case_kind__
        step = transition(kind, case.status.value, str(new_status or ""))
        if step is not None and step.via is Via.FORM and user.role not in step.roles:
            raise NotAllowed(
                _l(
                    "Your role cannot make a case that is %(status)s %(target)s: ask a supervisor.",
                    status=word(step.source),
                    target=word(step.target),
                )
            )
        change = record_transition(
            case, new_status, user, reason, via=Via.FORM, override_dna_hold=override_dna_hold
        )
        status_changed.send(case)  # a reopened case is matched again (casework.matches)
    return change


def history(case: Case) -> list[StatusChange]:
    """The status changes of a case, newest first."""
    column = (
        StatusChange.missing_person_id
        if case.__case_kind__ is CaseKind.MISSING
        else StatusChange.remains_id
    )
    return list(
        db.session.scalars(
            select(StatusChange)
            .where(column == case.id)
            .order_by(StatusChange.changed_at.desc(), StatusChange.id)
        )
    )


__all__ = [
    "TRANSITIONS",
    "Transition",
    "Via",
    "change_status",
    "history",
    "next_statuses",
    "override_dna_hold_for_release",
    "record_transition",
    "transition",
]
