"""Demo data: a campaign open today, a user for every role, and dossiers in every state.

The dossiers are moved by the same operations the users run, so their history is real.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import current_app
import yaml
from sqlalchemy import select

from workflow import council, packets
from workflow import operations as ops
from workflow.accounts import create_user
from workflow.documents import DocumentStore
from workflow.i18n import today
from workflow.disclosure import add_comment, open_disclosures, sender_hash
from workflow.models import AwardType, Campaign, Dossier, User, db
from workflow.parties import party_of
from workflow.permissions import may_change_dossier, may_fire
from workflow.procedure import EACH_PARTY, catalogue
from workflow.reference import VENUE_2024, seed_reference_data
from workflow.rules import PACKET_KINDS, latest_window

DEMO_PASSWORD = "demo-2024"
# username, role, unit, full name
DEMO_USERS = (
    ("nopho.badinh", "submitter", "ba-dinh", "Nguyễn Thị Hoa"),
    ("nopho.hoankiem", "submitter", "hoan-kiem", "Trần Thị Lan"),
    ("nopho.donganh", "submitter", "dong-anh", "Lê Thị Mai"),
    ("vanphong", "office", "van-phong", "Phạm Thị Thu"),
    ("thamdinh.vanphong", "appraiser", "van-phong", "Đỗ Thị Hằng"),
    ("thamdinh.xdtc", "appraiser", "ban-xdtc", "Vũ Thị Ngọc"),
    ("thamdinh.tuyengiao", "appraiser", "ban-tuyen-giao", "Hoàng Thị Yến"),
    ("thamdinh.kinhte", "appraiser", "ban-htpnptkt", "Bùi Thị Dung"),
    ("thamdinh.gdxh", "appraiser", "ban-gdxh", "Ngô Thị Thảo"),
    ("hoidong1", "council", "thanh-hoi", "Đặng Thị Bích"),
    ("hoidong2", "council", "thanh-hoi", "Dương Thị Hạnh"),
    ("hoidong3", "council", "thanh-hoi", "Lý Thị Nga"),
    ("chutich", "chair", "thanh-hoi", "Phan Thị Hương"),
    ("quantri", "admin", "thanh-hoi", "Quản trị hệ thống"),
)

# A minimal, valid PDF: the demo's stand-in for the scanned papers a unit uploads.
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
            b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def ensure_demo_users() -> list[tuple[str, str, str]]:
    existing = set(db.session.scalars(select(User.username)))
    for username, role, unit, full_name in DEMO_USERS:
        if username not in existing:
            create_user(username, DEMO_PASSWORD, role, unit, f"{username}@example.org", full_name)
    return [(username, role, unit) for username, role, unit, _ in DEMO_USERS]


def ensure_demo_campaign() -> Campaign:
    year = today().year
    code = f"demo-{year}"
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        campaign = Campaign(code=code, name=f"Tổng kết công tác Hội năm {year} (trình diễn)", year=year,
                            event_title=f"Hội nghị tổng kết công tác Hội năm {year}, "
                                        f"phát động phong trào thi đua năm {year + 1}",
                            signer_name={username: name for username, *_, name in DEMO_USERS}["chutich"],
                            submission_deadline=today() + dt.timedelta(days=30),
                            ceremony_date=today() + dt.timedelta(days=45), ceremony_time="08:00",
                            ceremony_place=VENUE_2024)
        db.session.add(campaign)
        db.session.flush()
    return campaign


class DemoBuilder:
    def __init__(self, campaign: Campaign, store: DocumentStore):
        self.campaign = campaign
        self.store = store
        self.users = {u.username: u for u in db.session.scalars(select(User))}
        self.decisions = 0

    def draft(self, submitter: str, award_type: str, name: str, kind: str, position: str = "",
              documents: bool = True) -> Dossier:
        user = self.users[submitter]
        dossier = ops.create_dossier(user, self.campaign.code, award_type, {
            "kind": kind, "name": name, "position": position or None,
            "workplace": user.unit.name, "gender": "female" if kind == "individual" else None,
            "birth_year": 1980 if kind == "individual" else None,
        }, f"Hoàn thành xuất sắc nhiệm vụ năm {self.campaign.year}; nhiều mô hình hay, sáng tạo.")
        if documents:
            for kind_code in dossier.award_type.required_documents:
                ops.add_document(user, dossier, kind_code, f"{kind_code}.pdf", DEMO_PDF, self.store)
        return dossier

    def step(self, dossier: Dossier, username: str, event: str, **fields) -> Dossier:
        return ops.fire_event(self.users[username], dossier, event, dossier.version, ops.EventInput(**fields))

    def to_council(self, dossier: Dossier, appraiser: str) -> Dossier:
        self.recommend(dossier, appraiser)
        if dossier.state not in ops.procedure_of(dossier).voting_states:
            # A procedure with public disclosure: the window is shown as over, dated back, without comments.
            self.publish(dossier)
            latest_window(dossier).ends_on = today() - dt.timedelta(days=1)
            self.step(dossier, "vanphong", "to_council")
        return dossier

    def recommend(self, dossier: Dossier, appraiser: str) -> Dossier:
        self.step(dossier, self.submitter_of(dossier), "submit")
        self.step(dossier, "vanphong", "accept")
        for username in self.recommenders(dossier, appraiser):
            self.step(dossier, username, "recommend", comment="Đủ điều kiện, thành tích tiêu biểu.")
        return dossier

    def publish(self, dossier: Dossier) -> Dossier:
        open_disclosures(self.users["vanphong"], [dossier.id])
        return dossier

    def recommenders(self, dossier: Dossier, appraiser: str) -> list[str]:
        """Who recommends the dossier to the council: `appraiser`, or an appraiser of each unit the step names."""
        step = ops.procedure_of(dossier).step_by_event_and_source[("recommend", dossier.state)]
        if step.scope != EACH_PARTY:
            return [appraiser]
        return [next(name for name, user in self.users.items() if party_of(user) == party
                     and may_fire(user, step, dossier)) for party in step.parties]

    def approve(self, dossier: Dossier, appraiser: str) -> Dossier:
        self.to_council(dossier, appraiser)
        for member in ("hoidong1", "hoidong2", "hoidong3"):
            ops.cast_vote(self.users[member], dossier, True)
        return self.step(dossier, "chutich", "approve")

    def confer(self, dossier: Dossier) -> Dossier:
        self.decisions += 1
        return self.step(dossier, "vanphong", "confer", decision_number=f"{self.decisions:03d}/QĐ-HPN",
                         decision_date=today())

    def submitter_of(self, dossier: Dossier) -> str:
        return next(u.username for u in self.users.values() if may_change_dossier(u, dossier))


DEMO_DATA_DIR = Path(__file__).resolve().parent / "demo_data"
# What a step's required input gets in the demo data when its file gives none.
STAND_IN_INPUTS = {"comment": lambda: "Ý kiến của người xử lý (dữ liệu trình diễn).", "due_date": lambda: None,
                   "decision_number": lambda: "001/QĐ-HPN", "decision_date": today, "date": today}




def build_data_file_dossiers(b: DemoBuilder, directory: Path = DEMO_DATA_DIR) -> None:
    """The dossiers the files of `directory` declare, each brought to its `state` by the demo users its steps name."""
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("dossiers") or []:
            dossier = ops.create_dossier(b.users[item["submitter"]], b.campaign.code, item["award_type"],
                                         item["nominee"], item.get("achievements", ""), item.get("details"))
            for step in ops.procedure_of(dossier).path_to(item["state"]):
                given = (item.get("inputs") or {}).get(step.event, {})
                inputs = {i.name: given.get(i.name, STAND_IN_INPUTS[i.name]()) for i in step.inputs
                          if i.required or i.name in given}
                actor = next(name for name, user in b.users.items() if may_fire(user, step, dossier))
                b.step(dossier, actor, step.event, **inputs)


COUNCIL_ROOM = "Phòng họp tầng 3, 19 Lê Thánh Tông, Hoàn Kiếm, Hà Nội"


def build_round(b: DemoBuilder, writing: council.MinutesWriting) -> None:
    """The round in batches (DOMAIN.md, "The round as the office runs it"): Hoàn Kiếm's packet, its shared documents
    uploaded and its dossiers submitted whole; Ba Đình's in progress; a council session closed, with its minutes
    attached to its dossiers, and one convened, some members' ballot sheets sent."""
    hoan_kiem = packets.get_packet(b.users["nopho.hoankiem"], b.campaign.code, "hoan-kiem")
    for name, position in (("Lương Thị Hòa", "Chủ tịch Hội LHPN phường Phan Chu Trinh"),
                           ("Đinh Thị Quyên", "Chi hội trưởng tổ dân phố số 7 phường Hàng Bông")):
        dossier = b.draft("nopho.hoankiem", "bk_thanh_hoi", name, "individual", position, documents=False)
        ops.add_document(b.users["nopho.hoankiem"], dossier, "bao_cao_thanh_tich", "bao-cao-thanh-tich.pdf",
                         DEMO_PDF, b.store)
    for kind in PACKET_KINDS:
        packets.add_packet_document(b.users["nopho.hoankiem"], hoan_kiem, kind, f"{kind}-hoan-kiem.pdf", DEMO_PDF,
                                    b.store)
    packets.submit_packet(b.users["nopho.hoankiem"], hoan_kiem)
    b.draft("nopho.badinh", "bk_thanh_hoi", "Tạ Thị Minh", "individual", "Chi hội trưởng tổ 12 phường Kim Mã",
            documents=False)
    packets.add_packet_document(b.users["nopho.badinh"],
                                packets.get_packet(b.users["nopho.badinh"], b.campaign.code, "ba-dinh"),
                                "to_trinh", "to-trinh-ba-dinh.pdf", DEMO_PDF, b.store)

    office, members = b.users["vanphong"], ("chutich", "hoidong1", "hoidong2", "hoidong3")
    closed = [b.to_council(b.draft("nopho.donganh", "bk_thanh_hoi", name, "individual", position), "thamdinh.vanphong")
              for name, position in (("Nguyễn Thị Thoa", "Chủ tịch Hội LHPN xã Xuân Canh"),
                                     ("Kiều Thị Loan", "Chi hội trưởng thôn Lỗ Khê"))]
    session = council.convene_council_session(office, today(), COUNCIL_ROOM, [d.id for d in closed])
    for username, choices in zip(members, (("agree", "agree"), ("agree", "disagree"), ("agree", "disagree"),
                                           ("agree", "abstain")), strict=True):
        council.submit_ballot_sheet(b.users[username], session, {str(d.id): c for d, c in zip(closed, choices,
                                                                                              strict=True)})
    # hoidong3 was absent and voted in writing.
    council.close_council_session(office, session, [b.users[name].id for name in members[:3]], b.store, writing)
    convened = [b.to_council(b.draft("nopho.badinh", "can_bo_co_so_gioi", name, "individual", position),
                             "thamdinh.xdtc")
                for name, position in (("Hà Thị Nhung", "Chi hội trưởng tổ 3 phường Ngọc Hà"),
                                       ("Mai Thị Phương", "Chủ tịch Hội LHPN phường Liễu Giai"))]
    session = council.convene_council_session(office, today() + dt.timedelta(days=7), COUNCIL_ROOM,
                                              [d.id for d in convened])
    for username in ("hoidong1", "hoidong2"):
        council.submit_ballot_sheet(b.users[username], session, {str(d.id): "agree" for d in convened})


