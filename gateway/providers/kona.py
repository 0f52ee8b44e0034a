"""Kona API client: a renewing bearer token, the `{"<plural>": [{…}]}` envelope, robust paging, events,
spaces, users."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from gateway.errors import (
    BadUserInput,
    Forbidden,
    GatewayError,
    NotFound,
    UpstreamFailure,
    UpstreamUnauthorized,
)
from gateway.providers.base import (
    CallerHeader,
    JSONObject,
    ProviderSpec,
    bearer_caller,
    gather_by_key,
    pick_by_key,
)
from gateway.settings import ProviderSettings
from gateway.upstream.auth import Auth, static_authorization
from gateway.upstream.endpoint import Upstream, path
from gateway.upstream.paging import follow_pages
from gateway.upstream.replies import Reply, is_undecodable, object_list
from gateway.upstream.token_refresh import renewing_bearer
from gateway.upstream.values import integer
from gateway.upstream.wiring import Wiring

NAME = "kona"


class KonaSettings(ProviderSettings):
    """`KONA_*`: an OAuth 2 bearer token, and the client and refresh token that renew it."""

    model_config = SettingsConfigDict(env_prefix="KONA_")

    base_url: str = Field(default="https://io.kona.com/api", description="Kona's API root")
    access_token: SecretStr = Field(default=SecretStr(""), description="OAuth 2 bearer token (enables Kona)")
    timezone: str = Field(
        default="UTC",
        description="IANA zone of the Kona account: its events' `timezone`, the local days of all-day "
        "events and the local time recurring series keep",
    )
    client_id: str = Field(default="", description="OAuth 2 client id, to renew the access token")
    client_secret: SecretStr = Field(default=SecretStr(""), description="its client secret")
    refresh_token: SecretStr = Field(
        default=SecretStr(""),
        description="refresh token: with the client id and secret, the access token is renewed before "
        "`expires_in` runs out and once on a 401 (enables Kona without `KONA_ACCESS_TOKEN`)",
    )
    token_url: str = Field(default="https://io.kona.com/oauth/token", description="Kona's token endpoint")

    @property
    def renews(self) -> bool:
        """Whether the access token is renewed with the refresh token."""
        return bool(
            self.client_id and self.client_secret.get_secret_value() and self.refresh_token.get_secret_value()
        )

    @property
    def enabled(self) -> bool:
        return bool(self.access_token.get_secret_value()) or self.renews


EVENTS_PATH = "calendar_events"
#: An event's key: its Kona id, and a number in its series for an instance asked for by number.
EventKey = tuple[str, int | None]

#: Kona's documented default page size: its undocumented cap cannot be lower.
DEFAULT_PAGE = 25

#: What we ask for per page. Kona documents no maximum; the Postman collection asks for 100.
PER_PAGE = 100

#: From this many distinct space ids on, `GET /spaces` (stopping at the page that completes the set)
#: replaces one `GET /spaces/{id}` per id. Users always go by id: `GET /users` lists everyone the
#: account is connected with, which can be far more pages than the few creators on a page of events.
LIST_THRESHOLD = 3


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: its items, the position of the first one, and a page size safe to reuse."""

    items: list[JSONObject]
    offset: int
    page_size: int


@dataclass(frozen=True, slots=True)
class Slice:
    """Up to `count` items from a position on, whether any follow, and the page size that found them."""

    items: list[JSONObject]
    has_more: bool
    page_size: int


