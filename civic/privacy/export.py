"""My data: everything the platform holds about one person, as one JSON document.

A request adds a pending export. A person with little data gets it at once (prepared in the same
request); a larger one is prepared by the background worker (`flask --app wsgi privacy exports`, also
run by every round of `notifications send --loop`), which emails a link to the account page when it is
ready. The file is served only to its owner, logged in, until it expires; then its content is erased.

Every table that refers to an account is either a section here or named in NOT_EXPORTED with the
reason (a test reads the schema, so a new table that refers to accounts must be placed in one or the
other).
"""
from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from civic.accounts.models import LoginSession, User, moderator_city
from civic.calls.models import Evaluation, EvaluationScore
from civic.codesign.models import MeetingRegistration
from civic.comments.models import Comment
from civic.core.mail import MailError, send_mail
from civic.core.rules import RuleError
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.moderation.models import Report
from civic.notifications import reading as notification_reading
from civic.notifications.models import EmailMessage, Follow, Notification
from civic.notifications.outbox import links, site_url
from civic.orgs.models import Membership, Organisation
from civic.participation.models import Vote
from civic.posts.models import Post, visible_post
from civic.privacy.models import Consent, DataExport, ExportStatus
from civic.startup.models import TeamMember
from civic.territories.models import City, Neighbourhood
from civic.uploads.models import Upload

log = logging.getLogger("civic.privacy.export")

FORMAT_VERSION = 1


class ExportError(RuleError):
    pass


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _rows(statement, shape: Callable) -> list[dict]:
    return [shape(row) for row in db.session.execute(statement.execution_options(yield_per=1000))]


def _account(user: User) -> dict:
    city = db.session.get(City, user.home_city_id) if user.home_city_id else None
    neighbourhood = db.session.get(Neighbourhood, user.home_neighbourhood_id) if user.home_neighbourhood_id else None
    cities = db.session.scalars(select(City.name).join(moderator_city, moderator_city.c.city_id == City.id)
                                .where(moderator_city.c.user_id == user.id).order_by(City.name))
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.stored_name,
        "role": user.role,
        "moderated_cities": list(cities),
        "home_city": city.name if city else None,
        "home_neighbourhood": neighbourhood.name if neighbourhood else None,
        "language": user.locale,
        "email_frequency": user.email_frequency,
        "privacy_notice_version": user.privacy_version,
        "two_factor_enabled_at": _iso(user.totp_enabled_at),
        "registered_at": _iso(user.created_at),
        "email_confirmed_at": _iso(user.email_confirmed_at),
        "last_login_at": _iso(user.last_login_at),
        "blocked_at": _iso(user.blocked_at),
        "blocked_reason": user.blocked_reason,
    }


def _consents(user: User) -> list[dict]:
    return _rows(select(Consent.version, Consent.accepted_at).where(Consent.user_id == user.id).order_by(Consent.id),
                 lambda r: {"privacy_notice_version": r.version, "accepted_at": _iso(r.accepted_at)})


def _sessions(user: User) -> list[dict]:
    return _rows(select(LoginSession.created_at, LoginSession.last_seen_at, LoginSession.ended_at,
                        LoginSession.ip_address, LoginSession.user_agent)
                 .where(LoginSession.user_id == user.id).order_by(LoginSession.id),
                 lambda r: {"logged_in_at": _iso(r.created_at), "last_seen_at": _iso(r.last_seen_at),
                            "ended_at": _iso(r.ended_at), "ip_address": r.ip_address, "browser": r.user_agent})


def _organisations(user: User) -> list[dict]:
    return _rows(select(Organisation.id, Organisation.name, Membership.role, Membership.created_at)
                 .join(Membership, Membership.organisation_id == Organisation.id)
                 .where(Membership.user_id == user.id).order_by(Membership.created_at, Membership.id),
                 lambda r: {"organisation_id": r.id, "name": r.name, "role": r.role, "joined_at": _iso(r.created_at)})


def _posts(user: User) -> list[dict]:
    return _rows(select(Post.id, Post.kind, Post.title, Post.body_markdown, Post.status, Post.city_id,
                        Post.created_at, Post.updated_at, Post.hidden_at, Post.hidden_reason)
                 .where(Post.author_id == user.id).order_by(Post.id),
                 lambda r: {"id": r.id, "kind": r.kind, "title": r.title, "text": r.body_markdown, "status": r.status,
                            "city_id": r.city_id, "created_at": _iso(r.created_at), "updated_at": _iso(r.updated_at),
                            "hidden_at": _iso(r.hidden_at), "hidden_reason": r.hidden_reason})


