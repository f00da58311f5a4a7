"""The database: declarative base with a naming convention, engine set-up for SpatiaLite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlean
from flask_sqlalchemy import SQLAlchemy
from geoalchemy2.admin.dialects.sqlite import init_spatialite
from sqlalchemy import DateTime, Enum, MetaData, TypeDecorator, Uuid, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


def install_spatialite(engine: Engine, spatialite_library: str) -> None:
    """Load SpatiaLite into every new SQLite connection and initialise its metadata once."""

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
        dbapi_conn.execute("PRAGMA busy_timeout = 10000")
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
