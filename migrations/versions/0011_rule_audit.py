"""the record of changes to award types' settings (who, when, field, before, after)

Revision ID: 0011ruleaudit
Revises: 0010historykey
"""
from alembic import op
import sqlalchemy as sa


revision = "0011ruleaudit"
down_revision = "0010historykey"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "award_type_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_type_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["award_type_id"], ["award_types.id"],
                                name=op.f("fk_award_type_changes_award_type_id_award_types")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_award_type_changes_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_type_changes")),
    )
    with op.batch_alter_table("award_type_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_type_changes_award_type_id"), ["award_type_id"], unique=False)


def downgrade():
    with op.batch_alter_table("award_type_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_type_changes_award_type_id"))
    op.drop_table("award_type_changes")
