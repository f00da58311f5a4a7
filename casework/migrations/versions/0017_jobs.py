"""Background jobs: the job record (kind, state, progress, attempts, error code, who started
it, times, heartbeat) and the encrypted pieces of a file an import job reads.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 14:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

KINDS = ("import", "refresh", "rematch", "exchange_push")
STATES = ("queued", "running", "waiting", "done", "failed")


def upgrade():
    op.create_table(
        "job",
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="jobkind", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(*STATES, name="jobstate", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("phase", sa.String(length=32), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=40), nullable=True),
        sa.Column("started_by_id", sa.Uuid(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_job_agency_id_agency"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["user_account.id"],
            name=op.f("fk_job_started_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        for column in ("agency_id", "created_at", "kind", "started_by_id", "state"):
            batch_op.create_index(batch_op.f(f"ix_job_{column}"), [column], unique=False)
    op.create_table(
        "job_file_chunk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_job_file_chunk_job_id_job"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_file_chunk")),
        sa.UniqueConstraint("job_id", "seq", name=op.f("uq_job_file_chunk_job_id_seq")),
    )
    with op.batch_alter_table("job_file_chunk", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_file_chunk_job_id"), ["job_id"], unique=False)


def downgrade():
    with op.batch_alter_table("job_file_chunk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_file_chunk_job_id"))
    op.drop_table("job_file_chunk")
    with op.batch_alter_table("job", schema=None) as batch_op:
        for column in ("agency_id", "created_at", "kind", "started_by_id", "state"):
            batch_op.drop_index(batch_op.f(f"ix_job_{column}"))
    op.drop_table("job")
