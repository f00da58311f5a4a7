"""The API's status changes, candidate decisions and repatriations: the same services and rules
as the pages, bad input refused field by field with nothing changed, roles, other agencies'
records hidden, stale versions refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.casework.api.conftest import bearer


def _scalar(app: Any, query: Any) -> Any:
    from casework.extensions import db

    with app.app_context():
        value = db.session.scalar(query)
        db.session.remove()
    return value


def _status_changes(app: Any) -> int:
    from casework.cases.models import StatusChange

    return int(_scalar(app, select(func.count()).select_from(StatusChange)))


# -- case status -------------------------------------------------------------------------------


def test_close_and_reopen_a_missing_person(app, client, clock, token_for, make_case) -> None:
    reference = make_case("missing", "family_liaison")
    secret = token_for("family_liaison")
    url = f"/api/v1/missing/{reference}"
    before = client.get(url, headers=bearer(secret)).get_json()["data"]
    assert before["status_history"] == []
    assert before["next_statuses"] == ["found_alive", "closed"]

    closed = client.post(
        f"{url}/status",
        headers=bearer(secret),
        json={"status": "closed", "reason": "The family ended the search.", "version": 1},
    )
    assert closed.status_code == 200, closed.get_json()
    data = closed.get_json()["data"]
    assert data["status"] == "closed" and data["version"] == 2
    assert closed.headers["ETag"] == '"2"'
    assert data["next_statuses"] == ["open"]
    [change] = data["status_history"]
    assert change["from_status"] == "open" and change["to_status"] == "closed"
    assert change["via"] == "form" and change["reason"] == "The family ended the search."
    assert change["changed_by"] == "Family_Liaison"

    clock.advance(days=3)
    reopened = client.post(
        f"{url}/status",
        headers={**bearer(secret), "If-Match": '"2"'},
        json={"status": "open", "reason": "A cousin heard from him."},
    )
    assert reopened.status_code == 200
    history = reopened.get_json()["data"]["status_history"]
    assert [item["to_status"] for item in history] == ["open", "closed"]  # newest first


def test_remains_status_and_a_case_others_see_but_do_not_hold(client, token_for, make_case) -> None:
    reference = make_case("remains", "forensic_officer", sample="PM-API-1")
    url = f"/api/v1/remains/{reference}/status"
    body = {"status": "buried_unidentified", "reason": "County burial, plot 14.", "version": 1}
    # another agency's officer does not even see it; a consul sees only identified nationals
    assert client.post(url, headers=bearer(token_for("officer_abroad")), json=body).status_code == (
        404
    )
    assert client.post(url, headers=bearer(token_for("family_liaison")), json=body).status_code == (
        403
    )
    done = client.post(url, headers=bearer(token_for("forensic_officer")), json=body)
    assert done.status_code == 200
    assert done.get_json()["data"]["status"] == "buried_unidentified"


STATUS_REFUSALS = [
    # (kind, body, status, field)
    ("missing", {}, 422, "status"),
    ("missing", {"status": "lost", "version": 1}, 422, "status"),
    ("missing", {"status": "closed", "version": 1}, 422, "reason"),
    ("missing", {"status": "closed", "reason": "ok", "version": 1}, 422, "reason"),
    ("missing", {"status": "identified", "version": 1}, 422, "status"),
    ("missing", {"status": "open", "reason": "Nothing to change.", "version": 1}, 422, "status"),
    ("missing", {"status": "closed", "reason": "Ended.", "note": "x", "version": 1}, 422, "note"),
    ("missing", {"status": "closed", "reason": "Ended."}, 428, "version"),
    ("missing", {"status": "closed", "reason": "Ended.", "version": "1"}, 422, "version"),
    ("remains", {"status": "repatriated", "version": 1}, 422, "status"),
    ("remains", {"status": "buried_unidentified", "version": 1}, 422, "reason"),
]


@pytest.mark.parametrize(("kind", "body", "status", "field"), STATUS_REFUSALS)
def test_bad_status_changes_change_nothing(
    app, client, token_for, make_case, kind, body, status, field
) -> None:
    reference = make_case(kind, "family_liaison" if kind == "missing" else "forensic_officer")
    secret = token_for("supervisor")
    url = f"/api/v1/{kind}/{reference}"
    before = client.get(url, headers=bearer(secret)).get_json()["data"]
    response = client.post(f"{url}/status", headers=bearer(secret), json=body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["fields"][field], error
    after = client.get(url, headers=bearer(secret)).get_json()["data"]
    assert after == before
    assert _status_changes(app) == 0


def test_status_change_refusals_by_role_and_version(app, client, token_for, make_case) -> None:
    reference = make_case("missing", "family_liaison")
    url = f"/api/v1/missing/{reference}/status"
    liaison = token_for("family_liaison")
    found = {"status": "found_alive", "reason": "He called from Tucson.", "version": 1}
    assert client.post(url, headers=bearer(liaison), json=found).status_code == 200
    reopen = {"status": "open", "reason": "Recorded in error.", "version": 2}
    # found alive is final for liaison staff: only a supervisor reopens it
    refused = client.post(url, headers=bearer(liaison), json=reopen)
    assert refused.status_code == 403
    assert "supervisor" in refused.get_json()["error"]["message"]
    for key in ("forensic_officer", "consular_gtm", "auditor"):
        assert client.post(url, headers=bearer(token_for(key)), json=reopen).status_code == 403
    read_only = token_for("supervisor", ("read",))
    scoped = client.post(url, headers=bearer(read_only), json=reopen)
    assert scoped.status_code == 403
    assert scoped.get_json()["error"]["code"] == "insufficient_scope"
    stale = client.post(url, headers=bearer(token_for("supervisor")), json={**reopen, "version": 1})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "conflict"
    assert _status_changes(app) == 1
    supervisor = client.post(url, headers=bearer(token_for("supervisor")), json=reopen)
    assert supervisor.get_json()["data"]["status"] == "open"


# -- candidate decisions -----------------------------------------------------------------------


@pytest.fixture
def pair(app, make_case) -> dict[str, str]:
    """A missing person and remains the engine proposed as a candidate."""
    from casework.matches.models import CandidateMatch

    mp = make_case("missing", "family_liaison")
    ur = make_case("remains", "forensic_officer")
    candidate = _scalar(app, select(CandidateMatch.id))
    assert candidate is not None
    return {"mp": mp, "ur": ur, "url": f"/api/v1/candidates/{candidate}"}


def _candidate(client: Any, secret: str, url: str) -> dict[str, Any]:
    return client.get(url, headers=bearer(secret)).get_json()["data"]


def test_exclude_a_candidate(app, client, token_for, pair) -> None:
    from casework.audit.models import AuditEntry

    secret = token_for("forensic_officer")
    updates = select(func.count()).where(
        AuditEntry.action == "update", AuditEntry.object_type == "CandidateMatch"
    )
    before = _scalar(app, updates)
    response = client.post(
        f"{pair['url']}/exclude",
        headers=bearer(secret),
        json={"reason": "Dental chart disagrees on 36.", "version": 1},
    )
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["status"] == "excluded" and data["decision_reason"].startswith("Dental")
    assert data["version"] == 2 and response.headers["ETag"] == '"2"'
    assert _scalar(app, updates) == before + 1  # the decision is in the audit trail


def test_two_people_identify_through_the_api(app, client, token_for, pair) -> None:
    officer, supervisor = token_for("forensic_officer"), token_for("supervisor")
    proposed = client.post(
        f"{pair['url']}/propose",
        headers=bearer(officer),
        json={"identifiers": ["dental", "secondary"], "version": 1},
    )
    assert proposed.status_code == 200, proposed.get_json()
    data = proposed.get_json()["data"]
    assert data["status"] == "identification_proposed"
    assert data["identifiers"] == ["dental", "secondary"]
    remains = client.get(f"/api/v1/remains/{pair['ur']}", headers=bearer(supervisor))
    assert remains.get_json()["data"]["status"] == "candidate_under_review"

    # the officer may not sign twice: confirmation is a supervisor's
    assert (
        client.post(
            f"{pair['url']}/confirm", headers=bearer(officer), json={"version": 2}
        ).status_code
        == 403
    )
    stale = client.post(f"{pair['url']}/confirm", headers=bearer(supervisor), json={"version": 1})
    assert stale.status_code == 409
    confirmed = client.post(
        f"{pair['url']}/confirm", headers={**bearer(supervisor), "If-Match": '"2"'}, json={}
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["data"]["status"] == "confirmed"
    remains = client.get(f"/api/v1/remains/{pair['ur']}", headers=bearer(supervisor))
    case = remains.get_json()["data"]
    assert case["status"] == "identified" and case["identified_as"] == pair["mp"]
    assert ("identified", "identification") in {
        (item["to_status"], item["via"]) for item in case["status_history"]
    }


def test_the_proposer_cannot_confirm_their_own_proposal(app, client, token_for, pair) -> None:
    supervisor = token_for("supervisor")
    client.post(
        f"{pair['url']}/propose", headers=bearer(supervisor), json={"identifiers": ["dental"]}
    )  # no version: refused, nothing proposed
    assert _candidate(client, supervisor, pair["url"])["status"] == "proposed"
    assert (
        client.post(
            f"{pair['url']}/propose",
            headers=bearer(supervisor),
            json={"identifiers": ["dental"], "version": 1},
        ).status_code
        == 200
    )
    own = client.post(f"{pair['url']}/confirm", headers=bearer(supervisor), json={"version": 2})
    assert own.status_code == 403
    assert "two people" in own.get_json()["error"]["message"]
    assert _candidate(client, supervisor, pair["url"])["status"] == "identification_proposed"

    rejected = client.post(
        f"{pair['url']}/reject",
        headers=bearer(supervisor),
        json={"reason": "The DNA report was for another case.", "version": 2},
    )
    assert rejected.status_code == 200
    assert rejected.get_json()["data"]["status"] == "proposed"
    remains = client.get(f"/api/v1/remains/{pair['ur']}", headers=bearer(supervisor))
    assert remains.get_json()["data"]["status"] == "unidentified"


DECISION_REFUSALS = [
    # (action, body, status, field)
    ("exclude", {"version": 1}, 422, "reason"),
    ("exclude", {"reason": "no", "version": 1}, 422, "reason"),
    ("exclude", {"reason": None, "version": 1}, 422, "reason"),
    ("exclude", {"reason": "Dental chart disagrees."}, 428, "version"),
    ("propose", {"version": 1}, 422, "identifiers"),
    ("propose", {"identifiers": [], "version": 1}, 422, "identifiers"),
    ("propose", {"identifiers": ["blood"], "version": 1}, 422, "identifiers[0]"),
    ("propose", {"identifiers": "dental", "version": 1}, 422, "identifiers"),
    ("propose", {"identifiers": ["secondary"], "version": 1}, 422, "reason"),
    ("propose", {"identifiers": ["dental"], "version": 1, "by": "me"}, 422, "by"),
    ("confirm", {"version": 1}, 422, "body"),  # nothing was proposed yet
    ("reject", {"reason": "Not proposed.", "version": 1}, 422, "body"),
]


@pytest.mark.parametrize(("action", "body", "status", "field"), DECISION_REFUSALS)
def test_bad_decisions_change_nothing(
    app, client, token_for, pair, action, body, status, field
) -> None:
    secret = token_for("supervisor")
    before = _candidate(client, secret, pair["url"])
    response = client.post(f"{pair['url']}/{action}", headers=bearer(secret), json=body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["fields"][field]
    after = _candidate(client, secret, pair["url"])
    assert after == before and after["status"] == "proposed"
    assert _status_changes(app) == 0


DECISION_BODIES = {
    "exclude": {"reason": "Ruled out by dental.", "version": 1},
    "propose": {"identifiers": ["dental"], "version": 1},
    "confirm": {"version": 1},
    "reject": {"reason": "Ruled out by dental.", "version": 1},
}


@pytest.mark.parametrize(
    ("key", "action", "status"),
    [
        ("officer_abroad", "exclude", 404),  # another agency's cases: not revealed
        ("family_liaison", "exclude", 403),
        ("auditor", "propose", 403),
        ("consular_gtm", "propose", 403),
        ("forensic_officer", "confirm", 403),
        ("forensic_officer", "reject", 403),
    ],
)
def test_decisions_by_role(client, token_for, pair, key, action, status) -> None:
    response = client.post(
        f"{pair['url']}/{action}", headers=bearer(token_for(key)), json=DECISION_BODIES[action]
    )
    assert response.status_code == status
    assert _candidate(client, token_for("supervisor"), pair["url"])["status"] == "proposed"


def test_write_scope_is_needed_for_decisions(client, token_for, pair) -> None:
    read_only = token_for("supervisor", ("read",))
    response = client.post(
        f"{pair['url']}/exclude", headers=bearer(read_only), json=DECISION_BODIES["exclude"]
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "insufficient_scope"
    assert _candidate(client, read_only, pair["url"])["status"] == "proposed"


def test_stale_exclusion_is_409(client, token_for, pair) -> None:
    secret = token_for("forensic_officer")
    body = {"reason": "Stature is far apart.", "version": 1}
    assert client.post(f"{pair['url']}/exclude", headers=bearer(secret), json=body).status_code == (
        200
    )
    again = client.post(
        f"{pair['url']}/propose", headers=bearer(secret), json={"identifiers": ["dental"], **body}
    )
    assert again.status_code == 409
    assert _candidate(client, secret, pair["url"])["status"] == "excluded"


# -- repatriations -----------------------------------------------------------------------------


@pytest.fixture
def identified(app, world) -> dict[str, Any]:
    """Remains held by the home agency, identified as a Guatemalan national."""
    from casework.accounts.models import User
    from casework.extensions import db
    from tests.casework.repatriation.builders import identify

    with app.test_request_context():
        users = {key: db.session.get(User, world.user(key)) for key in world.users}
        person, remains = identify(
            users["family_liaison"], users["forensic_officer"], users["supervisor"]
        )
        found = {"mp": person.reference, "ur": remains.reference, "remains_id": remains.id}
        db.session.remove()
    return found


@pytest.fixture
def started(client, token_for, identified) -> dict[str, Any]:
    consul = token_for("consular_gtm")
    response = client.post(
        f"/api/v1/remains/{identified['ur']}/repatriation", headers=bearer(consul), json={}
    )
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    return {**identified, "consul": consul, "url": f"/api/v1/repatriations/{data['id']}"}


def _repatriations(app: Any) -> int:
    from casework.repatriation.models import Repatriation

    return int(_scalar(app, select(func.count()).select_from(Repatriation)))


def test_start_a_repatriation(app, client, token_for, identified) -> None:
    url = f"/api/v1/remains/{identified['ur']}/repatriation"
    for key, status in (
        ("consular_official", 404),  # a US consul does not see a Guatemalan's remains
        ("supervisor", 403),
        ("forensic_officer", 403),
        ("officer_abroad", 403),
    ):
        assert client.post(url, headers=bearer(token_for(key)), json={}).status_code == status
    consul = token_for("consular_gtm")
    for body, field in (({"steps": []}, "steps"), ([], None)):
        refused = client.post(url, headers=bearer(consul), json=body)
        assert refused.status_code in (400, 422)
        if field:
            assert field in refused.get_json()["error"]["fields"]
    assert (
        client.post(url, headers=bearer(token_for("consular_gtm", ("read",))), json={}).status_code
        == 403
    )
    assert _repatriations(app) == 0

    started = client.post(url, headers=bearer(consul), json={})
    assert started.status_code == 201
    data = started.get_json()["data"]
    assert started.headers["Location"].endswith(f"/api/v1/repatriations/{data['id']}")
    assert data["remains"] == identified["ur"] and data["missing_person"] == identified["mp"]
    assert data["identified_on"] == "2026-06-01" and data["closed_on"] is None
    assert [step["kind"] for step in data["steps"]] == [
        "family_notified",
        "death_certificate",
        "transit_permit",
        "family_consent",
        "transport",
        "handed_over",
        "buried",
    ]
    assert data["steps"][0]["due_date"] == "2026-06-08"
    again = client.post(url, headers=bearer(consul), json={})
    assert again.status_code == 422 and "already under way" in again.get_json()["error"]["message"]
    assert _repatriations(app) == 1


def test_not_identified_remains_cannot_start(app, client, token_for, make_case) -> None:
    reference = make_case("remains", "forensic_officer")
    response = client.post(
        f"/api/v1/remains/{reference}/repatriation",
        headers=bearer(token_for("consular_gtm")),
        json={},
    )
    assert response.status_code == 404  # a consul sees only identified nationals
    assert _repatriations(app) == 0


def test_list_and_detail(app, client, token_for, clock, started) -> None:
    for key, count in (("consular_gtm", 1), ("supervisor", 1), ("auditor", 1)):
        listed = client.get("/api/v1/repatriations", headers=bearer(token_for(key))).get_json()
        assert listed["meta"]["total"] == count, key
    for key in ("consular_official", "officer_abroad"):
        listed = client.get("/api/v1/repatriations", headers=bearer(token_for(key))).get_json()
        assert listed["data"] == [], key
    liaison = client.get("/api/v1/repatriations", headers=bearer(token_for("family_liaison")))
    assert liaison.status_code == 403
    consul = started["consul"]
    summary = client.get("/api/v1/repatriations?state=open", headers=bearer(consul)).get_json()
    assert [item["remains"] for item in summary["data"]] == [started["ur"]]
    assert "steps" not in summary["data"][0] and "Pérez" not in str(summary)
    closed = client.get("/api/v1/repatriations?state=closed", headers=bearer(consul)).get_json()
    assert closed["data"] == []
    assert client.get("/api/v1/repatriations?state=late", headers=bearer(consul)).status_code == 400

    clock.advance(days=10)
    detail = client.get(started["url"], headers=bearer(consul))
    assert detail.status_code == 200 and detail.headers["ETag"] == '"1"'
    data = detail.get_json()["data"]
    assert data["overdue_steps"] == 1
    family = data["steps"][0]
    assert family["overdue"] is True and family["documents"] == []
    assert data["steps"][1]["overdue"] is False
    for key, status in (
        ("consular_official", 404),
        ("officer_abroad", 404),
        ("family_liaison", 403),
    ):
        assert client.get(started["url"], headers=bearer(token_for(key))).status_code == status
    assert (
        client.get(
            "/api/v1/repatriations/00000000-0000-0000-0000-000000000000", headers=bearer(consul)
        ).status_code
        == 404
    )


def test_update_steps_until_burial(app, client, world, token_for, started) -> None:
    from casework.audit.models import AuditEntry

    consul = started["consul"]
    views = select(func.count()).where(
        AuditEntry.action == "view", AuditEntry.object_ref == started["ur"]
    )
    before_views = _scalar(app, views)
    colleague = str(world.user("officer_abroad"))  # same agency as the consul
    done = client.patch(
        f"{started['url']}/steps/family_notified",
        headers=bearer(consul),
        json={
            "completed_on": "2026-06-01",
            "responsible_user": colleague,
            "responsible_name": "Funeraria San José",
            "notes": "Sister informed by phone.",
            "version": 1,
        },
    )
    assert done.status_code == 200, done.get_json()
    assert done.headers["ETag"] == '"2"'
    assert _scalar(app, views) == before_views + 1  # names and notes shown: audited
    step = done.get_json()["data"]["steps"][0]
    assert step["completed_on"] == "2026-06-01" and step["due_date"] == "2026-06-08"  # kept
    assert step["responsible_user"] == colleague
    assert step["responsible_user_name"] == "Officer abroad"
    assert step["responsible_name"] == "Funeraria San José"

    # a later change of one field keeps the others
    noted = client.patch(
        f"{started['url']}/steps/family_notified",
        headers={**bearer(consul), "If-Match": '"2"'},
        json={"notes": "Sister and mother informed."},
    )
    step = noted.get_json()["data"]["steps"][0]
    assert step["notes"] == "Sister and mother informed." and step["completed_on"] == "2026-06-01"
    assert step["responsible_name"] == "Funeraria San José"

    version = 3
    for kind in ("death_certificate", "family_consent", "buried"):
        response = client.patch(
            f"{started['url']}/steps/{kind}",
            headers=bearer(consul),
            json={"completed_on": "2026-06-01", "version": version},
        )
        assert response.status_code == 200, (kind, response.get_json())
        version += 1
    data = response.get_json()["data"]
    assert data["closed_on"] == "2026-06-01"
    steps = {step["kind"]: step for step in data["steps"]}
    assert steps["handed_over"]["not_applicable"] and not steps["buried"]["not_applicable"]
    remains = client.get(f"/api/v1/remains/{started['ur']}", headers=bearer(consul))
    case = remains.get_json()["data"]
    assert case["status"] == "repatriated"
    assert ("repatriated", "workflow") in {
        (item["to_status"], item["via"]) for item in case["status_history"]
    }
    assert data["version"] == version, data["version"]
    late = client.patch(
        f"{started['url']}/steps/transport",
        headers=bearer(consul),
        json={"notes": "too late", "version": version},
    )
    assert late.status_code == 422 and "closed" in late.get_json()["error"]["message"]


def test_step_documents_are_listed_without_contents(app, client, world, started) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.repatriation.models import Repatriation
    from casework.repatriation.services import update_step

    with app.test_request_context():
        repatriation = db.session.scalar(
            select(Repatriation).where(Repatriation.remains_id == started["remains_id"])
        )
        step = repatriation.step("death_certificate")
        update_step(
            db.session.get(User, world.user("consular_gtm")),
            step,
            {"completed_on": None, "due_date": step.due_date, "document_caption": "Certificate"},
            document=b"%PDF-1.4\n%%EOF\n",
        )
        db.session.remove()
    data = client.get(started["url"], headers=bearer(started["consul"])).get_json()["data"]
    [document] = data["steps"][1]["documents"]
    assert document["media_type"] == "application/pdf" and document["caption"] == "Certificate"
    assert set(document) == {"id", "media_type", "size_bytes", "caption", "uploaded_at"}
    assert "%PDF" not in str(data)


STEP_REFUSALS = [
    # (kind, body, status, field)
    ("family_notified", {"completed_on": "2026-07-01", "version": 1}, 422, "completed_on"),
    ("family_notified", {"completed_on": "2026-05-01", "version": 1}, 422, "completed_on"),
    ("family_notified", {"due_date": "2026-05-31", "version": 1}, 422, "due_date"),
    ("family_notified", {"completed_on": "yesterday", "version": 1}, 422, "completed_on"),
    ("transport", {"completed_on": "2026-06-01", "version": 1}, 422, "completed_on"),
    ("handed_over", {"completed_on": "2026-06-01", "version": 1}, 422, "completed_on"),
    ("family_notified", {"responsible_user": "nobody", "version": 1}, 422, "responsible_user"),
    (
        "family_notified",
        {"responsible_user": "00000000-0000-0000-0000-000000000000", "version": 1},
        422,
        "responsible_user",
    ),
    ("family_notified", {"responsible_name": "A\nB", "version": 1}, 422, "responsible_name"),
    ("family_notified", {"notes": "x" * 5001, "version": 1}, 422, "notes"),
    ("family_notified", {"document": "abc", "version": 1}, 422, "document"),
    ("family_notified", {"notes": "no version"}, 428, "version"),
]


@pytest.mark.parametrize(("kind", "body", "status", "field"), STEP_REFUSALS)
def test_bad_steps_change_nothing(app, client, started, kind, body, status, field) -> None:
    consul = started["consul"]
    before = client.get(started["url"], headers=bearer(consul)).get_json()["data"]
    response = client.patch(f"{started['url']}/steps/{kind}", headers=bearer(consul), json=body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["fields"][field]
    after = client.get(started["url"], headers=bearer(consul)).get_json()["data"]
    assert after == before


def test_step_of_another_colleague_agency_is_refused(client, world, started) -> None:
    response = client.patch(
        f"{started['url']}/steps/family_notified",
        headers=bearer(started["consul"]),
        json={"responsible_user": str(world.user("supervisor")), "version": 1},
    )
    assert response.status_code == 422
    assert "responsible_user" in response.get_json()["error"]["fields"]


def test_step_refusals_by_role_version_and_kind(client, token_for, started) -> None:
    url = f"{started['url']}/steps/family_notified"
    body = {"completed_on": "2026-06-01", "version": 1}
    for key, status in (
        ("consular_official", 404),
        ("supervisor", 403),
        ("forensic_officer", 403),
        ("auditor", 403),
        ("officer_abroad", 403),
    ):
        assert client.patch(url, headers=bearer(token_for(key)), json=body).status_code == status
    consul = started["consul"]
    assert (
        client.patch(f"{started['url']}/steps/embalming", headers=bearer(consul), json=body)
    ).status_code == 404
    read_only = token_for("consular_gtm", ("read",))
    assert client.patch(url, headers=bearer(read_only), json=body).status_code == 403
    assert client.patch(url, headers=bearer(consul), json=body).status_code == 200
    stale = client.patch(url, headers=bearer(consul), json={"notes": "second", "version": 1})
    assert stale.status_code == 409
    data = client.get(started["url"], headers=bearer(consul)).get_json()["data"]
    assert data["version"] == 2 and data["steps"][0]["notes"] is None
