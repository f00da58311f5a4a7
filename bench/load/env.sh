# Production-like settings for the load test, sourced by run.sh and load_data.py's callers.
#   source bench/load/env.sh
# Keys and the server log live in $CASEWORK_LOAD_DIR (default /tmp/casework-load), never in
# the repository. The database is a dedicated PostgreSQL database (default casework_load).
: "${CASEWORK_LOAD_DIR:=/tmp/casework-load}"
: "${CASEWORK_LOAD_DB:=casework_load}"
: "${CASEWORK_LOAD_PGURL:=postgresql+psycopg://postgres@127.0.0.1:5432}"
: "${VENV:=/work/main/.venv}"
mkdir -p "$CASEWORK_LOAD_DIR"
chmod 700 "$CASEWORK_LOAD_DIR"
if [ ! -s "$CASEWORK_LOAD_DIR/master.key" ]; then
    (umask 077 && "$VENV/bin/python" -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())' \
        > "$CASEWORK_LOAD_DIR/master.key")
fi
if [ ! -s "$CASEWORK_LOAD_DIR/secret_key" ]; then
    (umask 077 && "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))' \
        > "$CASEWORK_LOAD_DIR/secret_key")
fi
export CASEWORK_MODE=production
export CASEWORK_DATABASE_URL="$CASEWORK_LOAD_PGURL/$CASEWORK_LOAD_DB"
export CASEWORK_MASTER_KEY_FILE="$CASEWORK_LOAD_DIR/master.key"
CASEWORK_SECRET_KEY="$(cat "$CASEWORK_LOAD_DIR/secret_key")"
export CASEWORK_SECRET_KEY
export CASEWORK_INSTANCE_DIR="$CASEWORK_LOAD_DIR/instance"
# Rate limits shared by every application process, as in production (Redis database 7).
export CASEWORK_RATELIMIT_STORAGE_URI="${CASEWORK_RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379/7}"
# What differs from a real deployment, and why (docs/load-test.md):
# - plain HTTP on 127.0.0.1, no TLS proxy in front: the session cookie cannot be Secure;
# - the simulated staff sign in with a password only (no TOTP app to read codes from);
# - every simulated user comes from 127.0.0.1: the per-address sign-in limit is raised so
#   that 64 users signing in at the start are not held back as an attack.
export CASEWORK_SESSION_COOKIE_SECURE=false
export CASEWORK_REQUIRE_TOTP=false
export CASEWORK_LOGIN_RATE_LIMIT="${CASEWORK_LOGIN_RATE_LIMIT:-1000 per minute}"
export CASEWORK_LOAD_PASSWORD="${CASEWORK_LOAD_PASSWORD:-load test password 2026}"
# Jobs on Redis, as in production: a save's candidate refresh goes to the matching worker (the
# one process holding the open-case index), not into the web process.
export CASEWORK_REDIS_URL="${CASEWORK_REDIS_URL:-redis://127.0.0.1:6379/7}"
export CASEWORK_JOB_QUEUE="${CASEWORK_JOB_QUEUE:-casework-load}"
