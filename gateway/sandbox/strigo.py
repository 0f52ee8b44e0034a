"""The Strigo v1 REST emulator: seeded events, classes and members behind Strigo's envelope and limits.

Facts come from `strigo/strigo-rest-docs` (`content/intro.md`, `events.md`, `classes.md`,
`members.md`) as summarised in `/work/shared/research/providers.md` §1. Routes live under
`/api/v1`; the sandbox mounts this app at `/strigo`.

Emulator assumptions (points the docs leave open, providers.md §5):

- Bad or missing credentials: 401, error type `Unauthorized`. `/health` needs credentials too (the
  docs offer it "to validate your credentials").
- `POST /events` answers 200 (official `pystrigo` README), not 201.
- The finished-event status is `ended` (only `ready` and `live` are documented).
- Unknown event: 404, type `EventNotFound`, "Event <id> could not be found." (modelled on the
  documented `ClassNotFound` example).
- `class_id` that is not a non-empty string: 422 "Must be a valid class ID" (the intro's example);
  a well-formed but unknown `class_id` on POST/PATCH: 404 `ClassNotFound`.
- `DELETE` of a non-`ready` event: 409, type `EventNotInReadyState` (the type is documented, the
  status is not).
- `PATCH` of a `live` event: 409, type `EventIsLive`, "Live events cannot be modified".
- `availability: "public"` together with a non-empty `trainees` list: 422 on `trainees`.
- A JSON body that is not an object: 422 with `param: ""`; an empty body counts as `{}`.
- `tas` hold emails (as documented), not member ids.
- `description` and `partner_id` are sent only when set (the doc examples omit them); `labels`,
  `include_lab_exercises` and `is_recorded` are always sent. `timezone` and `captions_language`
  are request-only: they are validated (IANA name via zoneinfo; a fixed BCP-47 list) and a naive
  date is read in `timezone`, but neither is echoed.
- Members carry `role` (members.md example), not `level` (intro example); roles are `owner`/`member`.
- Rate limit: fixed one-minute window keyed by the org id of the bearer token (the peer address when
  there is none), counted before auth, so 401s carry the headers too.
- Two orgs, each with its own key and data (`ORG_ID`/`API_KEY`, `SECOND_ORG_ID`/`SECOND_API_KEY`):
  "The API key is used to authenticate your organization" (intro.md), so a key sees its org only.

The rest lives in sibling modules: `strigo_state` (members, classes, events), `strigo_seed` (the
seeded org), `strigo_validation` (event bodies), `strigo_http` (the envelope) and `strigo_limits`
(the rate limit).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, Final

from aiohttp import web

from gateway.sandbox.recorder import CallLog, Handler, json_response, read_json, recording_middleware
from gateway.sandbox.strigo_churn import churn as churn  # the emulator's `churn` (gateway.sandbox.churn)
from gateway.sandbox.strigo_http import (
    bearer,
    class_not_found,
    event_not_found,
    failure,
    invalid,
    success,
)
from gateway.sandbox.strigo_limits import TOO_MANY_REQUESTS, rate_limit_middleware
from gateway.sandbox.strigo_seed import (
    CLASS_IDS,
    ENDED_EVENT_ID,
    EVENT_IDS,
    LIVE_EVENT_ID,
    MEMBER_EMAILS,
    MEMBER_IDS,
    OWNER_EMAIL,
    PARTNER_EVENT_ID,
    PARTNER_IDS,
    PRIVATE_EVENT_ID,
    READY_EVENT_ID,
    RESOURCE_IDS,
    SEED,
    SEED_ANCHOR,
    seed_second_org,
    seed_state,
)
from gateway.sandbox.strigo_state import (
    EVENT_LINK_BASE,
    STATE,
    STATUS_ENDED,
    STATUS_LIVE,
    STATUS_READY,
    Event,
    StrigoState,
)
from gateway.sandbox.strigo_validation import (
    AVAILABILITIES,
    CAPTIONS_LANGUAGES,
    apply_input,
    cross_field_issues,
    parse_event_input,
)

__all__ = [
    "API_KEY",
    "AVAILABILITIES",
    "CALLERS",
    "CAPTIONS_LANGUAGES",
    "CLASS_IDS",
    "ENDED_EVENT_ID",
    "EVENT_IDS",
    "EVENT_LINK_BASE",
    "LIVE_EVENT_ID",
    "MEMBER_EMAILS",
    "MEMBER_IDS",
    "NAME",
    "ORG_ID",
    "OWNER_EMAIL",
    "PARTNER_EVENT_ID",
    "PARTNER_IDS",
    "PRIVATE_EVENT_ID",
    "READY_EVENT_ID",
    "RESOURCE_IDS",
    "SECOND_API_KEY",
    "SECOND_ORG_ID",
    "SEED",
    "SEED_ANCHOR",
    "STATUS_ENDED",
    "STATUS_LIVE",
    "STATUS_READY",
    "TOO_MANY_REQUESTS",
    "create_app",
    "refusal",
    "sandbox_env",
]

NAME: Final = "strigo"
ORG_ID: Final = "sandbox-org"
API_KEY: Final = "sandbox-strigo-key"
SECOND_ORG_ID: Final = "sandbox-partner-org"
SECOND_API_KEY: Final = "sandbox-strigo-partner-key"
#: Two callers' own `X-Strigo-Credentials`: the first org's and the partner org's.
CALLERS: Final = (f"{ORG_ID}:{API_KEY}", f"{SECOND_ORG_ID}:{SECOND_API_KEY}")

#: Every org's state by org id (the first org's is also `app[STATE]`).
ORGS = web.AppKey("strigo_orgs", dict[str, StrigoState])
#: The state of the org the request authenticated as.
ORG = web.RequestKey("strigo_org", StrigoState)
_KEYS: Final = {ORG_ID: API_KEY, SECOND_ORG_ID: SECOND_API_KEY}


# --- handlers ---------------------------------------------------------------------------------------


async def _body_object(request: web.Request) -> dict[str, Any] | None:
    if not (await request.read()).strip():
        return {}
    body = await read_json(request)
    return body if isinstance(body, dict) else None


def _not_an_object() -> web.Response:
    return invalid([{"location": "body", "param": "", "msg": "Must be a JSON object"}])


async def health(_: web.Request) -> web.Response:
    """`GET /health`: the one answer without the envelope."""
    return json_response({"status": "ok", "message": "Healthy"})


async def list_events(request: web.Request) -> web.Response:
    """`GET /events`: every event of the org, any status, no paging."""
    return success([event.to_json() for event in request[ORG].events.values()])


async def get_event(request: web.Request) -> web.Response:
    """`GET /events/{event_id}`."""
    event_id = request.match_info["event_id"]
    event = request[ORG].events.get(event_id)
    return event_not_found(event_id) if event is None else success(event.to_json())


async def create_event(request: web.Request) -> web.Response:
    """`POST /events`: 200 with the created `ready` event."""
    state = request[ORG]
    body = await _body_object(request)
    if body is None:
        return _not_an_object()
    fields, errors = parse_event_input(body, state, partial=False)
    errors += cross_field_issues(fields, None)
    if errors:
        return invalid(errors)
    owner, start, end = fields.owner, fields.date_start, fields.date_end
    # Required fields, so validation guarantees them.
    assert owner is not None
    assert start is not None
    assert end is not None
    if fields.class_id not in state.classes:
        return class_not_found(str(fields.class_id))
    event = Event(
        id=state.new_event_id(),
        token=state.new_token(),
        owner=owner,
        name="",
        class_id="",
        date_start=start,
        date_end=end,
    )
    apply_input(event, fields)
    state.events[event.id] = event
    return success(event.to_json())


async def patch_event(request: web.Request) -> web.Response:
    """`PATCH /events/{event_id}`: partial update; live events are refused."""
    state = request[ORG]
    body = await _body_object(request)
    if body is None:
        return _not_an_object()
    fields, errors = parse_event_input(body, state, partial=True)
    if errors:
        return invalid(errors)
    event_id = request.match_info["event_id"]
    event = state.events.get(event_id)
    if event is None:
        return event_not_found(event_id)
    if event.status == STATUS_LIVE:
        # events.md: "You cannot currently modify live events."
        return failure(409, "EventIsLive", "Live events cannot be modified")
    if errors := cross_field_issues(fields, event):
        return invalid(errors)
    if fields.class_id is not None and fields.class_id not in state.classes:
        return class_not_found(fields.class_id)
    apply_input(event, fields)
    return success(event.to_json())


async def delete_event(request: web.Request) -> web.Response:
    """`DELETE /events/{event_id}`: 204, only for `ready` events."""
    state = request[ORG]
    event_id = request.match_info["event_id"]
    event = state.events.get(event_id)
    if event is None:
        return event_not_found(event_id)
    if event.status != STATUS_READY:
        return failure(409, "EventNotInReadyState", f"Event {event_id} is not in ready state.")
    del state.events[event_id]
    return web.Response(status=204)


async def list_classes(request: web.Request) -> web.Response:
    """`GET /classes`."""
    return success([cls.to_json() for cls in request[ORG].classes.values()])


async def get_class(request: web.Request) -> web.Response:
    """`GET /classes/{class_id}`."""
    class_id = request.match_info["class_id"]
    cls = request[ORG].classes.get(class_id)
    return class_not_found(class_id) if cls is None else success(cls.to_json())


async def list_members(request: web.Request) -> web.Response:
    """`GET /members`."""
    return success([member.to_json() for member in request[ORG].members.values()])


# --- middlewares and app ----------------------------------------------------------------------------


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Require `Authorization: Bearer ORG_ID:API_KEY` of a known org on every route."""
    org_id, colon, api_key = (bearer(request) or "").partition(":")
    if not colon or _KEYS.get(org_id) != api_key:
        return failure(401, "Unauthorized", "Missing or invalid credentials.")
    request[ORG] = request.app[ORGS][org_id]
    return await handler(request)


