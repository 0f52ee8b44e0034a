"""The federated `events` query: every enabled provider in parallel, merged in one global order."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime
from operator import itemgetter
from typing import Annotated

import strawberry

from gateway.errors import BadUserInput, GatewayError, ProviderNotConfigured
from gateway.feed.filter import MAX_SEARCH_LENGTH, checked_search
from gateway.instants import clamped
from gateway.request.context import Context, Info
from resolvers.cursor import decode_cursor, encode_cursor
from resolvers.provider import ProviderAPI, Window, order_key
from resolvers.registry import PROVIDERS
from schema.event import Connection, Edge, Event, Provider, page_info

MAX_PAGE = 200

log = logging.getLogger("gateway.events")


@strawberry.input(description="Which events the federated `events` query returns.")
class EventFilter:
    providers: list[Provider] | None = strawberry.field(
        default=None, description="Only these providers (default: every enabled one)."
    )
    starts_after: datetime | None = strawberry.field(
        default=None, description="Only events starting at or after this instant."
    )
    starts_before: datetime | None = strawberry.field(
        default=None, description="Only events starting before this instant."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Case-insensitive text that must occur in the title, description or location "
        f"(at most {MAX_SEARCH_LENGTH} characters).",
    )


def filter_window(
    filter: EventFilter | None, *, limit: int, path: tuple[str | int, ...] = ("events",)
) -> Window:
    """The window a filter describes (its dates in UTC), `limit` events at most; BAD_USER_INPUT if empty."""
    filter = filter or EventFilter()
    # In UTC from here on, so no provider's date arithmetic meets an instant UTC cannot express
    # (year 1 at +14:00 becomes the first instant there is: "from the beginning").
    starts_after = None if filter.starts_after is None else clamped(filter.starts_after)
    starts_before = None if filter.starts_before is None else clamped(filter.starts_before)
    if starts_after and starts_before and starts_before <= starts_after:
        raise BadUserInput("startsBefore must be after startsAfter", field=["filter", "startsBefore"])
    return Window(
        starts_after=starts_after,
        starts_before=starts_before,
        search=checked_search(filter.search),
        limit=limit,
        path=path,
    )


def _window(filter: EventFilter | None, first: int, after: str | None, path: tuple[str | int, ...]) -> Window:
    if not 1 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 1 and {MAX_PAGE}", field=["first"])
    window = filter_window(filter, limit=first + 1, path=path)
    return replace(window, after=decode_cursor(after)) if after else window


def chosen_providers(
    context: Context, filter: EventFilter | None
) -> tuple[list[ProviderAPI], list[ProviderNotConfigured]]:
    """The providers a filter covers that this request has clients for, in registry order, and why
    each other one it could have had is missing: asked for by name, or one the caller could have
    brought credentials for."""
    wanted = {str(provider.value) for provider in filter.providers} if filter and filter.providers else None
    chosen, missing = [], []
    for api in PROVIDERS:
        name = api.spec.name
        if wanted is not None and name not in wanted:
            continue
        if name not in context.clients:
            if wanted is not None or name in context.missing:
                missing.append(context.not_configured(name, api.spec.title))
            continue
        chosen.append(api)
    return chosen, missing


async def _list(
    context: Context, api: ProviderAPI, window: Window, done: asyncio.Future[None]
) -> list[Event]:
    try:
        return await api.list_window(context, window)
    finally:
        done.set_result(None)


def _unexpected(context: Context, provider: str, error: Exception) -> GatewayError:
    """A gateway bug met in one provider's part: logged with its trace, reported for that provider
    alone (INTERNAL_SERVER_ERROR), so the other providers' events still come back."""
    request_id = context.request_id
    log.error("unexpected error listing %s events in request %s", provider, request_id, exc_info=error)
    return GatewayError(f"Internal server error (request id {request_id})", provider=provider)


async def events(
    info: Info,
    filter: Annotated[
        EventFilter | None,
        strawberry.argument(description="Which events; default: every enabled provider's."),
    ] = None,
    first: Annotated[int, strawberry.argument(description=f"Page size, 1 to {MAX_PAGE} (default 50).")] = 50,
    after: Annotated[
        str | None, strawberry.argument(description="`endCursor` of the previous page (same `filter`).")
    ] = None,
) -> Connection[Event]:
    """Events from every enabled provider, merged by start; a failing provider adds one error."""
    context = info.context
    path = tuple(info.path.as_list())  # the response path: the alias, if the field has one
    window = _window(filter, first, after, path)
    chosen, missing = chosen_providers(context, filter)
    # Said once each, rather than a shorter list as if that were everything.
    context.partial_errors.extend((error, path) for error in missing)
    # Registered before the first await, so `node`/`nodes` later in the same query can wait for
    # these lists to prime the loaders instead of fetching the same events again.
    lists = [_list(context, api, window, context.start_listing(api.spec.name)) for api in chosen]
    results = await asyncio.gather(*lists, return_exceptions=True)
    merged: list[Event] = []
    for api, result in zip(chosen, results, strict=True):
        if isinstance(result, GatewayError):
            result.provider = result.provider or api.spec.name
            context.partial_errors.append((result, path))
        elif isinstance(result, Exception):
            context.partial_errors.append((_unexpected(context, api.spec.name, result), path))
        elif isinstance(result, BaseException):
            raise result
        else:
            merged.extend(result)
    ordered = sorted(((order_key(event), event) for event in merged), key=itemgetter(0))
    edges = [Edge(cursor=encode_cursor(key), node=event) for key, event in ordered[:first]]
    return Connection(
        edges=edges,
        # A cursor points just after an event of the list: with one, an event comes before this page.
        page_info=page_info(edges, has_next_page=len(merged) > first, has_previous_page=after is not None),
    )
