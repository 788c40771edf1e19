"""/opendata: the list of datasets with their data dictionary, and the streamed files."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_babel import lazy_gettext as _l

from civic.core.errors import error_response
from civic.core.ratelimit import config_limit
from civic.extensions import limiter
from civic.opendata import slots
from civic.opendata.datasets import DATASETS, LICENCE, LICENCE_URL
from civic.opendata.formats import csv_chunks, json_chunks
from civic.territories.filters import FilterError

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


BUSY = _l("Many open-data files are being downloaded right now. Try again in a minute.")


@bp.route("/opendata/<dataset>.<fmt>")
@limiter.limit(config_limit("RATELIMIT_EXPORT"))
def export(dataset: str, fmt: str):
    """The file, streamed; narrowed by the API's filters of the same records (`?city=torino`), an unknown
    or repeated one refused with 400. At most OPENDATA_CONCURRENT_EXPORTS are sent at once (slots.py)."""
    if dataset not in DATASETS or fmt not in _FORMATS:
        abort(404)
    chosen = DATASETS[dataset]
    try:
        chosen.check_filters(request.args)
    except FilterError as error:
        return _answer(error_response(400, str(error)))
    slot = slots.take()
    if slot is None:
        busy = _answer(error_response(503, BUSY))
        busy.headers["Retry-After"] = "60"
        return busy
    chunks, mimetype = _FORMATS[fmt]
    args = request.args.copy()

    def sending():
        try:
            yield from chunks(chosen, args)
        finally:
            slot.release()

    response = Response(stream_with_context(sending()), content_type=mimetype)
    response.call_on_close(slot.release)  # also when the download is cut short
    response.headers["Content-Disposition"] = f'attachment; filename="{dataset}.{fmt}"'
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
