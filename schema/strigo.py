"""Strigo's GraphQL shape: `StrigoEvent` with every native attribute, its inputs, and the translations."""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import strawberry

from gateway.ids import encode_id
from gateway.instants import parse_instant
from gateway.providers import strigo
from gateway.providers.base import JSONObject
from gateway.request.context import Info
from gateway.upstream.values import flag, required_id, text, texts, upstream_id
from schema.event import Event, EventStatus, Node, Provider
from schema.local_days import zone_named
from schema.scalars import JSON, as_json
from schema.validation import Problems

UTC_ZONE = ZoneInfo("UTC")
_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

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

    @strawberry.field(name="class", description="The class this event is based on (batched per request).")
    async def class_(self, info: Info) -> StrigoClass | None:
        if not self.class_id:
            return None
        client = info.context.client(strigo.SPEC)
        data = await info.context.loaders.get(CLASSES, client.load_classes).load(self.class_id)
        return None if data is None else StrigoClass.from_upstream(data)

    @classmethod
    def from_upstream(cls, data: JSONObject, zone: ZoneInfo = UTC_ZONE) -> StrigoEvent:
        """Build from Strigo's event object (inside the `data` envelope); `zone` is `STRIGO_TIMEZONE`.

        UPSTREAM_ERROR when it has no usable id; other fields of the wrong type read as absent.
        """
        event_id = required_id(data, "id", title="Strigo", what="an event", provider=strigo.NAME)
        availability = data.get("availability")
        starts_at = parse_instant(data.get("date_start"))
        ends_at = parse_instant(data.get("date_end"))
        name = text(data.get("name"))
        link = text(data.get("event_link"))
        status = text(data.get("status"))
        return cls(
            id=strawberry.ID(encode_id(strigo.NAME, event_id)),
            provider=Provider.STRIGO,
            provider_id=event_id,
            title=name or "",
            description=text(data.get("description")),
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=(zone_named(data.get("timezone")) or zone).key,
            all_day=False,
            start_date=None,
            end_date=None,
            url=link,
            location=None,
            status=normalised_status(status),
            raw=as_json(data),
            event_link=link,
            token=text(data.get("token")),
            class_id=upstream_id(data.get("class_id")),
            owner=_owner(data.get("owner")),
            name=name,
            availability=StrigoAvailability(availability) if availability in ("public", "private") else None,
            date_start=starts_at,
            date_end=ends_at,
            include_chat=flag(data.get("include_chat")),
            include_video=flag(data.get("include_video")),
            include_lab_exercises=flag(data.get("include_lab_exercises")),
            is_recorded=flag(data.get("is_recorded")),
            tas=texts(data.get("tas")),
            trainees=texts(data.get("trainees")),
            strigo_status=status,
            partner_id=text(data.get("partner_id")),
            labels=texts(data.get("labels")),
        )


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


@strawberry.input(description="A new Strigo event. Dates need a UTC offset.")
class CreateStrigoEventInput:
    name: str = strawberry.field(description="The event's name: not blank, at most 256 characters.")
    owner: str = strawberry.field(description="Email of the org member who hosts the event.")
    class_id: str = strawberry.field(description="Id of the class the event is based on.")
    date_start: datetime = strawberry.field(description="When it starts.")
    date_end: datetime = strawberry.field(description="When it ends: after `dateStart`.")
    description: str | None = strawberry.field(default=None, description="At most 65536 characters.")
    availability: StrigoAvailability | None = strawberry.field(
        default=None, description="Public or private (giving `trainees` makes it private)."
    )
    include_chat: bool | None = strawberry.field(default=None, description="Whether it includes chat.")
    include_video: bool | None = strawberry.field(default=None, description="Whether it includes video.")
    include_lab_exercises: bool | None = strawberry.field(
        default=None, description="Whether the class's lab exercises are part of it."
    )
    is_recorded: bool | None = strawberry.field(default=None, description="Whether it is recorded.")
    tas: list[str] | None = strawberry.field(default=None, description="Teaching assistants' emails.")
    trainees: list[str] | None = strawberry.field(
        default=None, description="Learners' emails; giving any makes the event private."
    )
    labels: list[str] | None = strawberry.field(default=None, description="Labels to apply to the event.")
    timezone: str | None = strawberry.field(
        default=None, description="IANA zone the dates are set in (Strigo's default: Etc/UTC)."
    )
    captions_language: str | None = strawberry.field(default=None, description="BCP-47 tag, e.g. `en-US`.")


