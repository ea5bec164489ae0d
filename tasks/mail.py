"""Turning a notice row into an e-mail, and sending it over SMTP or into the mail folder.

Every message carries the notice's idempotency key as its Message-ID and X-Notice-Key: a message
sent again after a crash is the same message to the reader's mail store, not a second one.
"""
from __future__ import annotations

import os
import smtplib
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from workflow.procedure import catalogue
from workflow.i18n import N_, vndate
from workflow.models import Notice

REMINDER_TITLES = {
    "remind_deadline": N_("The submission deadline is near: these drafts are not submitted yet"),
    "remind_return": N_("These returned dossiers are due for resubmission"),
    "remind_vote": N_("Voting is open on these dossiers and your vote is not cast yet"),
}


def _transition_context(notice: Notice) -> dict:
    params = notice.params
    return {
        "event_label": gettext(catalogue().event_label(params.get("event", ""))),
        "state_label": gettext(catalogue().state_label(params.get("state", ""))),
    }


def subject_for(notice: Notice) -> str:
    """One line saying what the notice is about, in the current locale (mail subject and inbox line)."""
    params = notice.params
    if notice.kind in REMINDER_TITLES:
        return "[{}] {}".format(gettext("Awards"), gettext(REMINDER_TITLES[notice.kind]))
    if notice.kind == "invitation":
        return "[{}] {}".format(gettext("Awards"), gettext("Invitation to the award ceremony: %(nominee)s",
                                                            nominee=params["nominee"]))
    if notice.kind == "digest":
        return "[{}] {}".format(gettext("Awards"), gettext("Your notices of %(date)s", date=vndate(params["day"])))
    return render_template("mail/notice_subject.txt", params=params, **_transition_context(notice)).strip()


def _reminder_line(kind: str, item: dict) -> str:
    line = gettext("%(nominee)s – %(award_type)s (%(campaign)s)", nominee=item["nominee"],
                   award_type=item["award_type"], campaign=item["campaign"])
    if kind == "remind_deadline":
        line += "; " + gettext("deadline %(date)s", date=vndate(item["deadline"]))
    elif kind == "remind_return":
        line += "; " + gettext("due %(date)s", date=vndate(item["due_date"]))
    return line


def message_lines(notice: Notice) -> list[str]:
    params = notice.params
    if notice.kind in REMINDER_TITLES:
        return [gettext(REMINDER_TITLES[notice.kind]) + ":"] + [
            "• " + _reminder_line(notice.kind, item) for item in params["items"]]
    if notice.kind == "invitation":
        lines = [gettext("%(nominee)s (%(unit)s) has been awarded “%(award_type)s” in %(campaign)s.",
                         nominee=params["nominee"], unit=params["unit"], award_type=params["award_type"],
                         campaign=params["campaign"]),
                 gettext("The invitation letter to the ceremony is attached; please pass it on to the awardee.")]
        if params.get("ceremony_date"):
            lines.append(gettext("Ceremony: %(time)s %(date)s, %(place)s.", time=params.get("ceremony_time") or "",
                                 date=vndate(params["ceremony_date"]), place=params.get("ceremony_place") or ""))
        return lines
    if notice.kind == "digest":
        return [gettext("Your notices of %(date)s:", date=vndate(params["day"]))] + [
            "• " + subject_for(Notice(kind=item["kind"], params=item["params"], dossier_id=item["dossier_id"]))
            for item in params["items"]]
    return []


def link_for(notice: Notice) -> str:
    base = current_app.config["BASE_URL"]
    return f"{base}/dossiers/{notice.dossier_id}" if notice.dossier_id else f"{base}/inbox"


