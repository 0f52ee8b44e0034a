"""pretix REST client: `Token` auth, DRF pages of 50, organizers and events, and pretix's 403 dialect.

pretix answers 403 "You do not have permission to perform this action." both for an organizer or
event that does not exist and for one the token may not see or change (the permission check runs
before the lookup). How this client tells them apart, cheaply:

- a read (GET) refused with 403 is `Hidden`, a NOT_FOUND: whether the object is missing or outside
  the token's teams, the gateway cannot see it, which is what NOT_FOUND means in the contract;
- a write refused with 403 costs one probe GET, and only then: the event (update, delete, clone) or
  the organizer (create) readable means the token may see it but not change it (FORBIDDEN);
  unreadable means there is no such object (NOT_FOUND);
- pretix's own refusals are not translated (unlike DRF's permission text), so a DELETE refused
  because of orders or plugin data is recognised by its text without a probe and is a CONFLICT
  carrying pretix's message.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from functools import partial
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from yarl import URL

from gateway.errors import (
    BadUserInput,
    Conflict,
    Forbidden,
    GatewayError,
    InvalidInput,
    NotFound,
    UpstreamFailure,
    UpstreamRateLimited,
    UpstreamUnauthorized,
)
from gateway.providers.base import CallerHeader, JSONObject, ProviderSpec, gather_by_key, pick_by_key, token
from gateway.settings import BEYOND_CONTRACT, CsvList, ProviderSettings
from gateway.upstream.auth import CallerCredential, static_authorization
from gateway.upstream.endpoint import READ_METHODS, Upstream, path
from gateway.upstream.paging import follow_pages
from gateway.upstream.replies import Reply, is_undecodable, json_object, object_list
from gateway.upstream.values import MAX_INTEGER, integer
from gateway.upstream.wiring import Wiring

NAME = "pretix"


class PretixSettings(ProviderSettings):
    """`PRETIX_*`: a team token, sent as `Authorization: Token <token>`, and what to list."""

    model_config = SettingsConfigDict(env_prefix="PRETIX_")

    base_url: str = Field(default="https://pretix.eu/api/v1", description="pretix's API root")
    token: SecretStr = Field(
        default=SecretStr(""), description="team token, sent as `Authorization: Token …`"
    )
    organizers: CsvList = Field(
        default_factory=list,
        description="organizers listed by the federated `events` query; empty = all the token can see",
    )
    locale: str = Field(
        default="en",
        description="default locale of multilingual text and `Accept-Language`",
        json_schema_extra=BEYOND_CONTRACT,
    )
    rate_per_minute: int = Field(
        default=360,
        description="client-side quota (pretix Hosted's limit)",
        json_schema_extra=BEYOND_CONTRACT,
    )


#: pretix's maximum (and default) `page_size`; larger values are silently capped.
PAGE_SIZE = 50

#: An event is identified by its organizer's slug and its own slug.
EventKey = tuple[str, str]

#: Refusals pretix raises after the permission check passed, in English whatever `Accept-Language`.
DELETE_REFUSALS = ("The event can not be deleted", "The event could not be deleted")
PERMISSION_REFUSALS = ("No permission to create events", "Not sufficient permission on source event to copy")


class Hidden(NotFound):
    """A read refused with 403: no such organizer or event, or the token cannot see it."""


class Refused(UpstreamUnauthorized):
    """A write refused with 403, not yet explained; the client turns it into what it means."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"pretix refused the change: {detail}", provider=NAME)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a pretix list: its items, the total `count`, and the number of the next page."""

    items: list[JSONObject]
    count: int
    next_page: int | None