def _comments(user: User) -> list[dict]:
    return _rows(select(Comment.id, Comment.post_id, Comment.parent_id, Comment.body_markdown, Comment.created_at,
                        Comment.edited_at, Comment.deleted_at, Comment.hidden_at, Comment.hidden_reason)
                 .where(Comment.author_id == user.id).order_by(Comment.id),
                 lambda r: {"id": r.id, "post_id": r.post_id, "reply_to": r.parent_id, "text": r.body_markdown,
                            "created_at": _iso(r.created_at), "edited_at": _iso(r.edited_at),
                            "deleted_at": _iso(r.deleted_at), "hidden_at": _iso(r.hidden_at),
                            "hidden_reason": r.hidden_reason})


def _votes(user: User) -> list[dict]:
    # On a need a vote reads "support", on an idea "vote" (one mechanism, civic/participation).
    # The title of a post hidden since is left out, as everywhere else (the person's own posts are in "posts").
    title = case((visible_post(), Post.title), else_=None).label("title")
    return _rows(select(Vote.post_id, Post.kind, title, Vote.created_at).join(Post, Post.id == Vote.post_id)
                 .where(Vote.user_id == user.id).order_by(Vote.id),
                 lambda r: {"post_id": r.post_id, "kind": "support" if r.kind == "need" else "vote",
                            "post_title": r.title, "created_at": _iso(r.created_at)})


def _follows(user: User) -> list[dict]:
    return _rows(select(Follow.target_kind, Follow.target_id, Follow.created_at)
                 .where(Follow.user_id == user.id).order_by(Follow.id),
                 lambda r: {"kind": r.target_kind, "id": r.target_id, "since": _iso(r.created_at)})


def _notifications(user: User) -> list[dict]:
    return _rows(select(Notification.event, Notification.target_kind, Notification.target_id, Notification.params,
                        Notification.created_at, Notification.read_at)
                 # As on the notifications page: none about content hidden since (someone else's, mostly).
                 .where(Notification.recipient_id == user.id, notification_reading.visible_condition())
                 .order_by(Notification.id),
                 lambda r: {"event": r.event, "about": {"kind": r.target_kind, "id": r.target_id},
                            "details": r.params or {}, "created_at": _iso(r.created_at), "read_at": _iso(r.read_at)})


def _emails(user: User) -> list[dict]:
    return _rows(select(EmailMessage.to_address, EmailMessage.subject, EmailMessage.body_text, EmailMessage.status,
                        EmailMessage.created_at, EmailMessage.sent_at)
                 .where(EmailMessage.recipient_id == user.id).order_by(EmailMessage.id),
                 lambda r: {"to": r.to_address, "subject": r.subject, "text": r.body_text, "status": r.status,
                            "written_at": _iso(r.created_at), "sent_at": _iso(r.sent_at)})


def _reports(user: User) -> list[dict]:
    return _rows(select(Report.target_kind, Report.target_id, Report.reason, Report.details, Report.created_at,
                        Report.resolved_at)
                 .where(Report.reporter_id == user.id).order_by(Report.id),
                 lambda r: {"about": {"kind": r.target_kind, "id": r.target_id}, "reason": r.reason,
                            "details": r.details, "created_at": _iso(r.created_at), "resolved_at": _iso(r.resolved_at)})


def _uploads(user: User) -> list[dict]:
    return _rows(select(Upload.id, Upload.content_type, Upload.size, Upload.width, Upload.height, Upload.created_at)
                 .where(Upload.uploader_id == user.id).order_by(Upload.id),
                 lambda r: {"id": r.id, "type": r.content_type, "bytes": r.size, "width": r.width,
                            "height": r.height, "uploaded_at": _iso(r.created_at)})


def _meetings(user: User) -> list[dict]:
    return _rows(select(MeetingRegistration.meeting_id, MeetingRegistration.attended, MeetingRegistration.created_at)
                 .where(MeetingRegistration.user_id == user.id).order_by(MeetingRegistration.created_at),
                 lambda r: {"meeting_id": r.meeting_id, "attended": r.attended, "registered_at": _iso(r.created_at)})


def _support_teams(user: User) -> list[dict]:
    return _rows(select(TeamMember.plan_id, TeamMember.role)
                 .where(TeamMember.user_id == user.id).order_by(TeamMember.id),
                 lambda r: {"support_plan_id": r.plan_id, "role": r.role})


def _evaluations(user: User) -> list[dict]:
    evaluations = db.session.scalars(select(Evaluation).where(Evaluation.evaluator_id == user.id)
                                     .order_by(Evaluation.id)).all()
    scores: dict[int, dict] = {}
    if evaluations:
        for row in db.session.execute(select(EvaluationScore.evaluation_id, EvaluationScore.criterion_id,
                                             EvaluationScore.score)
                                      .where(EvaluationScore.evaluation_id.in_([e.id for e in evaluations]))):
            scores.setdefault(row.evaluation_id, {})[str(row.criterion_id)] = row.score
    return [{"call_id": e.call_id, "idea_id": e.idea_id, "scores_by_criterion": scores.get(e.id, {}),
             "private_note": e.private_note, "updated_at": _iso(e.updated_at)} for e in evaluations]


