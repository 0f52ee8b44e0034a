"""The federated `events` query's Kona part: the window asked of Kona, paged by start, and every
occurrence of a recurring series in it exactly once.

Kona's docs do not say whether its list returns every instance of a series (each a record of its
own) or only the first, carrying the rule. Both are handled without knowing which: the first
instance's rule is expanded over the window (`schema.recurrence`, in `KONA_TIMEZONE`), and every
occurrence the list did not return itself is asked of Kona (`GET /calendar_events/{first}?
num_in_series=N`) before it is shown. Kona then answers either the very occurrence, computed from the
rule (shown), or a record of its own: an instance stored apart, or moved elsewhere (not shown here:
a stored record appears where the list puts it, at its own time, like any event). An occurrence is
therefore shown once, at the time Kona gives it, whichever way Kona stores series.

The question costs one call per occurrence that would make the page: none where Kona lists every
instance, one per shown occurrence where it lists only the first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from gateway.instants import from_epoch_ms
from gateway.providers import kona
from gateway.providers.base import JSONObject
from gateway.providers.kona import EventKey, KonaClient
from gateway.request.context import Context
from resolvers.provider import Window, order_key
from resolvers.provider_events import ProviderEvents
from schema.event import Event
from schema.kona import KonaCalendarEvent, to_ms
from schema.kona_series import computed_occurrence, is_first, rule_of, series_facts
from schema.recurrence import occurrences

#: The earliest instant the federated query asks Kona about: Kona reads a smaller number of
#: milliseconds as seconds (below 10^11), so the range starts no earlier than that.
KONA_EARLIEST = datetime(1973, 3, 4, tzinfo=UTC)
#: The latest: a side the federated filter leaves open is asked to the end of what dates hold. Kona
#: needs both ends of a range (alone it returns only the current month); paging by start stops as
#: soon as the page is complete, so a wide range costs no more calls than a narrow one.
KONA_LATEST = datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An occurrence expanded from its series' rule, not yet confirmed by Kona."""

    series_id: str
    index: int
    event: KonaCalendarEvent


def candidates(
    records: Iterable[tuple[JSONObject, KonaCalendarEvent]], window: Window, zone: ZoneInfo
) -> list[Candidate]:
    """The occurrences of each series whose first instance is among `records` that start inside the
    window and that `records` do not hold themselves (at most `window.limit` per series); `zone` is
    the account's, where the rules repeat."""
    pairs = list(records)
    listed = {(facts.series_id, facts.index) for data, _ in pairs if (facts := series_facts(data))}
    found: list[Candidate] = []
    for data, first in pairs:
        rule = rule_of(data)
        start, end = from_epoch_ms(data.get("start_at")), from_epoch_ms(data.get("end_at"))
        if not is_first(data) or rule is None or start is None:
            continue
        length = (end - start) if end is not None and end >= start else timedelta(0)
        lower = _lower(window)
        admitted = 0
        for occurrence in occurrences(rule, start, zone, starting=lower, before=window.starts_before):
            if occurrence.index == 1 or (first.provider_id, occurrence.index) in listed:
                continue
            event = _occurrence(data, zone, occurrence.start, length, occurrence.index)
            if window.admits(event):
                found.append(Candidate(first.provider_id, occurrence.index, event))
                admitted += 1
            if admitted >= window.limit:
                break
    return found


async def confirmed(
    context: Context,
    events: ProviderEvents[KonaClient, EventKey, KonaCalendarEvent],
    records: list[Event],
    pending: list[Candidate],
    window: Window,
) -> list[Event]:
    """The window's events: `records` and the candidates Kona confirms, at most `window.limit`.

    Candidates are asked about only while they would make the page; one Kona does not confirm leaves
    room for the next.
    """
    pool: list[Event | Candidate] = [*records, *pending]
    while True:
        top = sorted(pool, key=_order)[: window.limit]
        unasked = [item for item in top if isinstance(item, Candidate)]
        if not unasked:
            return [item for item in top if isinstance(item, Event)]
        answers = await asyncio.gather(
            *(events.load(context, (item.series_id, item.index)) for item in unasked)
        )
        for item, data in zip(unasked, answers, strict=True):
            pool.remove(item)
            if data is not None and computed_occurrence(data) == item.index:
                event = events.remember(context, data)
                if window.admits(event):
                    pool.append(event)


def _order(item: Event | Candidate) -> tuple[object, ...]:
    return order_key(item.event if isinstance(item, Candidate) else item)


def _lower(window: Window) -> datetime | None:
    cursor = window.after[1] if window.after is not None else None
    bounds = [bound for bound in (window.starts_after, cursor) if bound is not None]
    return max(bounds) if bounds else None


def _occurrence(
    first: JSONObject, zone: ZoneInfo, start: datetime, length: timedelta, index: int
) -> KonaCalendarEvent:
    """Occurrence `index` as Kona computes it from its series: the first instance, its own times."""
    data = {**first, "start_at": to_ms(start), "end_at": to_ms(start + length), "num_in_series": index}
    return KonaCalendarEvent.from_upstream(data, zone)


def _range(window: Window) -> tuple[datetime, datetime]:
    start = window.starts_after or KONA_EARLIEST
    if window.after is not None:
        start = max(start, window.after[1])
    start = max(start, KONA_EARLIEST)
    return start, min(window.starts_before or KONA_LATEST, KONA_LATEST)


async def window_events(
    events: ProviderEvents[KonaClient, EventKey, KonaCalendarEvent], context: Context, window: Window
) -> list[Event]:
    """The federated query's Kona part: the window's dates pushed down, paging stopped early, every
    occurrence of a recurring series exactly once (see `resolvers.kona_series`).

    Kona's default order is by start, so once `limit` events are admitted and a later page starts
    after the last of them, nothing further can rank before them (an occurrence starts no earlier
    than its series' first instance). Should a page ever come back out of order, paging runs to the
    end of the range instead; past `GATEWAY_MAX_PAGES` that is an UPSTREAM_ERROR, never a short page.
    """
    if window.after is not None and window.after[0]:
        return []  # the cursor is past every dated event, and every Kona event has a start
    start, end = _range(window)
    if end < start:
        return []
    client = events.client(context)
    params: dict[str, str | int] = {"date_range_start": to_ms(start), "date_range_end": to_ms(end)}
    records: list[tuple[JSONObject, KonaCalendarEvent]] = []
    admitted: list[Event] = []
    latest: datetime | None = None
    in_order = True
    loader = events.loader(context)
    async with aclosing(client.pages(kona.EVENTS_PATH, params)) as pages:
        async for page in pages:
            for data in page.items:
                event = events.remember(context, data, loader=loader)
                records.append((data, event))
                if event.starts_at is not None:
                    in_order = in_order and (latest is None or event.starts_at >= latest)
                    latest = event.starts_at if latest is None else max(latest, event.starts_at)
                if window.admits(event):
                    admitted.append(event)
            if in_order and latest is not None and _complete(admitted, window.limit, latest):
                break
    pending = candidates(records, window, client.zone)
    return await confirmed(context, events, admitted, pending, window)


def _complete(admitted: list[Event], limit: int, latest: datetime) -> bool:
    if len(admitted) < limit:
        return False
    last_kept = sorted(admitted, key=order_key)[limit - 1].starts_at
    return last_kept is not None and last_kept < latest
