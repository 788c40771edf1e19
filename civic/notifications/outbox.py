"""The email outbox: writing notification emails, composing daily digests, and the worker that sends them.

Delivery is safe with several workers at once:
- a worker claims a batch in one short transaction: PostgreSQL skips the rows another worker holds
  (SELECT ... FOR UPDATE SKIP LOCKED); on every backend the claim is a conditional UPDATE
  (pending, or a claim whose lease ran out → "sending" with this worker's token and a new lease);
- each message is marked sent, with its own commit, right after the SMTP server accepted it: a worker
  killed mid-batch leaves its unsent rows "sending" until the lease runs out, then another worker sends
  them; what it had already sent stays sent and is not sent again;
- an SMTP error puts the message back with an exponential delay and the error; after the last attempt it
  is "failed". A message whose content was hidden meanwhile, or whose person unsubscribed, is dropped.

Other domains queue their own emails here too (`queue_email`): an invitation to join an organisation,
addressed to an email, whose body the domain's writer completes when it is sent (`register_writer`), or
drops once the invitation is no longer pending.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, exists, select, update

from civic.accounts.models import User
from civic.core import mail
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.notifications import reading
from civic.notifications.models import EmailFrequency, EmailKind, EmailMessage, EmailStatus, Notification
from civic.notifications.tokens import make_unsubscribe_token
from civic.urls import absolute, site_url

log = logging.getLogger("civic.notifications.outbox")

SUBJECT_MAX = 300


@contextmanager
def links():
    """Addresses can be built also outside a request (the worker, the CLI, the demo loader): a request on
    CIVIC_BASE_URL is simulated when there is neither a request nor a SERVER_NAME. Emailed addresses are built
    by `site_url`/`absolute` (civic/urls.py), on CIVIC_BASE_URL in every case."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        yield


def language_of(user: User) -> str:
    return user.locale or "it"


def _footer(unsubscribe: str) -> str:
    site = current_app.config["SITE_NAME"]
    return "\n\n-- \n" + _(
        "You receive this email because of your notification settings on %(site)s.\n"
        "Choose how often you receive emails: %(preferences)s\n"
        "Stop all these emails with one click: %(unsubscribe)s",
        site=site, preferences=site_url("notifications.preferences"), unsubscribe=unsubscribe)


def _subject(text: str) -> str:
    subject = f"[{current_app.config['SITE_NAME']}] {text}"
    return " ".join(subject.split())[:SUBJECT_MAX]


def _message(person: User, kind: EmailKind, subject: str, body: str, unsubscribe: str,
             notification_id: int | None = None, now: datetime | None = None) -> EmailMessage:
    now = now or utcnow()
    return EmailMessage(recipient_id=person.id, notification_id=notification_id, kind=kind.value,
                        to_address=person.email, language=language_of(person), subject=subject, body_text=body,
                        unsubscribe_url=unsubscribe, message_id=make_msgid(domain="civic.local"),
                        status=EmailStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now)


def _item(shown: reading.Shown) -> str:
    lines = [shown.text]
    if shown.detail:
        lines.append(shown.detail)
    if shown.url:
        lines.append(absolute(shown.url))
    return "\n".join(lines)


def queue_immediate(pairs: list[tuple[User, Notification]]) -> list[EmailMessage]:
    """One email per notification, written in its recipient's language, in the caller's transaction."""
    if not pairs:
        return []
    with links():
        return _queue_immediate(pairs)


def _queue_immediate(pairs: list[tuple[User, Notification]]) -> list[EmailMessage]:
    targets = reading.targets_of([n for _person, n in pairs])
    messages = []
    for person, notification in pairs:
        unsubscribe = site_url("notifications.unsubscribe", token=make_unsubscribe_token(person))
        with force_locale(language_of(person)):
            shown = reading.describe_all([notification], targets)[0]
            body = _("Hello %(name)s,", name=person.display_name) + "\n\n" + _item(shown) + _footer(unsubscribe)
            messages.append(_message(person, EmailKind.IMMEDIATE, _subject(shown.text), body, unsubscribe,
                                     notification.id))
    db.session.add_all(messages)
    db.session.flush()
    return messages


# --- emails of other domains ----------------------------------------------------------------------

# kind -> function(message) giving the body to send, or None when it is no longer to be sent. The body
# is written when sent: an invitation's link carries a token that is never stored (civic.orgs).
_WRITERS: dict[str, Callable[[EmailMessage], str | None]] = {}


def register_writer(kind: EmailKind, writer: Callable[[EmailMessage], str | None]) -> None:
    _WRITERS[kind.value] = writer


