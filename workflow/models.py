"""The data model (SQLAlchemy 2 typed models through Flask-SQLAlchemy)."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    JSON, Boolean, Date, Enum, ForeignKey, Index, Integer, MetaData, Numeric, String, Text, UniqueConstraint, text,
    types,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry, relationship, validates

from workflow.procedure import REFERENCE_CODE, catalogue
from workflow.text import display_name, name_key, search_key



class CampaignStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class NoticeStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"
    DIGESTED = "digested"


class CouncilSessionStatus(StrEnum):
    CONVENED = "convened"
    CLOSED = "closed"


class DecisionStatus(StrEnum):
    PREPARED = "prepared"
    RECORDED = "recorded"


class ExportStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def status_column(statuses: type[StrEnum], default: StrEnum):
    """A status kept as its value in the VARCHAR(10) column it always had (no CHECK, no database enum type),
    read back as a member of `statuses`."""
    return mapped_column(Enum(statuses, native_enum=False, create_constraint=False, length=10,
                              values_callable=lambda members: [member.value for member in members]),
                         default=default)


# The `prev_hash` of a dossier's first history row, and its `history_head` before that row.
HISTORY_GENESIS = "0" * 64
NAME_LENGTH = 255
# Case folding may turn one character into three ("ß" into "ss", "ﬃ" into "ffi"): a name's keys
# have room for that (at most 6 bytes a character: well within a btree index entry).
NAME_KEY_LENGTH = 3 * NAME_LENGTH

# Ids are 32-bit integers in the database: a larger one names no row (and PostgreSQL would refuse to compare it).
MAX_ID = 2**31 - 1


def row_or_none(model, row_id: int):
    """The row of `model` with id `row_id`, or None, also for an id no row can have."""
    return db.session.get(model, row_id) if 0 < row_id <= MAX_ID else None

# A campaign's invitation letter unless the office says otherwise: its symbol, its signer's title (one line each of
# the signature block) and its distribution list (Nơi nhận), as Vietnamese administrative letters have them.
INVITATION_SYMBOL = "GM-HPN"
SIGNER_TITLE = "TM. BAN THƯỜNG VỤ\nCHỦ TỊCH"
INVITATION_RECIPIENTS = "- Như trên;\n- Lưu: VP."


class UTCDateTime(types.TypeDecorator):
    """Aware UTC datetimes on every database (SQLite keeps no offset of its own)."""

    impl = types.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }),
        type_annotation_map={dt.datetime: UTCDateTime},
    )


# A session lives for one request or one job. Objects keep their values across its commits: what it
# wrote is what the row holds, so rendering the result of a commit, or moving on to the next dossier
# of a bulk action, needs no second read.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    # The name as names are compared (`name_key`): the person rule of a conflict of interest queries it.
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), default="", server_default="", index=True)
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    @validates("name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value or "")
        return value

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    email: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(255), default="")
    # The full name as names are compared (`name_key`): the person rule of a conflict of interest queries it.
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), default="", server_default="", index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # "immediate": one e-mail per notice; "daily": the day's notices in one digest e-mail.
    notice_delivery: Mapped[str] = mapped_column(String(10), default="immediate", server_default="immediate")
    # Raised to end every sign-in session of the user at once: a session names the generation it began in.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    unit: Mapped[Unit] = relationship(lazy="joined")

    @validates("full_name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value or "")
        return value

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    # What a sign-in session needs of a user (Flask-Login's protocol, without importing it here).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # "api": asked for with a password, lives until it expires or is revoked; "page": given to a page's script
    # for a sign-in session, ends with the session.
    kind: Mapped[str] = mapped_column(String(10), default="api", server_default="api")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]

    user: Mapped[User] = relationship(lazy="joined")


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    year: Mapped[int] = mapped_column(Integer)
    submission_deadline: Mapped[dt.date | None] = mapped_column(Date)
    ceremony_date: Mapped[dt.date | None] = mapped_column(Date)
    ceremony_time: Mapped[str | None] = mapped_column(String(16))
    ceremony_place: Mapped[str | None] = mapped_column(String(255))
    # The invitation letter (giấy mời): the event it invites to, its number and symbol ("Số: 12/GM-HPN"; without a
    # number the line is left blank to be filled by hand), who signs it, and whom it is sent to (Nơi nhận).
    event_title: Mapped[str | None] = mapped_column(String(500))
    invitation_number: Mapped[str | None] = mapped_column(String(32))
    invitation_symbol: Mapped[str] = mapped_column(String(32), default=INVITATION_SYMBOL,
                                                   server_default=INVITATION_SYMBOL)
    signer_name: Mapped[str | None] = mapped_column(String(255))
    signer_title: Mapped[str] = mapped_column(String(255), default=SIGNER_TITLE, server_default=SIGNER_TITLE)
    invitation_recipients: Mapped[str] = mapped_column(Text, default=INVITATION_RECIPIENTS,
                                                       server_default=INVITATION_RECIPIENTS)
    status: Mapped[CampaignStatus] = status_column(CampaignStatus, CampaignStatus.OPEN)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN


class AwardForm(db.Model):
    """What is given (Bằng khen, Giấy khen, Cờ thi đua, a title), apart from what it is given for (DOMAIN.md,
    "Award forms and titles")."""

    __tablename__ = "award_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Issuer(db.Model):
    """Who confers an award and signs its decision: the organisation's standing committee or a higher authority."""

    __tablename__ = "issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class AwardType(db.Model):
    __tablename__ = "award_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(12), default="any")
    rank: Mapped[int] = mapped_column(Integer, default=100)
    forwarded: Mapped[bool] = mapped_column(Boolean, default=False)
    required_documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    quota_per_unit: Mapped[int | None] = mapped_column(Integer)
    vote_quorum: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal("0.6667"))
    vote_threshold: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal("0.7"))
    responsible_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The code of the procedure its dossiers follow (workflow/procedures/); each takes its version when created.
    procedure: Mapped[str] = mapped_column(String(64), default=REFERENCE_CODE, server_default=REFERENCE_CODE)
    # How many working days its nominations stay on the public disclosure page (0: none), where its procedure
    # has a disclosure step.
    disclosure_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # What the quorum and the threshold of a council session are fractions of: "membership" (every member who may
    # vote on the dossier) or "present" (those of them present at the session).
    vote_denominator: Mapped[str] = mapped_column(String(10), default="membership", server_default="membership")
    award_form_id: Mapped[int] = mapped_column(ForeignKey("award_forms.id"))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"))
    # Whether the plan names the form and the issuer; otherwise they are the organisation's own choice.
    form_in_plan: Mapped[bool] = mapped_column(Boolean, default=False)

    responsible_unit: Mapped[Unit] = relationship(lazy="joined")
    award_form: Mapped[AwardForm] = relationship(lazy="joined")
    issuer: Mapped[Issuer] = relationship(lazy="joined")


