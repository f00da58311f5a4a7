"""Cross-border DNA search in the application (spec §7.7), against a peer played by the exchange
library itself: our consenting families leave as pedigrees and references (no names, no
barcodes), a peer's search is run against our remains and answered with the LR (checked against
the kinship engine called directly), the peer's answer is kept; tampered or unrelated messages
are refused with nothing stored. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.casework.dna.builders import build_family, import_and_confirm
from tests.casework.exchanges.builders import PEER_ID, make_identity, make_peer

ABROAD = {"search_here": True, "search_abroad": True}


@pytest.fixture
def peer(ctx, world):
    make_identity()
    return make_peer(country="GTM")


def _user(world, role):
    from casework.accounts.models import User
    from casework.extensions import db

    return db.session.get(User, world.user(role))


def _consent(world, barcode, **data):
    from casework.dna.consent import change_consent
    from casework.dna.profiles import sample_by_barcode

    change_consent(sample_by_barcode(barcode), _user(world, "family_liaison"), data)


def _peer_row(peer):
    from casework.exchanges.models import PeerAuthority
    from casework.extensions import db

    return db.session.get(PeerAuthority, peer.row_id)


def _open_as_peer(peer, raw, opener):
    from casework.clock import now
    from exchange import InMemoryReplayGuard, TrustList

    return opener(
        raw,
        own_id=PEER_ID,
        own_keys=peer.keys,
        trust=TrustList([peer.us]),
        guard=InMemoryReplayGuard(),
        now=now(),
    ).content


def _count(model, **where):
    from casework.extensions import db

    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def test_only_families_consenting_to_the_peers_country_are_sent(ctx, world, peer) -> None:
    from casework.audit.models import AuditEntry
    from casework.dna.consent import withdraw_consent
    from casework.dna.models import DnaHit
    from casework.dna.profiles import sample_by_barcode
    from casework.dna.search import frequencies
    from casework.exchanges.dna_search import _engine_family, send_search
    from casework.exchanges.identity import sender_secret
    from casework.exchanges.models import DnaSearchResult, OutgoingMessage
    from casework.extensions import db
    from exchange import open_dna_search, record_pseudonym
    from matching.kinship import KinshipSettings, Profile, likelihood_ratio

    family = build_family(world)
    import_and_confirm(world, family)
    assert send_search(_peer_row(peer)) is None  # consent to search here only
    _consent(world, "REF-M-1", **ABROAD, countries="MEX")
    assert send_search(_peer_row(peer)) is None  # another country
    _consent(world, "REF-M-1", **ABROAD, countries="MEX;GTM")
    _consent(world, "REF-B-1", **ABROAD, countries="*")
    message = send_search(_peer_row(peer))
    assert message is not None and message.record_count == 1
    assert b"REF-" not in message.envelope and b"Xitumul" not in message.envelope
    search = _open_as_peer(peer, message.envelope, open_dna_search)
    (shared,) = search.families
    assert shared.pseudonym == record_pseudonym(sender_secret(), PEER_ID, str(family.case.id))
    assert shared.population == "SW Hispanic"
    assert sorted(map(dict, shared.references.values()), key=str) == sorted(
        [family.genotypes["mother"], family.genotypes["brother"]], key=str
    )
    assert all(m.label.startswith("p") for m in shared.members)  # labels, never names
    # the pedigree travelled intact: the peer's LR equals ours on the same remains profile
    ours = db.session.scalar(select(DnaHit).where(DnaHit.missing_person_id == family.case.id))
    theirs = likelihood_ratio(
        _engine_family(shared),
        Profile.parse("PM-1", family.genotypes["missing"]),
        frequencies(),
        KinshipSettings(population="SW Hispanic"),
    )
    assert theirs.log10_lr == pytest.approx(ours.log10_lr, abs=1e-6)
    assert _count(DnaSearchResult, status="pending") == 1
    assert db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.details.contains("dna search sent"))
    )
    # the mother withdraws: only the brother's profile goes; both withdraw: nothing goes
    liaison = _user(world, "family_liaison")
    withdraw_consent(sample_by_barcode("REF-M-1"), liaison, "The mother asked us to stop.")
    message = send_search(_peer_row(peer))
    (shared,) = _open_as_peer(peer, message.envelope, open_dna_search).families
    assert list(map(dict, shared.references.values())) == [family.genotypes["brother"]]
    withdraw_consent(sample_by_barcode("REF-B-1"), liaison, "The brother asked us to stop.")
    before = _count(OutgoingMessage)
    assert send_search(_peer_row(peer)) is None
    assert _count(OutgoingMessage) == before


def _peer_family(pseudonym_of, mother, brother):
    from exchange import PedigreeMember, SharedFamily, record_pseudonym

    return SharedFamily(
        pseudonym=record_pseudonym(b"p" * 32, "usa-pcome", pseudonym_of),
        population="SW Hispanic",
        members=(
            PedigreeMember("f", None, None, "male"),
            PedigreeMember("m", None, None, "female"),
            PedigreeMember("missing", "f", "m", "male"),
            PedigreeMember("b", "f", "m", "male"),
        ),
        missing="missing",
        references={"m": mother, "b": brother},
    )


def _seal_search(peer, families, sequence=1):
    import uuid

    from casework.clock import now
    from exchange import DnaSearch, seal_dna_search

    return seal_dna_search(
        DnaSearch(str(uuid.uuid4()), tuple(families)),
        sender_id=PEER_ID,
        sender_keys=peer.keys,
        recipient=peer.us,
        sequence=sequence,
        now=now(),
    )


def test_a_peers_search_finds_our_remains_and_is_answered_with_the_lr(ctx, world, peer) -> None:
    from casework.dna.search import frequencies
    from casework.exchanges.dna_search import _engine_family
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.identity import sender_secret
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import ImportedMessage, MessageKind, OutgoingMessage
    from casework.extensions import db
    from exchange import open_dna_answer, record_pseudonym
    from matching.kinship import KinshipSearch, KinshipSettings, Profile, likelihood_ratio
    from tests.casework.dna.builders import simulated

    family = build_family(world)
    import_and_confirm(world, family)
    other = simulated(seed=99)  # a family whose missing person we do not hold
    theirs = _peer_family("MP-1", family.genotypes["mother"], family.genotypes["brother"])
    unrelated = _peer_family("MP-2", other["mother"], other["brother"])
    raw = _seal_search(peer, [theirs, unrelated])
    # tampered: refused, nothing stored, nothing answered
    tampered = bytearray(raw)
    tampered[len(tampered) // 2] ^= 1
    with pytest.raises(ExchangeRefused):
        receive(bytes(tampered))
    assert _count(OutgoingMessage, kind=MessageKind.DNA_ANSWER) == 0
    assert _count(ImportedMessage) == 0
    receipt = receive(raw)
    assert receipt.new and receipt.kind is MessageKind.DNA_SEARCH
    (message,) = db.session.scalars(
        select(OutgoingMessage).where(OutgoingMessage.kind == MessageKind.DNA_ANSWER)
    ).all()
    answer = _open_as_peer(peer, message.envelope, open_dna_answer)
    hit, miss = answer.results
    assert (hit.pseudonym, miss.pseudonym) == (theirs.pseudonym, unrelated.pseudonym)
    assert not miss.hit and miss.log10_lr_milli is None and miss.remains is None
    assert hit.hit and hit.remains == record_pseudonym(
        sender_secret(), PEER_ID, str(family.remains.id)
    )
    profile = Profile.parse("PM-1", family.genotypes["missing"])
    direct = likelihood_ratio(
        _engine_family(theirs), profile, frequencies(), KinshipSettings(population="SW Hispanic")
    )
    assert hit.log10_lr_milli == round(direct.log10_lr * 1000)
    # and by another algorithm: the batch search's per-family tables
    batch = KinshipSearch(
        frequencies().population("SW Hispanic"), KinshipSettings(population="SW Hispanic")
    )
    batch.add_families([_engine_family(theirs)])
    batch.add_remains([profile])
    assert hit.log10_lr_milli / 1000 == pytest.approx(
        batch.log10_lr("PM-1", theirs.pseudonym), abs=1e-3
    )
    # replayed: not answered twice
    again = receive(raw)
    assert not again.new
    assert _count(OutgoingMessage, kind=MessageKind.DNA_ANSWER) == 1


def test_the_peers_answer_is_kept_and_a_bad_one_refused(ctx, world, peer) -> None:
    from casework.clock import now
    from casework.exchanges.dna_search import results_for, send_search
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import DnaSearchStatus, MessageKind
    from exchange import DnaAnswer, DnaResult, open_dna_search, seal_dna_answer

    family = build_family(world)
    import_and_confirm(world, family)
    _consent(world, "REF-M-1", **ABROAD, countries="GTM")
    message = send_search(_peer_row(peer))
    search = _open_as_peer(peer, message.envelope, open_dna_search)
    (shared,) = search.families

    def seal(answer, sequence):
        return seal_dna_answer(
            answer,
            sender_id=PEER_ID,
            sender_keys=peer.keys,
            recipient=peer.us,
            sequence=sequence,
            now=now(),
        )

    remains = "R" * 43
    good = seal(DnaAnswer(search.search_id, (DnaResult(shared.pseudonym, True, 7250, remains),)), 1)
    tampered = bytearray(good)
    tampered[len(tampered) // 2] ^= 1
    with pytest.raises(ExchangeRefused):
        receive(bytes(tampered))
    # an answer to a search we never sent
    stray = DnaAnswer(
        "0b1c2d3e-4f50-4a1b-8c2d-3e4f5a6b7c8d", (DnaResult(shared.pseudonym, False, None, None),)
    )
    with pytest.raises(ExchangeRefused):
        receive(seal(stray, 2))
    (row,) = results_for(family.case)
    assert row.status is DnaSearchStatus.PENDING and row.log10_lr is None
    assert receive(good).new
    (row,) = results_for(family.case)
    assert row.status is DnaSearchStatus.HIT
    assert row.log10_lr == pytest.approx(7.25) and row.remains_pseudonym == remains
    assert not receive(good).new  # replayed: nothing changes
    # the hit goes through the disclosure request; a no-hit cannot
    from casework.errors import ValidationError
    from casework.exchanges.disclosures import request_dna_disclosure
    from casework.exchanges.models import Disclosure
    from exchange import RecordType, open_disclosure_request

    officer = _user(world, "forensic_officer")
    asked, _message = request_dna_disclosure(
        row,
        officer,
        purpose="identification",
        justification="Our family's DNA matched your remains with log10 LR 7.25.",
        fields=["surnames"],
    )
    assert asked.pseudonym == remains and asked.missing_person_id == family.case.id
    request = _open_as_peer(
        peer, _last_envelope(MessageKind.DISCLOSURE_REQUEST), open_disclosure_request
    )
    assert request.pseudonym == remains and request.record_type is RecordType.REMAINS
    row.status = DnaSearchStatus.NO_HIT
    with pytest.raises(ValidationError):
        request_dna_disclosure(
            row, officer, purpose="identification", justification="x" * 40, fields=["surnames"]
        )
    assert _count(Disclosure) == 1


def _last_envelope(kind):
    from casework.exchanges.models import OutgoingMessage
    from casework.extensions import db

    return db.session.scalar(
        select(OutgoingMessage.envelope)
        .where(OutgoingMessage.kind == kind)
        .order_by(OutgoingMessage.created_at.desc())
    )


def test_staff_see_the_dna_results_and_ask_for_disclosure_on_a_hit(app, world, as_user) -> None:
    from casework.clock import now
    from casework.exchanges.dna_search import send_search
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import Disclosure, DnaSearchResult
    from casework.extensions import db
    from exchange import DnaAnswer, DnaResult, open_dna_search, seal_dna_answer

    with app.test_request_context():
        make_identity()
        peer = make_peer(country="GTM")
        family = build_family(world)
        import_and_confirm(world, family)
        _consent(world, "REF-B-1", **ABROAD, countries="GTM")
        search = _open_as_peer(peer, send_search(_peer_row(peer)).envelope, open_dna_search)
        (shared,) = search.families
        answer = DnaAnswer(search.search_id, (DnaResult(shared.pseudonym, True, 6500, "Q" * 43),))
        receive(
            seal_dna_answer(
                answer,
                sender_id=PEER_ID,
                sender_keys=peer.keys,
                recipient=peer.us,
                sequence=1,
                now=now(),
            )
        )
        result_id = db.session.scalar(select(DnaSearchResult.id))
        reference = family.case.reference
    client = as_user("forensic_officer")
    page = client.get("/exchange/dna").get_data(as_text=True)
    assert reference in page and "DNA hit" in page and "6.500" in page
    bad = client.post(
        f"/exchange/dna/{result_id}/request",
        data={"purpose": "identification", "justification": "short", "fields": ["surnames"]},
    )
    assert bad.status_code == 400 and "sentence" in bad.get_data(as_text=True)
    with app.app_context():
        assert _count(Disclosure) == 0
    asked = client.post(
        f"/exchange/dna/{result_id}/request",
        data={
            "purpose": "identification",
            "fields": ["surnames"],
            "justification": "Our family's DNA matched your remains (log10 LR 6.5).",
        },
    )
    assert asked.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Disclosure.pseudonym)) == "Q" * 43
    assert (
        client.post(f"/exchange/dna/{'0' * 8}-0000-4000-8000-{'0' * 12}/request").status_code == 404
    )


Y_BROTHER = {"DYS19": "14", "DYS390": "24", "DYS391": "10", "DYS393": "13"}
Y_OTHER = {"DYS19": "16", "DYS390": "22", "DYS391": "11", "DYS393": "13"}


def _lineage(world, barcode, system, **values):
    from casework.dna.profiles import record_profile, sample_by_barcode

    record_profile(
        sample_by_barcode(barcode), _user(world, "dna_analyst"), {"system": system, **values}
    )


def test_lineage_markers_of_consenting_references_travel(ctx, world, peer) -> None:
    """The brother's Y-STR and the mother's mtDNA go with the family (only for references whose
    consent covers the peer's country); the mother's Y-STR line is not hers to send."""
    from casework.exchanges.dna_search import send_search
    from exchange import open_dna_search

    family = build_family(world)
    import_and_confirm(world, family)
    _lineage(world, "REF-B-1", "y_str", **{f"locus:{k}": v for k, v in Y_BROTHER.items()})
    _lineage(world, "REF-M-1", "mtdna", variants="73G 263G 16519C", range="16024-576")
    _consent(world, "REF-M-1", **ABROAD, countries="GTM")
    _consent(world, "REF-B-1", **ABROAD, countries="GTM")
    (shared,) = _open_as_peer(peer, send_search(_peer_row(peer)).envelope, open_dna_search).families
    labels = {dict(p)["DYS19"] if "DYS19" in dict(p) else None: k for k, p in shared.ystr.items()}
    assert list(labels) == ["14"] and dict(shared.ystr[labels["14"]]) == Y_BROTHER
    (mother_label,) = shared.mtdna
    assert shared.mtdna[mother_label] == ("16519C", "263G", "73G")
    assert mother_label in shared.references and labels["14"] in shared.references
    # the brother withdraws abroad: his Y-STR no longer travels
    _consent(world, "REF-B-1", search_here=True, search_abroad=False)
    (shared,) = _open_as_peer(peer, send_search(_peer_row(peer)).envelope, open_dna_search).families
    assert dict(shared.ystr) == {} and list(shared.mtdna) == [mother_label]


def _answer_for(peer, families, sequence):
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import MessageKind
    from exchange import open_dna_answer

    assert receive(_seal_search(peer, families, sequence)).new
    return _open_as_peer(peer, _last_envelope(MessageKind.DNA_ANSWER), open_dna_answer)


def test_a_hit_the_lineage_markers_exclude_says_so_in_the_answer(ctx, world, peer) -> None:
    """Our remains' Y-STR differs from the brother's at three markers: the autosomal hit is
    answered with its LR and said to be excluded by the Y-STR; the same family with the
    brother's matching haplotype, or with none (an older sender), is a plain hit."""
    from dataclasses import replace

    family = build_family(world)
    import_and_confirm(world, family)
    _lineage(world, "PM-1", "y_str", **{f"locus:{k}": v for k, v in Y_OTHER.items()})
    plain = _peer_family("MP-1", family.genotypes["mother"], family.genotypes["brother"])
    differing = replace(plain, ystr={"b": Y_BROTHER})
    (excluded,) = _answer_for(peer, [differing], 1).results
    assert excluded.hit and excluded.lineage_exclusion == ("ystr",)
    assert excluded.log10_lr_milli is not None and excluded.log10_lr_milli > 4000
    same = replace(plain, pseudonym=plain.pseudonym[:-1] + "x", ystr={"b": Y_OTHER})
    unmarked = replace(plain, pseudonym=plain.pseudonym[:-1] + "y")
    # the mother is not on the missing man's father's line: her Y markers are not compared
    mothers = replace(plain, pseudonym=plain.pseudonym[:-1] + "z", ystr={"m": Y_BROTHER})
    answer = _answer_for(peer, [same, unmarked, mothers], 2)
    assert [(r.hit, r.lineage_exclusion) for r in answer.results] == [(True, ())] * 3
    # an mtDNA difference on the mother's line excludes by mtDNA
    _lineage(world, "PM-1", "mtdna", variants="73G 263G 16519C", range="16024-576")
    maternal = replace(
        plain, pseudonym=plain.pseudonym[:-1] + "w", mtdna={"m": ("16223T", "263G", "73G")}
    )
    (result,) = _answer_for(peer, [maternal], 3).results
    assert result.hit and result.lineage_exclusion == ("mtdna",)


def test_an_answer_that_excludes_by_lineage_is_kept_and_shown(app, ctx, world, peer, as_user):
    from casework.clock import now
    from casework.exchanges.dna_search import results_for, send_search
    from casework.exchanges.inbox import receive
    from exchange import DnaAnswer, DnaResult, open_dna_search, seal_dna_answer

    family = build_family(world)
    import_and_confirm(world, family)
    _consent(world, "REF-M-1", **ABROAD, countries="GTM")
    search = _open_as_peer(peer, send_search(_peer_row(peer)).envelope, open_dna_search)
    (shared,) = search.families
    result = DnaResult(shared.pseudonym, True, 6100, "R" * 43, ("mtdna", "ystr"))
    raw = seal_dna_answer(
        DnaAnswer(search.search_id, (result,)),
        sender_id=PEER_ID,
        sender_keys=peer.keys,
        recipient=peer.us,
        sequence=1,
        now=now(),
    )
    assert receive(raw).new
    (row,) = results_for(family.case)
    assert row.lineage_exclusion == "mtdna;ystr" and row.log10_lr == pytest.approx(6.1)
    from casework.extensions import db

    db.session.commit()
    page = as_user("supervisor").get("/exchange/dna").get_data(as_text=True)
    assert "excluded by lineage markers (mtDNA, Y-STR)" in page


def test_a_peers_dna_searches_are_refused_beyond_its_daily_budget(app, ctx, world, peer, clock):
    """At most EXCHANGE_DNA_SEARCH_BUDGET families of one peer's searches in 24 hours: beyond,
    the whole search is refused (query-limit), audited, nothing answered nor counted; a day on,
    the same message is answered."""
    from casework.audit.models import AuditEntry
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import IncomingDnaSearch, MessageKind, OutgoingMessage
    from casework.extensions import db
    from tests.casework.dna.builders import simulated

    app.config["EXCHANGE_DNA_SEARCH_BUDGET"] = 3
    made_up = [
        _peer_family(f"MP-{n}", simulated(seed=n)["mother"], simulated(seed=n)["brother"])
        for n in range(4)
    ]
    assert receive(_seal_search(peer, made_up[:2], 1)).new
    over = _seal_search(peer, made_up[2:], 2)
    with pytest.raises(ExchangeRefused) as refused:
        receive(over)
    assert refused.value.code == "query-limit"
    assert "at most 3 families in 24 hours and have answered 2" in refused.value.detail
    assert _count(OutgoingMessage, kind=MessageKind.DNA_ANSWER) == 1
    assert _count(IncomingDnaSearch) == 1
    refusals = db.session.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "import_refused")
    ).all()
    assert len(refusals) == 1 and '"code":"query-limit"' in refusals[0].replace(" ", "")
    assert '"stated_kind":"dna-search"' in refusals[0].replace(" ", "")
    clock.advance(hours=25)
    assert receive(over).new
    assert _count(OutgoingMessage, kind=MessageKind.DNA_ANSWER) == 2
    assert db.session.scalar(select(func.sum(IncomingDnaSearch.families))) == 4


def test_a_search_larger_than_the_whole_budget_is_refused(app, ctx, world, peer) -> None:
    from casework.exchanges.errors import ExchangeRefused
    from casework.exchanges.inbox import receive
    from tests.casework.dna.builders import simulated

    app.config["EXCHANGE_DNA_SEARCH_BUDGET"] = 1
    typed = simulated(seed=5)
    families = [_peer_family(f"MP-{n}", typed["mother"], typed["brother"]) for n in range(2)]
    with pytest.raises(ExchangeRefused, match="query-limit"):
        receive(_seal_search(peer, families))
