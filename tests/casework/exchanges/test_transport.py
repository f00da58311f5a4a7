"""Layer 5 edge cases: pushing to a peer without an inbox or whose inbox is unreachable, the
outbox command, and the inbox refusing an oversized message."""

from __future__ import annotations

import socket

import pytest

from tests.casework.exchanges.builders import make_identity, make_peer


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def bundle(app, world):
    """A bundle for a peer whose inbox nobody listens on."""
    from casework.exchanges.bundles import Selection, export_records
    from casework.exchanges.models import PeerAuthority
    from casework.extensions import db

    with app.test_request_context():
        make_identity()
        peer = make_peer(inbox_url=f"http://127.0.0.1:{_free_port()}/exchange/inbox")
        message = export_records(
            db.session.get(PeerAuthority, peer.row_id), Selection(None, None, True)
        )
        return message.id, message.message_id, peer.row_id


def test_push_to_an_unreachable_inbox_says_so_and_records_nothing(app, bundle, as_user):
    from casework.exchanges.models import OutgoingMessage
    from casework.extensions import db

    row_id, _message_id, _peer = bundle
    client = as_user("forensic_officer")
    response = client.post(f"/exchange/outbox/{row_id}/push", follow_redirects=True)
    assert "could not be reached" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OutgoingMessage, row_id).pushed_at is None


def test_push_without_an_inbox_address_asks_for_the_file(app, bundle, as_user):
    from casework.exchanges.models import PeerAuthority
    from casework.exchanges.trust import update_peer
    from casework.extensions import db

    row_id, _message_id, peer_id = bundle
    with app.test_request_context():
        update_peer(db.session.get(PeerAuthority, peer_id), linkage_secret=None, inbox_url="")
    client = as_user("forensic_officer")
    response = client.post(f"/exchange/outbox/{row_id}/push", follow_redirects=True)
    assert "send the file instead" in response.get_data(as_text=True)
    assert client.get("/exchange/outbox/00000000-0000-4000-8000-000000000000").status_code == 404


def test_outbox_command_writes_and_pushes(app, bundle, runner, tmp_path):
    from casework.exchanges.models import OutgoingMessage
    from casework.extensions import db

    row_id, message_id, _peer = bundle
    out = tmp_path / "again.json"
    written = runner.invoke(args=["exchange", "outbox", message_id, "--out", str(out)])
    assert written.exit_code == 0
    with app.app_context():
        assert out.read_bytes() == db.session.get(OutgoingMessage, row_id).envelope
    pushed = runner.invoke(args=["exchange", "outbox", message_id, "--push"])
    assert pushed.exit_code == 2 and "could not be reached" in pushed.output
    assert runner.invoke(args=["exchange", "outbox", "nope"]).exit_code == 2


def test_inbox_refuses_an_oversized_message(app, client, monkeypatch):
    from casework.exchanges import views
    from exchange import Limits

    with app.test_request_context():
        make_identity()
    monkeypatch.setattr(views, "DEFAULT_LIMITS", Limits(max_envelope_bytes=10))
    response = client.post("/exchange/inbox", data=b"x" * 11)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too-large"


def test_the_inbox_is_rate_limited_per_sending_address(app, settings):
    from casework import create_app
    from casework.extensions import db

    limited = create_app(
        {**settings, "RATELIMIT_ENABLED": True, "EXCHANGE_INBOX_RATE_LIMIT": "3 per minute"}
    )
    try:
        with limited.test_request_context():
            make_identity()
        flood = limited.test_client()
        flood.environ_base["REMOTE_ADDR"] = "203.0.113.50"
        answers = [flood.post("/exchange/inbox", data=b"not a message") for _ in range(4)]
        other = limited.test_client()
        other.environ_base["REMOTE_ADDR"] = "198.51.100.60"
        elsewhere = other.post("/exchange/inbox", data=b"not a message")
    finally:
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()
    assert [answer.status_code for answer in answers[:3]] == [400] * 3  # refused as malformed
    assert answers[3].status_code == 429
    assert answers[3].get_json()["error"]["code"] == "rate-limited"
    assert 0 < int(answers[3].headers["Retry-After"]) <= 60
    assert elsewhere.status_code == 400  # another peer is not held back
