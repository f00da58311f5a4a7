"""Verifying the audit trail: the chain and the rows it vouches for, read in one snapshot (the
console command runs it in place; the verification page as a background job), and what is
wrong said in the reader's language, with entry numbers and row ids, never personal data."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.accounts.models import User
from casework.audit.row_checks import RowProblem, case_status_problems, sealed_row_problems
from casework.audit.services import AuditAction, ChainProblem, chain_head, record, verify_chain
from casework.db import db, read_snapshot, take_turn, transaction
from casework.jobs.models import Job, JobKind, JobState
from casework.jobs.services import Progress, create, params_of, result_of
from casework.keystore import audit_chain_key
from casework.vocabulary import label


@dataclass(frozen=True)
class TrailCheck:
    entries: int
    chain: list[ChainProblem]
    rows: list[RowProblem]

    @property
    def problems(self) -> int:
        return len(self.chain) + len(self.rows)


def parse_anchor(text: str) -> tuple[int, bytes]:
    """An anchor as `casework audit anchor` printed it, `SEQ:HASH` -> (seq, hash); ValueError
    when it is not one (the caller words the refusal for its reader).

    Example:
        >>> parse_anchor("12:" + "ab" * 32)[0]
        12
    """
    seq, _, digest = text.strip().partition(":")
    parsed = (int(seq), bytes.fromhex(digest))
    if parsed[0] < 1 or len(parsed[1]) != 32:
        raise ValueError("not an anchor")
    return parsed


def check_trail(
    anchor: tuple[int, bytes] | None = None, walked: Callable[[int, int], None] | None = None
) -> TrailCheck:
    """Walk the chain, then the custody events, status changes and case statuses it vouches
    for. `walked(done, total)` follows the walk through the chain."""
    key = audit_chain_key()
    # as of one moment: entries appended during the walk (any page view adds one) would
    # otherwise look cut off the end
    with read_snapshot() as session:
        total = chain_head(session)[0]
        count, chain = verify_chain(
            session, key, anchor, None if walked is None else lambda done: walked(done, total)
        )
        rows = sealed_row_problems(session, key) + case_status_problems(session)
    return TrailCheck(count, chain, rows)


# the turn two requests starting a verification take (not the audit chain's: CHAIN_TURN)
_STARTING_TURN = 7432


def start_verification(user: User, anchor: str | None) -> tuple[Job, bool]:
    """Queue a verification (against `anchor`, already checked by the form, when given) and
    audit that it was asked for. A verification against the same anchor still waiting or
    running is answered instead of a second: returns (job, started)."""
    params: dict[str, Any] = {}
    if anchor:
        seq, digest = parse_anchor(anchor)
        params = {"anchor_seq": seq, "anchor_hash": digest.hex()}
    with transaction():
        # two clicks at once: the second waits here until the first committed its job, then
        # finds it (without the turn both look before either wrote, and both start one)
        take_turn(db.session, _STARTING_TURN)
        waiting = db.session.scalar(
            select(Job)
            .where(
                Job.kind == JobKind.AUDIT_VERIFY,
                Job.state.in_((JobState.QUEUED, JobState.RUNNING)),
                Job.params == json.dumps(params),
            )
            .limit(1)
        )
        if waiting is not None:
            return waiting, False
        job = create(JobKind.AUDIT_VERIFY, params, user)
        record(
            AuditAction.SECURITY,
            job,
            event="audit trail verification started",
            anchor=params.get("anchor_seq"),
        )
    return job, True


def run_verification_job(job: Job, progress: Progress) -> dict[str, Any]:
    """The work of a verification job: the result says how many entries were read and the
    first problem (entry numbers, row kinds and ids, status codes: no personal data)."""
    params = params_of(job)
    anchor = None
    if "anchor_seq" in params:
        anchor = (int(params["anchor_seq"]), bytes.fromhex(params["anchor_hash"]))
    found = check_trail(anchor, progress)
    first: dict[str, Any] | None = None
    if found.chain:
        problem = found.chain[0]
        first = {"seq": problem.seq, "code": problem.code, "figures": problem.figures}
    elif found.rows:
        row = found.rows[0]
        first = {"kind": row.kind, "id": row.object_id, "code": row.code, "figures": row.figures}
    return {
        "entries": found.entries,
        "anchor": params.get("anchor_seq"),
        "problems": found.problems,
        "first": first,
    }


PROBLEMS = {
    "entries-deleted": _l("Entries %(first)s–%(last)s are missing: they were deleted."),
    "unlinked": _l("Entry %(seq)s does not follow the entry before it: the chain is broken."),
    "changed": _l("Entry %(seq)s was changed after it was written."),
    "anchor-deleted": _l("Entry %(seq)s, the anchored entry, is missing: it was deleted."),
    "anchor-differs": _l("Entry %(seq)s differs from the anchor kept apart."),
    "no-checkpoint": _l("The checkpoint of the chain's end is missing: it was deleted."),
    "cut-short": _l("Entries %(first)s–%(last)s are missing: the trail was cut short."),
    "set-back": _l("The checkpoint stops at entry %(seq)s: it was set back."),
    "not-the-end": _l("Entry %(seq)s, the last, is not the one the checkpoint records."),
    "row-unrecorded": _l(
        "%(kind)s %(id)s is not in the audit trail: it was written outside the application."
    ),
    "row-changed": _l("%(kind)s %(id)s was changed after it was recorded (audit entry %(seq)s)."),
    "row-deleted": _l("%(kind)s %(id)s was deleted (recorded in audit entry %(seq)s)."),
    "status-differs": _l(
        "%(kind)s %(id)s has the status “%(stored)s”, but the audit trail last recorded "
        "“%(recorded)s” (entry %(seq)s)."
    ),
}
ROW_KINDS = {
    "CustodyEvent": _l("Custody event"),
    "StatusChange": _l("Status change"),
    "MissingPerson": _l("Missing person case"),
    "UnidentifiedRemains": _l("Remains case"),
}


def first_problem(job: Job) -> str | None:
    """The first problem a finished verification found, in words; None when it found none."""
    result = result_of(job) or {}
    first = result.get("first")
    if not first:
        return None
    figures = dict(first.get("figures") or {})
    figures.setdefault("seq", first.get("seq"))
    if "kind" in first:
        figures["kind"] = str(ROW_KINDS.get(first["kind"], first["kind"]))
        figures["id"] = first.get("id")
    for status in ("stored", "recorded"):
        if status in figures:
            figures[status] = label(figures[status])
    return str(PROBLEMS[first["code"]] % figures)


__all__ = [
    "TrailCheck",
    "check_trail",
    "first_problem",
    "parse_anchor",
    "run_verification_job",
    "start_verification",
]
