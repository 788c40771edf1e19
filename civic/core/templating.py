"""What every template can use: formatting per locale, the languages, the city selector.

The domains' own template globals (permissions, addresses, a call's voting note…) are added by the
app factory (civic/wiring.py, `register_template_globals`): this module names no domain, and the
header's list of cities comes from the function the factory passes in.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from flask import Flask, g, request, session
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from civic.core.i18n import LANGUAGE_NATIVE_NAMES, LANGUAGES


def flat_errors(errors) -> list[str]:
    """The messages of a field, also of a list of sub-forms (whose errors are dicts and lists)."""
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in flat_errors(value)]
    if isinstance(errors, (list, tuple)):
        return [m for value in errors for m in flat_errors(value)]
    return [str(errors)] if errors else []


def format_eur(amount: Decimal | float | int | None) -> str:
    if amount is None:
        return "—"
    return format_currency(amount, "EUR")


def register(app: Flask, *, header_cities: Callable[[], list]) -> None:
    """`header_cities()`: the cities of the header's selector (civic.territories.services.all_cities)."""
    app.jinja_env.filters.update(
        date=format_date,
        datetime=format_datetime,
        number=format_decimal,
        eur=format_eur,
    )
    app.jinja_env.filters["flat_errors"] = flat_errors
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _layout_context() -> dict:
        if request.endpoint == "static":
            return {}
        # The city being looked at, else the one chosen in the header, else the user's own.
        # A page under /cities/<slug> names it; a page of a city's content sets g.city_slug.
        on_city_page = request.url_rule is not None and request.url_rule.rule.startswith("/cities/<slug>")
        current_slug = g.get("city_slug") or ((request.view_args or {}).get("slug") if on_city_page else None)
        current_slug = current_slug or session.get("city")
        if not current_slug and current_user.is_authenticated and current_user.home_city is not None:
            current_slug = current_user.home_city.slug
        return {
            "languages": LANGUAGES,
            "language_names": LANGUAGE_NATIVE_NAMES,
            "current_locale": str(get_locale() or "it"),
            "header_cities": header_cities(),
            "current_city_slug": current_slug,
            "site_name": app.config["SITE_NAME"],
        }