class KonaClient:
    """Typed operations on the Kona API; every method returns plain upstream JSON."""

    def __init__(self, upstream: Upstream, zone: ZoneInfo | None = None) -> None:
        self.upstream = upstream
        #: The account's zone (`KONA_TIMEZONE`): Kona stores UTC instants, people plan in local days.
        self.zone = zone or ZoneInfo("UTC")
        #: The most items Kona has put in one page so far: Kona's page cap is at least this, and at
        #: least its documented default page size of 25.
        self.largest_page = DEFAULT_PAGE

    def pages(
        self, resource: str, params: Mapping[str, str | int], *, offset: int = 0, page_size: int | None = None
    ) -> AsyncGenerator[Page, None]:
        """Every page of a list from the one holding position `offset` on, until Kona runs out.

        Kona sends no links and no total; a short page is the last one. Its `per_page` cap is
        undocumented, so a first page shorter than asked is ambiguous (the end, or the cap): its
        length becomes the page size for the following pages, which is right either way, and only
        a later short (or empty) page ends the list. `page_size` from an earlier walk skips that.
        A Kona that never sends a short page is stopped after `GATEWAY_MAX_PAGES` pages.
        """
        size = page_size

        async def fetch(number: int) -> tuple[Page | None, int | None]:
            nonlocal size
            asked = PER_PAGE if size is None else size
            query = {**params, "page": number, "per_page": asked}
            items = self._list(await self.upstream.get(resource, query), resource)
            if size is None and not items:
                return None, None
            # A first page shorter than Kona's default page, or than one it already filled, cannot
            # be the cap: it is the end, and probing for a following page would cost a round trip.
            certainly_last = size is None and len(items) < min(asked, self.largest_page)
            self.largest_page = max(self.largest_page, len(items))
            size = size or len(items)
            last = len(items) < size or certainly_last
            return Page(items, (number - 1) * size, size), None if last else number + 1

        first = 1 if page_size is None else offset // page_size + 1
        limit = self.upstream.max_pages
        return follow_pages(fetch, first, limit=limit, title="Kona", what=resource, provider=NAME)

    def _list(self, reply: Reply, key: str) -> list[JSONObject]:
        limit = self.upstream.max_reply_items
        return object_list(_unwrap(reply, key), limit, title="Kona", what=key, provider=NAME)

    async def read_slice(
        self,
        resource: str,
        params: Mapping[str, str | int],
        *,
        offset: int,
        count: int,
        page_size: int | None,
    ) -> Slice:
        """Items `offset … offset+count-1`, reading one item further to know whether more follow."""
        found: list[JSONObject] = []
        size = page_size or PER_PAGE
        async with aclosing(self.pages(resource, params, offset=offset, page_size=page_size)) as pages:
            async for page in pages:
                size = page.page_size
                found.extend(page.items[max(0, offset - page.offset) :])
                if len(found) > count:
                    break
        return Slice(found[:count], len(found) > count, size)

    async def get_event(self, event_id: str, num_in_series: int | None = None) -> JSONObject:
        """`GET /calendar_events/{id}[?num_in_series=N]` (the Nth instance of the event's series)."""
        params = None if num_in_series is None else {"num_in_series": num_in_series}
        return _as_object(await self.upstream.get(path(EVENTS_PATH, event_id), params), EVENTS_PATH)

    async def load_events(self, keys: Sequence[EventKey]) -> list[JSONObject | None]:
        """Batch function for the event loader: an event by id, or with a number the Nth instance of
        its series (Kona has no multi-get: concurrent GETs)."""
        return await gather_by_key(keys, lambda key: self.get_event(*key))

    async def load_spaces(self, ids: Sequence[int]) -> list[JSONObject | None]:
        """Batch function for the by-id space loader (see `LIST_THRESHOLD`)."""
        if len(ids) < LIST_THRESHOLD:
            return await gather_by_key(ids, self._get_space)
        wanted, listed = set(ids), []
        async with aclosing(self.pages("spaces", {})) as pages:
            async for page in pages:
                listed.extend(page.items)
                if wanted <= {_space_id(space) for space in listed}:
                    break
        found = pick_by_key(ids, listed, _space_id)
        # A space missing from the list (e.g. one left since) may still be readable by id.
        missing = [space_id for space_id, space in zip(ids, found, strict=True) if space is None]
        fetched = dict(zip(missing, await gather_by_key(missing, self._get_space), strict=True))
        return [space if space is not None else fetched[key] for key, space in zip(ids, found, strict=True)]

    async def load_users(self, ids: Sequence[int]) -> list[JSONObject | None]:
        """Batch function for the by-id user loader: concurrent `GET /users/{id}`."""

        async def one(user_id: int) -> JSONObject:
            return _as_object(await self.upstream.get(path("users", user_id)), "users")

        return await gather_by_key(ids, one)

    async def _get_space(self, space_id: int) -> JSONObject:
        return _as_object(await self.upstream.get(path("spaces", space_id)), "spaces")

    async def create_event(self, fields: JSONObject) -> JSONObject:
        """`POST /calendar_events`: 201, a `Location` header and the new event."""
        reply = await self.upstream.request("POST", EVENTS_PATH, json={EVENTS_PATH: [fields]})
        return _as_object(reply, EVENTS_PATH)

    async def update_event(self, event_id: str, fields: JSONObject) -> JSONObject:
        """`PUT /calendar_events/{id}`: only the keys sent change (Kona's PUT patches)."""
        reply = await self.upstream.request("PUT", path(EVENTS_PATH, event_id), json={EVENTS_PATH: [fields]})
        return _as_object(reply, EVENTS_PATH)

    async def delete_event(self, event_id: str) -> None:
        """`DELETE /calendar_events/{id}` (204)."""
        await self.upstream.request("DELETE", path(EVENTS_PATH, event_id))


