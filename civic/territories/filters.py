"""Filter values named in a query string (a city's slug, a theme's slug, a programme's code), read the
same way by every list that offers them: the API, the open data, the dashboard and search. An unknown
value is a FilterError, answered 400 with its message."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic.core.rules import RuleError
from civic.extensions import db
from civic.territories.models import City, Programme, Theme

SHOWN_MAX = 80  # characters of an unknown value repeated in the message


class FilterError(RuleError):
    """A filter that is not valid (answered 400 with the message)."""

    status = 400


def city(slug: str) -> City:
    found = db.session.scalar(select(City).where(City.slug == slug[:SHOWN_MAX]))
    if found is None:
        raise FilterError(_l("Unknown city: %(value)s.", value=slug[:SHOWN_MAX]))
    return found


def theme(slug: str) -> Theme:
    found = db.session.scalar(select(Theme).where(Theme.slug == slug[:SHOWN_MAX]))
    if found is None:
        raise FilterError(_l("Unknown theme: %(value)s.", value=slug[:SHOWN_MAX]))
    return found


def programme(code: str) -> Programme:
    found = db.session.scalar(select(Programme).where(Programme.code == code[:SHOWN_MAX]))
    if found is None:
        raise FilterError(_l("Unknown programme: %(value)s.", value=code[:SHOWN_MAX]))
    return found
