"""Strigo v1 client: org bearer key, the `{"result","data"}` envelope, events, classes, members."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from gateway.errors import BadUserInput, Conflict, GatewayError, NotFound, UpstreamFailure
from gateway.providers.base import (
    CallerHeader,
    JSONObject,
    ProviderSpec,
    gather_by_key,
    pick_by_key,
    token_pair,
)
from gateway.settings import BEYOND_CONTRACT, ProviderSettings
from gateway.upstream.auth import CallerCredential, static_authorization
from gateway.upstream.endpoint import Upstream, path
from gateway.upstream.replies import Reply, is_undecodable, json_object, object_list
from gateway.upstream.wiring import Wiring

NAME = "strigo"


class StrigoSettings(ProviderSettings):
    """`STRIGO_*`: the org's API key, sent as `Authorization: Bearer ORG_ID:API_KEY`."""

    model_config = SettingsConfigDict(env_prefix="STRIGO_")

    base_url: str = Field(default="https://app.strigo.io/api/v1", description="Strigo's API root")
    org_id: str = Field(default="", description="sent as `Authorization: Bearer ORG_ID:API_KEY`")
    api_key: SecretStr = Field(default=SecretStr(""), description="the org's API key (enables Strigo)")
    timezone: str = Field(
        default="UTC",
        description="IANA zone of the org's events (Strigo's event replies carry none): their `timezone`",
    )
    rate_per_minute: int = Field(
        default=120,
        description="client-side quota (Strigo documents ~1xx-2xx RPM)",
        json_schema_extra=BEYOND_CONTRACT,
    )

    @property
    def enabled(self) -> bool:
        return bool(self.org_id and self.api_key.get_secret_value())

    @property
    def bearer(self) -> str:
        """The `Authorization` value of every call."""
        return f"Bearer {self.org_id}:{self.api_key.get_secret_value()}"

    def secrets(self) -> list[str]:
        # A reply may echo the pair without the scheme.
        return [*super().secrets(), f"{self.org_id}:{self.api_key.get_secret_value()}"]


#: From this many distinct ids on, one `GET /events` (or `/classes`) is cheaper than one call per id:
#: Strigo lists never page, so the list call returns every object of the org at once.
LIST_THRESHOLD = 3


class StrigoClient:
    """Typed operations on the Strigo API; every method returns plain upstream JSON."""

    def __init__(self, upstream: Upstream, zone: ZoneInfo | None = None) -> None:
        self.upstream = upstream
        #: The zone of the org's events (`STRIGO_TIMEZONE`), for events whose reply names none.
        self.zone = zone or ZoneInfo("UTC")

    async def list_events(self) -> list[JSONObject]:
        """`GET /events`: every event of the org, whatever its status (Strigo does not page)."""
        return self._list(await self.upstream.get("events"), "events")

    async def get_event(self, event_id: str) -> JSONObject:
        """`GET /events/{id}`."""
        return _as_object(await self.upstream.get(path("events", event_id)))

    async def load_events(self, ids: Sequence[str]) -> list[JSONObject | None]:
        """Batch function for the by-id event loader."""
        if len(ids) >= LIST_THRESHOLD:
            return pick_by_key(ids, await self.list_events(), lambda event: str(event.get("id")))
        return await gather_by_key(ids, self.get_event)

    async def load_classes(self, ids: Sequence[str]) -> list[JSONObject | None]:
        """Batch function for the by-id class loader (`GET /classes` or `GET /classes/{id}`)."""
        if len(ids) >= LIST_THRESHOLD:
            classes = self._list(await self.upstream.get("classes"), "classes")
            return pick_by_key(ids, classes, lambda cls: str(cls.get("id")))

        async def one(class_id: str) -> JSONObject:
            return _as_object(await self.upstream.get(path("classes", class_id)))

        return await gather_by_key(ids, one)

    async def load_members(self, ids: Sequence[str]) -> list[JSONObject | None]:
        """Batch function for the by-id member loader: `GET /members` (Strigo has no by-id member call)."""
        members = self._list(await self.upstream.get("members"), "members")
        return pick_by_key(ids, members, lambda member: str(member.get("id")))

    async def create_event(self, body: JSONObject) -> JSONObject:
        """`POST /events` (200 or 201 — the docs disagree; both are accepted)."""
        return _as_object(await self.upstream.request("POST", "events", json=body))

    async def update_event(self, event_id: str, body: JSONObject) -> JSONObject:
        """`PATCH /events/{id}`: only the given fields change; answers the full event."""
        return _as_object(await self.upstream.request("PATCH", path("events", event_id), json=body))

    async def delete_event(self, event_id: str) -> None:
        """`DELETE /events/{id}` (204; only `ready` events may be deleted)."""
        await self.upstream.request("DELETE", path("events", event_id))

    def _list(self, reply: Reply, what: str) -> list[JSONObject]:
        limit = self.upstream.max_reply_items
        return object_list(_unwrap(reply), limit, title="Strigo", what=what, provider=NAME)


