"""Schoology v1 client: OAuth 1.0a (two-legged for the app, three-legged for a caller), realm paths,
offset paging, multi-get, error mapping."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import oauthlib.oauth1
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from yarl import URL

from gateway.errors import (
    BadUserInput,
    Forbidden,
    GatewayError,
    NotFound,
    UpstreamFailure,
    UpstreamUnauthorized,
)
from gateway.providers.base import CallerHeader, JSONObject, ProviderSpec, gather_by_key, token_pair
from gateway.providers.schoology_zones import RealmZones
from gateway.settings import BEYOND_CONTRACT, CsvList, ProviderSettings
from gateway.upstream.auth import Auth, CallerCredential
from gateway.upstream.endpoint import READ_METHODS, Upstream, path
from gateway.upstream.replies import Reply, default_error, object_list
from gateway.upstream.values import digits
from gateway.upstream.wiring import Wiring

NAME = "schoology"


class SchoologySettings(ProviderSettings):
    """`SCHOOLOGY_*`: the app's OAuth 1.0a consumer key (HMAC-SHA1), the realms to list, the zone of
    local times."""

    model_config = SettingsConfigDict(env_prefix="SCHOOLOGY_")

    base_url: str = Field(default="https://api.schoology.com/v1", description="Schoology's API root")
    consumer_key: str = Field(
        default="",
        description="the app's OAuth 1.0a (HMAC-SHA1) consumer key: two-legged, and with callers' "
        "`X-Schoology-Token` three-legged",
    )
    consumer_secret: SecretStr = Field(
        default=SecretStr(""), description="its consumer secret (enables Schoology)"
    )
    realms: CsvList = Field(
        default_factory=list,
        description="realms listed by the federated `events` query, e.g. `sections/3719526,users/42`",
    )
    timezone: str = Field(
        default="UTC",
        description="zone of Schoology's offset-less `start`/`end` in every realm but a user's (whose own "
        "`tz_name` applies)",
    )
    web_url: str = Field(
        default="https://app.schoology.com",
        description="the web app people sign in to (`https://<school>.schoology.com`): events' `url` is "
        "`<web_url>/event/<id>`; empty: no `url`",
        json_schema_extra=BEYOND_CONTRACT,
    )
    # Schoology publishes no limit; clients observe about 15 calls per 5 s (a multi-get counts once).
    rate_limit: int = Field(
        default=15, description="client-side quota: calls per period", json_schema_extra=BEYOND_CONTRACT
    )
    rate_period: float = Field(
        default=5.0, description="the quota's period in seconds", json_schema_extra=BEYOND_CONTRACT
    )

    @property
    def enabled(self) -> bool:
        return bool(self.consumer_key and self.consumer_secret.get_secret_value())


#: Realm kinds as Schoology spells them in paths, with the singular its events carry in `realm`.
REALM_KINDS: Mapping[str, str] = {
    "districts": "district",
    "schools": "school",
    "users": "user",
    "groups": "group",
    "sections": "section",
}
#: Schoology's default page size (every documented `links.self` ends `?start=0&limit=20`).
DEFAULT_LIMIT = 20
#: Largest `limit` asked for. Schoology publishes no maximum; 200 is what third-party clients use.
MAX_LIMIT = 200
#: Multi-get answers only the first 50 paths of a call (documented).
MULTIGET_MAX = 50


_DIGITS = re.compile(r"^[0-9]{1,20}$")
#: oauthlib logs every signature base string and signature at DEBUG: with `GATEWAY_LOG_LEVEL=DEBUG`
#: those would reach the logs, so its loggers stop below WARNING whatever the gateway's level.
OAUTHLIB_LOG_LEVEL = logging.WARNING


@dataclass(frozen=True, slots=True)
class Realm:
    """Where events live: a kind (`sections`, `users`, …, as in paths) and a numeric id."""

    kind: str
    id: str

    @classmethod
    def parse(cls, text: str) -> Realm:
        """`sections/3719526` → Realm; ValueError when it is not one of the five kinds and a number."""
        kind, _, realm_id = text.strip().strip("/").partition("/")
        if kind not in REALM_KINDS or not _DIGITS.match(realm_id):
            raise ValueError(f"{text!r} is not a Schoology realm such as 'sections/3719526'")
        return cls(kind, realm_id)

    def __str__(self) -> str:
        return f"{self.kind}/{self.id}"

    def endpoint(self, *below: str) -> str:
        """A path relative to the API base, e.g. `sections/3719526/events` (each segment encoded)."""
        return path(self.kind, self.id, *below)


@dataclass(frozen=True, slots=True)
class EventRef:
    """One event's upstream key: its realm and id (single events have no realm-less path)."""

    realm: Realm
    event_id: str


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page of `GET {realm}/events`: offset, size and the optional start-day range (inclusive)."""

    realm: Realm
    start: int = 0
    limit: int = DEFAULT_LIMIT
    start_date: date | None = None
    end_date: date | None = None
    #: Ask for each event's `attachments` ("Retrieving Extras": `with_attachments=1`).
    with_attachments: bool = False

    def params(self) -> dict[str, str | int]:
        """The query string (Schoology filters by date only when both days are given)."""
        params: dict[str, str | int] = {"start": self.start, "limit": self.limit}
        if self.start_date is not None and self.end_date is not None:
            params["start_date"] = self.start_date.isoformat()
            params["end_date"] = self.end_date.isoformat()
        if self.with_attachments:
            params["with_attachments"] = 1
        return params


@dataclass(frozen=True, slots=True)
class EventPage:
    """One page of a realm's events as Schoology sent them, and where the next page starts (if any)."""

    request: PageRequest
    events: list[JSONObject]
    total: int | None
    next_start: int | None