class AwardTypeChange(db.Model):
    """One field of an award type's settings changed by the office: who, when, the value before and after
    (as JSON: fractions as their decimal text, documents as their list of kinds)."""

    __tablename__ = "award_type_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_type_id: Mapped[int] = mapped_column(ForeignKey("award_types.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)

    actor: Mapped[User] = relationship(lazy="joined")


class Nominee(db.Model):
    """A person or a collective in the registry, who lives across campaigns (DOMAIN.md, "Nominees and their award
    history"): each dossier refers to one, and keeps its own copy of the nominee's fields as typed for that
    nomination. `unit_id` is a person's unit or a collective's parent unit: the unit that nominates it. An entry
    merged into another keeps its row, pointing at the kept one (`merged_into_id`)."""

    __tablename__ = "nominees"
    __table_args__ = (
        # The exact match a new dossier is linked by: same unit, kind and name key.
        Index("ix_nominees_match", "unit_id", "kind", "name_key"),
        # Look-up while typing among the live entries, a submitter's within her unit: a prefix of the search key
        # in byte order, then the id (migration 0026privacy), which on PostgreSQL gives the range and the order.
        Index("ix_nominees_lookup", text('search_key COLLATE "C"'), "id",
              postgresql_where=text("merged_into_id IS NULL")).ddl_if(dialect="postgresql"),
        Index("ix_nominees_unit_lookup", "unit_id", text('search_key COLLATE "C"'), "id",
              postgresql_where=text("merged_into_id IS NULL")).ddl_if(dialect="postgresql"),
        Index("ix_nominees_lookup", "search_key", "id").ddl_if(dialect="sqlite"),
        Index("ix_nominees_unit_lookup", "unit_id", "search_key", "id").ddl_if(dialect="sqlite"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH))
    search_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    gender: Mapped[str | None] = mapped_column(String(8))
    position: Mapped[str | None] = mapped_column(String(255))
    # The citizen identity number (CCCD): 12 digits.
    identity_number: Mapped[str | None] = mapped_column(String(12))
    # A collective's kind (workflow.nominees.COLLECTIVE_KINDS).
    collective_kind: Mapped[str | None] = mapped_column(String(20))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("nominees.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")

    @validates("name")
    def _keep_keys(self, _key: str, value: str) -> str:
        self.name_key, self.search_key = name_key(value), search_key(value)
        return display_name(value)


