"""Kona's GraphQL output: `KonaCalendarEvent` with every native field, its enums and translations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import strawberry

from gateway.execution.batched import BatchedLoad
from gateway.ids import encode_id
from gateway.providers import kona
from gateway.providers.base import JSONObject
from gateway.request.context import Context, Info
from gateway.upstream.values import enum_or_none, required_id, text, texts
from schema.event import Event, EventSeries, Node, Provider
from schema.kona_directory import SPACES, USERS, KonaSpace, KonaUser, from_ms, kona_int
from schema.kona_series import computed_occurrence, event_series, series_facts
from schema.local_days import all_day_span, day_bounds
from schema.views import Span, SpannedEventView, lazy, read, same_as

#: The kind in the global id of an event's link to an outside record.
EXTERNAL_KIND = "external"
UTC_ZONE = ZoneInfo("UTC")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


@strawberry.enum(
    description="Kona's own status of a calendar event: the progress of the work it stands for "
    "(Kona's `status` code). Not whether the event has happened: that is `Event.status`."
)
class KonaEventStatus(Enum):
    PENDING = strawberry.enum_value(0, description="Not started (Kona's 0).")
    IN_PROGRESS = strawberry.enum_value(1, description="Under way (Kona's 1); Kona's default for new events.")
    COMPLETE = strawberry.enum_value(2, description="Done (Kona's 2).")
    GROUP_CLOSED = strawberry.enum_value(3, description="Closed for the group (Kona's 3).")
    GROUP_REOPENED = strawberry.enum_value(4, description="Reopened for the group (Kona's 4).")


@strawberry.enum(description="Who can see a Kona calendar event.")
class KonaVisibility(Enum):
    PARTICIPANTS_ONLY = strawberry.enum_value(1, description="Only its creator, participants and editors.")
    PUBLIC = strawberry.enum_value(2, description="Everyone in the space (Kona's default).")


@strawberry.enum(description="Whom a Kona calendar event concerns.")
class KonaStakeholder(Enum):
    JUST_ME = strawberry.enum_value(0, description="Only its creator.")
    GROUP = strawberry.enum_value(1, description="The space's group (Kona's default).")
    EVERYONE = strawberry.enum_value(2, description="The account's 'Everyone' group.")


@strawberry.enum(description="What participants may do with a Kona calendar event.")
class KonaDefaultRole(Enum):
    EDITOR = strawberry.enum_value(1, description="Everyone may change it (Kona's default).")
    VIEWER = strawberry.enum_value(2, description="Only the creator and `editorIds` may change it.")
    COLLABORATION_COMPLETE = strawberry.enum_value(3, description="Locked like VIEWER; work is done.")


@strawberry.enum(description="How often a recurring Kona event repeats (with `frequency`).")
class KonaPeriod(Enum):
    NONE = strawberry.enum_value(0, description="Does not repeat.")
    DAY = strawberry.enum_value(1, description="Daily.")
    WEEK = strawberry.enum_value(2, description="Weekly, on `selDays`.")
    MONTH = strawberry.enum_value(3, description="Monthly.")
    YEAR = strawberry.enum_value(4, description="Yearly.")
    WEEKDAY = strawberry.enum_value(5, description="Every weekday, Monday to Friday.")


@strawberry.enum(description="Every how many periods a recurring Kona event repeats.")
class KonaFrequency(Enum):
    NONE = strawberry.enum_value(0, description="Does not repeat.")
    EVERY = strawberry.enum_value(1, description="Every period.")
    EVERY_OTHER = strawberry.enum_value(2, description="Every second period.")
    EVERY_THIRD = strawberry.enum_value(3, description="Every third period.")


@strawberry.enum(description="A day of the week, as Kona numbers them (Sunday is 0).")
class KonaWeekday(Enum):
    SUNDAY = strawberry.enum_value(0, description="Sunday (Kona's 0).")
    MONDAY = strawberry.enum_value(1, description="Monday (1).")
    TUESDAY = strawberry.enum_value(2, description="Tuesday (2).")
    WEDNESDAY = strawberry.enum_value(3, description="Wednesday (3).")
    THURSDAY = strawberry.enum_value(4, description="Thursday (4).")
    FRIDAY = strawberry.enum_value(5, description="Friday (5).")
    SATURDAY = strawberry.enum_value(6, description="Saturday (6).")


@strawberry.enum(description="Sort orders Kona offers for calendar event lists; both are newest first.")
class KonaOrder(Enum):
    CREATED_AT = strawberry.enum_value("created_at", description="Most recently created first.")
    UPDATED_AT = strawberry.enum_value("updated_at", description="Most recently changed first.")


def to_ms(moment: datetime) -> int:
    """A datetime as Kona's epoch milliseconds (what the gateway always sends)."""
    return (moment - _EPOCH) // _MS