class PretixClient:
    """Typed operations on the pretix API; every method returns plain upstream JSON."""

    def __init__(self, upstream: Upstream, *, locale: str = "en", organizers: Sequence[str] = ()) -> None:
        self.upstream = upstream
        #: The language `Event.title` and `text` pick by default (`PRETIX_LOCALE`).
        self.locale = locale
        #: The organizers the federated `events` query lists (`PRETIX_ORGANIZERS`); empty: all visible.
        self.organizers = tuple(organizers)
        #: Pages each list had when last read: how many to ask for at once next time.
        self._pages_seen: dict[str, int] = {}

    async def page(self, relative: str, params: Mapping[str, str], number: int) -> Page:
        """Page `number` (from 1) of a list, 50 items a page."""
        query: dict[str, str | int] = {**params, "page_size": PAGE_SIZE}
        if number > 1:
            query["page"] = number
        return _as_page(await self.upstream.get(relative, query), number, self.upstream.max_reply_items)

    async def pages(
        self, relative: str, params: Mapping[str, str], *, ahead: int = 1
    ) -> AsyncGenerator[Page, None]:
        """Every page of a list, following `next` (its page number only: the host is never called).

        Up to `ahead` pages are asked for at once when the caller needs that many items, since
        pages of 50 in sequence cost a round trip each; how many this list had last time (its
        `count`) caps the guess, so short lists cost no wasted call. A speculative page past the
        end is an "Invalid page." 404, read as "no more". A list that goes on for more than
        `GATEWAY_MAX_PAGES` pages is an error.
        """
        limit = self.upstream.max_pages
        ahead = max(1, min(ahead, self._pages_seen.get(relative, 1), limit))
        first = await asyncio.gather(
            *(
                self._page_or_none(relative, params, number, speculative=number > 1)
                for number in range(1, ahead + 1)
            )
        )
        if first[0] is not None:
            self._pages_seen[relative] = -(-first[0].count // PAGE_SIZE)
        number: int | None = None
        for page in first:
            if page is None:
                return
            yield page
            number = page.next_page
            if number is None:
                return
        if number is None:
            return

        async def fetch(number: int) -> tuple[Page, int | None]:
            page = await self.page(relative, params, number)
            return page, page.next_page

        following = follow_pages(
            fetch, number, limit=limit, already=len(first), title="pretix", what=relative, provider=NAME
        )
        async with aclosing(following) as pages:
            async for page in pages:
                yield page

    async def _page_or_none(
        self, relative: str, params: Mapping[str, str], number: int, *, speculative: bool
    ) -> Page | None:
        try:
            return await self.page(relative, params, number)
        except NotFound:
            if speculative:
                return None
            raise

    async def list_organizers(self) -> list[JSONObject]:
        """`GET /organizers/`: every organizer the token can see (a team token: its own)."""
        return [item async for page in self.pages("organizers/", {}) for item in page.items]

    async def get_organizer(self, slug: str) -> JSONObject:
        """`GET /organizers/{o}/`; `Hidden` when missing or invisible."""
        return _as_object(await self.upstream.get(path("organizers", slug, trailing_slash=True)))

    async def load_organizers(self, slugs: Sequence[str]) -> list[JSONObject | None]:
        """Batch function for the by-slug organizer loader: one GET, or the list until all are found."""
        if len(slugs) == 1:
            return await gather_by_key(slugs, self.get_organizer)
        wanted, found = set(slugs), []
        async with aclosing(self.pages("organizers/", {})) as pages:
            async for page in pages:
                found.extend(page.items)
                if wanted <= {_slug(org) for org in found}:
                    break
        return pick_by_key(slugs, found, _slug)

    def events_path(self, organizer: str) -> str:
        """The event list of an organizer, relative to the base URL."""
        return path("organizers", organizer, "events", trailing_slash=True)

    async def get_event(self, key: EventKey) -> JSONObject:
        """`GET /organizers/{o}/events/{slug}/` (the detail view adds `valid_keys`)."""
        return _as_object(await self.upstream.get(_event_path(key)))

    async def load_events(self, keys: Sequence[EventKey]) -> list[JSONObject | None]:
        """Batch function for the by-key event loader: pretix has no multi-get, so concurrent GETs."""
        return await gather_by_key(keys, self.get_event)

    async def create_event(
        self, organizer: str, body: JSONObject, clone_from: EventKey | None = None
    ) -> JSONObject:
        """`POST /organizers/{o}/events/` (201); with `clone_from`, `?clone_from=<organizer>/<slug>`
        copies that event's settings, products, quotas and questions into the new one."""
        probe = partial(self.get_organizer, organizer)
        params = None if clone_from is None else {"clone_from": "/".join(clone_from)}
        reply = await self._write(
            "POST", self.events_path(organizer), body, probe, f"organizer {organizer!r}", params
        )
        return _as_object(reply)

    async def clone_event(self, source: EventKey, body: JSONObject) -> JSONObject:
        """`POST …/events/{slug}/clone/` (201): a new event from the body, settings copied from `source`."""
        relative = _event_path(source) + "clone/"
        reply = await self._write(
            "POST", relative, body, partial(self.get_event, source), _event_name(source)
        )
        return _as_object(reply)

    async def update_event(self, key: EventKey, body: JSONObject) -> JSONObject:
        """`PATCH …/events/{slug}/`: only the given fields change; answers the full event."""
        probe = partial(self.get_event, key)
        return _as_object(await self._write("PATCH", _event_path(key), body, probe, _event_name(key)))

    async def replace_event(self, key: EventKey, body: JSONObject) -> JSONObject:
        """`PUT …/events/{slug}/`: name, slug and date_from required; answers the full event."""
        probe = partial(self.get_event, key)
        return _as_object(await self._write("PUT", _event_path(key), body, probe, _event_name(key)))

    async def delete_event(self, key: EventKey) -> None:
        """`DELETE …/events/{slug}/` (204); refused while the event has orders or invoices."""
        await self._write("DELETE", _event_path(key), None, partial(self.get_event, key), _event_name(key))

    async def _write(
        self,
        method: str,
        relative: str,
        body: JSONObject | None,
        probe: Callable[[], Awaitable[Any]],
        what: str,
        params: Mapping[str, str] | None = None,
    ) -> Reply:
        # pretix replays the stored answer for a repeated X-Idempotency-Key, so a write may be retried
        # (with the same key) after a 5xx or a lock timeout without happening twice.
        headers = {"X-Idempotency-Key": str(uuid.uuid4())}
        try:
            return await self.upstream.request(
                method, relative, params=params, json=body, headers=headers, retry_writes=True
            )
        except Refused as refused:
            raise await _explain(refused, probe, what) from None


async def _explain(refused: Refused, probe: Callable[[], Awaitable[Any]], what: str) -> GatewayError:
    """What a 403 on a write means (see the module docstring); at most one GET."""
    detail = refused.detail
    if detail.startswith(DELETE_REFUSALS):
        return Conflict(detail, provider=NAME)
    if detail.startswith(PERMISSION_REFUSALS):
        return Forbidden(f"pretix: {detail}", provider=NAME)
    try:
        await probe()
    except Hidden:
        return NotFound(f"pretix has no {what}, or the gateway's token cannot see it", provider=NAME)
    return Forbidden(
        f"the gateway's pretix token may read {what} but not make this change ({detail})", provider=NAME
    )


def _event_path(key: EventKey) -> str:
    organizer, slug = key
    return path("organizers", organizer, "events", slug, trailing_slash=True)


def _event_name(key: EventKey) -> str:
    return f"event {key[1]!r} of organizer {key[0]!r}"


def _as_object(reply: Reply) -> JSONObject:
    return json_object(reply.data, title="pretix", provider=NAME)


def _slug(organizer: JSONObject) -> str:
    slug = organizer.get("slug")
    return slug if isinstance(slug, str) else ""


def _as_page(reply: Reply, number: int, max_items: int) -> Page:
    data = reply.data
    if not isinstance(data, dict):
        raise UpstreamFailure("pretix sent an unexpected list shape", provider=NAME)
    items = object_list(data.get("results"), max_items, title="pretix", what="results", provider=NAME)
    count = data.get("count")
    if count is None:
        count = len(items)
    elif integer(count, minimum=0, maximum=MAX_INTEGER) is None:
        raise UpstreamFailure("pretix sent a list whose `count` is not a number of items", provider=NAME)
    return Page(items, count, _next_page(data.get("next"), number))


def _next_page(link: Any, number: int) -> int | None:
    """The page number in DRF's absolute `next` link (the link's host is the server's view of itself)."""
    if link is None:
        return None
    try:
        following = int(URL(str(link)).query["page"])
    except (KeyError, ValueError):
        raise UpstreamFailure("pretix sent a `next` link without a page number", provider=NAME) from None
    if following != number + 1:
        raise UpstreamFailure("pretix's `next` link does not point at the following page", provider=NAME)
    return following


def read_error(reply: Reply, method: str) -> GatewayError | None:
    """pretix's `{"detail": …}` and DRF's field-keyed 400 bodies, mapped (403: see the module docstring)."""
    data = None if is_undecodable(reply.data) else reply.data
    detail = str(data["detail"]) if isinstance(data, dict) and "detail" in data else None
    status = reply.status
    if status == 401:
        return UpstreamUnauthorized(f"pretix refused the token: {detail or 'HTTP 401'}", provider=NAME)
    if status == 403:
        if method in READ_METHODS:
            return Hidden("pretix has no such organizer or event, or the gateway's token cannot see it")
        return Refused(detail or "HTTP 403")
    if status == 404:
        if data is None:
            # Only unknown API paths get Django's HTML 404: a wrong base URL, not a missing object.
            return UpstreamFailure(
                "pretix answered 404 with a web page: check PRETIX_BASE_URL", provider=NAME
            )
        return NotFound(detail or "pretix has no such object", provider=NAME)
    if status == 400:
        return _validation_error(data, detail)
    if status == 409:
        # A database lock timeout, or the same idempotency key still in flight: both worth a retry.
        # Retry-After (5 s) exceeds what a GraphQL request waits, so it is not passed on to the retry.
        return UpstreamRateLimited(f"pretix is too busy: {detail or 'HTTP 409'}", provider=NAME)
    return None


def _validation_error(data: Any, detail: str | None) -> BadUserInput:
    """DRF 400 bodies: `{"detail"}`, a list of messages, or `{field: [messages]}` (`non_field_errors`)."""
    if detail is not None or not isinstance(data, dict | list):
        return BadUserInput(f"pretix rejected the input: {detail or 'HTTP 400'}", provider=NAME)
    if isinstance(data, list):
        return BadUserInput(f"pretix rejected the input: {_text(data)}", provider=NAME)
    problems = [
        BadUserInput(
            _text(messages), provider=NAME, upstream_field=None if name == "non_field_errors" else [name]
        )
        for name, messages in data.items()
    ]
    if not problems:
        return BadUserInput("pretix rejected the input", provider=NAME)
    return problems[0] if len(problems) == 1 else InvalidInput(problems)


def _text(messages: Any) -> str:
    if isinstance(messages, list):
        return " ".join(_text(message) for message in messages)
    if isinstance(messages, dict):
        return " ".join(f"{key}: {_text(value)}" for key, value in messages.items())
    return str(messages)


def open_client(settings: PretixSettings, wiring: Wiring) -> PretixClient:
    """The pretix client on the lifespan's wiring (pooled session, cache and quota)."""
    upstream = Upstream.configured(
        wiring,
        provider=NAME,
        base_url=settings.base_url,
        auth=static_authorization(f"Token {settings.token.get_secret_value()}"),
        read_error=read_error,
        rate=(settings.rate_per_minute, 60.0),
        # Only pretix's messages depend on it: multilingual fields always come with every language.
        headers={"Accept-Language": settings.locale},
    )
    return PretixClient(upstream, locale=settings.locale, organizers=settings.organizers)


def caller_credential(value: str, settings: PretixSettings) -> CallerCredential:
    """`X-Pretix-Token: <token>`: the caller's team (or OAuth) token, sent as `Authorization: Token …`."""
    team_token = token(value, "token")
    return CallerCredential(static_authorization(f"Token {team_token}"), secrets=(team_token,))


SPEC: ProviderSpec[PretixSettings, PretixClient] = ProviderSpec(
    name=NAME,
    title="pretix",
    settings=PretixSettings,
    open=open_client,
    caller=CallerHeader(name="X-Pretix-Token", form="<token>", read=caller_credential),
    # pretix's EventSerializer adds `valid_keys` on one event's endpoints (a write's reply), not on lists.
    endpoint_only_keys=frozenset({"valid_keys"}),
)
