"""`flask --app wsgi projects ...` (work in progress)."""
from __future__ import annotations

from flask.cli import AppGroup

projects_cli = AppGroup("projects", help="Funded projects: import from CSV.")
