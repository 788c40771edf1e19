"""The codice fiscale and partita IVA of an entity: 11 digits ending with their check digit."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from civic.orgs import fiscal
from civic.orgs.fiscal import FiscalError, check_digit, normalise_codice_fiscale, normalise_partita_iva


@pytest.fixture(autouse=True)
def _english_messages(app):
    """The messages checked here are the English ones (outside a request the default is Italian)."""
    with force_locale("en"):
        yield



@pytest.mark.parametrize(("first_ten", "digit"), [
    ("0123456789", 7),  # 01234567897, the classic example of a valid partita IVA
    ("8001200082", 6),
    ("9700123456", 2),
    ("0000000000", 0),
    ("1234567890", 3),
])
def test_the_check_digit_follows_the_algorithm(first_ten, digit):
    assert check_digit(first_ten) == digit


def test_the_check_digit_by_hand():
    # 9 7 0 0 1 2 3 4 5 6: odd positions 9+0+1+3+5 = 18; even 7→14→5, 0, 2→4, 4→8, 6→12→3 = 20; 38 → 2
    assert check_digit("9700123456") == 2


def test_check_digit_refuses_what_is_not_ten_digits():
    for bad in ("123", "12345678901", "12345a7890", "１２３４５６７８９０"):
        with pytest.raises(ValueError):
            check_digit(bad)


@pytest.mark.parametrize("value", ["97001234562", "80012000826", "01234567897", "00000000000"])
def test_valid_numbers(value):
    assert fiscal.is_valid_number(value)
    assert normalise_codice_fiscale(value) == value
    assert normalise_partita_iva(value) == value


@pytest.mark.parametrize("raw", [" 970 012 345 62 ", "97.001.234.562", "97-001234562"])
def test_spaces_dots_and_dashes_are_removed(raw):
    assert normalise_codice_fiscale(raw) == "97001234562"


def test_the_partita_iva_may_start_with_the_country_code():
    assert normalise_partita_iva("IT01234567897") == "01234567897"
    assert normalise_partita_iva("it 01234567897") == "01234567897"


def test_an_empty_partita_iva_is_none():
    assert normalise_partita_iva("") is None
    assert normalise_partita_iva(None) is None
    assert normalise_partita_iva("   ") is None


@pytest.mark.parametrize(("raw", "message"), [
    ("", "Enter the codice fiscale of the organisation."),
    ("97001234563", "its last digit does not match"),  # wrong check digit
    ("97001234526", "its last digit does not match"),  # two digits swapped
    ("9700123456", "has 11 digits (you entered 10)"),
    ("970012345620", "has 11 digits (you entered 12)"),
    ("9700123456A", "digits only"),
    ("RSSMRA80A01H501U", "codice fiscale of a person"),
    ("٩٧٠٠١٢٣٤٥٦٢", "digits only"),  # Arabic-Indic digits are digits for Python, not for the tax office
])
def test_invalid_codici_fiscali_say_what_is_wrong(app, raw, message):
    with pytest.raises(FiscalError) as caught:
        normalise_codice_fiscale(raw)
    assert message in str(caught.value.message)
    assert caught.value.field == "codice_fiscale" and caught.value.status == 422


@pytest.mark.parametrize(("raw", "message"), [
    ("01234567898", "its last digit does not match"),
    ("0123456789", "has 11 digits (you entered 10)"),
    ("0123456789X", "digits only"),
])
def test_invalid_partite_iva_say_what_is_wrong(app, raw, message):
    with pytest.raises(FiscalError) as caught:
        normalise_partita_iva(raw)
    assert message in str(caught.value.message)
    assert caught.value.field == "partita_iva"
