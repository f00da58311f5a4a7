"""Cross-border hits: a peer's anonymised records compared with our open cases by the matching
engine; names compared only through what the name queries returned (v2), or as Bloom filters
under the linkage secret agreed with that peer (v1, during the transition)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from casework.accounts.models import User
from casework.cases.events import cross_border_hit
from casework.clock import now
from casework.db import after_commit, db, transaction
from casework.errors import NotFound
from casework.exchanges.bundles import shared_record
from casework.exchanges.models import CrossBorderHit, ForeignRecord, PeerAuthority
from casework.exchanges.names import own_elements
from casework.exchanges.records import (
    foreign_missing,
    foreign_remains,
    local_missing,
    local_remains,
    shared_name_filters,
)
from casework.exchanges.trust import get_peer, linkage_secret
from casework.matches.services import (
    current_weights,
    evidence_json,
    open_missing,
    open_remains,
)
from casework.missing.access import missing_visible_to
from casework.missing.models import MissingPerson
from casework.remains.access import remains_visible_to
from casework.remains.models import UnidentifiedRemains
from exchange import SharedMissingPerson
from matching import Candidate, CandidateIndex

log = logging.getLogger(__name__)
TOP_K = 5


def _best(rankings: list[list[Candidate]], key: Callable[[Candidate], str]) -> list[Candidate]:
    """One ranking per name filter the peer sent (main name, aliases, each document name):
    each of our cases keeps its best score over them."""
    best: dict[str, Candidate] = {}
    for ranking in rankings:
        for candidate in ranking:
            known = best.get(key(candidate))
            if known is None or candidate.score > known.score:
                best[key(candidate)] = candidate
    return sorted(best.values(), key=lambda c: c.score, reverse=True)[:TOP_K]


def _index(
    missing: list[MissingPerson],
    remains: list[UnidentifiedRemains],
    names: Callable[[str], bytes | list[bytes] | None],
) -> CandidateIndex:
    index = CandidateIndex(weights=current_weights(), workers=1)
    index.add_many(
        [
            *(local_missing(case, names(f"missing:{case.id}")) for case in missing),
            *(local_remains(case, names(f"remains:{case.id}")) for case in remains),
        ]
    )
    return index


def refresh_for_peer(peer: PeerAuthority) -> int:
    """Compare every record received from `peer` with our open cases; store the best hits.
    Version 2 records are compared with our names as that peer blinded them (name queries);
    version 1 records (transition) with our names encoded under the pair's linkage secret."""
    missing = open_missing()
    remains = open_remains()
    indexes: dict[int, CandidateIndex] = {}

    def index_for(version: int) -> CandidateIndex:
        if version not in indexes:
            if version == 1:
                secret = linkage_secret(peer)
                indexes[1] = _index(missing, remains, lambda ref: secret)
            else:
                own = own_elements(peer)
                indexes[2] = _index(missing, remains, own.get)
        return indexes[version]

    missing_ids = {case.reference: case.id for case in missing}
    remains_ids = {case.reference: case.id for case in remains}
    as_of = now().date()
    stored = 0
    with transaction():
        rows = db.session.scalars(select(ForeignRecord).where(ForeignRecord.peer_id == peer.id))
        for row in rows:
            shared = shared_record(row)
            ref = f"foreign:{row.id}"
            index = index_for(shared.version)
            if isinstance(shared, SharedMissingPerson):
                person = foreign_missing(ref, shared)
                found = _best(
                    [
                        index.candidates_for_missing(
                            replace(person, name_bloom=bloom), TOP_K, as_of
                        )
                        for bloom in shared_name_filters(shared)
                    ],
                    lambda c: c.remains_ref,
                )
                pairs = [(c, None, remains_ids.get(c.remains_ref)) for c in found]
            else:
                body = foreign_remains(ref, shared)
                found = _best(
                    [
                        index.candidates_for_remains(replace(body, name_bloom=bloom), TOP_K, as_of)
                        for bloom in shared_name_filters(shared)
                    ],
                    lambda c: c.missing_ref,
                )
                pairs = [(c, missing_ids.get(c.missing_ref), None) for c in found]
            for candidate, missing_id, remains_id in pairs:
                if missing_id is None and remains_id is None:
                    continue
                hit = db.session.scalar(
                    select(CrossBorderHit).where(
                        CrossBorderHit.foreign_record_id == row.id,
                        CrossBorderHit.missing_person_id == missing_id,
                        CrossBorderHit.remains_id == remains_id,
                    )
                )
                was_for_review = hit is not None and hit.review
                if hit is None:
                    hit = CrossBorderHit(
                        foreign_record_id=row.id,
                        missing_person_id=missing_id,
                        remains_id=remains_id,
                    )
                    db.session.add(hit)
                hit.score = round(candidate.score, 6)
                hit.review = candidate.review
                if hit.review and not was_for_review:
                    cross_border_hit.send(hit)
                hit.evidence = evidence_json(candidate)
                hit.computed_at = now()
                stored += 1
    return stored


def refresh_after_import(sender_id: str) -> None:
    """Inside the import's transaction: find hits once it has committed. The import stands
    even if this fails (the failure is logged; `casework exchange` can refresh again)."""
    after_commit(
        lambda: refresh_for_peer(get_peer(sender_id)), f"cross-border hits for {sender_id}"
    )


def visible_hits(user: User) -> Any:
    """Hits whose local case the user may see."""
    return (
        select(CrossBorderHit)
        .outerjoin(MissingPerson, CrossBorderHit.missing_person_id == MissingPerson.id)
        .outerjoin(UnidentifiedRemains, CrossBorderHit.remains_id == UnidentifiedRemains.id)
        .where(
            or_(
                and_(CrossBorderHit.missing_person_id.is_not(None), missing_visible_to(user)),
                and_(CrossBorderHit.remains_id.is_not(None), remains_visible_to(user)),
            )
        )
    )


def hits_for(user: User, limit: int = 200) -> list[CrossBorderHit]:
    query = visible_hits(user).order_by(CrossBorderHit.score.desc()).limit(limit)
    return list(db.session.scalars(query))


def get_hit(user: User, hit_id: uuid.UUID) -> CrossBorderHit:
    hit = db.session.scalar(visible_hits(user).where(CrossBorderHit.id == hit_id))
    if hit is None:
        raise NotFound(_l("No such hit."))
    return hit


def local_case(hit: CrossBorderHit) -> MissingPerson | UnidentifiedRemains:
    if hit.missing_person_id is not None:
        case = db.session.get(MissingPerson, hit.missing_person_id)
    else:
        case = db.session.get(UnidentifiedRemains, hit.remains_id)
    assert case is not None
    return case
