"""Factories: users of every role, API clients, and dossiers brought to any state by the real operations."""
from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from web.storage import document_store
from workflow import operations as ops
from workflow.accounts import create_user, issue_token
from workflow.i18n import today
from workflow.models import AwardType, Campaign, DisclosureWindow, Dossier, Unit, User, db
from workflow.procedure import (
    EACH_PARTY, RESPONSIBLE_DEPARTMENT, SUBMITTER_OF_UNIT, VOTE_RULES, Procedure, Step, catalogue,
)
from workflow.council import voters
from workflow.rules import has_conflict, latest_window

PASSWORD = "correct horse 42"
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
       b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
# The department that appraises each reference award type.
RESPONSIBLE = {"bk_tw_hoi": "van-phong", "bk_thanh_hoi": "van-phong", "chi_hoi_tieu_bieu": "ban-xdtc",
               "can_bo_co_so_gioi": "ban-xdtc", "uy_thac_nhcsxh": "ban-htpnptkt",
               "tuyen_pho_kieu_mau": "ban-tuyen-giao"}
COLLECTIVE_TYPES = {"chi_hoi_tieu_bieu", "uy_thac_nhcsxh", "tuyen_pho_kieu_mau"}
# The events that lead from a draft to each state (the forwarded branch where needed).
PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "returned": ["submit", "return"],
    "in_appraisal": ["submit", "accept"],
    "council_review": ["submit", "accept", "recommend"],
    "approved": ["submit", "accept", "recommend", "votes", "approve"],
    "forwarded": ["submit", "accept", "recommend", "votes", "approve", "forward"],
    "conferred": ["submit", "accept", "recommend", "votes", "approve", "confer"],
    "rejected": ["submit", "accept", "reject"],
    "declined": ["submit", "accept", "recommend", "votes", "approve", "forward", "decline"],
    "withdrawn": ["withdraw"],
    "revoked": ["submit", "accept", "recommend", "votes", "approve", "confer", "revoke"],
}
assert set(PATHS) == set(catalogue().current("reference").states)
# What each input a step may ask for is given, to pass its rules (workflow.procedure.INPUT_TYPES).
INPUT_VALUES = {"comment": lambda: "Đủ điều kiện; ghi chú của người xử lý.", "due_date": lambda: None,
                "decision_number": lambda: "123/QĐ-HPN", "decision_date": today, "date": today}
# The rules that need an award type decided by a higher authority (True) or at city level (False).
FORWARDED_RULES = {"forwarded_type": True, "city_level_type": False}


path_to = Procedure.path_to  # the shortest run of steps to a state, as the demo takes it


def step_input(step: Step) -> dict:
    """Fields that satisfy the inputs `step` declares (the API's names)."""
    return {item.name: INPUT_VALUES[item.name]() for item in step.inputs
            if item.required or item.name != "due_date"}


def details_for(procedure: Procedure) -> dict:
    """Valid values of every field the unit fills in for `procedure` (the API's form: dates as ISO text)."""
    values = {}
    for item in procedure.entered_fields:
        if item.type == "text":
            values[item.name] = ("Thôn Đoài, xã Minh Phú, huyện Sóc Sơn " * 4)[:max(item.minimum or 1, 40)].strip()
        elif item.type == "int":
            values[item.name] = item.minimum if item.minimum is not None else 0
        elif item.type == "date":
            values[item.name] = today().isoformat()
        else:
            values[item.name] = item.choices[0][0]
    return values


_names = itertools.count(1)


