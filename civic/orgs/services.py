"""Registering and editing organisations, their members, invitations and verification.

The acting user is explicit; a broken rule raises OrgError (422, shown on the form),
OrgForbidden (403), OrgConflict (409) or InvitationGone (410); the view commits once.
An organisation always keeps at least one admin: every change that could take away the
last one locks the organisation's row, then changes the membership only if another admin
remains (one conditional statement), so two admins leaving at once cannot both succeed.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import math
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload

from civic.accounts.models import User
from civic.accounts.permissions import can_use_moderation_desk, is_admin
from civic.accounts.services import find_by_email, normalise_email
from civic.audit import services as audit
from civic.core.richtext import render_markdown
from civic.core.routing import ParameterError, positive_int
from civic.core.rules import Conflict, Forbidden, NotFound, RuleError
from civic.core.text import checked_line, checked_text
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.notifications import follows, outbox
from civic.notifications.models import EmailKind
from civic.notifications.reading import event
from civic.notifications.services import notify
from civic.orgs import fiscal, permissions
from civic.orgs.models import Invitation, MemberRole, Membership, Organisation, RuntsSection
from civic.territories.models import City, Theme
from civic.urls import site_url

log = logging.getLogger("civic.orgs")

NAME_MAX = 200
LEGAL_FORM_MAX = 100
DESCRIPTION_MAX = 10_000
WEBSITE_MAX = 300
PHONE_MAX = 30
THEMES_MAX = 8
INVITATION_DAYS = 7
PENDING_INVITATIONS_MAX = 50
PER_PAGE = 20


class OrgError(RuleError):
    """What was typed breaks a rule (422, shown next to the field)."""


class OrgForbidden(OrgError, Forbidden):
    """The user may not do this for this organisation (403)."""


class OrgConflict(OrgError, Conflict):
    """The organisation changed meanwhile, or the action already happened (409)."""


class InvitationNotFound(OrgError, NotFound):
    pass


class MemberNotFound(OrgError, NotFound):
    pass


class InvitationGone(OrgError):
    """Expired or revoked: it existed, it no longer works (410)."""

    status = 410


# --- the organisation's own data -------------------------------------------------------------------

@dataclass
class OrgData:
    name: str
    legal_form: str
    runts_section: str | None
    codice_fiscale: str
    city_id: int | None
    description: str
    second_section: str | None = None
    partita_iva: str | None = None
    theme_ids: tuple[int, ...] = ()
    website: str | None = None
    contact_email: str | None = None
    phone: str | None = None


@dataclass
class _Checked:
    name: str
    legal_form: str
    section: RuntsSection
    second: RuntsSection | None
    codice_fiscale: str
    partita_iva: str | None
    city: City
    description: str
    themes: list[Theme]
    website: str | None
    contact_email: str | None
    phone: str | None


def _line(value: str | None, field_name: str, maximum: int, missing=None, minimum: int = 1) -> str | None:
    return checked_line(value, field_name, maximum=maximum, missing=missing, minimum=minimum, error=OrgError) or None


def _description(value: str | None) -> str:
    return checked_text(value, "description", maximum=DESCRIPTION_MAX, error=OrgError,
                        missing=_l("Describe what the organisation does, for whom and where."))


def _website(value: str | None) -> str | None:
    text = _line(value, "website", WEBSITE_MAX)
    if text is None:
        return None
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "." not in parts.hostname \
            or " " in text or parts.username or parts.password:
        raise OrgError(_l("Enter the address of a website starting with http:// or https://, for example "
                          "https://www.example.it."), "website")
    return text


def _phone(value: str | None) -> str | None:
    text = _line(value, "phone", PHONE_MAX)
    if text is None:
        return None
    digits = [c for c in text if c.isdigit()]
    if not all(c.isascii() and (c.isdigit() or c in " +()-./") for c in text) or not 6 <= len(digits) <= 15:
        raise OrgError(_l("Enter a telephone number with 6 to 15 digits, for example +39 011 123 4567."), "phone")
    return text


def _section(value: str | None, field_name: str, missing=None) -> RuntsSection | None:
    if not value:
        if missing is not None:
            raise OrgError(missing, field_name)
        return None
    try:
        return RuntsSection(value)
    except ValueError:
        raise OrgError(_l("Choose a section of the RUNTS from the list."), field_name) from None


def _check(data: OrgData, org: Organisation | None = None) -> _Checked:
    name = _line(data.name, "name", NAME_MAX, _l("Enter the name of the organisation."), minimum=3)
    legal_form = _line(data.legal_form, "legal_form", LEGAL_FORM_MAX,
                       _l("Enter the legal form, for example Associazione or Cooperativa sociale."), minimum=2)
    section = _section(data.runts_section, "runts_section", _l("Choose the section of the RUNTS it is registered in."))
    second = _section(data.second_section, "second_section")
    if second is not None and section != RuntsSection.NETWORK:
        raise OrgError(_l("Only a network of associations (section e) can also sit in a second section."),
                       "second_section")
    if second is not None and second == section:
        raise OrgError(_l("The second section must differ from the first."), "second_section")
    codice_fiscale = fiscal.normalise_codice_fiscale(data.codice_fiscale)
    partita_iva = fiscal.normalise_partita_iva(data.partita_iva)
    city = db.session.get(City, data.city_id) if data.city_id else None
    if city is None:
        raise OrgError(_l("Choose the city where the organisation works."), "city")
    ids = sorted(set(data.theme_ids))
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(ids)).order_by(Theme.position))) if ids else []
    if len(themes) != len(ids):
        raise OrgError(_l("Choose the areas of activity from the list."), "themes")
    if len(themes) > THEMES_MAX:
        raise OrgError(_l("Choose at most %(num)d areas of activity.", num=THEMES_MAX), "themes")
    description = _description(data.description)
    website = _website(data.website)
    contact_email = None
    if (data.contact_email or "").strip():
        try:
            contact_email = normalise_email(data.contact_email)
        except RuleError as error:
            raise OrgError(error.message, "contact_email") from None
    phone = _phone(data.phone)
    others = select(Organisation.id).where(Organisation.id != org.id) if org is not None else select(Organisation.id)
    if db.session.scalar(others.where(Organisation.codice_fiscale == codice_fiscale).limit(1)) is not None:
        raise OrgError(_l("An organisation with this codice fiscale is already registered on the site: ask its "
                          "administrators to invite you."), "codice_fiscale")
    if partita_iva and db.session.scalar(others.where(Organisation.partita_iva == partita_iva).limit(1)) is not None:
        raise OrgError(_l("An organisation with this partita IVA is already registered on the site."), "partita_iva")
    return _Checked(name, legal_form, section, second, codice_fiscale, partita_iva, city, description, themes,
                    website, contact_email, phone)


def _write(org: Organisation, checked: _Checked) -> None:
    org.set_name(checked.name)
    org.legal_form = checked.legal_form
    org.runts_section = checked.section.value
    org.second_section = checked.second.value if checked.second else None
    org.codice_fiscale, org.partita_iva = checked.codice_fiscale, checked.partita_iva
    org.city = checked.city
    org.description_markdown, org.description_html = checked.description, render_markdown(checked.description)
    org.themes = checked.themes
    org.website, org.contact_email, org.phone = checked.website, checked.contact_email, checked.phone


def _flush_unique() -> None:
    """Flush; a codice fiscale or partita IVA registered at the same moment by someone else is a 409."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise OrgConflict(_l("An organisation with this codice fiscale or partita IVA was registered "
                             "meanwhile.")) from None


