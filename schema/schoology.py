"""Schoology's GraphQL shape: `SchoologyEvent`, its realm, the enums for coded fields, and from-upstream."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import strawberry
from aiodataloader import DataLoader

from gateway.errors import BadUserInput
from gateway.execution.batched import BatchedLoad
from gateway.ids import encode_id
from gateway.instants import representable
from gateway.providers import schoology
from gateway.providers.base import JSONObject
from gateway.providers.schoology import Realm
from gateway.request.context import Context, Info
from gateway.upstream.values import digits, enum_or_none, required_id, text
from schema.event import Event, Node, Provider
from schema.local_days import day_bounds
from schema.scalars import JSON, as_json
from schema.schoology_attachments import SchoologyAttachments
from schema.views import Span, SpannedEventView, lazy, read

#: The per-request loader of realm objects (`GET {kind}/{id}` through multi-get).
REALMS = "schoology.realms"
#: The kind in the global id of a realm.
REALM_KIND = "realm"


@strawberry.enum(description="The kinds of Schoology realm that hold events.")
class SchoologyRealmKind(Enum):
    DISTRICT = strawberry.enum_value("districts", description="A school district.")
    SCHOOL = strawberry.enum_value("schools", description="A school (or a building of one).")
    USER = strawberry.enum_value("users", description="A user's personal calendar.")
    GROUP = strawberry.enum_value("groups", description="A group.")
    SECTION = strawberry.enum_value("sections", description="A course section.")


@strawberry.enum(description="Who may RSVP to a Schoology event.")
class SchoologyRsvp(Enum):
    NOBODY = strawberry.enum_value(0, description="RSVP is off.")
    INVITED = strawberry.enum_value(1, description="Only the people invited.")
    ANYONE = strawberry.enum_value(2, description="Anyone who can see the event.")


@strawberry.enum(description="What a Schoology event is.")
class SchoologyEventType(Enum):
    EVENT = strawberry.enum_value("event", description="A plain calendar event (editable).")
    ASSIGNMENT = strawberry.enum_value(
        "assignment", description="The due date of an assignment: read-only here; edit the assignment."
    )
    DISCUSSION = strawberry.enum_value(
        "discussion", description="The due date of a graded discussion: read-only here."
    )


@strawberry.input(description="A Schoology realm: the district, school, user, group or course section.")
class SchoologyRealmInput:
    kind: SchoologyRealmKind = strawberry.field(description="What the realm is.")
    provider_id: str = strawberry.field(description="The realm's numeric Schoology id, e.g. `3719526`.")

    def to_realm(self, *field: str) -> Realm:
        """The upstream realm; BAD_USER_INPUT at `field` + `providerId` when the id is not a number."""
        try:
            return Realm.parse(f"{self.kind.value}/{self.provider_id}")
        except ValueError:
            raise BadUserInput(
                f"{self.provider_id!r} is not a Schoology realm id (a number)", field=[*field, "providerId"]
            ) from None


def realm_title(data: JSONObject) -> str | None:
    """A person-readable name for a realm object of any kind."""
    if data.get("course_title"):
        section = data.get("section_title")
        return f"{data['course_title']}: {section}" if section else str(data["course_title"])
    name = data.get("title") or data.get("name_display")
    if not name and (data.get("name_first") or data.get("name_last")):
        name = f"{data.get('name_first') or ''} {data.get('name_last') or ''}".strip()
    return str(name) if name else None


def _realm_key(realm: SchoologyRealm) -> Realm:
    return Realm(str(realm.kind.value), realm.provider_id)


def _realm_loader(context: Context) -> DataLoader[Realm, JSONObject | None]:
    return context.loaders.get(REALMS, context.client(schoology.SPEC).load_realms)


#: `SchoologyRealm.name` and `.rawObject`, from the request's loader of realms.
REALM_NAME: BatchedLoad[SchoologyRealm, Context, JSONObject, str | None] = BatchedLoad(
    key=_realm_key, loader=_realm_loader, convert=realm_title
)
REALM_OBJECT: BatchedLoad[SchoologyRealm, Context, JSONObject, JSON] = BatchedLoad(
    key=_realm_key, loader=_realm_loader, convert=as_json
)


@strawberry.type(description="A Schoology realm: where an event lives.")
class SchoologyRealm(Node):
    kind: SchoologyRealmKind = strawberry.field(description="What the realm is.")
    provider_id: str = strawberry.field(description="The realm's numeric Schoology id.")

    @strawberry.field(
        description="The realm's name: `course: section` for a section, the display name for a user, "
        "otherwise its title. Null if the realm no longer exists. Batched: every realm in one response "
        "costs one Schoology multi-get per 50 realms.",
        metadata=REALM_NAME.metadata,
    )
    async def name(self, info: Info) -> str | None:
        return await REALM_NAME.resolve(self, info.context)

    @strawberry.field(
        description="The realm object exactly as Schoology returns it (`GET /{kind}/{id}`), batched like "
        "`name`; null if the realm no longer exists. (Not `raw`: that is never null on other types.)",
        metadata=REALM_OBJECT.metadata,
    )
    async def raw_object(self, info: Info) -> JSON | None:
        return await REALM_OBJECT.resolve(self, info.context)

    @classmethod
    def of(cls, realm: Realm) -> SchoologyRealm:
        """The GraphQL view of an upstream realm key."""
        return cls(
            id=strawberry.ID(encode_id(schoology.NAME, realm.kind, realm.id, kind=REALM_KIND)),
            kind=SchoologyRealmKind(realm.kind),
            provider_id=realm.id,
        )


@strawberry.type(description="Links Schoology attaches to an event.")
class SchoologyEventLinks:
    self_: str | None = strawberry.field(name="self", description="The event's API URL.")


@strawberry.type(
    description="An event in a Schoology realm (district, school, user, group or course section), with "
    "every field of Schoology's event object. Schoology sends times without an offset, in the realm's "
    "zone (`timezone`: a user's own `tz_name`, else `SCHOOLOGY_TIMEZONE`) in lists and in UTC from the "
    "single-event GET; `startsAt` and `endsAt` are the same instants either way, in the realm's zone. "
    "An all-day event's days are the dates Schoology keeps it on, whatever the zone. `url` is the "
    "event's page in the web app (`SCHOOLOGY_WEB_URL`), or Schoology's own link for a due date. "
    "Schoology has no status: "
    "`status` follows the clock (SCHEDULED before the start, LIVE until the end, or through the day of "
    "an all-day event, ENDED after; an event without an end is over once it starts)."
)
class SchoologyEvent(Event):
    start: str | None = strawberry.field(
        description="The start exactly as Schoology sends it: `YYYY-MM-DD HH:MM:SS`, local time, no offset."
    )
    end: str | None = strawberry.field(
        description="The end exactly as Schoology sends it (null unless `hasEnd`)."
    )
    has_end: bool = strawberry.field(description="Whether the event has an end time.")
    rsvp: SchoologyRsvp | None = strawberry.field(description="Who may RSVP.")
    event_type: SchoologyEventType | None = strawberry.field(
        name="type",
        description="A plain event, or the due date of an assignment or discussion (those are read-only).",
    )
    comments_enabled: bool = strawberry.field(description="Whether people can comment on the event.")
    editable: bool | None = strawberry.field(
        description="Whether the gateway's Schoology account may change the event (null if not sent)."
    )
    section_id: str | None = strawberry.field(description="The course section's id, for section events.")
    assignment_id: str | None = strawberry.field(
        description="The assignment or discussion behind a due-date event."
    )
    web_url: str | None = strawberry.field(
        description="Link to the assignment or discussion in Schoology's web app, for due-date events."
    )
    links: SchoologyEventLinks | None = strawberry.field(description="Links Schoology sent with the event.")
    attachments: SchoologyAttachments | None = strawberry.field(
        description="Files, links, videos and embeds attached to the event: read with "
        "`schoologyEvents(withAttachments: true)`, null otherwise."
    )
    realm: SchoologyRealm = strawberry.field(description="The realm the event lives in.")

    @classmethod
    def from_upstream(
        cls,
        data: JSONObject,
        realm: Realm,
        zone: ZoneInfo,
        *,
        written_in: ZoneInfo | None = None,
        web_url: str = "",
        now: datetime | None = None,
    ) -> SchoologyEvent:
        """A view of Schoology's event object in `realm`, whose zone is `zone`; its `start`/`end` are
        written in `written_in` (the realm's zone for lists and writes, UTC for the single GET;
        default `zone`). `web_url` is the web app's root (empty: no `url`); `status` is read at `now`
        (default: when first asked).

        UPSTREAM_ERROR when it has no usable id; other fields of the wrong type read as absent.
        """
        event_id = required_id(data, "id", title="Schoology", what="an event", provider=schoology.NAME)
        return SchoologyEventView(data, event_id, realm, zone, written_in or zone, web_url, now)


def _span(
    start_at: datetime | None, end_at: datetime | None, zone: ZoneInfo, *, all_day: bool
) -> tuple[datetime | None, datetime | None, date | None, date | None]:
    """`startsAt`, `endsAt`, `startDate`, `endDate` in the realm's `zone`.

    An all-day event is kept as its day at 23:59:59 UTC (its `end`, with `hasEnd`, as its last day's),
    which a list writes in the realm's zone and the single GET in UTC (the docs' example: 18:59:59 and
    23:59:59, one instant): its days are the UTC dates of those instants, the same from either.
    """
    if not all_day or start_at is None:
        return (
            None if start_at is None else start_at.astimezone(zone),
            None if end_at is None else end_at.astimezone(zone),
            None,
            None,
        )
    first = start_at.astimezone(UTC).date()
    last = max(first, end_at.astimezone(UTC).date()) if end_at is not None else first
    starts_at, ends_at = day_bounds(first, last, zone)
    return starts_at, ends_at, first, last


def _web_page(data: JSONObject, event_id: str, kind: SchoologyEventType | None, web_url: str) -> str | None:
    """The event's page in Schoology's web app.

    A due date's `web_url` is Schoology's own link to its assignment or discussion. A plain event's
    page is `<web app>/event/<id>`, the link Schoology's own calendar export (iCal) gives every event;
    null without a web app root, or for a due date Schoology sent no link for.
    """
    own = _text(data.get("web_url"))
    if own or kind not in (None, SchoologyEventType.EVENT) or not web_url:
        return own
    return f"{web_url}/event/{event_id}"


def local_datetime(value: str | None, zone: ZoneInfo) -> datetime | None:
    """Schoology's `YYYY-MM-DD HH:MM:SS` read in `zone` (keeping that zone's offset); None if unreadable
    or beyond what UTC can express (year 1 east of Greenwich, say)."""
    if not value or len(value) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return representable(parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone))


def _text(value: Any) -> str | None:
    # Ids arrive as numbers or numeric strings; Schoology sends "" for absent text.
    return text(value) or None


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    return digits(value.strip() if isinstance(value, str) else value)


def flag(value: Any) -> bool | None:
    """Schoology's 0/1 booleans (ints or strings); None when absent or unreadable."""
    number = _number(value)
    return None if number is None else number != 0


