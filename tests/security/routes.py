"""The application's routes as concrete addresses, read from its URL map: the attack tests cover a new
route without naming it."""
from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def filled(rule, fill_id: str = "1") -> str:
    """The rule's address with its parts filled in: ids with `fill_id`, an `any(...)` with its first
    choice, any other part with a name that matches nothing."""
    def fill(match: re.Match) -> str:
        converter, arguments = match.group(1), match.group(2)
        if converter == "any":
            return arguments.split(",")[0].strip().strip("'\"")
        if converter == "int":
            return fill_id
        return "nothing-here"

    return _PLACEHOLDER.sub(fill, rule.rule)


def rules(app, methods: set[str]):
    """The rules answering any of `methods` (the static files aside)."""
    return [rule for rule in app.url_map.iter_rules() if rule.methods & methods and rule.endpoint != "static"]
