"""Layer 1: our exchange keys (seeds only ever encrypted) and the trust list of peers, from the
command line and the administrator's screens, with every kind of bad input refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, text

from tests.casework.exchanges.builders import (
    LINKAGE_SECRET,
    identity_file,
    make_identity,
    make_peer,
    peer_keys,
)


def test_keys_init_stores_seeds_encrypted_and_show_prints_fingerprint(app, runner, tmp_path):
    from casework.exchanges.identity import current_identity, own_keys
    from casework.extensions import db
    from exchange.wire import b64url_encode

    created = runner.invoke(
        args=[
            "exchange",
            "keys",
            "init",
            "--authority-id",
            "usa-pcome",
            "--country",
            "usa",
            "--name",
            "Pima County Medical Examiner",
        ]
    )
    assert created.exit_code == 0, created.output
    again = runner.invoke(
        args=[
            "exchange",
            "keys",
            "init",
            "--authority-id",
            "usa-x",
            "--country",
            "USA",
            "--name",
            "Other",
        ]
    )
    assert again.exit_code == 2 and "already" in again.output
    shown = runner.invoke(args=["exchange", "keys", "show"])
    document = json.loads(shown.output.splitlines()[0])
    assert document["authority_id"] == "usa-pcome" and document["country"] == "USA"
    fingerprint = shown.output.split("Fingerprint: ")[1].strip()
    assert fingerprint.replace(" ", "").lower() == document["fingerprint"]
    assert len(fingerprint.split()) == 16
    with app.app_context():
        identity = current_identity()
        seeds = own_keys(identity).seeds()
        raw = db.session.execute(text("SELECT seeds_ct FROM authority_identity")).scalar_one()
        for seed in seeds.values():
            assert b64url_encode(seed).encode() not in raw and seed not in raw
        assert own_keys(identity).public.fingerprint.hex() == document["fingerprint"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--authority-id", "USA PCOME", "--country", "USA", "--name", "X"], "authority id"),
        (["--authority-id", "usa-pcome", "--country", "US", "--name", "X"], "three letters"),
        (["--authority-id", "usa-pcome", "--country", "USA", "--name", " "], "name"),
    ],
)
def test_keys_init_refuses_bad_input(app, runner, args, message):
    from casework.exchanges.identity import current_identity

    result = runner.invoke(args=["exchange", "keys", "init", *args])
    assert result.exit_code == 2 and message in result.output
    with app.app_context():
        assert current_identity() is None


def test_keys_show_without_keys_says_what_to_do(runner):
    result = runner.invoke(args=["exchange", "keys", "show"])
    assert result.exit_code == 2 and "keys init" in result.output


def _peer_file(tmp_path, **changes):
    document = json.loads(identity_file("gtm-inacif", "GTM", "INACIF", peer_keys()))
    document.update(changes)
    path = tmp_path / "peer.json"
    path.write_text(json.dumps(document))
    return path, peer_keys().public.fingerprint.hex()


def test_trust_add_list_revoke_from_the_command_line(app, runner, tmp_path):
    from casework.exchanges.models import PeerAuthority
    from casework.extensions import db

    with app.test_request_context():
        make_identity()
    path, fingerprint = _peer_file(tmp_path)
    added = runner.invoke(
        args=[
            "exchange",
            "trust",
            "add",
            str(path),
            "--valid-until",
            "2027-01-01",
            "--linkage-secret",
            LINKAGE_SECRET,
        ],
        input=fingerprint + "\n",
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(args=["exchange", "trust", "list"])
    assert "gtm-inacif" in listed.output and "trusted" in listed.output
    with app.app_context():
        raw = db.session.execute(text("SELECT linkage_secret_ct FROM peer_authority")).scalar_one()
        assert LINKAGE_SECRET.encode() not in raw
        assert bytes.fromhex(LINKAGE_SECRET) not in raw
    revoked = runner.invoke(args=["exchange", "trust", "revoke", "gtm-inacif"])
    assert revoked.exit_code == 0
    twice = runner.invoke(args=["exchange", "trust", "revoke", "gtm-inacif"])
    assert twice.exit_code == 2 and "already" in twice.output
    unknown = runner.invoke(args=["exchange", "trust", "revoke", "nobody"])
    assert unknown.exit_code == 2
    with app.app_context():
        assert db.session.scalar(select(PeerAuthority)).revoked_at is not None


@pytest.mark.parametrize(
    ("change", "options", "message"),
    [
        ({"fingerprint": "0" * 64}, [], "altered"),
        ({"format": "something-else"}, [], "not an authority"),
        ({"country": "Guatemala"}, [], "invalid country"),
        ({}, ["--fingerprint", "1234 5678"], "does not match"),
        ({}, ["--linkage-secret", "short"], "hexadecimal"),
        ({}, ["--valid-until", "2026-01-01"], "later than"),
        ({}, ["--inbox-url", "ftp://example.org/in"], "https://"),
    ],
)
def test_trust_add_refuses_bad_input_and_stores_nothing(
    app, runner, tmp_path, change, options, message
):
    from casework.exchanges.models import PeerAuthority
    from casework.extensions import db

    with app.test_request_context():
        make_identity()
    path, fingerprint = _peer_file(tmp_path, **change)
    defaults = {
        "--valid-until": "2027-01-01",
        "--linkage-secret": LINKAGE_SECRET,
        "--fingerprint": fingerprint,
    }
    for name, value in zip(options[::2], options[1::2], strict=True):
        defaults[name] = value
    args = ["exchange", "trust", "add", str(path)]
    for name, value in defaults.items():
        args += [name, value]
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and message in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PeerAuthority)) == 0


def test_trusting_the_same_authority_twice_is_refused(app):
    from casework.errors import ValidationError

    with app.test_request_context():
        make_identity()
        make_peer()
        with pytest.raises(ValidationError, match="already"):
            make_peer()


def _form(**changes):
    data = {
        "identity": identity_file("gtm-inacif", "GTM", "INACIF", peer_keys()).decode(),
        "fingerprint": peer_keys().public.fingerprint.hex().upper(),
        "valid_until": "2027-06-01",
        "linkage_secret": LINKAGE_SECRET,
        "inbox_url": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"identity": "{}"}, "not an authority"),
        ({"identity": ""}, "required"),
        ({"fingerprint": "AAAA BBBB"}, "does not match"),
        ({"valid_until": "soon"}, "date"),
        ({"valid_until": "2026-05-01"}, "later than"),
        ({"linkage_secret": "zz" * 32}, "hexadecimal"),
        ({"inbox_url": "javascript:alert(1)"}, "https://"),
    ],
)
def test_trust_form_shows_what_is_wrong(app, as_user, changes, message):
    with app.test_request_context():
        make_identity()
    client = as_user("system_administrator")
    response = client.post("/exchange/trust", data=_form(**changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_system_administrator_trusts_changes_and_revokes_a_peer(app, as_user):
    from casework.exchanges.models import PeerAuthority
    from casework.extensions import db

    with app.test_request_context():
        make_identity()
    client = as_user("system_administrator")
    page = client.get("/exchange/trust")
    assert "Fingerprint" in page.get_data(as_text=True) or "fingerprint" in page.get_data(
        as_text=True
    )
    assert client.post("/exchange/trust", data=_form()).status_code == 302
    with app.app_context():
        peer = db.session.scalar(select(PeerAuthority))
    bad = client.post(f"/exchange/trust/{peer.id}", data={"inbox_url": "not a url"})
    assert bad.status_code == 400
    good = client.post(
        f"/exchange/trust/{peer.id}",
        data={"inbox_url": "https://inacif.example/exchange/inbox", "linkage_secret": "cd" * 32},
    )
    assert good.status_code == 302
    assert client.post(f"/exchange/trust/{peer.id}/revoke").status_code == 302
    with app.app_context():
        peer = db.session.get(PeerAuthority, peer.id)
        assert peer.inbox_url == "https://inacif.example/exchange/inbox"
        assert peer.linkage_secret == "cd" * 32 and peer.revoked_at is not None


def test_a_peer_is_trusted_without_linkage_secret(app, runner, as_user, tmp_path):
    """Version 2 bundles need no linkage secret; it is asked for only to read version 1."""
    from casework.exchanges.models import PeerAuthority
    from casework.extensions import db

    with app.test_request_context():
        make_identity()
    path, fingerprint = _peer_file(tmp_path)
    added = runner.invoke(
        args=["exchange", "trust", "add", str(path), "--valid-until", "2027-01-01"],
        input=fingerprint + "\n",
        env={"CASEWORK_LINKAGE_SECRET": ""},
    )
    assert added.exit_code == 0, added.output
    with app.app_context():
        peer = db.session.scalar(select(PeerAuthority))
        assert peer.linkage_secret is None and peer.linkage_secret_ct is None
    assert runner.invoke(args=["exchange", "trust", "revoke", "gtm-inacif"]).exit_code == 0
    with app.app_context():
        db.session.delete(db.session.scalar(select(PeerAuthority)))
        db.session.commit()
    client = as_user("system_administrator")
    assert client.post("/exchange/trust", data=_form(linkage_secret="")).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(PeerAuthority)).linkage_secret is None
