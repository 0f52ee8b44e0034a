"""pretix's root fields: `pretixEvents` (Relay pages over pretix's pages), `node` and `events` for pretix."""

from __future__ import annotations

import asyncio
import hashlib
from contextlib import aclosing
from datetime import datetime
from typing import Annotated

import orjson
import strawberry

from gateway.errors import BadUserInput, MalformedItem, NotFound, UpstreamUnauthorized
from gateway.ids import decode_id, encode_id
from gateway.providers import pretix
from gateway.providers.base import JSONObject
from gateway.request.context import Context, Info
from resolvers.pretix_common import PRETIX
from resolvers.pretix_mutations import Mutation
from resolvers.provider import Window, order_key, select
from resolvers.provider_objects import ProviderObjects
from schema.event import CountedConnection, Edge, Event, page_info
from schema.pretix import ORGANIZER_KIND, ORGANIZERS, PretixEvent, PretixOrganizer
from schema.pretix_inputs import (
    ORGANIZER_SLUG,
    PretixEventFilter,
    PretixEventOrder,
    check_organizer,
    list_params,
    wire_datetime,
)

#: Tag of `pretixEvents` cursors: the list position, and a digest of the arguments it belongs to.
CURSOR = "pretix-list"
DEFAULT_FIRST = 50
MAX_FIRST = 200


def _digest(organizer: str, params: dict[str, str]) -> str:
    return hashlib.sha256(orjson.dumps([organizer, sorted(params.items())])).hexdigest()[:16]


def _offset(cursor: str, digest: str) -> int:
    decoded = decode_id(cursor, field="after")
    if decoded.is_of(CURSOR) and len(decoded.parts) == 2 and decoded.parts[0].isdigit():
        if decoded.parts[1] == digest:
            return int(decoded.parts[0])
        raise BadUserInput("this cursor belongs to a query with other arguments", field=["after"])
    raise BadUserInput(f"{cursor!r} is not a cursor of pretixEvents", field=["after"])


async def _page(
    client: pretix.PretixClient, organizer: str, params: dict[str, str], number: int
) -> pretix.Page:
    try:
        return await client.page(client.events_path(organizer), params, number)
    except pretix.Hidden:
        raise NotFound(
            f"pretix has no organizer {organizer!r}, or the gateway's token cannot see it",
            provider=pretix.NAME,
            field=["organizer"],
        ) from None
    except NotFound:
        if number == 1 and "with_availability_for" in params:
            raise BadUserInput(
                "pretix has no such sales channel", provider=pretix.NAME, field=["withAvailabilityFor"]
            ) from None
        raise


