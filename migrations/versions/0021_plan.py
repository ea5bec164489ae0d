"""a campaign's invitation letter: the event it invites to, its number and symbol, its signer, its distribution list

The 2024 plan invites the awardees to the "Hội nghị tổng kết công tác Hội năm 2024, phát động phong trào thi đua năm
2025"; the letter carries "Số: …/GM-HPN", the signer's title and name, and ends with "Nơi nhận:". Campaigns that exist
take the usual symbol, title and list, which the office may change.

Revision ID: 0021plan
Revises: 0020decisions
"""
from alembic import op
import sqlalchemy as sa

revision = "0021plan"
down_revision = "0020decisions"
branch_labels = None
depends_on = None

VENUE_2024 = "Hội trường 1A, số 7 phố Tôn Thất Thuyết, phường Dịch Vọng Hậu, quận Cầu Giấy"

COLUMNS = (
    sa.Column("event_title", sa.String(length=500), nullable=True),
    sa.Column("invitation_number", sa.String(length=32), nullable=True),
    sa.Column("invitation_symbol", sa.String(length=32), nullable=False, server_default="GM-HPN"),
    sa.Column("signer_name", sa.String(length=255), nullable=True),
    sa.Column("signer_title", sa.String(length=255), nullable=False, server_default="TM. BAN THƯỜNG VỤ\nCHỦ TỊCH"),
    sa.Column("invitation_recipients", sa.Text(), nullable=False, server_default="- Như trên;\n- Lưu: VP."),
)


def upgrade():
    with op.batch_alter_table("campaigns") as batch:
        for column in COLUMNS:
            batch.add_column(column)
    # The 2024 reference campaign as seeded gets the plan's event and the full address of the hall it names.
    campaigns = sa.table("campaigns", sa.column("code"), sa.column("event_title"), sa.column("ceremony_place"))
    op.execute(campaigns.update().where(campaigns.c.code == "tk-2024", campaigns.c.event_title.is_(None)).values(
        event_title="Hội nghị tổng kết công tác Hội năm 2024, phát động phong trào thi đua năm 2025"))
    op.execute(campaigns.update().where(campaigns.c.code == "tk-2024", campaigns.c.ceremony_place == "Hội trường 1A")
               .values(ceremony_place=VENUE_2024))


def downgrade():
    # Column by column, not in a batch: SQLite would rebuild the table, which other tables' keys refer to.
    for column in reversed(COLUMNS):
        op.drop_column("campaigns", column.name)
