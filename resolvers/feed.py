"""`calendarFeed`: the signed `/calendar.ics` link of an `EventFilter`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.errors import FeedNotConfigured, GatewayError
from gateway.feed.filter import feed_filter
from gateway.feed.links import feed_url, public_base, webcal
from gateway.feed.signing import FeedSigner
from gateway.request.context import Info
from resolvers.events import EventFilter
from schema.feed import CalendarFeed

NOT_CONFIGURED_MESSAGE = (
    "feed URLs cannot be signed on this gateway: API keys are on and calendar apps cannot send one, "
    "so the operator must set GATEWAY_FEED_SECRET"
)
CALLER_ONLY_MESSAGE = (
    "this gateway reads upstreams only with each caller's own credentials (GATEWAY_CREDENTIALS=caller), "
    "and a calendar app cannot send them: the feed needs service credentials (`service` or `both`)"
)


async def calendar_feed(
    info: Info,
    filter: Annotated[
        EventFilter | None,
        strawberry.argument(description="The events the feed holds: the same filter as `events(filter:)`."),
    ] = None,
) -> CalendarFeed:
    """The feed URL of `filter`, signed with the first `GATEWAY_FEED_SECRET` key when there is one."""
    context = info.context
    settings = context.settings
    given = filter or EventFilter()
    canonical = feed_filter(
        [str(provider.value) for provider in given.providers or ()],
        given.starts_after,
        given.starts_before,
        given.search,
    )
    if settings.gateway_credentials == "caller":
        raise FeedNotConfigured(CALLER_ONLY_MESSAGE)
    signer = FeedSigner([key.get_secret_value() for key in settings.gateway_feed_secret])
    if not signer.can_sign and settings.gateway_api_keys:
        raise FeedNotConfigured(NOT_CONFIGURED_MESSAGE)
    signature = signer.sign(canonical) if signer.can_sign else None
    request = context.request
    if request is None:  # only a change detector's poll runs without a caller, and it never asks this
        raise GatewayError("calendarFeed needs the caller's request to build its link")
    base = public_base(settings.gateway_public_url, request.url.scheme, request.headers.get("host"))
    url = feed_url(base, canonical, signature)
    return CalendarFeed(url=url, webcal_url=webcal(url), signed=signature is not None)
