"""What the last-seen place of a missing person is (home, departure point, on the route): from
home the matching engine measures the distance to the intended route, not to the home; and the
calibration of the match probabilities, learned from decided candidates, kept with the weights.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 18:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

KINDS = ("unknown", "home", "departure", "route")
_CHECK = "last_seen_kind IN ({})".format(", ".join(f"'{kind}'" for kind in KINDS))


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.add_column(
            "missing_person",
            sa.Column(
                "last_seen_kind", sa.String(length=16), nullable=False, server_default="unknown"
            ),
        )
        op.create_check_constraint("lastseenkind", "missing_person", _CHECK)
    else:
        # SQLite: a plain ALTER TABLE ADD COLUMN with its CHECK, no rebuild of a table that
        # every case refers to (a rebuild trips SpatiaLite's foreign-key check, see 0012)
        op.execute(
            "ALTER TABLE missing_person ADD COLUMN last_seen_kind VARCHAR(16) "
            "DEFAULT 'unknown' NOT NULL "
            f"CONSTRAINT ck_missing_person_lastseenkind CHECK ({_CHECK})"
        )
    op.add_column("match_weights", sa.Column("calibration_json", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("match_weights", "calibration_json")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_missing_person_lastseenkind"), "missing_person", type_="check")
    op.drop_column("missing_person", "last_seen_kind")
