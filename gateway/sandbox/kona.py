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
- `start_at`/`end_at` are required on create (the schema also says "defaults to current datetime";
  the brief asked for required). `end_at` may equal but not precede `start_at`.
- Unknown and read-only keys in a write body (`id`, `href`, `creator_id`, `tags`, `created_at`,
  `updated_at`, `ics_feed_id`, `series_id`, `num_in_series`) are ignored; `creator_id` is always
  the token's user. `space_id` and the ids in `participant_ids`/`editor_ids` must exist (422).
- `participant_ids`/`editor_ids` are write-only: stored, never echoed. `external_object`
  (`{"id","name"[,"url"]}`, `{}` removes it) is echoed, `null` when absent.
- Recurring events are stored one record per instance sharing `series_id` (the first instance's
  id). The recurrence keys (`series_id`, `num_in_series`, `period`, `frequency`, `sel_days`,
  `series_end_at`) appear only on recurring events. Creating (or updating to) `period` > 0 makes a
  one-instance series (`series_id` = own id, `num_in_series` 1); instances are never generated.
- `GET /calendar_events/{id}?num_in_series=N` resolves within the series of `{id}` (any instance
  works); a non-recurring event is a series of one. No such instance is 404.
- PUT bumps `updated_at` only when a value actually changed. New events get ids from 2001 on.
- `GET /spaces` lists the spaces the user participates in (others are 404 by id) and supports
  `include=participants`; `GET /users` supports `like=<prefix>` (name or
  email, case-insensitive) and `space_id`. `GET /userinfo` adds `current_account: {id, member}`.

Seeded data (ANCHOR = 2024-03-01T00:00Z; tokens: ACCESS_TOKEN → user 101, OTHER_ACCESS_TOKEN → 102):

