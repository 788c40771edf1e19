"""Reading amounts typed with Italian or English separators (civic/projects/money.py)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale

from civic.projects.money import AmountError, format_amount, parse_amount


@pytest.fixture(autouse=True)
def _english_messages(app):
    """The messages checked here are the English ones (outside a request the default is Italian)."""
    with force_locale("en"):
        yield



@pytest.mark.parametrize("raw, expected", [
    ("1.234,56", "1234.56"), ("1,234.56", "1234.56"), ("1234.56", "1234.56"), ("1234,56", "1234.56"),
    ("1234", "1234.00"), ("0,5", "0.50"), ("€ 1.234.567,8", "1234567.80"), ("1.234.567", "1234567.00"),
    ("1,234,567.89", "1234567.89"), ("1 234,56", "1234.56"), ("12,3", "12.30"), ("2.518.685,23", "2518685.23"),
])
def test_accepted(raw, expected):
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw, message", [
    ("", "Enter an amount in euro."),
    ("-5", "without a sign"),
    ("1,234", "ambiguous"),
    ("1.234", "ambiguous"),
    ("12,345", "ambiguous"),
    ("1,2345", "two decimals"),
    ("1.5555", "two decimals"),
    ("12.34,5", "grouped wrongly"),
    ("1.23.456", "grouped wrongly"),
    ("1,234,56", "grouped wrongly"),
    ("1.234,56.7", "one decimal separator"),
    ("12a", "digits only"),
    ("1e5", "digits only"),
    (",5", "digits only"),
    ("9999999999999", "too large"),
])
def test_refused_with_a_clear_message(app, raw, message):
    with force_locale("en"), pytest.raises(AmountError) as error:
        parse_amount(raw)
    assert message in str(error.value.message)


def test_format_amount():
    assert format_amount(Decimal("1234567.5")) == "1.234.567,50"
    assert parse_amount(format_amount(Decimal("1234.5"))) == Decimal("1234.50")
