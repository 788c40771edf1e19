"""Plain-text input rules shared by every form and service: what a one-line field and a longer text may
contain, how they are tidied, and the messages that refuse them."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l

from civic.core.rules import RuleError

# Control characters (NUL included) and the bidirectional overrides and isolates
# that can make a name read differently from what it is ("Trojan Source").
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def normalise_line(value: str | None) -> str:
    """NFC-normalised, with surrounding and repeated inner whitespace collapsed."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", value).split())


def has_forbidden_characters(value: str | None) -> bool:
    return bool(value) and bool(_FORBIDDEN.search(value))


def slugify(value: str, max_length: int = 80) -> str:
    """ASCII slug for URLs: "Cava de' Tirreni" -> "cava-de-tirreni"."""
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:max_length].rstrip("-") or "n"


NOT_ALLOWED = _l("This field contains characters that are not allowed.")


def too_short(minimum: int):
    return _l("Enter at least %(num)d characters.", num=minimum)


def too_long(maximum: int, got: int):
    return _l("Enter at most %(num)d characters (you entered %(got)d).", num=maximum, got=got)


Refusal = Callable[[Any, str], Exception]


def _bounded(text: str, field: str, missing: Any, minimum: int, maximum: int, error: Refusal) -> str:
    if not text:
        if missing is not None:
            raise error(missing, field)
        return text
    if len(text) < minimum:
        raise error(too_short(minimum), field)
    if len(text) > maximum:
        raise error(too_long(maximum, len(text)), field)
    return text


def checked_line(value: str | None, field: str, *, maximum: int, missing: Any = None, minimum: int = 0,
                 error: Refusal = RuleError) -> str:
    """A one-line text (a title, a name): control and direction characters refused, whitespace tidied
    (`normalise_line`), then `missing` (the message when empty; None: it may be empty, "" is returned)
    and the length bounds. A refusal is `error(message, field)`: the domain's RuleError."""
    raw = value or ""
    if has_forbidden_characters(raw):
        raise error(NOT_ALLOWED, field)
    return _bounded(normalise_line(raw), field, missing, minimum, maximum, error)


def checked_text(value: str | None, field: str, *, maximum: int, missing: Any = None, minimum: int = 0,
                 error: Refusal = RuleError, controls: bool = True) -> str:
    """A longer text (a description, a comment, a reason): browsers' CRLF line breaks as LF, surrounding
    whitespace stripped; NUL refused, and with `controls` the other control and direction characters
    except line breaks and tabs; then `missing` and the length bounds as for `checked_line`."""
    text = (value or "").replace("\r\n", "\n").strip()
    if "\x00" in text or (controls and has_forbidden_characters(text.replace("\n", " ").replace("\t", " "))):
        raise error(NOT_ALLOWED, field)
    return _bounded(text, field, missing, minimum, maximum, error)
