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
"""

from __future__ import annotations

import dataclasses
import os
import random
import re
import string
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web
from aiohttp.typedefs import Middleware

from gateway.sandbox.recorder import CallLog, Handler, json_response, read_json, recording_middleware

NAME: Final = "strigo"
ORG_ID: Final = "sandbox-org"
API_KEY: Final = "sandbox-strigo-key"

SEED: Final = 20250303
SEED_ANCHOR: Final = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
EVENT_LINK_BASE: Final = "https://app.strigo.io/event/"

STATUS_READY: Final = "ready"
STATUS_LIVE: Final = "live"
STATUS_ENDED: Final = "ended"

# Meteor's Random.id() alphabet ("unmistakable chars"); Strigo ids are 17 of them.
_METEOR_CHARS: Final = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"
_TOKEN_CHARS: Final = string.ascii_uppercase + string.digits
_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

CAPTIONS_LANGUAGES: Final = frozenset(
    {
        "ar-SA", "de-DE", "en-AU", "en-GB", "en-US", "es-ES", "es-MX", "fr-CA", "fr-FR", "he-IL",
        "hi-IN", "it-IT", "ja-JP", "ko-KR", "nl-NL", "pl-PL", "pt-BR", "pt-PT", "ru-RU", "sv-SE",
        "tr-TR", "uk-UA", "zh-CN", "zh-TW",
    }
)  # fmt: skip
AVAILABILITIES: Final = ("public", "private")

TOO_MANY_REQUESTS: Final = "Too many requests, please try again later."


def _meteor_id(rng: random.Random) -> str:
    return "".join(rng.choice(_METEOR_CHARS) for _ in range(17))


def _unique_ids(rng: random.Random, count: int, taken: set[str]) -> tuple[str, ...]:
    ids: list[str] = []
    while len(ids) < count:
        candidate = _meteor_id(rng)
        if candidate not in taken:
            taken.add(candidate)
            ids.append(candidate)
    return tuple(ids)


def _seed_ids() -> tuple[tuple[str, ...], ...]:
    rng = random.Random(SEED)
    taken: set[str] = set()
    return tuple(_unique_ids(rng, count, taken) for count in (6, 20, 20, 2, 110))


MEMBER_IDS, CLASS_IDS, RESOURCE_IDS, PARTNER_IDS, EVENT_IDS = _seed_ids()

_MEMBER_SEED: Final = (
    ("dana.owner@strigo-sandbox.example", "owner"),
    ("hugo.host@strigo-sandbox.example", "member"),
    ("iris.instructor@strigo-sandbox.example", "member"),
    ("tom.trainer@strigo-sandbox.example", "member"),
    ("ada.assistant@strigo-sandbox.example", "member"),
    ("lea.lead@strigo-sandbox.example", "member"),
)
MEMBER_EMAILS: Final = tuple(email for email, _ in _MEMBER_SEED)
OWNER_EMAIL: Final = MEMBER_EMAILS[0]

_CLASS_SEED: Final = (
    ("Kubernetes Fundamentals", ("kubernetes", "containers")),
    ("Docker Essentials", ("containers",)),
    ("Terraform in Practice", ("iac", "devops")),
    ("Ansible Automation", ("iac", "devops")),
    ("AWS Solutions Architect Prep", ("cloud", "aws")),
    ("Azure Administration", ("cloud", "azure")),
    ("GCP Data Engineering", ("cloud", "data")),
    ("Linux System Administration", ("linux",)),
    ("Python for Data Analysis", ("python", "data")),
    ("Go Microservices", ("go", "backend")),
    ("Rust Systems Programming", ("rust",)),
    ("React Front-End Development", ("frontend", "javascript")),
    ("PostgreSQL Performance Tuning", ("databases",)),
    ("Kafka Streaming", ("data", "streaming")),
    ("Elasticsearch Operations", ("search", "ops")),
    ("CI/CD with GitHub Actions", ("devops", "ci")),
    ("Observability with Prometheus", ("ops", "monitoring")),
    ("Secure Coding Practices", ("security",)),
    ("Machine Learning Foundations", ("ml", "python")),
    ("Spark for Big Data", ("data", "spark")),
)

# Seed layout by event index: 0-49 ended (every 36 h back from the anchor), 50-53 live (running at
# the anchor), 54-109 ready (every 36 h after it); every 4th is private, so 55 is ready + private.
_LIVE_INDICES: Final = range(50, 54)
ENDED_EVENT_ID: Final = EVENT_IDS[0]
LIVE_EVENT_ID: Final = EVENT_IDS[50]
READY_EVENT_ID: Final = EVENT_IDS[54]
PRIVATE_EVENT_ID: Final = EVENT_IDS[55]
PARTNER_EVENT_ID: Final = EVENT_IDS[5]


class ValidationIssue(TypedDict):
    """One entry of a `RequestValidationError`'s `errors` array."""

    location: str
    param: str
    msg: str