def register_organisation(user: User, data: OrgData) -> Organisation:
    """A person with a confirmed email registers an organisation and becomes its first admin."""
    if not permissions.can_register_organisation(user):
        raise OrgForbidden(_l("Confirm your email address before registering an organisation."))
    checked = _check(data)
    org = Organisation(created_by=user, member_count=1)
    _write(org, checked)
    org.memberships = [Membership(user=user, role=MemberRole.ADMIN)]
    db.session.add(org)
    _flush_unique()
    follows.follow(user, "organisation", org.id, check_visible=False)  # members follow their organisation
    log.info("organisation registered", extra={"organisation_id": org.id, "user_id": user.id})
    return org


IDENTITY_FIELDS = ("name", "codice_fiscale", "partita_iva", "runts_section", "second_section")


def update_organisation(user: User, org: Organisation, data: OrgData) -> bool:
    """Admins edit the profile. Changing what was verified (name, codes, sections) removes the
    verification, which a moderator gives again; True when that happened."""
    check_can_edit(user, org)
    checked = _check(data, org)
    before = {name: getattr(org, name) for name in IDENTITY_FIELDS}
    _write(org, checked)
    changed = any(getattr(org, name) != value for name, value in before.items())
    dropped = changed and org.verified_at is not None
    if dropped:
        org.verified_at = org.verified_by_id = org.verified_role = None
    _flush_unique()
    return dropped


