"""Strigo emulator state: members, classes and events with their JSON, fresh ids and tokens, `StrigoState`."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from aiohttp import web

from gateway.sandbox.strigo_limits import RateLimiter

EVENT_LINK_BASE: Final = "https://app.strigo.io/event/"

STATUS_READY: Final = "ready"
STATUS_LIVE: Final = "live"
STATUS_ENDED: Final = "ended"

# Meteor's Random.id() alphabet ("unmistakable chars"); Strigo ids are 17 of them.
_METEOR_CHARS: Final = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"
TOKEN_CHARS: Final = string.ascii_uppercase + string.digits


def meteor_id(rng: random.Random) -> str:
    return "".join(rng.choice(_METEOR_CHARS) for _ in range(17))


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
        while (candidate := meteor_id(self.rng)) in taken:
            pass
        return candidate

    def new_token(self) -> str:
        """A 4-character public access token like the docs' "9NX4"."""
        return "".join(self.rng.choice(TOKEN_CHARS) for _ in range(4))


STATE: Final = web.AppKey("strigo_state", StrigoState)


def iso(moment: datetime) -> str:
    """Strigo's date format: UTC, milliseconds, `Z` (e.g. `2018-09-20T11:00:00.000Z`)."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"