class NomineeMerge(db.Model):
    """Two registry entries found to be one nominee: who merged them, when, and each entry's fields before."""

    __tablename__ = "nominee_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("nominees.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("nominees.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kept_before: Mapped[dict] = mapped_column(JSON)
    merged_before: Mapped[dict] = mapped_column(JSON)
    # The dossiers that referred to the merged entry and now refer to the kept one.
    dossier_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    actor: Mapped[User] = relationship(lazy="joined")


class AwardRecord(db.Model):
    """A line of a nominee's award history (DOMAIN.md, "Nominees and their award history"): written when a decision
    confers a dossier (`dossier_id`) or imported from the office's spreadsheets of earlier years; a revocation marks
    it, and it stays."""

    __tablename__ = "award_records"
    __table_args__ = (
        # The eligibility check at submit: one nominee's lines of one award type, by year.
        Index("ix_award_records_nominee_type_year", "nominee_id", "award_type_id", "year"),
        Index("ix_award_records_nominee_title_year", "nominee_id", "title_key", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominees.id"))
    award_type_id: Mapped[int | None] = mapped_column(ForeignKey("award_types.id"))
    form: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500))
    title_key: Mapped[str] = mapped_column(String(3 * 500))
    year: Mapped[int] = mapped_column(Integer)
    decision_number: Mapped[str] = mapped_column(String(64))
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(255))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    # "decision" (written by the conferring step) or "import".
    source: Mapped[str] = mapped_column(String(10))
    # The decision revoking the award, if one did: the line stays, marked by it.
    revocation_number: Mapped[str | None] = mapped_column(String(64))
    revoked_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    award_type: Mapped[AwardType | None] = relationship(lazy="joined")

    @validates("title")
    def _keep_key(self, _key: str, value: str) -> str:
        self.title_key = name_key(value)
        return value


class EmulationRating(db.Model):
    """A collective's emulation rating for a year (e.g. "Hoàn thành xuất sắc nhiệm vụ"), imported like the award
    history: what the rules of the emulation-rating kind read."""

    __tablename__ = "emulation_ratings"
    __table_args__ = (UniqueConstraint("nominee_id", "year", name="uq_emulation_ratings_nominee_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominees.id"))
    year: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(255))
    rating_key: Mapped[str] = mapped_column(String(3 * 255))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @validates("rating")
    def _keep_key(self, _key: str, value: str) -> str:
        self.rating_key = name_key(value)
        return value


