"""What a notice says: its one-line subject, its lines and its link, in the reader's language.

The inbox, the API and the e-mail all show a notice the same way; each passes its own gettext
(the reader's language), as for every other text of the domain (workflow/i18n.py).
"""
from __future__ import annotations

from collections.abc import Callable

from workflow.i18n import N_, Msg, vndate
from workflow.models import Notice
from workflow.procedure import catalogue

Gettext = Callable[[str], str]

REMINDER_TITLES = {
    "remind_deadline": N_("The submission deadline is near: these drafts are not submitted yet"),
    "remind_return": N_("These returned dossiers are due for resubmission"),
    "remind_vote": N_("Voting is open on these dossiers and your vote is not cast yet"),
}
# Kinds told in lines (`notice_lines`); the others are a transition's notice about one dossier.
MESSAGE_KINDS = {*REMINDER_TITLES, "invitation", "digest", "council_session"}


def transition_labels(notice: Notice, gettext: Gettext) -> dict:
    """The translated labels of a transition notice's step and the state it led to, as that step names it, and the
    due date by which the unit is asked to answer (`resubmit_by`)."""
    params = notice.params
    event, source = params.get("event", ""), params.get("from_state")
    return {
        "event_label": gettext(catalogue().step_label(event, source)),
        "state_label": gettext(catalogue().outcome_label(event, source, params.get("state", ""))),
        "resubmit_by": resubmit_by(params),
    }


def resubmit_by(params: dict) -> str | None:
    """The due date of a transition notice that returned the dossier to its unit (it led to a state where the
    dossier waits for the unit by a due date), else None."""
    return params.get("due_date") if params.get("state") in catalogue().union("due_states") else None


def notice_subject(notice: Notice, gettext: Gettext) -> str:
    """One line saying what the notice is about (the mail's subject, the inbox's line)."""
    params = notice.params
    awards = gettext(N_("Awards"))
    if notice.kind in REMINDER_TITLES:
        return f"[{awards}] {gettext(REMINDER_TITLES[notice.kind])}"
    if notice.kind == "invitation":
        text = Msg(N_("Invitation to the award ceremony: %(nominee)s"), {"nominee": params["nominee"]})
        return f"[{awards}] {text.render(gettext)}"
    if notice.kind == "digest":
        text = Msg(N_("Your notices of %(date)s"), {"date": vndate(params["day"])})
        return f"[{awards}] {text.render(gettext)}"
    if notice.kind == "council_session":
        text = Msg(N_("Council session on %(date)s"), {"date": vndate(params["held_on"])})
        return f"[{awards}] {text.render(gettext)}"
    return f"[{awards}] {params['nominee']} – {transition_labels(notice, gettext)['state_label']}"


def _reminder_line(kind: str, item: dict, gettext: Gettext) -> str:
    line = Msg(N_("%(nominee)s – %(award_type)s (%(campaign)s)"), {
        "nominee": item["nominee"], "award_type": item["award_type"], "campaign": item["campaign"]}).render(gettext)
    if kind == "remind_deadline":
        line += "; " + Msg(N_("deadline %(date)s"), {"date": vndate(item["deadline"])}).render(gettext)
    elif kind == "remind_return":
        line += "; " + Msg(N_("due %(date)s"), {"date": vndate(item["due_date"])}).render(gettext)
    return line


def notice_lines(notice: Notice, gettext: Gettext) -> list[str]:
    """The body of a reminder, an invitation or a digest, one line each; nothing for a transition's notice."""
    params = notice.params
    if notice.kind in REMINDER_TITLES:
        return [gettext(REMINDER_TITLES[notice.kind]) + ":"] + [
            "• " + _reminder_line(notice.kind, item, gettext) for item in params["items"]]
    if notice.kind == "invitation":
        lines = [Msg(N_("%(nominee)s (%(unit)s) has been awarded “%(award_type)s” in %(campaign)s."), {
                     "nominee": params["nominee"], "unit": params["unit"], "award_type": params["award_type"],
                     "campaign": params["campaign"]}).render(gettext),
                 gettext(N_("The invitation letter to the ceremony is attached; please pass it on to the awardee."))]
        if params.get("ceremony_date"):
            lines.append(Msg(N_("Ceremony: %(time)s %(date)s, %(place)s."), {
                "time": params.get("ceremony_time") or "", "date": vndate(params["ceremony_date"]),
                "place": params.get("ceremony_place") or ""}).render(gettext))
        return lines
    if notice.kind == "digest":
        return [Msg(N_("Your notices of %(date)s:"), {"date": vndate(params["day"])}).render(gettext)] + [
            "• " + notice_subject(Notice(kind=item["kind"], params=item["params"], dossier_id=item["dossier_id"]),
                                  gettext)
            for item in params["items"]]
    if notice.kind == "council_session":
        return [Msg(N_("The council meets on %(date)s at %(place)s; %(count)d dossiers are on the agenda."), {
                    "date": vndate(params["held_on"]), "place": params["place"], "count": params["count"]}
                    ).render(gettext),
                gettext(N_("Fill in your ballot sheet for the whole agenda; if you cannot attend, vote in writing "
                           "before the session closes."))]
    return []


def notice_link(notice: Notice, base_url: str) -> str:
    """Where the reader acts on the notice: its dossier's page, its council session's page, or the inbox."""
    if notice.kind == "council_session":
        return f"{base_url}/council-sessions/{notice.params['session']}"
    return f"{base_url}/dossiers/{notice.dossier_id}" if notice.dossier_id else f"{base_url}/inbox"
