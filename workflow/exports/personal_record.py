"""A nominee's personal record (workflow.personal_record) as a Word document, to hand to that person."""
from __future__ import annotations

import datetime as dt

from docx import Document
from docx.shared import Pt

from workflow.exports.common import Gettext
from workflow.exports.word import FONT_NAME, saved
from workflow.i18n import N_, vndate
from workflow.procedure import catalogue

TITLE = N_("PERSONAL DATA RECORD OF A NOMINEE")
INTRO = N_("The data the award system keeps about this nominee, exported at their request on %(date)s "
           "(%(basis)s on the protection of personal data).")
NOMINEE_FIELDS = (
    ("name", N_("Name")), ("kind", N_("Nominee")), ("unit_name", N_("Unit")), ("birth_date", N_("Date of birth")),
    ("birth_year", N_("Year of birth")), ("gender", N_("Gender")), ("position", N_("Position")),
    ("identity_number", N_("Citizen identity number (CCCD)")),
)
AWARD_HISTORY = N_("Award history")
AWARD_LINE = N_("%(award)s – decision %(number)s of %(date)s, %(issuer)s")
REVOKED_BY = N_("revoked by decision %(number)s")
VALUES = {"individual": N_("Individual"), "collective": N_("Collective"), "female": N_("Female"), "male": N_("Male")}


def _text(value, gettext: Gettext) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and value in VALUES:
        return gettext(VALUES[value])
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return vndate(dt.date.fromisoformat(value))
    return str(value)


def _table(doc, rows: list[tuple[str, str]]) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value


def personal_record_docx(record: dict, gettext: Gettext) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT_NAME, Pt(12)
    generated = dt.datetime.fromisoformat(record["generated_at"])
    doc.add_heading(gettext(TITLE), level=1)
    doc.add_paragraph(gettext(INTRO) % {"date": vndate(generated.date()), "basis": record["legal_basis"]})
    nominee = record["nominee"]
    _table(doc, [(gettext(label), _text(nominee.get(key), gettext)) for key, label in NOMINEE_FIELDS])
    if record["awards"]:
        doc.add_heading(gettext(AWARD_HISTORY), level=2)
        _table(doc, [(str(line["year"]), gettext(AWARD_LINE) % {
            "award": " ".join(part for part in (line["form"], line["title"]) if part),
            "number": line["decision_number"] or "—", "date": _text(line["decision_date"], gettext),
            "issuer": line["issuer"] or "—"} + (f" ({gettext(REVOKED_BY) % {'number': line['revoked_by']}})"
                                              if line["revoked_by"] else "")) for line in record["awards"]])
    for nomination in record["nominations"]:
        doc.add_heading(f"{nomination['award_name']} · {nomination['campaign_name']}", level=2)
        state = gettext(catalogue().state_label(nomination["state"]))
        rows = [(gettext(N_("Nominating unit")), nomination["unit_name"]),
                (gettext(N_("Name as nominated")), nomination["nominee"]["name"]),
                (gettext(N_("Position")), _text(nomination["nominee"]["position"], gettext)),
                (gettext(N_("Year of birth")), _text(nomination["nominee"]["birth_year"], gettext)),
                (gettext(N_("State")), state),
                (gettext(N_("Achievements")), nomination["achievements"] or "—")]
        if nomination["decision"]:
            rows.append((gettext(N_("Award decision")), gettext(N_("No. %(number)s of %(date)s")) % {
                "number": nomination["decision"]["number"], "date": _text(nomination["decision"]["date"], gettext)}))
        if nomination["revocation"]:
            rows.append((gettext(N_("Award revoked")), nomination["revocation"]["reason"]))
        rows.extend((gettext(N_("Document")), document["filename"]) for document in nomination["documents"])
        _table(doc, rows)
    return saved(doc, gettext(TITLE), "", None, generated.astimezone(dt.UTC).replace(microsecond=0))
