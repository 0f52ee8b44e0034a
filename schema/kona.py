"""Kona's GraphQL output: `KonaCalendarEvent` with every native field, its enums and translations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

import strawberry

from gateway.context import Info
from gateway.ids import encode_id
from gateway.providers import kona
from gateway.providers.base import JSONObject
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
    """A Kona epoch-millisecond timestamp as a UTC datetime; None when absent."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return _EPOCH + timedelta(milliseconds=value)


def to_ms(moment: datetime) -> int:
    """A datetime as Kona's epoch milliseconds (what the gateway always sends)."""
    return (moment - _EPOCH) // _MS


def _enum(kind: type[E], value: Any) -> E | None:
    try:
        return None if isinstance(value, bool) else kind(value)
    except ValueError:
        return None  # a code Kona added after its docs: the integer stays visible in `raw`


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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
        """Build from Kona's user object."""
        return cls(
            id=int(data["id"]),
            name=data.get("name"),
            email=data.get("email"),
            picture_thumb=data.get("picture_thumb"),
            updated_at=from_ms(data.get("updated_at")),
            href=data.get("href"),
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
        """Build from Kona's space object."""
        return cls(
            id=int(data["id"]),
            name=data.get("name"),
            details=data.get("details"),
            welcome_message=data.get("welcome_message"),
            account_id=_int(data.get("account_id")),
            category=_enum(KonaSpaceCategory, data.get("category")),
            space_type=_enum(KonaSpaceType, data.get("space_type")),
            template=data.get("template"),
            published=data.get("published"),
            picture_thumb=data.get("picture_thumb"),
            updated_at=from_ms(data.get("updated_at")),
            href=data.get("href"),
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
        """Build from Kona's calendar event object (inside the `calendar_events` envelope)."""
        starts_at, ends_at = from_ms(data.get("start_at")), from_ms(data.get("end_at"))
        all_day = data.get("all_day") is True
        start_date, end_date = _days(starts_at, ends_at) if all_day else (None, None)
        external = data.get("external_object")
        name = str(data.get("name") or "")
        return cls(
            id=strawberry.ID(encode_id(kona.NAME, data["id"])),
            provider=Provider.KONA,
            provider_id=str(data["id"]),
            title=name,
            description=data.get("details"),
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=None,
            all_day=all_day,
            start_date=start_date,
            end_date=end_date,
            url=data.get("href"),
            raw=as_json(data),
            name=name,
            href=data.get("href"),
            location=data.get("location"),
            details=data.get("details"),
            start_at=starts_at,
            end_at=ends_at,
            space_id=_int(data.get("space_id")),
            creator_id=_int(data.get("creator_id")),
            status=_enum(KonaEventStatus, data.get("status")),
            visibility=_enum(KonaVisibility, data.get("visibility")),
            stakeholder=_enum(KonaStakeholder, data.get("stakeholder")),
            default_role=_enum(KonaDefaultRole, data.get("default_role")),
            tags=[str(tag) for tag in data.get("tags") or []],
            created_at=from_ms(data.get("created_at")),
            updated_at=from_ms(data.get("updated_at")),
            ics_feed_id=_int(data.get("ics_feed_id")),
            series_id=_int(data.get("series_id")),
            num_in_series=_int(data.get("num_in_series")),
            period=_enum(KonaPeriod, data.get("period")),
            frequency=_enum(KonaFrequency, data.get("frequency")),
            sel_days=_weekdays(data.get("sel_days")),
            series_end_at=from_ms(data.get("series_end_at")),
            external_object=KonaExternalObject(
                id=str(external["id"]), name=str(external["name"]), url=external.get("url")
            )
            if isinstance(external, dict) and "id" in external and "name" in external
            else None,
        )


def _days(starts_at: datetime | None, ends_at: datetime | None) -> tuple[date | None, date | None]:
    """UTC calendar days of an all-day event; the end day is the last day it covers."""
    if starts_at is None:
        return None, None
    # Kona's whole days end at 23:59:59.999; one ending exactly at midnight does not cover that day.
    last = ends_at - _MS if ends_at is not None and ends_at > starts_at else starts_at
    return starts_at.date(), last.date()
