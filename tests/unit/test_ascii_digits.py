"""Only the ASCII digits 0-9 are digits in what clients send: other scripts' digits (Arabic-
Indic ``١``, full-width ``９`` where no folding is meant) and superscripts (``²``) are refused
by every parser, never read as numbers and never a 500."""

from decimal import Decimal

import pytest

from gps.times import parse_time_ms
from manifest.catalogue import classify_s_category, validate_operation
from manifest.digits import is_ascii_digits, parse_ascii_int
from manifest.errors import ValidationFailed
from manifest.numbering import looks_like_number
from manifest.quantities import parse_decimal
from manifest.receipts import parse_arrival, parse_receipts
from manifest.regions import validate_region_code
from manifest.services.balance import parse_period
from manifest.uscc import make_uscc

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def test_ascii_digits_and_nothing_else():
    assert is_ascii_digits("0123456789")
    for text in ("", "١", "９", "²", "1_000", " 1", "+1", "-1", "1.0", None, 7):
        assert not is_ascii_digits(text), text
    assert parse_ascii_int("-42") == -42
    for text in ("١٢", "１２", "¹²", "1_2", " 12", "+12", "1" * 5000, "", "-"):
        assert parse_ascii_int(text) is None, text


def test_manifest_numbers_and_region_codes_take_ascii_digits_only():
    assert looks_like_number("20264407000123")
    assert not looks_like_number("20264407000123".translate(ARABIC))
    assert validate_region_code("440700") == "440700"
    with pytest.raises(ValidationFailed):
        validate_region_code("440700".translate(ARABIC))
    with pytest.raises(ValidationFailed):
        make_uscc("440700".translate(ARABIC), "MA5T00000")


def test_quantities_refuse_other_digits_and_separators():
    assert parse_decimal("12.5") == Decimal("12.5")
    for text in ("١٢", "１２", "1_000"):
        with pytest.raises(ValidationFailed):
            parse_decimal(text)


def test_codes_operations_and_periods_refuse_other_digits():
    with pytest.raises(ValidationFailed):
        classify_s_category("S٠٧")
    with pytest.raises(ValidationFailed):
        validate_operation("D١٠")
    assert validate_operation("D10") == "D10"
    with pytest.raises(ValidationFailed):
        parse_period("٢٠٢٦-٠٣")


def test_weighbridge_times_and_weights_refuse_other_digits():
    parse_arrival("2026/3/5 08:30")
    with pytest.raises(ValueError):
        parse_arrival("٢٠٢٦/٣/٥ ٠٨:٣٠")
    header = "ticket,plate,arrived_at,gross_kg,tare_kg,net_kg,manifest_number\n"
    records, errors = parse_receipts(
        header + "T1,粤J12345,2026-03-05 08:30,١٢٠٠٠,٤٠٠٠,٨٠٠٠,\n", fmt="csv"
    )
    assert records == [] and {e.field for e in errors} >= {"gross_kg", "tare_kg", "net_kg"}


def test_weighbridge_json_with_a_number_too_long_is_refused_not_a_crash():
    with pytest.raises(ValidationFailed):
        parse_receipts('[{"ticket": "T1", "net_kg": ' + "9" * 5000 + "}]", fmt="json")


def test_gps_times_refuse_other_digits():
    assert parse_time_ms("2026-03-05T08:30:00Z") > 0
    with pytest.raises(ValueError):
        parse_time_ms("2026-03-05T08:30:00Z".translate(ARABIC))
    with pytest.raises(ValueError):
        parse_time_ms("2026-03-05T08:30:00Z".translate(SUPERSCRIPT))