class TwoLeggedClient(oauthlib.oauth1.Client):  # type: ignore[misc]  # oauthlib is untyped
    """oauthlib drops an empty `oauth_token`; Schoology's docs want it present as `oauth_token=""`."""

    def get_oauth_params(self, request: Any) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = super().get_oauth_params(request)
        return [*params, ("oauth_token", "")]


class NoAccess(UpstreamUnauthorized):
    """A read refused with 403: these credentials may not see that realm or object.

    For the deployment's own credentials that is a misconfiguration (UPSTREAM_UNAUTHORIZED); for a
    caller's, a realm that is not theirs, which the federated `events` query leaves out.
    """


def oauth_signer(settings: SchoologySettings, access: tuple[str, str] | None = None) -> Auth:
    """HMAC-SHA1 OAuth 1.0a signing with the app's consumer key: two-legged, or three-legged with
    a user's `access` (token, token secret), which joins the consumer secret in the signing key."""
    secret = settings.consumer_secret.get_secret_value()
    options = {
        "client_secret": secret,
        "signature_method": oauthlib.oauth1.SIGNATURE_HMAC_SHA1,
        "signature_type": oauthlib.oauth1.SIGNATURE_TYPE_AUTH_HEADER,
        "realm": "Schoology API",
    }
    if access is None:
        oauth = TwoLeggedClient(settings.consumer_key, **options)
    else:
        oauth = oauthlib.oauth1.Client(
            settings.consumer_key, resource_owner_key=access[0], resource_owner_secret=access[1], **options
        )

    def auth(method: str, url: URL, body: bytes | None) -> Mapping[str, str]:
        # Called per attempt, so every retry gets a fresh nonce and timestamp. The signed URL is
        # exactly the one sent; a JSON body is covered by `oauth_body_hash`.
        headers = {"Content-Type": "application/json"} if body is not None else {}
        text = None if body is None else body.decode()
        _, signed, _ = oauth.sign(str(url), http_method=method, body=text, headers=headers)
        return {"Authorization": signed["Authorization"]}

    return auth


