"""pretix REST API emulator: organizers and events under `/api/v1`, as real pretix 2026.8.0 answers.

Every behaviour here was checked against a real pretix 2026.8.0 (`scripts/pretix-server.sh`); the
sources are `/work/shared/research/providers.md` §4 and pretix's `api/views/event.py`,
`api/serializers/event.py`, `api/auth/permission.py`, `api/middleware.py` and DRF. Mounted by the
sandbox at `/pretix`. This module has the endpoints and the app; `pretix_state` the data and seed,
`pretix_http` errors, auth, rendering and paging, `pretix_fields` and `pretix_validation` the
serializer, `pretix_filters` the list filters, `pretix_i18n` the German messages.
What real pretix does and this emulator copies:

- `Authorization: Token <t>` (keyword case-insensitive). 401 bodies are DRF's; `WWW-Authenticate: Token`.
- Missing *or* forbidden organizer/event is 403 "You do not have permission to perform this action."
  (the permission check runs before the lookup); so is any write with the read-only team's token.
  Auth and permission are checked before the method, so a 405 needs a valid token and organizer.
- DRF page-number paging: `page` (or `last`), `page_size` (≤ 50, invalid → 50); `next`/`previous`
  are absolute, query keys sorted (DRF `replace_query_param`), `previous` to page 1 drops `page`;
  a page that is not a number or out of range is 404 `{"detail":"Invalid page."}`.
- Datetimes out in UTC with `Z`, microseconds only when non-zero; in: Django `parse_datetime`
  (Python `fromisoformat` plus Django's regex), naive values are UTC (the server's time zone).
- Multilingual strings are stored like i18nfield: a dict with keys sorted and empty values dropped, a
  plain string as is (rendered `{"en": …}`). Write responses echo the i18n values as sent (DRF
  serialises the in-memory object). `plugins` are rendered sorted and without duplicates.
- `search` is `icontains` on the stored text of name/location (JSON for dicts, so `search=en` matches
  every dict with an English entry) and on the slug; boolean filters take only true/false/1/0 (any
  case), anything else means no filter; a bad datetime filter is 400 under the filter's name.
- Validation is DRF's: field errors in serializer field order, then (only when every field is valid)
  the object-level date checks under `non_field_errors`. Those compare only the dates in the request,
  so a PATCH of `date_to` alone before the stored `date_from` is accepted (as real pretix does).
- PUT requires `name`, `slug`, `date_from` but keeps omitted optional fields (DRF update, not replace).
- `X-Idempotency-Key` on any non-GET request: the first answer (except 409/429/500/503) is stored per
  (Authorization header, key) and replayed for any later request with both, whatever its path or body.
- A JSON body that is not an object is 500 (pretix's SalesChannelMigrationMixin calls `.get` on it);
  `null` is 400 "No data provided". A path without its trailing slash: GET 301, other methods 404 HTML.

Emulator assumptions (no real counterpart):

- One team token (TOKEN) sees both seeded organizers, as an OAuth token could; a real team token
  belongs to exactly one organizer, as CONF_TEAM_TOKEN (demo-conf) and ARTS_TEAM_TOKEN (demo-arts) do:
  to each, the other organizer does not exist (403). READ_ONLY_TOKEN's team sees all events but has no
  write permission.
- `_has_orders` (DELETE refused) and `_has_quotas` (may go live) are internal flags; seeded live events
  have quotas, created events do not (so PATCH `live: true` is refused as on a fresh real event).
- Error messages are English or German per `Accept-Language` (real pretix knows many more languages).
- `timezone` accepts any IANA name Python knows (real: pytz `common_timezones`); no seating plans
  exist, so any `seating_plan` id is unknown; OPTIONS and organizer PATCH/PUT are not supported (405).
- `attr[<property>]=<value>` filters as pretix's `filter_qs_by_attr`: an event's own value, or the
  property's default when it has none; a property the organizer lacks, or does not let events be
  filtered by (`filter_allowed`; seeded `Room`), is ignored. `demo-conf` has `Track` (filterable,
  default empty) and `Room` (default "Main hall").
- `with_availability_for` gives `best_availability_state` 100 for events with quotas and null otherwise
  (real pretix computes it from the quotas' availability).

Seed (anchor 2026-10-01 09:00 UTC, plus four events in the current month of `now()`):

- `demo-conf`: 60 events `conf-01`…`conf-56` (one every 6 days from anchor - 90 d) and
  `meetup-this-month-1`…`4`. Every 3rd conf is live, every 7th not public, every 10th has orders
  (and is live), every 11th in test mode, `conf-20` and `conf-40` are series. Meta property `Track`;
  the hybrid plugin `pretix.plugins.banktransfer` is enabled on the organizer.
- `demo-arts`: `spring-gala`, `summer-opera` (has orders), `autumn-jazz`, `winter-ballet` (not public),
  and `new-year-concert` (January 2026, so the federated demo has pretix events among its earliest).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from gateway.sandbox.pretix_churn import churn as churn  # the emulator's `churn` (gateway.sandbox.churn)
from gateway.sandbox.pretix_filters import date_params, matches, ordered
from gateway.sandbox.pretix_http import (
    CLONE_ALLOW,
    DETAIL_ALLOW,
    LIST_ALLOW,
    ORGANIZER_ALLOW,
    ORGANIZERS_ALLOW,
    SAFE_METHODS,
    TEAM,
    ApiError,
    detail_error,
    event_json,
    event_of,
    forbidden,
    html_page,
    organizer_json,
    organizer_of,
    paginate,
    read_body,
    route,
    site_of,
)
from gateway.sandbox.pretix_state import (
    ARTS_TEAM_TOKEN,
    CONF_TEAM_TOKEN,
    ORGANIZERS,
    READ_ONLY_TOKEN,
    SALES_CHANNELS,
    STATE,
    TOKEN,
    Event,
    StoredResponse,
    seed_state,
)
from gateway.sandbox.pretix_validation import Target, apply, echo, validate_event
from gateway.sandbox.recorder import CallLog, Handler, json_response, recording_middleware

__all__ = [
    "ARTS_TEAM_TOKEN",
    "CALLERS",
    "CONF_TEAM_TOKEN",
    "NAME",
    "READ_ONLY_TOKEN",
    "TOKEN",
    "create_app",
    "refusal",
    "sandbox_env",
]

NAME = "pretix"
#: Two callers' own `X-Pretix-Token`s: the demo-conf team's and the demo-arts team's.
CALLERS = (CONF_TEAM_TOKEN, ARTS_TEAM_TOKEN)
DELETE_REFUSED = (
    "The event can not be deleted as it already contains orders. Please set 'live' to false to hide "
    "the event and take the shop offline instead."
)


# --- endpoints ---------------------------------------------------------------------------------------


async def list_organizers(request: web.Request) -> tuple[int, Any]:
    """GET /organizers/ — the token's organizers, `ordering` slug|name (default slug)."""
    state, team = request.app[STATE], request[TEAM]
    orgs = [org for slug, org in state.organizers.items() if slug in team.organizers]
    ordering = request.query.get("ordering", "slug")
    key = ordering.lstrip("-") if ordering.lstrip("-") in ("slug", "name") else "slug"
    orgs.sort(key=lambda org: str(getattr(org, key)), reverse=ordering == f"-{key}")
    envelope, page = paginate(request, orgs)
    site = site_of(request)
    return 200, envelope | {"results": [organizer_json(org, site) for org in page]}