@dataclass(frozen=True, slots=True)
class Member:
    """An org member (`GET /members`)."""

    id: str
    email: str
    role: str

    def to_json(self) -> dict[str, Any]:
        """The member as `/members` lists it."""
        return {"email": self.email, "id": self.id, "role": self.role}

    def ref(self) -> dict[str, str]:
        """The `{email, id}` reference events and classes embed as `owner`."""
        return {"email": self.email, "id": self.id}


@dataclass(frozen=True, slots=True)
class StrigoClass:
    """A class (event template) with one lab instance."""

    id: str
    name: str
    description: str
    labels: tuple[str, ...]
    owner: Member
    resource_id: str

    def to_json(self) -> dict[str, Any]:
        """The class as `/classes` returns it."""
        return {
            "description": self.description,
            "id": self.id,
            "labels": list(self.labels),
            "name": self.name,
            "owner": self.owner.ref(),
            "presentation_notes": [],
            "resources": [
                {
                    "id": self.resource_id,
                    "image_id": "ami-614dcd0e",
                    "image_user": "ubuntu",
                    "instance_type": "t2.large",
                    "is_custom_image": False,
                    "name": f"{self.name} Node",
                    "type": "lab_instance",
                }
            ],
        }


@dataclass(slots=True)
class Event:
    """A live-training event; field names match the API attributes."""

    id: str
    token: str
    owner: Member
    name: str
    class_id: str
    date_start: datetime
    date_end: datetime
    availability: str = "public"
    description: str | None = None
    include_chat: bool = False
    include_video: bool = False
    include_lab_exercises: bool = False
    is_recorded: bool = False
    tas: list[str] = field(default_factory=list)
    trainees: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    status: str = STATUS_READY
    partner_id: str | None = None
    captions_language: str = "en-US"

    def to_json(self) -> dict[str, Any]:
        """The event as the API returns it, keys sorted like the doc examples."""
        data: dict[str, Any] = {
            "availability": self.availability,
            "class_id": self.class_id,
            "date_end": iso(self.date_end),
            "date_start": iso(self.date_start),
            "event_link": f"{EVENT_LINK_BASE}{self.id}",
            "id": self.id,
            "include_chat": self.include_chat,
            "include_lab_exercises": self.include_lab_exercises,
            "include_video": self.include_video,
            "is_recorded": self.is_recorded,
            "labels": list(self.labels),
            "name": self.name,
            "owner": self.owner.ref(),
            "status": self.status,
            "tas": list(self.tas),
            "token": self.token,
            "trainees": list(self.trainees),
        }
        if self.description is not None:
            data["description"] = self.description
        if self.partner_id is not None:
            data["partner_id"] = self.partner_id
        return dict(sorted(data.items()))


@dataclass(slots=True)
class EventInput:
    """Validated POST/PATCH fields; None means "not given". Names match `Event`'s attributes."""

    name: str | None = None
    owner: Member | None = None
    class_id: str | None = None
    description: str | None = None
    date_start: datetime | None = None
    date_end: datetime | None = None
    include_chat: bool | None = None
    include_video: bool | None = None
    include_lab_exercises: bool | None = None
    is_recorded: bool | None = None
    tas: list[str] | None = None
    trainees: list[str] | None = None
    availability: str | None = None
    labels: list[str] | None = None
    captions_language: str | None = None