class SchoologyClient:
    """Typed operations on the Schoology API; every method returns plain upstream JSON."""

    def __init__(
        self, upstream: Upstream, *, zone: ZoneInfo, realms: Sequence[Realm], web_url: str = ""
    ) -> None:
        self.upstream = upstream
        #: The zone of Schoology's offset-less `start`/`end` outside user realms (`SCHOOLOGY_TIMEZONE`).
        self.zone = zone
        #: The realms the federated `events` query lists (`SCHOOLOGY_REALMS`).
        self.realms = tuple(realms)
        #: The web app's root (`SCHOOLOGY_WEB_URL`), without a trailing slash; empty: none.
        self.web_url = web_url.rstrip("/")
        self._zones = RealmZones(zone)
        # Multi-get items are paths from the API root including the version (`/v1/users/265`), never
        # including whatever prefix sits before it in the base URL (a proxy, the sandbox's `/schoology`).
        version = URL(upstream.base_url).path.rstrip("/").rsplit("/", 1)[-1]
        self._item_prefix = f"/{version}" if version else ""

    def zone_of(self, realm: Realm) -> ZoneInfo:
        """The zone a realm's times are in (see `schoology_zones`)."""
        return self._zones.zone_of(realm)

    def needs_zone(self, realm: Realm) -> bool:
        """Whether the realm is a user whose `tz_name` is not known (or no longer fresh)."""
        return self._zones.needs(realm, realm.kind)

    def learn_zone(self, realm: Realm, data: Any) -> None:
        """Remember a user realm's zone from its object."""
        self._zones.learn(realm, data)

    async def learn_zones(self, realms: Sequence[Realm]) -> dict[Realm, JSONObject | None]:
        """Read the objects of the user realms among `realms` whose zone is not known (one multi-get)."""
        wanted = list(dict.fromkeys(realm for realm in realms if self.needs_zone(realm)))
        if not wanted:
            return {}
        objects = dict(zip(wanted, await self.load_realms(wanted), strict=True))
        for realm, data in objects.items():
            self.learn_zone(realm, data)
        return objects

    async def list_events(self, request: PageRequest) -> EventPage:
        """`GET {realm}/events?start=&limit=[&start_date=&end_date=]`: one page."""
        try:
            reply = await self.upstream.get(request.realm.endpoint("events"), request.params())
        except NotFound as error:
            raise _no_realm(request.realm) from error
        return _page(request, reply.data, self.upstream.max_reply_items)

    async def list_pages(
        self, requests: Sequence[PageRequest], *, learning: Sequence[Realm] = (), skip_hidden: bool = False
    ) -> tuple[list[EventPage], dict[Realm, JSONObject | None]]:
        """Several realms' pages at once: one multi-get per 50 (one plain GET when there is one).

        `skip_hidden` leaves out the realms these credentials may not read (`NoAccess`). The objects
        of the user realms in `learning` whose zone is not known come in the same multi-get (and are
        returned, so their names cost nothing later).
        """
        wanted = list(dict.fromkeys(realm for realm in learning if self.needs_zone(realm)))
        if len(requests) == 1 and not wanted:
            try:
                return [await self.list_events(requests[0])], {}
            except NoAccess:
                if skip_hidden:
                    return [], {}
                raise
        items = [self._item(request.realm.endpoint("events"), request.params()) for request in requests]
        bodies = await self.multiget([*items, *(self._item(realm.endpoint()) for realm in wanted)])
        objects: dict[Realm, JSONObject | None] = {}
        for realm, body in zip(wanted, bodies[len(items) :], strict=True):
            if isinstance(body, GatewayError) and not isinstance(body, NotFound | NoAccess):
                raise body
            objects[realm] = body if isinstance(body, dict) else None
            self.learn_zone(realm, objects[realm])
        pages = []
        for request, body in zip(requests, bodies[: len(items)], strict=True):
            if isinstance(body, NotFound):
                raise _no_realm(request.realm)
            if isinstance(body, NoAccess) and skip_hidden:
                continue
            if isinstance(body, GatewayError):
                raise body
            pages.append(_page(request, body, self.upstream.max_reply_items))
        return pages, objects

    async def get_event(self, ref: EventRef) -> JSONObject:
        """`GET {realm}/events/{id}` (not allowed in multi-get, so never batched into one call)."""
        reply = await self.upstream.get(ref.realm.endpoint("events", ref.event_id))
        data = reply.data
        # Schoology may answer unknown sub-paths with the parent object instead of a 404.
        if not isinstance(data, dict) or _text(data.get("id")) != ref.event_id or "start" not in data:
            raise NotFound(f"Schoology has no event {ref.event_id} in {ref.realm}", provider=NAME)
        return data

    async def load_events(self, refs: Sequence[EventRef]) -> list[JSONObject | None]:
        """Batch function for the by-id event loader: concurrent single GETs."""
        return await gather_by_key(refs, self.get_event)

    async def load_realms(self, realms: Sequence[Realm]) -> list[JSONObject | None]:
        """Batch function for the realm loader (`GET {kind}/{id}` objects): one multi-get per 50."""
        bodies = await self.multiget([self._item(realm.endpoint()) for realm in realms])
        found: list[JSONObject | None] = []
        for body in bodies:
            if isinstance(body, NotFound):
                found.append(None)
            elif isinstance(body, GatewayError):
                raise body
            else:
                found.append(body if isinstance(body, dict) else None)
        return found

    async def multiget(self, items: Sequence[str]) -> list[Any]:
        """`POST /multiget` in chunks of 50; each item's body, or the error its `response_code` means."""
        chunks = [items[i : i + MULTIGET_MAX] for i in range(0, len(items), MULTIGET_MAX)]
        answers = await asyncio.gather(*(self._multiget_chunk(chunk) for chunk in chunks))
        return [body for answer in answers for body in answer]

    async def create_event(self, realm: Realm, body: JSONObject) -> JSONObject:
        """`POST {realm}/events` (201): answers the stored event with `links.self`."""
        reply = await self.upstream.request("POST", realm.endpoint("events"), json=body)
        if not isinstance(reply.data, dict) or "id" not in reply.data:
            raise UpstreamFailure("Schoology did not return the created event", provider=NAME)
        return reply.data

    async def update_event(self, ref: EventRef, body: JSONObject) -> None:
        """`PUT {realm}/events/{id}` with the changed fields only (204, empty body)."""
        await self.upstream.request("PUT", ref.realm.endpoint("events", ref.event_id), json=body)

    async def delete_event(self, ref: EventRef) -> None:
        """`DELETE {realm}/events/{id}` (204; cannot be undone)."""
        await self.upstream.request("DELETE", ref.realm.endpoint("events", ref.event_id))

    def _item(self, relative: str, params: Mapping[str, str | int] | None = None) -> str:
        url = URL(f"{self._item_prefix}/{relative}", encoded=True)
        return str(url.update_query({key: str(value) for key, value in params.items()}) if params else url)

    async def _multiget_chunk(self, items: Sequence[str]) -> list[Any]:
        # A batch of GETs sent as a POST: as safe to retry as any read.
        reply = await self.upstream.request("POST", "multiget", json={"request": list(items)}, reads=True)
        answers = reply.data.get("response") if isinstance(reply.data, dict) else None
        if not isinstance(answers, list) or len(answers) != len(items):
            raise UpstreamFailure("Schoology sent an unexpected multi-get reply", provider=NAME)
        return [_item_body(answer) for answer in answers]


