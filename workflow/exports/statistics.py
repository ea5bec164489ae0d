"""The campaign's statistics as a workbook: units × award types, units × states, then award forms × issuers."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from workflow.exports.common import Gettext
from workflow.exports.xlsx import CENTRE, put, save_workbook_bytes
from workflow.i18n import N_
from workflow.models import utcnow
from workflow.procedure import catalogue

BY_AWARD_TYPE = N_("By award type")
BY_STATE = N_("By state")
BY_FORM = N_("By award form and issuer")
AWARD_FORM = N_("Award form")
ISSUER = N_("Conferred by")
UNIT = N_("Nominating unit")
NOMINATED = N_("Nominations made")
HONOURED = N_("Awarded")
TOTAL = N_("Total of all")
STATISTICS_TITLE = N_("Nominations and awards per unit: %(campaign)s")


def statistics_xlsx(statistics: dict, gettext: Gettext) -> bytes:
    workbook = Workbook()
    by_type = workbook.active
    by_type.title = gettext(BY_AWARD_TYPE)[:31]
    title = gettext(STATISTICS_TITLE) % {"campaign": statistics["campaign_name"]}
    put(by_type, 1, 1, title, bold=True, size=14)
    put(by_type, 3, 1, gettext(UNIT), bold=True, align=CENTRE, border=True)
    by_type.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    column = 2
    for award_type in statistics["award_types"]:
        put(by_type, 3, column, award_type["name"], bold=True, align=CENTRE, border=True)
        by_type.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + 1)
        put(by_type, 4, column, gettext(NOMINATED), bold=True, align=CENTRE, border=True)
        put(by_type, 4, column + 1, gettext(HONOURED), bold=True, align=CENTRE, border=True)
        column += 2
    put(by_type, 3, column, gettext(TOTAL), bold=True, align=CENTRE, border=True)
    by_type.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + 1)
    put(by_type, 4, column, gettext(NOMINATED), bold=True, align=CENTRE, border=True)
    put(by_type, 4, column + 1, gettext(HONOURED), bold=True, align=CENTRE, border=True)
    lines = [(unit["unit_name"], unit["counts"], unit["nominated"], unit["conferred"]) for unit in statistics["units"]]
    totals = statistics["totals"]
    lines.append((gettext(TOTAL), totals["counts"], totals["nominated"], totals["conferred"]))
    for row, (name, counts, nominated, conferred) in enumerate(lines, 5):
        put(by_type, row, 1, name, bold=row == 4 + len(lines), border=True)
        values = [n for t in statistics["award_types"]
                  for n in (counts[t["code"]]["nominated"], counts[t["code"]]["conferred"])]
        for offset, value in enumerate([*values, nominated, conferred], 2):
            put(by_type, row, offset, value, align=CENTRE, border=True)
    by_type.column_dimensions["A"].width = 40
    for index in range(2, column + 2):
        by_type.column_dimensions[get_column_letter(index)].width = 14

    by_state = workbook.create_sheet(gettext(BY_STATE)[:31])
    put(by_state, 1, 1, title, bold=True, size=14)
    put(by_state, 3, 1, gettext(UNIT), bold=True, align=CENTRE, border=True)
    for offset, state in enumerate(statistics["states"], 2):
        put(by_state, 3, offset, gettext(catalogue().state_label(state)), bold=True, align=CENTRE, border=True)
    put(by_state, 3, len(statistics["states"]) + 2, gettext(TOTAL), bold=True, align=CENTRE, border=True)
    for row, (name, counts, nominated, _conferred) in enumerate(lines, 4):
        put(by_state, row, 1, name, border=True)
        for offset, state in enumerate(statistics["states"], 2):
            put(by_state, row, offset, sum(c["by_state"][state] for c in counts.values()), align=CENTRE,
                border=True)
        put(by_state, row, len(statistics["states"]) + 2, nominated, align=CENTRE, border=True)
    by_state.column_dimensions["A"].width = 40

    by_form = workbook.create_sheet(gettext(BY_FORM)[:31])
    put(by_form, 1, 1, title, bold=True, size=14)
    for offset, label in enumerate((AWARD_FORM, ISSUER, NOMINATED, HONOURED), 1):
        put(by_form, 3, offset, gettext(label), bold=True, align=CENTRE, border=True)
    for row, entry in enumerate(statistics["by_form_and_issuer"], 4):
        put(by_form, row, 1, entry["award_form_name"], border=True)
        put(by_form, row, 2, entry["issuer_name"], border=True)
        put(by_form, row, 3, entry["nominated"], align=CENTRE, border=True)
        put(by_form, row, 4, entry["conferred"], align=CENTRE, border=True)
    by_form.column_dimensions["A"].width = 20
    by_form.column_dimensions["B"].width = 45
    return save_workbook_bytes(workbook, utcnow().replace(microsecond=0))
