"""public disclosure: an award type's window in working days, the dossiers' windows and the comments received

Revision ID: 0013disclosure
Revises: 0012procedures
"""
from alembic import op
import sqlalchemy as sa

revision = "0013disclosure"
down_revision = "0012procedures"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("award_types", sa.Column("disclosure_days", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "disclosure_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name="fk_disclosure_windows_dossier_id_dossiers"),
        sa.ForeignKeyConstraint(["opened_by_id"], ["users.id"], name="fk_disclosure_windows_opened_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_disclosure_windows"),
    )
    op.create_index("ix_disclosure_windows_dossier_id", "disclosure_windows", ["dossier_id"])
    op.create_index("ix_disclosure_windows_ends_on", "disclosure_windows", ["ends_on"])
    op.create_table(
        "disclosure_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("window_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=255), nullable=True),
        sa.Column("sender_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name="fk_disclosure_comments_dossier_id_dossiers"),
        sa.ForeignKeyConstraint(["window_id"], ["disclosure_windows.id"],
                                name="fk_disclosure_comments_window_id_disclosure_windows"),
        sa.ForeignKeyConstraint(["resolved_by_id"], ["users.id"], name="fk_disclosure_comments_resolved_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_disclosure_comments"),
    )
    op.create_index("ix_disclosure_comments_dossier_id", "disclosure_comments", ["dossier_id"])
    op.create_index("ix_disclosure_comments_window_id", "disclosure_comments", ["window_id"])


def downgrade():
    op.drop_table("disclosure_comments")
    op.drop_table("disclosure_windows")
    op.drop_column("award_types", "disclosure_days")
