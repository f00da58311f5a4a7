"""The DNA services without HTTP: lab files, consensus, the search, consent, identification by
DNA, the burial hold, destruction at close; on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from casework.errors import ValidationError
from tests.casework.dna.builders import build_family, import_and_confirm


def _user(world, role):
    from casework.accounts.models import User
    from casework.extensions import db

    return db.session.get(User, world.user(role))


def _count(model) -> int:
    from casework.extensions import db

    return db.session.scalar(select(func.count()).select_from(model))


BAD_LONG = (
    b"sample,locus,allele1,allele2\n"
    b"PM-1,D3S1358,15,16\n"
    b"PM-404,TH01,6,9.3\n"  # unknown barcode
    b"PM-1,D99S999,10,11\n"  # unknown locus
    b"PM-1,vWA,OL,17\n"  # off ladder
)
BAD_GENEMAPPER = (
    b"Sample Name\tMarker\tAllele 1\tAllele 2\tAllele 3\n"
    b"PM-1\tAMEL\tX\tY\t\n"
    b"PM-1\tFGA\t21\t22\t24\n"  # three alleles: a mixture
)


def test_a_bad_lab_file_is_refused_whole_with_every_problem_listed(ctx, world) -> None:
    from casework.dna.models import DnaProfile
    from casework.dna.profiles import import_lab_files

    build_family(world)
    analyst = _user(world, "dna_analyst")
    with pytest.raises(ValidationError) as refused:
        import_lab_files(analyst, [("u.csv", BAD_LONG), ("gm.txt", BAD_GENEMAPPER)], "UNT", None)
    message = str(refused.value.message)
    assert "PM-404" in message
    assert "u.csv, row 4, locus D99S999" in message
    assert "u.csv, row 5, locus vWA" in message and "off-ladder" in message
    assert "gm.txt, row 3, locus FGA" in message and "mixture" in message
    assert _count(DnaProfile) == 0  # nothing stored, not even the good rows


def test_import_is_idempotent_and_reads_both_formats(ctx, world) -> None:
    from casework.dna.models import DnaProfile
    from casework.dna.profiles import import_lab_files

    family = build_family(world)
    analyst = _user(world, "dna_analyst")
    typed = family.genotypes["stranger"]
    genemapper = "Sample Name\tMarker\tAllele 1\tAllele 2\n" + "".join(
        f"PM-2\t{locus}\t{a}\t{b}\n" for locus, (a, b) in typed.items()
    )
    assert import_lab_files(analyst, [("gm.txt", genemapper.encode())], "UNT", None) == (1, 0)
    assert import_lab_files(analyst, list(family.files.items()), "UNT", None) == (3, 1)
    assert import_lab_files(analyst, list(family.files.items()), "UNT", None) == (0, 4)
    assert _count(DnaProfile) == 4


def test_search_finds_the_family_and_the_lr_agrees_with_the_batch_search(ctx, world) -> None:
    from casework.dna.models import DnaHit
    from casework.dna.pedigrees import family_tree
    from casework.dna.search import frequencies
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from matching.kinship import KinshipSearch, KinshipSettings, Profile

    family = build_family(world)
    import_and_confirm(world, family)
    hits = db.session.scalars(select(DnaHit)).all()
    assert [(hit.missing_person_id, hit.remains_id) for hit in hits] == [
        (family.case.id, family.remains.id)
    ]
    hit = hits[0]
    assert hit.log10_lr >= 4 and hit.relations == ("mother", "brother")
    # the same LR by another algorithm: the batch search's per-family tables
    engine_family = family_tree(family.case).family()
    search = KinshipSearch(frequencies().population("SW Hispanic"), KinshipSettings())
    search.add_families([engine_family])
    search.add_remains([Profile.parse("PM-1", family.genotypes["missing"])])
    assert hit.log10_lr == pytest.approx(search.log10_lr("PM-1", family.case.reference), abs=1e-6)
    # posterior by hand: LR p / (LR p + 1 - p), p = 1 / open missing persons
    lr, prior = 10**hit.log10_lr, 1 / hit.open_missing
    assert hit.posterior == pytest.approx(lr * prior / (lr * prior + 1 - prior), rel=1e-9)
    candidate = db.session.scalar(
        select(CandidateMatch).where(
            CandidateMatch.missing_person_id == family.case.id,
            CandidateMatch.remains_id == family.remains.id,
        )
    )
    assert candidate is not None and candidate.review
    dna = [item for item in json.loads(candidate.evidence) if item["criterion"] == "dna"]
    assert dna and "mother's and brother's samples" in dna[0]["text"]


def test_withdrawn_consent_takes_the_family_out_of_the_search(ctx, world) -> None:
    from casework.audit.models import AuditEntry
    from casework.dna.consent import withdraw_consent
    from casework.dna.models import DnaHit
    from casework.dna.profiles import sample_by_barcode
    from casework.dna.search import search_family
    from casework.extensions import db

    family = build_family(world)
    import_and_confirm(world, family)
    assert _count(DnaHit) == 1
    liaison = _user(world, "family_liaison")
    with pytest.raises(ValidationError):
        withdraw_consent(sample_by_barcode("REF-M-1"), liaison, "")
    withdraw_consent(sample_by_barcode("REF-M-1"), liaison, "The mother asked us to stop.")
    withdraw_consent(sample_by_barcode("REF-B-1"), liaison, "The brother asked us to stop.")
    search_family(family.case)
    assert _count(DnaHit) == 0
    withdrawals = db.session.scalars(
        select(AuditEntry).where(AuditEntry.details.contains("consent withdrawn"))
    ).all()
    assert len(withdrawals) == 2


def test_dna_can_be_cited_only_with_a_hit_above_the_threshold(ctx, world) -> None:
    from casework.extensions import db
    from casework.matches.models import CandidateMatch, CandidateStatus
    from casework.matches.services import propose_identification

    family = build_family(world)
    officer = _user(world, "forensic_officer")
    rows = db.session.scalars(select(CandidateMatch)).all()
    without = next(row for row in rows if row.remains_id == family.stranger.id)
    with pytest.raises(ValidationError, match="DNA cannot be cited"):
        propose_identification(without, officer, ["dna"], "", without.version)
    import_and_confirm(world, family)
    pair = db.session.scalar(
        select(CandidateMatch).where(CandidateMatch.remains_id == family.remains.id)
    )
    propose_identification(pair, officer, ["dna"], "", pair.version)
    assert pair.status is CandidateStatus.IDENTIFICATION_PROPOSED


def test_destroy_at_close_deletes_the_genotypes_and_says_so_in_the_audit(ctx, world) -> None:
    from casework.audit.models import AuditEntry
    from casework.dna.models import DnaProfile
    from casework.dna.profiles import sample_by_barcode
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from casework.matches.services import confirm_identification, propose_identification

    family = build_family(world)
    import_and_confirm(world, family)
    pair = db.session.scalar(
        select(CandidateMatch).where(CandidateMatch.remains_id == family.remains.id)
    )
    propose_identification(pair, _user(world, "forensic_officer"), ["dna"], "", pair.version)
    confirm_identification(pair, _user(world, "supervisor"), pair.version)
    for barcode in ("REF-M-1", "REF-B-1"):
        sample = sample_by_barcode(barcode)
        stored = db.session.scalars(
            select(DnaProfile).where(DnaProfile.sample_id == sample.id)
        ).all()
        assert stored and all(p.genotypes_ct is None and p.destroyed_at for p in stored)
    remains_profiles = db.session.scalars(
        select(DnaProfile).where(DnaProfile.sample_id == sample_by_barcode("PM-1").id)
    ).all()
    assert all(p.genotypes_ct is not None for p in remains_profiles)  # not the family's
    proofs = db.session.scalars(
        select(AuditEntry).where(AuditEntry.details.contains("genotypes destroyed"))
    ).all()
    assert len(proofs) == 4  # two samples, each an import and a consensus


def test_kept_profiles_survive_the_close(ctx, world) -> None:
    from casework.dna.consent import destroy_at_close
    from casework.dna.models import DnaProfile

    family = build_family(world, keep=True)
    import_and_confirm(world, family)
    from casework.db import transaction

    with transaction():
        assert destroy_at_close(family.case, None) == 0
    from casework.extensions import db

    stored = db.session.scalars(select(DnaProfile)).all()
    assert len(stored) == 8  # four imported, four consensus
    assert all(p.genotypes_ct is not None and p.destroyed_at is None for p in stored)


def test_lineage_exclusion_excludes_until_an_analyst_sets_it_aside(ctx, world) -> None:
    from casework.dna.hits import override_lineage
    from casework.dna.models import DnaHit
    from casework.dna.profiles import record_profile, sample_by_barcode
    from casework.dna.search import search_family
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    family = build_family(world)
    import_and_confirm(world, family)
    analyst = _user(world, "dna_analyst")
    y = {"locus:DYS19": "14", "locus:DYS390": "24", "locus:DYS391": "10", "locus:DYS393": "13"}
    record_profile(sample_by_barcode("REF-B-1"), analyst, {"system": "y_str", **y})
    other = {"locus:DYS19": "16", "locus:DYS390": "22", "locus:DYS391": "11", "locus:DYS393": "13"}
    record_profile(sample_by_barcode("PM-1"), analyst, {"system": "y_str", **other})
    search_family(family.case)
    hit = db.session.scalar(select(DnaHit))
    assert hit.lineage_excluded and hit.excludes
    pair = db.session.scalar(
        select(CandidateMatch).where(CandidateMatch.remains_id == family.remains.id)
    )
    exclusion = [item for item in json.loads(pair.evidence) if item["criterion"] == "exclusion"]
    assert not pair.review and "lineage" in exclusion[0]["text"].lower()
    with pytest.raises(ValidationError):
        override_lineage(hit, analyst, "no", hit.version)
    override_lineage(hit, analyst, "Y-STR of PM-1 was a contaminated run.", hit.version)
    db.session.refresh(pair)
    assert pair.review


def test_genotype_views_are_audited(ctx, world) -> None:
    from casework.audit.models import AuditEntry
    from casework.dna.profiles import genotypes_of, profiles_of, sample_by_barcode
    from casework.extensions import db

    family = build_family(world)
    import_and_confirm(world, family)
    profile = profiles_of(sample_by_barcode("PM-1"))[0]
    shown = genotypes_of(profile, _user(world, "dna_analyst"))
    assert shown["D3S1358"] == list(family.genotypes["missing"].get("D3S1358", shown["D3S1358"]))
    views = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "view", AuditEntry.object_type == "DnaProfile"
        )
    ).all()
    assert len(views) == 1 and "genotypes" in views[0].details


def test_no_burial_without_a_dna_sample_unless_a_supervisor_overrides(ctx, world) -> None:
    from casework.cases.status import change_status
    from casework.custody.services import record_sample
    from casework.errors import NotAllowed
    from casework.remains.models import RemainsStatus
    from tests.casework.factories import make_remains

    officer, supervisor = _user(world, "forensic_officer"), _user(world, "supervisor")
    bare = make_remains(officer)
    with pytest.raises(ValidationError, match="No DNA sample"):
        change_status(bare, "buried_unidentified", officer, "Cemetery plot 12", bare.version)
    assert bare.status is RemainsStatus.UNIDENTIFIED
    with pytest.raises(NotAllowed):
        change_status(bare, "buried_unidentified", officer, "Plot 12", bare.version, True)
    change_status(
        bare, "buried_unidentified", supervisor, "Court order, plot 12", bare.version, True
    )
    assert bare.status is RemainsStatus.BURIED_UNIDENTIFIED
    sampled = make_remains(officer)
    record_sample(sampled, {"barcode": "PM-9", "kind": "tooth"})
    change_status(sampled, "buried_unidentified", officer, "Cemetery plot 13", sampled.version)
    assert sampled.status is RemainsStatus.BURIED_UNIDENTIFIED


def test_a_new_dna_hit_notifies_both_agencies_reviewers_once(ctx, world) -> None:
    from casework.dna.models import DnaHit
    from casework.dna.search import search_family
    from casework.extensions import db
    from casework.notifications.models import Notification, NotificationKind

    family = build_family(world)
    import_and_confirm(world, family)
    hit = db.session.scalar(select(DnaHit))
    told = list(
        db.session.scalars(
            select(Notification).where(Notification.kind == NotificationKind.DNA_HIT)
        )
    )
    assert told and {row.link for row in told} == {f"/dna/hits/{hit.id}"}
    assert world.user("forensic_officer") in {row.user_id for row in told}
    assert family.case.reference in told[0].reference  # references, never a name
    search_family(family.case)  # the same hit found again tells nobody again
    again = select(func.count()).where(Notification.kind == NotificationKind.DNA_HIT)
    assert db.session.scalar(again) == len(told)
