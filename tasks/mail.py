"""Turning a notice row into an e-mail, and sending it over SMTP or into the mail folder."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from workflow.definition import EVENT_LABELS, STATE_LABELS
from workflow.models import Notice


def build_message(notice: Notice) -> EmailMessage:
    config = current_app.config
    user = notice.recipient
    params = notice.params
    link = f"{config['BASE_URL']}/dossiers/{notice.dossier_id}" if notice.dossier_id else config["BASE_URL"]
    locale = user.locale or config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        context = {
            "locale": locale,
            "notice": notice,
            "user": user,
            "params": params,
            "event_label": gettext(EVENT_LABELS.get(params.get("event"), params.get("event", ""))),
            "state_label": gettext(STATE_LABELS.get(params.get("state"), params.get("state", ""))),
            "link": link,
        }
        subject = render_template("mail/notice_subject.txt", **context).strip()
        text = render_template("mail/notice.txt", **context)
        html = render_template("mail/notice.html", **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = user.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<{notice.idempotency_key}@award-dossiers>"
    message["X-Notice-Key"] = notice.idempotency_key
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send_message(message: EmailMessage, key: str) -> None:
    config = current_app.config
    if not config.get("SMTP_HOST"):
        folder = Path(config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{key}.eml"
        temporary = path.with_suffix(".part")
        temporary.write_bytes(bytes(message))
        temporary.replace(path)
        return
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)
