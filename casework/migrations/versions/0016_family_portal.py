"""The public family portal: search requests families send without an account (encrypted, no
address or user agent stored), their photos and later additions, and spent proof-of-work
challenges.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 14:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _enum(name, length, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def upgrade():
    op.create_table(
        "family_request",
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("access_code_hash", sa.String(length=255), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            _enum("requeststatus", 16, "pending", "accepted", "merged", "declined"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("person_ct", sa.LargeBinary(), nullable=True),
        sa.Column("reporter_ct", sa.LargeBinary(), nullable=True),
        sa.Column("consent_search", sa.Boolean(), nullable=False),
        sa.Column("consent_share", sa.Boolean(), nullable=False),
        sa.Column("consent_countries", sa.String(length=400), nullable=True),
        sa.Column("consent_contact", sa.Boolean(), nullable=False),
        sa.Column("consent_keep", sa.Boolean(), nullable=False),
        sa.Column("consent_withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_codes", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("missing_person_id", sa.Uuid(), nullable=True),
        sa.Column("relative_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason_ct", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
            name=op.f("fk_family_request_agency_id_agency"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_family_request_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["missing_person_id"],
            ["missing_person.id"],
            name=op.f("fk_family_request_missing_person_id_missing_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["relative_id"],
            ["relative.id"],
            name=op.f("fk_family_request_relative_id_relative"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_request")),
        sa.UniqueConstraint("reference", name=op.f("uq_family_request_reference")),
    )
    op.create_index(
        op.f("ix_family_request_agency_id"), "family_request", ["agency_id"], unique=False
    )
    op.create_index(op.f("ix_family_request_status"), "family_request", ["status"], unique=False)
    op.create_index(
        op.f("ix_family_request_missing_person_id"),
        "family_request",
        ["missing_person_id"],
        unique=False,
    )

    op.create_table(
        "family_request_photo",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("subject", _enum("photosubject", 16, "person", "belonging"), nullable=False),
        sa.Column(
            "media_type",
            _enum("mediatype", 40, "image/jpeg", "image/png", "image/webp", "application/pdf"),
            nullable=False,
        ),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content_ct", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["family_request.id"],
            name=op.f("fk_family_request_photo_request_id_family_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_request_photo")),
    )
    op.create_index(
        op.f("ix_family_request_photo_request_id"),
        "family_request_photo",
        ["request_id"],
        unique=False,
    )

    op.create_table(
        "family_request_addition",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            _enum("additionkind", 24, "contact", "correction", "photo", "consent_withdrawn"),
            nullable=False,
        ),
        sa.Column("words_ct", sa.LargeBinary(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["family_request.id"],
            name=op.f("fk_family_request_addition_request_id_family_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_request_addition")),
    )
    op.create_index(
        op.f("ix_family_request_addition_request_id"),
        "family_request_addition",
        ["request_id"],
        unique=False,
    )

    op.create_table(
        "spent_challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spent_challenge")),
        sa.UniqueConstraint("digest", name=op.f("uq_spent_challenge_digest")),
    )
    op.create_index(
        op.f("ix_spent_challenge_expires_at"), "spent_challenge", ["expires_at"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_spent_challenge_expires_at"), table_name="spent_challenge")
    op.drop_table("spent_challenge")
    op.drop_index(
        op.f("ix_family_request_addition_request_id"), table_name="family_request_addition"
    )
    op.drop_table("family_request_addition")
    op.drop_index(op.f("ix_family_request_photo_request_id"), table_name="family_request_photo")
    op.drop_table("family_request_photo")
    op.drop_index(op.f("ix_family_request_missing_person_id"), table_name="family_request")
    op.drop_index(op.f("ix_family_request_status"), table_name="family_request")
    op.drop_index(op.f("ix_family_request_agency_id"), table_name="family_request")
    op.drop_table("family_request")
