"""Reading amounts of euro typed by people or found in open-data files.

Accepted: "1234.56", "1234,56", "1.234,56" (Italian), "1,234.56" (English), "1.234.567", "1 234,56",
an optional "€" and spaces. Refused with a clear message: more than two decimals, an amount where
a single separator followed by three digits could be thousands or decimals ("1.234", "1,234"),
misplaced groups, signs, letters. The future CSV import of OpenCoesione files uses it too.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from civic.core.rules import RuleError

MAX_AMOUNT = Decimal("999999999999.99")  # what Numeric(14, 2) holds


class AmountError(RuleError):
    """The amount typed cannot be read (422)."""


def _grouped(integer: str, sep: str) -> bool:
    return re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", integer) is not None


def parse_amount(raw: str | None, field: str | None = "amount") -> Decimal:
    """The amount as a Decimal with two decimals, or AmountError. Zero and negatives are the caller's rule."""
    text = (raw or "").replace("€", "").replace("\u00a0", " ").strip()
    text = text.replace(" ", "").replace("'", "")
    if not text:
        raise AmountError(_l("Enter an amount in euro."), field)
    if text.startswith(("-", "+")):
        raise AmountError(_l("Enter an amount greater than zero, without a sign."), field)
    if not re.fullmatch(r"[0-9.,]+", text) or not text[0].isdigit() or not text[-1].isdigit():
        raise AmountError(_l("Enter an amount in euro with digits only, e.g. 1.234,56 or 1234.56."), field)
    dots, commas = text.count("."), text.count(",")
    integer, decimals = text, ""
    if dots and commas:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        if text.count(decimal_sep) != 1:
            raise AmountError(_l("This amount cannot be read: use one decimal separator, e.g. 1.234,56."), field)
        integer, decimals = text.split(decimal_sep)
        if not _grouped(integer, group_sep):
            raise AmountError(_l("This amount cannot be read: the thousands are grouped wrongly."), field)
        integer = integer.replace(group_sep, "")
    elif dots or commas:
        sep = "." if dots else ","
        parts = text.split(sep)
        if len(parts) > 2:
            # Several of the same separator: only thousands groups.
            if not _grouped(text, sep):
                raise AmountError(_l("This amount cannot be read: the thousands are grouped wrongly."), field)
            integer = text.replace(sep, "")
        elif len(parts[1]) == 3:
            raise AmountError(_l("The amount \"%(value)s\" is ambiguous (thousands or decimals?): write it "
                                 "with the decimals, e.g. 1.234,00 or 1,23.", value=raw.strip()), field)
        else:
            integer, decimals = parts
    if len(decimals) > 2:
        raise AmountError(_l("Enter at most two decimals (cents)."), field)
    try:
        value = Decimal(f"{integer}.{decimals or '0'}").quantize(Decimal("0.01"))
    except InvalidOperation:
        raise AmountError(_l("Enter an amount in euro with digits only, e.g. 1.234,56 or 1234.56."), field) from None
    if value > MAX_AMOUNT:
        raise AmountError(_l("This amount is too large."), field)
    return value


def format_amount(value: Decimal | None) -> str:
    """Italian style, for forms: 1234.5 -> "1.234,50"."""
    if value is None:
        return ""
    text = f"{value:,.2f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