- Users 101 Ada Lovelace (the token's user), 102 Grace Hopper, 103 Alan Turing,
  104 Katherine Johnson, 105 Edsger Dijkstra. Account 9001.
- Spaces 201 Product Launch, 202 Engineering, 203 Customer Success (all work), 204 Ada's Notes
  (personal). Ada participates in all four.
- March 2024 lists exactly 60 events (pages of 25, 25, 10): one-offs 1001-1056 and the first four
  instances of the weekly series 1061-1068 (Mondays 10:00-10:30 UTC from 2024-03-04, `series_id`
  1061, `num_in_series` 1-8, period 2, frequency 1, sel_days 1, `series_end_at` 2024-04-22 10:30).
  Instances 5-8 (1065-1068) fall in April 2024.
- Forbidden for user 101 (403 on PUT/DELETE): 1005 and 1006 (creator 102/103, default_role 2),
  1008 (creator 103, default_role 3). 1007 is default_role 2 by 102 but lists 101 as editor, so
  editable. 1009 is participants-only by 104 with 101 as participant (visible).
- 1010 has `ics_feed_id` 7001; 1012 is all-day; 1015 complete, 1016 pending, 1025 group_closed,
  1020 has stakeholder 2 (everyone).
- 1070 "Quarterly offsite" spans 2024-04-29 09:00 → 2024-05-02 17:00 (the only May event).
- 1090 is participants-only by 102 without 101 (never listed, 404); 1091 is archived (not listed,
  fetchable by id). Both lie in March 2024.
- Current month of `now()` at app creation: 1101-1108 on days 2, 5, …, 23 at 15:00-16:00 UTC;
  1104 is forbidden (creator 102, default_role 2), 1105 is all-day on the 15th.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import orjson
from aiohttp import web

from gateway.sandbox.recorder import CallLog, Handler, json_response, recording_middleware

NAME = "kona"
ACCESS_TOKEN = "sandbox-kona-token"
OTHER_ACCESS_TOKEN = "sandbox-kona-token-grace"
PROBLEM_TYPE = "https://io.kona.com/api/exceptions"

ANCHOR = datetime(2024, 3, 1, tzinfo=UTC)
ACCOUNT_ID = 9001
FIRST_CREATED_ID = 2001
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100

_T = TypeVar("_T")


class KonaError(Exception):
    """An API error, rendered as Kona's `{"problemType","title","details"}` body."""

    def __init__(self, status: int, title: str, details: str) -> None:
        super().__init__(details)
        self.status = status
        self.title = title
        self.details = details


def _bad_request(details: str) -> KonaError:
    return KonaError(400, "Bad Request", details)


def _unprocessable(details: str) -> KonaError:
    return KonaError(422, "Unprocessable Entity", details)


def _not_found(details: str) -> KonaError:
    return KonaError(404, "Not Found", details)


# --- resources ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    """A Kona user (read-only through the API)."""

    id: int
    name: str
    email: str
    updated_at: int


@dataclass(frozen=True, slots=True)
class Space:
    """A Kona space; `members` maps user id to role (owner 1, participant 2)."""

    id: int
    name: str
    details: str
    welcome_message: str
    category: int
    space_type: int
    updated_at: int
    members: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One calendar event (one instance, for recurring events); times are epoch milliseconds."""

    id: int
    name: str
    start_at: int
    end_at: int
    creator_id: int
    created_at: int = 0
    updated_at: int = 0
    location: str | None = None
    details: str | None = None
    all_day: bool = False
    space_id: int | None = None
    participant_ids: tuple[int, ...] = ()
    editor_ids: tuple[int, ...] = ()
    status: int = 1
    visibility: int = 2
    stakeholder: int = 1
    default_role: int = 1
    tags: tuple[str, ...] = ()
    ics_feed_id: int | None = None
    external_object: dict[str, str] | None = None
    series_id: int | None = None
    num_in_series: int | None = None
    period: int = 0
    frequency: int = 0
    sel_days: int | None = None
    series_end_at: int | None = None
    archived: bool = False


@dataclass(slots=True)
class KonaState:
    """Everything the emulator knows; one per app."""

    now: Callable[[], datetime]
    users: dict[int, User]
    spaces: dict[int, Space]
    events: dict[int, CalendarEvent]
    tokens: dict[str, int]
    next_event_id: int = FIRST_CREATED_ID

    def now_ms(self) -> int:
        """The injectable clock, as epoch milliseconds."""
        return _ms(_utc(self.now()))


STATE = web.AppKey("kona_state", KonaState)
CURRENT_USER = web.RequestKey("kona_user", int)


# --- datetimes ---------------------------------------------------------------------------------

_KONA_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?")
# Below this an integer is read as epoch seconds (10**11 s is the year 5138; 10**11 ms is 1973).
_SECONDS_LIMIT = 10**11


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _parse_datetime(value: object) -> int | None:
    """Epoch ms from any accepted input form (README "Date and Time"), or None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int):
        return value * 1000 if abs(value) < _SECONDS_LIMIT else value
    if isinstance(value, str) and (match := _KONA_DATETIME.fullmatch(value)):
        year, month, day, hour, minute, second, millis = match.groups()
        try:
            moment = datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC
            )
        except ValueError:
            return None
        return _ms(moment) + int(millis or 0)
    return None


_DATETIME_FORMS = "epoch seconds, epoch milliseconds or 'YYYY-MM-DD HH:mm:ss.SSS' (GMT)"


def _query_datetime(query: Mapping[str, str], key: str) -> int:
    parsed = _parse_datetime(query[key])
    if parsed is None:
        raise _bad_request(f"{key} must be {_DATETIME_FORMS}")
    return parsed


def _month_start(now: datetime) -> datetime:
    now = _utc(now)
    return datetime(now.year, now.month, 1, tzinfo=UTC)