class RuleSet(db.Model):
    """The eligibility rules of one legal basis, with the dates it is in force: a campaign uses the set in force on
    its date (workflow.eligibility.campaign_date)."""

    __tablename__ = "rule_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    legal_basis: Mapped[str] = mapped_column(Text)
    in_force_from: Mapped[dt.date] = mapped_column(Date)
    in_force_until: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    rules: Mapped[list[EligibilityRule]] = relationship(back_populates="rule_set", order_by="EligibilityRule.id",
                                                       lazy="selectin")


class EligibilityRule(db.Model):
    """One rule of a set for one award type (workflow.eligibility.RULE_KINDS): `years` is N, M or the year's offset
    by kind, `title` the title counted or the rating required; it refuses or only warns (`severity`)."""

    __tablename__ = "eligibility_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_sets.id"), index=True)
    award_type_id: Mapped[int] = mapped_column(ForeignKey("award_types.id"))
    kind: Mapped[str] = mapped_column(String(20))
    years: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(500))
    title_key: Mapped[str | None] = mapped_column(String(3 * 500))
    # The article of the legal basis the rule encodes, cited with it.
    article: Mapped[str] = mapped_column(String(255), default="")
    severity: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    rule_set: Mapped[RuleSet] = relationship(back_populates="rules", lazy="joined")
    award_type: Mapped[AwardType] = relationship(lazy="joined")

    @validates("title")
    def _keep_key(self, _key: str, value: str | None) -> str | None:
        self.title_key = name_key(value) if value else None
        return value


def _initial_state(context) -> str:
    """A new dossier starts in the initial state of its procedure (the reference one unless it names another)."""
    params = context.get_current_parameters()
    return catalogue().nearest(params.get("procedure") or REFERENCE_CODE, params.get("procedure_version") or 1).initial


class Dossier(db.Model):
    __tablename__ = "dossiers"
    __table_args__ = (
        # Every column the lists filter on and the visibility rule reads: their totals and the
        # dashboard's counts are index-only scans, not reads of the whole table. The due date
        # after the state lists a campaign's overdue returns in due order.
        Index("ix_dossiers_filters", "campaign_id", "state", "due_date", "unit_id", "award_type_id",
              "ever_submitted"),
        # Any part of a name ("%nguyen thi%"), on PostgreSQL (pg_trgm); see migration 0006.
        Index("ix_dossiers_nominee_search_trigrams", "nominee_search", postgresql_using="gin",
              postgresql_ops={"nominee_search": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        Index("ix_dossiers_unit_state", "unit_id", "state"),
        Index("ix_dossiers_nominee", "campaign_id", "award_type_id", "nominee_name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    award_type_id: Mapped[int] = mapped_column(ForeignKey("award_types.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # Who the nominee is (the registry entry); the nominee_* columns are its fields as typed for this nomination.
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominees.id"), index=True)
    nominee_kind: Mapped[str] = mapped_column(String(12))
    nominee_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    nominee_name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH))
    nominee_search: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), index=True)
    nominee_position: Mapped[str | None] = mapped_column(String(255))
    nominee_workplace: Mapped[str | None] = mapped_column(String(255))
    nominee_birth_year: Mapped[int | None] = mapped_column(Integer)
    nominee_gender: Mapped[str | None] = mapped_column(String(8))
    achievements: Mapped[str] = mapped_column(Text, default="")
    # The values of its procedure's `fields` (workflow/dossier_fields.py), by field name.
    details: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    state: Mapped[str] = mapped_column(String(20), default=_initial_state, index=True)
    # Raised by every change, through the one versioned UPDATE of workflow.operations (`write_change`), which
    # also writes the history row: the ORM does not count versions on its own.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The procedure and its version the dossier was created under, which it moves on until it ends.
    procedure: Mapped[str] = mapped_column(String(64), default=REFERENCE_CODE, server_default=REFERENCE_CODE)
    procedure_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The hash of the latest history row (the chain's genesis value before the first).
    history_head: Mapped[str] = mapped_column(String(64), default=HISTORY_GENESIS, server_default=HISTORY_GENESIS)
    # Once submitted, the dossier is visible to the city union's reviewers even if it is withdrawn.
    ever_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    decision_number: Mapped[str | None] = mapped_column(String(64))
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)

    campaign: Mapped[Campaign] = relationship(lazy="joined")
    award_type: Mapped[AwardType] = relationship(lazy="joined")
    unit: Mapped[Unit] = relationship(lazy="joined")
    nominee: Mapped[Nominee] = relationship()
    documents: Mapped[list[Document]] = relationship(
        back_populates="dossier", order_by="Document.id", lazy="selectin", cascade="all, delete-orphan")

    def set_nominee_name(self, name: str) -> None:
        for column, value in nominee_name_columns(name).items():
            setattr(self, column, value)

    def document_kinds(self) -> set[str]:
        return {document.kind for document in self.documents}


