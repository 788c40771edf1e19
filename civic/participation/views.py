"""Supporting a need or voting an idea, and taking it back: plain POST forms, no JavaScript needed."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import with_polymorphic

from civic.core.access import perform
from civic.core.errors import abort_with
from civic.core.forms import check_action
from civic.core.ratelimit import config_limit, per_account
from civic.extensions import db, limiter
from civic.notifications import follows
from civic.participation import services
from civic.posts.models import Post
from civic.urls import post_url

bp = Blueprint("participation", __name__)


def post_page_part(post: Post, page: int) -> dict:
    """What a post's page shows of the visitor's participation: whether they voted for it."""
    return {"voted": post.id in services.voted_post_ids(current_user, [post])}


# The need or idea with its own columns (the voting rules read them), and whether the visitor follows
# it (the answer to a vote offers to), in one query. Built once: composing it, and the polymorphic
# entity, for each request cost more than running it (a vote's largest share of Python time).
_ANY_POST = with_polymorphic(Post, "*")
_TARGET = select(_ANY_POST, follows.following(bindparam("user_id"), _ANY_POST.kind, _ANY_POST.id)).where(
    _ANY_POST.id == bindparam("post_id"))


def _target(post_id: int) -> tuple[Post, bool]:
    user_id = current_user.id if current_user.is_authenticated else None
    found = db.session.execute(_TARGET, {"post_id": post_id, "user_id": user_id}).first()
    if found is None or found[0].hidden_at is not None:
        abort_with(404, _("This content does not exist."))
    return found[0], bool(found[1])


def _checked(post: Post):
    """Anonymous visitors go to the login page, and come back to the post afterwards."""
    if not current_user.is_authenticated:
        flash(_("Log in to support needs and vote ideas."), "info")
        return redirect(url_for("accounts.login", next=post_url(post)))
    check_action()
    return None


@bp.route("/posts/<int:post_id>/vote", methods=["POST"])
@limiter.limit(config_limit("RATELIMIT_VOTE"), key_func=per_account)
def vote(post_id: int):
    post, followed = _target(post_id)
    if (response := _checked(post)) is not None:
        return response
    perform(lambda: services.add_vote(current_user._get_current_object(), post))  # 403, or 409 outside the voting phase
    # What the answer needs is read before the commit, which expires every object (nothing is then
    # loaded again): the post's address and the messages in the voter's language.
    back = post_url(post, _anchor="participation")
    messages = [(_("Thank you: your support is counted.") if post.kind == "need"
                 else _("Thank you: your vote is counted."), "success")]
    if not followed:  # following is offered, never automatic
        messages.append((_("Do you want to know what happens next? Use the button \"Follow\" on this page."), "info"))
    db.session.commit()
    for message, category in messages:
        flash(message, category)
    return redirect(back)


@bp.route("/posts/<int:post_id>/unvote", methods=["POST"])
@limiter.limit(config_limit("RATELIMIT_VOTE"), key_func=per_account)
def unvote(post_id: int):
    post, _followed = _target(post_id)
    if (response := _checked(post)) is not None:
        return response
    perform(lambda: services.remove_vote(current_user._get_current_object(), post))  # 409 outside the voting phase
    back = post_url(post, _anchor="participation")
    message = _("Your support has been withdrawn.") if post.kind == "need" else _("Your vote has been withdrawn.")
    db.session.commit()
    flash(message, "info")
    return redirect(back)
