"""/opendata: the list of datasets with their data dictionary, and the streamed files."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, stream_with_context
from flask_babel import lazy_gettext as _l

from civic.core.errors import error_response
from civic.core.ratelimit import config_limit
from civic.extensions import limiter
from civic.opendata.datasets import DATASETS, LICENCE, LICENCE_URL
from civic.opendata.formats import csv_chunks, json_chunks

bp = Blueprint("opendata", __name__)

_FORMATS = {
    "csv": (csv_chunks, "text/csv; charset=utf-8"),
    "json": (json_chunks, "application/json"),
}


@bp.route("/opendata")
def index():
    return render_template("opendata/index.html", datasets=DATASETS.values(), licence=LICENCE,
                           licence_url=LICENCE_URL)


# Each file reads a whole table: an address may download this many per period (CIVIC_RATELIMIT_EXPORT).
EXPORT_LIMITED = _l("You downloaded many open-data files in a short time. Wait a minute and try again; "
                    "the files change at most once a day.")


@bp.route("/opendata/<dataset>.<fmt>")
@limiter.limit(config_limit("RATELIMIT_EXPORT"))
def export(dataset: str, fmt: str):
    if dataset not in DATASETS or fmt not in _FORMATS:
        abort(404)
    chunks, mimetype = _FORMATS[fmt]
    response = Response(stream_with_context(chunks(DATASETS[dataset])), content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{dataset}.{fmt}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.errorhandler(429)
def _too_many_downloads(error):
    """The error page says why, and when to come back (the limit's window is at most a minute by default)."""
    response = error_response(429, EXPORT_LIMITED)
    response.headers["Retry-After"] = "60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
