"""Schoology REST API v1 emulator: realm objects, realm events (list/get/create/update/delete) and multi-get.

Mounted by the sandbox at `/schoology`; routes live under `/v1`. Requests must carry a two-legged OAuth 1.0a
`Authorization` header (see `schoology_auth`); seeded data comes from `schoology_seed`.

Choices where the provider research says UNCONFIRMED (providers.md §2):

- Format without a usable `Accept`: XML. JSON when `application/json` has the higher q (ties: first listed).
- `start`/`end` carry no zone: lists, multi-get and POST answers write them in the realm's zone (a user's
  `tz_name`; otherwise the school's, America/New_York, which `sandbox_env` gives as `SCHOOLOGY_TIMEZONE`),
  the single GET in UTC, and all-day events are kept as their day at 23:59:59 UTC: the docs' own list and
  GET examples of one event, 5 h apart (see `schoology_time`). User 269 lives in Asia/Tokyo.
- Paging: `limit` defaults to 20 and is capped at 200; a missing, non-numeric or non-positive `limit`
  means 20, a bad `start` means 0. `start_date`/`end_date` filter only when both are given (one alone is
  ignored), keep events whose start day is within them (inclusive), and a malformed date answers 400.
- Rate limit: off by default; `rate_limit=(n, seconds)` counts authenticated requests per consumer key in a
  sliding window (a multi-get counts once) and answers 429 with `Retry-After: ceil(seconds)`.
- OAuth: timestamps more than 300 s from the server clock fail (401); each (consumer key, token,
  timestamp, nonce) is accepted once. Two-legged calls (empty `oauth_token`) act as the app's own
  account and see every realm; three-legged ones as the token's user (`ACCESS_TOKENS`), signed with
  its token secret, and an unknown token fails (401, the PHP library's text, which echoes it).
- Users see only the realms they belong to (`SchoologyState.memberships`): any other realm, its
  events and its multi-get items answer 403 with an empty body (the docs: 403 means no permission).
- Error bodies: 401 and 429 are short `text/plain` messages; 400 is a message string in the negotiated format
  (a JSON string, or `<result>message</result>`); 403 and 404 are empty.
- `with_attachments=1` (list only, as the event page lists it) adds `attachments` to the events that have
  any, shaped as the "Retrieving Extras" page and its files/links/videos/embeds objects say; seeded field
  trips carry a file and a link, guest speakers a video.
- Single-event GET omits `links` (as the docs' example does); list items and POST answers carry `links.self`.
- POST may only create `type: "event"`; `type` cannot change on PUT (400). `end` is ignored while `has_end`
  is 0 and required (not before `start`) while it is 1.
- Multi-get: `POST /v1/multiget` with `{"request": [...]}` (or XML `<requests><request>…`). Items must be
  `/v1/...` paths (absolute URLs are reduced to their path). A path that matches no route, or a `/v1/...`
  object that does not exist, is a per-item 404; a real route that is not on the multi-get allow-list (e.g. a
  single event `…/events/{id}`) is a per-item 403. `location` is the absolute URL of the item; `headers` is
  `{}`; `body` is null for 403/404. Only the first 50 items are answered.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from aiohttp import web
from yarl import URL

from gateway.sandbox.churn import Churned, ChurnKind
from gateway.sandbox.recorder import CallLog, Handler, json_response, read_json, recording_middleware
from gateway.sandbox.schoology_auth import ACTING_USER, APP_ACCOUNT, OAuthGate, oauth_middleware
from gateway.sandbox.schoology_churn import churn_realms
from gateway.sandbox.schoology_events import BadRequest, new_event_fields, render_event, updated_event_fields
from gateway.sandbox.schoology_format import XML_CONTENT_TYPE, XML_TYPES, from_xml, to_xml, wants_json
from gateway.sandbox.schoology_seed import (
    ACCESS_TOKENS,
    BUSY_SECTION_ID,
    DANA_TOKEN,
    DANA_TOKEN_SECRET,
    GROUP_IDS,
    LUIS_TOKEN,
    LUIS_TOKEN_SECRET,
    SECTION_IDS,
    USER_IDS,
    RealmKey,
    SchoologyState,
    StoredEvent,
    seed_state,
)
from gateway.sandbox.schoology_time import TIMEZONE, realm_zone, start_day

NAME = "schoology"
CONSUMER_KEY = "sandbox-schoology-key"
CONSUMER_SECRET = "sandbox-schoology-secret"
DEFAULT_LIMIT = 20
MAX_LIMIT = 200
MULTIGET_MAX = 50
SEEDED_REALMS = (
    f"sections/{BUSY_SECTION_ID}",
    f"sections/{SECTION_IDS[1]}",
    f"groups/{GROUP_IDS[0]}",
    f"users/{USER_IDS[0]}",
)

STATE = web.AppKey("schoology_state", SchoologyState)
_REALM_PATH = r"/v1/{realm:districts|schools|users|groups|sections}/{rid:\d+}"
_HEADERS = {"X-Schoology": "API"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a route answers, before negotiation: a status and JSON-shaped data (None = empty body)."""

    status: int
    body: Any = None


