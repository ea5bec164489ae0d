"""the hash of each dossier's latest history row, kept on the dossier

A transition chains its history row to the head it reads with the dossier, instead of
reading the chain's last row first; `history verify` also checks that the head matches.

Revision ID: 0007historyhead
Revises: 0006scale
"""
from alembic import op
import sqlalchemy as sa


revision = "0007historyhead"
down_revision = "0006scale"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade():
    # Plain ALTER TABLE, also on SQLite: a batch rebuild of `dossiers` would trip its foreign keys.
    op.add_column("dossiers", sa.Column("history_head", sa.String(length=64), nullable=False,
                                        server_default=GENESIS))
    op.execute(
        "UPDATE dossiers SET history_head = (SELECT h.hash FROM history h WHERE h.dossier_id = dossiers.id "
        "ORDER BY h.seq DESC LIMIT 1) WHERE EXISTS (SELECT 1 FROM history h WHERE h.dossier_id = dossiers.id)")


def downgrade():
    op.drop_column("dossiers", "history_head")
