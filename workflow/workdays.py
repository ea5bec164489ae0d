"""Working days: Monday to Friday, less the public holidays in the `holidays` table.

The table is data the office edits each year once the government announces the days off (Tết and
the days given in lieu move every year); `seed_holidays()` loads the weekday days off of 2024–2026.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from workflow.models import Holiday, db

NEW_YEAR = "Tết Dương lịch"
TET = "Tết Nguyên đán"
HUNG_KINGS = "Giỗ Tổ Hùng Vương"
REUNIFICATION = "Ngày Giải phóng miền Nam, thống nhất đất nước"
LABOUR_DAY = "Ngày Quốc tế Lao động"
NATIONAL_DAY = "Quốc khánh"
IN_LIEU = "Nghỉ hoán đổi"

# Weekday days off only: a weekend needs no entry.
VIETNAM_HOLIDAYS = {
    "2024-01-01": NEW_YEAR,
    "2024-02-08": TET, "2024-02-09": TET, "2024-02-12": TET, "2024-02-13": TET, "2024-02-14": TET,
    "2024-04-18": HUNG_KINGS, "2024-04-29": IN_LIEU, "2024-04-30": REUNIFICATION, "2024-05-01": LABOUR_DAY,
    "2024-09-02": NATIONAL_DAY, "2024-09-03": NATIONAL_DAY,
    "2025-01-01": NEW_YEAR,
    "2025-01-27": TET, "2025-01-28": TET, "2025-01-29": TET, "2025-01-30": TET, "2025-01-31": TET,
    "2025-04-07": HUNG_KINGS, "2025-04-30": REUNIFICATION, "2025-05-01": LABOUR_DAY, "2025-05-02": IN_LIEU,
    "2025-09-01": NATIONAL_DAY, "2025-09-02": NATIONAL_DAY,
    "2026-01-01": NEW_YEAR, "2026-01-02": IN_LIEU,
    "2026-02-16": TET, "2026-02-17": TET, "2026-02-18": TET, "2026-02-19": TET, "2026-02-20": TET,
    "2026-04-27": HUNG_KINGS, "2026-04-30": REUNIFICATION, "2026-05-01": LABOUR_DAY,
    "2026-09-01": NATIONAL_DAY, "2026-09-02": NATIONAL_DAY,
}


def seed_holidays() -> int:
    existing = set(db.session.scalars(select(Holiday.day)))
    added = 0
    for day, name in VIETNAM_HOLIDAYS.items():
        date = dt.date.fromisoformat(day)
        if date not in existing:
            db.session.add(Holiday(day=date, name=name))
            added += 1
    db.session.flush()
    return added


def holidays_between(start: dt.date, end: dt.date) -> set[dt.date]:
    return set(db.session.scalars(select(Holiday.day).where(Holiday.day >= start, Holiday.day <= end)))


def is_working_day(day: dt.date, holidays: set[dt.date] | None = None) -> bool:
    if day.weekday() >= 5:
        return False
    return day not in (holidays if holidays is not None else holidays_between(day, day))


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `start`."""
    off = holidays_between(start, start + dt.timedelta(days=2 * count + 30))  # room for Tết's week off
    day = start
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, off):
            count -= 1
    return day


def working_days_until(today: dt.date, target: dt.date) -> int:
    """Working days after today up to and including target; negative when target has passed."""
    if target == today:
        return 0
    first, last = sorted((today, target))
    off = holidays_between(first, last)
    count = sum(1 for offset in range(1, (last - first).days + 1)
                if is_working_day(first + dt.timedelta(days=offset), off))
    return count if target > today else -max(count, 1)
