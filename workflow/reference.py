"""The reference data of DOMAIN.md (Hanoi Women's Union, 2024), loaded by `flask seed`.

Seeding adds what is missing, matched by code, and never changes a row that exists: the data is
the organisation's to edit afterwards. Besides the 2024 plan's award types below, every file of
workflow/reference_data/ adds award types as data (e.g. the Tết gift list's, on its own procedure).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select

from workflow.models import AwardType, Campaign, CampaignStatus, Unit, db
from workflow.text import search_key
from workflow.workdays import seed_holidays

CITY = ("thanh-hoi", "Hội Liên hiệp Phụ nữ thành phố Hà Nội", "city")
DEPARTMENTS = (
    ("van-phong", "Văn phòng"),
    ("ban-tuyen-giao", "Ban Tuyên giáo"),
    ("ban-xdtc", "Ban Xây dựng tổ chức Hội"),
    ("ban-gdxh", "Ban Gia đình xã hội"),
    ("ban-htpnptkt", "Ban Hỗ trợ Phụ nữ phát triển kinh tế"),
)
URBAN_DISTRICTS = ("Ba Đình", "Hoàn Kiếm", "Tây Hồ", "Long Biên", "Cầu Giấy", "Đống Đa", "Hai Bà Trưng",
                   "Hoàng Mai", "Thanh Xuân", "Nam Từ Liêm", "Bắc Từ Liêm", "Hà Đông")
TOWNS = ("Sơn Tây",)
RURAL_DISTRICTS = ("Ba Vì", "Chương Mỹ", "Đan Phượng", "Đông Anh", "Gia Lâm", "Hoài Đức", "Mê Linh", "Mỹ Đức",
                   "Phú Xuyên", "Phúc Thọ", "Quốc Oai", "Sóc Sơn", "Thạch Thất", "Thanh Oai", "Thanh Trì",
                   "Thường Tín", "Ứng Hòa")
MEMBER_ORGS = (
    ("hoi-nu-tri-thuc", "Hội Nữ trí thức Hà Nội"),
    ("hoi-nu-dn-nvv", "Hội Nữ doanh nghiệp nhỏ và vừa Hà Nội"),
)

LEGAL_BASIS = ("Luật Thi đua, Khen thưởng 2022 (số 06/2022/QH15); Nghị định 98/2023/NĐ-CP "
               "(sửa đổi bởi Nghị định 152/2025/NĐ-CP)")
BASE_DOCUMENTS = ["to_trinh", "bao_cao_thanh_tich"]
COLLECTIVE_DOCUMENTS = BASE_DOCUMENTS + ["bien_ban"]

# code, name, subject, forwarded, responsible department, quota, required documents
AWARD_TYPES = (
    ("bk_tw_hoi", "Bằng khen của Ban Chấp hành Trung ương Hội LHPN Việt Nam", "any", True, "van-phong", None,
     BASE_DOCUMENTS),
    ("bk_thanh_hoi", "Bằng khen của Ban Chấp hành Hội LHPN thành phố Hà Nội", "any", False, "van-phong", None,
     BASE_DOCUMENTS),
    ("chi_hoi_tieu_bieu", "Chi hội Phụ nữ Thủ đô tiêu biểu (đề nghị UBND Thành phố tặng Bằng khen)", "collective",
     True, "ban-xdtc", 2, COLLECTIVE_DOCUMENTS),
    ("can_bo_co_so_gioi", "Cán bộ Hội cơ sở giỏi tiêu biểu giữa nhiệm kỳ 2021–2026", "individual", False,
     "ban-xdtc", None, BASE_DOCUMENTS),
    ("uy_thac_nhcsxh", "Tập thể có thành tích trong công tác nhận ủy thác cho vay vốn NHCSXH năm 2024",
     "collective", False, "ban-htpnptkt", None, COLLECTIVE_DOCUMENTS),
    ("tuyen_pho_kieu_mau", "Cuộc thi “Đoạn đường, tuyến phố bích họa/nở hoa kiểu mẫu năm 2024”", "collective",
     False, "ban-tuyen-giao", 1, COLLECTIVE_DOCUMENTS),
)

VENUE_2024 = "Hội trường 1A, số 7 phố Tôn Thất Thuyết, phường Dịch Vọng Hậu, quận Cầu Giấy"
# The plan gives the event, its date and its place; the deadline and the start time are the office's own choice.
CAMPAIGN_2024 = dict(code="tk-2024", name="Tổng kết công tác Hội năm 2024", year=2024,
                     event_title="Hội nghị tổng kết công tác Hội năm 2024, phát động phong trào thi đua năm 2025",
                     submission_deadline=dt.date(2024, 12, 20), ceremony_date=dt.date(2025, 1, 3),
                     ceremony_time="08:00", ceremony_place=VENUE_2024, status=CampaignStatus.OPEN)


REFERENCE_DATA_DIR = Path(__file__).resolve().parent / "reference_data"
# Whether the type is decided by a higher authority: the column's name, which is also a state's of the reference
# procedure (tests/test_procedure_names.py).
BY_HIGHER_AUTHORITY = AwardType.forwarded.key
AWARD_TYPE_KEYS = {"code", "name", "subject", BY_HIGHER_AUTHORITY, "department", "quota", "required_documents",
                   "procedure"}
SUBJECTS = ("any", "individual", "collective")


class ReferenceDataError(Exception):
    """A file of workflow/reference_data/ that cannot be used."""


def _award_type_of_file(item, where: str) -> tuple:
    """An award type of a reference data file, as a row of AWARD_TYPES plus its procedure."""
    if not isinstance(item, dict) or not set(item) <= AWARD_TYPE_KEYS \
            or not {"code", "name", "department"} <= set(item):
        raise ReferenceDataError(f"{where}: an award type is a mapping with code, name and department, and only "
                                 f"{', '.join(sorted(AWARD_TYPE_KEYS))}")
    if item.get("subject", "any") not in SUBJECTS:
        raise ReferenceDataError(f"{where}: subject is one of {', '.join(SUBJECTS)}")
    documents = item.get("required_documents", [])
    if not isinstance(documents, list):
        raise ReferenceDataError(f"{where}: required_documents is a list")
    return (str(item["code"]), str(item["name"]), item.get("subject", "any"), item.get(BY_HIGHER_AUTHORITY) is True,
            str(item["department"]), item.get("quota"), [str(kind) for kind in documents],
            str(item.get("procedure", "reference")))


def award_types_of_files(directory: Path = REFERENCE_DATA_DIR) -> list[tuple]:
    """The award types the files of `directory` declare, file by file in name order."""
    result = []
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(document, dict) or not set(document) <= {"award_types"}:
            raise ReferenceDataError(f"{path}: the file holds only 'award_types'")
        result += [_award_type_of_file(item, str(path)) for item in document.get("award_types") or []]
    return result


def unit_code(name: str) -> str:
    return search_key(name).replace(" ", "-")


def reference_units() -> list[tuple[str, str, str, str | None]]:
    """(code, name, kind, parent code), in the configured order."""
    units = [(CITY[0], CITY[1], CITY[2], None)]
    units += [(code, name, "department", CITY[0]) for code, name in DEPARTMENTS]
    units += [(unit_code(name), f"Hội LHPN quận {name}", "district", CITY[0]) for name in URBAN_DISTRICTS]
    units += [(unit_code(name), f"Hội LHPN thị xã {name}", "district", CITY[0]) for name in TOWNS]
    units += [(unit_code(name), f"Hội LHPN huyện {name}", "district", CITY[0]) for name in RURAL_DISTRICTS]
    units += [(code, name, "member_org", CITY[0]) for code, name in MEMBER_ORGS]
    return units


def seed_reference_data() -> dict[str, int]:
    """Insert the missing reference rows; returns how many of each kind were added."""
    added = {"units": 0, "award_types": 0, "campaigns": 0}
    units = {unit.code: unit for unit in db.session.scalars(select(Unit))}
    for order, (code, name, kind, parent) in enumerate(reference_units(), start=1):
        if code not in units:
            units[code] = Unit(code=code, name=name, kind=kind, parent=units.get(parent), sort_order=order * 10)
            db.session.add(units[code])
            added["units"] += 1
    db.session.flush()
    existing_types = set(db.session.scalars(select(AwardType.code)))
    award_types = [(*row, "reference") for row in AWARD_TYPES] + award_types_of_files()
    for rank, (code, name, subject, forwarded, department, quota, documents, procedure) in enumerate(award_types,
                                                                                                     start=1):
        if department not in units:
            raise ReferenceDataError(f"award type {code}: no unit '{department}'")
        if code not in existing_types:
            db.session.add(AwardType(
                code=code, name=name, subject=subject, rank=rank, forwarded=forwarded,
                responsible_unit=units[department], quota_per_unit=quota, required_documents=list(documents),
                vote_quorum=Decimal("0.6667"), vote_threshold=Decimal("0.7"), legal_basis=LEGAL_BASIS,
                procedure=procedure))
            added["award_types"] += 1
    if db.session.scalar(select(Campaign.id).where(Campaign.code == CAMPAIGN_2024["code"])) is None:
        db.session.add(Campaign(**CAMPAIGN_2024))
        added["campaigns"] += 1
    added["holidays"] = seed_holidays()
    db.session.flush()
    return added