async def _slice(
    client: pretix.PretixClient, organizer: str, params: dict[str, str], offset: int, count: int
) -> tuple[list[JSONObject], int]:
    """Items `offset … offset+count-1` and pretix's total, reading only the pages that hold them."""
    size = pretix.PAGE_SIZE
    first_page = offset // size + 1
    try:
        page = await _page(client, organizer, params, first_page)
    except NotFound as error:
        if first_page == 1 or error.field:
            raise
        # "Invalid page.": the list shrank below the cursor since. Nothing follows it; say how many remain.
        return [], (await _page(client, organizer, params, 1)).count
    last_page = max(first_page, (min(offset + count, page.count) - 1) // size + 1)
    more = await asyncio.gather(
        *(_page(client, organizer, params, number) for number in range(first_page + 1, last_page + 1))
    )
    items = [item for each in (page, *more) for item in each.items]
    start = offset - (first_page - 1) * size
    return items[start : start + count], page.count


async def pretix_events(
    info: Info,
    organizer: Annotated[str, strawberry.argument(description="Slug of the organizer, e.g. `bigevents`.")],
    filter: Annotated[
        PretixEventFilter | None,
        strawberry.argument(description="pretix's filters; all given ones must match."),
    ] = None,
    order_by: Annotated[
        PretixEventOrder | None, strawberry.argument(description="Default: by slug (pretix's default).")
    ] = None,
    with_availability_for: Annotated[
        str | None,
        strawberry.argument(description="A sales channel (e.g. `web`): fills `bestAvailabilityState`."),
    ] = None,
    first: Annotated[
        int | None, strawberry.argument(description=f"Page size, 0 to {MAX_FIRST} (default {DEFAULT_FIRST}).")
    ] = None,
    after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
) -> CountedConnection[PretixEvent]:
    """One Relay page of an organizer's events, read from pretix's pages of 50."""
    count = DEFAULT_FIRST if first is None else first
    if not 0 <= count <= MAX_FIRST:
        raise BadUserInput(f"first must be between 0 and {MAX_FIRST}", field=["first"])
    check_organizer(organizer)
    params = list_params(filter, order_by, with_availability_for)
    digest = _digest(organizer, params)
    offset = _offset(after, digest) if after else 0
    context = info.context
    client = PRETIX.client(context)
    # Registered before the first await: `node` in the same query waits for this list's priming.
    done = context.start_listing(pretix.NAME)
    try:
        items, total = await _slice(client, organizer, params, offset, count)
    finally:
        done.set_result(None)
    edges = [
        Edge(
            cursor=encode_id(CURSOR, offset + index + 1, digest),
            node=PRETIX.remember(context, data, organizer),
        )
        for index, data in enumerate(items)
    ]
    return CountedConnection(
        edges=edges,
        page_info=page_info(edges, has_next_page=offset + len(edges) < total, has_previous_page=offset > 0),
        total_count=total,
    )


async def _organizers(context: Context) -> list[str]:
    """`PRETIX_ORGANIZERS`, or every organizer the token can see (whose details are then known)."""
    client = PRETIX.client(context)
    if client.organizers:
        return list(client.organizers)
    slugs = []
    for data in await client.list_organizers():
        slug = data.get("slug")
        # The slug goes into every further path: one that is not a slug is not followed anywhere.
        if not isinstance(slug, str) or not ORGANIZER_SLUG.match(slug):
            raise MalformedItem("pretix", "an organizer", "slug", provider=pretix.NAME)
        context.loaders.prime(ORGANIZERS, client.load_organizers, slug, data)
        slugs.append(slug)
    return slugs


def _complete(admitted: list[Event], limit: int, latest: datetime | None) -> bool:
    """Whether no later event (by start, as pretix orders them) can rank among the first `limit`."""
    if latest is None or len(admitted) < limit:
        return False
    last_kept = sorted(admitted, key=order_key)[limit - 1].starts_at
    return last_kept is not None and last_kept < latest


async def _organizer_window(
    context: Context, organizer: str, params: dict[str, str], window: Window
) -> list[Event]:
    client = PRETIX.client(context)
    admitted: list[Event] = []
    latest: datetime | None = None
    # Pages of 50 could take several round trips in sequence: ask for the ones `limit` needs at once.
    ahead = -(-window.limit // pretix.PAGE_SIZE)
    loader = PRETIX.loader(context)
    async with aclosing(client.pages(client.events_path(organizer), params, ahead=ahead)) as pages:
        async for page in pages:
            for data in page.items:
                event = PRETIX.remember(context, data, organizer, loader=loader)
                latest = event.starts_at
                if window.admits(event):
                    admitted.append(event)
            if _complete(admitted, window.limit, latest):
                break
    return admitted


def _organizer_key(parts: tuple[str, ...]) -> str | None:
    return parts[0] if len(parts) == 1 and ORGANIZER_SLUG.match(parts[0]) else None


ORGANIZER = ProviderObjects(
    spec=pretix.SPEC,
    what="pretix organizer",
    loader_name=ORGANIZERS,
    batch=lambda client: client.load_organizers,
    key=_organizer_key,
    convert=lambda data, slug: PretixOrganizer.from_upstream(data),
)


#: What non-ASCII letters casefold to in ASCII: ß → ss and the ligatures U+FB00…U+FB06. (The long s
#: → s and the Kelvin sign → k are left out: they do not occur in event names, and would stop every
#: pushdown.)
_ASCII_FOLDS = ("ss", "ff", "fi", "fl", "st")


def _pushable(search: str) -> bool:
    """Whether pretix's `search` returns every event the window's case-folded match admits.

    pretix matches name (every language), slug and location in JSON-escaped text, so it compares
    non-ASCII letters case-sensitively (KÖLN misses Köln) and never folds ß to ss: such terms are
    filtered only here.
    """
    text = search.casefold()
    return text.isascii() and not any(fold in text for fold in _ASCII_FOLDS)


def window_params(window: Window) -> dict[str, str]:
    """The list query for one organizer's part of the federated window (pretix orders by start)."""
    params = {"ordering": "date_from"}
    cursor_start = window.after[1] if window.after is not None else None
    lower = max((bound for bound in (window.starts_after, cursor_start) if bound is not None), default=None)
    if lower is not None:
        params["date_from_after"] = wire_datetime(lower)  # inclusive: ties with the cursor are re-read
    if window.starts_before is not None:
        params["date_from_before"] = wire_datetime(window.starts_before)
    if window.search and _pushable(window.search):
        params["search"] = window.search
    return params


async def list_window(context: Context, window: Window) -> list[Event]:
    """The federated query's pretix part: per organizer, by start, dates and search pushed down.

    Paging stops once `limit` events are admitted and a later start has been seen. An organizer the
    token cannot see is reported on its own (a configuration mistake) and the others still count;
    with a caller's own token it is simply not one of the caller's, and left out.
    """
    if window.after is not None and window.after[0]:
        return []  # the cursor is past every dated event, and every pretix event has a start
    organizers = await _organizers(context)
    params = window_params(window)
    results = await asyncio.gather(
        *(_organizer_window(context, organizer, params, window) for organizer in organizers),
        return_exceptions=True,
    )
    events: list[Event] = []
    callers_own = context.uses_caller_credentials(pretix.NAME)
    for organizer, result in zip(organizers, results, strict=True):
        if isinstance(result, pretix.Hidden) and callers_own:
            continue
        if isinstance(result, pretix.Hidden):
            problem = UpstreamUnauthorized(
                f"pretix organizer {organizer!r} (PRETIX_ORGANIZERS) does not exist or the gateway's "
                "token cannot see it",
                provider=pretix.NAME,
            )
            context.partial_errors.append((problem, window.path))
        elif isinstance(result, BaseException):
            raise result
        else:
            events.extend(result)
    return select(events, window)


@strawberry.type
class Query:
    pretix_events: CountedConnection[PretixEvent] = strawberry.field(
        resolver=pretix_events,
        description="One organizer's pretix events, a page at a time, with pretix's filters. "
        f"`first` defaults to {DEFAULT_FIRST} (at most {MAX_FIRST}); `totalCount` is pretix's count of "
        "matching events. Cursors are positions in the list, valid only with the same arguments. "
        "An organizer that does not exist or that the gateway's token cannot see is a NOT_FOUND error.",
    )


API = PRETIX.api(
    query=Query,
    mutation=Mutation,
    types=(PretixEvent, PretixOrganizer),
    list_window=list_window,
    objects={ORGANIZER_KIND: ORGANIZER.node},
)

__all__ = ["API"]
