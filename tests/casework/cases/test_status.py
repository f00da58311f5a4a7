"""The case status machine: the transition table, the service that enforces it, the history it
writes, and the "Change status" form on both case pages."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from casework.accounts.models import Role
from casework.cases.status import TRANSITIONS, Via, transition
from casework.missing.models import MissingPersonStatus as M
from casework.remains.models import RemainsStatus as R
from tests.casework.factories import make_missing, make_remains

LIAISON, OFFICER, SUPERVISOR = Role.FAMILY_LIAISON, Role.FORENSIC_OFFICER, Role.SUPERVISOR

# Every transition there is: (kind, from, to, route, roles on the case page, reason needed).
EXPECTED = {
    ("missing", M.OPEN, M.CANDIDATE_UNDER_REVIEW, Via.MATCHING, frozenset(), False),
    ("missing", M.CANDIDATE_UNDER_REVIEW, M.OPEN, Via.MATCHING, frozenset(), False),
    ("missing", M.CANDIDATE_UNDER_REVIEW, M.IDENTIFIED, Via.IDENTIFICATION, frozenset(), False),
    ("missing", M.OPEN, M.IDENTIFIED, Via.IDENTIFICATION, frozenset(), False),
    ("missing", M.OPEN, M.FOUND_ALIVE, Via.FORM, frozenset({LIAISON, SUPERVISOR}), True),
    ("missing", M.OPEN, M.CLOSED, Via.FORM, frozenset({LIAISON, SUPERVISOR}), True),
    ("missing", M.CLOSED, M.OPEN, Via.FORM, frozenset({LIAISON, SUPERVISOR}), True),
    ("missing", M.FOUND_ALIVE, M.OPEN, Via.FORM, frozenset({SUPERVISOR}), True),
    ("remains", R.UNIDENTIFIED, R.CANDIDATE_UNDER_REVIEW, Via.MATCHING, frozenset(), False),
    ("remains", R.CANDIDATE_UNDER_REVIEW, R.UNIDENTIFIED, Via.MATCHING, frozenset(), False),
    ("remains", R.CANDIDATE_UNDER_REVIEW, R.IDENTIFIED, Via.IDENTIFICATION, frozenset(), False),
    ("remains", R.UNIDENTIFIED, R.IDENTIFIED, Via.IDENTIFICATION, frozenset(), False),
    ("remains", R.IDENTIFIED, R.REPATRIATED, Via.WORKFLOW, frozenset(), False),
    (
        "remains",
        R.UNIDENTIFIED,
        R.BURIED_UNIDENTIFIED,
        Via.FORM,
        frozenset({OFFICER, SUPERVISOR}),
        True,
    ),
    (
        "remains",
        R.BURIED_UNIDENTIFIED,
        R.UNIDENTIFIED,
        Via.FORM,
        frozenset({OFFICER, SUPERVISOR}),
        True,
    ),
}

REFUSED = [
    ("missing", M.IDENTIFIED, M.OPEN),
    ("missing", M.IDENTIFIED, M.CLOSED),
    ("missing", M.FOUND_ALIVE, M.CLOSED),
    ("missing", M.FOUND_ALIVE, M.IDENTIFIED),
    ("missing", M.CLOSED, M.IDENTIFIED),
    ("missing", M.CLOSED, M.FOUND_ALIVE),
    ("missing", M.CANDIDATE_UNDER_REVIEW, M.CLOSED),
    ("missing", M.CANDIDATE_UNDER_REVIEW, M.FOUND_ALIVE),
    ("missing", M.OPEN, M.OPEN),
    ("remains", R.UNIDENTIFIED, R.REPATRIATED),
    ("remains", R.CANDIDATE_UNDER_REVIEW, R.REPATRIATED),
    ("remains", R.CANDIDATE_UNDER_REVIEW, R.BURIED_UNIDENTIFIED),
    ("remains", R.REPATRIATED, R.IDENTIFIED),
    ("remains", R.REPATRIATED, R.UNIDENTIFIED),
    ("remains", R.IDENTIFIED, R.UNIDENTIFIED),
    ("remains", R.IDENTIFIED, R.BURIED_UNIDENTIFIED),
    ("remains", R.BURIED_UNIDENTIFIED, R.IDENTIFIED),
    ("remains", R.BURIED_UNIDENTIFIED, R.REPATRIATED),
]


def test_the_table_is_exactly_the_documented_one() -> None:
    found = {(t.kind, t.source, t.target, t.via, t.roles, t.needs_reason) for t in TRANSITIONS}
    assert found == {(k, s.value, t.value, v, r, n) for k, s, t, v, r, n in EXPECTED}


@pytest.mark.parametrize(
    ("kind", "source", "target", "via", "roles", "reason"),
    sorted(EXPECTED, key=str),
    ids=lambda value: str(value) if not isinstance(value, frozenset) else "roles",
)
def test_every_allowed_transition(kind, source, target, via, roles, reason) -> None:
    step = transition(kind, source, target)
    assert step is not None and step.via is via and step.roles == roles
    assert step.needs_reason is reason


@pytest.mark.parametrize(("kind", "source", "target"), REFUSED, ids=str)
def test_refused_transitions_are_not_in_the_table(kind, source, target) -> None:
    assert transition(kind, source, target) is None


def test_final_statuses_lead_nowhere() -> None:
    for kind, final in (("missing", M.IDENTIFIED), ("remains", R.REPATRIATED)):
        assert not [t for t in TRANSITIONS if t.kind == kind and t.source == final.value]


@pytest.fixture
def people(app, world):
    """A missing person (liaison) and remains (officer) of the home agency, and the users."""
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        officer = db.session.get(User, world.user("forensic_officer"))
        person = make_missing(liaison)
        remains = make_remains(officer)
        from casework.custody.services import record_sample

        # a DNA sample held: burial is then allowed (tests/casework/dna for the hold itself)
        record_sample(remains, {"barcode": "PM-STATUS-1", "kind": "bone"})
        return {"person": person.reference, "remains": remains.reference}


def _person(reference):
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    db.session.expire_all()
    return db.session.scalar(select(MissingPerson).where(MissingPerson.reference == reference))


def _remains(reference):
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    db.session.expire_all()
    return db.session.scalar(
        select(UnidentifiedRemains).where(UnidentifiedRemains.reference == reference)
    )


def _user(world, key):
    from casework.accounts.models import User
    from casework.extensions import db

    return db.session.get(User, world.user(key))


def _history_count():
    from casework.cases.models import StatusChange
    from casework.extensions import db

    return db.session.scalar(select(func.count()).select_from(StatusChange))


def test_closing_and_reopening_are_recorded_with_reason_who_and_when(
    app, world, people, clock
) -> None:
    from casework.audit.models import AuditEntry
    from casework.cases.status import change_status, history
    from casework.extensions import db

    with app.test_request_context():
        liaison = _user(world, "family_liaison")
        case = _person(people["person"])
        change_status(case, "closed", liaison, "The family withdrew the request.", case.version)
        clock.advance(days=3)
        case = _person(people["person"])
        change_status(case, "open", liaison, "New call from a cousin in Tapachula.", case.version)
        case = _person(people["person"])
        assert case.status is M.OPEN
        rows = history(case)
        assert [(r.from_status, r.to_status) for r in rows] == [
            ("closed", "open"),
            ("open", "closed"),
        ]
        assert rows[0].reason == "New call from a cousin in Tapachula."
        assert rows[0].changed_by_id == liaison.id and rows[0].via == "form"
        assert rows[0].changed_at == clock.moment
        assert rows[1].changed_at < rows[0].changed_at
        # the audit trail has the status change of the case and the new history row
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "MissingPerson")
        ).all()
        statuses = [json.loads(e.details).get("status") for e in entries]
        assert ["open", "closed"] in statuses and ["closed", "open"] in statuses
        created = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "StatusChange")
        ).all()
        assert len(created) == 2
        assert all(json.loads(e.details)["missing_person_id"] == str(case.id) for e in created)


@pytest.mark.parametrize(
    ("role", "target", "reason", "error", "message"),
    [
        ("family_liaison", "closed", "", "ValidationError", "reason"),
        ("family_liaison", "closed", "  no ", "ValidationError", "reason"),
        ("family_liaison", "found_alive", None, "ValidationError", "reason"),
        ("family_liaison", "identified", "DNA matched", "ValidationError", "two people"),
        ("family_liaison", "candidate_under_review", "x", "ValidationError", "candidate page"),
        ("family_liaison", "buried_unidentified", "x", "ValidationError", "Choose a status"),
        ("family_liaison", "", "reason given", "ValidationError", "Choose a status"),
        ("family_liaison", "open", "reason given", "ValidationError", "already open"),
        ("family_liaison", "closed", "x" * 5001, "ValidationError", "5,000"),
        ("forensic_officer", "closed", "Family withdrew", "NotAllowed", "Your role"),
    ],
)
def test_the_service_refuses_and_stores_nothing(
    app, world, people, role, target, reason, error, message
) -> None:
    from casework.cases.status import change_status
    from casework.errors import CaseworkError

    with app.test_request_context():
        case = _person(people["person"])
        version = case.version
        with pytest.raises(CaseworkError) as raised:
            change_status(case, target, _user(world, role), reason, version)
        assert type(raised.value).__name__ == error and message in raised.value.message
        case = _person(people["person"])
        assert case.status is M.OPEN and case.version == version
        assert _history_count() == 0


def test_a_stale_version_is_a_conflict(app, world, people) -> None:
    from casework.cases.status import change_status
    from casework.errors import ConflictError

    with app.test_request_context():
        liaison = _user(world, "family_liaison")
        case = _person(people["person"])
        stale = case.version
        change_status(case, "closed", liaison, "Family withdrew the request", stale)
        case = _person(people["person"])
        with pytest.raises(ConflictError, match="changed by someone else"):
            change_status(case, "found_alive", liaison, "He called home", stale)
        assert _person(people["person"]).status is M.CLOSED
        assert _history_count() == 1


def test_found_alive_is_final_except_for_a_supervisor(app, world, people) -> None:
    from casework.cases.status import change_status, next_statuses
    from casework.errors import NotAllowed

    with app.test_request_context():
        liaison, supervisor = _user(world, "family_liaison"), _user(world, "supervisor")
        case = _person(people["person"])
        assert next_statuses(case, liaison) == [M.FOUND_ALIVE, M.CLOSED]
        change_status(case, "found_alive", liaison, "He called his mother from Houston.", 1)
        case = _person(people["person"])
        assert next_statuses(case, liaison) == []
        with pytest.raises(NotAllowed, match="supervisor"):
            change_status(case, "open", liaison, "Wrong person called", case.version)
        assert next_statuses(case, supervisor) == [M.OPEN]
        change_status(case, "open", supervisor, "Recorded in error: another man.", case.version)
        assert _person(people["person"]).status is M.OPEN


def test_remains_burial_and_exhumation(app, world, people, clock) -> None:
    from casework.cases.status import change_status, history, next_statuses

    with app.test_request_context():
        officer, liaison = _user(world, "forensic_officer"), _user(world, "family_liaison")
        case = _remains(people["remains"])
        assert next_statuses(case, officer) == [R.BURIED_UNIDENTIFIED]
        assert next_statuses(case, liaison) == []
        change_status(case, "buried_unidentified", officer, "Municipal cemetery, plot 14", 1)
        case = _remains(people["remains"])
        assert next_statuses(case, officer) == [R.UNIDENTIFIED]
        clock.advance(days=400)
        change_status(case, "unidentified", officer, "Exhumed for DNA sampling", case.version)
        case = _remains(people["remains"])
        assert case.status is R.UNIDENTIFIED
        assert [row.to_status for row in history(case)] == ["unidentified", "buried_unidentified"]


def test_repatriation_only_through_the_workflow_and_only_after_identification(
    app, world, people
) -> None:
    from casework.cases.status import Via, change_status, record_transition
    from casework.errors import ValidationError
    from casework.extensions import db

    with app.test_request_context():
        supervisor = _user(world, "supervisor")
        case = _remains(people["remains"])
        with pytest.raises(ValidationError, match="cannot become repatriated"):
            record_transition(case, R.REPATRIATED, supervisor, "Flown home")
        db.session.rollback()
        case = _remains(people["remains"])
        with pytest.raises(ValidationError, match="two people"):
            record_transition(case, R.IDENTIFIED, supervisor, "By hand")  # not the workflow's
        db.session.rollback()
        case = _remains(people["remains"])
        record_transition(case, R.IDENTIFIED, supervisor, "test", via=Via.IDENTIFICATION)
        db.session.commit()
        case = _remains(people["remains"])
        with pytest.raises(ValidationError, match="repatriation workflow"):
            change_status(case, "repatriated", supervisor, "Flown home", case.version)
        case = _remains(people["remains"])
        record_transition(case, R.REPATRIATED, supervisor, "Flown to Guatemala City")
        db.session.commit()
        assert _remains(people["remains"]).status is R.REPATRIATED
        assert _history_count() == 2


def test_history_rows_cannot_be_changed_or_deleted(app, world, people) -> None:
    from casework.audit.services import AppendOnlyError
    from casework.cases.models import StatusChange
    from casework.cases.status import change_status
    from casework.extensions import db

    with app.test_request_context():
        case = _person(people["person"])
        change_status(case, "closed", _user(world, "supervisor"), "Family withdrew", 1)
        row = db.session.scalar(select(StatusChange))
        row.to_status = "found_alive"
        with pytest.raises(AppendOnlyError):
            db.session.commit()
        db.session.rollback()
        with db.engine.connect() as connection, pytest.raises(Exception, match="append-only"):
            connection.execute(StatusChange.__table__.delete())


def test_the_reason_is_stored_encrypted(app, world, people) -> None:
    from casework.cases.status import change_status
    from casework.extensions import db
    from tests.casework.test_personal_data import _raw_dump

    with app.test_request_context():
        case = _person(people["person"])
        reason = "Mother Rosa Xitumul asked to stop"
        change_status(case, "closed", _user(world, "family_liaison"), reason, 1)
        assert reason.encode() not in _raw_dump(db)


# candidate review keeps the statuses consistent and writes the history too


@pytest.fixture
def candidate(app, people):
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    with app.test_request_context():
        person, remains = _person(people["person"]), _remains(people["remains"])
        return db.session.scalar(
            select(CandidateMatch.id).where(
                CandidateMatch.missing_person_id == person.id,
                CandidateMatch.remains_id == remains.id,
            )
        )


def _candidate(candidate_id):
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    db.session.expire_all()
    return db.session.get(CandidateMatch, candidate_id)


def _second_supervisor(world):
    from casework.accounts import services as accounts
    from casework.accounts.models import Agency
    from casework.extensions import db
    from tests.conftest import PASSWORD

    return accounts.create_user(
        agency=db.session.get(Agency, world.home),
        email="second@home.example",
        display_name="Second supervisor",
        role=Role.SUPERVISOR,
        password=PASSWORD,
    )


def test_proposal_puts_both_under_review_and_turning_it_down_reopens_them(
    app, world, people, candidate, clock
) -> None:
    from casework.cases.status import history
    from casework.matches import services

    with app.test_request_context():
        officer, supervisor = _user(world, "forensic_officer"), _user(world, "supervisor")
        services.propose_identification(_candidate(candidate), officer, ["dental"], None, 1)
        person, remains = _person(people["person"]), _remains(people["remains"])
        assert person.status is M.CANDIDATE_UNDER_REVIEW
        assert remains.status is R.CANDIDATE_UNDER_REVIEW
        assert [(r.via, r.to_status) for r in history(person)] == [
            ("matching", "candidate_under_review")
        ]
        assert history(person)[0].reason == remains.reference
        clock.advance(days=2)
        pending = _candidate(candidate)
        services.reject_identification(
            pending, supervisor, "Dental chart differs at 36", pending.version
        )
        person, remains = _person(people["person"]), _remains(people["remains"])
        assert person.status is M.OPEN and remains.status is R.UNIDENTIFIED
        assert history(remains)[0].reason == "Dental chart differs at 36"


def test_remains_stay_under_review_while_another_proposal_is_pending(
    app, world, people, candidate
) -> None:
    from casework.extensions import db
    from casework.matches import services
    from casework.matches.models import CandidateMatch

    with app.test_request_context():
        officer, supervisor = _user(world, "forensic_officer"), _user(world, "supervisor")
        twin = make_missing(_user(world, "family_liaison"), given_names="José")
        remains = _remains(people["remains"])
        services.refresh_candidates(remains)
        second = db.session.scalar(
            select(CandidateMatch.id).where(
                CandidateMatch.missing_person_id == twin.id,
                CandidateMatch.remains_id == remains.id,
            )
        )
        assert second is not None
        for candidate_id in (candidate, second):
            pending = _candidate(candidate_id)
            services.propose_identification(pending, officer, ["dental"], None, pending.version)
        pending = _candidate(candidate)
        services.reject_identification(pending, supervisor, "Dental differs at 48", pending.version)
        assert _person(people["person"]).status is M.OPEN
        assert _remains(people["remains"]).status is R.CANDIDATE_UNDER_REVIEW
        pending = _candidate(second)
        services.reject_identification(pending, supervisor, "Stature too short", pending.version)
        assert _remains(people["remains"]).status is R.UNIDENTIFIED


def test_confirmation_identifies_both_and_records_it(app, world, people, candidate, clock) -> None:
    from casework.cases.status import history
    from casework.matches import services

    with app.test_request_context():
        officer = _user(world, "forensic_officer")
        services.propose_identification(_candidate(candidate), officer, ["dental"], None, 1)
        second = _second_supervisor(world)
        clock.advance(days=2)
        pending = _candidate(candidate)
        services.confirm_identification(pending, second, pending.version)
        person, remains = _person(people["person"]), _remains(people["remains"])
        assert person.status is M.IDENTIFIED and remains.status is R.IDENTIFIED
        for case in (person, remains):
            latest = history(case)[0]
            assert (latest.from_status, latest.to_status, latest.via) == (
                "candidate_under_review",
                "identified",
                "identification",
            )


def test_confirmation_is_refused_for_a_person_found_alive(app, world, people, candidate) -> None:
    from casework.errors import ValidationError
    from casework.matches import services
    from casework.matches.models import CandidateStatus
    from casework.missing.models import MissingPerson

    with app.test_request_context():
        services.propose_identification(
            _candidate(candidate), _user(world, "forensic_officer"), ["dental"], None, 1
        )
        # the person was found alive by some other route before the confirmation came
        from casework.extensions import db

        db.session.execute(
            MissingPerson.__table__.update()
            .where(MissingPerson.reference == people["person"])
            .values(status="found_alive")
        )
        db.session.commit()
        second = _second_supervisor(world)
        pending = _candidate(candidate)
        with pytest.raises(ValidationError, match="cannot become identified"):
            services.confirm_identification(pending, second, pending.version)
        assert _candidate(candidate).status is CandidateStatus.IDENTIFICATION_PROPOSED
        assert _remains(people["remains"]).status is R.CANDIDATE_UNDER_REVIEW


# the "Change status" form on the case pages


def test_missing_page_offers_only_the_allowed_statuses(app, people, as_user, client) -> None:
    as_user("family_liaison")
    page = client.get(f"/missing/{people['person']}").get_data(as_text=True)
    assert "Change status" in page and "Status history" in page
    form = page.split('class="status-change"', 1)[1].split("</form>", 1)[0]
    assert 'value="found_alive"' in form and 'value="closed"' in form
    assert 'value="identified"' not in form and 'value="candidate_under_review"' not in form
    as_user("forensic_officer")  # reads the case, cannot change it
    page = client.get(f"/missing/{people['person']}").get_data(as_text=True)
    assert "Status history" in page and 'class="status-change"' not in page


def test_remains_page_offers_burial_to_the_officer(app, people, as_user, client) -> None:
    as_user("forensic_officer")
    page = client.get(f"/remains/{people['remains']}").get_data(as_text=True)
    form = page.split('class="status-change"', 1)[1].split("</form>", 1)[0]
    assert 'value="buried_unidentified"' in form and 'value="identified"' not in form
    response = client.post(
        f"/remains/{people['remains']}/status",
        data={"status": "buried_unidentified", "reason": "Plot 14, Altar cemetery", "version": 1},
    )
    assert response.status_code == 303
    page = client.get(f"/remains/{people['remains']}").get_data(as_text=True)
    assert "Plot 14, Altar cemetery" in page and "buried unidentified" in page


@pytest.mark.parametrize(
    ("kind", "data", "code", "message"),
    [
        ("missing", {"status": "vanished", "reason": "whatever it is"}, 400, "Choose a status"),
        ("missing", {"status": "identified", "reason": "DNA matched"}, 400, "two people"),
        ("missing", {"status": "closed", "reason": ""}, 400, "Give the reason"),
        ("missing", {"status": "closed", "reason": "x" * 5001}, 400, "5000"),
        ("missing", {"status": "closed", "reason": "Family withdrew", "version": 7}, 409, "else"),
        ("missing", {"status": "closed", "reason": "Family withdrew", "version": "x"}, 409, "else"),
        ("remains", {"status": "identified", "reason": "Looks like him"}, 400, "two people"),
        ("remains", {"status": "repatriated", "reason": "Flown home"}, 400, "cannot become"),
        ("remains", {"status": "buried_unidentified", "reason": ""}, 400, "Give the reason"),
    ],
)
def test_bad_status_changes_are_refused_on_the_page(
    app, people, as_user, client, kind, data, code, message
) -> None:
    as_user("supervisor")
    reference = people["person"] if kind == "missing" else people["remains"]
    response = client.post(f"/{kind}/{reference}/status", data={"version": 1, **data})
    assert response.status_code == code
    assert message in response.get_data(as_text=True)
    with app.test_request_context():
        case = _person(reference) if kind == "missing" else _remains(reference)
        assert case.version == 1 and case.status in (M.OPEN, R.UNIDENTIFIED)
        assert _history_count() == 0


def test_liaison_closes_a_search_on_the_page(app, people, as_user, client) -> None:
    as_user("family_liaison")
    url = f"/missing/{people['person']}"
    response = client.post(
        f"{url}/status", data={"status": "closed", "reason": "Family withdrew", "version": 1}
    )
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Status changed to closed." in page and "Family withdrew" in page
    assert "on the case page" in page
    form = page.split('class="status-change"', 1)[1].split("</form>", 1)[0]
    assert 'value="open"' in form and 'value="closed"' not in form


def test_officer_cannot_change_a_missing_person_and_abroad_cannot_see_it(
    app, people, as_user, client
) -> None:
    as_user("forensic_officer")
    data = {"status": "closed", "reason": "Family withdrew", "version": 1}
    assert client.post(f"/missing/{people['person']}/status", data=data).status_code == 403
    as_user("officer_abroad")
    data = {"status": "buried_unidentified", "reason": "Plot 3", "version": 1}
    assert client.post(f"/remains/{people['remains']}/status", data=data).status_code == 404
    with app.test_request_context():
        assert _history_count() == 0


def test_a_reopened_case_is_matched_again(app, world, people) -> None:
    """The status change is announced (`casework.cases.events`) and candidate matching listens:
    remains recovered while the search was closed become candidates when it is reopened."""
    from casework.cases.status import change_status
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    def pair_exists(person, remains) -> bool:
        return (
            db.session.scalar(
                select(func.count()).where(
                    CandidateMatch.missing_person_id == person.id,
                    CandidateMatch.remains_id == remains.id,
                )
            )
            > 0
        )

    with app.test_request_context():
        liaison = _user(world, "family_liaison")
        case = _person(people["person"])
        change_status(case, "closed", liaison, "The family withdrew the request.", case.version)
        later = make_remains(_user(world, "forensic_officer"))
        assert not pair_exists(_person(people["person"]), later)  # closed cases are not matched
        case = _person(people["person"])
        change_status(case, "open", liaison, "New call from a cousin in Tapachula.", case.version)
        assert pair_exists(_person(people["person"]), later)
