"""The API's cases, samples, custody and candidates: the pages' access rules and services,
bad input refused field by field with nothing stored, pagination, and stale versions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.casework.api.conftest import bearer


def _count(app: Any, model: Any) -> int:
    from casework.extensions import db

    with app.app_context():
        value = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
    return int(value)


def _views(app: Any, reference: str) -> int:
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    with app.app_context():
        value = db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "view", AuditEntry.object_ref == reference)
        )
        db.session.remove()
    return int(value)


def test_register_read_and_update_a_missing_person(app, client, token_for) -> None:
    secret = token_for("family_liaison")
    created = client.post(
        "/api/v1/missing",
        headers=bearer(secret),
        json={
            "given_names": "Amanuel",
            "surnames": "Tesfaye",
            "aliases": ["Amanuel T.", "Emanuel Tesfay"],
            "sex": "M",
            "birth_date": "1999",
            "nationality": "eri",
            "last_seen_date": "2025-05-01",
            "last_seen_lat": 32.9,
            "last_seen_lon": 13.1,
            "sea_crossing": True,
            "marks": [{"kind": "scar", "body_location": "left cheek", "description": "2 cm"}],
            "effects": [{"category": "footwear", "description": "white trainers: size 42"}],
            "dental": [{"tooth": 11, "state": "F"}],
        },
    )
    assert created.status_code == 201, created.get_json()
    case = created.get_json()["data"]
    reference = case["reference"]
    assert created.headers["Location"].endswith(f"/api/v1/missing/{reference}")
    assert created.headers["ETag"] == '"1"'
    assert case["nationality"] == "ERI" and case["aliases"] == ["Amanuel T.", "Emanuel Tesfay"]
    assert case["effects"] == [{"category": "footwear", "description": "white trainers: size 42"}]

    before = _views(app, reference)
    shown = client.get(f"/api/v1/missing/{reference}", headers=bearer(secret))
    assert shown.get_json()["data"]["given_names"] == "Amanuel"
    assert _views(app, reference) == before + 1  # decrypted data shown: audited

    listed = client.get("/api/v1/missing", headers=bearer(secret)).get_json()
    assert [item["reference"] for item in listed["data"]] == [reference]
    assert "Amanuel" not in str(listed) and "given_names" not in listed["data"][0]

    changed = client.patch(
        f"/api/v1/missing/{reference}",
        headers={**bearer(secret), "If-Match": '"1"'},
        json={"height_cm": 171},
    )
    assert changed.status_code == 200
    data = changed.get_json()["data"]
    assert data["height_cm"] == 171 and data["version"] == 2
    assert data["surnames"] == "Tesfaye" and data["marks"] == case["marks"]  # the rest stays
    assert changed.headers["ETag"] == '"2"'


def test_stale_version_is_409_and_changes_nothing(app, client, token_for, make_case) -> None:
    reference = make_case("remains", "forensic_officer")
    secret = token_for("forensic_officer")
    url = f"/api/v1/remains/{reference}"
    assert (
        client.patch(url, headers=bearer(secret), json={"age_min": 20, "version": 1}).status_code
        == 200
    )
    stale = client.patch(url, headers=bearer(secret), json={"age_min": 30, "version": 1})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "conflict"
    stale_header = client.patch(
        url, headers={**bearer(secret), "If-Match": '"1"'}, json={"age_min": 30}
    )
    assert stale_header.status_code == 409
    current = client.get(url, headers=bearer(secret)).get_json()["data"]
    assert current["age_min"] == 20 and current["version"] == 2


def test_update_without_a_version_is_428(client, token_for, make_case) -> None:
    reference = make_case("missing", "family_liaison")
    response = client.patch(
        f"/api/v1/missing/{reference}",
        headers=bearer(token_for("supervisor")),
        json={"height_cm": 150},
    )
    assert response.status_code == 428
    assert response.get_json()["error"]["fields"] == {"version": "is required"}


@pytest.mark.parametrize(
    ("key", "method", "url", "status"),
    [
        # another agency's cases are hidden: 404, as on the pages
        ("officer_abroad", "GET", "/api/v1/missing/{mp}", 404),
        ("officer_abroad", "GET", "/api/v1/remains/{ur}", 404),
        ("officer_abroad", "PATCH", "/api/v1/remains/{ur}", 404),
        ("officer_abroad", "GET", "/api/v1/remains/{ur}/samples", 404),
        ("officer_abroad", "POST", "/api/v1/remains/{ur}/samples", 404),
        ("officer_abroad", "GET", "/api/v1/remains/{ur}/custody", 404),
        ("officer_abroad", "POST", "/api/v1/remains/{ur}/custody", 404),
        ("officer_abroad", "GET", "/api/v1/candidates/{candidate}", 404),
        ("consular_official", "GET", "/api/v1/missing/{mp}", 404),  # not their national
        # roles that never do this: 403
        ("forensic_officer", "POST", "/api/v1/missing", 403),
        ("forensic_officer", "PATCH", "/api/v1/missing/{mp}", 403),
        ("family_liaison", "POST", "/api/v1/remains", 403),
        ("family_liaison", "POST", "/api/v1/remains/{ur}/custody", 403),
        ("auditor", "POST", "/api/v1/remains/{ur}/samples", 403),
        ("administrator", "GET", "/api/v1/missing", 403),
        ("consular_official", "GET", "/api/v1/candidates", 403),
        # visible but not theirs to change: 403
        ("consular_gtm", "GET", "/api/v1/missing/{mp}", 200),
        ("auditor", "GET", "/api/v1/candidates/{candidate}", 200),
    ],
)
def test_same_object_rules_as_the_pages(
    client, token_for, cases_by_api, key, method, url, status
) -> None:
    response = client.open(
        url.format(**cases_by_api), method=method, headers=bearer(token_for(key)), json={}
    )
    assert response.status_code == status, response.get_json()


@pytest.fixture
def cases_by_api(app, make_case) -> dict[str, str]:
    from casework.extensions import db
    from casework.matches.models import CandidateMatch

    mp = make_case("missing", "family_liaison")  # a Guatemalan national, home agency (USA)
    ur = make_case("remains", "forensic_officer")
    with app.app_context():
        candidate = db.session.scalar(select(CandidateMatch.id))
        db.session.remove()
    assert candidate is not None
    return {"mp": mp, "ur": ur, "candidate": str(candidate)}


def test_samples_custody_and_candidates(app, client, token_for, cases_by_api) -> None:
    secret = token_for("supervisor")
    ur = cases_by_api["ur"]
    sample = client.post(
        f"/api/v1/remains/{ur}/samples",
        headers=bearer(secret),
        json={"barcode": "PCOME-S-9", "kind": "tooth", "collected_at": "2026-05-30T08:00:00Z"},
    )
    assert sample.status_code == 201
    assert sample.get_json()["data"]["collected_at"] == "2026-05-30T08:00:00+00:00"
    for body in (
        {
            "from_party": "Field team",
            "to_party": "Morgue",
            "purpose": "Intake",
            "occurred_at": "2026-05-30T09:00:00Z",
        },
        {
            "sample": "PCOME-S-9",
            "from_party": "Morgue",
            "to_party": "UNT lab",
            "purpose": "DNA profile",
            "occurred_at": "2026-05-31T09:00:00+02:00",
        },
    ):
        assert (
            client.post(
                f"/api/v1/remains/{ur}/custody", headers=bearer(secret), json=body
            ).status_code
            == 201
        )
    chain = client.get(f"/api/v1/remains/{ur}/custody", headers=bearer(secret)).get_json()
    assert [(e["subject"], e["sample"]) for e in chain["data"]] == [
        ("remains", None),
        ("sample", "PCOME-S-9"),
    ]
    assert chain["data"][1]["occurred_at"] == "2026-05-31T07:00:00+00:00"
    samples = client.get(f"/api/v1/remains/{ur}/samples", headers=bearer(secret)).get_json()
    assert [s["barcode"] for s in samples["data"]] == ["PCOME-S-9"]

    listed = client.get(f"/api/v1/candidates?remains={ur}", headers=bearer(secret)).get_json()[
        "data"
    ]
    assert [c["id"] for c in listed] == [cases_by_api["candidate"]]
    assert "evidence" not in listed[0]
    detail = client.get(f"/api/v1/candidates/{cases_by_api['candidate']}", headers=bearer(secret))
    assert detail.get_json()["data"]["evidence"]
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "view", AuditEntry.object_type == "CandidateMatch")
            )
            == 1
        )
        db.session.remove()


BAD_INPUT = [
    # (url, body, status, field)
    ("/api/v1/missing", {}, 422, "given_names"),
    ("/api/v1/missing", {"given_names": "A", "height_cm": "tall"}, 422, "height_cm"),
    ("/api/v1/missing", {"given_names": "A", "height_cm": 300}, 422, "height_cm"),
    ("/api/v1/missing", {"given_names": "A", "sex": "X"}, 422, "sex"),
    ("/api/v1/missing", {"given_names": "A", "last_seen_kind": "school"}, 422, "last_seen_kind"),
    (
        "/api/v1/missing",
        {"given_names": "A", "last_seen_date": "2030-01-01"},
        422,
        "last_seen_date",
    ),
    ("/api/v1/missing", {"given_names": "A", "last_seen_date": "yesterday"}, 422, "last_seen_date"),
    ("/api/v1/missing", {"given_names": "A", "birth_date": "07/03/1994"}, 422, "birth_date"),
    ("/api/v1/missing", {"given_names": "A", "nationality": "Guatemala"}, 422, "nationality"),
    ("/api/v1/missing", {"given_names": "A", "last_seen_lat": 10}, 422, "last_seen_lat"),
    (
        "/api/v1/missing",
        {"given_names": "A", "intended_route": "POINT (1 2)"},
        422,
        "intended_route",
    ),
    ("/api/v1/missing", {"given_names": "A", "aliases": ["a;b"]}, 422, "aliases[0]"),
    (
        "/api/v1/missing",
        {"given_names": "A", "dental": [{"tooth": 19, "state": "F"}]},
        422,
        "dental[0].tooth",
    ),
    ("/api/v1/missing", {"given_names": "A", "marks": [{"kind": "mole"}]}, 422, "marks[0].kind"),
    (
        "/api/v1/missing",
        {"given_names": "A", "effects": [{"category": "clothing", "description": "red\nshirt"}]},
        422,
        "effects[0].description",
    ),
    ("/api/v1/missing", {"given_names": "A", "nickname": "B"}, 422, "nickname"),
    ("/api/v1/missing", {"given_names": "A", "sea_crossing": "yes"}, 422, "sea_crossing"),
    ("/api/v1/missing", {"given_names": "A\u0000"}, 422, "given_names"),
    ("/api/v1/remains", {"age_min": 40, "age_max": 20}, 422, "age_min"),
    ("/api/v1/remains", {"condition": "wet"}, 422, "condition"),
    ("/api/v1/remains", {"recovery_date": "2026-06-02"}, 422, "recovery_date"),
    ("/api/v1/remains", {"pmi_min_days": -1}, 422, "pmi_min_days"),
    (
        "/api/v1/remains",
        {"recovery_date": "2026-05-01", "burial_planned_on": "soon"},
        422,
        "burial_planned_on",
    ),
    (
        "/api/v1/remains",
        {"recovery_date": "2026-05-01", "burial_planned_on": "2026-04-30"},
        422,
        "burial_planned_on",
    ),
    ("/api/v1/remains/{ur}/samples", {"kind": "bone"}, 422, "barcode"),
    ("/api/v1/remains/{ur}/samples", {"barcode": "B 1", "kind": "bone"}, 422, "barcode"),
    ("/api/v1/remains/{ur}/samples", {"barcode": "B-1", "kind": "blood"}, 422, "kind"),
    ("/api/v1/remains/{ur}/samples", {"barcode": "PCOME-S-0001", "kind": "bone"}, 422, "barcode"),
    (
        "/api/v1/remains/{ur}/samples",
        {"barcode": "B-1", "kind": "bone", "collected_at": "2027-01-01T00:00:00Z"},
        422,
        "collected_at",
    ),
    (
        "/api/v1/remains/{ur}/custody",
        {"from_party": "A", "to_party": "B", "occurred_at": "2026-05-01T00:00:00Z"},
        422,
        "purpose",
    ),
    (
        "/api/v1/remains/{ur}/custody",
        {"from_party": "A", "to_party": "A", "purpose": "p", "occurred_at": "2026-05-01T00:00:00Z"},
        422,
        "to_party",
    ),
    (
        "/api/v1/remains/{ur}/custody",
        {"from_party": "A", "to_party": "B", "purpose": "p", "occurred_at": "2026-07-01T00:00:00Z"},
        422,
        "occurred_at",
    ),
    (
        "/api/v1/remains/{ur}/custody",
        {"from_party": "A", "to_party": "B", "purpose": "p", "occurred_at": "last week"},
        422,
        "occurred_at",
    ),
    (
        "/api/v1/remains/{ur}/custody",
        {
            "sample": "NOPE-1",
            "from_party": "A",
            "to_party": "B",
            "purpose": "p",
            "occurred_at": "2026-05-01T00:00:00Z",
        },
        422,
        "sample",
    ),
]


@pytest.fixture
def stored(app) -> Any:
    """A census of every table the write endpoints touch, to show nothing was stored."""
    from casework.custody.models import CustodyEvent, Sample
    from casework.missing.models import MissingPerson
    from casework.remains.models import UnidentifiedRemains

    def census() -> dict[str, int]:
        return {
            model.__name__: _count(app, model)
            for model in (MissingPerson, UnidentifiedRemains, Sample, CustodyEvent)
        }

    return census


@pytest.fixture
def remains_with_sample(app, make_case) -> str:
    from casework.custody.services import record_sample
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    reference = make_case("remains", "forensic_officer")
    with app.test_request_context():
        case = db.session.scalar(
            select(UnidentifiedRemains).where(UnidentifiedRemains.reference == reference)
        )
        record_sample(case, {"barcode": "PCOME-S-0001", "kind": "bone"})
        db.session.remove()
    return reference


@pytest.mark.parametrize(("url", "body", "status", "field"), BAD_INPUT)
def test_bad_input_is_refused_field_by_field(
    client, token_for, remains_with_sample, stored, url, body, status, field
) -> None:
    secret = token_for("supervisor")
    before = stored()
    response = client.post(url.format(ur=remains_with_sample), headers=bearer(secret), json=body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert field in error["fields"] and error["fields"][field], error
    assert stored() == before


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("missing", {"height_cm": 20, "version": 1}, "height_cm"),
        (
            "missing",
            {"given_names": None, "surnames": None, "aliases": [], "version": 1},
            "given_names",
        ),
        ("missing", {"version": "one"}, "version"),
        ("remains", {"stature_min_cm": 180, "stature_max_cm": 150, "version": 1}, "stature_min_cm"),
        ("remains", {"estimated_sex": None, "version": 1}, "estimated_sex"),
    ],
)
def test_bad_updates_change_nothing(client, token_for, make_case, kind, body, field) -> None:
    reference = make_case(kind, "family_liaison" if kind == "missing" else "forensic_officer")
    secret = token_for("supervisor")
    url = f"/api/v1/{kind}/{reference}"
    before = client.get(url, headers=bearer(secret)).get_json()["data"]
    response = client.patch(url, headers=bearer(secret), json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    after = client.get(url, headers=bearer(secret)).get_json()["data"]
    assert after == before


@pytest.mark.parametrize(
    ("headers", "data", "status"),
    [
        ({"Content-Type": "text/plain"}, '{"given_names": "A"}', 415),
        ({"Content-Type": "application/x-www-form-urlencoded"}, "given_names=A", 415),
        ({"Content-Type": "application/json"}, '{"given_names": ', 400),
        ({"Content-Type": "application/json"}, '["given_names"]', 400),
        ({"Content-Type": "application/json"}, "", 400),
    ],
)
def test_bodies_that_are_not_json_objects(app, client, token_for, headers, data, status) -> None:
    from casework.missing.models import MissingPerson

    response = client.post(
        "/api/v1/missing", headers={**bearer(token_for("supervisor")), **headers}, data=data
    )
    assert response.status_code == status
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    assert _count(app, MissingPerson) == 0


def test_pagination_bounds(client, token_for, make_case) -> None:
    for surname in ("Uno", "Dos", "Tres"):
        make_case("missing", "family_liaison", surnames=surname)
    secret = token_for("supervisor")

    def page(query: str) -> Any:
        return client.get(f"/api/v1/missing?{query}", headers=bearer(secret))

    first = page("per_page=2").get_json()
    assert len(first["data"]) == 2
    assert first["meta"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    second = page("per_page=2&page=2").get_json()
    assert len(second["data"]) == 1
    refs = {item["reference"] for item in first["data"] + second["data"]}
    assert len(refs) == 3
    beyond = page("per_page=2&page=9").get_json()
    assert beyond["data"] == [] and beyond["meta"]["total"] == 3
    assert page("per_page=1000").get_json()["meta"]["per_page"] == 100  # capped
    for query, field in (
        ("page=0", "page"),
        ("per_page=0", "per_page"),
        ("page=abc", "page"),
        ("per_page=-5", "per_page"),
    ):
        response = page(query)
        assert response.status_code == 400, query
        assert field in response.get_json()["error"]["fields"]
    assert page("status=lost").status_code == 400
    assert client.get("/api/v1/candidates?status=maybe", headers=bearer(secret)).status_code == 400


def test_unknown_api_route_and_method_answer_in_the_envelope(client, token_for) -> None:
    secret = token_for("supervisor")
    missing = client.get("/api/v1/nothing-here", headers=bearer(secret))
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = client.delete("/api/v1/missing", headers=bearer(secret))
    assert wrong.status_code == 405 and "error" in wrong.get_json()


def test_the_api_takes_and_gives_the_kind(app, client, token_for) -> None:
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    secret = token_for("family_liaison")
    made = client.post(
        "/api/v1/missing",
        headers=bearer(secret),
        json={"given_names": "Eladio", "last_seen_kind": "departure"},
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()["data"]
    assert body["last_seen_kind"] == "departure"
    refused = client.post(
        "/api/v1/missing",
        headers=bearer(secret),
        json={"given_names": "Eladio", "last_seen_kind": "school"},
    )
    assert refused.status_code == 422
    message = refused.get_json()["error"]["fields"]["last_seen_kind"]
    assert "unknown, home, departure, route" in message
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MissingPerson)) == 1
