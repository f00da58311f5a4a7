"""A synthetic demonstration world for an empty database (`casework demo`): agencies on four
migration routes, accounts of every role, hundreds of cases of each kind with samples and
custody, and reviewed candidates.

The people come from the synthetic world the matching benchmarks use (`matching.synthetic`);
`people.py` gives them what an installation knows beyond the engine's records, `agencies.py`
the authorities and their staff, `cases.py` builds the rows, `review.py` the decisions and
repatriations that follow.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.accounts.models import User
from casework.cases.models import CaseNote
from casework.cases.status import Via
from casework.clock import now
from casework.db import db, transaction
from casework.demo.agencies import AGENCIES, DemoAccount, demo_emails
from casework.demo.cases import CaseBuilder
from casework.demo.dna import add_dna
from casework.demo.people import DemoPeople, DemoPerson, demo_people
from casework.demo.review import (
    Stages,
    decide_candidates,
    keep_dna_sample,
    moved,
    start_repatriations,
)
from casework.dna.search import search_family
from casework.errors import ValidationError
from casework.matches.services import rematch_all
from casework.missing.models import MissingPerson, MissingPersonStatus
from casework.remains.models import RemainsStatus, UnidentifiedRemains


@dataclass(frozen=True)
class DemoWorld:
    accounts: list[DemoAccount]
    missing: int
    remains: int
    candidates: int
    stages: Stages


class DemoRefused(ValidationError):
    pass


def cases_exist() -> bool:
    return bool(
        db.session.scalar(select(func.count()).select_from(MissingPerson))
        or db.session.scalar(select(func.count()).select_from(UnidentifiedRemains))
    )


def build_world(cases: int, seed: int, password: str) -> DemoWorld:
    """Fill an empty database with `cases` missing persons and as many remains, reproducibly.

    Example:
        >>> world = build_world(20, seed=1, password="a long demo password")  # doctest: +SKIP
        >>> world.missing, world.remains  # doctest: +SKIP
        (20, 20)
    """
    if cases_exist():
        raise DemoRefused(
            _l("The database already holds cases: the demo only fills an empty database.")
        )
    taken = db.session.scalar(select(User.email).where(User.email.in_(demo_emails())).limit(1))
    if taken is not None:
        raise DemoRefused(
            _l(
                "The demo account %(email)s exists already: start from an empty database.",
                email=taken,
            )
        )
    today = now().date()
    drawn = DemoPeople(seed, today)
    people = drawn.group(cases)
    rng = random.Random(f"{seed}:cases")
    builder = CaseBuilder(rng, today)
    with transaction():
        accounts = builder.agencies_and_accounts(password)
        missing = []
        for person in people:
            missing.append(builder.missing_case(person))
            db.session.flush()  # next_reference reads its counter from the database
        truth: dict[object, object] = {}
        reported = rng.sample(range(cases), int(cases * 0.7))
        for slot in reported:
            case = builder.remains_case(people[slot])
            truth[case.id] = missing[slot].id
            db.session.flush()
        while len(truth) < cases:  # remains of people nobody reported (yet)
            case = builder.remains_case(drawn.one())
            truth[case.id] = None
            db.session.flush()  # the case's status and creation time are set on insert
            if (today - case.recovery_date).days > 3 * 365 and rng.random() < 0.3:
                buried = min(now(), case.created_at + timedelta(days=rng.randint(180, 720)))
                officer = db.session.get(User, case.created_by_id)
                reason = "Buried in the county cemetery, plot recorded; samples kept."
                keep_dna_sample(case)
                moved(case, RemainsStatus.BURIED_UNIDENTIFIED, Via.FORM, officer, buried, reason)
            db.session.flush()
        builder.settle()
        dead = set(reported)
        unmatched = [m for i, m in enumerate(missing) if i not in dead]
        for case in unmatched[: max(1, cases // 40)]:
            heard = min(now(), case.created_at + timedelta(days=rng.randint(10, 90)))
            liaison = db.session.get(User, case.created_by_id)
            reason = "The family heard from this person."
            moved(case, MissingPersonStatus.FOUND_ALIVE, Via.FORM, liaison, heard, reason)
            note = CaseNote(missing_person_id=case.id, author_id=case.created_by_id)
            note.body = "The family heard from this person: detained, alive, in contact again."
            note.created_at = heard
            case.notes.append(note)
            case.updated_at = note.created_at
        families = add_dna(rng, truth, max(3, cases // 8))
    for family_id in families:  # the DNA hits first: the candidates read them as evidence
        search_family(db.session.get(MissingPerson, family_id), refresh=False)
    candidates = rematch_all()
    stages: Stages = Counter()
    with transaction():
        decide_candidates(builder, truth, stages)
        start_repatriations(builder, stages)
    return DemoWorld(
        accounts=accounts,
        missing=cases,
        remains=cases,
        candidates=candidates,
        stages=stages,
    )


__all__ = [
    "AGENCIES",
    "DemoAccount",
    "DemoPerson",
    "DemoRefused",
    "DemoWorld",
    "build_world",
    "demo_people",
]
