"""history rows signed with a key kept outside the database, and vouching for the dossier's row

Each history row now records the key that signed it (`key_id`, NULL for the plain SHA-256 of the
rows written before) and the digest of the dossier's row as the change left it. The migration
cannot sign the existing rows, as the key is not in the database: `flask history verify` reports
them as legacy until `flask history rekey --legacy`, run once after the upgrade, has checked and
signed them.

Revision ID: 0010historykey
Revises: 0009sessions
"""
from alembic import op
import sqlalchemy as sa


revision = "0010historykey"
down_revision = "0009sessions"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, also on SQLite: nullable columns need no rebuild of the table.
    op.add_column("history", sa.Column("dossier_digest", sa.String(length=64), nullable=True))
    op.add_column("history", sa.Column("key_id", sa.String(length=16), nullable=True))


def downgrade():
    # Rows signed with a key keep their HMAC in `hash`: after a downgrade the old code reports them as altered.
    op.drop_column("history", "key_id")
    op.drop_column("history", "dossier_digest")