# name → (how it is described in the file, what writes it); in the file's order.
SECTIONS: dict[str, tuple[object, Callable[[User], object]]] = {
    "account": (_l("Your account and profile"), _account),
    "consents": (_l("When you accepted each version of the privacy notice"), _consents),
    "sessions": (_l("Your logins: when, from which address and browser"), _sessions),
    "organisations": (_l("Organisations you belong to, with your role"), _organisations),
    "posts": (_l("Needs and ideas you wrote, hidden ones included"), _posts),
    "comments": (_l("Your comments"), _comments),
    "votes": (_l("Your votes on ideas and supports of needs"), _votes),
    "follows": (_l("What you follow"), _follows),
    "notifications": (_l("Your notifications"), _notifications),
    "emails": (_l("Emails written to you"), _emails),
    "reports": (_l("Your reports to the moderators"), _reports),
    "uploads": (_l("Images you uploaded"), _uploads),
    "codesign_meetings": (_l("Co-design meetings you registered for"), _meetings),
    "support_teams": (_l("Start-up support teams you are part of"), _support_teams),
    "evaluations": (_l("Your evaluations of ideas sent to calls"), _evaluations),
}

# The columns naming the account that each section reads.
EXPORTED = {
    "user_account.id": "account",
    "consent.user_id": "consents",
    "login_session.user_id": "sessions",
    "membership.user_id": "organisations",
    "post.author_id": "posts",
    "comment.author_id": "comments",
    "vote.user_id": "votes",
    "follow.user_id": "follows",
    "notification.recipient_id": "notifications",
    "email_message.recipient_id": "emails",
    "report.reporter_id": "reports",
    "upload.uploader_id": "uploads",
    "codesign_registration.user_id": "codesign_meetings",
    "support_team_member.user_id": "support_teams",
    "evaluation.evaluator_id": "evaluations",
    "moderator_city.user_id": "account",
}

# Tables that name an account in a column, and why that column is not part of its owner's copy: they
# record what someone did in a public role (who published a call, who approved a milestone), which the
# public record shows already, or they are the account's own exports.
NOT_EXPORTED = {
    "audit_event.actor_id": "the platform's audit log of staff actions, kept as a record",
    "call.created_by_id": "staff action on a public call",
    "organisation.verified_by_id": "staff action: checked against the RUNTS",
    "organisation.created_by_id": "the organisation's record; membership is exported",
    "report.resolved_by_id": "staff action on someone else's report",
    "invitation.invited_by_id": "the organisation's record of who invited whom",
    "invitation.accepted_by_id": "the organisation's record; membership is exported",
    "post_event.actor_id": "the public history of a post's status (staff moves)",
    "codesign_process.opened_by_id": "staff action on a public process",
    "codesign_process.closed_by_id": "staff action on a public process",
    "codesign_document.created_by_id": "a process's public document",
    "codesign_document_version.uploaded_by_id": "a process's public document",
    "codesign_interest.decided_by_id": "staff decision on an organisation's interest",
    "codesign_interest.submitted_by_id": "an organisation's expression of interest",
    "codesign_meeting.created_by_id": "staff action on a public meeting",
    "funded_project.created_by_id": "staff action on a public project",
    "project_commitment.created_by_id": "staff action: the project's public accounts",
    "project_payment.created_by_id": "staff action: the project's public accounts",
    "project_update.author_id": "a project's public update",
    "support_plan.mentor_id": "the support plan's record",
    "support_gate.approved_by_id": "staff decision in a support plan",
    "support_milestone.approved_by_id": "staff decision in a support plan",
    "support_note.author_id": "a support plan's working notes",
    "support_update.author_id": "a support plan's updates",
    "support_evidence.uploaded_by_id": "a support plan's evidence",
    "notification.actor_id": "someone else's notification",
    "data_export.user_id": "the exports themselves",
    "recovery_code.user_id": "secrets stored only as hashes (whether two-factor is on is in the account)",
}


def document(user: User, now: datetime | None = None) -> dict:
    with force_locale(user.locale or "it"):
        return {
            "format": {"name": "civic-my-data", "version": FORMAT_VERSION},
            "site": current_app.config["SITE_NAME"],
            "prepared_at": _iso(now or utcnow()),
            "contents": {name: str(label) for name, (label, _write) in SECTIONS.items()},
            **{name: write(user) for name, (_label, write) in SECTIONS.items()},
        }


