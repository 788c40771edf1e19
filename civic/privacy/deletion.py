"""Delete my account: personal data erased, public contributions kept under "utente eliminato".

The account's row stays, emptied, so that what others read keeps its place (a need's thread, the
votes and supports counted on an idea, a co-design meeting's attendance); its address is replaced so
that it can register again. What is private to the person goes: notifications, emails, follows (their
counters moved back), copies of their data, memberships, the moderator's cities. Refused, with the way
out, while the person is the last administrator of an organisation or of the platform.
"""
from __future__ import annotations

import logging
import secrets

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash, generate_password_hash

from civic.accounts.models import (
    DELETED_STORED_NAME,
    LoginSession,
    RecoveryCode,
    Role,
    User,
    moderator_city,
    new_session_token,
)
from civic.audit import services as audit
from civic.core.mail import MailError, send_mail
from civic.core.rules import RuleError
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.notifications import follows
from civic.notifications.models import EmailFrequency, EmailMessage, Follow, Notification
from civic.orgs import services as orgs
from civic.orgs.models import Invitation, MemberRole, Membership, Organisation
from civic.privacy.models import DataExport

log = logging.getLogger("civic.privacy.deletion")


class DeletionRefused(RuleError):
    pass


def deleted_address(user_id: int) -> str:
    # .invalid is reserved (RFC 2606): no email can ever reach it, and no one can register it.
    return f"deleted-{user_id}@account.invalid"


def organisations_left_without_admin(user: User) -> list[Organisation]:
    """The organisations this person administers alone."""
    admin = aliased(Membership)
    other = select(func.count()).select_from(admin).where(
        admin.organisation_id == Organisation.id, admin.role == MemberRole.ADMIN,
        admin.user_id != user.id).correlate(Organisation).scalar_subquery()
    return list(db.session.scalars(
        select(Organisation).join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id, Membership.role == MemberRole.ADMIN, other == 0)
        .order_by(Organisation.name)))


def is_last_platform_admin(user: User) -> bool:
    if user.role != Role.ADMIN:
        return False
    others = db.session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id))
    return not others


def obstacles(user: User) -> list[str]:
    """Why the account cannot be deleted now, each with what to do; empty when it can."""
    found = []
    alone = organisations_left_without_admin(user)
    if alone:
        found.append(str(_l(
            "You are the only administrator of %(names)s. Give the administrator role to another member first "
            "(from the organisation's members page), so that the organisation is not left without one.",
            names=", ".join(org.name for org in alone))))
    if is_last_platform_admin(user):
        found.append(str(_l("You are the platform's only administrator: another person must be made "
                            "administrator first (flask --app wsgi users create-admin).")))
    return found


def delete_account(user: User, password: str) -> None:
    """Check the password and the obstacles, then erase (in the caller's transaction)."""
    if not check_password_hash(user.password_hash, password or ""):
        raise DeletionRefused(_l("The password is not correct."), "password")
    problems = obstacles(user)
    if problems:
        raise DeletionRefused(" ".join(problems))
    _erase(user)


def _erase(user: User) -> None:
    for org in db.session.scalars(select(Organisation).join(Membership, Membership.organisation_id == Organisation.id)
                                  .where(Membership.user_id == user.id)).all():
        orgs.leave(user, org)  # the member counts move with it
    for kind, target_id in db.session.execute(select(Follow.target_kind, Follow.target_id)
                                              .where(Follow.user_id == user.id)).all():
        follows.unfollow(user, kind, target_id)  # the follower counts too
    db.session.execute(delete(Notification).where(Notification.recipient_id == user.id))
    db.session.execute(delete(EmailMessage).where(EmailMessage.recipient_id == user.id))
    db.session.execute(delete(DataExport).where(DataExport.user_id == user.id))
    db.session.execute(delete(moderator_city).where(moderator_city.c.user_id == user.id))
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    # Invitations to this address: the pending ones end, and none keeps the address.
    db.session.execute(update(Invitation).where(Invitation.email == user.email, Invitation.accepted_at.is_(None),
                                                Invitation.revoked_at.is_(None)).values(revoked_at=utcnow()))
    db.session.execute(update(Invitation).where(Invitation.email == user.email)
                       .values(email=deleted_address(user.id)))

    user.email = deleted_address(user.id)
    user.stored_name = DELETED_STORED_NAME
    user.password_hash = generate_password_hash(secrets.token_urlsafe(32))
    user.session_token = new_session_token()  # every session of the account ends
    user.role = Role.RESIDENT.value
    user.home_city_id = None
    user.home_neighbourhood_id = None
    user.locale = None
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    user.email_confirmed_at = None
    user.last_login_at = None
    user.blocked_reason = None  # the date stays: what a block hid stays hidden
    user.email_frequency = EmailFrequency.NEVER.value
    user.active = False
    user.deleted_at = utcnow()
    audit.record(user, "user.delete", "user", user.id, f"account {user.id} deleted by its owner")
    db.session.flush()
    log.info("account deleted", extra={"user_id": user.id})


def say_goodbye(address: str, name: str, language: str) -> None:
    """The last email to the old address, after the commit; a mail failure changes nothing."""
    with force_locale(language):
        subject = _("Your account has been deleted")
        body = _("Hello %(name)s,\n\nyour account on %(site)s has been deleted, as you asked. Your personal data "
                 "has been erased; what you published stays, signed \"deleted user\". You can register again "
                 "with this address whenever you like.",
                 name=name, site=current_app.config["SITE_NAME"])
    try:
        send_mail(address, subject, body)
    except MailError:
        log.warning("could not send the goodbye email")
