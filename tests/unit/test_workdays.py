from datetime import UTC, date, datetime

import pytest

from manifest.errors import ValidationFailed
from manifest.local_time import CHINA
from manifest.workdays import (
    CN_EXTRA_WORKDAYS_2025_2026,
    CN_HOLIDAYS_2025_2026,
    WorkCalendar,
    parse_holidays,
)

plain = WorkCalendar()


def test_weekdays_work_and_weekends_do_not():
    assert plain.is_workday(date(2026, 3, 6))  # Friday
    assert not plain.is_workday(date(2026, 3, 7))  # Saturday
    assert not plain.is_workday(date(2026, 3, 8))  # Sunday


def test_five_working_days_after_a_friday_delivery_end_with_the_next_friday():
    delivered = datetime(2026, 3, 6, 10, 0, tzinfo=CHINA)  # Friday 10:00 in Jiangmen
    deadline = plain.add_workdays(delivered, 5)
    # End of Friday 13 March local time = 00:00 +08:00 on Saturday 14 = 16:00 UTC on the 13th.
    assert deadline == datetime(2026, 3, 13, 16, 0, tzinfo=UTC)
    assert deadline.tzinfo is UTC
    assert plain.add_workdays(date(2026, 3, 6), 5) == date(2026, 3, 13)


def test_the_event_day_is_taken_in_local_time():
    # 20:00 UTC on Friday is already Saturday 04:00 in Shanghai: the count starts after Saturday.
    late_friday_utc = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
    assert plain.add_workdays(late_friday_utc, 1) == datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    # An event on Saturday counts from Monday.
    assert plain.add_workdays(date(2026, 3, 7), 1) == date(2026, 3, 9)


def test_zero_days_is_the_end_of_the_event_day():
    event = datetime(2026, 3, 6, 23, 59, tzinfo=CHINA)
    assert plain.add_workdays(event, 0) == datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    assert plain.add_workdays(date(2026, 3, 7), 0) == date(2026, 3, 7)


def test_a_configured_holiday_is_skipped():
    calendar = WorkCalendar(holidays=[date(2026, 3, 10)])
    assert not calendar.is_workday(date(2026, 3, 10))
    assert calendar.add_workdays(date(2026, 3, 6), 5) == date(2026, 3, 16)


def test_a_make_up_saturday_counts():
    calendar = WorkCalendar(extra_workdays=[date(2026, 3, 7)])
    assert calendar.is_workday(date(2026, 3, 7))
    assert calendar.add_workdays(date(2026, 3, 6), 1) == date(2026, 3, 7)
    assert calendar.add_workdays(date(2026, 3, 6), 5) == date(2026, 3, 12)


def test_a_date_cannot_be_both_holiday_and_working_day():
    with pytest.raises(ValueError, match="2026-03-07"):
        WorkCalendar(holidays=[date(2026, 3, 7)], extra_workdays=[date(2026, 3, 7)])


def test_spring_festival_2026():
    cn = WorkCalendar.china()
    # Holiday Sun 15 – Mon 23 Feb; Saturdays 14 and 28 Feb are make-up working days.
    assert cn.is_workday(date(2026, 2, 14))
    assert not any(cn.is_workday(date(2026, 2, d)) for d in range(15, 24))
    assert cn.is_workday(date(2026, 2, 28))
    delivered = datetime(2026, 2, 13, 15, 0, tzinfo=CHINA)  # Friday before the holiday
    # Working days after: Sat 14, Tue 24, Wed 25, Thu 26, Fri 27.
    assert cn.add_workdays(delivered, 5) == datetime(2026, 2, 27, 16, 0, tzinfo=UTC)
    assert cn.workdays_between(date(2026, 2, 13), date(2026, 2, 28)) == 6


def test_national_day_2025_and_its_make_up_days():
    cn = WorkCalendar.china()
    assert cn.is_workday(date(2025, 9, 28))  # Sunday worked
    assert not cn.is_workday(date(2025, 10, 8))
    assert cn.is_workday(date(2025, 10, 11))  # Saturday worked
    assert cn.add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_built_in_calendar_shape():
    assert len(CN_EXTRA_WORKDAYS_2025_2026) == 11
    assert all(d.weekday() >= 5 for d in CN_EXTRA_WORKDAYS_2025_2026)
    assert not CN_HOLIDAYS_2025_2026 & CN_EXTRA_WORKDAYS_2025_2026
    assert {d.year for d in CN_HOLIDAYS_2025_2026} == {2025, 2026}
    assert date(2025, 1, 1) in CN_HOLIDAYS_2025_2026
    assert date(2026, 10, 7) in CN_HOLIDAYS_2025_2026
    assert date(2026, 10, 8) not in CN_HOLIDAYS_2025_2026


def test_china_calendar_accepts_local_overrides():
    cn = WorkCalendar.china(holidays=[date(2027, 1, 1)], extra_workdays=[date(2026, 1, 3)])
    assert not cn.is_workday(date(2027, 1, 1))
    assert cn.is_workday(date(2026, 1, 3))  # configured make-up day wins over the built-in
    assert cn.tz == CHINA


def test_workdays_between_is_the_inverse_of_add_workdays():
    cn = WorkCalendar.china()
    start = date(2026, 4, 28)
    for n in range(0, 15):
        assert cn.workdays_between(start, cn.add_workdays(start, n)) == n
    assert cn.workdays_between(date(2026, 3, 13), date(2026, 3, 6)) == -5
    assert cn.workdays_between(date(2026, 3, 6), date(2026, 3, 6)) == 0


def test_bad_arguments():
    with pytest.raises(ValueError):
        plain.add_workdays(date(2026, 3, 6), -1)
    with pytest.raises(ValueError, match="time zone"):
        plain.add_workdays(datetime(2026, 3, 6, 10, 0), 5)


def test_parse_holidays():
    assert parse_holidays("2026-10-01,2026-10-02") == [date(2026, 10, 1), date(2026, 10, 2)]
    assert parse_holidays(" 2026-10-02 ; 2026-10-01\n2026-10-01 ") == [
        date(2026, 10, 1),
        date(2026, 10, 2),
    ]
    assert parse_holidays("2027-02-05..2027-02-07") == [
        date(2027, 2, 5),
        date(2027, 2, 6),
        date(2027, 2, 7),
    ]
    assert parse_holidays("") == [] and parse_holidays(None) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-10-01,2026-13-01", "'2026-13-01' is not a date"),
        ("tomorrow", "'tomorrow' is not a date"),
        ("2026-10-07..2026-10-01", "ends before it starts"),
    ],
)
def test_parse_holidays_names_the_bad_item(text, message):
    with pytest.raises(ValidationFailed, match=message) as info:
        parse_holidays(text, field="HWM_HOLIDAYS")
    assert list(info.value.errors) == ["HWM_HOLIDAYS"]