def check_can_edit(user: User | None, org: Organisation) -> None:
    if not permissions.can_edit_organisation(user, org):
        raise OrgForbidden(_l("Only the administrators of %(name)s can edit its profile.", name=org.name))


# --- verification ----------------------------------------------------------------------------------

def verify(user: User, org: Organisation) -> None:
    """A moderator of the organisation's city (or an admin) confirms it is the registered entity."""
    if not permissions.can_verify(user, org):
        raise OrgForbidden(_l("Only the moderators of %(city)s can verify its organisations.", city=org.city.name))
    done = db.session.execute(
        update(Organisation).where(Organisation.id == org.id, Organisation.verified_at.is_(None))
        .values(verified_at=utcnow(), verified_by_id=user.id, verified_role=user.role)
        .execution_options(synchronize_session=False)).rowcount
    if not done:
        raise OrgConflict(_l("This organisation is already verified."))
    db.session.expire(org, ["verified_at", "verified_by_id", "verified_role", "verified_by"])
    audit.record(user, "organisation.verify", "organisation", org.id, org.name, city_id=org.city_id)
    notify("org.verified", "organisation", org.id, actor=user, recipients=_member_ids(org))


def unverify(user: User, org: Organisation, reason: str = "") -> None:
    if not permissions.can_verify(user, org):
        raise OrgForbidden(_l("Only the moderators of %(city)s can verify its organisations.", city=org.city.name))
    reason = _line(reason, "reason", 500) or ""
    done = db.session.execute(
        update(Organisation).where(Organisation.id == org.id, Organisation.verified_at.is_not(None))
        .values(verified_at=None, verified_by_id=None, verified_role=None)
        .execution_options(synchronize_session=False)).rowcount
    if not done:
        raise OrgConflict(_l("This organisation is not verified."))
    db.session.expire(org, ["verified_at", "verified_by_id", "verified_role", "verified_by"])
    audit.record(user, "organisation.unverify", "organisation", org.id, org.name, reason=reason, city_id=org.city_id)


# --- members ---------------------------------------------------------------------------------------

def members(org: Organisation) -> list[Membership]:
    """Active members, admins first, then by name (one query)."""
    return list(db.session.scalars(
        select(Membership).join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == org.id, User.active.is_(True))
        .options(joinedload(Membership.user))
        .order_by(Membership.role, User.display_name, User.id)))


def _member_ids(org: Organisation) -> list[int]:
    return list(db.session.scalars(select(Membership.user_id).where(Membership.organisation_id == org.id)))


def _membership(org: Organisation, user_id: int) -> Membership:
    membership = db.session.scalar(select(Membership).where(Membership.organisation_id == org.id,
                                                            Membership.user_id == user_id))
    if membership is None:
        raise MemberNotFound(_l("This person is not a member of %(name)s.", name=org.name))
    return membership


def _lock(org: Organisation) -> None:
    """Changes to an organisation's admins happen one at a time (a no-op lock on SQLite, whose writes
    are serialised anyway)."""
    db.session.execute(select(Organisation.id).where(Organisation.id == org.id).with_for_update())


def _another_admin(org: Organisation, membership: Membership):
    other = aliased(Membership)
    return (select(func.count()).select_from(other)
            .where(other.organisation_id == org.id, other.role == MemberRole.ADMIN, other.id != membership.id)
            .scalar_subquery() > 0)


LAST_ADMIN = _l("An organisation needs at least one administrator: give the administrator role to another "
                "member first.")


def _delete_membership(org: Organisation, membership: Membership) -> None:
    _lock(org)
    table = Membership.__table__
    done = db.session.execute(
        delete(table).where(table.c.id == membership.id,
                            or_(table.c.role != MemberRole.ADMIN, _another_admin(org, membership)))).rowcount
    if not done:
        still_there = db.session.scalar(select(func.count()).select_from(table).where(table.c.id == membership.id))
        raise OrgConflict(LAST_ADMIN if still_there else _l("This person is no longer a member."))
    db.session.execute(update(Organisation).where(Organisation.id == org.id)
                       .values(member_count=Organisation.member_count - 1)
                       .execution_options(synchronize_session=False))
    db.session.expire(org, ["member_count"])
    if membership in db.session:
        db.session.expunge(membership)


