"""The one error type that services raise when a domain rule is broken."""
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
