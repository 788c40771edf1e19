"""/opendata: the list of datasets with their data dictionary, and the files (built by files.py)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, send_file
from flask_babel import lazy_gettext as _l

from civic.core.errors import error_response
from civic.core.ratelimit import config_limit
from civic.extensions import limiter
from civic.opendata import files
from civic.opendata.datasets import DATASETS, LICENCE, LICENCE_URL
from civic.territories.filters import FilterError

bp = Blueprint("opendata", __name__)

@bp.route("/opendata")
def index():
    return render_template("opendata/index.html", datasets=DATASETS.values(), licence=LICENCE,
                           licence_url=LICENCE_URL)


# Each file reads a whole table: an address may download this many per period (CIVIC_RATELIMIT_EXPORT).
EXPORT_LIMITED = _l("You downloaded many open-data files in a short time. Wait a minute and try again; "
                    "the files change at most once a day.")


BUSY = _l("Many open-data files are being downloaded or prepared right now. Try again in a minute.")


@bp.route("/opendata/<dataset>.<fmt>")
@limiter.limit(config_limit("RATELIMIT_EXPORT"))
def export(dataset: str, fmt: str):
    """The file for the content as it is now (files.py: built once, then sent from disk with ETag,
    Last-Modified, Range and gzip), narrowed by the API's filters of the same records (`?city=torino`);
    an unknown or repeated one is refused with 400."""
    if dataset not in DATASETS or fmt not in files.FORMATS:
        abort(404)
    chosen = DATASETS[dataset]
    try:
        chosen.check_filters(request.args)
    except FilterError as error:
        return _answer(error_response(400, str(error)))
    try:
        built = files.file_for(chosen, fmt, request.args)
    except files.Busy:
        busy = _answer(error_response(503, BUSY))
        busy.headers["Retry-After"] = "60"
        return busy
    packed = request.range is None and "gzip" in request.headers.get("Accept-Encoding", "")
    path = built.gzipped if packed else built.path
    response = send_file(path, mimetype=files.FORMATS[fmt][1], conditional=True, max_age=0,
                         etag=f"{path.name}-{built.version}" if built.version is not None else True,
                         last_modified=path.stat().st_mtime)
    response.headers["Content-Disposition"] = f'attachment; filename="{dataset}.{fmt}"'
    if packed:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return _answer(response)


def _answer(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.errorhandler(429)
def _too_many_downloads(error):
    """The error page says why, and when to come back (the limit's window is at most a minute by default)."""
    response = error_response(429, EXPORT_LIMITED)
    response.headers["Retry-After"] = "60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