@strawberry.input(
    description="Changes to a Strigo event; omitted fields stay as they are (only `description` may "
    "be cleared with null). Live events refuse."
)
class UpdateStrigoEventInput:
    name: strawberry.Maybe[str] = strawberry.field(description="A new name (not blank, at most 256).")
    owner: strawberry.Maybe[str] = strawberry.field(description="Email of the new host.")
    class_id: strawberry.Maybe[str] = strawberry.field(description="Id of another class.")
    date_start: strawberry.Maybe[datetime] = strawberry.field(description="A new start.")
    date_end: strawberry.Maybe[datetime] = strawberry.field(description="A new end, after the start.")
    description: strawberry.Maybe[str | None] = strawberry.field(
        description="A new description; null clears it."
    )
    availability: strawberry.Maybe[StrigoAvailability] = strawberry.field(description="Public or private.")
    include_chat: strawberry.Maybe[bool] = strawberry.field(description="Whether it includes chat.")
    include_video: strawberry.Maybe[bool] = strawberry.field(description="Whether it includes video.")
    include_lab_exercises: strawberry.Maybe[bool] = strawberry.field(
        description="Whether the class's lab exercises are part of it."
    )
    is_recorded: strawberry.Maybe[bool] = strawberry.field(description="Whether it is recorded.")
    tas: strawberry.Maybe[list[str]] = strawberry.field(description="Replaces the teaching assistants.")
    trainees: strawberry.Maybe[list[str]] = strawberry.field(description="Replaces the learners.")
    labels: strawberry.Maybe[list[str]] = strawberry.field(description="Replaces the labels.")
    timezone: strawberry.Maybe[str] = strawberry.field(description="IANA zone the dates are set in.")
    captions_language: strawberry.Maybe[str] = strawberry.field(description="BCP-47 tag, e.g. `en-US`.")


_WIRE_NAMES = {
    "name": "name", "owner": "owner", "class_id": "classId", "date_start": "dateStart", "date_end": "dateEnd",
    "description": "description", "availability": "availability", "include_chat": "includeChat",
    "include_video": "includeVideo", "include_lab_exercises": "includeLabExercises",
    "is_recorded": "isRecorded", "tas": "tas", "trainees": "trainees", "labels": "labels",
    "timezone": "timezone", "captions_language": "captionsLanguage",
}  # fmt: skip


def _wire(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _check(fields: dict[str, Any], *, creating: bool) -> None:
    problems = Problems("input")
    problems.text("name", fields.get("name"), max_length=256, required=creating or "name" in fields)
    problems.text("description", fields.get("description"), max_length=65536)
    problems.emails("owner", [fields["owner"]] if fields.get("owner") is not None else None)
    problems.emails("tas", fields.get("tas"))
    problems.emails("trainees", fields.get("trainees"))
    problems.timezone("timezone", fields.get("timezone"))
    language = fields.get("captions_language")
    if language is not None and not _BCP47.match(language):
        problems.add("captionsLanguage", f"{language!r} is not a BCP-47 language tag such as 'en-US'")
    problems.ordered("dateStart", fields.get("date_start"), "dateEnd", fields.get("date_end"))
    problems.check()


def create_body(data: CreateStrigoEventInput) -> JSONObject:
    """The `POST /events` body, after checking what Strigo's docs require."""
    fields = {name: getattr(data, name) for name in _WIRE_NAMES if getattr(data, name) is not None}
    _check(fields, creating=True)
    return {name: _wire(value) for name, value in fields.items()}


def update_body(data: UpdateStrigoEventInput) -> JSONObject:
    """The `PATCH /events/{id}` body: only the fields the caller gave."""
    fields = {name: given.value for name in _WIRE_NAMES if (given := getattr(data, name)) is not None}
    if "description" in fields and fields["description"] is None:
        fields["description"] = ""  # Strigo's description is a string: null means "clear it"
    _check(fields, creating=False)
    if not fields:
        problems = Problems()
        problems.add("input", "give at least one field to change")
        problems.check()
    return {name: _wire(value) for name, value in fields.items()}
