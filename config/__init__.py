"""Settings: defaults for the embedded mode, each overridable by a CASEWORK_* variable.

`load_settings()` returns a plain dict ready for `app.config.from_mapping`. Production mode
refuses to start with a default secret or without an encryption key, and says why.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["ConfigurationError", "load_settings", "DEFAULTS", "read_or_create_secret"]

EMBEDDED = "embedded"
PRODUCTION = "production"


class ConfigurationError(RuntimeError):
    """A setting is missing or unsafe; the message says which and what to do."""


INSTANCE_DIR = Path(os.environ.get("CASEWORK_INSTANCE_DIR", Path.cwd() / "instance"))

DEFAULTS: dict[str, Any] = {
    # embedded: SQLite + SpatiaLite in instance/, keys created on first start;
    # production: PostgreSQL + PostGIS, every secret given explicitly.
    "MODE": EMBEDDED,
    "DATABASE_URL": None,  # embedded default: sqlite:///<instance>/casework.db
    "SECRET_KEY": None,  # embedded default: instance/secret_key, created once
    "MASTER_KEY": None,  # base64 of 32 bytes; or MASTER_KEY_FILE
    "MASTER_KEY_FILE": None,  # embedded default: instance/master.key, created once
    "SPATIALITE_LIBRARY": "mod_spatialite",
    # embedded database: how long a save waits for another writer (a bulk import) before the
    # user is told to try again (503); reads never wait (write-ahead log)
    "SQLITE_BUSY_TIMEOUT_MS": 10_000,
    "REQUIRE_TOTP": None,  # default: off in embedded mode, on in production
    "IDLE_TIMEOUT_MINUTES": 30,
    "LOGIN_RATE_LIMIT": "10 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    "API_RATE_LIMIT": "300 per minute",  # per API token (per address without one)
    "EXCHANGE_INBOX_RATE_LIMIT": "60 per minute",  # messages peers post, per sending address
    # name elements we blind for one peer in 24 hours (exchange spec §7.6; at most 20,000)
    "EXCHANGE_NAME_QUERY_BUDGET": 20_000,
    # families of one peer's DNA searches we run against our remains in 24 hours (spec §7.7):
    # a peer could otherwise probe our remains with made-up families
    "EXCHANGE_DNA_SEARCH_BUDGET": 2_000,
    "KEYRING_REFRESH_SECONDS": 30,
    "KEY_ROTATION_BATCH": 500,
    "IMPORT_MAX_BYTES": 200_000_000,  # largest case file `casework import` and the page accept
    "LANGUAGES": "en,es,fr,ar",
    "DEFAULT_LANGUAGE": "en",
    # {z}/{x}/{y} tiles; the map still draws its points on a plain background when none load
    "MAP_TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "SESSION_COOKIE_SECURE": None,  # default: on in production
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_KIB": 65536,
    "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,  # one photo or document
    # reverse proxies in front of the app whose X-Forwarded-* headers are believed; 0 believes
    # none (a client could forge them), so set it to the number of proxies really there
    "TRUSTED_PROXIES": 0,
    # DNA: a kinship hit becomes a candidate from this log10 LR up; DNA may be cited for an
    # identification only from this posterior up; founders' allele frequencies by default
    "DNA_HIT_MIN_LOG10_LR": 4.0,
    "DNA_IDENTIFICATION_MIN_POSTERIOR": 0.999,
    "DNA_POPULATION": "SW Hispanic",
    # matching's prior: the share of remains whose person is ever reported; unset, it is
    # estimated from the closed remains (identified / closed), the default serving until 30
    # remains were closed (docs/matching.md, "Probabilities from the caseload")
    "MATCH_REPORTED_SHARE": None,
    "MATCH_REPORTED_SHARE_DEFAULT": 0.5,
    # the e-mail digest of notifications (`casework notifications send-digest`): off by default
    "NOTIFICATION_EMAIL": False,
    "PUBLIC_URL": "http://localhost:5000",  # the links in e-mails start with it
    "MAIL_FROM": "casework@localhost",
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 25,
    "SMTP_SECURITY": "none",  # none, starttls or tls
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_TIMEOUT_SECONDS": 30,
    # the public family portal (/family/): the agency whose liaison staff receive a request
    # when the family does not choose one (its code; empty: the family must choose)
    "FAMILY_DEFAULT_AGENCY": "",
    "FAMILY_SUBMIT_RATE_LIMIT": "5 per hour",  # requests sent, per address (hashed, see limits)
    "FAMILY_CODE_RATE_LIMIT": "10 per 10 minutes",  # access codes tried, per address
    "FAMILY_CHALLENGE_MAX_NUMBER": 100_000,  # proof of work: about 50,000 hashes on average
    "FAMILY_NO_SCRIPT_WAIT_SECONDS": 30,  # how long a form sent without JavaScript stays open
    # Redis (redis://host:6379/0): background jobs go to RQ workers (`casework worker`) and
    # rate limits are counted there, shared by every application process; without it jobs
    # run inside the application process and limits are counted in its memory
    "REDIS_URL": None,
    "JOB_QUEUE": "casework",  # the RQ queue's name (installations sharing a Redis differ)
    "JOB_MAX_ATTEMPTS": 3,  # tries of a job before it is marked failed
    "JOB_BACKOFF_SECONDS": 10,  # before the 2nd attempt; four times longer before each next
    "JOB_HEARTBEAT_SECONDS": 10,  # a running job writes that it lives this often
    # a running job silent this long lost its worker (kill -9, a machine gone): queued again
    "JOB_STALE_SECONDS": 120,
    # `casework serve` (gunicorn): where it listens, how many processes and threads each, and
    # how long a request may run before its worker is replaced
    "WEB_BIND": "127.0.0.1:8000",
    "WEB_WORKERS": 2,
    "WEB_THREADS": 4,
    "WEB_TIMEOUT": 60,
    # seconds an idle keep-alive connection stays open: longer than the idle timeout of the
    # proxy or load balancer in front (nginx and most cloud balancers keep 60 s), so the server
    # never closes a connection the proxy is about to reuse (the client sees a reset)
    "WEB_KEEPALIVE": 75,
    # /metrics answers the addresses listed here, or anyone sending this token as a bearer
    "METRICS_ALLOWED_ADDRESSES": "127.0.0.1,::1",
    "METRICS_TOKEN": None,
    # one JSON line per request on standard error (request id, user id, route, status, duration)
    "REQUEST_LOG": True,
}

_BOOLEAN = {"REQUIRE_TOTP", "SESSION_COOKIE_SECURE", "NOTIFICATION_EMAIL", "REQUEST_LOG"}
_INTEGER = {
    "IDLE_TIMEOUT_MINUTES",
    "EXCHANGE_NAME_QUERY_BUDGET",
    "EXCHANGE_DNA_SEARCH_BUDGET",
    "KEYRING_REFRESH_SECONDS",
    "KEY_ROTATION_BATCH",
    "SQLITE_BUSY_TIMEOUT_MS",
    "IMPORT_MAX_BYTES",
    "ARGON2_TIME_COST",
    "ARGON2_MEMORY_KIB",
    "ATTACHMENT_MAX_BYTES",
    "TRUSTED_PROXIES",
    "SMTP_PORT",
    "SMTP_TIMEOUT_SECONDS",
    "FAMILY_CHALLENGE_MAX_NUMBER",
    "FAMILY_NO_SCRIPT_WAIT_SECONDS",
    "JOB_MAX_ATTEMPTS",
    "JOB_BACKOFF_SECONDS",
    "JOB_HEARTBEAT_SECONDS",
    "JOB_STALE_SECONDS",
    "WEB_WORKERS",
    "WEB_THREADS",
    "WEB_TIMEOUT",
    "WEB_KEEPALIVE",
}


_FLOAT = {
    "DNA_HIT_MIN_LOG10_LR",
    "DNA_IDENTIFICATION_MIN_POSTERIOR",
    "MATCH_REPORTED_SHARE",
    "MATCH_REPORTED_SHARE_DEFAULT",
}


def _parse(name: str, raw: str) -> Any:
    if name in _FLOAT:
        try:
            return float(raw)
        except ValueError:
            raise ConfigurationError(f"CASEWORK_{name} must be a number, not {raw!r}.") from None
    if name in _BOOLEAN:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigurationError(f"CASEWORK_{name} must be true or false, not {raw!r}.")
    if name in _INTEGER:
        try:
            return int(raw)
        except ValueError:
            raise ConfigurationError(
                f"CASEWORK_{name} must be a whole number, not {raw!r}."
            ) from None
    return raw


def read_or_create_secret(path: Path, nbytes: int = 32) -> str:
    """Return the base64 secret stored at `path`, creating it (mode 0600) when absent."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = base64.b64encode(secrets.token_bytes(nbytes)).decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def _decode_master_key(value: str, source: str) -> bytes:
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except ValueError:
        raise ConfigurationError(f"The master key in {source} is not valid base64.") from None
    if len(key) != 32:
        raise ConfigurationError(
            f"The master key in {source} must be 32 bytes (base64 of 32 random bytes), "
            f"not {len(key)} bytes."
        )
    return key


