"""Strigo's GraphQL shape: `StrigoEvent` with every native attribute, read lazily from Strigo's event."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import strawberry

from gateway.execution.batched import BatchedLoad
from gateway.ids import encode_id
from gateway.instants import parse_instant
from gateway.providers import strigo
from gateway.providers.base import JSONObject
from gateway.request.context import Context, Info
from gateway.upstream.values import enum_or_none, flag, required_id, text, texts, upstream_id
from schema.event import Event, EventStatus, Node, Provider
from schema.local_days import zone_named
from schema.scalars import JSON, as_json
from schema.views import EventView, lazy, read, same_as

UTC_ZONE = ZoneInfo("UTC")

#: The per-request loaders of classes (`GET /classes[/{id}]`) and of org members (`GET /members`).
CLASSES = "strigo.classes"
MEMBERS = "strigo.members"
#: The kinds in the global ids of Strigo's objects other than events.
CLASS_KIND, OWNER_KIND = "class", "owner"


@strawberry.enum(description="Who may join a Strigo event.")
class StrigoAvailability(Enum):
    PUBLIC = strawberry.enum_value("public", description="Anyone with the event's link.")
    PRIVATE = strawberry.enum_value("private", description="Only the invited learners (`trainees`).")


@strawberry.type(description="The org member hosting a Strigo event (one of the org's `/members`).")
class StrigoOwner(Node):
    provider_id: str = strawberry.field(description="Strigo's member id (17 characters).")
    email: str | None = strawberry.field(description="The member's email address.")

    @classmethod
    def of(cls, member_id: str, email: str | None) -> StrigoOwner:
        """The owner with Strigo's member id `member_id`."""
        return cls(
            id=strawberry.ID(encode_id(strigo.NAME, member_id, kind=OWNER_KIND)),
            provider_id=member_id,
            email=email,
        )

    @classmethod
    def from_upstream(cls, data: JSONObject) -> StrigoOwner:
        """Build from an event's `owner` or a `/members` item (UPSTREAM_ERROR when it has no usable id)."""
        member_id = required_id(data, "id", title="Strigo", what="a member", provider=strigo.NAME)
        return cls.of(member_id, text(data.get("email")))


@strawberry.type(description="A Strigo class: the template an event is based on.")
class StrigoClass(Node):
    provider_id: str = strawberry.field(description="Strigo's class id (17 characters).")
    name: str | None = strawberry.field(description="The class's name.")
    description: str | None = strawberry.field(description="What the class teaches, when given.")
    labels: list[str] = strawberry.field(description="Labels applied to the class.")
    raw: JSON = strawberry.field(description="The upstream object exactly as received.")

    @classmethod
    def from_upstream(cls, data: JSONObject) -> StrigoClass:
        """Build from Strigo's class object (UPSTREAM_ERROR when it has no usable id)."""
        class_id = required_id(data, "id", title="Strigo", what="a class", provider=strigo.NAME)
        return cls(
            id=strawberry.ID(encode_id(strigo.NAME, class_id, kind=CLASS_KIND)),
            provider_id=class_id,
            name=text(data.get("name")),
            description=text(data.get("description")),
            labels=texts(data.get("labels")),
            raw=as_json(data),
        )


#: `StrigoEvent.class`: the event's class, from the request's loader of classes.
CLASS_OF_EVENT: BatchedLoad[StrigoEvent, Context, JSONObject, StrigoClass] = BatchedLoad(
    key=lambda event: event.class_id or None,
    loader=lambda context: context.loaders.get(CLASSES, context.client(strigo.SPEC).load_classes),
    convert=StrigoClass.from_upstream,
)


