"""The one text check every service and form uses (civic/core/text.py): what is refused, with which message."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from civic.core.rules import RuleError
from civic.core.text import checked_line, checked_text


class DomainError(RuleError):
    pass


def refusal(call) -> tuple[str, str]:
    with pytest.raises(DomainError) as caught:
        call()
    return str(caught.value.message), caught.value.field


def test_a_line_is_tidied_and_bounded(app):
    with app.test_request_context(), force_locale("en"):
        assert checked_line("  Piazza   del  Duomo ", "title", maximum=50, error=DomainError) == "Piazza del Duomo"
        assert checked_line("", "title", maximum=50, error=DomainError) == ""
        assert refusal(lambda: checked_line("ab", "title", maximum=50, minimum=3, error=DomainError)) == (
            "Enter at least 3 characters.", "title")
        assert refusal(lambda: checked_line("x" * 12, "title", maximum=10, error=DomainError)) == (
            "Enter at most 10 characters (you entered 12).", "title")
        assert refusal(lambda: checked_line("", "title", maximum=10, missing="Give a title.", error=DomainError)) == (
            "Give a title.", "title")
        assert refusal(lambda: checked_line("a\u202eb", "title", maximum=10, error=DomainError)) == (
            "This field contains characters that are not allowed.", "title")


def test_a_text_keeps_its_lines_and_refuses_nul(app):
    with app.test_request_context(), force_locale("en"):
        assert checked_text(" one\r\ntwo\tthree ", "body", maximum=50, error=DomainError) == "one\ntwo\tthree"
        assert refusal(lambda: checked_text("a\x00b", "body", maximum=50, error=DomainError))[0] == (
            "This field contains characters that are not allowed.")
        assert refusal(lambda: checked_text("a\x00b", "body", maximum=50, error=DomainError, controls=False))[0] == (
            "This field contains characters that are not allowed.")
        assert checked_text("a\x07b", "body", maximum=50, error=DomainError, controls=False) == "a\x07b"
        assert refusal(lambda: checked_text("a\x07b", "body", maximum=50, error=DomainError))[1] == "body"
        assert refusal(lambda: checked_text("line\r\n" * 3, "body", maximum=10, error=DomainError))[0] == (
            "Enter at most 10 characters (you entered 14).")