def remove_member(user: User, org: Organisation, member_id: int) -> None:
    """An admin removes a member (or another admin); the last admin cannot be removed."""
    if not permissions.can_manage_members(user, org):
        raise OrgForbidden(_l("Only the administrators of %(name)s can manage its members.", name=org.name))
    membership = _membership(org, member_id)
    _delete_membership(org, membership)
    notify("org.member_removed", "organisation", org.id, actor=user, recipients=[member_id])
    log.info("member removed", extra={"organisation_id": org.id, "user_id": member_id, "by": user.id})


def leave(user: User, org: Organisation) -> None:
    membership = permissions.membership_of(user, org)
    if membership is None:
        raise OrgConflict(_l("You are not a member of %(name)s.", name=org.name))
    _delete_membership(org, membership)


def change_role(user: User, org: Organisation, member_id: int, role: str) -> None:
    """An admin makes a member admin, or an admin a plain member (never the last admin)."""
    if not permissions.can_manage_members(user, org):
        raise OrgForbidden(_l("Only the administrators of %(name)s can manage its members.", name=org.name))
    if role not in {r.value for r in MemberRole}:
        raise OrgError(_l("Choose a role from the list."), "role")
    membership = _membership(org, member_id)
    if membership.role == role:
        raise OrgConflict(_l("%(name)s already has this role.", name=membership.user.display_name))
    if role == MemberRole.ADMIN:
        done = db.session.execute(update(Membership).where(Membership.id == membership.id,
                                                           Membership.role == MemberRole.MEMBER)
                                  .values(role=role).execution_options(synchronize_session=False)).rowcount
    else:
        _lock(org)
        done = db.session.execute(update(Membership).where(Membership.id == membership.id,
                                                           Membership.role == MemberRole.ADMIN,
                                                           _another_admin(org, membership))
                                  .values(role=role).execution_options(synchronize_session=False)).rowcount
    if not done:
        raise OrgConflict(LAST_ADMIN if role == MemberRole.MEMBER else
                          _l("The members changed meanwhile. Reload the page and try again."))
    db.session.expire(membership, ["role"])
    if role == MemberRole.ADMIN:
        notify("org.made_admin", "organisation", org.id, actor=user, recipients=[member_id])


