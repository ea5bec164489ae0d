"""The reference data of DOMAIN.md (Hanoi Women's Union, 2024), loaded by `flask seed`.

Seeding adds what is missing, matched by code, and never changes a row that exists: the data is
the organisation's to edit afterwards. Besides the 2024 plan's award types, award forms and issuers below,
every file of workflow/reference_data/ adds them as data (e.g. the Tết gift list's award type and its form,
on its own procedure).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select

from workflow.models import AwardForm, AwardType, Campaign, CampaignStatus, Issuer, Unit, db
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

# DOMAIN.md, "Award forms and titles": what is given, apart from what it is given for; and who gives it.
AWARD_FORMS = (("bang_khen", "Bằng khen"), ("giay_khen", "Giấy khen"), ("co_thi_dua", "Cờ thi đua"),
               ("danh_hieu", "Danh hiệu"))
ISSUERS = (
    ("ban_thuong_vu", "Ban Thường vụ Hội LHPN thành phố Hà Nội"),
    ("tw_hoi", "Đoàn Chủ tịch Trung ương Hội LHPN Việt Nam"),
    ("ubnd_tp", "Ủy ban nhân dân thành phố Hà Nội"),
)
# The issuer of what the organisation confers itself, and of an award type whose file names none.
OWN_ISSUER = "ban_thuong_vu"

# code, name, subject, forwarded, responsible department, quota, required documents, form, issuer, whether the plan
# names the form and issuer (the last three types' are the organisation's own choice: the plan does not say)
AWARD_TYPES = (
    ("bk_tw_hoi", "Bằng khen của Ban Chấp hành Trung ương Hội LHPN Việt Nam", "any", True, "van-phong", None,
     BASE_DOCUMENTS, "bang_khen", "tw_hoi", True),
    ("bk_thanh_hoi", "Bằng khen của Ban Chấp hành Hội LHPN thành phố Hà Nội", "any", False, "van-phong", None,
     BASE_DOCUMENTS, "bang_khen", OWN_ISSUER, True),
    ("chi_hoi_tieu_bieu", "Chi hội Phụ nữ Thủ đô tiêu biểu (đề nghị UBND Thành phố tặng Bằng khen)", "collective",
     True, "ban-xdtc", 2, COLLECTIVE_DOCUMENTS, "bang_khen", "ubnd_tp", True),
    ("can_bo_co_so_gioi", "Cán bộ Hội cơ sở giỏi tiêu biểu giữa nhiệm kỳ 2021–2026", "individual", False,
     "ban-xdtc", None, BASE_DOCUMENTS, "bang_khen", OWN_ISSUER, False),
    ("uy_thac_nhcsxh", "Tập thể có thành tích trong công tác nhận ủy thác cho vay vốn NHCSXH năm 2024",
     "collective", False, "ban-htpnptkt", None, COLLECTIVE_DOCUMENTS, "bang_khen", OWN_ISSUER, False),
    ("tuyen_pho_kieu_mau", "Cuộc thi “Đoạn đường, tuyến phố bích họa/nở hoa kiểu mẫu năm 2024”", "collective",
     False, "ban-tuyen-giao", 1, COLLECTIVE_DOCUMENTS, "bang_khen", OWN_ISSUER, False),
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
                   "procedure", "form", "issuer"}
FILE_KEYS = {"award_types", "award_forms", "issuers"}
SUBJECTS = ("any", "individual", "collective")


class ReferenceDataError(Exception):
    """A file of workflow/reference_data/ that cannot be used."""


def _award_type_of_file(item, where: str) -> tuple:
    """An award type of a reference data file, as a row of AWARD_TYPES plus its procedure."""
    if not isinstance(item, dict) or not set(item) <= AWARD_TYPE_KEYS \
            or not {"code", "name", "department", "form"} <= set(item):
        raise ReferenceDataError(f"{where}: an award type is a mapping with code, name, department and form, and "
                                 f"only {', '.join(sorted(AWARD_TYPE_KEYS))}")
    if item.get("subject", "any") not in SUBJECTS:
        raise ReferenceDataError(f"{where}: subject is one of {', '.join(SUBJECTS)}")
    documents = item.get("required_documents", [])
    if not isinstance(documents, list):
        raise ReferenceDataError(f"{where}: required_documents is a list")
    return (str(item["code"]), str(item["name"]), item.get("subject", "any"), item.get(BY_HIGHER_AUTHORITY) is True,
            str(item["department"]), item.get("quota"), [str(kind) for kind in documents], str(item["form"]),
            str(item.get("issuer", OWN_ISSUER)), False, str(item.get("procedure", "reference")))


def _code_and_name(item, where: str, what: str) -> tuple[str, str]:
    if not isinstance(item, dict) or set(item) != {"code", "name"}:
        raise ReferenceDataError(f"{where}: {what} is a mapping of code and name")
    return str(item["code"]), str(item["name"])


@dataclass(frozen=True)
class ReferenceFiles:
    """What the files of workflow/reference_data/ add to the plan's reference data."""

    award_types: list[tuple] = field(default_factory=list)
    award_forms: list[tuple[str, str]] = field(default_factory=list)
    issuers: list[tuple[str, str]] = field(default_factory=list)


