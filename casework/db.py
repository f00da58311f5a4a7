"""The database: declarative base with a naming convention, engine set-up for SpatiaLite, and
the one unit of work (`transaction()`) every service writes through."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlean
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy import SQLAlchemy
from geoalchemy2.admin.dialects.sqlite import init_spatialite
from sqlalchemy import DateTime, Enum, MetaData, TypeDecorator, Uuid, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from casework.errors import ConflictError, Unavailable

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both databases (SQLite drops the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Timestamps must carry a time zone.")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class RowId:
    """A UUID primary key assigned when the object is built, so encrypted fields can bind it."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


@event.listens_for(Base, "init", propagate=True)
def _assign_row_id(target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if isinstance(target, RowId) and kwargs.get("id") is None:
        target.id = uuid.uuid4()


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_engine_options() -> dict[str, Any]:
    """Engine options for SQLite: a DB-API module that can load extensions (CPython's cannot)."""
    return {"module": sqlean}


def install_spatialite(engine: Engine, spatialite_library: str, busy_timeout_ms: int) -> None:
    """Load SpatiaLite into every new SQLite connection and initialise its metadata once; run
    the database with a write-ahead log and writers waiting `busy_timeout_ms` for the lock."""

    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.enable_load_extension(True)
        try:
            dbapi_conn.load_extension(spatialite_library)
        except Exception as exc:
            raise RuntimeError(
                f"SpatiaLite ({spatialite_library}) could not be loaded: install the Debian "
                "package libsqlite3-mod-spatialite, or set CASEWORK_SPATIALITE_LIBRARY."
            ) from exc
        finally:
            dbapi_conn.enable_load_extension(False)
        dbapi_conn.execute("PRAGMA foreign_keys = ON")
        # readers never wait for a writer (a bulk import) and a writer never blocks readers;
        # writers queue for the lock up to the busy timeout (then: Unavailable, 503)
        dbapi_conn.execute("PRAGMA journal_mode = WAL")
        dbapi_conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        init_spatialite(dbapi_conn, transaction=True, init_mode="WGS84")

    event.listen(engine, "connect", _on_connect)


def str_enum(enum_class: type[Any], length: int = 32) -> Enum:
    """Store a StrEnum by value as a portable VARCHAR with a CHECK constraint."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        create_constraint=True,
        name=enum_class.__name__.lower(),
    )


_UNIT = "casework.unit_of_work"
_AFTER_COMMIT = "casework.after_commit"
log = logging.getLogger(__name__)


def hold_write_lock(session: Session) -> None:
    """On SQLite, make the session's transaction the writer now (BEGIN IMMEDIATE) unless it
    already is: what it reads from here on (the audit chain's tail, a reference counter, a
    case's version) cannot change under it before it commits. The driver would otherwise
    begin a transaction only at the first INSERT or UPDATE, after those reads. PostgreSQL
    locks rows and the audit chain itself, so nothing is done there."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def take_turn(session: Session, key: int) -> None:
    """Make the session's transaction wait its turn among those taking the same ``key``: a
    PostgreSQL advisory transaction lock (released at commit or rollback), on SQLite the write
    lock (``hold_write_lock``: one writer at a time whatever the key). What it reads from here
    on cannot be changed by another holder before it commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        hold_write_lock(session)


def is_unreachable(error: BaseException) -> bool:
    """The database is down, dropped the connection, or (SQLite) stayed locked past the busy
    timeout: a moment's trouble, worth trying again, not a fault in the request."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    said = str(error.orig).lower()
    return any(
        sign in said
        for sign in (
            "database is locked",
            "connection refused",
            "server closed the connection",
            "terminating connection",
            "connection is closed",
            "could not connect",
            "the database system is",
        )
    )


def unavailable() -> Unavailable:
    return Unavailable(
        _l(
            "The database is busy or cannot be reached just now. Nothing was saved: "
            "try again in a few seconds."
        )
    )


@contextmanager
def transaction() -> Iterator[Session]:
    """One unit of work: everything done in the block is committed together at its end, or
    rolled back together if anything in it fails; nothing else ever commits.

    Nested blocks join the outermost one (a service calling another commits once). The
    database's concurrency failures come out as the errors users read: a row changed by
    someone else since it was loaded (the optimistic version check) as `ConflictError`
    (409); a database that is locked too long or unreachable as `Unavailable` (503).

    Example:
        >>> with transaction():  # doctest: +SKIP
        ...     case.status = RemainsStatus.IDENTIFIED
    """
    session = db.session
    if session.info.get(_UNIT):
        yield session
        return
    session.info[_UNIT] = True
    session.info[_AFTER_COMMIT] = []
    try:
        hold_write_lock(session)
        yield session
        session.commit()
    except StaleDataError as error:
        session.rollback()
        raise ConflictError(
            _l(
                "Someone else saved this record while you were working on it. Your changes "
                "were not saved: reload it, check what changed, and try again."
            )
        ) from error
    except DBAPIError as error:
        session.rollback()
        if is_unreachable(error):
            raise unavailable() from error
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_UNIT, None)
        works = session.info.pop(_AFTER_COMMIT, None) or []
    _run_after_commit(works)  # reached only when the commit went through


@contextmanager
def read_snapshot() -> Iterator[Session]:
    """A session of its own that reads the whole database as of one moment, and writes
    nothing (it is rolled back): for a long read, such as walking the audit trail, that rows
    appended meanwhile must not disturb."""
    with Session(db.engine) as session:
        if db.engine.dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        else:  # SQLite (write-ahead log): a read transaction keeps the snapshot of its start
            session.connection().exec_driver_sql("BEGIN")
        try:
            yield session
        finally:
            session.rollback()


def commit_apart(statement: Any) -> None:
    """Run one statement on a connection of its own and commit it at once, outside the unit
    of work in progress (a job's progress, which its own long transaction must not hold back).
    On SQLite it gives way at once when another writer holds the lock, instead of waiting."""
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA busy_timeout = 0")
        try:
            connection.execute(statement)
            connection.commit()
        finally:
            if sqlite:
                timeout = int(current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {timeout}")


def after_commit(work: Callable[[], Any], what: str) -> None:
    """Run `work` once the current unit of work has committed (never if it rolls back).

    For what follows a save without being part of it (recomputing candidates): a failure there
    is logged and does not turn the stored save into an error; `work` must leave its own trace
    of what is still to do if that matters. `what` names the work in the log.
    """
    pending = db.session.info.get(_AFTER_COMMIT)
    if pending is None:
        raise RuntimeError("after_commit() is only meaningful inside transaction().")
    pending.append((work, what))


def _run_after_commit(works: list[tuple[Callable[[], Any], str]]) -> None:
    for work, what in works:
        try:
            work()
        except Exception:
            db.session.rollback()
            log.exception("After the commit, %s failed; the save stands", what)
