"""Moderators' upload of a CSV of funded projects with the OpenCoesione columns (civic/projects/importer.py):
all or nothing, every refused row listed with its line and column; a "check only" run saves nothing.
It is with the open data because the file it reads is the projects' dataset (its columns are described
once, in civic/opendata/datasets.py)."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField

from civic.core.access import require
from civic.core.errors import abort_with, error_response
from civic.core.text import normalise_line
from civic.extensions import db
from civic.opendata.datasets import DATASETS
from civic.projects import importer
from civic.projects.permissions import can_import_projects

bp = Blueprint("project_import", __name__)

SAMPLE = Path(importer.__file__).parent / "samples" / "progetti-esempio.csv"  # beside the importer
FORM_OVERHEAD = 64 * 1024  # the multipart envelope, the CSRF token and the checkbox around the file
WARNINGS_SHOWN = 50
REQUIRED = {"OC_TITOLO_PROGETTO": _l("required"), "DEN_COMUNE": _l("this one or CITTA"),
            "CITTA": _l("this one or DEN_COMUNE"), "CUP": _l("this one or COD_LOCALE_PROGETTO"),
            "COD_LOCALE_PROGETTO": _l("this one or CUP")}


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose the CSV file to import."))],
                     description=_l("At most 5 MB and 5,000 projects; separator \";\", decimal comma, dates YYYYMMDD, "
                                    "UTF-8."))
    check_only = BooleanField(_l("Check only: show what the import would do, without saving anything"))




@bp.url_value_preprocessor
def _size_limit(endpoint, values):
    """The upload may be as large as the file allowed plus its form; checked before the CSRF check reads it."""
    if endpoint == "project_import.upload" and request.method == "POST":
        request.max_content_length = importer.MAX_BYTES + FORM_OVERHEAD


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    return error_response(413, _("The file is larger than 5 MB: split it into smaller files."))


def _columns() -> list[tuple[str, object, object]]:
    descriptions = {c.name: c.description for c in DATASETS["projects"].columns}
    return [(name, descriptions.get(name, ""), REQUIRED.get(name)) for name in importer.COLUMNS]


def _page(form: ImportForm, report: importer.ImportReport | None = None, status: int = 200):
    return render_template("projects/import.html", form=form, report=report, columns=_columns(),
                           max_rows=importer.MAX_ROWS), status


@bp.route("/projects/import", methods=["GET", "POST"])
@login_required
def upload():
    user = current_user._get_current_object()
    require(can_import_projects(user), _("Only moderators and administrators can import funded projects."))
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form, status=422 if form.is_submitted() else 200)
    storage = form.file.data
    filename = normalise_line(storage.filename or "")[:100]
    dry_run = bool(form.check_only.data)
    try:
        report = importer.import_file(user, storage.stream, filename=filename, dry_run=dry_run)
        if report.ok and not dry_run:
            importer.commit()
    except importer.ImportTooLarge as error:
        db.session.rollback()
        abort_with(413, error.message)
    except importer.ImportConflict as error:
        db.session.rollback()
        abort_with(409, error.message)
    if not report.ok:
        return _page(form, report, 422)
    if dry_run:
        return _page(form, report)
    flash(_("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.", created=report.created,
            updated=report.updated, unchanged=report.unchanged), "success")
    for issue in report.warnings[:WARNINGS_SHOWN]:
        flash(_("Line %(line)d, %(column)s: %(message)s", line=issue.line, column=issue.column or "—",
                message=issue.message), "warning")
    if len(report.warnings) > WARNINGS_SHOWN:
        flash(_("And %(num)d more warnings.", num=len(report.warnings) - WARNINGS_SHOWN), "warning")
    return redirect(url_for("projects.index"))


@bp.route("/projects/import/sample.csv")
def sample():
    response = send_file(SAMPLE, mimetype="text/csv", as_attachment=True, download_name="progetti-esempio.csv",
                         max_age=3600)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response
