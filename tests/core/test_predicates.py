"""Permissions as named predicates (civic/core/predicates.py): combinations, names, person-only predicates."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from civic.core.predicates import Predicate, predicate


@predicate
def is_tall(user):
    return user.height > 180


@predicate
def owns(user, thing):
    return thing.owner == user.name


ANNA = SimpleNamespace(name="anna", height=190)
BRUNO = SimpleNamespace(name="bruno", height=170)
BIKE = SimpleNamespace(owner="anna")


@pytest.mark.parametrize(("rule", "user", "expected"), [
    (is_tall & owns, ANNA, True),
    (is_tall & owns, BRUNO, False),
    (is_tall | owns, BRUNO, False),
    (~is_tall | owns, BRUNO, True),
    (~owns, BRUNO, True),
    (~(is_tall & owns), ANNA, False),
])
def test_combinations(rule, user, expected):
    assert rule(user, BIKE) is expected


def test_a_person_only_predicate_ignores_the_object():
    assert is_tall(ANNA) is True
    assert is_tall(ANNA, BIKE) is True
    assert is_tall.takes_object is False
    assert owns.takes_object is True


def test_names_say_what_is_checked():
    assert (is_tall & ~owns).name == "(is_tall & ~owns)"
    action = (is_tall | owns).named("can_ride", "Tall people and owners.")
    assert action.name == action.__name__ == "can_ride"
    assert action.__doc__ == "Tall people and owners."
    assert action(BRUNO, SimpleNamespace(owner="bruno")) is True


def test_and_stops_at_the_first_no():
    asked = []
    later = Predicate(lambda user, thing: asked.append(thing) or True, "later")
    assert (is_tall & later)(BRUNO, BIKE) is False
    assert asked == []


def test_the_domains_actions_are_predicates():
    from civic.accounts import permissions as accounts
    from civic.calls import permissions as calls
    from civic.posts import permissions as posts
    from civic.projects import permissions as projects

    for action in (accounts.can_moderate_city, accounts.can_use_moderation_desk, calls.can_manage_call,
                   calls.can_see_call, projects.can_manage, projects.can_import_projects, posts.can_edit):
        assert isinstance(action, Predicate)
