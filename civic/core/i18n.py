"""Language choice: Italian by default, English complete; the choice is remembered."""
from __future__ import annotations

from flask import has_request_context, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

LANGUAGES = {"it": _l("Italiano"), "en": _l("English")}
# Each language names itself in the switcher, whatever the page's language.
LANGUAGE_NATIVE_NAMES = {"it": "Italiano", "en": "English"}
DEFAULT_LOCALE = "it"


def select_locale() -> str:
    """The signed-in user's preference, else the visitor's session, else Italian."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    return DEFAULT_LOCALE
