"""honours list versions (amendments chained by hash) and revocations

A finalised list gains versions: each answer on a dossier it shows (a pending one conferred or declined, an award
revoked) adds one, naming the hash of the version before. A revoked award keeps its revoking decision apart from
the one that conferred it.

Revision ID: 0022amend
Revises: 0021plan
"""
from alembic import op
import sqlalchemy as sa


revision = "0022amend"
down_revision = "0021plan"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("honours_list_snapshots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("previous_sha256", sa.String(length=64), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_honours_list_snapshots_campaign_id"), type_="unique")
        batch_op.create_unique_constraint("uq_honours_list_snapshots_campaign_version", ["campaign_id", "version"])
        batch_op.create_index(batch_op.f("ix_honours_list_snapshots_campaign_id"), ["campaign_id"], unique=False)
    op.create_table(
        "revocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("decision_number", sa.String(length=64), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_revocations_dossier_id_dossiers")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_revocations_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revocations")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_revocations_dossier_id")),
    )


def downgrade():
    op.drop_table("revocations")
    with op.batch_alter_table("honours_list_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_honours_list_snapshots_campaign_id"))
        batch_op.drop_constraint("uq_honours_list_snapshots_campaign_version", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_honours_list_snapshots_campaign_id"), ["campaign_id"])
        batch_op.drop_column("previous_sha256")
        batch_op.drop_column("version")
