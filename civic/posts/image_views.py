"""Serving the uploaded images: the blueprint "uploads". It lives with the posts because what decides
whether an image is shown is the post that shows it (civic/uploads stores the files and knows no post)."""
from __future__ import annotations

from flask import Blueprint, abort, send_from_directory
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from civic.accounts.permissions import can_moderate_city
from civic.extensions import db
from civic.posts.models import Post
from civic.uploads.models import Upload
from civic.uploads.services import upload_folder

bp = Blueprint("uploads", __name__)


@bp.route("/uploads/<name>")
def serve(name: str):
    """Only files recorded in the database are served, with the type recorded at upload.

    The image of a hidden post is served only to the moderators of its city: hiding it for showing
    personal data must take the picture down too. The address never changes but its visibility may,
    so browsers revalidate it (a cheap 304) instead of keeping it for a year.
    """
    upload = db.session.scalar(select(Upload).where(Upload.stored_name == name))
    if upload is None:
        abort(404)
    hidden_in = db.session.scalars(
        select(Post).options(joinedload(Post.city)).where(Post.image_id == upload.id, Post.hidden_at.is_not(None))
    ).all()
    if any(not can_moderate_city(current_user, post.city) for post in hidden_in):
        abort(404)
    response = send_from_directory(upload_folder(), upload.stored_name, mimetype=upload.content_type,
                                   max_age=0, conditional=True)
    response.headers["Content-Disposition"] = "inline"
    response.cache_control.no_cache = True
    if hidden_in:
        response.cache_control.public = False
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    return response
