"""Kona's GraphQL output: `KonaCalendarEvent` with every native field, its enums and translations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

import strawberry

from gateway.errors import MalformedItem
from gateway.ids import encode_id
from gateway.instants import from_epoch_ms
from gateway.providers import kona
from gateway.providers.base import JSONObject
from gateway.request.context import Info
from gateway.upstream.values import flag, integer, required_id, text, texts
from schema.event import Event, Provider
from schema.scalars import JSON, as_json

E = TypeVar("E", bound=Enum)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


@strawberry.enum(description="Progress of a Kona calendar event.")
class KonaEventStatus(Enum):
    PENDING = 0
    IN_PROGRESS = strawberry.enum_value(1, description="Kona's default for new events.")
    COMPLETE = 2
    GROUP_CLOSED = 3
    GROUP_REOPENED = 4


@strawberry.enum(description="Who can see a Kona calendar event.")
class KonaVisibility(Enum):
    PARTICIPANTS_ONLY = strawberry.enum_value(1, description="Only its creator, participants and editors.")
    PUBLIC = strawberry.enum_value(2, description="Everyone in the space (Kona's default).")


@strawberry.enum(description="Whom a Kona calendar event concerns.")
class KonaStakeholder(Enum):
    JUST_ME = 0
    GROUP = strawberry.enum_value(1, description="Kona's default.")
    EVERYONE = strawberry.enum_value(2, description="The account's 'Everyone' group.")


@strawberry.enum(description="What participants may do with a Kona calendar event.")
class KonaDefaultRole(Enum):
    EDITOR = strawberry.enum_value(1, description="Everyone may change it (Kona's default).")
    VIEWER = strawberry.enum_value(2, description="Only the creator and `editorIds` may change it.")
    COLLABORATION_COMPLETE = strawberry.enum_value(3, description="Locked like VIEWER; work is done.")


@strawberry.enum(description="How often a recurring Kona event repeats (with `frequency`).")
class KonaPeriod(Enum):
    NONE = 0
    DAY = 1
    WEEK = 2
    MONTH = 3
    YEAR = 4
    WEEKDAY = 5


@strawberry.enum(description="Every how many periods a recurring Kona event repeats.")
class KonaFrequency(Enum):
    NONE = 0
    EVERY = 1
    EVERY_OTHER = 2
    EVERY_THIRD = 3


@strawberry.enum(description="A day of the week, as Kona numbers them (Sunday is 0).")
class KonaWeekday(Enum):
    SUNDAY = 0
    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6


@strawberry.enum(description="Sort orders Kona offers for calendar event lists; both are newest first.")
class KonaOrder(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.enum(description="Kind of Kona space.")
class KonaSpaceCategory(Enum):
    PERSONAL = 0
    WORK = 1


@strawberry.enum(description="How a Kona space was set up.")
class KonaSpaceType(Enum):
    STANDARD = 0
    DEFAULT = 1
    ACCOUNT_DEFAULT = 2
    OPEN = 3


def from_ms(value: Any) -> datetime | None:
    """A Kona epoch-millisecond timestamp as a UTC datetime; None when absent or out of range."""
    return from_epoch_ms(value)


def to_ms(moment: datetime) -> int:
    """A datetime as Kona's epoch milliseconds (what the gateway always sends)."""
    return (moment - _EPOCH) // _MS


def _enum(kind: type[E], value: Any) -> E | None:
    if integer(value) is None and not isinstance(value, str):
        return None
    try:
        return kind(value)
    except ValueError:
        return None  # a code Kona added after its docs: the integer stays visible in `raw`


def _int(value: Any) -> int | None:
    # GraphQL's Int is 32 bits: anything larger (or negative) is not a Kona id or count.
    return integer(value, minimum=0, maximum=2**31 - 1)


def _id(data: JSONObject, what: str) -> int:
    found = _int(data.get("id"))
    if found is None:
        raise MalformedItem("Kona", what, "id", provider=kona.NAME)
    return found


def _weekdays(value: Any) -> list[KonaWeekday] | None:
    # Documented as one integer; a list is accepted too, in case Kona sends several days.
    days = [_enum(KonaWeekday, item) for item in (value if isinstance(value, list) else [value])]
    found = [day for day in days if day is not None]
    return found or None


@strawberry.type(description="A Kona user (the creator of an event).")
class KonaUser:
    id: int
    name: str | None
    email: str | None
    picture_thumb: str | None = strawberry.field(description="URL of a small avatar image.")
    updated_at: datetime | None
    href: str | None = strawberry.field(description="The user's URL in the Kona API.")
    raw: JSON = strawberry.field(description="The upstream object exactly as received.")

    @classmethod
    def from_upstream(cls, data: JSONObject) -> KonaUser:
        """Build from Kona's user object (UPSTREAM_ERROR when it has no usable id)."""
        return cls(
            id=_id(data, "a user"),
            name=text(data.get("name")),
            email=text(data.get("email")),
            picture_thumb=text(data.get("picture_thumb")),
            updated_at=from_ms(data.get("updated_at")),
            href=text(data.get("href")),
            raw=as_json(data),
        )


