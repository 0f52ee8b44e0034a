"""The `DateTime` and `Date` scalars write exactly what `isoformat()` writes, whichever way they do it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from strawberry.types.scalar import ScalarDefinition

from schema.scalars import DATE, DATETIME

ZONES = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=2)),
        timezone(timedelta(hours=-5, minutes=-30)),
        timezone(timedelta(seconds=3601)),  # an offset with seconds
        ZoneInfo("Europe/Berlin"),
        ZoneInfo("America/New_York"),  # local mean time (seconds) before 1883
    ]
)


def _written(scalar: ScalarDefinition, value: Any) -> Any:
    serialize = scalar.serialize
    assert serialize is not None
    return serialize(value)


@given(st.datetimes(timezones=ZONES))
def test_an_instant_is_written_as_isoformat_writes_it(moment: datetime) -> None:
    assert _written(DATETIME, moment) == moment.isoformat()


@given(st.datetimes(timezones=st.just(UTC)))
def test_a_utc_instant_is_written_as_isoformat_writes_it(moment: datetime) -> None:
    assert _written(DATETIME, moment) == moment.isoformat()


@given(st.dates())
def test_a_day_is_written_as_isoformat_writes_it(day: date) -> None:
    assert _written(DATE, day) == day.isoformat()


def test_a_datetime_subclass_keeps_its_own_isoformat() -> None:
    class Shouting(datetime):
        def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
            return super().isoformat(sep, timespec).upper() + "!"

    moment = Shouting(2024, 3, 5, 10, tzinfo=UTC)
    assert _written(DATETIME, moment) == "2024-03-05T10:00:00+00:00!"
