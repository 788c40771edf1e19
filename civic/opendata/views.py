"""/opendata: the list of datasets with their data dictionary, and the streamed files."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, stream_with_context

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


@bp.route("/opendata/<dataset>.<fmt>")
def export(dataset: str, fmt: str):
    if dataset not in DATASETS or fmt not in _FORMATS:
        abort(404)
    chunks, mimetype = _FORMATS[fmt]
    response = Response(stream_with_context(chunks(DATASETS[dataset])), content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{dataset}.{fmt}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
