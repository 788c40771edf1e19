"""Error pages in the site's layout and language; a JSON body under /api/.

No stack trace ever reaches a visitor: unexpected errors are logged with the
request id, which the page shows so a report can be matched to the log.

Every handler first ends a failed transaction, so the error page (its header reads the database) is
never refused by a session waiting for its rollback. A unique constraint violated by two requests that
both passed a service's check (two registrations with one address at the same moment) answers 409, in
one place, for whatever view it reaches; `core.forms` and `core.access` answer it on the form first.
"""
from __future__ import annotations

import logging
import re

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from civic.extensions import db

log = logging.getLogger("civic.errors")

TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Request too large"),
    422: _l("Invalid data"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}

MESSAGES = {
    400: _l("The request could not be understood. Go back, reload the page and try again."),
    403: _l("You do not have permission to do this."),
    404: _l("The page you are looking for does not exist or has been moved."),
    405: _l("This address does not accept this kind of request."),
    409: _l("The content changed while you were working on it. Reload the page and try again."),
    413: _l("What you sent is larger than the site accepts."),
    422: _l("Some of the data sent is not valid."),
    429: _l("You made too many attempts in a short time. Wait a minute and try again."),
    500: _l("An unexpected error occurred. It has been recorded and we will look into it."),
}

CSRF_MESSAGE = _l(
    "Your form has expired or was not sent from this site. Reload the page and submit it again."
)


DUPLICATE = _l("This has just been saved by another request, so it already exists. Reload the page to see it.")

_UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")
_POSTGRES_KEY = re.compile(r"Key \((.+?)\)=")


def is_unique_violation(error: BaseException) -> bool:
    """An IntegrityError whose cause is a unique constraint (or primary key) already holding the value."""
    if not isinstance(error, IntegrityError):
        return False
    cause = error.orig
    if getattr(cause, "sqlstate", None) == _UNIQUE_VIOLATION:
        return True
    return _SQLITE_UNIQUE.search(str(cause)) is not None


def duplicate_columns(error: IntegrityError) -> list[str]:
    """The columns of the violated constraint, as far as the database says (may be empty)."""
    cause = error.orig
    found = _SQLITE_UNIQUE.search(str(cause))
    if found:
        return [part.strip().rsplit(".", 1)[-1] for part in found.group(1).split(",")]
    detail = getattr(getattr(cause, "diag", None), "message_detail", None) or ""
    found = _POSTGRES_KEY.search(detail)
    return re.findall(r"[a-z_][a-z0-9_]*", found.group(1)) if found else []


def end_failed_transaction(*, always: bool = False) -> None:
    """Roll the session back when its transaction failed (or `always`), so what follows may read again."""
    try:
        if always or not db.session.is_active:
            db.session.rollback()
    except Exception:  # noqa: BLE001 - the database itself is gone: the bare page is answered then
        log.exception("the session could not be rolled back")


def wants_json() -> bool:
    return request.path.startswith("/api/")


def abort_with(code: int, message: str) -> None:
    """Stop the request with a message written for the user (shown as is)."""
    error = default_exceptions[code](description=str(message))
    error.civic_message = True
    raise error


def error_response(code: int, message: str | None = None):
    title = TITLES.get(code, TITLES[500])
    text = str(message or MESSAGES.get(code, MESSAGES[500]))
    if wants_json():
        body = {"error": {"status": code, "title": str(title), "message": text}}
        if "request_id" in g:
            body["error"]["request_id"] = g.request_id
        return make_response(jsonify(body), code)
    try:
        page = render_template("errors/error.html", code=code, title=title, message=text)
    except Exception:  # noqa: BLE001 - the layout itself failed (database down, for example)
        log.exception("error page could not be rendered in the layout")
        page = _bare_page(code, str(title), text)
    return make_response(page, code)


def _bare_page(code: int, title: str, message: str) -> str:
    """A page that needs nothing but this module: used when the layout cannot be built."""
    from markupsafe import escape

    return (
        '<!doctype html><html lang="it"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head><body><main>"
        f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
        f'<p><a href="/">{code} · Home</a></p></main></body></html>'
    )


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        end_failed_transaction()
        return error_response(400, CSRF_MESSAGE)

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError):
        end_failed_transaction(always=True)
        if not is_unique_violation(error):
            raise error  # a broken rule of the schema is a bug: the 500 below
        log.info("duplicate refused: %s", duplicate_columns(error))
        return error_response(409, DUPLICATE)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        end_failed_transaction()
        if error.code >= 500:
            return _server_error(error)
        # Messages written by this site's views (abort(403, msg)) are shown; Werkzeug's
        # own English descriptions are replaced by the translated ones above.
        custom = error.description if getattr(error, "civic_message", False) else None
        response = error_response(error.code, custom)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        if error.code == 429:
            response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(InternalServerError)
    def _server_error(error):
        end_failed_transaction(always=True)
        original = getattr(error, "original_exception", None) or error
        log.error("unhandled error", exc_info=(type(original), original, original.__traceback__))
        return error_response(500)
