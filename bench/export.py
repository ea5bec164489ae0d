"""6. Export: the honours list of 10,000 conferred dossiers to XLSX through the product's export (the one
behind the API's `?format=xlsx`, the export job and the CLI) versus the same rows, with the same values,
written by openpyxl alone in its streaming (write-only) mode. The list is read from the database
beforehand for both; how long that read takes is reported beside the figures. Peak memory is measured
in a fresh process for each side, both having loaded the same modules and the same list first.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from flask_babel import force_locale, gettext
from openpyxl import Workbook
from sqlalchemy import select

from bench.harness import (
    Scale, app_settings, at_most, interleaved_medians, make_app, peak_rss_mib, postgres_database, scratch_dir,
)
from bench.workload import CAMPAIGN, link_nominees, prepare_cast
from workflow.exports import export_honours_list
from workflow.exports.common import COLUMNS, row_cells
from workflow.honours import HonoursList, honours_list
from workflow.procedure import REFERENCE_CODE, catalogue
from workflow.i18n import today
from workflow.models import AwardType, Campaign, Unit, utcnow
from workflow.text import name_key, search_key

ORDER = 6
PROJECT = Path(__file__).resolve().parent.parent
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý")
MIDDLE = ("Thị", "Văn", "Thị Thu", "Ngọc", "Thị Minh", "Hữu", "Thị Thanh")
GIVEN = ("Ánh", "Ân", "Bình", "Dung", "Đào", "Hà", "Hạ", "Hằng", "Lan", "Mai", "Oanh", "Ơn", "Uyên", "Ưng", "Yến",
         "Hương", "Thủy", "Trang", "Linh", "Nga")
POSITIONS = (None, "Chi hội trưởng", "Phó Chủ tịch", "Ủy viên Ban Chấp hành", "Hội viên")
WORKPLACES = (None, "Chi hội 5", "Hội LHPN phường Đội Cấn", "Tổ dân phố 12", "Trường Tiểu học Kim Đồng")


def nominee(number: int) -> tuple[str, str]:
    if number % 10 == 9:
        return "collective", f"Chi hội Phụ nữ tổ dân phố {number}"
    return "individual", (f"{FAMILY[number % len(FAMILY)]} {MIDDLE[number // 7 % len(MIDDLE)]} "
                          f"{GIVEN[number // 3 % len(GIVEN)]}")


def load_listed_dossiers(url: str, count: int) -> None:
    """`count` dossiers on the campaign's honours list, spread over the award types and units, by COPY."""
    from workflow.models import db

    campaign_id = db.session.scalar(select(Campaign.id).where(Campaign.code == CAMPAIGN))
    award_types = db.session.scalars(select(AwardType.id).order_by(AwardType.id)).all()
    units = db.session.scalars(select(Unit.id).order_by(Unit.id)).all()
    db.session.commit()
    now, decided = utcnow(), today()
    listed = sorted(catalogue().current(REFERENCE_CODE).honoured_states)  # COPY leaves them on the reference procedure
    columns = ("campaign_id", "award_type_id", "unit_id", "nominee_kind", "nominee_name", "nominee_name_key",
               "nominee_search", "nominee_position", "nominee_workplace", "achievements", "state", "version",
               "ever_submitted", "decision_number", "decision_date", "created_at", "updated_at")
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("ALTER TABLE dossiers ALTER COLUMN nominee_id DROP NOT NULL")  # link_nominees gives them
        with cursor.copy(f"COPY dossiers ({', '.join(columns)}) FROM STDIN") as copy:
            for number in range(count):
                kind, name = nominee(number)
                copy.write_row((campaign_id, award_types[number % len(award_types)], units[number * 7 % len(units)],
                                kind, name, name_key(name), search_key(name), POSITIONS[number % len(POSITIONS)],
                                WORKPLACES[number // 5 % len(WORKPLACES)], "Thành tích xuất sắc.",
                                listed[number % len(listed)], 6, True,
                                f"{number % 40 + 1}/QĐ-HPN", decided, now, now))
    link_nominees()
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("ANALYZE dossiers")


def list_rows(document: HonoursList) -> list[tuple]:
    """The list's cells, row by row: the header, then the awardees with the export's values."""
    return [tuple(gettext(column) for column in COLUMNS)] + [
        row_cells(item) for group in document.data["groups"] for item in group["items"]]


def ours(document: HonoursList) -> bytes:
    return export_honours_list(document, "xlsx", gettext)


def openpyxl_alone(rows: list[tuple]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure_memory(side: str, snapshot: Path, database_url: str, folder: Path) -> dict:
    """Peak memory of one side, in a process of its own: `python -m bench.export SIDE SNAPSHOT URL FOLDER`."""
    completed = subprocess.run([sys.executable, "-m", "bench.export", side, str(snapshot), database_url, str(folder)],
                               cwd=PROJECT, capture_output=True, text=True, timeout=300, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"the {side} memory run failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _resident_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _memory_run(side: str, snapshot: str, database_url: str, folder: str) -> None:
    from web import create_app

    app = create_app("development", **app_settings(Path(folder), database_url))
    document = HonoursList.from_snapshot(json.loads(Path(snapshot).read_text()))
    with app.app_context(), force_locale("vi"):
        rows = list_rows(document)
        Path("/proc/self/clear_refs").write_text("5")  # the peak so far (startup's) is not the export's
        before = _resident_mib()
        data = ours(document) if side == "ours" else openpyxl_alone(rows)
        print(json.dumps({"peak": peak_rss_mib(os.getpid()), "before": before, "bytes": len(data)}))


def run(scale: Scale):
    count = scale.pick(10_000, 50)
    with postgres_database() as url, scratch_dir() as folder:
        app = make_app(folder, url)
        with app.app_context(), force_locale("vi"):
            from workflow.models import db

            prepare_cast()
            load_listed_dossiers(url, count)
            campaign = db.session.scalar(select(Campaign).where(Campaign.code == CAMPAIGN))
            read_started = time.perf_counter()
            document = honours_list(campaign)
            read_seconds = time.perf_counter() - read_started
            db.session.commit()
            assert document.row_count == count
            rows = list_rows(document)
            ours(document)  # warm up: imports, translations, openpyxl's caches
            openpyxl_alone(rows)
            seconds = interleaved_medians({"ours": lambda: ours(document), "openpyxl": lambda: openpyxl_alone(rows)},
                                          scale.repeat)
            sizes = {"ours": len(ours(document)), "openpyxl": len(openpyxl_alone(rows))}
            snapshot = folder / "list.json"
            snapshot.write_text(json.dumps(document.to_snapshot(), ensure_ascii=False))
            db.engine.dispose()
        memory = {side: measure_memory(side, snapshot, url, folder) for side in ("ours", "openpyxl")}
    yield at_most("export_time", seconds["ours"] / seconds["openpyxl"], 1.5,
                  f"ours {seconds['ours']:.2f} s, openpyxl alone {seconds['openpyxl']:.2f} s for {count} rows "
                  f"({sizes['ours'] // 1024} KiB vs {sizes['openpyxl'] // 1024} KiB; median of {scale.repeat}); "
                  f"reading the list from PostgreSQL beforehand took {read_seconds:.2f} s")
    grown = {side: figures["peak"] - figures["before"] for side, figures in memory.items()}
    yield at_most("export_memory", memory["ours"]["peak"] / memory["openpyxl"]["peak"], 1.5,
                  f"peak ours {memory['ours']['peak']:.0f} MiB, openpyxl alone {memory['openpyxl']['peak']:.0f} MiB "
                  f"(each process grew by {grown['ours']:.0f} and {grown['openpyxl']:.0f} MiB while exporting)")


if __name__ == "__main__":
    _memory_run(*sys.argv[1:5])