async def get_organizer(request: web.Request) -> tuple[int, Any]:
    """GET /organizers/{organizer}/."""
    return 200, organizer_json(organizer_of(request), site_of(request))


async def list_events(request: web.Request) -> tuple[int, Any]:
    """GET /organizers/{organizer}/events/ with EventFilter and ordering."""
    org, now = organizer_of(request), request.app[STATE].now()
    availability = _availability(request)
    dates = date_params(request)
    events = [event for event in org.events.values() if matches(event, request, now, dates, org)]
    envelope, page = paginate(request, ordered(events, request))
    site = site_of(request)
    results = [event_json(event, org, site, detail=False, availability=availability) for event in page]
    return 200, envelope | {"results": results}


async def get_event(request: web.Request) -> tuple[int, Any]:
    """GET /organizers/{organizer}/events/{event}/."""
    availability = _availability(request)
    org = organizer_of(request)
    return 200, event_json(event_of(request), org, site_of(request), detail=True, availability=availability)


def _availability(request: web.Request) -> bool:
    """`with_availability_for=<channel>`: the channel must exist (checked before filters and paging)."""
    if "with_availability_for" not in request.query:
        return False
    if request.query["with_availability_for"] not in SALES_CHANNELS:
        raise detail_error(404, "No SalesChannel matches the given query.")
    return True


