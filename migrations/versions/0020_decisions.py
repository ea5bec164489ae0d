"""award forms and issuers apart from the award type; decisions conferring many awardees

An award type has a form (Bằng khen, Giấy khen, Cờ thi đua, a title) and an issuer (the standing committee or a
higher authority), which statistics count by (DOMAIN.md, "Award forms and titles"). A decision is a record of its
own: number (unique), date, signer, issuer, the dossiers it covers, its signed PDF; recording it confers them all.

The existing award types take the form and issuer of the reference data (workflow/reference.py), matched by code;
an award type it does not know takes the Bằng khen of the standing committee, the organisation's own choice.

Revision ID: 0020decisions
Revises: 0017namekeys
"""
from alembic import op
import sqlalchemy as sa

revision = "0020decisions"
down_revision = "0017namekeys"
branch_labels = None
depends_on = None

# As the reference data has them when this migration was written (`flask seed` adds what is missing later).
FORMS = (("bang_khen", "Bằng khen"), ("giay_khen", "Giấy khen"), ("co_thi_dua", "Cờ thi đua"),
         ("danh_hieu", "Danh hiệu"), ("qua_tet", "Quà Tết"))
ISSUERS = (("ban_thuong_vu", "Ban Thường vụ Hội LHPN thành phố Hà Nội"),
           ("tw_hoi", "Đoàn Chủ tịch Trung ương Hội LHPN Việt Nam"),
           ("ubnd_tp", "Ủy ban nhân dân thành phố Hà Nội"))
# award type code: (form, issuer, whether the plan names them)
AWARD_TYPES = {"bk_tw_hoi": ("bang_khen", "tw_hoi", True), "bk_thanh_hoi": ("bang_khen", "ban_thuong_vu", True),
               "chi_hoi_tieu_bieu": ("bang_khen", "ubnd_tp", True), "qua_tet": ("qua_tet", "ban_thuong_vu", False)}
DEFAULT = ("bang_khen", "ban_thuong_vu", False)


def _reference_table(name: str) -> sa.Table:
    return op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.UniqueConstraint("code", name=f"uq_{name}_code"),
    )


def upgrade():
    connection = op.get_bind()
    forms, issuers = _reference_table("award_forms"), _reference_table("issuers")
    op.bulk_insert(forms, [{"id": n, "code": code, "name": name, "sort_order": n * 10}
                           for n, (code, name) in enumerate(FORMS, 1)])
    op.bulk_insert(issuers, [{"id": n, "code": code, "name": name, "sort_order": n * 10}
                             for n, (code, name) in enumerate(ISSUERS, 1)])
    if connection.dialect.name == "postgresql":
        for name in ("award_forms", "issuers"):
            op.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
    form_ids = {code: n for n, (code, _name) in enumerate(FORMS, 1)}
    issuer_ids = {code: n for n, (code, _name) in enumerate(ISSUERS, 1)}
    with op.batch_alter_table("award_types") as batch:
        batch.add_column(sa.Column("award_form_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("issuer_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("form_in_plan", sa.Boolean(), nullable=False, server_default=sa.false()))
    award_types = sa.table("award_types", sa.column("id"), sa.column("code"), sa.column("award_form_id"),
                           sa.column("issuer_id"), sa.column("form_in_plan"))
    for row_id, code in connection.execute(sa.select(award_types.c.id, award_types.c.code)).all():
        form, issuer, in_plan = AWARD_TYPES.get(code, DEFAULT)
        connection.execute(award_types.update().where(award_types.c.id == row_id).values(
            award_form_id=form_ids[form], issuer_id=issuer_ids[issuer], form_in_plan=in_plan))
    with op.batch_alter_table("award_types") as batch:
        batch.alter_column("award_form_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("issuer_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key("fk_award_types_award_form_id_award_forms", "award_forms", ["award_form_id"], ["id"])
        batch.create_foreign_key("fk_award_types_issuer_id_issuers", "issuers", ["issuer_id"], ["id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("signer_name", sa.String(length=255), nullable=False),
        sa.Column("signer_title", sa.String(length=255), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("drafted_by_id", sa.Integer(), nullable=False),
        sa.Column("drafted_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.Column("signed_filename", sa.String(length=255), nullable=True),
        sa.Column("signed_storage_name", sa.String(length=64), nullable=True),
        sa.Column("signed_size", sa.Integer(), nullable=True),
        sa.Column("signed_sha256", sa.String(length=64), nullable=True),
        sa.Column("signed_uploaded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuers.id"], name="fk_decisions_issuer_id_issuers"),
        sa.ForeignKeyConstraint(["drafted_by_id"], ["users.id"], name="fk_decisions_drafted_by_id_users"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name="fk_decisions_recorded_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.UniqueConstraint("number", name="uq_decisions_number"),
        sa.UniqueConstraint("signed_storage_name", name="uq_decisions_signed_storage_name"),
    )
    op.create_table(
        "decision_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"], name="fk_decision_items_decision_id_decisions"),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name="fk_decision_items_dossier_id_dossiers"),
        sa.PrimaryKeyConstraint("id", name="pk_decision_items"),
        sa.UniqueConstraint("decision_id", "dossier_id", name="uq_decision_items_decision_dossier"),
    )
    op.create_index("ix_decision_items_decision_id", "decision_items", ["decision_id"])
    op.create_index("ix_decision_items_dossier_id", "decision_items", ["dossier_id"])


def downgrade():
    op.drop_table("decision_items")
    op.drop_table("decisions")
    with op.batch_alter_table("award_types") as batch:
        batch.drop_constraint("fk_award_types_issuer_id_issuers", type_="foreignkey")
        batch.drop_constraint("fk_award_types_award_form_id_award_forms", type_="foreignkey")
        batch.drop_column("form_in_plan")
        batch.drop_column("issuer_id")
        batch.drop_column("award_form_id")
    op.drop_table("issuers")
    op.drop_table("award_forms")