def _no_realm(realm: Realm) -> NotFound:
    return NotFound(f"Schoology has no realm {realm}", provider=NAME)


def _item_body(answer: Any) -> Any:
    if not isinstance(answer, dict):
        return UpstreamFailure("Schoology sent an unexpected multi-get item", provider=NAME)
    status = digits(answer.get("response_code"), maximum=599)
    if status is None:
        return UpstreamFailure("Schoology sent a multi-get item without a status", provider=NAME)
    body = answer.get("body")
    if status < 400:
        return body
    headers = answer.get("headers")
    reply = Reply(status, headers if isinstance(headers, dict) else {}, body, str(answer.get("location")))
    return read_error(reply, "GET") or default_error(NAME, reply)


#: The largest `total` passed on: `totalCount` is a GraphQL Int (32 bits).
MAX_TOTAL = 2**31 - 1


def _page(request: PageRequest, data: Any, max_items: int) -> EventPage:
    if not isinstance(data, dict):
        raise UpstreamFailure("Schoology sent an unexpected event list", provider=NAME)
    events = data.get("event") or []
    if isinstance(events, dict):  # a one-item list can arrive unwrapped
        events = [events]
    events = object_list(events, max_items, title="Schoology", what="event", provider=NAME)
    total = digits(data.get("total"), maximum=MAX_TOTAL)
    return EventPage(request, events, total, _next_start(request, data.get("links"), len(events), total))