@dataclass(frozen=True, slots=True)
class RateStatus:
    """Where one request stands in its rate-limit window."""

    limit: int
    remaining: int
    reset: int
    allowed: bool

    def headers(self) -> dict[str, str]:
        """The headers Strigo (express-rate-limit) puts on every response."""
        return {
            "x-powered-by": "Express",
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset),
        }


@dataclass(slots=True)
class RateLimiter:
    """Fixed one-minute windows of `limit` requests per key."""

    limit: int
    clock: Callable[[], float]
    windows: dict[str, tuple[int, int]] = field(default_factory=dict)

    def hit(self, key: str) -> RateStatus:
        """Count one request for `key` and say whether it may proceed."""
        minute = int(self.clock() // 60)
        start, hits = self.windows.get(key, (minute, 0))
        hits = hits + 1 if start == minute else 1
        self.windows[key] = (minute, hits)
        return RateStatus(
            limit=self.limit,
            remaining=max(self.limit - hits, 0),
            reset=(minute + 1) * 60,
            allowed=hits <= self.limit,
        )


@dataclass(slots=True)
class StrigoState:
    """Everything the emulated org holds."""

    members: dict[str, Member]
    classes: dict[str, StrigoClass]
    events: dict[str, Event]
    limiter: RateLimiter
    rng: random.Random

    def member_by_email(self, email: str) -> Member | None:
        """The org member with this email (case-insensitive), if any."""
        wanted = email.casefold()
        return next((m for m in self.members.values() if m.email.casefold() == wanted), None)

    def new_event_id(self) -> str:
        """A fresh Meteor-style id no seeded or created object uses."""
        taken = self.events.keys() | self.classes.keys() | self.members.keys()
        while (candidate := _meteor_id(self.rng)) in taken:
            pass
        return candidate

    def new_token(self) -> str:
        """A 4-character public access token like the docs' "9NX4"."""
        return "".join(self.rng.choice(_TOKEN_CHARS) for _ in range(4))


STATE: Final = web.AppKey("strigo_state", StrigoState)


def iso(moment: datetime) -> str:
    """Strigo's date format: UTC, milliseconds, `Z` (e.g. `2018-09-20T11:00:00.000Z`)."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


# --- seed -------------------------------------------------------------------------------------------


def _seed_members() -> dict[str, Member]:
    return {
        member_id: Member(id=member_id, email=email, role=role)
        for member_id, (email, role) in zip(MEMBER_IDS, _MEMBER_SEED, strict=True)
    }


def _seed_classes(owner: Member) -> dict[str, StrigoClass]:
    classes = (
        StrigoClass(
            id=class_id,
            name=name,
            description=f"Hands-on {name} with guided labs.",
            labels=labels,
            owner=owner,
            resource_id=resource_id,
        )
        for class_id, resource_id, (name, labels) in zip(CLASS_IDS, RESOURCE_IDS, _CLASS_SEED, strict=True)
    )
    return {cls.id: cls for cls in classes}


def _seed_schedule(index: int) -> tuple[datetime, datetime, str]:
    duration = timedelta(hours=2 + (index % 4) * 2)
    if index in _LIVE_INDICES:
        start = SEED_ANCHOR - timedelta(minutes=60 + 30 * (index - _LIVE_INDICES.start))
        return start, SEED_ANCHOR + timedelta(hours=4), STATUS_LIVE
    if index < _LIVE_INDICES.start:
        start = SEED_ANCHOR - timedelta(hours=36 * (_LIVE_INDICES.start - index))
        return start, start + duration, STATUS_ENDED
    start = SEED_ANCHOR + timedelta(hours=36 * (index - _LIVE_INDICES.stop + 1))
    return start, start + duration, STATUS_READY


def _seed_event(index: int, members: list[Member], classes: list[StrigoClass]) -> Event:
    cls = classes[index % len(classes)]
    owner = members[index % len(members)]
    start, end, status = _seed_schedule(index)
    private = index % 4 == 3
    ta_count = (1, 0, 2)[index % 3]
    return Event(
        id=EVENT_IDS[index],
        token="".join(_TOKEN_CHARS[(index * 7 + k * 13) % len(_TOKEN_CHARS)] for k in range(4)),
        owner=owner,
        name=f"{cls.name} - Cohort {index // len(classes) + 1}",
        class_id=cls.id,
        date_start=start,
        date_end=end,
        availability="private" if private else "public",
        description=None if index % 7 == 6 else f"Session {index + 1} of {cls.name}.",
        include_chat=index % 2 == 0,
        include_video=index % 3 != 2,
        include_lab_exercises=index % 2 == 1,
        is_recorded=index % 5 == 0,
        tas=[members[(index + k) % len(members)].email for k in range(1, ta_count + 1)],
        trainees=[f"learner{(index + k) % 40:02d}@learners.example" for k in range(3)] if private else [],
        labels=[*cls.labels, ("emea", "amer", "apac")[index % 3]],
        status=status,
        partner_id=PARTNER_IDS[index % 2] if index % 12 == 5 else None,
    )


def seed_state(*, rate_limit: int, clock: Callable[[], float]) -> StrigoState:
    """A fresh org: 6 members, 20 classes, 110 events (the first 100 cover all 20 classes)."""
    members = _seed_members()
    owner = members[MEMBER_IDS[0]]
    classes = _seed_classes(owner)
    member_list, class_list = list(members.values()), list(classes.values())
    events = (_seed_event(index, member_list, class_list) for index in range(len(EVENT_IDS)))
    return StrigoState(
        members=members,
        classes=classes,
        events={event.id: event for event in events},
        limiter=RateLimiter(limit=rate_limit, clock=clock),
        rng=random.Random(SEED + 1),
    )


# --- responses --------------------------------------------------------------------------------------


def success(data: Any) -> web.Response:
    """Strigo's success envelope."""
    return json_response({"result": "success", "data": data})


def failure(
    status: int, error_type: str, message: str, errors: list[ValidationIssue] | None = None
) -> web.Response:
    """Strigo's failure envelope."""
    error: dict[str, Any] = {"type": error_type, "message": message}
    if errors is not None:
        error["errors"] = errors
    return json_response({"result": "failure", "error": error}, status=status)


def invalid(errors: list[ValidationIssue]) -> web.Response:
    """422 `RequestValidationError` (intro.md: all validation errors use it)."""
    return failure(422, "RequestValidationError", "The request is not valid", errors)


def event_not_found(event_id: str) -> web.Response:
    """404 for an unknown event id."""
    return failure(404, "EventNotFound", f"Event {event_id} could not be found.")


def class_not_found(class_id: str) -> web.Response:
    """404 for an unknown class id (the intro's own error example)."""
    return failure(404, "ClassNotFound", f"Class {class_id} could not be found.")


# --- validation -------------------------------------------------------------------------------------


class BodyValidator:
    """Reads one field at a time from a JSON body, collecting express-validator-style issues."""

    def __init__(self, body: dict[str, Any], *, partial: bool) -> None:
        self.body = body
        self.partial = partial
        self.errors: list[ValidationIssue] = []

    def fail(self, param: str, msg: str) -> None:
        """Record an issue with a body parameter."""
        self.errors.append({"location": "body", "param": param, "msg": msg})

    def _given(self, param: str, msg: str, *, required: bool) -> bool:
        if param in self.body:
            return True
        if required and not self.partial:
            self.fail(param, msg)
        return False

    def text(
        self, param: str, *, max_len: int, min_len: int = 0, required: bool = False, msg: str | None = None
    ) -> str | None:
        """A string of bounded length."""
        msg = msg or f"Must be a string of {min_len} to {max_len} characters"
        if not self._given(param, msg, required=required):
            return None
        value = self.body[param]
        if isinstance(value, str) and min_len <= len(value) <= max_len:
            return value
        self.fail(param, msg)
        return None

    def boolean(self, param: str) -> bool | None:
        """A JSON boolean (no "true"/1 coercion)."""
        if not self._given(param, "Must be a boolean", required=False):
            return None
        value = self.body[param]
        if isinstance(value, bool):
            return value
        self.fail(param, "Must be a boolean")
        return None

    def choice(self, param: str, choices: Collection[str], msg: str) -> str | None:
        """One of a fixed set of strings."""
        if not self._given(param, msg, required=False):
            return None
        value = self.body[param]
        if isinstance(value, str) and value in choices:
            return value
        self.fail(param, msg)
        return None

    def email(self, param: str, *, required: bool = False) -> str | None:
        """One email address."""
        msg = "Must be a valid email address"
        if not self._given(param, msg, required=required):
            return None
        value = self.body[param]
        if isinstance(value, str) and _EMAIL_RE.match(value):
            return value
        self.fail(param, msg)
        return None

    def string_list(self, param: str, msg: str, *, emails: bool = False) -> list[str] | None:
        """A list of non-empty strings (of email addresses when `emails`)."""
        if not self._given(param, msg, required=False):
            return None
        value = self.body[param]
        if isinstance(value, list) and all(_list_item_ok(item, emails=emails) for item in value):
            return list(value)
        self.fail(param, msg)
        return None

    def zone(self) -> ZoneInfo:
        """The IANA `timezone` naive dates are read in (default `Etc/UTC`)."""
        msg = "Must be a valid IANA timezone"
        if not self._given("timezone", msg, required=False):
            return ZoneInfo("Etc/UTC")
        value = self.body["timezone"]
        try:
            if isinstance(value, str) and value:
                return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        self.fail("timezone", msg)
        return ZoneInfo("Etc/UTC")

    def date(self, param: str, zone: ZoneInfo, *, required: bool = False) -> datetime | None:
        """An ISO 8601 date; one without an offset is read in `zone`."""
        msg = "Must be an ISO8601 compliant date"
        if not self._given(param, msg, required=required):
            return None
        value = self.body[param]
        try:
            if isinstance(value, str):
                parsed = datetime.fromisoformat(value)
                return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
        except ValueError:
            pass
        self.fail(param, msg)
        return None


def _list_item_ok(item: object, *, emails: bool) -> bool:
    if not isinstance(item, str) or not item:
        return False
    return bool(_EMAIL_RE.match(item)) if emails else True


def _owner(v: BodyValidator, state: StrigoState) -> Member | None:
    email = v.email("owner", required=True)
    if email is None:
        return None
    member = state.member_by_email(email)
    if member is None:
        v.fail("owner", "Must be the email of an organization member")
    return member


def parse_event_input(
    body: dict[str, Any], state: StrigoState, *, partial: bool
) -> tuple[EventInput, list[ValidationIssue]]:
    """Validate a POST (`partial=False`) or PATCH body field by field (events.md BODY Parameters)."""
    v = BodyValidator(body, partial=partial)
    zone = v.zone()
    fields = EventInput(
        name=v.text("name", max_len=256, min_len=1, required=True),
        owner=_owner(v, state),
        class_id=v.text("class_id", max_len=64, min_len=1, required=True, msg="Must be a valid class ID"),
        description=v.text("description", max_len=65536),
        date_start=v.date("date_start", zone, required=True),
        date_end=v.date("date_end", zone, required=True),
        include_chat=v.boolean("include_chat"),
        include_video=v.boolean("include_video"),
        tas=v.string_list("tas", "Must be a list of valid email addresses", emails=True),
        trainees=v.string_list("trainees", "Must be a list of valid email addresses", emails=True),
        availability=v.choice("availability", AVAILABILITIES, 'Must be one of "public", "private"'),
        include_lab_exercises=v.boolean("include_lab_exercises"),
        labels=v.string_list("labels", "Must be a list of non-empty strings"),
        captions_language=v.choice(
            "captions_language", CAPTIONS_LANGUAGES, "Must be a supported BCP-47 language tag"
        ),
        is_recorded=v.boolean("is_recorded"),
    )
    return fields, v.errors


def cross_field_issues(fields: EventInput, current: Event | None) -> list[ValidationIssue]:
    """Rules spanning fields, checked against the stored event on PATCH."""
    issues: list[ValidationIssue] = []
    dates_given = fields.date_start is not None or fields.date_end is not None
    start = fields.date_start or (current.date_start if current is not None else None)
    end = fields.date_end or (current.date_end if current is not None else None)
    if dates_given and start is not None and end is not None and end <= start:
        issues.append({"location": "body", "param": "date_end", "msg": "Must be after date_start"})
    if fields.availability == "public" and fields.trainees:
        issues.append(
            {"location": "body", "param": "trainees", "msg": "Trainees are only allowed on private events"}
        )
    return issues


def apply_input(event: Event, fields: EventInput) -> None:
    """Copy the given fields onto the event, then the availability rules of events.md."""
    for item in dataclasses.fields(fields):
        value = getattr(fields, item.name)
        if value is not None:
            setattr(event, item.name, value)
    if fields.trainees:
        event.availability = "private"  # "adding trainees implicitly means a private event"
    if fields.availability == "public":
        event.trainees = []  # "Setting a private event to public will remove the event trainees list"


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
    return success([event.to_json() for event in request.app[STATE].events.values()])


async def get_event(request: web.Request) -> web.Response:
    """`GET /events/{event_id}`."""
    event_id = request.match_info["event_id"]
    event = request.app[STATE].events.get(event_id)
    return event_not_found(event_id) if event is None else success(event.to_json())


async def create_event(request: web.Request) -> web.Response:
    """`POST /events`: 200 with the created `ready` event."""
    state = request.app[STATE]
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
    state = request.app[STATE]
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
    state = request.app[STATE]
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
    return success([cls.to_json() for cls in request.app[STATE].classes.values()])


async def get_class(request: web.Request) -> web.Response:
    """`GET /classes/{class_id}`."""
    class_id = request.match_info["class_id"]
    cls = request.app[STATE].classes.get(class_id)
    return class_not_found(class_id) if cls is None else success(cls.to_json())


async def list_members(request: web.Request) -> web.Response:
    """`GET /members`."""
    return success([member.to_json() for member in request.app[STATE].members.values()])


# --- middlewares and app ----------------------------------------------------------------------------


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _too_many(status: RateStatus) -> web.Response:
    # intro.md: the 429 is Express's plain-text default, not the JSON envelope.
    response = web.Response(
        status=429,
        text=TOO_MANY_REQUESTS,
        content_type="text/html",
        charset="utf-8",
        headers=status.headers(),
    )
    response.headers["retry-after"] = "60"
    return response


def rate_limit_middleware(limiter: RateLimiter) -> Middleware:
    """Count every request per org and stamp the rate-limit headers on every answer."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        token = _bearer(request)
        key = token.partition(":")[0] if token else (request.remote or "anonymous")
        status = limiter.hit(key)
        if not status.allowed:
            return _too_many(status)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers.update(status.headers())
            raise
        response.headers.update(status.headers())
        return response

    return middleware


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Require `Authorization: Bearer ORG_ID:API_KEY` on every route."""
    if _bearer(request) != f"{ORG_ID}:{API_KEY}":
        return failure(401, "Unauthorized", "Missing or invalid credentials.")
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


def sandbox_env(base_url: str) -> dict[str, str]:
    """Gateway settings pointing at this emulator mounted at `base_url` (e.g. `…/strigo`)."""
    return {"STRIGO_BASE_URL": f"{base_url}/api/v1", "STRIGO_ORG_ID": ORG_ID, "STRIGO_API_KEY": API_KEY}
