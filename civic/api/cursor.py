"""Opaque, signed cursors: the id of the last row of a page (lists are ordered by id, newest first)."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from civic.territories.filters import FilterError

_SALT = "api-cursor-v1"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def encode(last_id: int) -> str:
    return _serializer().dumps(last_id)


def decode(raw: str) -> int:
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        raise FilterError(_l("The cursor is not valid: use the next_cursor of a previous page.")) from None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise FilterError(_l("The cursor is not valid: use the next_cursor of a previous page."))
    return value


def limit_of(raw: str | None, default: int = 20, maximum: int = 100) -> int:
    if raw in (None, ""):
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= maximum:
        raise FilterError(_l("The parameter limit must be a whole number from 1 to %(max)d.", max=maximum))
    return int(raw)