@dataclass(frozen=True, slots=True)
class Call:
    """One request as the route logic sees it; multi-get builds these for its inner GETs too."""

    state: SchoologyState
    match: Mapping[str, str]
    url: URL
    body: Any = None
    #: The user a three-legged call acts for; None: the app's own account.
    user: int | None = None

    @property
    def realm(self) -> RealmKey:
        return self.match["realm"], int(self.match["rid"])

    @property
    def forbidden(self) -> bool:
        """Whether the caller may not see this realm (an existing one: 403; a missing one stays 404)."""
        return self.realm in self.state.realms and not self.state.may_access(self.user, self.realm)

    @property
    def base(self) -> str:
        """The addressed URL without its query (the `links.self` of what it names)."""
        return str(self.url.with_query(None))


Route = Callable[[Call], Outcome]
_NOT_FOUND = Outcome(404)
_FORBIDDEN = Outcome(403)


def _guarded(route: Route) -> Route:
    """`route`, answering 403 (empty) when the caller is not in the realm it addresses."""

    def guarded(call: Call) -> Outcome:
        return _FORBIDDEN if call.forbidden else route(call)

    return guarded


def realm_object(call: Call) -> Outcome:
    """GET /v1/{realm}/{id}."""
    data = call.state.realms.get(call.realm)
    if data is None:
        return _NOT_FOUND
    return Outcome(200, {**data, "links": {"self": call.base}})


def list_events(call: Call) -> Outcome:
    """GET /v1/{realm}/{id}/events: one page, with `links.next` only while more records exist."""
    if call.realm not in call.state.realms:
        return _NOT_FOUND
    try:
        start, limit = _paging(call.url.query)
        window = _date_window(call.url.query)
    except BadRequest as error:
        return Outcome(400, str(error))
    zone = _zone(call)
    events = [event for event in call.state.realm_events(call.realm) if _within(event, window, zone)]
    page = events[start : start + limit]
    links = {"self": _page_url(call.url, start, limit)}
    if start + limit < len(events):
        links["next"] = _page_url(call.url, start + limit, limit)
    # Retrieving Extras: `?with_attachments=1` adds each event's `attachments`.
    extras = call.url.query.get("with_attachments", "").lower() in ("1", "true")
    rendered = [
        render_event(event, f"{call.base}/{event.fields['id']}", zone, attachments=extras) for event in page
    ]
    return Outcome(200, {"event": rendered, "total": len(events), "links": links})


def get_event(call: Call) -> Outcome:
    """GET /v1/{realm}/{id}/events/{event_id}."""
    event = _find_event(call)
    return _NOT_FOUND if event is None else Outcome(200, render_event(event, None, None))


def create_event(call: Call) -> Outcome:
    """POST /v1/{realm}/{id}/events: 201 with the stored event."""
    if call.realm not in call.state.realms:
        return _NOT_FOUND
    try:
        fields = new_event_fields(call.body, _zone(call))
    except BadRequest as error:
        return Outcome(400, str(error))
    event = call.state.add_event(call.realm, fields)
    return Outcome(201, render_event(event, f"{call.base}/{event.fields['id']}", _zone(call)))


def update_event(call: Call) -> Outcome:
    """PUT /v1/{realm}/{id}/events/{event_id}: changed fields only, 204 empty."""
    event = _find_event(call)
    if event is None:
        return _NOT_FOUND
    if not event.fields["editable"]:
        # Docs: assignment-related events can be viewed but not modified directly.
        return Outcome(403)
    try:
        event.fields = updated_event_fields(event.fields, call.body, _zone(call))
    except BadRequest as error:
        return Outcome(400, str(error))
    return Outcome(204)


