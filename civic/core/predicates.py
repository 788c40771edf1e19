"""Permissions as small named predicates, combined per action with `&`, `|` and `~` (adhocracy4's rules).

A predicate answers a question about the acting person, and about the object acted on when it is
given: `is_admin(user)`, `is_author(user, post)`. Each domain's `permissions.py` writes its questions
with `@predicate` and defines its actions by combining them::

    can_edit = (is_author & ~is_hidden & is_published).named("can_edit")

Combined predicates are called like the plain functions they replace, `can_edit(user, post)`, by views,
templates (as Jinja globals) and the API alike, and answer True or False. A predicate that asks only
about the person ignores the object, so both kinds combine. `name` says what a combination checks
(shown in tests and when debugging).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


class Predicate:
    """A yes/no question about a person (and an object); callable as `pred(user)` or `pred(user, obj)`."""

    def __init__(self, test: Callable[..., Any], name: str | None = None, *, takes_object: bool | None = None):
        self.test = test
        self.name = name or getattr(test, "__name__", "predicate")
        self.__name__ = self.name
        self.__doc__ = getattr(test, "__doc__", None)
        if takes_object is None:
            takes_object = _positional_count(test) > 1
        self.takes_object = takes_object

    def __call__(self, user: Any, *args: Any) -> bool:
        if not self.takes_object:
            return bool(self.test(user))
        return bool(self.test(user, *args))

    def __and__(self, other: Predicate) -> Predicate:
        return Predicate(lambda user, *args: self(user, *args) and other(user, *args),
                         f"({self.name} & {other.name})", takes_object=True)

    def __or__(self, other: Predicate) -> Predicate:
        return Predicate(lambda user, *args: self(user, *args) or other(user, *args),
                         f"({self.name} | {other.name})", takes_object=True)

    def __invert__(self) -> Predicate:
        return Predicate(lambda user, *args: not self(user, *args), f"~{self.name}", takes_object=True)

    def named(self, name: str, doc: str | None = None) -> Predicate:
        """The same question under the name of the action it decides (`can_edit`)."""
        renamed = Predicate(self.test, name, takes_object=self.takes_object)
        renamed.__doc__ = doc or self.__doc__
        return renamed

    def __repr__(self) -> str:
        return f"<Predicate {self.name}>"


def predicate(test: Callable[..., Any]) -> Predicate:
    """Decorator: a function of (user) or (user, obj) that answers yes or no, as a combinable predicate."""
    return Predicate(test)


def _positional_count(test: Callable[..., Any]) -> int:
    try:
        parameters = inspect.signature(test).parameters.values()
    except (TypeError, ValueError):
        return 2
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return 2
    return sum(1 for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
