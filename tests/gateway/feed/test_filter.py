"""`/calendar.ics`'s parameters: read strictly, and one canonical filter for every spelling of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.errors import BadUserInput
from gateway.feed.filter import FeedFilter, feed_filter, parse_feed_query

KNOWN = {"strigo", "schoology", "kona", "pretix"}


def parse(*items: tuple[str, str]) -> FeedFilter:
    return parse_feed_query(list(items), KNOWN).filter


def test_every_parameter_is_read() -> None:
    asked = parse_feed_query(
        [
            ("provider", "KONA"),
            ("provider", "pretix"),
            ("startsAfter", "2026-01-01T00:00:00+01:00"),
            ("startsBefore", "2026-02-01T00:00:00Z"),
            ("search", "Demo day"),
            ("sig", "abc"),
        ],
        KNOWN,
    )
    assert asked.filter == FeedFilter(
        providers=("kona", "pretix"),
        starts_after=datetime(2025, 12, 31, 23, tzinfo=UTC),
        starts_before=datetime(2026, 2, 1, tzinfo=UTC),
        search="Demo day",
    )
    assert asked.signature == "abc"


def test_spellings_of_one_filter_are_one_filter() -> None:
    one = parse(("provider", "pretix"), ("provider", "kona"), ("startsAfter", "2026-01-01T01:00:00+01:00"))
    other = parse(
        ("provider", "Kona"),
        ("provider", "PRETIX"),
        ("provider", "kona"),
        ("startsAfter", "2026-01-01T00:00:00Z"),
    )
    assert one == other
    assert one.canonical() == other.canonical()


def test_a_plus_sent_unencoded_still_reads_as_an_offset() -> None:
    # `?startsAfter=2026-01-01T09:00:00+09:00` typed by hand: the query decodes `+` to a space.
    assert parse(("startsAfter", "2026-01-01T09:00:00 09:00")).starts_after == datetime(
        2026, 1, 1, tzinfo=UTC
    )


def test_the_canonical_form_differs_for_every_part() -> None:
    forms = {
        FeedFilter().canonical(),
        FeedFilter(providers=("kona",)).canonical(),
        FeedFilter(search="kona").canonical(),
        FeedFilter(starts_after=datetime(2026, 1, 1, tzinfo=UTC)).canonical(),
        FeedFilter(starts_before=datetime(2026, 1, 1, tzinfo=UTC)).canonical(),
        FeedFilter(search="a\nprovider=kona").canonical(),
    }
    assert len(forms) == 6


@pytest.mark.parametrize(
    ("items", "field", "says"),
    [
        ([("providers", "kona")], "providers", "unknown parameter providers"),
        ([("provider", "eventbrite")], "provider", "'eventbrite' is not one of"),
        ([("startsAfter", "tomorrow")], "startsAfter", "not an ISO 8601 date-time"),
        ([("startsAfter", "2026-01-01T00:00:00")], "startsAfter", "has no UTC offset"),
        ([("startsBefore", "")], "startsBefore", "not an ISO 8601 date-time"),
        ([("search", "a"), ("search", "b")], "search", "more than once"),
        ([("sig", "a"), ("sig", "b")], "sig", "more than once"),
        (
            [("startsAfter", "2026-02-01T00:00:00Z"), ("startsBefore", "2026-01-01T00:00:00Z")],
            "startsBefore",
            "startsBefore must be after startsAfter",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_bad_parameter_is_refused_by_name(items: list[tuple[str, str]], field: str, says: str) -> None:
    with pytest.raises(BadUserInput) as refused:
        parse_feed_query(items, KNOWN)
    assert says in refused.value.message
    assert refused.value.field is not None
    assert field in refused.value.field


def test_instants_at_the_ends_of_time_are_clamped_not_a_crash() -> None:
    filter = feed_filter(starts_after=datetime.fromisoformat("0001-01-01T00:00:00+14:00"))
    assert filter.starts_after == datetime.min.replace(tzinfo=UTC)


def test_the_graphql_variables_name_providers_as_the_enum_does() -> None:
    filter = FeedFilter(providers=("kona",), search="x")
    assert filter.variables() == {"providers": ["KONA"], "search": "x"}
    assert filter.variables(["kona", "strigo"])["providers"] == ["KONA", "STRIGO"]
