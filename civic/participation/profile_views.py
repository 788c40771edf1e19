"""A person's public profile (blueprint "accounts", /users/<id>): their needs, ideas, comments and
organisations. It is here, above posts and comments, because it shows what a person contributed; the
accounts know nothing of what is posted."""
from __future__ import annotations

from flask import render_template

from civic.accounts.models import User
from civic.accounts.views import bp as accounts_bp
from civic.comments.services import by_author as comments_by
from civic.core.access import load_or_404
from civic.core.errors import MESSAGES
from civic.orgs.permissions import organisations_of
from civic.posts.listing import by_author
from civic.posts.models import Idea, Need


@accounts_bp.route("/users/<int:user_id>")
def profile(user_id: int):
    user = load_or_404(User, user_id, MESSAGES[404], visible=lambda user: user.active)
    return render_template(
        "accounts/profile.html", user=user,
        needs=by_author(Need, user.id), ideas=by_author(Idea, user.id), comments=comments_by(user.id),
        organisations=[] if user.blocked_at else organisations_of(user),
    )