# --- invitations -----------------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_token(seed: str) -> str:
    """The token of an invitation, derived from its stored seed with the secret key: the database alone
    (seed and hash) still cannot open an invitation, and the outbox writes the link only when it sends it."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, b"civic.orgs.invitation:" + seed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def invite(user: User, org: Organisation, email: str, role: str = MemberRole.MEMBER) -> tuple[Invitation, str]:
    """An admin invites someone by email; returns the invitation and the token (sent, never stored)."""
    if not permissions.can_manage_members(user, org):
        raise OrgForbidden(_l("Only the administrators of %(name)s can invite members.", name=org.name))
    try:
        address = normalise_email(email)
    except RuleError as error:
        raise OrgError(error.message, "email") from None
    if role not in {r.value for r in MemberRole}:
        raise OrgError(_l("Choose a role from the list."), "role")
    now = utcnow()
    existing = find_by_email(address)
    if existing is not None and permissions.membership_of(existing, org) is not None:
        raise OrgError(_l("%(email)s is already a member of %(name)s.", email=address, name=org.name), "email")
    pending = [i for i in db.session.scalars(select(Invitation).where(
        Invitation.organisation_id == org.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.expires_at > now))]
    if any(i.email == address for i in pending):
        raise OrgError(_l("%(email)s has already been invited and has not answered yet. Revoke that invitation to "
                          "send a new one.", email=address), "email")
    if len(pending) >= PENDING_INVITATIONS_MAX:
        raise OrgError(_l("There are already %(num)d invitations waiting for an answer: revoke some first.",
                          num=PENDING_INVITATIONS_MAX), "email")
    seed = secrets.token_urlsafe(32)
    token = invitation_token(seed)
    invitation = Invitation(organisation=org, email=address, role=role, token_seed=seed, token_hash=hash_token(token),
                            invited_by=user, created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    db.session.flush()
    if existing is not None:  # also on the site; the email is the invitation's own (send_invitation)
        notify("org.invited", "organisation", org.id, actor=user, recipients=[existing], email=False, role=role)
    log.info("invitation created", extra={"organisation_id": org.id, "invitation_id": invitation.id, "by": user.id})
    return invitation, token


def invitation_link(token: str) -> str:
    return site_url("orgs.invitation", token=token)


LINK_PLACEHOLDER = "[invitation link]"


def send_invitation(invitation: Invitation) -> None:
    """Queue the email in the outbox, in the caller's transaction (the worker sends it, retrying when the mail
    server fails), in the invitee's language when they have an account, in Italian otherwise. The link is
    written in when it is sent (`_write_invitation_email`): the token is never stored."""
    invitee = find_by_email(invitation.email)
    org = invitation.organisation
    inviter = invitation.invited_by.display_name if invitation.invited_by else current_app.config["SITE_NAME"]
    language = (invitee.locale if invitee is not None else None) or "it"
    with force_locale(language):
        subject = _("Invitation to join %(name)s", name=org.name)
        body = _(
            "Hello,\n\n%(inviter)s invites you to join %(name)s on %(site)s as %(role)s.\n\n"
            "Open this link to accept (you will be asked to log in, or to create an account):\n\n%(link)s\n\n"
            "The link works once and expires in %(days)d days. If you do not know this organisation, ignore this "
            "message.",
            inviter=inviter, name=org.name, site=current_app.config["SITE_NAME"],
            role=MemberRole(invitation.role).label.lower(), link=LINK_PLACEHOLDER, days=INVITATION_DAYS,
        )
    outbox.queue_email(EmailKind.INVITATION, invitation.email, language, subject, body, recipient=invitee,
                       invitation_id=invitation.id)


def _write_invitation_email(message) -> str | None:
    """The body to send, with the link; None (the email is dropped) once the invitation is no longer pending."""
    invitation = db.session.get(Invitation, message.invitation_id) if message.invitation_id else None
    if invitation is None or not invitation.token_seed or not invitation.is_pending():
        return None
    before, found, after = message.body_text.rpartition(LINK_PLACEHOLDER)
    if not found:
        return None
    return before + invitation_link(invitation_token(invitation.token_seed)) + after


outbox.register_writer(EmailKind.INVITATION, _write_invitation_email)


def _role_label(n) -> str:
    try:
        return MemberRole(n.params.get("role")).label.lower()
    except ValueError:
        return ""


NOTIFICATION_EVENTS = (
    event("org.invited", lambda n, title: _(
        "%(name)s invited you to join \"%(title)s\" as %(role)s: open the link in the email we sent you to accept.",
        name=n.actor.display_name if n.actor is not None else _("Someone"), title=title, role=_role_label(n))),
    event("org.member_removed", lambda n, title: _("You are no longer a member of \"%(title)s\".", title=title)),
    event("org.made_admin", lambda n, title: _("You are now an administrator of \"%(title)s\".", title=title)),
    event("org.verified", lambda n, title: _(
        "\"%(title)s\" is now verified: the municipality checked it in the national register (RUNTS).",
        title=title)),
)


def pending_invitations(user: User | None, org: Organisation) -> list[Invitation]:
    """Invitations waiting for an answer: for the organisation's admins only."""
    if not permissions.can_manage_members(user, org):
        raise OrgForbidden(_l("Only the administrators of %(name)s can see its invitations.", name=org.name))
    return list(db.session.scalars(
        select(Invitation).where(Invitation.organisation_id == org.id, Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
        .options(joinedload(Invitation.invited_by)).order_by(Invitation.created_at.desc(), Invitation.id.desc())))


def revoke_invitation(user: User, org: Organisation, invitation_id: int) -> Invitation:
    if not permissions.can_manage_members(user, org):
        raise OrgForbidden(_l("Only the administrators of %(name)s can manage its invitations.", name=org.name))
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != org.id:
        raise InvitationNotFound(_l("This invitation does not exist."))
    done = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if not done:
        raise OrgConflict(_l("This invitation has already been accepted or revoked."))
    db.session.expire(invitation, ["revoked_at"])
    return invitation


def find_invitation(token: str) -> Invitation:
    """The invitation of a token that can still be accepted, else the reason it cannot."""
    invitation = None
    if token and len(token) <= 100:
        invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token))
                                       .options(joinedload(Invitation.organisation)))
    if invitation is None:
        raise InvitationNotFound(_l("This invitation link is not valid. Check that you copied all of it."))
    if invitation.accepted_at is not None:
        raise OrgConflict(_l("This invitation has already been used. Each link works only once."))
    if invitation.revoked_at is not None:
        raise InvitationGone(_l("This invitation has been withdrawn by the organisation."))
    if invitation.expires_at <= utcnow():
        raise InvitationGone(_l("This invitation has expired: invitations last %(days)d days. Ask the organisation "
                                "to invite you again.", days=INVITATION_DAYS))
    return invitation


