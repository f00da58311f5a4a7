"""The migrations build the same schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_models_and_migrations_agree(app) -> None:
    from casework.extensions import db
    from casework.migrations.env_filters import include_object

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_spatial_columns_exist_with_srid_4326(app, backend) -> None:
    from sqlalchemy import text

    from casework.extensions import db

    with app.app_context():
        if backend == "postgresql":
            rows = db.session.execute(
                text("SELECT f_table_name, f_geometry_column, srid, type FROM geometry_columns")
            ).all()
            found = {(r[0], r[1], r[2], r[3]) for r in rows}
        else:
            rows = db.session.execute(
                text(
                    "SELECT f_table_name, f_geometry_column, srid, geometry_type"
                    " FROM geometry_columns"
                )
            ).all()
            names = {1: "POINT", 2: "LINESTRING"}
            found = {(r[0], r[1], r[2], names[r[3]]) for r in rows}
    assert found == {
        ("missing_person", "intended_route", 4326, "LINESTRING"),
        ("missing_person", "last_seen_point", 4326, "POINT"),
        ("unidentified_remains", "recovery_point", 4326, "POINT"),
    }
