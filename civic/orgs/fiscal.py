"""Italian identifiers of an entity: the codice fiscale of an organisation and its partita IVA.

Both are 11 digits for an entity (legal persons and associations) and end with the same check
digit: the digits in odd positions are added as they are, those in even positions are doubled
(minus 9 when the double is above 9), and the check digit is what brings the sum to a multiple
of 10. A person's 16-character codice fiscale is not an entity's and is refused with its own message.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from civic.core.rules import RuleError

LENGTH = 11
_SEPARATORS = re.compile(r"[\s.\-/]")
_PERSONAL = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")


class FiscalError(RuleError):
    """A codice fiscale or a partita IVA that cannot be right (422, shown next to the field)."""


def check_digit(first_ten: str) -> int:
    """The 11th digit of a number whose first ten digits are given."""
    if len(first_ten) != LENGTH - 1 or not (first_ten.isascii() and first_ten.isdigit()):
        raise ValueError("ten ASCII digits expected")
    total = 0
    for position, char in enumerate(first_ten, start=1):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def is_valid_number(value: str) -> bool:
    """True for 11 ASCII digits whose last one is the check digit of the first ten."""
    return (len(value) == LENGTH and value.isascii() and value.isdigit()
            and check_digit(value[:-1]) == int(value[-1]))


def _clean(raw: str | None) -> str:
    return _SEPARATORS.sub("", raw or "").upper()


def normalise_codice_fiscale(raw: str | None, field: str = "codice_fiscale") -> str:
    """The entity's codice fiscale as 11 digits (spaces and dots removed), or FiscalError saying what is wrong."""
    value = _clean(raw)
    if not value:
        raise FiscalError(_l("Enter the codice fiscale of the organisation."), field)
    if _PERSONAL.match(value):
        raise FiscalError(_l("This is the codice fiscale of a person: enter the organisation's own, "
                             "which has 11 digits."), field)
    if not (value.isascii() and value.isdigit()):
        raise FiscalError(_l("The codice fiscale of an organisation is made of digits only (11 digits)."), field)
    if len(value) != LENGTH:
        raise FiscalError(_l("The codice fiscale of an organisation has 11 digits (you entered %(got)d).",
                             got=len(value)), field)
    if not is_valid_number(value):
        raise FiscalError(_l("This codice fiscale is not valid: its last digit does not match the others. "
                             "Check it for a typing error."), field)
    return value


def normalise_partita_iva(raw: str | None, field: str = "partita_iva") -> str | None:
    """The partita IVA as 11 digits (an optional leading "IT" removed), None when empty, or FiscalError."""
    value = _clean(raw)
    if value.startswith("IT"):
        value = value[2:]
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise FiscalError(_l("The partita IVA is made of digits only (11 digits)."), field)
    if len(value) != LENGTH:
        raise FiscalError(_l("The partita IVA has 11 digits (you entered %(got)d).", got=len(value)), field)
    if not is_valid_number(value):
        raise FiscalError(_l("This partita IVA is not valid: its last digit does not match the others. "
                             "Check it for a typing error."), field)
    return value
