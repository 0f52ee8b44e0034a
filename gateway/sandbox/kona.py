"""Kona API emulator: calendar events in spaces, plus the spaces, users and userinfo they refer to.

Follows the KonaTeam/kona-api docs v1.0.12 as summarised in `/work/shared/research/providers.md` §3:
bearer auth, the `{"<plural>": [{…}]}` envelope both ways, epoch-millisecond datetimes out,
`page`/`per_page` paging with no links and no total, and the `{"problemType","title","details"}`
error body. Mounted by the sandbox at `/kona`; every route lives under `/api`.

UNCONFIRMED points and the behaviour chosen here:

- Single-object GETs (events, spaces, users, `/userinfo`) use the same envelope as lists:
  `{"calendar_events": [{…}]}`.
- `per_page` defaults to 25 and is silently capped at 100 (so a client asking for more than 100
  must not treat a 100-item page as "short"). `page` starts at 1. A non-integer or < 1 `page` /
  `per_page` is 400 Bad Request. Paging is read from the query string only.
- 401 for a missing/unknown token, title "Unauthenticated", plus `WWW-Authenticate: Bearer`.
- Titles are the exceptions page's headings: "Unauthenticated", "Bad Request", "Forbidden",
  "Not Found", "Unprocessable Entity", "Method Not Allowed".
- A body that is not JSON is 400 with a raw-text body unless the request sent
  `Accept: application/json` (then the usual JSON error body) — the exceptions page's rule. A JSON
  body without exactly one object under the resource key is 400 with a JSON error body.
- Datetime input: JSON integers or digit strings below 10**11 are epoch seconds, larger ones epoch
  milliseconds; strings `"YYYY-MM-DD HH:mm:ss.SSS"` (the `.SSS` part optional) are GMT. Anything
  else (ISO 8601 with `T`/`Z`, floats) is rejected: 422 in a body, 400 in a query parameter.
- `GET /calendar_events` returns events that *overlap* the window (start_at <= end and
  end_at >= start, both bounds inclusive). With neither `date_range_start` nor `date_range_end` the
  window is the current UTC calendar month of `now()`; sending only one of them is 400.
- Default list order is start_at, then id; `order_by=created_at|updated_at` is newest first with
  ties broken by id descending; any other `order_by` is 400.
- "Active" means not archived. Archiving is internal (no API sets it): archived events are left
  out of lists but can still be fetched by id.
- Events with `visibility` 1 (participants only) are invisible — left out of lists, 404 by id —
  to users who are neither the creator, a participant nor an editor ("Not Found" is also the
  answer when you lack access, per the exceptions page).
- A user may update/delete an event when they created it, are in its `editor_ids`, or its
  `default_role` is editor (1); otherwise 403. `default_role` viewer (2) and
  collaboration_complete (3) both lock the event for everyone else.
- `start_at`/`end_at` default to the current time on create (the schema's "defaults to current
  datetime"; its "required" then only means they always have a value). `end_at` may equal but not
  precede `start_at`.
- `creator_id` is writable (the schema does not mark it read-only): it must be a user of the account
  (422), and defaults to the token's user. Unknown and read-only keys in a write body (`id`, `href`,
  `tags`, `created_at`, `updated_at`, `ics_feed_id`, `series_id`, `num_in_series`) are ignored.
  `space_id` and the ids in `participant_ids`/`editor_ids` must exist (422).
- `participant_ids`/`editor_ids` are write-only: stored, never echoed. `external_object`
  (`{"id","name"[,"url"]}`, `{}` removes it) is echoed, `null` when absent.
- Recurring series: see `kona_series` for the two storage models (`SANDBOX_KONA_RECURRENCE`:
  `instances`, the default, or `first`) and the account zone their occurrences keep
  (`SANDBOX_KONA_TIMEZONE`, default UTC; `sandbox_env` gives the gateway the same `KONA_TIMEZONE`).
  The recurrence keys (`series_id`, `num_in_series`, `period`, `frequency`, `sel_days`,
  `series_end_at`) appear only on recurring events. An event that becomes recurring (`period` > 0,
  on create or update) is instance 1 of a new series (`series_id` = its id); changing the rule of an
  existing series later leaves its stored instances as they are.
- `GET /calendar_events/{id}?num_in_series=N` resolves within the series of `{id}` (any instance
  works); a non-recurring event is a series of one. No such instance is 404.
- PUT bumps `updated_at` only when a value actually changed. New events get ids from 2001 on.
- Who sees an event: its creator, participants and editors always; others only when it is public
  (`visibility` 2) and its `stakeholder` is everyone (2), or the group (1) of a space they belong to.
- Access tokens expire: those `POST /oauth/token` issues after `token_lifetime` seconds (a week by
  default), one seeded token at once; an expired token is a 401 like an unknown one (`kona_oauth`).
- `GET /spaces` lists the spaces the user participates in (others are 404 by id) and supports
  `include=participants`; `GET /users` supports `like=<prefix>` (name or
  email, case-insensitive) and `space_id`. `GET /userinfo` adds `current_account: {id, member}`.

Seeded data (users, spaces, tokens, the calendar events of March 2024 and of the current month) is
described in `kona_seed`. The rest lives in sibling modules: `kona_state` (resources), `kona_time`
(datetimes), `kona_http` (errors, envelope, paging, bodies), `kona_render` (JSON), `kona_validation`
(writable fields), `kona_events` and `kona_directory` (the endpoints).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from gateway.sandbox.kona_churn import churn as churn  # the emulator's `churn` (gateway.sandbox.churn)
from gateway.sandbox.kona_directory import get_space, get_user, list_spaces, list_users, userinfo
from gateway.sandbox.kona_events import create_event, delete_event, get_event, list_events, update_event
from gateway.sandbox.kona_http import (
    DEFAULT_PER_PAGE,
    PER_PAGE_CAP,
    PROBLEM_TYPE,
    KonaError,
    error_response,
    not_found,
)
from gateway.sandbox.kona_oauth import TOKEN_PATH, token
from gateway.sandbox.kona_seed import (
    ACCESS_TOKEN,
    ANCHOR,
    CLIENT_ID,
    CLIENT_SECRET,
    EXPIRED_ACCESS_TOKEN,
    OTHER_ACCESS_TOKEN,
    OTHER_REFRESH_TOKEN,
    REFRESH_TOKEN,
    seed_state,
)
from gateway.sandbox.kona_series import FIRST, INSTANCES, MODELS, move_instance
from gateway.sandbox.kona_state import ACCOUNT_ID, CURRENT_USER, FIRST_CREATED_ID, STATE
from gateway.sandbox.recorder import CallLog, Handler, recording_middleware

__all__ = [
    "ACCESS_TOKEN",
    "ACCOUNT_ID",
    "ANCHOR",
    "CALLERS",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "DEFAULT_PER_PAGE",
    "EXPIRED_ACCESS_TOKEN",
    "FIRST",
    "FIRST_CREATED_ID",
    "INSTANCES",
    "MAX_PER_PAGE",
    "NAME",
    "OTHER_ACCESS_TOKEN",
    "OTHER_REFRESH_TOKEN",
    "PROBLEM_TYPE",
    "REFRESH_TOKEN",
    "TOKEN_PATH",
    "create_app",
    "move_instance",
    "refusal",
    "sandbox_env",
]

NAME = "kona"
# Read on every request (not copied into a sibling module), so lowering it here takes effect at once.
MAX_PER_PAGE = 100
#: Two callers' own `X-Kona-Token`s: Ada's (every space) and Grace's (two spaces).
CALLERS = (ACCESS_TOKEN, OTHER_ACCESS_TOKEN)


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except KonaError as error:
        return error_response(error)
    except web.HTTPNotFound:
        return error_response(not_found(f"No resource at {request.method} {request.path}"))
    except web.HTTPMethodNotAllowed:
        details = f"{request.method} is not supported here"
        return error_response(KonaError(405, "Method Not Allowed", details))


@web.middleware
async def _authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.endswith(TOKEN_PATH):
        return await handler(request)  # the client authenticates in the token request itself
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    if not bearer:
        raise KonaError(401, "Unauthenticated", "Send the access token as 'Authorization: Bearer <token>'")
    user_id = request.app[STATE].user_of(bearer.strip()) if scheme.lower() == "bearer" else None
    if user_id is None:
        raise KonaError(401, "Unauthenticated", "The access token is invalid or has expired")
    request[CURRENT_USER] = user_id
    return await handler(request)


@web.middleware
async def _per_page_cap(request: web.Request, handler: Handler) -> web.StreamResponse:
    request[PER_PAGE_CAP] = MAX_PER_PAGE
    return await handler(request)


def recurrence_model() -> str:
    """The recurrence model from `SANDBOX_KONA_RECURRENCE` (`instances` unless set)."""
    model = os.environ.get("SANDBOX_KONA_RECURRENCE", INSTANCES)
    if model not in MODELS:
        raise ValueError(f"SANDBOX_KONA_RECURRENCE must be one of {', '.join(MODELS)}, not {model!r}")
    return model


def account_zone() -> str:
    """The account's zone from `SANDBOX_KONA_TIMEZONE` (`UTC` unless set)."""
    return os.environ.get("SANDBOX_KONA_TIMEZONE", "UTC")


