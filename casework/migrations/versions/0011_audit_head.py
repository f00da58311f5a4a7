"""The audit chain's checkpoint: one row holding the chain's length and last hash, moved forward
with every append, so that entries cut off the end of the trail are detected. The database
refuses to delete it or move it back.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 03:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

GENESIS = b"\x00" * 32


def upgrade():
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    bind = op.get_bind()
    last = bind.execute(
        sa.text("SELECT seq, entry_hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
    ).first()
    head = sa.table(
        "audit_head", sa.column("id"), sa.column("seq"), sa.column("entry_hash", sa.LargeBinary)
    )
    op.bulk_insert(
        head,
        [
            {
                "id": 1,
                "seq": last.seq if last else 0,
                "entry_hash": bytes(last.entry_hash) if last else GENESIS,
            }
        ],
    )
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION casework_audit_head_forward() RETURNS trigger AS $$ "
            "BEGIN IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq THEN "
            "RAISE EXCEPTION 'audit_head only moves forward'; END IF; RETURN NEW; END; "
            "$$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head "
            "FOR EACH ROW EXECUTE FUNCTION casework_audit_head_forward()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
            "BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head "
            "WHEN NEW.seq < OLD.seq "
            "BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS casework_audit_head_forward()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward")
    op.drop_table("audit_head")
