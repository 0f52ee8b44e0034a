"""A hostile Strigo and Kona for bench/attack.py: oversized, compressed and never-ending replies.

    python bench/hostile_upstream.py --port 9100     # then PUT /_mode/<mode> to choose the attack

Strigo's event list (`/strigo/api/v1/events`) answers by mode:
  `huge`  1 GB of JSON, streamed without a length (a valid list padded with whitespace);
  `bomb`  300 KB of gzip that inflates to 300 MB of JSON;
  `many`  a valid list of 250,000 events;
  else    a list of 110 events (as many as the sandbox's Strigo has).
Kona's event list (`/kona/api/calendar_events`) in mode `endless` always sends a full page of new
events, so a client paging until a short page never stops; else it sends an empty page.
`GET /_calls` counts the list requests received (per provider), so the bench can tell whether
calls go on after its client gave up.
"""

from __future__ import annotations

import argparse
import json
import zlib
from collections import Counter
from typing import Any

from aiohttp import web

STRIGO_EVENT: dict[str, Any] = {
    "availability": "public",
    "class_id": "tZAJh9YQNrAYWjjpt",
    "date_end": "2024-12-18T11:00:00.000Z",
    "date_start": "2024-12-18T09:00:00.000Z",
    "description": "Session 1 of Kubernetes Fundamentals.",
    "event_link": "https://app.strigo.io/event/L2kCf2yPtzWYpkimX",
    "id": "L2kCf2yPtzWYpkimX",
    "labels": ["kubernetes"],
    "name": "Kubernetes Fundamentals - Cohort 1",
    "owner": {"email": "dana.owner@strigo-sandbox.example", "id": "pBJfB7cpZYBxzsWMr"},
    "status": "ended",
    "tas": [],
    "trainees": [],
}
KONA_EVENT: dict[str, Any] = {
    "id": 1001,
    "name": "Design review",
    "location": "Room 1",
    "details": None,
    "all_day": False,
    "start_at": 1709280000000,
    "end_at": 1709281800000,
    "space_id": 201,
    "creator_id": 101,
    "status": 1,
    "visibility": 2,
    "stakeholder": 1,
    "default_role": 1,
    "tags": [],
    "updated_at": 1708819200000,
    "created_at": 1706659200000,
    "ics_feed_id": None,
    "external_object": None,
}
MEGABYTE = 1 << 20
HUGE_MEGABYTES = 1024
BOMB_MEGABYTES = 300
MANY_ITEMS = 250_000


def _strigo_list(items: list[dict[str, Any]]) -> bytes:
    return json.dumps({"result": "success", "data": items}).encode()


def _many_events(count: int) -> bytes:
    """A valid event list of `count` events with distinct ids, built as text (a list of dicts
    would take ten times the memory)."""
    rest = json.dumps({key: value for key, value in STRIGO_EVENT.items() if key != "id"})[1:]
    items = ",".join(f'{{"id": "evt{index:07d}", {rest}' for index in range(count))
    return f'{{"result": "success", "data": [{items}]}}'.encode()


def _gzip_bomb(megabytes: int) -> bytes:
    """A gzip body of a valid event list padded with `megabytes` MB of spaces (about 1,000 : 1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: the gzip container
    parts = [compressor.compress(_strigo_list([STRIGO_EVENT])[:-1])]  # without the closing brace
    block = b" " * MEGABYTE
    parts.extend(compressor.compress(block) for _ in range(megabytes))
    parts.append(compressor.compress(b"}"))
    parts.append(compressor.flush())
    return b"".join(parts)


class Hostile:
    """The server's state: the attack mode and the requests received."""

    def __init__(self) -> None:
        self.mode = "normal"
        self.calls: Counter[str] = Counter()
        self.bomb = _gzip_bomb(BOMB_MEGABYTES)
        self.many = _many_events(MANY_ITEMS)
        self.normal = _many_events(110)

    async def set_mode(self, request: web.Request) -> web.Response:
        self.mode = request.match_info["mode"]
        return web.json_response({"mode": self.mode})

    async def counts(self, request: web.Request) -> web.Response:
        return web.json_response(dict(self.calls))

    async def strigo_events(self, request: web.Request) -> web.StreamResponse:
        self.calls["strigo"] += 1
        if self.mode == "bomb":
            headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
            return web.Response(body=self.bomb, headers=headers)
        if self.mode == "many":
            return web.Response(body=self.many, content_type="application/json")
        if self.mode != "huge":
            return web.Response(body=self.normal, content_type="application/json")
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(_strigo_list([STRIGO_EVENT])[:-1])
        block = b" " * MEGABYTE
        for _ in range(HUGE_MEGABYTES):
            await response.write(block)
        await response.write(b"}")
        await response.write_eof()
        return response

    async def kona_events(self, request: web.Request) -> web.Response:
        self.calls["kona"] += 1
        if self.mode != "endless":
            return web.json_response({"calendar_events": []})
        page = int(request.query.get("page", "1"))
        size = int(request.query.get("per_page", "25"))
        first = page * size
        events = [{**KONA_EVENT, "id": first + index} for index in range(size)]
        return web.json_response({"calendar_events": events})


def create_app() -> web.Application:
    """The hostile upstream as an aiohttp app."""
    hostile = Hostile()
    app = web.Application()
    app.router.add_put("/_mode/{mode}", hostile.set_mode)
    app.router.add_get("/_calls", hostile.counts)
    app.router.add_get("/strigo/api/v1/events", hostile.strigo_events)
    app.router.add_get("/kona/api/calendar_events", hostile.kona_events)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(create_app(), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
