"""Instants: an upstream date-time is kept exactly when UTC can express it, and refused otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from gateway.instants import in_utc, parse_instant, representable

OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
EDGE_YEARS = st.sampled_from([1, 2, 9998, 9999])


def _by_conversion(moment: datetime) -> datetime | None:
    """The definition: a UTC equivalent exists (the conversion does not overflow)."""
    if in_utc(moment) is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@given(st.datetimes(timezones=st.none() | OFFSETS))
def test_representable_is_whether_utc_can_express_it(moment: datetime) -> None:
    assert representable(moment) == _by_conversion(moment)
    assert representable(moment) is None or representable(moment).tzinfo is not None  # type: ignore[union-attr]


@given(EDGE_YEARS, st.datetimes(timezones=OFFSETS))
def test_the_edges_of_the_calendar_are_converted_to_be_sure(year: int, moment: datetime) -> None:
    try:
        edge = moment.replace(year=year)
    except ValueError:  # 29 February
        return
    assert representable(edge) == _by_conversion(edge)


def test_instants_past_the_calendar_in_utc_are_refused() -> None:
    assert parse_instant("0001-01-01T00:30:00+01:00") is None  # 23:30 of year 0 in UTC
    assert parse_instant("9999-12-31T23:30:00-01:00") is None  # year 10000 in UTC
    assert parse_instant("0001-01-01T01:00:00+01:00") == datetime(1, 1, 1, tzinfo=UTC)
    assert parse_instant("2024-03-05T10:00:00") == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert parse_instant("2024-03-05T10:00:00+02:00") == datetime(
        2024, 3, 5, 10, tzinfo=timezone(timedelta(hours=2))
    )
