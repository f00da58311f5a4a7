"""Structured request logs and Prometheus metrics for real requests: a request id returned
and logged, the route as its template, and no personal data anywhere (a name searched, posted
or stored is absent from the logs and the metrics)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from casework.log_format import JsonFormatter
from tests.casework.factories import make_missing

NAME = "Zenobia Qarwathiel"  # searched, posted and stored: must never be logged or measured
PLACE = "Quebrada Vomitoria"


def log_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


def test_requests_are_logged_as_json_with_id_user_route_and_no_personal_data(
    app: Any, world: Any, as_user: Any, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from casework.accounts.models import User
    from casework.api.services import issue_token, parse_scopes
    from casework.extensions import db

    given, surname = NAME.split()
    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        case = make_missing(liaison, given_names=given, surnames=surname, last_seen_place=PLACE)
        reference = case.reference
        secret = issue_token(liaison, "api", parse_scopes(["read"]), None).secret
        db.session.remove()
    as_user("family_liaison")
    caplog.clear()
    caplog.set_level(logging.INFO, logger="casework")

    searched = client.post("/missing/", data={"name": NAME}, follow_redirects=True)
    assert reference in searched.get_data(as_text=True)
    page = client.get(f"/missing/{reference}?note={surname}")
    assert page.status_code == 200
    api = client.get(
        f"/api/v1/missing?name={surname}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert api.status_code == 200 and reference in api.get_data(as_text=True)
    missing = client.get(f"/{surname}/nowhere")
    assert missing.status_code == 404

    lines = log_lines(caplog)
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for secret_text in (given, surname, PLACE, secret, "?name=", "?note="):
        assert secret_text not in text
    requests = [line for line in lines if line["message"] == "request"]
    routes = [(line["method"], line["route"], line["status"]) for line in requests]
    assert ("POST", "/missing/", 303) in routes
    assert ("GET", "/missing/<reference>", 200) in routes
    assert ("GET", "/api/v1/missing", 200) in routes
    assert ("GET", "<unmatched>", 404) in routes
    user_id = str(world.user("family_liaison"))
    for line in requests:
        assert line["user_id"] == user_id
        assert line["duration_ms"] >= 0
        assert len(line["request_id"]) == 32
    # the id in the log is the one the client was given
    assert page.headers["X-Request-Id"] in {line["request_id"] for line in requests}
    assert len({line["request_id"] for line in requests}) == len(requests)


def test_a_request_id_from_the_client_is_not_believed_without_a_proxy(client: Any) -> None:
    sent = client.get("/healthz", headers={"X-Request-Id": "chosen-by-the-client-1"})
    assert sent.headers["X-Request-Id"] != "chosen-by-the-client-1"


def test_a_proxy_request_id_is_kept_and_free_text_replaced(settings: dict[str, Any]) -> None:
    from casework import create_app

    behind_proxy = create_app({**settings, "TRUSTED_PROXIES": 1}).test_client()
    kept = behind_proxy.get("/healthz", headers={"X-Request-Id": "lb-4f1c2a9e-77"})
    assert kept.headers["X-Request-Id"] == "lb-4f1c2a9e-77"
    typed = behind_proxy.get("/healthz", headers={"X-Request-Id": f"search {NAME}"})
    assert NAME not in typed.headers["X-Request-Id"]


def test_an_unexpected_error_logs_its_class_and_stack_not_its_message(
    settings: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    from casework import create_app

    app = create_app({**settings, "PROPAGATE_UNEXPECTED": False, "TESTING": False})

    @app.route("/boom/<word>")
    def boom(word: str) -> Any:
        raise ValueError(f"value {NAME} in the statement")

    caplog.set_level(logging.INFO, logger="casework")
    response = app.test_client().get(f"/boom/{NAME}")
    assert response.status_code == 500
    lines = log_lines(caplog)
    error = next(line for line in lines if line["level"] == "error")
    assert error["exception"] == "ValueError"
    assert any("in boom" in frame for frame in error["stack"])
    assert error["request_id"] == response.headers["X-Request-Id"]
    assert "/boom/<word>" in error["message"]
    assert NAME not in json.dumps(lines, ensure_ascii=False)


def metric_value(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_requests_by_route_template_and_matching_without_personal_data(
    app: Any, world: Any, as_user: Any, client: Any
) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    given, surname = NAME.split()
    before = client.get("/metrics").get_data(as_text=True)
    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        reference = make_missing(liaison, given_names=given, surnames=surname).reference
        db.session.remove()
    as_user("family_liaison")
    for _ in range(3):
        assert client.get(f"/missing/{reference}").status_code == 200
    client.post("/missing/", data={"name": NAME})
    after = client.get("/metrics").get_data(as_text=True)

    route = "/missing/<reference>"
    count = "casework_request_duration_seconds_count"
    grew = metric_value(after, count, route=route, method="GET", status="200") - metric_value(
        before, count, route=route, method="GET", status="200"
    )
    assert grew == 3
    matched = "casework_matching_duration_seconds_count"
    assert metric_value(after, matched, operation="case") > metric_value(
        before, matched, operation="case"
    )
    assert reference not in after
    for secret_text in (given, surname):
        assert secret_text not in after


def test_metrics_only_for_trusted_addresses_or_the_token(settings: dict[str, Any]) -> None:
    from casework import create_app

    token = "m" * 16 + "0123456789abcdefghij"
    app = create_app({**settings, "METRICS_TOKEN": token})
    outsider = {"REMOTE_ADDR": "203.0.113.9"}
    client = app.test_client()
    assert client.get("/metrics", environ_base=outsider).status_code == 403
    wrong = client.get("/metrics", environ_base=outsider, headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 403
    right = client.get(
        "/metrics", environ_base=outsider, headers={"Authorization": f"Bearer {token}"}
    )
    assert right.status_code == 200 and "casework_request_duration_seconds" in right.text
    assert client.get("/metrics").status_code == 200  # from this machine (127.0.0.1)
    networks = create_app({**settings, "METRICS_ALLOWED_ADDRESSES": "10.0.0.0/8"}).test_client()
    assert networks.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.3.4"}).status_code == 200
    assert networks.get("/metrics").status_code == 403


def test_job_and_queue_figures_fed_by_the_hooks_appear() -> None:
    from prometheus_client import REGISTRY

    from casework.metrics import observe_job, set_queue_depth

    set_queue_depth("imports", 7)
    observe_job("import", "finished", 2.5)
    assert REGISTRY.get_sample_value("casework_queue_depth", {"queue": "imports"}) == 7
    finished = {"kind": "import", "outcome": "finished"}
    assert REGISTRY.get_sample_value("casework_job_duration_seconds_count", finished) >= 1
    assert REGISTRY.get_sample_value("casework_jobs_total", finished) >= 1