def delete_event(call: Call) -> Outcome:
    """DELETE /v1/{realm}/{id}/events/{event_id}: 204 empty."""
    event = _find_event(call)
    if event is None:
        return _NOT_FOUND
    if not event.fields["editable"]:
        return Outcome(403)
    del call.state.events[event.fields["id"]]
    return Outcome(204)


# Route name -> logic for the GETs multi-get may run (docs' allow-list: realm objects, realm event lists).
_MULTIGET_ROUTES: dict[str, Route] = {"realm": _guarded(realm_object), "events": _guarded(list_events)}


async def multiget(request: web.Request) -> web.StreamResponse:
    """POST /v1/multiget: run up to 50 GETs through the same routes; answers in request order."""
    paths = _multiget_paths(await _read_body(request))
    if paths is None:
        return _render(request, Outcome(400, "The body must list the paths to get in `request`"))
    prefix = request.path.removesuffix("/v1/multiget")
    answers = [await _multiget_one(request, prefix, path) for path in paths[:MULTIGET_MAX]]
    return _render(request, Outcome(200, {"response": answers}))


@dataclass(frozen=True, slots=True)
class _Probe:
    # All `UrlDispatcher.resolve` reads of a request. The real request cannot be cloned instead: the
    # recording middleware has already read its body.
    method: str
    rel_url: URL


async def _multiget_one(request: web.Request, prefix: str, path: str) -> dict[str, Any]:
    target = URL(path)
    rel_url = URL(prefix + target.raw_path_qs, encoded=True)
    url = request.url.join(rel_url)
    outcome = _NOT_FOUND
    if target.path.startswith("/v1/"):
        match = await request.app.router.resolve(cast(web.Request, _Probe("GET", rel_url)))
        route = _MULTIGET_ROUTES.get(match.route.name or "") if match.http_exception is None else None
        if route is not None:
            outcome = route(Call(request.app[STATE], match, url, user=_user(request)))
        elif match.http_exception is None:
            outcome = Outcome(403)
    return {"location": str(url), "response_code": outcome.status, "headers": {}, "body": outcome.body}


def _multiget_paths(body: Any) -> list[str] | None:
    requested = body.get("request") if isinstance(body, dict) else None
    if isinstance(requested, str):
        requested = [requested]
    if not isinstance(requested, list) or not all(isinstance(path, str) for path in requested):
        return None
    return requested


def _find_event(call: Call) -> StoredEvent | None:
    event = call.state.events.get(int(call.match["eid"]))
    return event if event is not None and event.realm == call.realm else None


def _paging(query: Mapping[str, str]) -> tuple[int, int]:
    start = _integer(query.get("start"), 0)
    limit = _integer(query.get("limit"), DEFAULT_LIMIT)
    return (start if start >= 0 else 0), min(limit if limit > 0 else DEFAULT_LIMIT, MAX_LIMIT)


def _integer(raw: str | None, default: int) -> int:
    try:
        return default if raw is None else int(raw)
    except ValueError:
        return default


def _date_window(query: Mapping[str, str]) -> tuple[str, str] | None:
    first, last = query.get("start_date"), query.get("end_date")
    if not first or not last:
        return None
    return _day(first, "start_date"), _day(last, "end_date")


def _day(raw: str, name: str) -> str:
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(raw, pattern).date().isoformat()
        except ValueError:
            continue
    raise BadRequest(f"The {name} parameter must be YYYY-MM-DD or YYYYMMDD")


def _within(event: StoredEvent, window: tuple[str, str] | None, zone: ZoneInfo) -> bool:
    return window is None or window[0] <= start_day(event.fields, zone).isoformat() <= window[1]


def _zone(call: Call) -> ZoneInfo:
    """The zone the addressed realm writes its times in."""
    return realm_zone(call.realm[0], call.state.realms.get(call.realm))


def _page_url(url: URL, start: int, limit: int) -> str:
    rest = [(key, value) for key, value in url.query.items() if key not in ("start", "limit")]
    return str(url.with_query([("start", str(start)), ("limit", str(limit)), *rest]))


