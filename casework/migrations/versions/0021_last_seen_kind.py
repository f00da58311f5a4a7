"""What the last-seen place of a missing person is (home, departure point, on the route): from
home the matching engine measures the distance to the intended route, not to the home.

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-07 18:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0019"
branch_labels = None
depends_on = None

KINDS = ("unknown", "home", "departure", "route")


def upgrade():
    with op.batch_alter_table("missing_person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "last_seen_kind",
                sa.Enum(
                    *KINDS,
                    name="lastseenkind",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                server_default="unknown",
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table("missing_person", schema=None) as batch_op:
        batch_op.drop_column("last_seen_kind")
