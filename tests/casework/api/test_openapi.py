"""The OpenAPI document and the routes agree, and the live API keeps to the document: schemathesis
generates requests from it (a valid token, real case references) and checks every answer."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from casework.api.openapi import document
from tests.casework.api.conftest import bearer

METHODS = {"get", "post", "patch", "put", "delete"}
# generated requests for the whole run, shared out among the operations so that adding one
# does not lengthen the run (about a minute on SQLite, less on PostgreSQL, which repeats the run
# to catch what only its stricter types refuse)
BUDGET = {"sqlite": 375, "postgresql": 120}


def _api_routes(app: Any) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method.lower(), path))
    return routes


def test_document_lists_exactly_the_routes(app, client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }
    assert documented == _api_routes(app)
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_every_operation_documents_its_refusals(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS or path == "/openapi.json":
                continue
            codes = set(operation["responses"])
            assert {"401", "403", "429"} <= codes, (method, path)
            if method in ("post", "patch"):
                assert {"400", "415", "422"} <= codes, (method, path)
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                name = body["$ref"].rsplit("/", 1)[1]
                assert document["components"]["schemas"][name]["additionalProperties"] is False
            if method == "patch":
                assert {"409", "428"} <= codes


@pytest.fixture
def fuzz_world(app, world, token_for, make_case) -> dict[str, Any]:
    """A supervisor's token and real references, so generated requests reach real records."""
    from sqlalchemy import select

    from casework.custody.services import record_sample
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from casework.remains.models import UnidentifiedRemains

    missing = make_case("missing", "family_liaison")
    remains = make_case("remains", "forensic_officer")
    with app.test_request_context():
        case = db.session.scalar(
            select(UnidentifiedRemains).where(UnidentifiedRemains.reference == remains)
        )
        record_sample(case, {"barcode": "FUZZ-1", "kind": "bone"})
        candidate = db.session.scalar(select(CandidateMatch.id))
        db.session.remove()
    return {
        "token": token_for("supervisor"),
        "missing": missing,
        "remains": remains,
        "candidate": str(candidate),
    }


@pytest.fixture
def repatriation_world(app, world, token_for) -> dict[str, Any]:
    """A repatriation under way and other identified remains not yet repatriated, with a token
    of the Guatemalan consul who runs them."""
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.repatriation.services import start_repatriation
    from tests.casework.repatriation.builders import identify

    with app.test_request_context():
        users = {key: db.session.get(User, world.user(key)) for key in world.users}
        staff = (users["family_liaison"], users["forensic_officer"], users["supervisor"])
        _person, remains = identify(*staff)
        repatriation = start_repatriation(users["consular_gtm"], remains)
        _other, waiting = identify(*staff)
        found = {"repatriation_id": str(repatriation.id), "reference": waiting.reference}
        db.session.remove()
    return {**found, "token": token_for("consular_gtm")}


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OPERATIONS = sorted(
    (method.upper(), path)
    for path, item in document()["paths"].items()
    for method in item
    if method in METHODS
)
EXAMPLES = {backend: max(4, total // len(OPERATIONS)) for backend, total in BUDGET.items()}


def _current_version(app: Any, path: str, parameters: dict[str, str]) -> int:
    """The stored version of the record a write names, so that most writes get through."""
    import uuid

    from sqlalchemy import select

    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from casework.missing.models import MissingPerson
    from casework.remains.models import UnidentifiedRemains
    from casework.repatriation.models import Repatriation

    if path.startswith("/candidates"):
        query = select(CandidateMatch.version).where(
            CandidateMatch.id == uuid.UUID(parameters["candidate_id"])
        )
    elif path.startswith("/repatriations"):
        query = select(Repatriation.version).where(
            Repatriation.id == uuid.UUID(parameters["repatriation_id"])
        )
    else:
        model = MissingPerson if path.startswith("/missing") else UnidentifiedRemains
        query = select(model.version).where(model.reference == parameters["reference"])
    with app.app_context():
        version = db.session.scalar(query)
        db.session.remove()
    return int(version)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_api_keeps_to_its_document(method, path, backend, app, fuzz_world, request) -> None:
    """Valid and invalid requests alike: never a 500, every answer as documented."""
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    parameters: dict[str, str] = {}
    token = fuzz_world["token"]
    if "repatriation" in path:  # the consul who runs repatriations, on real ones
        repatriation = request.getfixturevalue("repatriation_world")
        token = repatriation["token"]
        if "{repatriation_id}" in path:
            parameters["repatriation_id"] = repatriation["repatriation_id"]
        if "{reference}" in path:
            parameters["reference"] = repatriation["reference"]
    elif "{reference}" in path:
        parameters["reference"] = fuzz_world[
            "missing" if path.startswith("/missing") else "remains"
        ]
    if "{candidate_id}" in path:
        parameters["candidate_id"] = fuzz_world["candidate"]
    strategies = [
        operation.as_strategy(mode, path_parameters=parameters or None)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]

    @given(case=st.one_of(strategies))
    @settings(
        max_examples=EXAMPLES[backend],
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )
    def exchange(case: Any) -> None:
        if method in ("PATCH", "POST") and isinstance(case.body, dict) and "version" in case.body:
            # mostly the current version, so that the change itself runs too
            case.body["version"] = _current_version(app, path, parameters)
        case.call_and_validate(headers=bearer(token), checks=CHECKS)

    exchange()