def _weekdays(value: Any) -> list[KonaWeekday] | None:
    # Documented as one integer; a list is accepted too, in case Kona sends several days.
    days = [enum_or_none(KonaWeekday)(item) for item in (value if isinstance(value, list) else [value])]
    found = [day for day in days if day is not None]
    return found or None


@strawberry.type(
    description="A record outside Kona that a calendar event links to, as that event stores it: its "
    "global id is the event's link, so two events linking one record may show different names."
)
class KonaExternalObject(Node):
    external_id: str = strawberry.field(description="The record's id in its own system.")
    name: str | None = strawberry.field(description="The name shown for the record.")
    url: str | None = strawberry.field(description="A link to the record, when given.")


#: `KonaCalendarEvent.space` and `.creator`, from the request's loaders of spaces and of users.
SPACE_OF_EVENT: BatchedLoad[KonaCalendarEvent, Context, JSONObject, KonaSpace] = BatchedLoad(
    key=lambda event: event.space_id,
    loader=lambda context: context.loaders.get(SPACES, context.client(kona.SPEC).load_spaces),
    convert=KonaSpace.from_upstream,
)
CREATOR_OF_EVENT: BatchedLoad[KonaCalendarEvent, Context, JSONObject, KonaUser] = BatchedLoad(
    key=lambda event: event.creator_id,
    loader=lambda context: context.loaders.get(USERS, context.client(kona.SPEC).load_users),
    convert=KonaUser.from_upstream,
)


@strawberry.type(
    description="A calendar event in a Kona space, with every field of Kona's calendar event resource. "
    "Kona stores UTC instants; `timezone` is the account's zone (`KONA_TIMEZONE`), in which all-day "
    "events' days are read. A recurring series is one object per occurrence, sharing `seriesId` and "
    "`series.id`; an occurrence Kona computes from its series' rule rather than stores has the series' "
    "Kona id as `providerId` and its own global id. `konaCalendarEvents` lists what Kona stores; the "
    "federated `events` query shows every occurrence. `url` is null: Kona documents no web page for an "
    "event (`href` is its API address). `status` follows the clock (SCHEDULED before `startAt`, LIVE "
    "until `endAt`, ENDED after): Kona's own status, `konaStatus`, tracks the work's progress, not the "
    "event's."
)
class KonaCalendarEvent(Event):
    name: str | None = strawberry.field(
        description="The event's name as Kona sent it (`title` is the same, or empty when there is none)."
    )
    href: str | None = strawberry.field(
        description="The event's address in the Kona API (for programs, not people: `url` is null, as Kona "
        "documents no web page for an event)."
    )
    details: str | None = strawberry.field(description="Notes on the event (same as `description`).")
    start_at: datetime | None = strawberry.field(
        description="Start as Kona stores it (UTC; `startsAt` is the same, but for all-day events the "
        "local midnight of `startDate`)."
    )
    end_at: datetime | None = strawberry.field(
        description="End as Kona stores it (UTC; an all-day event's last day ends at 23:59:59.999 local "
        "time, where `endsAt` is the following midnight)."
    )
    space_id: int | None = strawberry.field(description="Id of the Kona space; see `space`.")
    creator_id: int | None = strawberry.field(
        description="Id of the Kona user who created it; see `creator`."
    )
    kona_status: KonaEventStatus | None = strawberry.field(
        description="Kona's own status: the progress of the work the event stands for."
    )
    visibility: KonaVisibility | None = strawberry.field(description="Who can see the event.")
    stakeholder: KonaStakeholder | None = strawberry.field(description="Whom the event concerns.")
    default_role: KonaDefaultRole | None = strawberry.field(
        description="What participants may do with the event."
    )
    tags: list[str] = strawberry.field(description="Kona's tags on the event (read-only).")
    created_at: datetime | None = strawberry.field(description="When the event was created in Kona.")
    updated_at: datetime | None = strawberry.field(description="When Kona last changed the event.")
    ics_feed_id: int | None = strawberry.field(description="The calendar feed it was imported from, if any.")
    series_id: int | None = strawberry.field(
        description="Recurring events: the Kona id of the series' first instance (null otherwise)."
    )
    num_in_series: int | None = strawberry.field(
        description="Recurring events: which instance this is, from 1. "
        "Fetch another with `konaCalendarEvent(id:, numInSeries:)`."
    )
    period: KonaPeriod | None = strawberry.field(description="Recurring events: the repeat unit.")
    frequency: KonaFrequency | None = strawberry.field(description="Recurring events: every how many units.")
    sel_days: list[KonaWeekday] | None = strawberry.field(
        description="Recurring events: the weekday(s) it falls on."
    )
    series_end_at: datetime | None = strawberry.field(description="Recurring events: when the series stops.")
    external_object: KonaExternalObject | None = strawberry.field(
        description="The outside record this event is linked to, if any."
    )

    @strawberry.field(
        description="The space the event belongs to (batched per request).", metadata=SPACE_OF_EVENT.metadata
    )
    async def space(self, info: Info) -> KonaSpace | None:
        return await SPACE_OF_EVENT.resolve(self, info.context)

    @strawberry.field(
        description="The user who created the event (batched per request).",
        metadata=CREATOR_OF_EVENT.metadata,
    )
    async def creator(self, info: Info) -> KonaUser | None:
        return await CREATOR_OF_EVENT.resolve(self, info.context)

    @classmethod
    def from_upstream(
        cls, data: JSONObject, zone: ZoneInfo = UTC_ZONE, now: datetime | None = None
    ) -> KonaCalendarEvent:
        """A view of Kona's calendar event object (inside the `calendar_events` envelope); `zone` is
        the account's (`KONA_TIMEZONE`); `status` is read at `now` (default: when first asked).

        UPSTREAM_ERROR when it has no usable id; other fields of the wrong type read as absent.
        """
        event_id = required_id(data, "id", title="Kona", what="a calendar event", provider=kona.NAME)
        return KonaCalendarEventView(data, event_id, zone, now)