def _check_master_key_is_random(key: bytes, source: str) -> None:
    """Refuse a master key that is plainly not 32 random bytes. Random bytes almost never repeat
    enough to show fewer than 16 distinct values (odds below 1e-9), nor all fall in printable
    ASCII (below 1e-13): such a key is zeros, a pattern or typed text, and easy to guess."""
    if len(set(key)) < 16:
        raise ConfigurationError(
            f"The master key in {source} is not random (zeros or a repeated pattern): create "
            "one with: python -c 'import base64, secrets; "
            "print(base64.b64encode(secrets.token_bytes(32)).decode())'."
        )
    if all(32 <= byte < 127 for byte in key):
        raise ConfigurationError(
            f"The master key in {source} is typed text, not random bytes: create one with: "
            "python -c 'import base64, secrets; "
            "print(base64.b64encode(secrets.token_bytes(32)).decode())'."
        )


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Merge defaults, CASEWORK_* variables and explicit overrides, then check them.

    Example:
        >>> settings = load_settings({"CASEWORK_MODE": "embedded"}, {"INSTANCE_DIR": "/tmp/x"})
        >>> settings["MODE"]
        'embedded'
    """
    environ = os.environ if environ is None else environ
    settings: dict[str, Any] = dict(DEFAULTS)
    settings["INSTANCE_DIR"] = str(INSTANCE_DIR)
    for name, raw in environ.items():
        if name.startswith("CASEWORK_"):
            key = name.removeprefix("CASEWORK_")
            settings[key] = _parse(key, raw)
    settings.update(overrides or {})

    mode = settings["MODE"]
    if mode not in (EMBEDDED, PRODUCTION):
        raise ConfigurationError(f"CASEWORK_MODE must be 'embedded' or 'production', not {mode!r}.")
    production = mode == PRODUCTION
    instance = Path(settings["INSTANCE_DIR"])

    if production:
        secret = str(settings["SECRET_KEY"] or "")
        if not secret or len(secret) < 32 or len(set(secret)) < 12:
            raise ConfigurationError(
                "Production mode needs CASEWORK_SECRET_KEY: a random value of at least 32 "
                "characters (for example the output of: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        if not settings["MASTER_KEY"] and not settings["MASTER_KEY_FILE"]:
            raise ConfigurationError(
                "Production mode needs an encryption key: set CASEWORK_MASTER_KEY_FILE to a file "
                "holding base64 of 32 random bytes, or CASEWORK_MASTER_KEY."
            )
        if not settings["DATABASE_URL"]:
            raise ConfigurationError(
                "Production mode needs CASEWORK_DATABASE_URL, for example "
                "postgresql+psycopg://casework@db.example/casework."
            )
        if not str(settings["DATABASE_URL"]).startswith("postgresql"):
            raise ConfigurationError(
                "Production mode needs PostgreSQL in CASEWORK_DATABASE_URL (for example "
                "postgresql+psycopg://casework@db.example/casework): SQLite is the embedded "
                "mode's database, for one process on one machine."
            )
    else:
        if not settings["SECRET_KEY"]:
            settings["SECRET_KEY"] = read_or_create_secret(instance / "secret_key", 48)
        if not settings["MASTER_KEY"] and not settings["MASTER_KEY_FILE"]:
            settings["MASTER_KEY_FILE"] = str(instance / "master.key")
            read_or_create_secret(instance / "master.key")
        if not settings["DATABASE_URL"]:
            instance.mkdir(parents=True, exist_ok=True)
            settings["DATABASE_URL"] = f"sqlite:///{instance / 'casework.db'}"

    if settings["MASTER_KEY"]:
        source = "CASEWORK_MASTER_KEY"
        settings["MASTER_KEY"] = _decode_master_key(str(settings["MASTER_KEY"]), source)
    else:
        path = Path(settings["MASTER_KEY_FILE"])
        if not path.exists():
            raise ConfigurationError(f"The master key file {path} does not exist.")
        source = str(path)
        settings["MASTER_KEY"] = _decode_master_key(path.read_text(), source)
    if production:
        _check_master_key_is_random(settings["MASTER_KEY"], source)

    if settings["REDIS_URL"] and settings["RATELIMIT_STORAGE_URI"] == "memory://":
        # every application process counts against the same limits (sign-in, API, inbox)
        settings["RATELIMIT_STORAGE_URI"] = settings["REDIS_URL"]
    if settings["REQUIRE_TOTP"] is None:
        settings["REQUIRE_TOTP"] = production
    if settings["SESSION_COOKIE_SECURE"] is None:
        settings["SESSION_COOKIE_SECURE"] = production
    if settings["SMTP_SECURITY"] not in ("none", "starttls", "tls"):
        raise ConfigurationError(
            "CASEWORK_SMTP_SECURITY must be none, starttls or tls, "
            f"not {settings['SMTP_SECURITY']!r}."
        )
    for name in ("MATCH_REPORTED_SHARE", "MATCH_REPORTED_SHARE_DEFAULT"):
        share = settings[name]
        if share is not None and not 0.0 < float(share) <= 1.0:
            raise ConfigurationError(
                f"CASEWORK_{name} must be a share above 0 and at most 1 (e.g. 0.6), not {share}."
            )
    for name in ("WEB_WORKERS", "WEB_THREADS", "WEB_TIMEOUT"):
        if int(settings[name]) < 1:
            raise ConfigurationError(f"CASEWORK_{name} must be 1 or more, not {settings[name]}.")
    if int(settings["WEB_KEEPALIVE"]) < 0:
        raise ConfigurationError(
            f"CASEWORK_WEB_KEEPALIVE must be 0 (no keep-alive) or more, "
            f"not {settings['WEB_KEEPALIVE']}."
        )
    token = settings["METRICS_TOKEN"]
    if token is not None and len(str(token)) < 32:
        raise ConfigurationError(
            "CASEWORK_METRICS_TOKEN must be at least 32 characters (for example the output of: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'), or left unset."
        )
    if isinstance(settings["LANGUAGES"], str):
        settings["LANGUAGES"] = [
            code.strip() for code in settings["LANGUAGES"].split(",") if code.strip()
        ]
    return settings