def build_demo_dossiers(campaign: Campaign, store: DocumentStore, writing: council.MinutesWriting) -> dict[str, int]:
    """One or more dossiers in every state of the workflow, and the round in batches."""
    b = DemoBuilder(campaign, store)
    build_round(b, writing)
    b.draft("nopho.badinh", "bk_thanh_hoi", "Nguyễn Thị Ánh", "individual", "Chủ tịch Hội LHPN phường Điện Biên")
    b.draft("nopho.donganh", "chi_hoi_tieu_bieu", "Chi hội Phụ nữ thôn Đại Đồng", "collective", documents=False)
    submitted = b.draft("nopho.hoankiem", "bk_thanh_hoi", "Trần Thị Bình", "individual", "Cán bộ Hội phường Hàng Bạc")
    b.step(submitted, "nopho.hoankiem", "submit")
    returned = b.draft("nopho.badinh", "can_bo_co_so_gioi", "Lê Thị Cúc", "individual", "Chi hội trưởng tổ 5")
    b.step(returned, "nopho.badinh", "submit")
    b.step(returned, "vanphong", "return", comment="Báo cáo thành tích chưa có xác nhận của cấp ủy.")
    appraisal = b.draft("nopho.donganh", "uy_thac_nhcsxh", "Hội LHPN xã Cổ Loa", "collective")
    b.step(appraisal, "nopho.donganh", "submit")
    b.step(appraisal, "vanphong", "accept")
    b.to_council(b.draft("nopho.hoankiem", "tuyen_pho_kieu_mau", "Tuyến phố bích họa Phùng Hưng", "collective"),
                 "thamdinh.tuyengiao")
    b.approve(b.draft("nopho.badinh", "bk_tw_hoi", "Phạm Thị Duyên", "individual", "Phó Chủ tịch Hội LHPN quận"),
              "thamdinh.vanphong")
    joint = b.draft("nopho.badinh", "chi_hoi_tieu_bieu", "Chi hội Phụ nữ tổ dân phố số 3 phường Ngọc Hà",
                    "collective")
    b.step(joint, "nopho.badinh", "submit")
    b.step(joint, "vanphong", "accept")
    b.step(joint, "thamdinh.xdtc", "recommend", comment="Ban Xây dựng tổ chức Hội: đủ điều kiện đề nghị.")
    forwarded = b.approve(b.draft("nopho.donganh", "chi_hoi_tieu_bieu", "Chi hội Phụ nữ thôn Vân Trì", "collective"),
                          "thamdinh.xdtc")
    b.step(forwarded, "vanphong", "forward")
    for submitter, name in (("nopho.hoankiem", "Đặng Thị Giang"), ("nopho.badinh", "Vũ Thị Âu")):
        b.confer(b.approve(b.draft(submitter, "bk_thanh_hoi", name, "individual", "Chi hội trưởng"),
                           "thamdinh.vanphong"))
    conferred_forwarded = b.approve(b.draft("nopho.hoankiem", "bk_tw_hoi", "Hội LHPN phường Tràng Tiền",
                                            "collective"), "thamdinh.vanphong")
    b.step(conferred_forwarded, "vanphong", "forward")
    b.confer(conferred_forwarded)
    revoked = b.confer(b.approve(b.draft("nopho.donganh", "bk_thanh_hoi", "Bùi Thị Khánh", "individual",
                                         "Chi hội trưởng"), "thamdinh.vanphong"))
    b.step(revoked, "vanphong", "revoke", decision_number="015/QĐ-HPN", decision_date=today(),
           comment="Thành tích kê khai không đúng thực tế (theo kết quả kiểm tra).")
    rejected = b.draft("nopho.donganh", "can_bo_co_so_gioi", "Ngô Thị Hạnh", "individual", "Chi hội trưởng")
    b.step(rejected, "nopho.donganh", "submit")
    b.step(rejected, "vanphong", "accept")
    b.step(rejected, "thamdinh.xdtc", "reject", comment="Chưa đủ thời gian công tác theo quy định.")
    declined = b.approve(b.draft("nopho.badinh", "bk_tw_hoi", "Đỗ Thị Ơn", "individual", "Ủy viên BCH"),
                         "thamdinh.vanphong")
    b.step(declined, "vanphong", "forward")
    b.step(declined, "vanphong", "decline", comment="Trung ương Hội không xét do đã khen năm 2023.")
    withdrawn = b.draft("nopho.hoankiem", "can_bo_co_so_gioi", "Hoàng Thị Ưng", "individual", "Chi hội phó")
    b.step(withdrawn, "nopho.hoankiem", "withdraw")
    # Public disclosure (bk_tw_hoi): one dossier waiting to be published, one on the public page with a comment.
    b.recommend(b.draft("nopho.donganh", "bk_tw_hoi", "Đặng Thị Thu Hà", "individual", "Chủ tịch Hội LHPN xã Uy Nỗ"),
                "thamdinh.vanphong")
    disclosed = b.publish(b.recommend(b.draft("nopho.hoankiem", "bk_tw_hoi", "Nguyễn Thị Yến", "individual",
                                              "Chủ tịch Hội LHPN phường Hàng Trống"), "thamdinh.vanphong"))
    add_comment(disclosed.id, "Đề nghị làm rõ số liệu mô hình sinh kế nêu trong báo cáo thành tích.",
                "Một hội viên phường Hàng Trống", sender_hash("203.0.113.7", "demo"),
                current_app.config["DISCLOSURE_COMMENT_MAX_CHARS"])
    build_data_file_dossiers(b)
    counts = {state: 0 for state in catalogue().states}
    for dossier in db.session.scalars(select(Dossier).where(Dossier.campaign_id == campaign.id)):
        counts[dossier.state] += 1
    return counts