async def _read_body(request: web.Request) -> Any:
    if request.content_type in XML_TYPES:
        return from_xml(await request.read())
    return await read_json(request)


def _render(request: web.Request, outcome: Outcome) -> web.Response:
    if outcome.body is None:
        return web.Response(status=outcome.status, headers=_HEADERS)
    if wants_json(request.headers.get("Accept")):
        return json_response(outcome.body, status=outcome.status, headers=_HEADERS)
    return web.Response(
        status=outcome.status,
        text=to_xml(outcome.body),
        content_type=XML_CONTENT_TYPE,
        charset="utf-8",
        headers=_HEADERS,
    )


def _user(request: web.Request) -> int | None:
    user = request[ACTING_USER]
    return None if user == APP_ACCOUNT else user


def _endpoint(route: Route) -> Handler:
    guarded = _guarded(route)

    async def handler(request: web.Request) -> web.StreamResponse:
        body = await _read_body(request) if request.method in ("POST", "PUT") else None
        call = Call(request.app[STATE], request.match_info, request.url, body, _user(request))
        return _render(request, guarded(call))

    return handler


@web.middleware
async def _empty_not_found(request: web.Request, handler: Handler) -> web.StreamResponse:
    # Schoology's 404s (including paths it does not know) have an empty body.
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return web.Response(status=404, headers=_HEADERS)


def create_app(
    log: CallLog,
    *,
    rate_limit: tuple[int, float] | None = None,
    clock: Callable[[], float] = time.time,
) -> web.Application:
    """A freshly seeded Schoology emulator (routes under `/v1`).

    `clock` (epoch seconds) drives the OAuth timestamp check and the rate-limit window.
    """
    gate = OAuthGate(
        secrets={CONSUMER_KEY: CONSUMER_SECRET}, tokens=ACCESS_TOKENS, rate_limit=rate_limit, clock=clock
    )
    app = web.Application(
        middlewares=[recording_middleware(NAME, log), oauth_middleware(gate), _empty_not_found]
    )
    app[STATE] = seed_state()
    _add_routes(app.router)
    return app


def _add_routes(router: web.UrlDispatcher) -> None:
    router.add_resource(_REALM_PATH, name="realm").add_route("GET", _endpoint(realm_object))
    events = router.add_resource(_REALM_PATH + "/events", name="events")
    events.add_route("GET", _endpoint(list_events))
    events.add_route("POST", _endpoint(create_event))
    event = router.add_resource(_REALM_PATH + r"/events/{eid:\d+}", name="event")
    event.add_route("GET", _endpoint(get_event))
    event.add_route("PUT", _endpoint(update_event))
    event.add_route("DELETE", _endpoint(delete_event))
    router.add_route("POST", "/v1/multiget", multiget)


#: `X-Schoology-Token` values of the two seeded users (three-legged access token and secret).
DANA = f"{DANA_TOKEN}:{DANA_TOKEN_SECRET}"
LUIS = f"{LUIS_TOKEN}:{LUIS_TOKEN_SECRET}"
#: Two callers' own `X-Schoology-Token`s: Dana's (the busy section) and Luis's (the next one).
CALLERS = (DANA, LUIS)


def churn(
    app: web.Application, kind: ChurnKind, rng: random.Random, ours: Sequence[Churned]
) -> Churned | None:
    """One change of `kind` to the events of the realms the gateway lists (`gateway.sandbox.churn`)."""
    return churn_realms(app[STATE], SEEDED_REALMS, kind, rng, ours)


def refusal(message: str) -> web.Response:
    """A refusal of the request in this API's own error form, saying `message` (tests echo into it)."""
    return json_response(message, status=400)


def sandbox_env(base_url: str) -> dict[str, str]:
    """The gateway's environment for this emulator mounted at `base_url` (e.g. `http://127.0.0.1:P/schoology`)."""
    return {
        "SCHOOLOGY_BASE_URL": f"{base_url.rstrip('/')}/v1",
        "SCHOOLOGY_CONSUMER_KEY": CONSUMER_KEY,
        "SCHOOLOGY_CONSUMER_SECRET": CONSUMER_SECRET,
        "SCHOOLOGY_REALMS": ",".join(SEEDED_REALMS),
        "SCHOOLOGY_TIMEZONE": TIMEZONE,
    }
