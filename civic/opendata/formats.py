"""CSV (Italian conventions: `;`, decimal comma, dates YYYYMMDD, UTF-8 with BOM) and JSON, as generators."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date

from civic.opendata.datasets import Dataset

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "date" and isinstance(value, date):
        return value.strftime("%Y%m%d")
    if kind == "decimal":
        return str(value).replace(".", ",")
    text = str(value)
    if kind == "text" and text.startswith(_FORMULA_START):
        text = "'" + text  # a spreadsheet must not run a formula typed by a resident
    return text


def csv_chunks(dataset: Dataset, args=None) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([c.name for c in dataset.columns])
    yield "\ufeff" + flush()
    for i, row in enumerate(dataset.rows(args), 1):
        writer.writerow([_cell(row[c.name], c.kind) for c in dataset.columns])
        if i % 100 == 0:
            yield flush()
    yield flush()


def _json_value(value, kind: str):
    if kind == "date" and isinstance(value, date):
        return value.isoformat()
    return value


def json_chunks(dataset: Dataset, args=None) -> Iterator[str]:
    yield "["
    first = True
    for row in dataset.rows(args):
        record = {c.name: _json_value(row[c.name], c.kind) for c in dataset.columns}
        yield ("" if first else ",") + "\n" + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]\n"