@strawberry.type(
    description="A live training event in Strigo, with every attribute of Strigo's event resource. "
    "`status`: `ready` is SCHEDULED, `live` LIVE, `cancelled` CANCELLED, any other Strigo status ENDED "
    "(Strigo's other states are its finished ones), none UNKNOWN. `timezone` is the event's own when "
    "Strigo's reply names one, else the gateway's `STRIGO_TIMEZONE` (Strigo takes a zone on writes but "
    "does not send it back). `url` is `eventLink`, the page attendees open. Strigo has no all-day events "
    "and no recurrence."
)
class StrigoEvent(Event):
    event_link: str | None = strawberry.field(description="Link attendees use to join.")
    token: str | None = strawberry.field(description="The event's public access token.")
    class_id: str | None = strawberry.field(description="Id of the class the event is based on.")
    owner: StrigoOwner | None = strawberry.field(
        description="The org member hosting the event (null if Strigo sent none, or one without an id)."
    )
    name: str | None = strawberry.field(
        description="The event's name as Strigo sent it (`title` is the same, or empty when there is none)."
    )
    availability: StrigoAvailability | None = strawberry.field(description="Public or private.")
    date_start: datetime | None = strawberry.field(
        description="Start as Strigo sends it (same as `startsAt`)."
    )
    date_end: datetime | None = strawberry.field(description="End as Strigo sends it (same as `endsAt`).")
    include_chat: bool | None = strawberry.field(description="Whether the event includes chat.")
    include_video: bool | None = strawberry.field(description="Whether the event includes video.")
    include_lab_exercises: bool | None = strawberry.field(
        description="Whether the class template's lab exercises are part of the event."
    )
    is_recorded: bool | None = strawberry.field(description="Whether the event is recorded.")
    tas: list[str] = strawberry.field(description="Teaching assistants, as Strigo lists them.")
    trainees: list[str] = strawberry.field(description="Learners invited to a private event.")
    strigo_status: str | None = strawberry.field(
        description="Strigo's own status string: `ready` (may be deleted), `live` (cannot be modified), or "
        "a finished state; kept verbatim because Strigo does not document the full list."
    )
    partner_id: str | None = strawberry.field(description="The partner entity the event belongs to, if any.")
    labels: list[str] = strawberry.field(description="Labels applied to the event.")

    @strawberry.field(
        name="class",
        description="The class this event is based on (batched per request).",
        metadata=CLASS_OF_EVENT.metadata,
    )
    async def class_(self, info: Info) -> StrigoClass | None:
        return await CLASS_OF_EVENT.resolve(self, info.context)

    @classmethod
    def from_upstream(cls, data: JSONObject, zone: ZoneInfo = UTC_ZONE) -> StrigoEvent:
        """A view of Strigo's event object (inside the `data` envelope); `zone` is `STRIGO_TIMEZONE`.

        UPSTREAM_ERROR when it has no usable id; other fields of the wrong type read as absent.
        """
        event_id = required_id(data, "id", title="Strigo", what="an event", provider=strigo.NAME)
        return StrigoEventView(data, event_id, zone)


class StrigoEventView(EventView, StrigoEvent):
    """`StrigoEvent` over Strigo's decoded event: each field computed on its first read (`schema.views`)."""

    provider = Provider.STRIGO
    all_day = False
    start_date = None
    end_date = None
    location = None
    series = None

    def __init__(self, data: JSONObject, event_id: str, zone: ZoneInfo) -> None:
        super().__init__(data, event_id)
        self.default_zone = zone

    @lazy
    def title(self) -> str:
        return self.name or ""

    @lazy
    def timezone(self) -> str | None:
        return (zone_named(self.data.get("timezone")) or self.default_zone).key

    @lazy
    def status(self) -> EventStatus:
        return normalised_status(self.strigo_status)

    @lazy
    def owner(self) -> StrigoOwner | None:
        return _owner(self.data.get("owner"))

    name = read("name", text)
    availability = read("availability", enum_or_none(StrigoAvailability))
    description = read("description", text)
    starts_at = read("date_start", parse_instant)
    ends_at = read("date_end", parse_instant)
    date_start = same_as("starts_at")
    date_end = same_as("ends_at")
    event_link = read("event_link", text)
    url = same_as("event_link")
    token = read("token", text)
    class_id = read("class_id", upstream_id)
    include_chat = read("include_chat", flag)
    include_video = read("include_video", flag)
    include_lab_exercises = read("include_lab_exercises", flag)
    is_recorded = read("is_recorded", flag)
    tas = read("tas", texts)
    trainees = read("trainees", texts)
    strigo_status = read("status", text)
    partner_id = read("partner_id", text)
    labels = read("labels", texts)


def normalised_status(status: str | None) -> EventStatus:
    """`Event.status` from Strigo's status string (see `StrigoEvent`'s description)."""
    if not status:
        return EventStatus.UNKNOWN
    folded = status.casefold()
    if folded == "ready":
        return EventStatus.SCHEDULED
    if folded == "live":
        return EventStatus.LIVE
    if folded in ("cancelled", "canceled"):
        return EventStatus.CANCELLED
    return EventStatus.ENDED


def _owner(value: Any) -> StrigoOwner | None:
    member_id = upstream_id(value.get("id")) if isinstance(value, dict) else None
    return None if member_id is None else StrigoOwner.of(member_id, text(value.get("email")))