@strawberry.type(description="A Kona space: the team or project area an event belongs to.")
class KonaSpace:
    id: int
    name: str | None
    details: str | None
    welcome_message: str | None
    account_id: int | None
    category: KonaSpaceCategory | None
    space_type: KonaSpaceType | None
    template: bool | None
    published: bool | None
    picture_thumb: str | None = strawberry.field(description="URL of a small picture of the space.")
    updated_at: datetime | None
    href: str | None = strawberry.field(description="The space's URL in the Kona API.")
    raw: JSON = strawberry.field(description="The upstream object exactly as received.")

    @classmethod
    def from_upstream(cls, data: JSONObject) -> KonaSpace:
        """Build from Kona's space object (UPSTREAM_ERROR when it has no usable id)."""
        return cls(
            id=_id(data, "a space"),
            name=text(data.get("name")),
            details=text(data.get("details")),
            welcome_message=text(data.get("welcome_message")),
            account_id=_int(data.get("account_id")),
            category=_enum(KonaSpaceCategory, data.get("category")),
            space_type=_enum(KonaSpaceType, data.get("space_type")),
            template=flag(data.get("template")),
            published=flag(data.get("published")),
            picture_thumb=text(data.get("picture_thumb")),
            updated_at=from_ms(data.get("updated_at")),
            href=text(data.get("href")),
            raw=as_json(data),
        )


@strawberry.type(description="A record outside Kona that a calendar event links to.")
class KonaExternalObject:
    id: str
    name: str
    url: str | None


@strawberry.type(
    description="A calendar event in a Kona space, with every field of Kona's calendar event resource. "
    "Times are UTC. Recurring events are one object per instance, sharing `seriesId`."
)
class KonaCalendarEvent(Event):
    name: str = strawberry.field(description="The event's name (same as `title`).")
    href: str | None = strawberry.field(description="The event's URL in the Kona API (same as `url`).")
    location: str | None
    details: str | None = strawberry.field(description="Notes on the event (same as `description`).")
    start_at: datetime | None = strawberry.field(description="Start (same as `startsAt`).")
    end_at: datetime | None = strawberry.field(description="End (same as `endsAt`).")
    space_id: int | None = strawberry.field(description="Id of the Kona space; see `space`.")
    creator_id: int | None = strawberry.field(
        description="Id of the Kona user who created it; see `creator`."
    )
    status: KonaEventStatus | None
    visibility: KonaVisibility | None
    stakeholder: KonaStakeholder | None
    default_role: KonaDefaultRole | None
    tags: list[str]
    created_at: datetime | None
    updated_at: datetime | None
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

    @strawberry.field(description="The space the event belongs to (batched per request).")
    async def space(self, info: Info) -> KonaSpace | None:
        if self.space_id is None:
            return None
        client = info.context.client(kona.SPEC)
        data = await info.context.loaders.get("kona.spaces", client.load_spaces).load(self.space_id)
        return None if data is None else KonaSpace.from_upstream(data)

    @strawberry.field(description="The user who created the event (batched per request).")
    async def creator(self, info: Info) -> KonaUser | None:
        if self.creator_id is None:
            return None
        client = info.context.client(kona.SPEC)
        data = await info.context.loaders.get("kona.users", client.load_users).load(self.creator_id)
        return None if data is None else KonaUser.from_upstream(data)

    @classmethod
    def from_upstream(cls, data: JSONObject) -> KonaCalendarEvent:
        """Build from Kona's calendar event object (inside the `calendar_events` envelope).

        UPSTREAM_ERROR when it has no usable id; other fields of the wrong type read as absent.
        """
        event_id = required_id(data, "id", title="Kona", what="a calendar event", provider=kona.NAME)
        starts_at, ends_at = from_ms(data.get("start_at")), from_ms(data.get("end_at"))
        all_day = data.get("all_day") is True
        start_date, end_date = _days(starts_at, ends_at) if all_day else (None, None)
        name = text(data.get("name")) or ""
        details, href = text(data.get("details")), text(data.get("href"))
        return cls(
            id=strawberry.ID(encode_id(kona.NAME, event_id)),
            provider=Provider.KONA,
            provider_id=event_id,
            title=name,
            description=details,
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=None,
            all_day=all_day,
            start_date=start_date,
            end_date=end_date,
            url=href,
            raw=as_json(data),
            name=name,
            href=href,
            location=text(data.get("location")),
            details=details,
            start_at=starts_at,
            end_at=ends_at,
            space_id=_int(data.get("space_id")),
            creator_id=_int(data.get("creator_id")),
            status=_enum(KonaEventStatus, data.get("status")),
            visibility=_enum(KonaVisibility, data.get("visibility")),
            stakeholder=_enum(KonaStakeholder, data.get("stakeholder")),
            default_role=_enum(KonaDefaultRole, data.get("default_role")),
            tags=texts(data.get("tags")),
            created_at=from_ms(data.get("created_at")),
            updated_at=from_ms(data.get("updated_at")),
            ics_feed_id=_int(data.get("ics_feed_id")),
            series_id=_int(data.get("series_id")),
            num_in_series=_int(data.get("num_in_series")),
            period=_enum(KonaPeriod, data.get("period")),
            frequency=_enum(KonaFrequency, data.get("frequency")),
            sel_days=_weekdays(data.get("sel_days")),
            series_end_at=from_ms(data.get("series_end_at")),
            external_object=_external(data.get("external_object")),
        )


def _external(value: Any) -> KonaExternalObject | None:
    if not isinstance(value, dict):
        return None
    external_id, name = text(value.get("id")), text(value.get("name"))
    if external_id is None or name is None:
        return None
    return KonaExternalObject(id=external_id, name=name, url=text(value.get("url")))


def _days(starts_at: datetime | None, ends_at: datetime | None) -> tuple[date | None, date | None]:
    """UTC calendar days of an all-day event; the end day is the last day it covers."""
    if starts_at is None:
        return None, None
    # Kona's whole days end at 23:59:59.999; one ending exactly at midnight does not cover that day.
    last = ends_at - _MS if ends_at is not None and ends_at > starts_at else starts_at
    return starts_at.date(), last.date()