# Award types the demo puts on another procedure than the reference one: the Central Union's certificate of merit
# goes through public disclosure (reference_public); the Office and Ban Xây dựng tổ chức Hội
# appraise the "Chi hội Phụ nữ Thủ đô tiêu biểu" together.
DEMO_PROCEDURES = {"chi_hoi_tieu_bieu": "co-appraisal", "bk_tw_hoi": "reference_public"}
# Award types the demo gives a public disclosure window (working days): DOMAIN.md, "Public disclosure".
DEMO_DISCLOSURE_DAYS = {"bk_tw_hoi": 5}


def load_demo(store: DocumentStore,
              writing: council.MinutesWriting) -> tuple[list[tuple[str, str, str]], dict[str, int] | None]:
    """The demo data; the council's minutes are written as `writing` says."""
    seed_reference_data()
    for award_type in db.session.scalars(select(AwardType).where(AwardType.code.in_(DEMO_PROCEDURES))):
        award_type.procedure = DEMO_PROCEDURES[award_type.code]
        award_type.disclosure_days = DEMO_DISCLOSURE_DAYS.get(award_type.code, award_type.disclosure_days)
    logins = ensure_demo_users()
    campaign = ensure_demo_campaign()
    has_dossiers = db.session.scalar(select(Dossier.id).where(Dossier.campaign_id == campaign.id).limit(1))
    counts = None if has_dossiers else build_demo_dossiers(campaign, store, writing)
    return logins, counts

