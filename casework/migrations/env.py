"""Alembic environment: one set of migrations builds SQLite/SpatiaLite and PostgreSQL/PostGIS."""

import logging

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

from casework.migrations.env_filters import include_object

logger = logging.getLogger("alembic.env")
db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    # our UTC timestamp type is plain TIMESTAMP WITH TIME ZONE in the database
    if type_ == "type" and type(obj).__name__ == "UtcDateTime":
        return "sa.DateTime(timezone=True)"
    return alembic_helpers.render_item(type_, obj, autogen_context)


def run_migrations_online() -> None:
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            include_object=include_object,
            process_revision_directives=alembic_helpers.writer,
            render_item=render_item,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported: run `casework db upgrade`.")
run_migrations_online()
