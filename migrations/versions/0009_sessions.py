"""sign-in sessions that can be ended: a session generation per user, and the kind of each API token

Raising `users.session_epoch` ends every session of the user at once (sign-out, password change,
deactivation); `api_tokens.kind` tells the tokens people ask for ("api") from those given to a page
for the length of a session ("page"), which end with it.

Revision ID: 0009sessions
Revises: 0007historyhead
"""
from alembic import op
import sqlalchemy as sa


revision = "0009sessions"
down_revision = "0008textpolicy"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, also on SQLite, as in 0007: new columns with a server default need no table rebuild.
    op.add_column("users", sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("api_tokens", sa.Column("kind", sa.String(length=10), nullable=False, server_default="api"))


def downgrade():
    op.drop_column("api_tokens", "kind")
    op.drop_column("users", "session_epoch")