def reference_files(directory: Path = REFERENCE_DATA_DIR) -> ReferenceFiles:
    """The award types, award forms and issuers the files of `directory` declare, file by file in name order."""
    result = ReferenceFiles()
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(document, dict) or not set(document) <= FILE_KEYS:
            raise ReferenceDataError(f"{path}: the file holds only {', '.join(sorted(FILE_KEYS))}")
        result.award_forms.extend(_code_and_name(item, str(path), "an award form")
                                  for item in document.get("award_forms") or [])
        result.issuers.extend(_code_and_name(item, str(path), "an issuer") for item in document.get("issuers") or [])
        result.award_types.extend(_award_type_of_file(item, str(path)) for item in document.get("award_types") or [])
    return result


def _seed_codes(model, rows) -> tuple[dict, int]:
    """The rows of `model` by code, after adding those of `rows` (code, name) that are missing; and how many."""
    existing = {row.code: row for row in db.session.scalars(select(model))}
    added = 0
    for order, (code, name) in enumerate(rows, start=1):
        if code not in existing:
            existing[code] = model(code=code, name=name, sort_order=order * 10)
            db.session.add(existing[code])
            added += 1
    return existing, added


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
    files = reference_files()
    forms, added["award_forms"] = _seed_codes(AwardForm, [*AWARD_FORMS, *files.award_forms])
    issuers, added["issuers"] = _seed_codes(Issuer, [*ISSUERS, *files.issuers])
    units = {unit.code: unit for unit in db.session.scalars(select(Unit))}
    for order, (code, name, kind, parent) in enumerate(reference_units(), start=1):
        if code not in units:
            units[code] = Unit(code=code, name=name, kind=kind, parent=units.get(parent), sort_order=order * 10)
            db.session.add(units[code])
            added["units"] += 1
    db.session.flush()
    existing_types = set(db.session.scalars(select(AwardType.code)))
    award_types = [(*row, "reference") for row in AWARD_TYPES] + files.award_types
    for rank, (code, name, subject, forwarded, department, quota, documents, form, issuer, in_plan,
               procedure) in enumerate(award_types, start=1):
        for what, value, known in (("unit", department, units), ("award form", form, forms),
                                   ("issuer", issuer, issuers)):
            if value not in known:
                raise ReferenceDataError(f"award type {code}: no {what} '{value}'")
        if code not in existing_types:
            db.session.add(AwardType(
                code=code, name=name, subject=subject, rank=rank, forwarded=forwarded,
                responsible_unit=units[department], quota_per_unit=quota, required_documents=list(documents),
                vote_quorum=Decimal("0.6667"), vote_threshold=Decimal("0.7"), legal_basis=LEGAL_BASIS,
                procedure=procedure, award_form=forms[form], issuer=issuers[issuer], form_in_plan=in_plan))
            added["award_types"] += 1
    if db.session.scalar(select(Campaign.id).where(Campaign.code == CAMPAIGN_2024["code"])) is None:
        db.session.add(Campaign(**CAMPAIGN_2024))
        added["campaigns"] += 1
    added["holidays"] = seed_holidays()
    db.session.flush()
    return added