def _unwrap(reply: Reply, key: str) -> Any:
    data = reply.data
    if isinstance(data, dict) and key in data:
        return data[key]
    return data


def _as_object(reply: Reply, key: str) -> JSONObject:
    # The single-object GET shape is undocumented: accept the list envelope and a bare object.
    data = _unwrap(reply, key)
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict) or "id" not in data:
        raise UpstreamFailure(f"Kona sent an unexpected {key} reply shape", provider=NAME)
    return data


def _space_id(space: JSONObject) -> int:
    found = integer(space.get("id"), minimum=0)
    return -1 if found is None else found


_KEY = re.compile(r"\b[a-z]+(?:_[a-z]+)*\b")
_FIELDS = frozenset(
    {
        *("name", "location", "details", "all_day", "start_at", "end_at", "space_id"),
        *("participant_ids", "editor_ids", "status", "visibility", "stakeholder", "default_role"),
        *("period", "frequency", "sel_days", "series_end_at", "external_object"),
        *("date_range_start", "date_range_end", "order_by", "num_in_series", "per_page", "page"),
    }
)


def named_field(details: str) -> str | None:
    """The first calendar-event key or query parameter Kona's error text mentions, if any."""
    return next((word for word in _KEY.findall(details) if word in _FIELDS), None)


def read_error(reply: Reply, method: str) -> GatewayError | None:
    """Kona's `{"problemType","title","details"}` bodies, mapped per the contract."""
    body = reply.data if isinstance(reply.data, dict) and not is_undecodable(reply.data) else {}
    details = str(body.get("details") or body.get("error_description") or "") or None
    if reply.status == 401:
        return UpstreamUnauthorized(
            f"Kona refused the access token{f': {details}' if details else ''}", provider=NAME
        )
    if reply.status == 403:
        # Kona answers 403 to a known user who may not change this object, not for bad credentials.
        return Forbidden(details or "Kona does not let this account change the object", provider=NAME)
    if reply.status == 404:
        return NotFound(details or "Kona has no such object (or it is not visible)", provider=NAME)
    if reply.status in (400, 422):
        field = named_field(details or "")
        message = f"Kona rejected the input: {details}" if details else "Kona rejected the input"
        return BadUserInput(message, provider=NAME, upstream_field=[field] if field else None)
    return None


def service_auth(settings: KonaSettings, wiring: Wiring) -> Auth:
    """The deployment's own token: renewed with the refresh token when one is configured (Kona's
    tokens last a week; the refresh token does not change, providers.md §3.1), else as given."""
    access_token = settings.access_token.get_secret_value()
    if not settings.renews:
        return static_authorization(f"Bearer {access_token}")
    return renewing_bearer(
        wiring,
        provider=NAME,
        token_url=settings.token_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        refresh_token=settings.refresh_token.get_secret_value(),
        access_token=access_token,
    )


def open_client(settings: KonaSettings, wiring: Wiring) -> KonaClient:
    """The Kona client on the lifespan's wiring (pooled session, cache and quota).

    A bad `KONA_TIMEZONE` fails here, at start-up, rather than per request.
    """
    zone = ZoneInfo(settings.timezone)
    # Kona documents no rate limit, so none is imposed here.
    upstream = Upstream.configured(
        wiring,
        provider=NAME,
        base_url=settings.base_url,
        auth=service_auth(settings, wiring),
        read_error=read_error,
    )
    return KonaClient(upstream, zone)


SPEC: ProviderSpec[KonaSettings, KonaClient] = ProviderSpec(
    name=NAME,
    title="Kona",
    settings=KonaSettings,
    open=open_client,
    # The caller's own OAuth 2 token: whoever holds its refresh token renews it, the gateway only uses it.
    caller=CallerHeader(name="X-Kona-Token", form="<access_token>", read=bearer_caller("access_token")),
)
