"""Cross-border DNA search with a peer (spec §7.7, I-Familia style): sending a peer the pedigrees
and reference profiles of the families who agreed to a search with its country (no names, no
barcodes: per-recipient pseudonyms and pedigree labels), answering a peer's search with our
kinship engine against our open remains (hit or no hit, with the LR; never our genotypes), and
keeping the peer's answer to ours. Every step is audited."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casework.accounts.models import User
from casework.audit.services import append
from casework.clock import now
from casework.custody.models import Sample
from casework.db import db, transaction
from casework.dna.models import ReferenceConsent
from casework.dna.pedigrees import MISSING, FamilyTree, family_tree
from casework.dna.search import frequencies, population_of, remains_profiles
from casework.dna.stored import consensus_of
from casework.errors import NotFound
from casework.exchanges.dna_lineage import lineage_exclusion, shared_mtdna, shared_ystr
from casework.exchanges.guard import DatabaseReplayGuard
from casework.exchanges.identity import require_identity, sender_secret
from casework.exchanges.models import (
    DnaSearchResult,
    DnaSearchStatus,
    IncomingDnaSearch,
    MessageKind,
    OutgoingMessage,
    PeerAuthority,
)
from casework.exchanges.outbox import Answering, new_message_id, post
from casework.exchanges.records import local_id
from casework.exchanges.trust import get_peer
from casework.matches.services import open_missing
from casework.missing.access import missing_visible_to
from casework.missing.models import MissingPerson
from exchange import (
    DnaAnswer,
    DnaResult,
    DnaSearch,
    EnvelopeHeader,
    ErrorCode,
    ExchangeError,
    PedigreeMember,
    Received,
    SharedFamily,
    commit_import,
    record_pseudonym,
    seal_dna_answer,
    seal_dna_search,
)
from exchange.dna import ALLELE, LOCUS, MAX_FAMILIES, MAX_LOCI
from matching.kinship import (
    Family,
    KinshipError,
    KinshipSettings,
    Pedigree,
    Person,
    Profile,
    likelihood_ratio,
    parse_sex,
)

log = logging.getLogger(__name__)
_SEX_OUT = {"M": "male", "F": "female", "U": "unknown"}
BUDGET_WINDOW = timedelta(hours=24)


def allows_search_with(consent: ReferenceConsent | None, country: str) -> bool:
    """The family agreed to a search with this country, and has not withdrawn."""
    if consent is None or consent.withdrawn_at is not None or not consent.search_abroad:
        return False
    countries = {code.strip().upper() for code in (consent.countries or "").split(";")}
    return "*" in countries or country.upper() in countries


def _shared_genotypes(sample: Sample) -> dict[str, tuple[str, str]]:
    profile = consensus_of(sample.id)
    if profile is None or profile.genotypes is None:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for locus, pair in sorted(json.loads(profile.genotypes).items()):
        alleles = sorted((str(a) for a in pair), key=lambda a: (float(a), a))
        if len(alleles) == 2 and LOCUS.match(locus) and all(ALLELE.match(a) for a in alleles):
            found[locus] = (alleles[0], alleles[1])
    return dict(list(found.items())[:MAX_LOCI])


def _ordered(tree: FamilyTree) -> list[str]:
    """Member ids with parents before children (the format's order)."""
    done: list[str] = []
    left = list(tree.members)
    while left:
        for member_id in left:
            member = tree.members[member_id]
            if all(p is None or p in done for p in (member.father, member.mother)):
                done.append(member_id)
                left.remove(member_id)
                break
        else:  # pragma: no cover - family_tree builds no cycle
            raise KinshipError("The pedigree has a cycle.")
    return done


def shared_family(case: MissingPerson, peer: PeerAuthority) -> SharedFamily | None:
    """The family as sent to `peer`: only references whose consent covers the peer's country;
    None when no such reference is typed."""
    tree = family_tree(case)
    order = _ordered(tree)
    labels = {member_id: f"p{index}" for index, member_id in enumerate(order)}
    references: dict[str, Mapping[str, tuple[str, str]]] = {}
    ystr: dict[str, Mapping[str, str]] = {}
    mtdna: dict[str, tuple[str, ...]] = {}
    for member_id in tree.references:
        barcode = tree.members[member_id].sample_barcode
        sample = db.session.scalar(select(Sample).where(Sample.barcode == barcode))
        if sample is None:
            continue
        consent = db.session.scalar(
            select(ReferenceConsent).where(ReferenceConsent.sample_id == sample.id)
        )
        if not allows_search_with(consent, peer.country):
            continue
        genotypes = _shared_genotypes(sample)
        if genotypes:
            label = labels[member_id]
            references[label] = genotypes
            markers = shared_ystr(sample.id) if tree.members[member_id].sex.value == "M" else {}
            if markers:
                ystr[label] = markers
            variants = shared_mtdna(sample.id)
            if variants is not None:
                mtdna[label] = variants
    if not references:
        return None
    members = tuple(
        PedigreeMember(
            labels[member_id],
            labels.get(tree.members[member_id].father or ""),
            labels.get(tree.members[member_id].mother or ""),
            _SEX_OUT[str(tree.members[member_id].sex.value)],
        )
        for member_id in order
    )
    return SharedFamily(
        pseudonym=record_pseudonym(sender_secret(), peer.authority_id, local_id(case)),
        population=population_of(case),
        members=members,
        missing=labels[MISSING],
        references=references,
        ystr=ystr,
        mtdna=mtdna,
    )


def send_search(peer: PeerAuthority, user: User | None = None) -> OutgoingMessage | None:
    """Seal a DNA search for `peer` with every open family that agreed to it; keep, audit and
    push it. None when no family may be searched with that peer."""
    with transaction():
        require_identity()  # refused before any work when we have no identity yet
        found: list[tuple[MissingPerson, SharedFamily]] = []
        for case in open_missing():
            try:
                family = shared_family(case, peer)
            except KinshipError:
                log.warning("The pedigree of %s cannot be shared", case.reference)
                continue
            if family is not None:
                found.append((case, family))
        if not found:
            return None
        found = found[:MAX_FAMILIES]
        search = DnaSearch(new_message_id(), tuple(family for _, family in found))
        message = post(
            peer,
            MessageKind.DNA_SEARCH,
            seal_dna_search,
            search,
            record_count=len(found),
            user=user,
            event="dna search sent",
            audit={
                "search_id": search.search_id,
                "families": len(found),
                "cases": [case.reference for case, _ in found],
            },
        )
        for position, (case, family) in enumerate(found):
            db.session.add(
                DnaSearchResult(
                    peer_id=peer.id,
                    search_id=search.search_id,
                    position=position,
                    pseudonym=family.pseudonym,
                    missing_person_id=case.id,
                    sent_at=now(),
                )
            )
        return message


def _engine_family(family: SharedFamily) -> Family:
    people = [Person(m.label, m.father, m.mother, parse_sex(m.sex)) for m in family.members]
    return Family(
        family.pseudonym,
        Pedigree.build(people, family.missing),
        {
            label: Profile.parse(f"{family.pseudonym}/{label}", dict(profile))
            for label, profile in family.references.items()
        },
    )


def _result(family: SharedFamily, peer: PeerAuthority, profiles: list) -> DnaResult:  # type: ignore[type-arg]
    """Run one received family against our remains: the best remains above the setting."""
    known = frequencies().names()
    population = (
        family.population
        if family.population in known
        else str(current_app.config["DNA_POPULATION"])
    )
    threshold = float(current_app.config["DNA_HIT_MIN_LOG10_LR"])
    try:
        engine_family = _engine_family(family)
    except KinshipError:
        return DnaResult(family.pseudonym, False, None, None)
    settings = KinshipSettings(population=population)
    above: list[tuple[float, str, uuid.UUID]] = []
    for remains, sample, profile in profiles:
        result = likelihood_ratio(engine_family, profile, frequencies(), settings)
        if result.loci_used and result.log10_lr >= threshold and result.log10_lr > 0:
            above.append((result.log10_lr, local_id(remains), sample.id))
    if not above:
        return DnaResult(family.pseudonym, False, None, None)
    # the best remains the lineage markers do not exclude; else the best, said to be excluded
    above.sort(key=lambda item: (-item[0], item[1]))
    checked = [(item, lineage_exclusion(family, item[2])) for item in above]
    (log10, remains_id, _), excluded = next(
        ((item, systems) for item, systems in checked if not systems), checked[0]
    )
    milli = min(max(round(log10 * 1000), 1), 1_000_000)
    remains_pseudonym = record_pseudonym(sender_secret(), peer.authority_id, remains_id)
    return DnaResult(family.pseudonym, True, milli, remains_pseudonym, excluded)


def dna_search_budget() -> int:
    """Families of one peer's searches we answer in 24 hours (`EXCHANGE_DNA_SEARCH_BUDGET`)."""
    return int(current_app.config["EXCHANGE_DNA_SEARCH_BUDGET"])


def _within_budget(peer: PeerAuthority, search: DnaSearch) -> None:
    """Count the search against the peer's budget, or refuse it whole (``query-limit``: the
    inbox audits the refusal, nothing is stored or answered). A peer could otherwise probe our
    remains with made-up families, one relative at a time."""
    budget = dna_search_budget()
    spent = int(
        db.session.scalar(
            select(func.coalesce(func.sum(IncomingDnaSearch.families), 0)).where(
                IncomingDnaSearch.peer_id == peer.id,
                IncomingDnaSearch.answered_at >= now() - BUDGET_WINDOW,
            )
        )
        or 0
    )
    asked = len(search.families)
    if spent + asked > budget:
        raise ExchangeError(
            ErrorCode.QUERY_LIMIT,
            f"This DNA search of {asked} families is refused: we answer {peer.authority_id} "
            f"at most {budget} families in 24 hours and have answered {spent}. Send it later, "
            "or fewer families.",
        )
    db.session.add(
        IncomingDnaSearch(
            peer_id=peer.id, search_id=search.search_id, families=asked, answered_at=now()
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        raise ExchangeError(
            ErrorCode.ID_REUSED, f"DNA search {search.search_id} was answered already."
        ) from None


def answer_search(
    received: Received[DnaSearch], guard: DatabaseReplayGuard
) -> tuple[EnvelopeHeader, bool]:
    """In the caller's transaction: run a peer's families against our open remains, seal the
    answer (hit or no hit, the LR of a hit; no genotype of ours), keep, audit and push it."""
    header = received.header
    if not received.is_new or received.content is None:
        return header, False
    search = received.content
    peer = get_peer(header.sender_id)
    _within_budget(peer, search)
    profiles = remains_profiles()
    results = tuple(_result(family, peer, profiles) for family in search.families)
    post(
        peer,
        MessageKind.DNA_ANSWER,
        seal_dna_answer,
        DnaAnswer(search.search_id, results),
        record_count=len(results),
        event="dna search answered",
        audit={
            "families": len(results),
            "hits": sum(1 for r in results if r.hit),
            "excluded_by_lineage": sum(1 for r in results if r.lineage_exclusion),
            "remains_compared": len(profiles),
        },
        answering=Answering(received, guard, "DnaSearch", search.search_id),
    )
    return header, True


def receive_answer(
    received: Received[DnaAnswer], guard: DatabaseReplayGuard
) -> tuple[EnvelopeHeader, bool]:
    """In the caller's transaction: keep a peer's answer to our search, family by family."""
    header = received.header
    if not received.is_new or received.content is None:
        return header, False
    answer = received.content
    peer = get_peer(header.sender_id)
    rows = list(
        db.session.scalars(
            select(DnaSearchResult)
            .where(
                DnaSearchResult.peer_id == peer.id,
                DnaSearchResult.search_id == answer.search_id,
            )
            .order_by(DnaSearchResult.position)
        )
    )
    if not rows or [row.pseudonym for row in rows] != [r.pseudonym for r in answer.results]:
        raise ExchangeError(
            ErrorCode.SCHEMA_VIOLATION,
            f"The answer does not answer our DNA search {answer.search_id}, family by family.",
        )
    if any(row.status is not DnaSearchStatus.PENDING for row in rows):
        raise ExchangeError(
            ErrorCode.ID_REUSED, f"DNA search {answer.search_id} was answered already."
        )
    for row, result in zip(rows, answer.results, strict=True):
        row.status = DnaSearchStatus.HIT if result.hit else DnaSearchStatus.NO_HIT
        row.log10_lr = None if result.log10_lr_milli is None else result.log10_lr_milli / 1000
        row.remains_pseudonym = result.remains
        row.lineage_exclusion = ";".join(result.lineage_exclusion) or None
        row.answered_at = now()
    commit_import(received, guard)
    append(
        db.session,
        "import",
        object_type="DnaSearch",
        object_id=answer.search_id,
        details={
            "event": "dna answer received",
            "sender": peer.authority_id,
            "families": len(rows),
            "hits": sum(1 for r in answer.results if r.hit),
            "excluded_by_lineage": sum(1 for r in answer.results if r.lineage_exclusion),
        },
    )
    return header, True


def visible_results(user: User, limit: int = 200) -> list[DnaSearchResult]:
    """Our families' cross-border DNA results the user may see, newest first."""
    return list(
        db.session.scalars(
            select(DnaSearchResult)
            .join(MissingPerson, DnaSearchResult.missing_person_id == MissingPerson.id)
            .where(missing_visible_to(user))
            .order_by(DnaSearchResult.sent_at.desc(), DnaSearchResult.position)
            .limit(limit)
        )
    )


def get_result(user: User, result_id: uuid.UUID) -> DnaSearchResult:
    found = db.session.scalar(
        select(DnaSearchResult)
        .join(MissingPerson, DnaSearchResult.missing_person_id == MissingPerson.id)
        .where(DnaSearchResult.id == result_id, missing_visible_to(user))
    )
    if found is None:
        raise NotFound(_l("No such DNA search result."))
    return found


def results_for(case: MissingPerson) -> list[DnaSearchResult]:
    """What peers answered about this family's cross-border DNA searches, newest first."""
    return list(
        db.session.scalars(
            select(DnaSearchResult)
            .where(DnaSearchResult.missing_person_id == case.id)
            .order_by(DnaSearchResult.sent_at.desc())
        )
    )