def create_app(
    log: CallLog, *, rate_limit: int | None = None, clock: Callable[[], float] = time.time
) -> web.Application:
    """The seeded Strigo emulator; `rate_limit` is requests per minute per org.

    It defaults to `SANDBOX_STRIGO_RATE_LIMIT` from the environment, else 600 (the benchmark lifts it).
    """
    if rate_limit is None:
        rate_limit = int(os.environ.get("SANDBOX_STRIGO_RATE_LIMIT", "600"))
    state = seed_state(rate_limit=rate_limit, clock=clock)
    app = web.Application(
        middlewares=[
            # recorder.py annotates its middleware as a plain Callable, narrower than aiohttp's Protocol.
            recording_middleware(NAME, log),
            rate_limit_middleware(state.limiter),
            auth_middleware,
        ]
    )
    app[STATE] = state
    app[ORGS] = {ORG_ID: state, SECOND_ORG_ID: seed_second_org(state.limiter)}
    api = "/api/v1"
    app.router.add_get(f"{api}/health", health)
    app.router.add_get(f"{api}/events", list_events)
    app.router.add_post(f"{api}/events", create_event)
    app.router.add_get(f"{api}/events/{{event_id}}", get_event)
    app.router.add_patch(f"{api}/events/{{event_id}}", patch_event)
    app.router.add_delete(f"{api}/events/{{event_id}}", delete_event)
    app.router.add_get(f"{api}/classes", list_classes)
    app.router.add_get(f"{api}/classes/{{class_id}}", get_class)
    app.router.add_get(f"{api}/members", list_members)
    return app


def refusal(message: str) -> web.Response:
    """A refusal of the request in this API's own error form, saying `message` (tests echo into it)."""
    return invalid([{"location": "query", "param": "x", "msg": message}])


def sandbox_env(base_url: str) -> dict[str, str]:
    """Gateway settings pointing at this emulator mounted at `base_url` (e.g. `…/strigo`)."""
    return {"STRIGO_BASE_URL": f"{base_url}/api/v1", "STRIGO_ORG_ID": ORG_ID, "STRIGO_API_KEY": API_KEY}
