"""forwardings: dossiers sent together to a higher authority with the union's letter, and the authority's one answer
(its decision for those it confers, its text for those it declines)

Revision ID: 0030forwarding
Revises: 0024minutesdocs
"""
from alembic import op
import sqlalchemy as sa

revision = "0030forwarding"
down_revision = "0024minutesdocs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "forwardings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("signer_name", sa.String(length=255), nullable=False),
        sa.Column("signer_title", sa.String(length=255), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["authority_id"], ["issuers.id"], name="fk_forwardings_authority_id_issuers"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name="fk_forwardings_created_by_id_users"),
        sa.ForeignKeyConstraint(["answered_by_id"], ["users.id"], name="fk_forwardings_answered_by_id_users"),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"], name="fk_forwardings_decision_id_decisions"),
        sa.PrimaryKeyConstraint("id", name="pk_forwardings"),
        sa.UniqueConstraint("number", name="uq_forwardings_number"),
    )
    op.create_table(
        "forwarding_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forwarding_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(["forwarding_id"], ["forwardings.id"],
                                name="fk_forwarding_items_forwarding_id_forwardings"),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name="fk_forwarding_items_dossier_id_dossiers"),
        sa.PrimaryKeyConstraint("id", name="pk_forwarding_items"),
        sa.UniqueConstraint("forwarding_id", "dossier_id", name="uq_forwarding_items_forwarding_dossier"),
    )
    op.create_index("ix_forwarding_items_forwarding_id", "forwarding_items", ["forwarding_id"])
    op.create_index("ix_forwarding_items_dossier_id", "forwarding_items", ["dossier_id"])


def downgrade():
    op.drop_table("forwarding_items")
    op.drop_table("forwardings")
