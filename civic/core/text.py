"""Plain-text input rules shared by every form: what a one-line field may contain."""
from __future__ import annotations

import re
import unicodedata

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
