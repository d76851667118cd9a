"""The county's clock (cases/localtime.py): dates are Beijing time's, whatever zone is active."""

from datetime import UTC, date, datetime

from django.utils import timezone

from cases.localtime import local_date, local_time

NEW_YEAR_IN_BEIJING = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 2027-01-01 00:30 in Beijing


def test_an_instant_after_midnight_in_beijing_is_the_next_day():
    assert local_date(NEW_YEAR_IN_BEIJING) == date(2027, 1, 1)
    assert local_time(NEW_YEAR_IN_BEIJING).strftime("%Y-%m-%d %H:%M") == "2027-01-01 00:30"


def test_the_county_clock_ignores_a_zone_activated_for_a_request():
    with timezone.override("UTC"):
        assert timezone.localdate(NEW_YEAR_IN_BEIJING) == date(2026, 12, 31)
        assert local_date(NEW_YEAR_IN_BEIJING) == date(2027, 1, 1)


def test_today_is_the_county_date_even_where_another_zone_is_still_yesterday(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NEW_YEAR_IN_BEIJING)
    with timezone.override("UTC"):
        assert timezone.localdate() == date(2026, 12, 31)
        assert local_date() == date(2027, 1, 1)
