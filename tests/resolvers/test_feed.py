"""`calendarFeed`: an absolute, canonical, signed link, never built from a hostile `Host`."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest

from gateway.feed.filter import feed_filter
from gateway.feed.signing import FeedSigner
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

QUERY = "query($filter: EventFilter) { calendarFeed(filter: $filter) { url webcalUrl signed } }"
SECRET = "feed_secret_1"


async def test_the_url_holds_the_canonical_filter_and_its_signature(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, gateway_feed_secret=SECRET)) as gateway:
        filter = {
            "providers": ["PRETIX", "KONA", "PRETIX"],
            "startsAfter": "2026-01-01T09:00:00+09:00",
            "search": "Demo & Day, 東京",
        }
        feed = (await gateway.data(QUERY, {"filter": filter}))["calendarFeed"]
    parts = urlsplit(feed["url"])
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "gateway.test", "/calendar.ics")
    canonical = feed_filter(["kona", "pretix"], datetime(2026, 1, 1, tzinfo=UTC), None, "Demo & Day, 東京")
    assert parse_qsl(parts.query) == [
        ("provider", "kona"),
        ("provider", "pretix"),
        ("startsAfter", "2026-01-01T00:00:00Z"),
        ("search", "Demo & Day, 東京"),
        ("sig", FeedSigner([SECRET]).sign(canonical)),
    ]
    assert feed["webcalUrl"] == "webcal://" + feed["url"].removeprefix("http://")
    assert feed["signed"] is True


async def test_gateway_public_url_wins_over_the_host(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox, gateway_public_url="https://events.example.com/gw/")
    async with running_gateway(settings) as gateway:
        body = await gateway.query(QUERY, headers={"Host": "attacker.example"})
    assert body["data"]["calendarFeed"]["url"] == "https://events.example.com/gw/calendar.ics"


@pytest.mark.parametrize(
    "host",
    [
        "evil.example/phish?x=",
        "user:pass@evil.example",
        "evil.example#frag",
        "evil example",
        "evil.example:99999999",
        "evil.example:99999",
        "evil.example:0",
        "",
    ],
)
async def test_a_host_that_is_not_a_host_name_is_refused(gateway: Gateway, host: str) -> None:
    body = await gateway.query(QUERY, headers={"Host": host})
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "GATEWAY_PUBLIC_URL" in error["message"]


@pytest.mark.parametrize(
    "host", ["events.example.com", "events.example.com:8443", "127.0.0.1:8000", "[::1]:8000"]
)
async def test_a_plain_host_is_used(gateway: Gateway, host: str) -> None:
    body = await gateway.query(QUERY, headers={"Host": host})
    assert body["data"]["calendarFeed"]["url"] == f"http://{host}/calendar.ics"


async def test_a_window_that_ends_before_it_starts_is_bad_user_input(gateway: Gateway) -> None:
    filter = {"startsAfter": "2026-02-01T00:00:00Z", "startsBefore": "2026-01-01T00:00:00Z"}
    body = await gateway.query(QUERY, {"filter": filter})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == ["filter", "startsBefore"]