class KonaCalendarEventView(SpannedEventView, KonaCalendarEvent):
    """`KonaCalendarEvent` over Kona's decoded event: each field computed on first read (`schema.views`)."""

    provider = Provider.KONA
    url = None

    def __init__(self, data: JSONObject, event_id: str, zone: ZoneInfo, now: datetime | None) -> None:
        self.data = data
        self.provider_id = event_id
        self.zone = zone
        self.timezone = zone.key
        self.now = now

    @lazy
    def id_parts(self) -> tuple[str, ...]:
        occurrence = computed_occurrence(self.data)
        return (self.provider_id,) if occurrence is None else (self.provider_id, str(occurrence))

    @lazy
    def title(self) -> str:
        return self.name or ""

    @lazy
    def span(self) -> Span:
        """`startsAt`, `endsAt`, `startDate`, `endDate`, computed together."""
        return _span(self.start_at, self.end_at, self.zone, all_day=self.all_day)

    @lazy
    def series(self) -> EventSeries | None:
        return event_series(series_facts(self.data))

    @lazy
    def external_object(self) -> KonaExternalObject | None:
        return _external(self.provider_id, self.data.get("external_object"))

    all_day = read("all_day", lambda value: value is True)
    name = read("name", text)
    details = read("details", text)
    description = same_as("details")
    href = read("href", text)
    location = read("location", text)
    start_at = read("start_at", from_ms)
    end_at = read("end_at", from_ms)
    space_id = read("space_id", kona_int)
    creator_id = read("creator_id", kona_int)
    kona_status = read("status", enum_or_none(KonaEventStatus))
    visibility = read("visibility", enum_or_none(KonaVisibility))
    stakeholder = read("stakeholder", enum_or_none(KonaStakeholder))
    default_role = read("default_role", enum_or_none(KonaDefaultRole))
    tags = read("tags", texts)
    created_at = read("created_at", from_ms)
    updated_at = read("updated_at", from_ms)
    ics_feed_id = read("ics_feed_id", kona_int)
    series_id = read("series_id", kona_int)
    num_in_series = read("num_in_series", kona_int)
    period = read("period", enum_or_none(KonaPeriod))
    frequency = read("frequency", enum_or_none(KonaFrequency))
    sel_days = read("sel_days", _weekdays)
    series_end_at = read("series_end_at", from_ms)


def _external(event_id: str, value: Any) -> KonaExternalObject | None:
    if not isinstance(value, dict):
        return None
    external_id, name = text(value.get("id")), text(value.get("name"))
    if external_id is None or name is None:
        return None
    return KonaExternalObject(
        id=strawberry.ID(encode_id(kona.NAME, event_id, kind=EXTERNAL_KIND)),
        external_id=external_id,
        name=name,
        url=text(value.get("url")),
    )


def _span(
    start_at: datetime | None, end_at: datetime | None, zone: ZoneInfo, *, all_day: bool
) -> tuple[datetime | None, datetime | None, date | None, date | None]:
    """`startsAt`, `endsAt`, `startDate`, `endDate`: an all-day event's local days in `zone` and the
    midnights bounding them (Kona stores local midnight to 23:59:59.999 of the last day)."""
    if not all_day or start_at is None:
        return start_at, end_at, None, None
    first, last = all_day_span(start_at, end_at, zone)
    starts_at, ends_at = day_bounds(first, last, zone)
    return starts_at, ends_at, first, last
