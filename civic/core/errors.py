"""Error pages in the site's layout and language; a JSON body under /api/.

No stack trace ever reaches a visitor: unexpected errors are logged with the
request id, which the page shows so a report can be matched to the log.
"""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

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
        return error_response(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
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
        original = getattr(error, "original_exception", None) or error
        log.error("unhandled error", exc_info=(type(original), original, original.__traceback__))
        return error_response(500)
