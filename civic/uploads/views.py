from __future__ import annotations

from flask import Blueprint, abort, send_from_directory
from sqlalchemy import select

from civic.extensions import db
from civic.uploads.models import Upload
from civic.uploads.services import upload_folder

bp = Blueprint("uploads", __name__)


@bp.route("/uploads/<name>")
def serve(name: str):
    """Only files recorded in the database are served, with the type recorded at upload."""
    upload = db.session.scalar(select(Upload).where(Upload.stored_name == name))
    if upload is None:
        abort(404)
    response = send_from_directory(upload_folder(), upload.stored_name, mimetype=upload.content_type,
                                   max_age=31536000, conditional=True)
    response.headers["Content-Disposition"] = "inline"
    return response