def _next_start(request: PageRequest, links: Any, count: int, total: int | None) -> int | None:
    """Where the next page starts: `links.next`'s `start` when it moves forward by at most a page
    (the upstream layer takes paths, not absolute URLs, so only the offset is taken from it), else
    just past this page; None at the end, or when nothing would move the list forward."""
    following = request.start + count if count else None
    next_url = links.get("next") if isinstance(links, dict) else None
    if isinstance(next_url, str) and next_url:
        try:
            linked = digits(URL(next_url).query.get("start"))
        except ValueError:  # not a URL at all
            linked = None
        if linked is not None and request.start < linked <= request.start + request.limit:
            return linked
        return following
    if total is not None and following is not None and following < total:
        return following
    return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


_FIELD_MESSAGE = re.compile(r"\bThe (\w+) (?:field|parameter)\b")
#: The event keys the gateway writes: a 400 naming one points at that input field.
_WRITTEN = frozenset(
    {"title", "description", "start", "end", "has_end", "all_day", "rsvp", "comments_enabled"}
)


def read_error(reply: Reply, method: str) -> GatewayError | None:
    """Schoology's errors are bare statuses (403/404 empty, 400 a message string), mapped here.

    A 403 on a write means this object may not be changed (assignment and discussion due-date
    events, or an event the account may not edit); on a read it means the credentials lack access.
    """
    if reply.status == 400:
        message = reply.data if isinstance(reply.data, str) and reply.data else None
        named = _FIELD_MESSAGE.search(message) if message else None
        key = [named.group(1)] if named and named.group(1) in _WRITTEN else None
        text = f"Schoology rejected the input: {message}" if message else "Schoology rejected the input"
        return BadUserInput(text, provider=NAME, upstream_field=key)
    if reply.status == 403 and method not in READ_METHODS:
        return Forbidden(
            "Schoology does not let the gateway change this object (assignment and discussion "
            "due-date events are read-only)",
            provider=NAME,
        )
    if reply.status == 403:
        return NoAccess("Schoology does not let these credentials read this object", provider=NAME)
    if reply.status == 404:
        return NotFound("Schoology has no such object", provider=NAME)
    return None


def open_client(settings: SchoologySettings, wiring: Wiring) -> SchoologyClient:
    """The Schoology client on the lifespan's wiring (pooled session, cache and quota).

    A bad `SCHOOLOGY_TIMEZONE` or `SCHOOLOGY_REALMS` fails here, at start-up, rather than per request.
    """
    zone = ZoneInfo(settings.timezone)
    realms = [Realm.parse(text) for text in settings.realms]
    logging.getLogger("oauthlib").setLevel(OAUTHLIB_LOG_LEVEL)
    upstream = Upstream.configured(
        wiring,
        provider=NAME,
        base_url=settings.base_url,
        auth=oauth_signer(settings),
        read_error=read_error,
        rate=(settings.rate_limit, settings.rate_period),
    )
    return SchoologyClient(upstream, zone=zone, realms=realms, web_url=settings.web_url)


def caller_credential(value: str, settings: SchoologySettings) -> CallerCredential:
    """`X-Schoology-Token: <oauth_token>:<oauth_token_secret>`: a user's access token from Schoology's
    three-legged flow, signed with the app's consumer key (which never leaves the environment)."""
    access = token_pair(value, "oauth_token", "oauth_token_secret")
    return CallerCredential(oauth_signer(settings, access), secrets=access)


SPEC: ProviderSpec[SchoologySettings, SchoologyClient] = ProviderSpec(
    name=NAME,
    title="Schoology",
    settings=SchoologySettings,
    open=open_client,
    caller=CallerHeader(
        name="X-Schoology-Token",
        form="<oauth_token>:<oauth_token_secret>",
        read=caller_credential,
        # Three-legged calls are signed with the app's consumer key and secret as well.
        usable=lambda settings: settings.enabled,
    ),
    # A list's events carry `links` (their own address); the single GET that re-reads an update does not.
    endpoint_only_keys=frozenset({"links"}),
)
