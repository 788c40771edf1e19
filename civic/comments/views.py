"""Writing, editing and deleting comments."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civic.comments import permissions, services
from civic.comments.forms import CommentForm
from civic.comments.models import Comment
from civic.core.access import load_or_404, require
from civic.core.errors import abort_with
from civic.core.forms import handle_button, handle_form
from civic.core.ratelimit import completed, config_limit, per_account
from civic.extensions import limiter
from civic.posts.models import Post
from civic.posts.permissions import can_see
from civic.urls import post_url

bp = Blueprint("comments", __name__)


def _comment(comment_id: int) -> Comment:
    return load_or_404(Comment, comment_id, _("This comment does not exist."))


def post_page_part(post: Post, page: int) -> dict:
    """What a post's page shows of its comments: the page of the conversation asked for, and the form."""
    comment_form = CommentForm()
    comment_form.fill_organisations(current_user)  # one query for a signed-in person, none otherwise
    return {"conversation": services.thread(post, page), "comment_form": comment_form}


def comment_url(comment: Comment) -> str:
    """The address of a comment on its post's page: the page of the conversation that shows it."""
    page = services.page_of(comment)
    return post_url(comment.post, **({"comments": page} if page > 1 else {}), _anchor=f"comment-{comment.id}")


@bp.route("/comments/<int:comment_id>")
def show(comment_id: int):
    """A comment's permanent address (in notifications, emails, profiles): its post's page that shows it.
    The post of a hidden post is not named, not even by its address, except to its moderators."""
    comment = load_or_404(Comment, comment_id, _("This comment does not exist."),
                          visible=lambda comment: can_see(current_user, comment.post))
    return redirect(comment_url(comment))


@bp.route("/posts/<int:post_id>/comments", methods=["POST"])
@limiter.limit(config_limit("RATELIMIT_COMMENT"), key_func=per_account, deduct_when=completed)
def add(post_id: int):
    post = load_or_404(Post, post_id, _("This content does not exist."), visible=lambda post: post.hidden_at is None)
    if not current_user.is_authenticated:
        flash(_("Log in to comment."), "info")
        return redirect(url_for("accounts.login", next=post_url(post, _anchor="comments")))
    user = current_user._get_current_object()
    form = CommentForm()
    form.fill_organisations(user)
    def refused(status: int):
        if form.parent_id.errors or any(e for e in form.form_errors):
            abort_with(422, " ".join(map(str, [*form.parent_id.errors, *form.form_errors])))
        return render_template("comments/form.html", post=post, form=form), status

    return handle_form(form, lambda: services.add_comment(
        user, post, form.body.data, form.parent_id.data, form.organisation.data),
        message=_("Your comment is published."), redirect_to=comment_url, render=refused)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment = _comment(comment_id)
    user = current_user._get_current_object()
    if comment.post.hidden_at is not None:
        abort_with(404, _("This content does not exist."))
    require(permissions.can_change_comment(user, comment), _("Only the author can change this comment."))
    require(not permissions.is_hidden(user, comment), _("The moderators hid this comment: it can no longer be changed."))
    form = CommentForm()
    if not form.is_submitted():
        form.body.data = comment.body_markdown
    return handle_form(form, lambda: services.edit_comment(user, comment, form.body.data),
                       message=_("Your comment has been changed."), redirect_to=lambda _result: comment_url(comment),
                       template="comments/form.html", post=comment.post, form=form, comment=comment)


@bp.route("/comments/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete(comment_id: int):
    comment = _comment(comment_id)
    return handle_button(lambda: services.delete_comment(current_user._get_current_object(), comment),
                         message=_("Your comment has been deleted."), category="info",
                         redirect_to=lambda _result: comment_url(comment))