def queue_email(kind: EmailKind, to_address: str, language: str, subject: str, body: str, *,
                recipient: User | None = None, invitation_id: int | None = None) -> EmailMessage:
    """An email that is not a notification (no unsubscribe link), to an address that may have no account,
    in the caller's transaction; the worker delivers it with the same retries."""
    now = utcnow()
    message = EmailMessage(recipient_id=recipient.id if recipient is not None else None, invitation_id=invitation_id,
                           kind=kind.value, to_address=to_address, language=language,
                           subject=" ".join(subject.split())[:SUBJECT_MAX], body_text=body, unsubscribe_url=None, message_id=make_msgid(domain="civic.local"),
                           status=EmailStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now)
    db.session.add(message)
    db.session.flush()
    return message


# --- daily digests -------------------------------------------------------------------------------

def digest_cutoff(now: datetime) -> datetime:
    """The latest moment the daily digests were due (CIVIC_DIGEST_HOUR, local time) at or before `now`."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Rome")
    local = now.astimezone(zone)
    due = local.replace(hour=current_app.config.get("DIGEST_HOUR", 8), minute=0, second=0, microsecond=0)
    if due > local:
        due -= timedelta(days=1)
    return due.astimezone(now.tzinfo)


def compose_digests(now: datetime | None = None) -> int:
    """One digest per person who chose "daily", once a day, with what happened since the last one.

    Notifications whose content was hidden meanwhile are left out; a person with nothing left gets nothing.
    Returns the number of digests written (each committed on its own).
    """
    with links():
        return _compose_digests(now)


def _compose_digests(now: datetime | None = None) -> int:
    now = now or utcnow()
    cutoff = digest_cutoff(now)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    waiting = list(db.session.scalars(
        select(Notification.recipient_id).where(Notification.digest_pending.is_(True), Notification.created_at <= cutoff)
        .distinct()))
    db.session.rollback()
    written = 0
    for person_id in waiting:
        query = select(User).where(User.id == person_id)
        if postgres:  # one worker per person composes (the others skip them)
            query = query.with_for_update(skip_locked=True)
        person = db.session.scalar(query)
        recent = db.session.scalar(select(exists().where(
            EmailMessage.recipient_id == person_id, EmailMessage.kind == EmailKind.DIGEST.value,
            EmailMessage.created_at >= cutoff))) if person is not None else True
        if recent:
            db.session.rollback()
            continue
        taken = [row.id for row in db.session.execute(
            update(Notification.__table__).where(Notification.recipient_id == person_id,
                                                 Notification.digest_pending.is_(True))
            .values(digest_pending=False).returning(Notification.id))]
        shown_rows = db.session.scalars(
            select(Notification).where(Notification.id.in_(taken), reading.visible_condition())
            .order_by(Notification.created_at, Notification.id)).all() if taken else []
        if shown_rows and person.email_frequency == EmailFrequency.DAILY and person.active \
                and person.blocked_at is None:
            unsubscribe = site_url("notifications.unsubscribe", token=make_unsubscribe_token(person))
            with force_locale(language_of(person)):
                items = reading.describe_all(list(shown_rows))
                subject = _subject(ngettext("%(num)d update today", "%(num)d updates today", len(items)))
                body = (_("Hello %(name)s,", name=person.display_name) + "\n\n"
                        + _("Here is what happened today on what you follow:") + "\n\n"
                        + "\n\n".join("• " + _item(item) for item in items)
                        + "\n\n" + _("All your notifications: %(url)s", url=site_url("notifications.index"))
                        + _footer(unsubscribe))
            db.session.add(_message(person, EmailKind.DIGEST, subject, body, unsubscribe, now=now))
            written += 1
        db.session.commit()
    return written


# --- the worker ----------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.dropped


def _due(now: datetime):
    return and_(EmailMessage.status.in_([EmailStatus.PENDING, EmailStatus.SENDING]),
                EmailMessage.next_attempt_at <= now)


def claim(limit: int, now: datetime | None = None) -> tuple[str, list[int]]:
    """Take up to `limit` due messages for this worker, for the lease time; commits. (token, ids)."""
    now = now or utcnow()
    token = uuid.uuid4().hex
    lease = timedelta(seconds=current_app.config.get("MAIL_LEASE_SECONDS", 300))
    query = select(EmailMessage.id).where(_due(now)).order_by(EmailMessage.next_attempt_at, EmailMessage.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(query))
    if not ids:
        db.session.rollback()
        return token, []
    # The condition again: of two workers that read the same rows (SQLite), only the first takes them.
    db.session.execute(update(EmailMessage.__table__).where(EmailMessage.id.in_(ids), _due(now)).values(
        status=EmailStatus.SENDING, claim_token=token, next_attempt_at=now + lease,
        attempts=EmailMessage.attempts + 1))
    db.session.commit()
    claimed = list(db.session.scalars(select(EmailMessage.id).where(EmailMessage.claim_token == token)
                                      .order_by(EmailMessage.id)))
    db.session.rollback()
    return token, claimed


def _drop_reason(message: EmailMessage) -> str | None:
    if message.kind not in (EmailKind.IMMEDIATE.value, EmailKind.DIGEST.value):
        return None  # its writer decides (send_claimed)
    person = message.recipient
    if person is None or not person.active or person.blocked_at is not None:
        return "account closed"
    if person.email_frequency == EmailFrequency.NEVER:
        return "unsubscribed"
    if message.kind == EmailKind.IMMEDIATE.value:
        if message.notification_id is None:
            return "notification removed"
        visible = db.session.scalar(select(Notification.id).where(Notification.id == message.notification_id,
                                                                  reading.visible_condition()))
        if visible is None:
            return "content hidden"
    return None


def _finish(message_id: int, token: str, **values) -> None:
    db.session.execute(update(EmailMessage.__table__).where(EmailMessage.id == message_id,
                                                            EmailMessage.claim_token == token)
                       .values(claim_token=None, **values))
    db.session.commit()


def send_claimed(token: str, ids: list[int], now: datetime | None = None) -> DeliveryReport:
    """Send the messages this worker claimed, each committed on its own as soon as its fate is known."""
    report = DeliveryReport()
    config = current_app.config
    max_attempts = config.get("MAIL_MAX_ATTEMPTS", 5)
    base_delay = config.get("MAIL_RETRY_SECONDS", 60)
    for message_id in ids:
        now_ = now or utcnow()
        message = db.session.get(EmailMessage, message_id)
        if message is None or message.claim_token != token:
            db.session.rollback()
            continue
        reason = _drop_reason(message)
        body = message.body_text
        if reason is None and message.kind in _WRITERS:
            with links():
                body = _WRITERS[message.kind](message)
            if body is None:
                reason = "no longer valid"
        if reason is not None:
            _finish(message_id, token, status=EmailStatus.DROPPED, last_error=reason)
            report.dropped += 1
            continue
        headers = {"Content-Language": message.language, "Auto-Submitted": "auto-generated"}
        if message.unsubscribe_url:
            headers = {"List-Unsubscribe": f"<{message.unsubscribe_url}>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", **headers}
        to, subject, msgid, attempts = (message.to_address, message.subject, message.message_id, message.attempts)
        db.session.rollback()  # no transaction stays open while talking to the SMTP server
        try:
            mail.send_message(to, subject, body, headers=headers, message_id=msgid)
        except mail.MailError as error:
            text = str(error)[:500]
            if attempts >= max_attempts:
                _finish(message_id, token, status=EmailStatus.FAILED, last_error=text)
                report.failed += 1
                log.error("email given up", extra={"email_id": message_id, "attempts": attempts, "error": text})
            else:
                delay = timedelta(seconds=base_delay * 2 ** (attempts - 1))
                _finish(message_id, token, status=EmailStatus.PENDING, last_error=text,
                        next_attempt_at=now_ + delay)
                report.retried += 1
            continue
        _finish(message_id, token, status=EmailStatus.SENT, sent_at=utcnow(), last_error=None)
        report.sent += 1
    return report


def deliver_due(now: datetime | None = None, batch: int = 20) -> DeliveryReport:
    """Compose the digests that are due, then send every due message, batch after batch, once; returns."""
    compose_digests(now)
    total = DeliveryReport()
    while True:
        token, ids = claim(batch, now)
        if not ids:
            return total
        report = send_claimed(token, ids, now)
        for name in ("sent", "retried", "failed", "dropped"):
            setattr(total, name, getattr(total, name) + getattr(report, name))


def run_forever(interval: float, echo=print, also: tuple[Callable[[], object], ...] = ()) -> None:  # pragma: no cover
    """The CLI's loop; `also`: other background rounds run between two deliveries."""
    while True:
        report = deliver_due()
        if report.handled:
            echo(f"sent {report.sent}, retried {report.retried}, failed {report.failed}, dropped {report.dropped}")
        for other_round in also:
            other_round()
        time.sleep(interval)

