"""Settings: embedded defaults, CASEWORK_* overrides, production refusing unsafe set-ups."""

from __future__ import annotations

import base64

import pytest

from config import ConfigurationError, load_settings

KEY = base64.b64encode(bytes(range(11, 11 + 32 * 7, 7))).decode()  # 32 distinct bytes
PRODUCTION = {
    "CASEWORK_MODE": "production",
    "CASEWORK_SECRET_KEY": "Zq3vT9xLw2Rk7pYb4NcH8mJs6DfG1aUe5hKt0iOo",
    "CASEWORK_MASTER_KEY": KEY,
    "CASEWORK_DATABASE_URL": "postgresql+psycopg://casework@db/casework",
}


def test_embedded_defaults_create_their_own_secrets_once(tmp_path) -> None:
    first = load_settings({}, {"INSTANCE_DIR": str(tmp_path)})
    second = load_settings({}, {"INSTANCE_DIR": str(tmp_path)})
    assert first["DATABASE_URL"] == f"sqlite:///{tmp_path / 'casework.db'}"
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 48
    assert first["MASTER_KEY"] == second["MASTER_KEY"] and len(first["MASTER_KEY"]) == 32
    assert oct((tmp_path / "master.key").stat().st_mode)[-3:] == "600"
    assert first["REQUIRE_TOTP"] is False


def test_variables_override_defaults(tmp_path) -> None:
    settings = load_settings(
        {
            "CASEWORK_IDLE_TIMEOUT_MINUTES": "5",
            "CASEWORK_REQUIRE_TOTP": "yes",
            "CASEWORK_LANGUAGES": "en, es",
        },
        {"INSTANCE_DIR": str(tmp_path)},
    )
    assert settings["IDLE_TIMEOUT_MINUTES"] == 5
    assert settings["REQUIRE_TOTP"] is True
    assert settings["LANGUAGES"] == ["en", "es"]


def test_production_with_everything_given() -> None:
    settings = load_settings(PRODUCTION)
    assert settings["REQUIRE_TOTP"] is True and settings["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"CASEWORK_SECRET_KEY": None}, "CASEWORK_SECRET_KEY"),
        ({"CASEWORK_SECRET_KEY": "dev"}, "at least 32"),
        ({"CASEWORK_SECRET_KEY": "s" * 48}, "random value"),
        ({"CASEWORK_MASTER_KEY": base64.b64encode(bytes(32)).decode()}, "not random"),
        ({"CASEWORK_MASTER_KEY": base64.b64encode(b"k" * 32).decode()}, "not random"),
        (
            {"CASEWORK_MASTER_KEY": base64.b64encode(b"my own secret master key 123456!").decode()},
            "typed text",
        ),
        ({"CASEWORK_DATABASE_URL": "sqlite:////var/lib/casework.db"}, "needs PostgreSQL"),
        ({"CASEWORK_MASTER_KEY": None}, "encryption key"),
        ({"CASEWORK_MASTER_KEY": "short"}, "base64"),
        ({"CASEWORK_MASTER_KEY": base64.b64encode(b"x" * 16).decode()}, "32 bytes"),
        ({"CASEWORK_DATABASE_URL": None}, "CASEWORK_DATABASE_URL"),
        (
            {"CASEWORK_MASTER_KEY": None, "CASEWORK_MASTER_KEY_FILE": "/nonexistent/key"},
            "does not exist",
        ),
        ({"CASEWORK_MODE": "staging"}, "'embedded' or 'production'"),
        ({"CASEWORK_IDLE_TIMEOUT_MINUTES": "soon"}, "whole number"),
        ({"CASEWORK_REQUIRE_TOTP": "maybe"}, "true or false"),
        ({"CASEWORK_MATCH_REPORTED_SHARE": "most"}, "must be a number"),
        ({"CASEWORK_MATCH_REPORTED_SHARE": "1.5"}, "above 0 and at most 1"),
        ({"CASEWORK_MATCH_REPORTED_SHARE_DEFAULT": "0"}, "above 0 and at most 1"),
    ],
)
def test_production_refuses_to_start_unsafe(changes, message) -> None:
    environ = {**PRODUCTION, **changes}
    environ = {key: value for key, value in environ.items() if value is not None}
    with pytest.raises(ConfigurationError, match=message):
        load_settings(environ)


def test_factory_refuses_production_without_key(monkeypatch) -> None:
    from casework import create_app

    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CASEWORK_MASTER_KEY")
    with pytest.raises(ConfigurationError, match="encryption key"):
        create_app()


def test_the_command_line_says_what_is_wrong_in_one_sentence(tmp_path) -> None:
    import subprocess
    import sys

    environ = {**PRODUCTION, "CASEWORK_DATABASE_URL": "sqlite:///x.db", "PATH": ""}
    environ["CASEWORK_INSTANCE_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "from casework.cli import main; main()", "keys", "status"],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "File " not in result.stderr
    assert result.stderr.startswith("Error: the configuration cannot be used. Production mode")
    assert "needs PostgreSQL" in result.stderr and len(result.stderr.strip().splitlines()) == 1