class SchoologyEventView(SpannedEventView, SchoologyEvent):
    """`SchoologyEvent` over Schoology's decoded event: each field computed on first read (`schema.views`)."""

    provider = Provider.SCHOOLOGY
    location = None

    def __init__(
        self,
        data: JSONObject,
        event_id: str,
        realm: Realm,
        zone: ZoneInfo,
        frame: ZoneInfo,
        web_root: str,
        now: datetime | None,
    ) -> None:
        super().__init__(data, realm.kind, realm.id, event_id)
        self.upstream_realm = realm
        self.zone = zone
        self.timezone = zone.key
        self.frame = frame
        self.web_root = web_root
        self.now = now

    @lazy
    def title(self) -> str:
        return str(self.data.get("title") or "")

    @lazy
    def end(self) -> str | None:
        return _text(self.data.get("end")) if self.has_end else None

    @lazy
    def span(self) -> Span:
        """`startsAt`, `endsAt`, `startDate`, `endDate`, computed together."""
        start_at = local_datetime(self.start, self.frame)
        end_at = local_datetime(self.end, self.frame)
        return _span(start_at, end_at, self.zone, all_day=self.all_day)

    @lazy
    def url(self) -> str | None:
        return _web_page(self.data, self.provider_id, self.event_type, self.web_root)

    @lazy
    def links(self) -> SchoologyEventLinks | None:
        links = self.data.get("links")
        return SchoologyEventLinks(self_=_text(links.get("self"))) if isinstance(links, dict) else None

    @lazy
    def realm(self) -> SchoologyRealm:
        return SchoologyRealm.of(self.upstream_realm)

    description = read("description", _text)
    start = read("start", _text)
    has_end = read("has_end", lambda value: flag(value) or False)
    all_day = read("all_day", lambda value: flag(value) or False)
    rsvp = read("rsvp", lambda value: enum_or_none(SchoologyRsvp)(_number(value)))
    event_type = read("type", enum_or_none(SchoologyEventType))
    comments_enabled = read("comments_enabled", lambda value: flag(value) is not False)
    editable = read("editable", flag)
    section_id = read("section_id", _text)
    assignment_id = read("assignment_id", _text)
    web_url = read("web_url", _text)
    attachments = read("attachments", SchoologyAttachments.from_upstream)