async def create_event(request: web.Request) -> tuple[int, Any]:
    """POST /organizers/{organizer}/events/ (optionally `?clone_from=<slug>` or `<org>/<slug>`)."""
    org, state = organizer_of(request), request.app[STATE]
    body = await read_body(request)
    values = validate_event(body, Target(org, None), partial=False)
    source = _clone_source(request) if "clone_from" in request.query else None
    event = Event(slug=values["slug"], name={}, date_from=values["date_from"], seq=state.sequence())
    apply(event, values)
    if source is not None:
        _copy_from(event, source, values, channels=False)
    org.events[event.slug] = event
    return 201, echo(event_json(event, org, site_of(request), detail=False), values)


def _clone_source(request: web.Request) -> Event:
    state, team = request.app[STATE], request[TEAM]
    org_slug, _, slug = request.query["clone_from"].rpartition("/")
    org = state.organizers.get(org_slug or request.match_info["organizer"])
    if org is None or org.slug not in team.organizers or slug not in org.events:
        raise ApiError(400, ["Event to copy from was not found"])
    return org.events[slug]


def _copy_from(event: Event, source: Event, values: dict[str, Any], *, channels: bool) -> None:
    """Event.copy_data_from, then the body's overrides (EventViewSet.perform_create / CloneEventSerializer).

    Only the clone endpoint lets the body override the sales channels (`channels`); perform_create's
    check looks for `sales_channels` in validated data, where the mixin never leaves it.
    """
    event.plugins = list(source.plugins)
    event.is_public = source.is_public
    event.testmode = source.testmode
    event.all_sales_channels = source.all_sales_channels
    event.limit_sales_channels = list(source.limit_sales_channels)
    if source.date_admission is not None:
        event.date_admission = event.date_from + (source.date_admission - source.date_from)
    if "meta_data" not in values:
        event.meta_data = dict(source.meta_data)
    event.timezone = source.timezone
    event.item_meta_properties = dict(source.item_meta_properties)
    event.has_quotas = source.has_quotas
    overrides = ("plugins", "is_public", "testmode", "has_subevents", "date_admission", "timezone")
    apply(event, {name: values[name] for name in overrides if name in values})
    if channels:
        apply(
            event,
            {name: values[name] for name in ("all_sales_channels", "limit_sales_channels") if name in values},
        )


async def clone_event(request: web.Request) -> tuple[int, Any]:
    """POST /organizers/{organizer}/events/{event}/clone/ — a new event from the body, data from {event}."""
    org, state, source = organizer_of(request), request.app[STATE], event_of(request)
    body = await read_body(request)
    values = validate_event(body, Target(org, None), partial=False)
    event = Event(slug=values["slug"], name={}, date_from=values["date_from"], seq=state.sequence())
    apply(event, values)
    _copy_from(event, source, values, channels=True)
    org.events[event.slug] = event
    return 201, echo(event_json(event, org, site_of(request), detail=True), values)


async def _update_event(request: web.Request, *, partial: bool) -> tuple[int, Any]:
    org, event = organizer_of(request), event_of(request)
    values = validate_event(await read_body(request), Target(org, event), partial=partial)
    apply(event, values)
    return 200, echo(event_json(event, org, site_of(request), detail=True), values)


async def patch_event(request: web.Request) -> tuple[int, Any]:
    """PATCH: only the given fields change."""
    return await _update_event(request, partial=True)


async def put_event(request: web.Request) -> tuple[int, Any]:
    """PUT: name, slug and date_from required; omitted optional fields keep their values (DRF update)."""
    return await _update_event(request, partial=False)