def nominee_name_columns(name: str) -> dict[str, str]:
    """The columns a nominee's name is kept in: as shown, and its keys for matching and searching."""
    return {"nominee_name": display_name(name), "nominee_name_key": name_key(name),
            "nominee_search": search_key(name)}


class Document(db.Model):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    # Shared by the documents of one file: the council's minutes are stored once for every dossier of the agenda.
    storage_name: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="documents")


class PacketDocument(db.Model):
    """A document a unit uploads once for a campaign (its unit packet: the tờ trình, its council's minutes, the
    list), which stands for a required document of that kind in each of the unit's dossiers of the campaign."""

    __tablename__ = "packet_documents"
    __table_args__ = (Index("ix_packet_documents_unit_campaign", "unit_id", "campaign_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class HistoryEntry(db.Model):
    """One row per change to a dossier, chained by a keyed hash so that tampering shows (workflow.history)."""

    __tablename__ = "history"
    __table_args__ = (UniqueConstraint("dossier_id", "seq", name="uq_history_dossier_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"))
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_username: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    # The digest of the dossier's row as this change left it (see workflow.history.DIGESTED_COLUMNS).
    dossier_digest: Mapped[str | None] = mapped_column(String(64))
    # The key that signed the row (workflow.history.key_id); NULL for the plain SHA-256 of rows written
    # before the chain was keyed.
    key_id: Mapped[str | None] = mapped_column(String(16))
    hash: Mapped[str] = mapped_column(String(64))


class VoteRecord(db.Model):
    """Who has voted on a dossier, without how: the ballot lives apart."""

    __tablename__ = "vote_records"
    __table_args__ = (UniqueConstraint("dossier_id", "user_id", name="uq_vote_records_dossier_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cast_on: Mapped[dt.date] = mapped_column(Date)


class Ballot(db.Model):
    """A secret ballot: a random key, no voter and no time, so it cannot be matched to a record."""

    __tablename__ = "ballots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    # True: agree, False: disagree, None: abstain (cast, not agreeing).
    agree: Mapped[bool | None] = mapped_column(Boolean)


class Notice(db.Model):
    """One message to one person, written in the transaction that caused it (an outbox row).

    status: pending (to send) → sending (claimed by one worker) → sent, or failed after the last try;
    held (waiting for the recipient's daily digest) → digested (sent inside a digest notice).
    """

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_status_created", "status", "created_at"),
                      Index("ix_notices_recipient_read", "recipient_id", "read_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: uuid.uuid4().hex)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # What the message says, as message ids and parameters, rendered in the reader's language.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[NoticeStatus] = status_column(NoticeStatus, NoticeStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[dt.datetime | None]
    # The claim that may mark the row sent; a recovered claim's late worker finds its token gone.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    # Set just before the message body goes to the SMTP server: from then on it may have arrived.
    handed_over_at: Mapped[dt.datetime | None]
    next_attempt_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    read_at: Mapped[dt.datetime | None]

    recipient: Mapped[User] = relationship(lazy="joined")
    dossier: Mapped[Dossier | None] = relationship()


class DisclosureWindow(db.Model):
    """A dossier's public disclosure: open from `opened_at` to the end of `ends_on` (Vietnam's date). A dossier
    published again after a return gets a new window; the latest is the one that counts."""

    __tablename__ = "disclosure_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ends_on: Mapped[dt.date] = mapped_column(Date, index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class DisclosureComment(db.Model):
    """A comment anyone sent on a dossier in disclosure, and how the office resolved it."""

    __tablename__ = "disclosure_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("disclosure_windows.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(255))
    # A keyed hash of the sender's address: repeated senders can be told apart without keeping the address.
    sender_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[dt.datetime | None]

    resolved_by: Mapped[User | None] = relationship(lazy="joined")


class CouncilSession(db.Model):
    """A meeting of the emulation council (DOMAIN.md, "Council session"): its agenda is voted on in one ballot sheet
    per member; closing it fixes the tallies of its items."""

    __tablename__ = "council_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(255))
    status: Mapped[CouncilSessionStatus] = status_column(CouncilSessionStatus, CouncilSessionStatus.CONVENED)
    convened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    convened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None]

    items: Mapped[list[CouncilSessionItem]] = relationship(
        back_populates="session", order_by="CouncilSessionItem.id", lazy="selectin")
    attendance: Mapped[list[CouncilSessionAttendance]] = relationship(
        order_by="CouncilSessionAttendance.id", lazy="selectin")

    @property
    def is_open(self) -> bool:
        return self.status == CouncilSessionStatus.CONVENED


class CouncilSessionItem(db.Model):
    """A dossier on a session's agenda, with its tally as fixed when the session closed (counts only: never who
    voted how). `dossier_version` is the dossier's version then: while it is unchanged, the fixed tally is the
    dossier's tally."""

    __tablename__ = "council_session_items"
    __table_args__ = (UniqueConstraint("session_id", "dossier_id", name="uq_council_session_items_session_dossier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("council_sessions.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    eligible: Mapped[int | None] = mapped_column(Integer)
    cast: Mapped[int | None] = mapped_column(Integer)
    agree: Mapped[int | None] = mapped_column(Integer)
    disagree: Mapped[int | None] = mapped_column(Integer)
    abstain: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    dossier_version: Mapped[int | None] = mapped_column(Integer)

    session: Mapped[CouncilSession] = relationship(back_populates="items")
    dossier: Mapped[Dossier] = relationship(lazy="joined")


class CouncilSessionAttendance(db.Model):
    """Whether a member was present at a closed session (recorded by the office when it closes)."""

    __tablename__ = "council_session_attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_council_session_attendance_session_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("council_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    present: Mapped[bool] = mapped_column(Boolean)

    user: Mapped[User] = relationship(lazy="joined")


class Decision(db.Model):
    """An award decision (quyết định khen thưởng, DOMAIN.md "Decision"): drafted by the office from dossiers waiting
    for one, signed outside the app, and recorded once its signed PDF is uploaded: recording confers every dossier it
    covers."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    signer_name: Mapped[str] = mapped_column(String(255))
    signer_title: Mapped[str] = mapped_column(String(255))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"))
    status: Mapped[DecisionStatus] = status_column(DecisionStatus, DecisionStatus.PREPARED)
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime | None]
    # The signed copy, kept as a document is (workflow/documents.py).
    signed_filename: Mapped[str | None] = mapped_column(String(255))
    signed_storage_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    signed_size: Mapped[int | None] = mapped_column(Integer)
    signed_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_uploaded_at: Mapped[dt.datetime | None]

    issuer: Mapped[Issuer] = relationship(lazy="joined")
    items: Mapped[list[DecisionItem]] = relationship(back_populates="decision", order_by="DecisionItem.id",
                                                     lazy="selectin", cascade="all, delete-orphan")

    @property
    def is_draft(self) -> bool:
        return self.status == DecisionStatus.PREPARED


class DecisionItem(db.Model):
    """A dossier a decision covers."""

    __tablename__ = "decision_items"
    __table_args__ = (UniqueConstraint("decision_id", "dossier_id", name="uq_decision_items_decision_dossier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)

    decision: Mapped[Decision] = relationship(back_populates="items")
    dossier: Mapped[Dossier] = relationship(lazy="joined")


class ForwardingOutcome(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


class Forwarding(db.Model):
    """Dossiers sent together to a higher authority (trình cấp trên, DOMAIN.md "Forwarding") with the union's letter
    (tờ trình: number, date, signer), and the authority's one answer: its decision for the dossiers it confers, its
    text for those it declines."""

    __tablename__ = "forwardings"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    sent_on: Mapped[dt.date] = mapped_column(Date)
    signer_name: Mapped[str] = mapped_column(String(255))
    signer_title: Mapped[str] = mapped_column(String(255))
    authority_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None]
    answer_text: Mapped[str] = mapped_column(Text, default="")
    # The authority's decision conferring the dossiers its answer names, if it names any.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))

    authority: Mapped[Issuer] = relationship(lazy="joined")
    decision: Mapped[Decision | None] = relationship()
    items: Mapped[list[ForwardingItem]] = relationship(back_populates="forwarding", order_by="ForwardingItem.id",
                                                       lazy="selectin", cascade="all, delete-orphan")

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class ForwardingItem(db.Model):
    """A dossier a forwarding sent, and what the answer said of it."""

    __tablename__ = "forwarding_items"
    __table_args__ = (UniqueConstraint("forwarding_id", "dossier_id", name="uq_forwarding_items_forwarding_dossier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forwarding_id: Mapped[int] = mapped_column(ForeignKey("forwardings.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    outcome: Mapped[ForwardingOutcome | None] = mapped_column(Enum(
        ForwardingOutcome, native_enum=False, create_constraint=False, length=10,
        values_callable=lambda members: [member.value for member in members]))

    forwarding: Mapped[Forwarding] = relationship(back_populates="items")
    dossier: Mapped[Dossier] = relationship(lazy="joined")

    @property
    def granted(self) -> bool:
        return self.outcome == ForwardingOutcome.GRANTED


class Holiday(db.Model):
    """A public holiday (or a day off in lieu) on which no working day is counted."""

    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(255))


class HonoursListSnapshot(db.Model):
    """A version of a campaign's honours list frozen by the office: every export of it is made from this content.

    Version 1 is the list finalised; each later answer on a dossier it shows (a pending one conferred or declined, an
    award revoked) adds the next version, an amendment, whose content names the hash of the version before."""

    __tablename__ = "honours_list_snapshots"
    __table_args__ = (UniqueConstraint("campaign_id", "version", name="uq_honours_list_snapshots_campaign_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Canonical JSON text, kept as text so that its hash can be checked against the very bytes.
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    # The hash of the version before (also inside `content`, so that the hash covers the chain); None for version 1.
    previous_sha256: Mapped[str | None] = mapped_column(String(64))
    finalised_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    campaign: Mapped[Campaign] = relationship(lazy="joined")
    finalised_by: Mapped[User | None] = relationship(lazy="joined")


class Revocation(db.Model):
    """The decision that revoked a dossier's award, kept apart from the decision that conferred it (on the dossier);
    the history row of the step records it too, signed."""

    __tablename__ = "revocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    decision_number: Mapped[str] = mapped_column(String(64))
    decision_date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ExportJob(db.Model):
    """A large export made in the background; its progress is polled and its file downloaded when done."""

    __tablename__ = "export_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    kind: Mapped[str] = mapped_column(String(20))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    format: Mapped[str] = mapped_column(String(8))
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[ExportStatus] = status_column(ExportStatus, ExportStatus.PENDING)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]

    campaign: Mapped[Campaign] = relationship(lazy="joined")
