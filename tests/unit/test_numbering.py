from datetime import UTC, datetime

import pytest

from manifest.errors import ValidationFailed
from manifest.numbering import city_of, format_number, issue_year, parse_number
from manifest.regions import covers, region_prefix


def test_number_format():
    assert format_number(2026, "4407", 123) == "20264407000123"
    assert parse_number("20264407000123") == (2026, "4407", 123)
    assert city_of("440703") == "4407"


@pytest.mark.parametrize("bad", ["2026440700012", "2026440700000a", "20264407000000", ""])
def test_bad_numbers(bad):
    with pytest.raises(ValidationFailed):
        parse_number(bad)


def test_serial_range():
    with pytest.raises(ValidationFailed):
        format_number(2026, "4407", 1_000_000)


def test_the_year_turns_in_china_time():
    # 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in Jiangmen.
    assert issue_year(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == 2027
    assert issue_year(datetime(2026, 12, 31, 15, 0, tzinfo=UTC)) == 2026


def test_region_coverage():
    assert region_prefix("440000") == "44" and region_prefix("440700") == "4407"
    assert covers(["440700"], "440703") and covers(["440000"], "440604")
    assert not covers(["440700"], "440604") and not covers(["440703"], "440704")
