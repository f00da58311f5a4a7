"""Candidates: proposed when cases are saved, excluded with a reason (and remembered),
identified only with two signatures citing identifiers."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.casework.factories import REMAINS, make_missing, make_remains


@pytest.fixture
def pair(app, world):
    """A missing person and remains that are very likely the same person, plus a decoy."""
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        officer = db.session.get(User, world.user("forensic_officer"))
        person = make_missing(liaison)
        make_missing(
            liaison,
            given_names="Amanuel",
            surnames="Tesfay Ghebremedhin",
            aliases="",
            sex="M",
            nationality="ERI",
            last_seen_lat=36.9,
            last_seen_lon=14.7,
            last_seen_place="Sicily channel",
            intended_route="",
            marks="",
            effects="",
            dental="",
            height_cm=181,
        )
        remains = make_remains(officer)
        candidate = db.session.scalar(
            select(CandidateMatch).where(
                CandidateMatch.missing_person_id == person.id,
                CandidateMatch.remains_id == remains.id,
            )
        )
        return {"candidate": candidate.id, "person": person.reference, "remains": remains.reference}


def _candidate(app, candidate_id):
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    db.session.expire_all()
    return db.session.get(CandidateMatch, candidate_id)


def test_saving_a_case_proposes_ranked_explained_candidates(app, pair) -> None:
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    with app.test_request_context():
        rows = db.session.scalars(
            select(CandidateMatch).order_by(CandidateMatch.score.desc())
        ).all()
        best = rows[0]
        assert best.id == pair["candidate"]
        assert best.review and best.score > 0.5
        assert best.score > rows[-1].score
        evidence = json.loads(best.evidence)
        criteria = {item["criterion"] for item in evidence}
        assert {"sex", "dental"} <= criteria
        assert all(item["text"] for item in evidence)


def test_review_queue_shows_the_candidate_with_its_evidence(app, pair, as_user, client) -> None:
    as_user("forensic_officer")
    queue = client.get("/matches/").get_data(as_text=True)
    assert pair["remains"] in queue and pair["person"] in queue
    page = client.get(f"/matches/{pair['candidate']}").get_data(as_text=True)
    assert "Evidence for and against" in page and "Exclude" in page


def test_exclusion_needs_a_reason_and_is_remembered(app, world, pair, as_user, client) -> None:
    from casework.matches.models import CandidateStatus
    from casework.matches.services import recompute_for_case

    as_user("forensic_officer")
    url = f"/matches/{pair['candidate']}/exclude"
    no_reason = client.post(url, data={"version": 1, "reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.get_data(as_text=True)
    assert (
        client.post(url, data={"version": 1, "reason": "DNA excluded kinship"}).status_code == 302
    )
    with app.test_request_context():
        candidate = _candidate(app, pair["candidate"])
        assert candidate.status is CandidateStatus.EXCLUDED
        recompute_for_case(candidate.remains)  # same evidence: stays excluded
        assert _candidate(app, pair["candidate"]).status is CandidateStatus.EXCLUDED
    assert pair["person"] not in client.get("/matches/").get_data(as_text=True)


def test_new_evidence_brings_an_excluded_pair_back(app, pair, as_user, client) -> None:
    from casework.matches.models import CandidateStatus
    from casework.remains.inputs import RemainsInput
    from casework.remains.services import update_remains

    as_user("forensic_officer")
    client.post(
        f"/matches/{pair['candidate']}/exclude", data={"version": 1, "reason": "wrong dental work"}
    )
    with app.test_request_context():
        remains = _candidate(app, pair["candidate"]).remains
        update_remains(
            remains, RemainsInput.parse({**REMAINS, "dental": "16:F; 36:C; 48:M"}), remains.version
        )
        assert _candidate(app, pair["candidate"]).status is CandidateStatus.PROPOSED


def test_identification_needs_two_people(app, world, pair, as_user, client) -> None:
    from casework.matches.models import CandidateStatus
    from casework.missing.models import MissingPersonStatus
    from casework.remains.models import RemainsStatus

    as_user("supervisor")
    url = f"/matches/{pair['candidate']}"
    nothing_cited = client.post(f"{url}/propose", data={"version": 1})
    assert nothing_cited.status_code == 400 and "Cite what confirms" in nothing_cited.get_data(
        as_text=True
    )
    secondary_alone = client.post(f"{url}/propose", data={"version": 1, "identifiers": "secondary"})
    assert secondary_alone.status_code == 400 and "reason" in secondary_alone.get_data(as_text=True)
    assert (
        client.post(
            f"{url}/propose", data={"version": 1, "identifiers": ["dental", "fingerprints"]}
        ).status_code
        == 302
    )

    own = client.post(f"{url}/confirm", data={"version": 2})
    assert own.status_code == 403 and "two people" in own.get_data(as_text=True)

    as_user("forensic_officer")
    assert client.post(f"{url}/confirm", data={"version": 2}).status_code == 403

    from casework.accounts import services as accounts
    from casework.accounts.models import Agency, Role
    from casework.extensions import db
    from tests.conftest import PASSWORD, login

    with app.test_request_context():
        accounts.create_user(
            agency=db.session.get(Agency, world.home),
            email="second@home.example",
            display_name="Second supervisor",
            role=Role.SUPERVISOR,
            password=PASSWORD,
        )
    client.post("/auth/logout")
    login(client, "second@home.example")
    stale = client.post(f"{url}/confirm", data={"version": 1})
    assert stale.status_code == 409
    assert client.post(f"{url}/confirm", data={"version": 2}).status_code == 302
    with app.test_request_context():
        candidate = _candidate(app, pair["candidate"])
        assert (
            candidate.status is CandidateStatus.CONFIRMED
            and candidate.identifiers == "dental;fingerprints"
        )
        assert candidate.remains.status is RemainsStatus.IDENTIFIED
        assert candidate.remains.identified_as_id == candidate.missing_person_id
        assert candidate.missing_person.status is MissingPersonStatus.IDENTIFIED
    again = client.post(f"{url}/confirm", data={"version": 3})
    assert again.status_code == 400


def test_weights_are_reestimated_from_decisions(app, pair, runner) -> None:
    from casework.extensions import db
    from casework.matches.models import CandidateStatus, MatchWeights

    with app.test_request_context():
        candidate = _candidate(app, pair["candidate"])
        candidate.status = CandidateStatus.CONFIRMED
        db.session.commit()
    result = runner.invoke(args=["candidates", "reestimate"])
    assert result.exit_code == 0, result.output
    assert "1 confirmed" in result.output
    with app.app_context():
        assert db.session.scalar(select(MatchWeights.confirmed_pairs)) == 1


def test_rematch_command_recomputes_everything(app, pair, runner) -> None:
    result = runner.invoke(args=["candidates", "rematch"])
    assert result.exit_code == 0 and "candidates stored" in result.output


MISSING_CSV = (
    "ref,given_names,surnames,sex,age,height_cm,last_seen_date,last_seen_lat,last_seen_lon,dental\n"
    "M1,José Luis,Pérez Xitumul,M,31,168,2025-07-02,31.48,-111.54,16:F;36:C\n"
    "M2,Amanuel,Tesfay,M,24,181,2025-05-01,36.9,14.7,\n"
    "M3,Bad,Row,Q,abc,,2025-99-01,,,\n"
)
REMAINS_CSV = (
    "ref,sex,age_min,age_max,stature_min_cm,stature_max_cm,found_date,found_lat,found_lon,document_names,dental\n"
    "R1,M,25,40,160,175,2025-09-15,31.7,-111.4,JOSE L PEREZ,16:F;36:C\n"
)


def test_match_command_on_files(tmp_path, runner) -> None:
    missing, remains, out = tmp_path / "m.csv", tmp_path / "r.csv", tmp_path / "c.csv"
    missing.write_text(MISSING_CSV, encoding="utf-8")
    remains.write_text(REMAINS_CSV, encoding="utf-8")
    result = runner.invoke(
        args=[
            "match",
            "--missing",
            str(missing),
            "--remains",
            str(remains),
            "--out",
            str(out),
            "--top",
            "1",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "row 4" in result.output and "sex" in result.output  # the bad row is reported...
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "remains_ref,missing_ref,rank,score,review,explanation"
    assert len(lines) == 2 and lines[1].startswith("R1,M1,1,")  # ...and the rest matched


def test_match_command_refuses_a_missing_file(tmp_path, runner) -> None:
    result = runner.invoke(
        args=[
            "match",
            "--missing",
            str(tmp_path / "none.csv"),
            "--remains",
            str(tmp_path / "none.csv"),
            "--out",
            str(tmp_path / "o.csv"),
        ]
    )
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "o.csv").exists()


def test_case_pages_list_their_candidates(app, pair, as_user, client) -> None:
    as_user("forensic_officer")
    remains_page = client.get(f"/remains/{pair['remains']}").get_data(as_text=True)
    assert "Candidate matches" in remains_page and pair["person"] in remains_page
    as_user("consular_official")  # no access to candidates: the section is absent
    assert "Candidate matches" not in client.get("/").get_data(as_text=True)


def test_no_identification_is_proposed_on_an_identified_case(app, world, pair) -> None:
    """Two similar people were both candidates for the remains; once one is identified, the
    other candidate can no longer be proposed (nor confirmed)."""
    from casework.accounts import services as accounts
    from casework.accounts.models import Agency, Role, User
    from casework.errors import ValidationError
    from casework.extensions import db
    from casework.matches.models import CandidateMatch, CandidateStatus
    from casework.matches.services import confirm_identification, propose_identification
    from tests.conftest import PASSWORD

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        brother = make_missing(liaison, given_names="Juan Carlos", aliases="")
        rival = db.session.scalar(
            select(CandidateMatch).where(
                CandidateMatch.missing_person_id == brother.id,
                CandidateMatch.remains_id == _candidate(app, pair["candidate"]).remains_id,
            )
        )
        assert rival is not None and rival.status is CandidateStatus.PROPOSED
        rival_id = rival.id
        officer = db.session.get(User, world.user("forensic_officer"))
        supervisor = db.session.get(User, world.user("supervisor"))
        candidate = _candidate(app, pair["candidate"])
        propose_identification(candidate, officer, ["dental"], "", candidate.version)
        confirm_identification(candidate, supervisor, candidate.version)

        rival = _candidate(app, rival_id)
        with pytest.raises(ValidationError, match=f"{pair['remains']} is already identified"):
            propose_identification(rival, officer, ["dental"], "", rival.version)
        rival = _candidate(app, rival_id)
        assert rival.status is CandidateStatus.PROPOSED and rival.proposed_by_id is None
        assert _candidate(app, pair["candidate"]).remains.identified_as_id != brother.id

        second = accounts.create_user(
            agency=db.session.get(Agency, world.home),
            email="second@home.example",
            display_name="Second supervisor",
            role=Role.SUPERVISOR,
            password=PASSWORD,
        )
        # a proposal made before the other was confirmed cannot be confirmed after it either
        db.session.execute(
            CandidateMatch.__table__.update()
            .where(CandidateMatch.id == rival_id)
            .values(status="identification_proposed", proposed_by_id=officer.id)
        )
        db.session.commit()
        rival = _candidate(app, rival_id)
        with pytest.raises(ValidationError, match="already identified"):
            confirm_identification(rival, second, rival.version)