def _month_window(now: datetime) -> tuple[int, int]:
    first = _month_start(now)
    following = datetime(first.year + first.month // 12, first.month % 12 + 1, 1, tzinfo=UTC)
    return _ms(first), _ms(following) - 1


# --- seed data ---------------------------------------------------------------------------------


def _seed_users() -> dict[int, User]:
    names = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson", "Edsger Dijkstra"]
    stamp = _ms(ANCHOR - timedelta(days=60))
    users = [
        User(101 + i, name, f"{name.split()[0].lower()}@example.com", stamp + i * 3_600_000)
        for i, name in enumerate(names)
    ]
    return {user.id: user for user in users}


def _seed_spaces() -> dict[int, Space]:
    stamp = _ms(ANCHOR - timedelta(days=45))
    spaces = [
        Space(201, "Product Launch", "Everything for the spring launch.", "Welcome, launch crew!", 1, 0,
              stamp, ((101, 1), (102, 2), (103, 2))),
        Space(202, "Engineering", "Engineering rituals and reviews.", "Hello engineers.", 1, 1,
              stamp + 1_000, ((102, 1), (101, 2), (104, 2))),
        Space(203, "Customer Success", "Calls and onboarding.", "", 1, 3,
              stamp + 2_000, ((103, 1), (101, 2), (105, 2))),
        Space(204, "Ada's Notes", "Personal planning.", "", 0, 0, stamp + 3_000, ((101, 1),)),
    ]  # fmt: skip
    return {space.id: space for space in spaces}


_TOPICS = (
    "Design review",
    "Sprint planning",
    "Customer call",
    "Budget sync",
    "Hiring panel",
    "Launch rehearsal",
    "Team retro",
    "Roadmap workshop",
)
_LOCATIONS = ("Room 1", "Room 2", "Zoom", None)
_ONE_OFFS = 56


def _whole_day(day: datetime) -> dict[str, Any]:
    return {"all_day": True, "start_at": _ms(day), "end_at": _ms(day + timedelta(days=1)) - 1}


def _one_off_specials() -> dict[int, dict[str, Any]]:
    return {
        1005: {"creator_id": 102, "default_role": 2, "details": "Grace's event; Ada may only view."},
        1006: {"creator_id": 103, "default_role": 2},
        1007: {"creator_id": 102, "default_role": 2, "editor_ids": (101,)},
        1008: {"creator_id": 103, "default_role": 3},
        1009: {"creator_id": 104, "visibility": 1, "participant_ids": (101, 104)},
        1010: {"ics_feed_id": 7001, "tags": ("imported", "ics")},
        1012: _whole_day(ANCHOR + timedelta(days=6)),
        1015: {"status": 2},
        1016: {"status": 0},
        1020: {"stakeholder": 2, "tags": ("everyone",)},
        1025: {"status": 3},
        1030: {"participant_ids": (101, 102, 103), "location": "Board room"},
    }


def _one_off(k: int) -> CalendarEvent:
    start = ANCHOR + timedelta(days=k * 31 // _ONE_OFFS, hours=8 + (k * 5) % 9, minutes=30 * (k % 2))
    return CalendarEvent(
        id=1001 + k,
        name=f"{_TOPICS[k % len(_TOPICS)]} {k // len(_TOPICS) + 1}",
        start_at=_ms(start),
        end_at=_ms(start + timedelta(minutes=30 + 30 * (k % 4))),
        creator_id=(101, 101, 102, 101, 103)[k % 5],
        space_id=(201, 202, 203)[k % 3],
        location=_LOCATIONS[k % len(_LOCATIONS)],
        details=None if k % 3 else f"Agenda item {k + 1}.",
    )


def _weekly_series() -> list[CalendarEvent]:
    first = datetime(2024, 3, 4, 10, tzinfo=UTC)  # a Monday
    return [
        CalendarEvent(
            id=1061 + n,
            name="Weekly stand-up",
            start_at=_ms(first + timedelta(weeks=n)),
            end_at=_ms(first + timedelta(weeks=n, minutes=30)),
            creator_id=101,
            space_id=202,
            location="Zoom",
            tags=("standup",),
            series_id=1061,
            num_in_series=n + 1,
            period=2,
            frequency=1,
            sel_days=1,
            series_end_at=_ms(first + timedelta(weeks=7, minutes=30)),
        )
        for n in range(8)
    ]


def _odd_events() -> list[CalendarEvent]:
    def at(month: int, day: int, hour: int) -> int:
        return _ms(datetime(2024, month, day, hour, tzinfo=UTC))

    return [
        CalendarEvent(1070, "Quarterly offsite", at(4, 29, 9), at(5, 2, 17), 101,
                      location="Lisbon", details="Three days out of the office.", space_id=201),
        CalendarEvent(1090, "Confidential: reorg planning", at(3, 14, 12), at(3, 14, 13),
                      102, space_id=202, visibility=1, participant_ids=(102, 103)),
        CalendarEvent(1091, "Cancelled kickoff", at(3, 20, 9), at(3, 20, 10), 101,
                      space_id=201, archived=True),
    ]  # fmt: skip


def _anchor_events() -> list[CalendarEvent]:
    specials = _one_off_specials()
    one_offs = [replace(event, **specials.get(event.id, {})) for event in map(_one_off, range(_ONE_OFFS))]
    events = sorted([*one_offs, *_weekly_series(), *_odd_events()], key=lambda event: event.id)
    # Multipliers coprime with 101 give distinct stamps whose order differs from the id order.
    created = ANCHOR - timedelta(days=30)
    updated = ANCHOR - timedelta(days=5)
    return [
        replace(
            event,
            created_at=_ms(created + timedelta(hours=(i * 37) % 101)),
            updated_at=_ms(updated + timedelta(hours=(i * 29) % 101)),
        )
        for i, event in enumerate(events)
    ]


_CURRENT_NAMES = (
    "Demo day",
    "All-hands",
    "Customer onboarding",
    "Quarterly planning",
    "Company holiday",
    "Security training",
    "Product demo",
    "Team dinner",
)


def _current_month_events(now: datetime) -> list[CalendarEvent]:
    first = _month_start(now)
    specials: dict[int, dict[str, Any]] = {
        1104: {"creator_id": 102, "default_role": 2},
        1105: _whole_day(first + timedelta(days=14)),
    }
    events = []
    for j, name in enumerate(_CURRENT_NAMES):
        start = first + timedelta(days=1 + 3 * j, hours=15)
        event = CalendarEvent(
            id=1101 + j,
            name=name,
            start_at=_ms(start),
            end_at=_ms(start + timedelta(hours=1)),
            creator_id=101,
            space_id=(201, 202, 203, 204)[j % 4],
            location=_LOCATIONS[j % len(_LOCATIONS)],
            created_at=_ms(first - timedelta(days=10) + timedelta(hours=(j * 3) % 8)),
            updated_at=_ms(first - timedelta(days=2) + timedelta(hours=(j * 5) % 8)),
        )
        events.append(replace(event, **specials.get(event.id, {})))
    return events


def _seed_state(now: Callable[[], datetime]) -> KonaState:
    events = [*_anchor_events(), *_current_month_events(now())]
    return KonaState(
        now=now,
        users=_seed_users(),
        spaces=_seed_spaces(),
        events={event.id: event for event in events},
        tokens={ACCESS_TOKEN: 101, OTHER_ACCESS_TOKEN: 102},
    )


# --- rendering ---------------------------------------------------------------------------------


def _api_root(request: web.Request) -> str:
    """`http://host[:port][/mount]/api`, so hrefs work wherever the sub-app is mounted."""
    index = request.path.find("/api/")
    mount = request.path[:index] if index > 0 else ""
    return f"{request.url.origin()}{mount}/api"


def _event_json(event: CalendarEvent, root: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": event.id,
        "name": event.name,
        "href": f"{root}/calendar_events/{event.id}",
        "location": event.location,
        "details": event.details,
        "all_day": event.all_day,
        "start_at": event.start_at,
        "end_at": event.end_at,
        "space_id": event.space_id,
        "creator_id": event.creator_id,
        "status": event.status,
        "visibility": event.visibility,
        "stakeholder": event.stakeholder,
        "default_role": event.default_role,
        "tags": list(event.tags),
        "updated_at": event.updated_at,
        "created_at": event.created_at,
        "ics_feed_id": event.ics_feed_id,
        "external_object": event.external_object,
    }
    if event.series_id is not None:
        data |= {
            "series_id": event.series_id,
            "num_in_series": event.num_in_series,
            "period": event.period,
            "frequency": event.frequency,
            "sel_days": event.sel_days,
            "series_end_at": event.series_end_at,
        }
    return data


def _picture(kind: str, ident: int) -> str:
    return f"https://io.kona.com/images/{kind}/{ident}/thumb.png"


def _user_json(user: User, root: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "picture_thumb": _picture("users", user.id),
        "updated_at": user.updated_at,
        "href": f"{root}/users/{user.id}",
    }


def _space_json(space: Space, root: str, *, participants: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": space.id,
        "name": space.name,
        "href": f"{root}/spaces/{space.id}",
        "account_id": ACCOUNT_ID,
        "details": space.details,
        "welcome_message": space.welcome_message,
        "updated_at": space.updated_at,
        "picture_thumb": _picture("spaces", space.id),
        "category": space.category,
        "space_type": space.space_type,
        "template": False,
        "published": False,
    }
    if participants:
        data["participants"] = [
            {"user_id": user_id, "role": role, "status": 1, "updated_at": space.updated_at}
            for user_id, role in space.members
        ]
    return data


def _envelope(key: str, items: list[dict[str, Any]], status: int = 200) -> web.Response:
    return json_response({key: items}, status=status)


def _error_response(error: KonaError) -> web.Response:
    body = {"problemType": PROBLEM_TYPE, "title": error.title, "details": error.details}
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return json_response(body, status=error.status, headers=headers)


# --- request parsing ---------------------------------------------------------------------------


def _int_param(query: Mapping[str, str], key: str, default: int) -> int:
    raw = query.get(key)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise _bad_request(f"{key} must be a positive integer")
    return int(raw)


def _page(items: Sequence[_T], query: Mapping[str, str]) -> list[_T]:
    """One page; no links and no total (README "Pagination"): a short page is the last one."""
    page = _int_param(query, "page", 1)
    per_page = min(_int_param(query, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    return list(items[(page - 1) * per_page : page * per_page])


async def _json_body(request: web.Request) -> Any:
    raw = await request.read()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # Exceptions page: a JSON parse error answers raw text unless JSON was asked for.
        if "application/json" in request.headers.get("Accept", ""):
            raise _bad_request(f"The request body is not valid JSON: {exc}") from None
        raise web.HTTPBadRequest(text="Error occurred while parsing request parameters") from None


def _single_resource(body: Any, key: str) -> dict[str, Any]:
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise _bad_request(f'Expected a body of the form {{"{key}": [{{…}}]}}')
    return items[0]


def _path_id(request: web.Request) -> int:
    return int(request.match_info["id"])


# --- validation of writable calendar-event fields ----------------------------------------------

_Validator = Callable[[str, Any, KonaState], Any]


def _name(key: str, value: Any, _: KonaState) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _unprocessable(f"{key} can't be blank")
    return value


def _optional_text(key: str, value: Any, _: KonaState) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _unprocessable(f"{key} must be a string")
    return value


def _boolean(key: str, value: Any, _: KonaState) -> bool:
    if not isinstance(value, bool):
        raise _unprocessable(f"{key} must be true or false")
    return value


def _required_datetime(key: str, value: Any, _: KonaState) -> int:
    if value is None:
        raise _unprocessable(f"{key} can't be blank")
    parsed = _parse_datetime(value)
    if parsed is None:
        raise _unprocessable(f"{key} must be {_DATETIME_FORMS}")
    return parsed


def _optional_datetime(key: str, value: Any, state: KonaState) -> int | None:
    return None if value is None else _required_datetime(key, value, state)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _enum(low: int, high: int, *, nullable: bool = False) -> _Validator:
    def check(key: str, value: Any, _: KonaState) -> int | None:
        if value is None and nullable:
            return None
        if not _is_int(value) or not low <= value <= high:
            raise _unprocessable(f"{key} must be an integer from {low} to {high}")
        return int(value)

    return check


def _space_ref(key: str, value: Any, state: KonaState) -> int | None:
    if value is None:
        return None
    if not _is_int(value) or value not in state.spaces:
        raise _unprocessable(f"{key} {value!r} is not a space you can use")
    return int(value)


def _user_refs(key: str, value: Any, state: KonaState) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(_is_int(item) for item in value):
        raise _unprocessable(f"{key} must be an array of user ids")
    unknown = [item for item in value if item not in state.users]
    if unknown:
        raise _unprocessable(f"{key} contains unknown user ids {unknown}")
    return tuple(value)


def _external_object(key: str, value: Any, _: KonaState) -> dict[str, str] | None:
    # external_objects.md: `{}` removes the link; otherwise id and name are required strings.
    if value is None or value == {}:
        return None
    fields_ok = isinstance(value, dict) and all(isinstance(value.get(name), str) for name in ("id", "name"))
    if not fields_ok or not isinstance(value.get("url", ""), str):
        raise _unprocessable(f"{key} needs string id and name (and an optional string url)")
    return {name: value[name] for name in ("id", "name", "url") if name in value}


_WRITABLE: dict[str, _Validator] = {
    "name": _name,
    "location": _optional_text,
    "details": _optional_text,
    "all_day": _boolean,
    "start_at": _required_datetime,
    "end_at": _required_datetime,
    "space_id": _space_ref,
    "participant_ids": _user_refs,
    "editor_ids": _user_refs,
    "status": _enum(0, 4),
    "visibility": _enum(1, 2),
    "stakeholder": _enum(0, 2),
    "default_role": _enum(1, 3),
    "period": _enum(0, 5),
    "frequency": _enum(0, 3),
    "sel_days": _enum(0, 6, nullable=True),
    "series_end_at": _optional_datetime,
    "external_object": _external_object,
}


def _validated_changes(fields: dict[str, Any], state: KonaState) -> dict[str, Any]:
    """The writable keys present in `fields`, converted; unknown and read-only keys are dropped."""
    return {key: check(key, fields[key], state) for key, check in _WRITABLE.items() if key in fields}


def _finish(event: CalendarEvent) -> CalendarEvent:
    """Cross-field rules, and a fresh series for an event that just became recurring."""
    if event.end_at < event.start_at:
        raise _unprocessable("end_at must not be before start_at")
    if event.period and event.series_id is None:
        return replace(event, series_id=event.id, num_in_series=1)
    return event


# --- access rules ------------------------------------------------------------------------------


def _can_see(event: CalendarEvent, user_id: int) -> bool:
    return event.visibility == 2 or user_id in (event.creator_id, *event.participant_ids, *event.editor_ids)


def _can_edit(event: CalendarEvent, user_id: int) -> bool:
    return event.default_role == 1 or user_id == event.creator_id or user_id in event.editor_ids


def _visible_event(state: KonaState, event_id: int, user_id: int) -> CalendarEvent:
    event = state.events.get(event_id)
    if event is None or not _can_see(event, user_id):
        raise _not_found(f"Calendar event {event_id} does not exist or you have no access to it")
    return event


def _editable_event(request: web.Request) -> CalendarEvent:
    user_id = request[CURRENT_USER]
    event = _visible_event(request.app[STATE], _path_id(request), user_id)
    if not _can_edit(event, user_id):
        raise KonaError(403, "Forbidden", f"You may not change calendar event {event.id}")
    return event


# --- calendar event handlers -------------------------------------------------------------------

_ORDER_KEYS: dict[str, Callable[[CalendarEvent], tuple[int, int]]] = {
    "created_at": lambda event: (-event.created_at, -event.id),
    "updated_at": lambda event: (-event.updated_at, -event.id),
}


def _window(query: Mapping[str, str], now: datetime) -> tuple[int, int]:
    keys = ("date_range_start", "date_range_end")
    given = [key in query for key in keys]
    if not any(given):
        return _month_window(now)  # calendar_events.md: "all active events for the current month"
    if not all(given):
        raise _bad_request("date_range_start and date_range_end must be sent together")
    return _query_datetime(query, keys[0]), _query_datetime(query, keys[1])


def _sort_key(query: Mapping[str, str]) -> Callable[[CalendarEvent], tuple[int, int]]:
    order_by = query.get("order_by")
    if order_by is None:
        return lambda event: (event.start_at, event.id)
    if order_by not in _ORDER_KEYS:
        raise _bad_request("order_by must be created_at or updated_at")
    return _ORDER_KEYS[order_by]


async def list_events(request: web.Request) -> web.Response:
    """`GET /calendar_events`: active visible events overlapping the window, one page."""
    state, user_id, query = request.app[STATE], request[CURRENT_USER], request.query
    start, end = _window(query, state.now())
    sort_key = _sort_key(query)
    matching = [
        event
        for event in state.events.values()
        if not event.archived and _can_see(event, user_id) and event.start_at <= end and event.end_at >= start
    ]
    root = _api_root(request)
    page = _page(sorted(matching, key=sort_key), query)
    return _envelope("calendar_events", [_event_json(event, root) for event in page])


def _series_instance(state: KonaState, event: CalendarEvent, number: int, user_id: int) -> CalendarEvent:
    if event.series_id is None:
        found = event if number == 1 else None
    else:
        found = next(
            (
                other
                for other in state.events.values()
                if other.series_id == event.series_id
                and other.num_in_series == number
                and _can_see(other, user_id)
            ),
            None,
        )
    if found is None:
        raise _not_found(f"Calendar event {event.id} has no instance {number} in its series")
    return found


async def get_event(request: web.Request) -> web.Response:
    """`GET /calendar_events/{id}[?num_in_series=N]`."""
    state, user_id = request.app[STATE], request[CURRENT_USER]
    event = _visible_event(state, _path_id(request), user_id)
    if "num_in_series" in request.query:
        number = _int_param(request.query, "num_in_series", 1)
        event = _series_instance(state, event, number, user_id)
    return _envelope("calendar_events", [_event_json(event, _api_root(request))])


async def create_event(request: web.Request) -> web.Response:
    """`POST /calendar_events`: 201, `Location` and the created event (responses.md "Create")."""
    state = request.app[STATE]
    changes = _validated_changes(_single_resource(await _json_body(request), "calendar_events"), state)
    for required in ("name", "start_at", "end_at"):
        if required not in changes:
            raise _unprocessable(f"{required} can't be blank")
    now_ms = state.now_ms()
    event = CalendarEvent(
        id=state.next_event_id,
        creator_id=request[CURRENT_USER],
        created_at=now_ms,
        updated_at=now_ms,
        **changes,
    )
    event = _finish(event)
    state.events[event.id] = event
    state.next_event_id += 1
    body = _event_json(event, _api_root(request))
    return json_response({"calendar_events": [body]}, status=201, headers={"Location": body["href"]})


async def update_event(request: web.Request) -> web.Response:
    """`PUT /calendar_events/{id}`: patch semantics, 200, or 403 (responses.md "Update")."""
    state = request.app[STATE]
    event = _editable_event(request)
    changes = _validated_changes(_single_resource(await _json_body(request), "calendar_events"), state)
    updated = _finish(replace(event, **changes))
    if updated != event:
        updated = replace(updated, updated_at=state.now_ms())
    state.events[event.id] = updated
    return _envelope("calendar_events", [_event_json(updated, _api_root(request))])


async def delete_event(request: web.Request) -> web.Response:
    """`DELETE /calendar_events/{id}`: 204, or 403 (responses.md "Delete")."""
    event = _editable_event(request)
    del request.app[STATE].events[event.id]
    return web.Response(status=204)


# --- spaces and users --------------------------------------------------------------------------


def _lookup(table: Mapping[int, _T], request: web.Request, kind: str) -> _T:
    found = table.get(_path_id(request))
    if found is None:
        raise _not_found(f"{kind} {_path_id(request)} does not exist or you have no access to it")
    return found


def _wants_participants(request: web.Request) -> bool:
    return "participants" in request.query.get("include", "").split(",")


async def list_spaces(request: web.Request) -> web.Response:
    """`GET /spaces`: the spaces the user belongs to, by id, one page."""
    user_id, root = request[CURRENT_USER], _api_root(request)
    spaces = [s for s in request.app[STATE].spaces.values() if user_id in dict(s.members)]
    page = _page(sorted(spaces, key=lambda space: space.id), request.query)
    participants = _wants_participants(request)
    return _envelope("spaces", [_space_json(space, root, participants=participants) for space in page])


async def get_space(request: web.Request) -> web.Response:
    """`GET /spaces/{id}` (404 also for spaces the user is not in, per the exceptions page)."""
    space = _lookup(request.app[STATE].spaces, request, "Space")
    if request[CURRENT_USER] not in dict(space.members):
        raise _not_found(f"Space {space.id} does not exist or you have no access to it")
    body = _space_json(space, _api_root(request), participants=_wants_participants(request))
    return _envelope("spaces", [body])


def _matching_users(state: KonaState, query: Mapping[str, str]) -> list[User]:
    users = sorted(state.users.values(), key=lambda user: user.id)
    if like := query.get("like", "").lower():
        users = [u for u in users if u.name.lower().startswith(like) or u.email.startswith(like)]
    if "space_id" in query:
        space = state.spaces.get(_int_param(query, "space_id", 0))
        members = {user_id for user_id, _ in space.members} if space else set()
        users = [user for user in users if user.id in members]
    return users


async def list_users(request: web.Request) -> web.Response:
    """`GET /users[?like=…][&space_id=…]`, by id, one page."""
    users = _page(_matching_users(request.app[STATE], request.query), request.query)
    root = _api_root(request)
    return _envelope("users", [_user_json(user, root) for user in users])


async def get_user(request: web.Request) -> web.Response:
    """`GET /users/{id}`."""
    user = _lookup(request.app[STATE].users, request, "User")
    return _envelope("users", [_user_json(user, _api_root(request))])


async def userinfo(request: web.Request) -> web.Response:
    """`GET /userinfo`: the token's user plus `current_account` (users.md)."""
    user = request.app[STATE].users[request[CURRENT_USER]]
    body = _user_json(user, _api_root(request)) | {"current_account": {"id": ACCOUNT_ID, "member": True}}
    return _envelope("users", [body])


# --- app ---------------------------------------------------------------------------------------


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except KonaError as error:
        return _error_response(error)
    except web.HTTPNotFound:
        return _error_response(_not_found(f"No resource at {request.method} {request.path}"))
    except web.HTTPMethodNotAllowed:
        details = f"{request.method} is not supported here"
        return _error_response(KonaError(405, "Method Not Allowed", details))


@web.middleware
async def _authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if not token:
        raise KonaError(401, "Unauthenticated", "Send the access token as 'Authorization: Bearer <token>'")
    user_id = request.app[STATE].tokens.get(token.strip()) if scheme.lower() == "bearer" else None
    if user_id is None:
        raise KonaError(401, "Unauthenticated", "The access token is invalid or has expired")
    request[CURRENT_USER] = user_id
    return await handler(request)


def create_app(log: CallLog, *, now: Callable[[], datetime] | None = None) -> web.Application:
    """The seeded emulator; `now` (default: the wall clock) drives "current month" and timestamps."""
    app = web.Application(middlewares=[recording_middleware(NAME, log), _errors, _authenticate])
    app[STATE] = _seed_state(now or (lambda: datetime.now(UTC)))
    routes = app.router
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


def sandbox_env(base_url: str) -> dict[str, str]:
    """The gateway settings pointing at this emulator mounted at `base_url` (e.g. `…/kona`)."""
    return {"KONA_BASE_URL": f"{base_url.rstrip('/')}/api", "KONA_ACCESS_TOKEN": ACCESS_TOKEN}
