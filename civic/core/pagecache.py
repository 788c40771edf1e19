"""Pages kept for visitors who are not logged in, until what they show changes.

Most visits are anonymous, and an anonymous page is the same for everyone with the same address,
language and session choices (city, list order). Each worker keeps such pages in memory, each
with the content version it was built under (civic/core/content_version.py): a page is served
again only while the version is unchanged and for at most PAGE_CACHE_SECONDS (what depends on
the clock alone, such as a call's deadline, is at most that late). Forms in error, flashed messages,
streamed downloads and any response that changed the session are never kept.

A logged-in visitor's pages are kept only where the view says so (`kept_for_account`), for their
session alone: the key adds the account and its private state (what no content version follows,
such as unread notifications: see `account_state`). The account is loaded again for every request,
so a renewed session token or a block logs it out before any kept page is served; a change of role or
of moderated cities is a write that raises the version, so the permissions a page was built under
are those of the account when it is served.

A kept page is served after the rate limits of the application and of blueprints are counted, but
before the view and its own decorators run: a limit that must count every request of a page goes
on its blueprint (as for the search and the API), or the page must not be kept.

Every page carries the visitor's CSRF token in its language switch: it is kept as a placeholder
and each visitor gets their own token when the page is served.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import SQLAlchemyError

from civic.core import content_version
from civic.extensions import db

# The visitor's token in a kept page; never produced by the token generator (no "#" in its alphabet).
CSRF_PLACEHOLDER = b"#csrf-token#"
# The headers that belong to the page itself; the others are set again for every response.
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Link", "Last-Modified")
# Session entries that change nothing on an anonymous page: the CSRF token (put back per visitor), the
# mark Flask-Login sets on a session it did not start, and the visitor's random order, which only
# chooses where a list in that order redirects (civic/posts/views.py; redirects are never kept).
_SESSION_NOISE = frozenset({"csrf_token", "_fresh", "list_seed"})
_CACHEABLE_TYPES = frozenset({"text/html", "application/json"})
# The health check must ask the database every time.
_NEVER_KEPT = frozenset({None, "static", "core.health"})


@dataclass(frozen=True)
class KeptPage:
    version: int
    expires: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class PageCache:
    """A bounded, least-recently-used store of pages; safe for a worker's threads."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[tuple, KeptPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, version: int) -> KeptPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page.version != version or page.expires < time.monotonic():
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: KeptPage) -> None:
        if len(page.body) > self.max_bytes // 8:
            return  # one large page must not push out many small ones
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = page
            self.size += len(page.body)
            while self.size > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._pages)

    def _drop(self, key: tuple) -> None:
        self.size -= len(self._pages.pop(key).body)


_KEPT_FOR_ACCOUNTS = "kept_for_account"
# Each gives what an account's pages show that changes without raising the content version.
_account_states: list[Callable[[object], object]] = []


def kept_for_account(view: Callable) -> Callable:
    """The view's pages are kept for logged-in visitors too, each for their own session."""
    setattr(view, _KEPT_FOR_ACCOUNTS, True)
    return view


def account_state(reader: Callable[[object], object]) -> Callable[[object], object]:
    """Registers `reader(user)`: part of the key of every page kept for an account (one cheap query)."""
    if reader not in _account_states:
        _account_states.append(reader)
    return reader


def _session_choices() -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in session.items() if k not in _SESSION_NOISE))


def _may_be_kept() -> bool:
    """Whether the request is one whose page may be kept (read from the request alone)."""
    if request.method not in ("GET", "HEAD") or request.endpoint in _NEVER_KEPT or "_flashes" in session:
        return False
    if "_user_id" not in session:
        # A "remember me" cookie logs its owner in on the first look at current_user.
        return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies
    return getattr(current_app.view_functions.get(request.endpoint), _KEPT_FOR_ACCOUNTS, False)


def _visitor() -> tuple | None:
    """What the page depends on besides its address and the session: () for an anonymous visitor, the
    account and its private state for a logged-in one; None: the session's account is not valid."""
    if "_user_id" not in session:
        return ()
    user = current_user._get_current_object()  # loads the account, checking its session token
    if not user.is_authenticated:
        return None
    return (user.id, *(state(user) for state in _account_states))


def register(app: Flask) -> None:
    seconds = app.config.get("PAGE_CACHE_SECONDS", 0)
    if seconds <= 0:
        return
    cache = PageCache(app.config.get("PAGE_CACHE_MB", 32) * 1024 * 1024)
    app.extensions["page_cache"] = cache

    @app.before_request
    def _serve_kept_page():
        if not _may_be_kept():
            return None
        try:
            # Read before anything the page shows, the account included: a page built from an account
            # changed meanwhile is kept under the older number, which no later request will see.
            version = content_version.current()
            visitor = _visitor() if version is not None else None
        except SQLAlchemyError:
            db.session.rollback()
            return None  # the page itself meets the same failure and says so
        if visitor is None:
            return None
        # The host too: some pages and the API write absolute addresses.
        key = (request.host_url, request.full_path, _session_choices(), visitor)
        page = cache.get(key, version)
        if page is None:
            g.page_cache_entry = (key, version, _session_choices(), visitor)
            return None
        body = page.body.replace(CSRF_PLACEHOLDER, generate_csrf().encode()) if CSRF_PLACEHOLDER in page.body \
            else page.body
        response = Response(body, status=page.status, headers=list(page.headers))
        response.headers["X-Page-Cache"] = "hit"
        return response

    @app.after_request
    def _keep_page(response: Response) -> Response:
        entry = g.pop("page_cache_entry", None)
        if entry is None or response.status_code != 200 or response.is_streamed \
                or response.mimetype not in _CACHEABLE_TYPES:
            return response
        key, version, choices_before, visitor = entry
        # The page made the session differ (a message flashed, a choice remembered, a login…): it is
        # this visitor's own. The CSRF token alone is put back for each visitor.
        if _session_choices() != choices_before or (visitor == () and "_user_id" in session):
            return response
        body = response.get_data()
        token = g.get("csrf_token")
        if token:
            body = body.replace(token.encode(), CSRF_PLACEHOLDER)
        headers = tuple((name, value) for name, value in response.headers if name in _KEPT_HEADERS)
        cache.put(key, KeptPage(version, time.monotonic() + seconds, response.status_code, headers, body))
        response.headers["X-Page-Cache"] = "miss"
        return response
