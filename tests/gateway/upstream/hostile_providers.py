"""Each provider's event list served by the hostile upstream, in that provider's own envelope.

`stand(provider)` says where the provider's API sits on the hostile app (the settings that point
the gateway there); `serve_events` answers the list the federated `events` query reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from gateway.sandbox.pretix_state import ORGANIZERS
from tests.gateway.upstream.hostile_upstream import Hostile, Responder, json_reply, kona_event


@dataclass(frozen=True, slots=True)
class Stand:
    """Where one provider's API sits on the hostile upstream."""

    provider: str
    prefix: str

    def settings(self, hostile: Hostile) -> dict[str, str]:
        """The settings override that sends this provider's calls to the hostile upstream."""
        return {f"{self.provider}_base_url": hostile.url(self.prefix)}


STANDS = {
    "strigo": Stand("strigo", "/strigo/api/v1"),
    "schoology": Stand("schoology", "/schoology/v1"),
    "kona": Stand("kona", "/kona/api"),
    "pretix": Stand("pretix", "/pretix/api/v1"),
}

#: One well-formed event per provider, as its list sends it.
GOOD: dict[str, dict[str, Any]] = {
    "strigo": {"id": "HostileGood1", "name": "Good", "date_start": "2026-01-01T10:00:00.000Z"},
    "schoology": {"id": 990001, "title": "Good", "start": "2026-01-01 10:00:00", "has_end": 0},
    "kona": kona_event(990001, name="Good"),
    "pretix": {"slug": "good", "name": {"en": "Good"}, "date_from": "2026-01-01T10:00:00Z"},
}

#: One event per provider with a usable id (and pretix's start) but every other field of the
#: wrong type, and dates at the ends of what `datetime` holds, offsets pushing them past.
JUNK: dict[str, dict[str, Any]] = {
    "strigo": {
        "id": "HostileJunk1", "name": {"a": 1}, "description": ["x"], "timezone": {},
        "date_start": "0001-01-01T00:00:00+14:00", "date_end": "9999-12-31T23:59:59-14:00",
        "owner": "nobody", "availability": ["public"], "include_chat": "yes", "tas": 5,
        "trainees": "abc", "labels": {"x": 1}, "class_id": {"x": 1}, "status": 7,
        "event_link": 3.5, "token": [], "partner_id": {}, "is_recorded": 1,
    },
    "schoology": {
        "id": "990002", "title": {"x": 1}, "description": [], "start": "0001-01-01 00:00:00",
        "end": 5, "has_end": "9" * 5000, "all_day": {}, "rsvp": "9" * 5000, "links": "x",
        "type": ["event"], "editable": {}, "web_url": [], "comments_enabled": [],
    },
    "kona": {
        "id": 990002, "name": ["n"], "start_at": 1e20, "end_at": -1e20, "tags": 7, "status": [1],
        "visibility": "2", "space_id": "3", "creator_id": 1.5, "sel_days": {"a": 1},
        "external_object": {"id": {}, "name": "x"}, "details": {}, "all_day": "true",
        "series_end_at": True, "created_at": 1e30, "num_in_series": 2**40, "href": [],
    },
    "pretix": {
        "slug": "junk", "name": "not-a-dict", "date_from": "0001-01-01T00:00:00+00:00",
        "date_to": "9999-12-31T23:59:59-14:00", "date_admission": "0001-01-01T00:00:00+14:00",
        "live": "no", "currency": {"x": 1}, "location": 5, "geo_lat": "1", "seating_plan": True,
        "best_availability_state": 1e300, "plugins": "x", "timezone": [], "public_url": {},
        "meta_data": "x", "limit_sales_channels": 5,
    },
}  # fmt: skip

#: One event per provider without the id (pretix: the slug) that identifies it.
NO_ID: dict[str, dict[str, Any]] = {
    provider: {key: value for key, value in event.items() if key not in ("id", "slug")}
    for provider, event in GOOD.items()
}


def serve_events(hostile: Hostile, provider: str, items: list[dict[str, Any]]) -> None:
    """Answer the provider's event list with `items` (the first realm or organizer gets them)."""
    prefix = STANDS[provider].prefix
    if provider == "strigo":
        hostile.on("GET", f"{prefix}/events", json_reply({"result": "success", "data": items}))
    elif provider == "kona":
        hostile.on("GET", f"{prefix}/calendar_events", json_reply({"calendar_events": items}))
    elif provider == "pretix":
        for index, organizer in enumerate(ORGANIZERS):
            results = items if index == 0 else []
            page = {"count": len(results), "next": None, "results": results}
            hostile.on("GET", f"{prefix}/organizers/{organizer}/events/", json_reply(page))
    else:
        hostile.on("POST", f"{prefix}/multiget", _multiget(items))


def _multiget(items: list[dict[str, Any]]) -> Responder:
    async def respond(request: web.Request) -> web.StreamResponse:
        asked = orjson.loads(await request.read())["request"]
        bodies = [{"event": items if index == 0 else [], "total": len(items) if index == 0 else 0}
                  for index in range(len(asked))]  # fmt: skip
        answer = {"response": [{"response_code": 200, "body": body} for body in bodies]}
        return web.json_response(answer)

    return respond