def create_app(
    log: CallLog,
    *,
    now: Callable[[], datetime] | None = None,
    token_lifetime: int = 604_800,
    recurrence: str | None = None,
    timezone: str | None = None,
) -> web.Application:
    """The seeded emulator; `now` (default: the wall clock) drives "current month", timestamps and
    token expiry; issued access tokens last `token_lifetime` seconds. `recurrence` and `timezone`
    default to `SANDBOX_KONA_RECURRENCE` and `SANDBOX_KONA_TIMEZONE`."""
    middlewares = [recording_middleware(NAME, log), _errors, _authenticate, _per_page_cap]
    app = web.Application(middlewares=middlewares)
    model = recurrence or recurrence_model()
    if model not in MODELS:
        raise ValueError(f"recurrence must be one of {', '.join(MODELS)}, not {model!r}")
    zone = ZoneInfo(timezone or account_zone())
    app[STATE] = seed_state(now or (lambda: datetime.now(UTC)), recurrence=model, zone=zone)
    app[STATE].token_lifetime = token_lifetime
    routes = app.router
    routes.add_post(TOKEN_PATH, token)
    routes.add_get("/api/calendar_events", list_events)
    routes.add_post("/api/calendar_events", create_event)
    routes.add_get(r"/api/calendar_events/{id:\d+}", get_event)
    routes.add_put(r"/api/calendar_events/{id:\d+}", update_event)
    routes.add_delete(r"/api/calendar_events/{id:\d+}", delete_event)
    routes.add_get("/api/spaces", list_spaces)
    routes.add_get(r"/api/spaces/{id:\d+}", get_space)
    routes.add_get("/api/users", list_users)
    routes.add_get(r"/api/users/{id:\d+}", get_user)
    routes.add_get("/api/userinfo", userinfo)
    return app


def refusal(message: str) -> web.Response:
    """A refusal of the request in this API's own error form, saying `message` (tests echo into it)."""
    return error_response(KonaError(400, "Bad Request", message))


def sandbox_env(base_url: str) -> dict[str, str]:
    """The gateway settings pointing at this emulator mounted at `base_url` (e.g. `…/kona`).

    The token is Ada's, as given; `refresh_env` adds the client and refresh token that renew it.
    """
    root = base_url.rstrip("/")
    return {
        "KONA_BASE_URL": f"{root}/api",
        "KONA_ACCESS_TOKEN": ACCESS_TOKEN,
        "KONA_TOKEN_URL": f"{root}{TOKEN_PATH}",
        "KONA_TIMEZONE": account_zone(),
    }


def refresh_env() -> dict[str, str]:
    """The settings that renew Ada's token through this emulator's token endpoint."""
    return {
        "KONA_CLIENT_ID": CLIENT_ID,
        "KONA_CLIENT_SECRET": CLIENT_SECRET,
        "KONA_REFRESH_TOKEN": REFRESH_TOKEN,
    }
