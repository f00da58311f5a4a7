"""Alembic environment: one set of migrations builds SQLite/SpatiaLite and PostgreSQL/PostGIS."""

import logging

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

logger = logging.getLogger("alembic.env")
db = current_app.extensions["migrate"].db

_SPATIAL_INTERNALS = ("spatial_ref_sys", "spatialite_history", "sql_statements_log", "topology",
                      "layer", "KNN", "KNN2", "data_licenses", "ElementaryGeometries",
                      "SpatialIndex", "geometry_columns", "views_geometry_columns",
                      "virts_geometry_columns", "idx_")


def include_object(obj, name, obj_type, reflected, compare_to):
    if obj_type == "table" and reflected and compare_to is None:
        # tables the spatial extensions own (SpatiaLite metadata, PostGIS topology, R*Tree indexes)
        if name.startswith(_SPATIAL_INTERNALS) or name.startswith(("vector_", "raster_", "rl2map", "SE_", "ISO_", "wms_", "networks", "stored_")):
            return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def run_migrations_online() -> None:
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            include_object=include_object,
            process_revision_directives=alembic_helpers.writer,
            render_item=alembic_helpers.render_item,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported: run `casework db upgrade`.")
run_migrations_online()
