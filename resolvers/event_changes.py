"""`eventChanges`: a subscription to the changes of the events a filter covers, one feed per provider.

Each provider the filter covers is one key (provider, window, credential) in the live hub; every
subscription with the same key shares its poller. A change carries the upstream object, and each
subscriber builds the event from it in its own context.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Annotated, cast

import strawberry

from gateway.errors import GatewayError, Relayed
from gateway.ids import decode_id
from gateway.live.changes import Change, ChangeKind, Failure, Observed
from gateway.live.hub import FeedKey, Watch
from gateway.providers.base import JSONObject, ProviderClient
from gateway.request.context import Context, Info
from gateway.settings import Settings
from resolvers.events import EventFilter, chosen_providers, filter_window
from resolvers.provider import ProviderAPI, Window
from resolvers.registry import BY_NAME
from schema.changes import ChangeKind as ChangeKindEnum
from schema.changes import EventChange

#: A detector reads the whole window: this only bounds the gateway's own filtering (the upstream
#: layer's page and item limits bound what is read).
WATCH_LIMIT = 1_000_000


def window_text(window: Window) -> str:
    """The canonical text of a window (part of a feed's key): equal windows share one poller."""
    after = window.starts_after.isoformat() if window.starts_after else ""
    before = window.starts_before.isoformat() if window.starts_before else ""
    return "\x1f".join((after, before, window.search or ""))


@dataclass(frozen=True, slots=True)
class ProviderWindow:
    """A change detector's source: one provider's `list_window`, run as its own request each poll."""

    api: ProviderAPI
    window: Window
    settings: Settings
    #: The first subscriber's client of the provider, and the key of the credential it signs with.
    clients: Mapping[str, ProviderClient]
    credential_keys: Mapping[str, str]

    @property
    def provider(self) -> str:
        return self.api.spec.name

    def _context(self) -> Context:
        return Context(
            request=None,
            response=None,
            settings=self.settings,
            clients=self.clients,
            request_id=f"poll-{uuid.uuid4().hex}",
            credential_keys=self.credential_keys,
        )

    async def poll(self) -> list[Observed]:
        """The window's events; a list the provider could not read whole is an error, never a shorter list."""
        context = self._context()
        context.enter()
        events = await self.api.list_window(context, self.window)
        if context.partial_errors:
            raise context.partial_errors[0][0]
        unhashed = self.api.spec.endpoint_only_keys
        return [Observed.of(str(event.id), cast(JSONObject, event.raw), unhashed) for event in events]

    def admits(self, observed: Observed) -> bool:
        """Whether the window holds the event a write left behind."""
        scope = decode_id(observed.id).parts[:-1]
        return self.window.admits(self.api.convert(self._context(), observed.raw, scope))


def watches(context: Context, filter: EventFilter | None) -> list[Watch]:
    """One watch per provider the filter covers; BAD_USER_INPUT or PROVIDER_NOT_CONFIGURED up front."""
    window = filter_window(filter, limit=WATCH_LIMIT)
    chosen, missing = chosen_providers(context, filter)
    if missing:
        raise missing[0]
    text = window_text(window)
    found = []
    for api in chosen:
        name = api.spec.name
        credential = context.credential_key(name)
        key = FeedKey(provider=name, window=text, credential=credential)
        source = ProviderWindow(
            api, window, context.settings, {name: context.clients[name]}, {name: credential}
        )
        found.append(Watch(key=key, source=source))
    return found


def event_change(context: Context, change: Change) -> EventChange:
    """What a subscriber receives for `change`: the event built in its own context."""
    event = None
    if change.raw is not None:
        decoded = decode_id(change.id)
        event = BY_NAME[decoded.provider].convert(context, change.raw, decoded.parts[:-1])
    kind = ChangeKindEnum(ChangeKind(change.kind).value)
    return EventChange(kind=kind, id=strawberry.ID(change.id), event=event, at=change.at)


async def event_changes(
    info: Info,
    filter: Annotated[
        EventFilter | None,
        strawberry.argument(
            description="Which events to watch, as for `events`: providers, a window of start times, "
            "a search. Omitted: every enabled provider's events, whenever they start."
        ),
    ] = None,
) -> AsyncGenerator[EventChange, None]:
    """Changes only: no event is sent for the state the subscription starts from (query it first)."""
    context = info.context
    if context.live is None:
        raise GatewayError("live updates are not available on this connection")
    watched = watches(context, filter)

    def abandon() -> None:
        if context.abandon is not None:
            context.abandon(
                f"Slow consumer: more than {context.settings.gateway_max_pending_changes} changes"
            )

    async with context.live.subscribe(watched, on_drop=abandon) as subscriber:
        while True:
            notice = await subscriber.next()
            if isinstance(notice, Failure):
                # An error beside no data: the subscription stays, and catches up once polls work again.
                yield cast(EventChange, Relayed(notice.code, notice.message, provider=notice.provider))
                continue
            try:
                yield event_change(context, notice)
            except GatewayError as error:
                yield cast(EventChange, error)


@strawberry.type(
    description="Live updates, over a WebSocket (graphql-transport-ws on /graphql) or Server-Sent Events "
    "(`Accept: text/event-stream`), with the same API key as every request."
)
class Subscription:
    event_changes: AsyncGenerator[EventChange, None] = strawberry.subscription(
        resolver=event_changes,
        description="Events created, updated or deleted among those the filter covers, as they happen. "
        "The gateway polls each provider every GATEWAY_POLL_INTERVAL seconds (once for every subscriber "
        "of the same filter) and sends writes made through it at once. Changes only: query `events` "
        "first, then subscribe. Over a WebSocket (graphql-transport-ws) or Server-Sent Events "
        "(`Accept: text/event-stream`). A provider whose polls fail sends one error (with "
        "`extensions.provider`) and the subscription goes on; a subscriber that reads too slowly is "
        "dropped with a QUERY_TOO_COMPLEX error.",
    )
