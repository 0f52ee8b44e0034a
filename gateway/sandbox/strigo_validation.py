"""Strigo emulator validation: POST/PATCH event bodies field by field, cross-field rules, applying them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.sandbox.strigo_http import ValidationIssue
from gateway.sandbox.strigo_state import Event, Member, StrigoState

_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

CAPTIONS_LANGUAGES: Final = frozenset(
    {
        "ar-SA", "de-DE", "en-AU", "en-GB", "en-US", "es-ES", "es-MX", "fr-CA", "fr-FR", "he-IL",
        "hi-IN", "it-IT", "ja-JP", "ko-KR", "nl-NL", "pl-PL", "pt-BR", "pt-PT", "ru-RU", "sv-SE",
        "tr-TR", "uk-UA", "zh-CN", "zh-TW",
    }
)  # fmt: skip
AVAILABILITIES: Final = ("public", "private")


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