class ApiClient:
    """The Flask test client with a bearer token and JSON helpers."""

    def __init__(self, client, token: str, language: str | None = None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        if language:
            self.headers["Accept-Language"] = language

    def __getattr__(self, method):
        if method not in ("get", "post", "patch", "put", "delete"):
            raise AttributeError(method)

        def call(path, **kwargs):
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return getattr(self.client, method)(path, headers=headers, **kwargs)
        return call


class Factory:
    def __init__(self, app):
        self.app = app

    # People ---------------------------------------------------------------------------------

    def user(self, role: str, unit: str | None = None, username: str | None = None, **fields) -> User:
        unit = unit or {"submitter": "ba-dinh", "office": "van-phong", "appraiser": "van-phong"}.get(role, "thanh-hoi")
        username = username or f"{role}-{unit}-{next(_names)}"
        user = create_user(username, PASSWORD, role, unit, f"{username}@example.org", fields.pop("full_name", ""))
        for key, value in fields.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    def user_once(self, role: str, unit: str | None = None) -> User:
        """The first user of this role and unit, created when there is none."""
        query = select(User).where(User.role == role, User.active.is_(True))
        if unit:
            query = query.where(User.unit_id == select(Unit.id).where(Unit.code == unit).scalar_subquery())
        return db.session.scalars(query.order_by(User.id)).first() or self.user(role, unit)

    def api(self, user: User, language: str | None = None) -> ApiClient:
        token, _ = issue_token(user, 1)
        db.session.commit()
        return ApiClient(self.app.test_client(), token, language)

    def council(self, size: int = 3) -> list[User]:
        members = list(db.session.scalars(select(User).where(User.role == "council", User.active.is_(True))))
        while len(members) < size:
            members.append(self.user("council"))
        return members

    # Data -----------------------------------------------------------------------------------

    def campaign(self, code: str = "test-campaign", deadline_days: int = 30, **fields) -> Campaign:
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == code))
        if campaign is None:
            campaign = Campaign(code=code, name=fields.pop("name", f"Đợt {code}"), year=today().year,
                                submission_deadline=today() + dt.timedelta(days=deadline_days),
                                ceremony_date=today() + dt.timedelta(days=deadline_days + 10), **fields)
            db.session.add(campaign)
            db.session.commit()
        return campaign

    def draft(self, award_type: str = "bk_thanh_hoi", unit: str = "ba-dinh", name: str | None = None,
              campaign: str = "test-campaign", documents: bool = True, **nominee) -> Dossier:
        self.campaign(campaign)
        submitter = self.user_once("submitter", unit)
        kind = nominee.pop("kind", "collective" if award_type in COLLECTIVE_TYPES else "individual")
        procedure = catalogue().latest.get(db.session.scalar(select(AwardType.procedure)
                                                             .where(AwardType.code == award_type)))
        dossier = ops.create_dossier(submitter, campaign, award_type, {
            "kind": kind, "name": name or f"Nguyễn Thị Đề Cử {next(_names)}", **nominee}, "Thành tích xuất sắc.",
            details_for(procedure) if procedure else None)
        if documents:
            for kind_code in dossier.award_type.required_documents:
                ops.add_document(submitter, dossier, kind_code, f"{kind_code}.pdf", PDF, document_store())
        db.session.commit()
        return dossier

    def dossier(self, state: str = "draft", award_type: str | None = None, unit: str = "ba-dinh",
                **kwargs) -> Dossier:
        """A dossier in `state`, brought there through the workflow's own operations."""
        if award_type is None:
            award_type = "bk_tw_hoi" if state in ("forwarded", "declined") else "bk_thanh_hoi"
        dossier = self.draft(award_type, unit, **kwargs)
        for event in PATHS[state]:
            self.advance(dossier, event)
        return dossier

    def award_type_for(self, procedure: Procedure, steps: list[Step]) -> str:
        """An award type following `procedure` that the rules of `steps` accept (city level or forwarded); when
        none follows it, the first such type is put on it (with a disclosure window if the procedure opens one)."""
        wanted = {FORWARDED_RULES[code] for step in steps for code in step.rules if code in FORWARDED_RULES}
        query = select(AwardType).where(AwardType.active.is_(True))
        if len(wanted) == 1:
            query = query.where(AwardType.forwarded.is_(wanted.pop()))
        award_type = db.session.scalars(query.order_by(AwardType.procedure != procedure.code, AwardType.rank,
                                                       AwardType.code)).first()
        if award_type.procedure != procedure.code:
            self.put_on(award_type, procedure)
        return award_type.code

    def award_type_following(self, procedure: Procedure, forwarded: bool = False, days: int = 5) -> AwardType:
        """A reference award type (bk_tw_hoi if forwarded, else bk_thanh_hoi) put on `procedure`, with a disclosure
        window of `days` working days where the procedure opens one."""
        award_type = db.session.scalar(select(AwardType).where(
            AwardType.code == ("bk_tw_hoi" if forwarded else "bk_thanh_hoi")))
        return self.put_on(award_type, procedure, days)

    def put_on(self, award_type: AwardType, procedure: Procedure, days: int = 5) -> AwardType:
        award_type.procedure = procedure.code
        award_type.disclosure_days = days if procedure.steps_with("open_disclosure") else 0
        db.session.commit()
        return award_type

    def dossier_in(self, procedure: Procedure, state: str, award_type: str, unit: str = "ba-dinh") -> Dossier:
        """A dossier of `procedure` in `state`, brought there along `path_to` by whoever each step names."""
        dossier = self.draft(award_type, unit)
        assert (dossier.procedure, dossier.procedure_version) == (procedure.code, procedure.version)
        for step in path_to(procedure, state):
            self.take_step(dossier, step)
        return dossier

    def actor_of_step(self, dossier: Dossier, step: Step, party: str | None = None) -> User:
        """Who takes `step` on the dossier: for a step named units take, one of them (`party`, else the first)."""
        if step.scope == SUBMITTER_OF_UNIT:
            return self.user_once(step.role, dossier.unit.code)
        if step.scope == RESPONSIBLE_DEPARTMENT:
            return self.user_once(step.role, dossier.award_type.responsible_unit.code)
        if step.parties:
            return self.user_once(step.role, party or step.parties[0])
        return self.user_once(step.role, {"submitter": dossier.unit.code, "office": "van-phong",
                                          "appraiser": "van-phong"}.get(step.role, "thanh-hoi"))

    def votes_for(self, dossier: Dossier) -> None:
        """Every member who may vote on it agrees: the council (at least three) and the chair."""
        self.council()
        for member in voters():
            if not has_conflict(member, dossier):
                ops.cast_vote(member, dossier, True)
        db.session.commit()

    def take_step(self, dossier: Dossier, step: Step) -> Dossier:
        """Take `step`; one the named units take together, by each of them in turn; a disclosure window it opens is
        ended at once (dated back), so that the dossier can go on."""
        if VOTE_RULES & set(step.rules):
            self.votes_for(dossier)
        return self.give_opinions(dossier, step, step.parties) if step.scope == EACH_PARTY \
            else self.fire_step(dossier, step)

    def give_opinions(self, dossier: Dossier, step: Step, parties) -> Dossier:
        """Each of `parties` gives its opinion on `step`, a step the named units take together."""
        for party in parties:
            self.fire_step(dossier, step, party)
        return dossier

    def fire_step(self, dossier: Dossier, step: Step, party: str | None = None) -> Dossier:
        ops.fire_event(self.actor_of_step(dossier, step, party), dossier, step.event, dossier.version,
                       ops.EventInput(**step_input(step)))
        if step.effect("open_disclosure") is not None:
            self.end_disclosure(dossier)
        db.session.commit()
        return dossier

    def end_disclosure(self, dossier: Dossier, days_ago: int = 1) -> DisclosureWindow:
        """Date the dossier's disclosure window back, so that it ended `days_ago` days ago (0: it ends today)."""
        window = latest_window(dossier)
        window.ends_on = today() - dt.timedelta(days=days_ago)
        db.session.commit()
        return window

    def actor_for(self, dossier: Dossier, event: str) -> User:
        if event in ("submit", "resubmit", "withdraw"):
            return self.user_once("submitter", dossier.unit.code)
        if event in ("recommend",) or (event in ("return", "reject") and dossier.state == "in_appraisal"):
            return self.user_once("appraiser", RESPONSIBLE[dossier.award_type.code])
        if event in ("approve",) or (event in ("return", "reject") and dossier.state == "council_review"):
            return self.user_once("chair", "thanh-hoi")
        return self.user_once("office", "van-phong")

    def advance(self, dossier: Dossier, event: str) -> Dossier:
        if event == "votes":
            self.votes_for(dossier)
        else:
            fields = {
                "return": {"comment": "Thiếu xác nhận"},
                "recommend": {"comment": "Đủ điều kiện"},
                "reject": {"comment": "Chưa đủ tiêu chuẩn"},
                "decline": {"comment": "Cấp trên không duyệt"},
                "confer": {"decision_number": "123/QĐ-HPN", "decision_date": today()},
                "revoke": {"decision_number": "45/QĐ-HPN", "decision_date": today(),
                           "comment": "Thành tích kê khai không đúng sự thật"},
            }.get(event, {})
            ops.fire_event(self.actor_for(dossier, event), dossier, event, dossier.version, ops.EventInput(**fields))
        db.session.commit()
        return dossier