def accept_invitation(user: User, token: str) -> Membership:
    """The signed-in person (with any account) joins with the invitation's role; the link then stops working."""
    invitation = find_invitation(token)
    org = invitation.organisation
    if permissions.membership_of(user, org) is not None:
        raise OrgConflict(_l("You are already a member of %(name)s.", name=org.name))
    now = utcnow()
    claimed = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None), Invitation.expires_at > now)
        .values(accepted_at=now, accepted_by_id=user.id).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise OrgConflict(_l("This invitation has already been used. Each link works only once."))
    membership = Membership(organisation_id=org.id, user_id=user.id, role=invitation.role, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(membership)
            db.session.flush()
    except IntegrityError:
        raise OrgConflict(_l("You are already a member of %(name)s.", name=org.name)) from None
    db.session.execute(update(Organisation).where(Organisation.id == org.id)
                       .values(member_count=Organisation.member_count + 1)
                       .execution_options(synchronize_session=False))
    db.session.expire(org, ["member_count"])
    db.session.expire(invitation, ["accepted_at", "accepted_by_id"])
    follows.follow(user, "organisation", org.id, check_visible=False)  # members follow their organisation
    log.info("invitation accepted", extra={"organisation_id": org.id, "user_id": user.id})
    return membership


# --- lists ------------------------------------------------------------------------------------------

class ListingError(OrgError):
    """A list parameter that is not valid (400)."""

    status = 400


@dataclass
class OrgListing:
    city: City | None = None
    section: RuntsSection | None = None
    verified: str | None = None  # "yes", "no" or None for all
    page: int = 1
    items: list[Organisation] = field(default_factory=list)
    total: int = 0

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PER_PAGE))

    def args(self, **changes) -> dict:
        values = {"city": self.city.slug if self.city else None,
                  "section": self.section.value if self.section else None,
                  "verified": self.verified, "page": self.page if self.page != 1 else None}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def parse_listing(args) -> OrgListing:
    listing = OrgListing()
    if slug := args.get("city"):
        listing.city = db.session.scalar(select(City).where(City.slug == slug))
        if listing.city is None:
            raise ListingError(_l("Unknown city: %(name)s.", name=slug[:80]))
    if section := args.get("section"):
        try:
            listing.section = RuntsSection(section)
        except ValueError:
            raise ListingError(_l("Unknown section of the RUNTS: use a letter from a to g.")) from None
    if verified := args.get("verified"):
        if verified not in ("yes", "no"):
            raise ListingError(_l("The parameter verified can be yes or no."))
        listing.verified = verified
    try:
        listing.page = positive_int(args.get("page"), "page", 1)
    except ParameterError as error:
        raise ListingError(error.message) from None
    return listing


def run_listing(listing: OrgListing) -> OrgListing:
    """One query for the page (city joined, areas in one more), one for the total."""
    conditions = []
    if listing.city is not None:
        conditions.append(Organisation.city_id == listing.city.id)
    if listing.section is not None:
        conditions.append(or_(Organisation.runts_section == listing.section.value,
                              Organisation.second_section == listing.section.value))
    if listing.verified == "yes":
        conditions.append(Organisation.verified_at.is_not(None))
    elif listing.verified == "no":
        conditions.append(Organisation.verified_at.is_(None))
    listing.items = list(db.session.scalars(
        select(Organisation).where(*conditions)
        .options(joinedload(Organisation.city), selectinload(Organisation.themes))
        .order_by(func.lower(Organisation.name), Organisation.id)
        .limit(PER_PAGE).offset((listing.page - 1) * PER_PAGE)).unique())
    listing.total = db.session.scalar(select(func.count()).select_from(Organisation).where(*conditions))
    return listing


def awaiting_verification(user: User | None) -> list[tuple[City, int]]:
    """For a moderator: each of their cities with unverified organisations, and how many (one query)."""
    if not can_use_moderation_desk(user):
        return []
    query = (select(City, func.count(Organisation.id)).join(Organisation, Organisation.city_id == City.id)
             .where(Organisation.verified_at.is_(None)).group_by(City.id).order_by(City.name))
    if not is_admin(user):
        city_ids = [c.id for c in user.moderated_cities]
        if not city_ids:
            return []
        query = query.where(City.id.in_(city_ids))
    return [(city, count) for city, count in db.session.execute(query).all()]
