"""Outgoing email: through SMTP when CIVIC_SMTP_HOST is set, written to the log otherwise."""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

log = logging.getLogger("civic.mail")


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server."""


def send_mail(to: str, subject: str, body: str) -> None:
    send_message(to, subject, body)


def send_message(to: str, subject: str, body: str, *, headers: dict[str, str] | None = None,
                 message_id: str | None = None) -> None:
    """Send one prepared plain-text message with extra headers (List-Unsubscribe...); raises MailError
    when the SMTP server refuses it or cannot be reached. Without an SMTP server it is written to the log."""
    config = current_app.config
    message = build_message(to, subject, body, headers=headers, message_id=message_id)
    host = config["SMTP_HOST"]
    if not host:
        log.info("email not sent (no SMTP server configured)", extra={"to": to, "subject": subject, "body": body})
        return
    try:
        _deliver(message, config)
    except (OSError, smtplib.SMTPException) as error:
        log.error("email delivery failed", extra={"to": to, "subject": subject, "error": str(error)})
        raise MailError(str(error)) from error
    log.info("email sent", extra={"to": to, "subject": subject})


def build_message(to: str, subject: str, body: str, *, headers: dict[str, str] | None = None,
                  message_id: str | None = None) -> EmailMessage:
    """Plain text only: what residents typed reaches inboxes as text, never as HTML that could run."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="civic.local")
    message.set_content(body)
    for name, value in (headers or {}).items():  # after set_content, which resets the Content-* headers
        message[name] = value
    return message


def _deliver(message: EmailMessage, config) -> None:
    security = (config["SMTP_SECURITY"] or "starttls").lower()
    timeout = config["SMTP_TIMEOUT"]
    if security == "ssl":
        client = smtplib.SMTP_SSL(config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout)
    with client:
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if config["SMTP_USER"]:
            client.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        client.send_message(message)
