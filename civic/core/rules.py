"""The error types that services raise when a domain rule is broken: `RuleError` (422) and, for who acts
and when, `Forbidden` (403), `Conflict` (409) and `NotFound` (404). Views turn them into answers
(civic/core/forms.py shows a RuleError on its form field); every domain derives its own from these."""
from __future__ import annotations


class RuleError(ValueError):
    """A rule was broken. `message` is written for the user; `field` names the form field it concerns.

    `status` is the HTTP answer when it reaches a view: 422 (shown on the form), or 403 and 409
    for subclasses that are about who acts or when, not about what was typed.
    """

    status = 422

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class Forbidden(RuleError):
    """The person may not do this (403). Each domain's "…Forbidden" derives from it."""

    status = 403


class Conflict(RuleError):
    """Not now: the content changed meanwhile, or is in a state that does not allow it (409)."""

    status = 409


class NotFound(RuleError):
    """What the request names does not exist, or is hidden from this person (404)."""

    status = 404
