"""The site-wide blueprint "core" and its health check.

The site-wide pages that show a domain's content join this blueprint from their domain, so that
core names none: the home page and the city selector (civic/territories/views.py), the language
switch (civic/accounts/views.py).
"""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from civic.extensions import db

bp = Blueprint("core", __name__)


@bp.route("/healthz")
def health():
    """For load balancers: answers 200 while the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
