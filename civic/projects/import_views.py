"""Moderators' upload of a CSV of funded projects (work in progress)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("project_import", __name__)
