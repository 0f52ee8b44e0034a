"""The calendar feed's subscription link (`calendarFeed`)."""

from __future__ import annotations

import strawberry


@strawberry.type(
    description="A link a calendar app subscribes to: the events of one `EventFilter` as an iCalendar "
    "(RFC 5545) feed at `/calendar.ics`, refreshed by the app on its own schedule. Anyone holding the "
    "link can read the titles, times, descriptions, places and links of the events it selects (and "
    "nothing else) until the key that signed it is removed from `GATEWAY_FEED_SECRET`: share it like "
    "a password."
)
class CalendarFeed:
    url: str = strawberry.field(
        description="The feed's absolute `https://` (or `http://`) URL, the filter in its query and, when "
        "signed, its signature (`sig`). Paste it into Google Calendar (Other calendars → From URL), "
        "Outlook (Add calendar → Subscribe from web) or Thunderbird (New calendar → On the network)."
    )
    webcal_url: str = strawberry.field(
        description="The same feed with the `webcal://` scheme: opening it starts Apple Calendar's or "
        "Outlook's subscribe dialog."
    )
    signed: bool = strawberry.field(
        description="Whether the URL carries a signature. False only when the gateway has neither API keys "
        "nor `GATEWAY_FEED_SECRET`: then the feed is open to anyone who can reach the gateway anyway."
    )
