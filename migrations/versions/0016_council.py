"""council sessions: the agenda voted on in one ballot sheet per member, the tallies fixed at closing, the attendance;
an award type's vote denominator; an abstention is a ballot that neither agrees nor disagrees

Revision ID: 0016council
Revises: 0015packets
"""
from alembic import op
import sqlalchemy as sa

revision = "0016council"
down_revision = "0015packets"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("award_types", sa.Column("vote_denominator", sa.String(length=10), nullable=False,
                                           server_default="membership"))
    with op.batch_alter_table("ballots") as batch:
        batch.alter_column("agree", existing_type=sa.Boolean(), nullable=True)
    op.create_table(
        "council_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("convened_by_id", sa.Integer(), nullable=False),
        sa.Column("convened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["convened_by_id"], ["users.id"], name="fk_council_sessions_convened_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_council_sessions"),
    )
    op.create_table(
        "council_session_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=True),
        sa.Column("cast", sa.Integer(), nullable=True),
        sa.Column("agree", sa.Integer(), nullable=True),
        sa.Column("disagree", sa.Integer(), nullable=True),
        sa.Column("abstain", sa.Integer(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("dossier_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["council_sessions.id"],
                                name="fk_council_session_items_session_id_council_sessions"),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name="fk_council_session_items_dossier_id_dossiers"),
        sa.PrimaryKeyConstraint("id", name="pk_council_session_items"),
        sa.UniqueConstraint("session_id", "dossier_id", name="uq_council_session_items_session_dossier"),
    )
    op.create_index("ix_council_session_items_session_id", "council_session_items", ["session_id"])
    op.create_index("ix_council_session_items_dossier_id", "council_session_items", ["dossier_id"])
    op.create_table(
        "council_session_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["council_sessions.id"],
                                name="fk_council_session_attendance_session_id_council_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_council_session_attendance_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_council_session_attendance"),
        sa.UniqueConstraint("session_id", "user_id", name="uq_council_session_attendance_session_user"),
    )
    op.create_index("ix_council_session_attendance_session_id", "council_session_attendance", ["session_id"])


def downgrade():
    op.drop_table("council_session_attendance")
    op.drop_table("council_session_items")
    op.drop_table("council_sessions")
    op.execute("DELETE FROM ballots WHERE agree IS NULL")
    with op.batch_alter_table("ballots") as batch:
        batch.alter_column("agree", existing_type=sa.Boolean(), nullable=False)
    op.drop_column("award_types", "vote_denominator")
