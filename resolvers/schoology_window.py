"""The federated `events` query's Schoology part: every `SCHOOLOGY_REALMS` realm, dates pushed down
in each realm's zone, paged only while a realm is short."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from gateway.errors import TooManyPages
from gateway.providers import schoology
from gateway.providers.schoology import PageRequest, Realm
from gateway.request.context import Context
from resolvers.provider import Window, select
from resolvers.schoology_common import SCHOOLOGY, convert_page, prime_realms
from schema.event import Event

#: Stand-ins for the open side of a one-sided window: Schoology filters by dates only when both are given.
_EARLIEST, _LATEST = date(1970, 1, 1), date(2100, 12, 31)


def _window_days(window: Window, zone: ZoneInfo, widen: int = 1) -> tuple[date | None, date | None]:
    """`start_date`/`end_date` covering the window in the realm's zone, `widen` days wider each side
    (zone edges, DST; two where the realm's zone is not known yet, as zones lie up to 26 h apart).

    Days outside `_EARLIEST … _LATEST` are clamped into it; a window wholly outside it is not
    pushed down at all (the gateway's own filter then applies alone).
    """
    starts_after = window.starts_after
    if window.after is not None and not window.after[0]:
        # A cursor of the merged order: nothing starting before its event can come next.
        starts_after = max(starts_after, window.after[1]) if starts_after else window.after[1]
    if starts_after is None and window.starts_before is None:
        return None, None
    before = window.starts_before
    first = _EARLIEST if starts_after is None else max(_local_day(starts_after, zone, -widen), _EARLIEST)
    last = _LATEST if before is None else min(_local_day(before, zone, widen), _LATEST)
    return (first, last) if first <= last else (None, None)


def _local_day(moment: datetime, zone: ZoneInfo, widen: int) -> date:
    """The day `moment` falls on in `zone`, moved `widen` days; at datetime's ends, its first or last day."""
    try:
        return moment.astimezone(zone).date() + timedelta(days=widen)
    except OverflowError:
        return date.min if widen < 0 else date.max


async def list_window(context: Context, window: Window) -> list[Event]:
    """The federated query's Schoology part: every `SCHOOLOGY_REALMS` realm, dates pushed down (with
    a caller's own credential, every one of them the caller may read).

    The first pages of all realms come in one multi-get; a realm is paged further (all such realms
    together, one multi-get per round) only while it has given fewer than `window.limit` events
    inside the window. A realm still short after `GATEWAY_MAX_PAGES` rounds is an UPSTREAM_ERROR
    rather than a silently shortened list.
    """
    client = SCHOOLOGY.client(context)
    if not client.realms:
        return []
    size = min(max(window.limit, schoology.DEFAULT_LIMIT), schoology.MAX_LIMIT)
    pending = [
        PageRequest(
            realm, 0, size, *_window_days(window, client.zone_of(realm), 2 if client.needs_zone(realm) else 1)
        )
        for realm in client.realms
    ]
    events: list[Event] = []
    admitted: Counter[Realm] = Counter()
    # A caller's own credential sees the realms it belongs to; the others are not its events.
    skip_hidden = context.uses_caller_credentials(schoology.NAME)
    learning: tuple[Realm, ...] = client.realms
    for _ in range(client.upstream.max_pages):
        if not pending:
            break
        pages, objects = await client.list_pages(pending, learning=learning, skip_hidden=skip_hidden)
        learning = ()
        prime_realms(context, objects)
        pending = []
        for page in pages:
            converted = convert_page(context, page)
            events.extend(converted)
            realm = page.request.realm
            admitted[realm] += sum(1 for event in converted if window.admits(event))
            if page.next_start is not None and admitted[realm] < window.limit:
                pending.append(replace(page.request, start=page.next_start))
    if pending:
        raise TooManyPages("Schoology", "events", client.upstream.max_pages, provider=schoology.NAME)
    return select(events, window)