def _unwrap(reply: Reply) -> Any:
    # Strigo's docs show bare objects in examples but say every reply is wrapped in
    # {"result": "success", "data": …}; accept both.
    data = reply.data
    if isinstance(data, dict) and "result" in data:
        if data.get("result") != "success":
            raise UpstreamFailure("Strigo reported a failure in a successful reply", provider=NAME)
        return data.get("data")
    return data


def _as_object(reply: Reply) -> JSONObject:
    return json_object(_unwrap(reply), title="Strigo", provider=NAME)


def read_error(reply: Reply, method: str) -> GatewayError | None:
    """Strigo's `{"result":"failure","error":{"type","message","errors"}}` bodies, mapped."""
    if is_undecodable(reply.data) or not isinstance(reply.data, dict):
        return None  # e.g. the plain-text 429: the default mapping is right
    error = reply.data.get("error")
    if not isinstance(error, Mapping):
        return None
    kind = str(error.get("type", ""))
    message = str(error.get("message", "")) or None
    if reply.status == 422 or kind == "RequestValidationError":
        return _validation_error(error)
    if reply.status == 404:
        # A class named in the body that Strigo cannot find is the caller's `classId`; an event not
        # found is the mutation's `id` (the resolvers point a bare NOT_FOUND there).
        named = ["class_id"] if kind == "ClassNotFound" else None
        return NotFound(message or "Strigo has no such object", provider=NAME, upstream_field=named)
    if reply.status in (400, 403, 409) and kind not in ("", "Unauthorized", "Forbidden"):
        # Documented refusals such as EventNotInReadyState, or a live event that cannot be modified.
        return Conflict(message or kind, provider=NAME)
    return None


def _validation_error(error: Mapping[str, Any]) -> BadUserInput:
    items = [item for item in error.get("errors") or [] if isinstance(item, Mapping)]
    if not items:
        return BadUserInput(str(error.get("message") or "Strigo rejected the input"), provider=NAME)
    first = items[0]
    details = "; ".join(f"{item.get('param')}: {item.get('msg')}" for item in items)
    param = str(first.get("param") or "")
    return BadUserInput(
        f"Strigo rejected the input: {details}", provider=NAME, upstream_field=[param] if param else None
    )


def open_client(settings: StrigoSettings, wiring: Wiring) -> StrigoClient:
    """The Strigo client on the lifespan's wiring (pooled session, cache and quota).

    A bad `STRIGO_TIMEZONE` fails here, at start-up, rather than per request.
    """
    zone = ZoneInfo(settings.timezone)
    upstream = Upstream.configured(
        wiring,
        provider=NAME,
        base_url=settings.base_url,
        auth=static_authorization(settings.bearer),
        read_error=read_error,
        rate=(settings.rate_per_minute, 60.0),
    )
    return StrigoClient(upstream, zone)


def caller_credential(value: str, settings: StrigoSettings) -> CallerCredential:
    """`X-Strigo-Credentials: <org_id>:<api_key>`: the caller's org, signed as the deployment's is."""
    org_id, api_key = token_pair(value, "org_id", "api_key")
    pair = f"{org_id}:{api_key}"
    return CallerCredential(static_authorization(f"Bearer {pair}"), secrets=(api_key, pair))


SPEC: ProviderSpec[StrigoSettings, StrigoClient] = ProviderSpec(
    name=NAME,
    title="Strigo",
    settings=StrigoSettings,
    open=open_client,
    caller=CallerHeader(name="X-Strigo-Credentials", form="<org_id>:<api_key>", read=caller_credential),
)
