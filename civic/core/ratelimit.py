"""Helpers for Flask-Limiter: limits read from the configuration, counted per account."""
from __future__ import annotations

from flask import current_app, g
from flask_limiter.util import get_remote_address
from flask_login import current_user

from civic.extensions import limiter

# The search's limit (RATELIMIT_SEARCH) is set on the search's blueprint and counted per address in
# one bucket per page; the similar needs and ideas shown while writing one are counted in the bucket
# of the page that answers them as one types (/search/similar).
SIMILAR_SEARCH_SCOPE = "search.similar"


def config_limit(key: str):
    """The limit string in app.config[key], read at request time (so tests and operators can change it)."""
    return lambda: current_app.config[key]


def per_account() -> str:
    """Signed-in users are counted per account, whatever their address; others per address."""
    if current_user and current_user.is_authenticated:
        return f"account:{current_user.id}"
    return f"address:{get_remote_address()}"


def count_this_attempt() -> None:
    """Count this request against its limit although its form is refused: a refusal that tells something
    (the address has an account) must not be asked without limit. Called by the service that refuses."""
    g.ratelimit_count_refusal = True


def completed(response) -> bool:
    """Count only requests that did something (a redirect after success), or whose refusal told something
    (`count_this_attempt`), not forms refused for a mistake."""
    return response.status_code in (302, 303) or bool(g.get("ratelimit_count_refusal"))


def count_similar_search() -> None:
    """Count a search for similar needs and ideas made elsewhere than /search/similar (the submission
    forms' "Look for similar ones first") in that page's limit, with the same key. Raises
    flask_limiter.RateLimitExceeded when the limit is reached."""
    with limiter.shared_limit(config_limit("RATELIMIT_SEARCH"), scope=SIMILAR_SEARCH_SCOPE):
        pass
