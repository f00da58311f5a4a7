"""The DNA pages through HTTP: the laboratory imports and confirms, an officer reads the result
in words without genotypes, a supervisor confirms citing DNA, a liaison withdraws consent."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from tests.casework.dna.builders import build_family
from tests.casework.dna.test_dna_services import BAD_GENEMAPPER, BAD_LONG


def _family(app, world):
    with app.test_request_context():
        family = build_family(world)
        from casework.extensions import db

        ids = {"case": family.case.reference, "remains": family.remains.id, "files": family.files}
        db.session.remove()
    return ids


def _upload(files):
    return {
        "files": [(io.BytesIO(raw), name) for name, raw in files.items()],
        "lab": "UNT Center for Human Identification",
        "kit": "GlobalFiler",
    }


def test_a_bad_file_is_refused_on_the_page_and_nothing_is_stored(app, world, as_user) -> None:
    from casework.dna.models import DnaProfile
    from casework.extensions import db

    _family(app, world)
    client = as_user("dna_analyst")
    response = client.post(
        "/dna/", data=_upload({"u.csv": BAD_LONG, "gm.txt": BAD_GENEMAPPER}),
        content_type="multipart/form-data",
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for problem in ("PM-404", "u.csv, row 4, locus D99S999", "off-ladder", "mixture"):
        assert problem in page, problem
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DnaProfile)) == 0


def test_the_dna_journey_through_the_pages(app, world, as_user) -> None:
    from casework.audit.models import AuditEntry
    from casework.dna.models import DnaHit
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    family = _family(app, world)
    client = as_user("dna_analyst")
    imported = client.post(
        "/dna/", data=_upload(family["files"]), content_type="multipart/form-data"
    )
    assert imported.status_code == 303
    assert "4 profiles imported" in client.get("/dna/").get_data(as_text=True)
    sample_page = client.get("/dna/samples/PM-1").get_data(as_text=True)
    assert 'class="genotypes"' in sample_page and "Confirm this consensus" in sample_page
    for barcode in ("REF-M-1", "REF-B-1", "PM-1", "PM-2"):
        assert client.post(f"/dna/samples/{barcode}/consensus").status_code == 303
    with app.app_context():
        hit = db.session.scalar(select(DnaHit))
        candidate = db.session.scalar(
            select(CandidateMatch).where(CandidateMatch.remains_id == family["remains"])
        )
        hit_id, candidate_id, version = hit.id, candidate.id, candidate.version
        assert db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(
                AuditEntry.action == "view", AuditEntry.object_type == "DnaProfile"
            )
        ) == 1  # the sample page showed one profile  # fmt: skip
    table = client.get(f"/dna/hits/{hit_id}").get_data(as_text=True)
    assert 'class="per-locus"' in table and "REF-M-1" in table

    officer = as_user("forensic_officer")
    review = officer.get(f"/matches/{candidate_id}").get_data(as_text=True)
    assert "times more likely" in review and "Posterior probability" in review
    assert "mother" in review and 'class="per-locus"' not in review
    assert officer.get("/dna/samples/PM-1").status_code == 403
    words = officer.get(f"/dna/hits/{hit_id}").get_data(as_text=True)
    assert "times more likely" in words and 'class="per-locus"' not in words
    # an officer who reads Spanish or Arabic reads the result in words in that language
    from casework.accounts.models import User

    for language, said in (("es", "veces más probable"), ("ar", "الحمض النووي أكثر احتمالًا")):
        with app.app_context():
            db.session.get(User, world.user("forensic_officer")).language = language
            db.session.commit()
        translated = officer.get(f"/dna/hits/{hit_id}").get_data(as_text=True)
        assert said in translated and "times more likely" not in translated
    with app.app_context():
        db.session.get(User, world.user("forensic_officer")).language = "en"
        db.session.commit()
    proposed = officer.post(
        f"/matches/{candidate_id}/propose",
        data={"identifiers": ["dna"], "reason": "", "version": version},
    )
    assert proposed.status_code in (302, 303), proposed.get_data(as_text=True)[:2000]

    supervisor = as_user("supervisor")
    confirmed = supervisor.post(f"/matches/{candidate_id}/confirm", data={"version": version + 1})
    assert confirmed.status_code in (302, 303)
    with app.app_context():
        assert db.session.get(CandidateMatch, candidate_id).identifiers == "dna"


def test_a_liaison_withdraws_consent_and_the_family_leaves_the_search(app, world, as_user) -> None:
    from casework.dna.models import DnaHit
    from casework.extensions import db
    from tests.casework.dna.builders import import_and_confirm

    with app.test_request_context():
        family = build_family(world)
        import_and_confirm(world, family)
        reference = family.case.reference
        db.session.remove()
    client = as_user("family_liaison")
    page = client.get(f"/dna/missing/{reference}/family").get_data(as_text=True)
    assert "profile searched" in page and "Remains PM-1" in page
    refused = client.post("/dna/references/REF-M-1/withdraw", data={"reason": ""})
    assert refused.status_code == 400
    for barcode in ("REF-M-1", "REF-B-1"):
        done = client.post(
            f"/dna/references/{barcode}/withdraw", data={"reason": "The family asked us to stop."}
        )
        assert done.status_code == 303
    page = client.get(f"/dna/missing/{reference}/family").get_data(as_text=True)
    assert "Consent withdrawn" in page and "Remains PM-1" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DnaHit)) == 0


def test_the_dashboard_lists_remains_at_risk_and_a_supervisor_may_override(
    app, world, as_user
) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from tests.casework.factories import make_remains

    with app.test_request_context():
        bare = make_remains(db.session.get(User, world.user("forensic_officer"))).reference
        db.session.remove()
    officer = as_user("forensic_officer")
    assert bare in officer.get("/").get_data(as_text=True).split("Remains at risk", 1)[1]
    refused = officer.post(
        f"/remains/{bare}/status",
        data={"status": "buried_unidentified", "reason": "Plot 14", "version": 1},
    )
    assert refused.status_code == 400 and "No DNA sample" in refused.get_data(as_text=True)
    supervisor = as_user("supervisor")
    done = supervisor.post(
        f"/remains/{bare}/status",
        data={
            "status": "buried_unidentified",
            "reason": "Court order, plot 14",
            "version": 1,
            "override_dna_hold": "y",
        },
    )
    assert done.status_code == 303
    assert "DNA sample hold overridden" in supervisor.get(f"/remains/{bare}").get_data(as_text=True)