def build_message(notice: Notice) -> EmailMessage:
    config = current_app.config
    user = notice.recipient
    params = notice.params
    locale = user.locale or config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        context = {"locale": locale, "notice": notice, "user": user, "params": params, "link": link_for(notice)}
        subject = subject_for(notice)
        if notice.kind in REMINDER_TITLES or notice.kind in ("invitation", "digest"):
            context["lines"] = message_lines(notice)
            text = render_template("mail/message.txt", **context)
            html = render_template("mail/message.html", subject=subject, **context)
        else:
            context.update(_transition_context(notice))
            text = render_template("mail/notice.txt", **context)
            html = render_template("mail/notice.html", **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = user.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{notice.idempotency_key.replace(':', '.')}@award-dossiers>"
    message["X-Notice-Key"] = notice.idempotency_key
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if notice.kind == "invitation":
        from tasks.letters import invitation_filename, invitation_pdf

        message.add_attachment(invitation_pdf(params), maintype="application", subtype="pdf",
                               filename=invitation_filename(params))
    return message


# A connection left unused longer than this is replaced rather than reused: kept connections serve
# bursts of notices, and a long-idle one may have been dropped silently on the way (a firewall's
# idle timeout), which would only show after a whole SMTP_TIMEOUT.
KEEP_IDLE_SECONDS = 60


class _KeptConnection(threading.local):
    """This thread's SMTP connection, kept open from one message to the next."""

    smtp: smtplib.SMTP | None = None
    owner: tuple | None = None  # the process and the server settings it was opened for
    last_used: float = 0.0


_kept = _KeptConnection()


def send_message(message: EmailMessage, key: str, before_data: Callable[[], None] = lambda: None) -> None:
    """Send one message; `before_data` runs once the envelope is accepted, just before the content goes.

    The SMTP connection is kept for the next message: opening one (connection, greeting, EHLO, and
    STARTTLS and AUTH where set) costs more than a message's own transaction. The server may have
    closed a kept connection since (its idle timeout, a restart); whatever it answers there before the
    content is handed over, nothing was sent, and the message is tried once more on a new connection.
    """
    config = current_app.config
    if not config.get("SMTP_HOST"):
        folder = Path(config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{key.replace(':', '_')}.eml"
        temporary = path.with_suffix(".part")
        temporary.write_bytes(bytes(message))
        before_data()
        temporary.replace(path)
        return
    content = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    handed_over = False

    def hand_over() -> None:
        nonlocal handed_over
        handed_over = True
        before_data()

    while True:
        smtp, kept = _connection(config)
        try:
            _transaction(smtp, config["MAIL_FROM"], message["To"], content, hand_over)
        except Exception:
            _close_connection()
            if handed_over or not kept:
                raise
            continue
        _kept.last_used = time.monotonic()
        return


def _connection(config) -> tuple[smtplib.SMTP, bool]:
    """The connection kept from an earlier message (and True), or a new one (and False)."""
    owner = (os.getpid(), config["SMTP_HOST"], config["SMTP_PORT"], config.get("SMTP_STARTTLS"),
             config.get("SMTP_USER"))
    if _kept.smtp is not None and _kept.owner == owner and time.monotonic() - _kept.last_used < KEEP_IDLE_SECONDS:
        return _kept.smtp, True
    _close_connection()  # idle too long, another server's, or the parent process's before a fork
    smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config.get("SMTP_TIMEOUT", 30))
    try:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        smtp.ehlo_or_helo_if_needed()
    except Exception:
        smtp.close()
        raise
    _kept.smtp, _kept.owner = smtp, owner
    return smtp, False


def _close_connection() -> None:
    """Forget the kept connection, closing our end without a word: after a failure its state is unknown."""
    if _kept.smtp is not None:
        _kept.smtp.close()
    _kept.smtp = _kept.owner = None


def _transaction(smtp: smtplib.SMTP, sender: str, recipient: str, content: bytes,
                 before_data: Callable[[], None]) -> None:
    code, reply = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    before_data()
    smtp.data(content)


def is_permanent(error: Exception) -> bool:
    """A 5xx answer (unknown mailbox, refused sender, rejected content) will not change on its own."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500