def row_estimate(user: User) -> int:
    """How much there is to write, in rows (the larger tables only): small copies are prepared at once."""
    counts = [select(func.count()).select_from(table).where(column == user.id).scalar_subquery()
              for table, column in ((Vote, Vote.user_id), (Comment, Comment.author_id),
                                    (Notification, Notification.recipient_id), (Follow, Follow.user_id),
                                    (Post, Post.author_id), (EmailMessage, EmailMessage.recipient_id))]
    return int(db.session.scalar(select(sum(counts[1:], counts[0]))) or 0)


def exports_of(user: User) -> list[DataExport]:
    return list(db.session.scalars(select(DataExport).where(DataExport.user_id == user.id)
                                   .order_by(DataExport.requested_at.desc(), DataExport.id.desc()).limit(10)))


def request_export(user: User) -> DataExport:
    """A pending export; refused while another one waits (the database enforces one)."""
    waiting = db.session.scalar(select(DataExport.id).where(DataExport.user_id == user.id,
                                                            DataExport.status == ExportStatus.PENDING))
    if waiting is not None:
        raise ExportError(_l("Your data is already being prepared: it will appear on this page when it is ready."))
    export = DataExport(user_id=user.id, status=ExportStatus.PENDING, requested_at=utcnow())
    db.session.add(export)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ExportError(_l("Your data is already being prepared: it will appear on this page when it is "
                             "ready.")) from None
    return export


def prepare(export: DataExport, now: datetime | None = None) -> None:
    """Write the file of a pending export (in the caller's transaction)."""
    now = now or utcnow()
    user = db.session.get(User, export.user_id)
    body = json.dumps(document(user, now), ensure_ascii=False, indent=1).encode()
    export.content = gzip.compress(body, compresslevel=6, mtime=0)
    export.size_bytes = len(body)
    export.status = ExportStatus.READY
    export.ready_at = now
    export.expires_at = now + timedelta(days=current_app.config["EXPORT_DAYS"])


def is_small(user: User) -> bool:
    return row_estimate(user) <= current_app.config["EXPORT_INLINE_ROWS"]


def _tell_ready(user: User, export: DataExport) -> None:
    with links(), force_locale(user.locale or "it"):
        subject = _("Your data is ready to download")
        body = _("Hello %(name)s,\n\nthe copy of your data you asked for on %(site)s is ready. Log in and "
                 "download it from this page:\n\n%(link)s\n\nIt can be downloaded until %(date)s; after that it "
                 "is erased. If you did not ask for it, change your password.",
                 name=user.stored_name, site=current_app.config["SITE_NAME"], link=site_url("privacy.my_data"),
                 date=export.expires_at.strftime("%Y-%m-%d %H:%M UTC"))
    try:
        send_mail(user.email, subject, body)
    except MailError:
        log.warning("could not send the data-ready email", extra={"export_id": export.id})


def prepare_due(limit: int = 5, now: datetime | None = None) -> int:
    """The worker's round: prepare the oldest pending exports, each in its own transaction, then erase
    the expired ones. Several workers may run: an export is claimed by a conditional update."""
    done = 0
    for export_id in db.session.scalars(select(DataExport.id).where(DataExport.status == ExportStatus.PENDING)
                                        .order_by(DataExport.requested_at).limit(limit)).all():
        export = db.session.get(DataExport, export_id, with_for_update={"skip_locked": True})
        if export is None or export.status != ExportStatus.PENDING:
            db.session.rollback()
            continue
        try:
            prepare(export, now)
            db.session.commit()
        except Exception:  # one failed export must not stop the others; its owner sees it failed
            db.session.rollback()
            log.exception("data export failed", extra={"export_id": export_id})
            db.session.execute(update(DataExport).where(DataExport.id == export_id)
                               .values(status=ExportStatus.FAILED))
            db.session.commit()
            continue
        _tell_ready(db.session.get(User, export.user_id), export)
        done += 1
    erase_expired(now)
    return done


def prepare_in_background(sender=None, **_) -> None:
    """Receiver of civic.core.signals.background_round: the email worker's loop also prepares the copies."""
    prepare_due()


def erase_expired(now: datetime | None = None) -> int:
    """Expired copies lose their content; the row stays a few weeks to show the request on the page."""
    now = now or utcnow()
    erased = db.session.execute(update(DataExport).where(DataExport.expires_at <= now, DataExport.content.is_not(None))
                                .values(content=None)).rowcount
    db.session.execute(delete(DataExport).where(DataExport.requested_at < now - timedelta(days=90)))
    db.session.commit()
    return erased


def for_download(user: User, export_id: int) -> DataExport | None:
    """The owner's export, or None: another person's export is not found, whoever asks."""
    return db.session.scalar(select(DataExport).where(DataExport.id == export_id, DataExport.user_id == user.id))