async def delete_event(request: web.Request) -> tuple[int, Any]:
    """DELETE: 204, or 403 when the event has orders (Event.allow_delete)."""
    org, event = organizer_of(request), event_of(request)
    if event.has_orders:
        raise forbidden(DELETE_REFUSED)
    del org.events[event.slug]
    return 204, None


# --- middlewares -------------------------------------------------------------------------------------


@web.middleware
async def idempotency(request: web.Request, handler: Handler) -> web.StreamResponse:
    """pretix IdempotencyMiddleware: replay the stored answer for the same Authorization + key."""
    key = request.headers.get("X-Idempotency-Key")
    if request.method in SAFE_METHODS or not key:
        return await handler(request)
    store = request.app[STATE].idempotency
    slot = (request.headers.get("Authorization", ""), key)
    if slot in store:
        stored = store[slot]
        if stored is None:
            return json_response(
                {"detail": "Concurrent request with idempotency key."},
                status=409,
                headers={"Retry-After": "5"},
            )
        return web.Response(status=stored.status, body=stored.body, headers=dict(stored.headers))
    store[slot] = None
    try:
        response = await handler(request)
    except BaseException:
        del store[slot]  # a crash is a 500 to the client: meant to be retried like one
        raise
    if response.status in (409, 429, 500, 503) or not isinstance(response, web.Response):
        del store[slot]  # meant to be retried
    else:
        body = response.body if isinstance(response.body, bytes) else b""
        store[slot] = StoredResponse(response.status, body, tuple(response.headers.items()))
    return response


async def _missing_slash(request: web.Request) -> web.StreamResponse:
    """Django APPEND_SLASH: GET/HEAD are redirected; other methods fall through to the HTML 404."""
    if request.method not in ("GET", "HEAD"):
        return html_page(404, "Not found")
    query = request.rel_url.raw_query_string
    location = f"{request.rel_url.raw_path}/" + (f"?{query}" if query else "")
    return web.Response(status=301, headers={"Location": location}, content_type="text/html", charset="utf-8")


async def _not_found(request: web.Request) -> web.StreamResponse:
    return html_page(404, "Not found")


# --- app ---------------------------------------------------------------------------------------------


def create_app(log: CallLog, *, now: Callable[[], datetime] | None = None) -> web.Application:
    """The seeded emulator; `now` (default: the wall clock) drives is_past/is_future and this month's seed."""
    app = web.Application(middlewares=[recording_middleware(NAME, log), idempotency])
    app[STATE] = seed_state(now or (lambda: datetime.now(UTC)))
    add = app.router.add_route
    orgs, org, events = (
        "/api/v1/organizers",
        "/api/v1/organizers/{organizer}",
        "/api/v1/organizers/{organizer}/events",
    )
    event = events + "/{event}"
    add("*", f"{orgs}/", route(ORGANIZERS_ALLOW, {"GET": list_organizers}))
    add("*", f"{org}/", route(ORGANIZER_ALLOW, {"GET": get_organizer}))
    add("*", f"{events}/", route(LIST_ALLOW, {"GET": list_events, "POST": create_event}))
    detail = {"GET": get_event, "PATCH": patch_event, "PUT": put_event, "DELETE": delete_event}
    add("*", f"{event}/", route(DETAIL_ALLOW, detail))
    add("*", f"{event}/clone/", route(CLONE_ALLOW, {"POST": clone_event}))
    for path in (orgs, org, events, event, f"{event}/clone"):
        add("*", path, _missing_slash)
    add("*", "/{tail:.*}", _not_found)
    return app


def refusal(message: str) -> web.Response:
    """A refusal of the request in this API's own error form, saying `message` (tests echo into it)."""
    return json_response({"detail": message}, status=400)


def sandbox_env(base_url: str) -> dict[str, str]:
    """The gateway settings pointing at this emulator mounted at `base_url` (e.g. `…/pretix`)."""
    return {
        "PRETIX_BASE_URL": f"{base_url.rstrip('/')}/api/v1",
        "PRETIX_TOKEN": TOKEN,
        "PRETIX_ORGANIZERS": ",".join(ORGANIZERS),
    }
