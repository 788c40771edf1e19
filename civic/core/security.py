"""Security headers sent with every response; requests for another host name refused before the app."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.sansio.utils import host_is_trusted

from civic.core.errors import abort_with

# Scripts and styles come only from this site: no inline code of any kind.
# Bootstrap Italia's fonts are declared in static/css/fonts.css for that reason.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def register(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_in_address():
        # PostgreSQL cannot compare text with NUL bytes: refuse them at the door, with a
        # clear message, rather than fail deep in a query. Form fields have their own validators.
        if "\x00" in request.path or any("\x00" in value for value in request.args.values()):
            abort_with(400, _("The address contains characters that are not allowed."))

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            # Pages can show personal data: never keep them in shared caches.
            headers.setdefault("Cache-Control", "no-store")
        return response


class TrustedHostsOnly:
    """Answer 400 before anything else to a request for a host name that is not the site's (TRUSTED_HOSTS,
    read at each request), so that no page, redirect or hook ever sees a Host header chosen by the sender.
    Inside ProxyFix: behind a proxy, the host checked is the one the proxy forwarded."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        trusted = self.app.config.get("TRUSTED_HOSTS")
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        if trusted and not host_is_trusted(host, trusted):
            # Before the app: no template or translation yet, so the one sentence in both languages.
            error = BadRequest("Questo sito non risponde a questo nome di host. / "
                               "This site does not answer for this host name.")
            self.app.logger.warning("request for an untrusted host refused", extra={"host": host[:100]})
            return error(environ, start_response)
        return self.wsgi_app(environ, start_response)
