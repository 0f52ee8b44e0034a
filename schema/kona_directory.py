"""Kona's spaces and users (`KonaSpace`, `KonaUser`), and the readers of Kona's coded values they share
with its calendar events."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from gateway.errors import MalformedItem
from gateway.ids import encode_id
from gateway.instants import from_epoch_ms
from gateway.providers import kona
from gateway.providers.base import JSONObject
from gateway.upstream.values import enum_or_none, flag, integer, text
from schema.event import Node
from schema.scalars import JSON, as_json

#: The per-request loaders of spaces and users (`GET /spaces/{id}`, `GET /users/{id}`).
SPACES = "kona.spaces"
USERS = "kona.users"
#: The kinds in the global ids of Kona's spaces and users.
SPACE_KIND, USER_KIND = "space", "user"


def from_ms(value: Any) -> datetime | None:
    """A Kona epoch-millisecond timestamp as a UTC datetime; None when absent or out of range."""
    return from_epoch_ms(value)


def kona_int(value: Any) -> int | None:
    """A Kona id or count; None when absent or out of range."""
    # GraphQL's Int is 32 bits: anything larger (or negative) is not a Kona id or count.
    return integer(value, minimum=0, maximum=2**31 - 1)


def kona_id(data: JSONObject, what: str) -> int:
    """The object's Kona id, or UPSTREAM_ERROR (an object the gateway cannot identify)."""
    found = kona_int(data.get("id"))
    if found is None:
        raise MalformedItem("Kona", what, "id", provider=kona.NAME)
    return found


@strawberry.enum(description="Kind of Kona space.")
class KonaSpaceCategory(Enum):
    PERSONAL = strawberry.enum_value(0, description="A personal space (Kona's `personal`, 0).")
    WORK = strawberry.enum_value(1, description="A work space (Kona's `work`, 1; its default).")


@strawberry.enum(description="How a Kona space was set up.")
class KonaSpaceType(Enum):
    STANDARD = strawberry.enum_value(0, description="Kona's `standard` space type (0).")
    DEFAULT = strawberry.enum_value(1, description="Kona's `default` space type (1).")
    ACCOUNT_DEFAULT = strawberry.enum_value(2, description="Kona's `account_default` space type (2).")
    OPEN = strawberry.enum_value(3, description="Kona's `open` space type (3).")


@strawberry.type(description="A Kona user (the creator of an event).")
class KonaUser(Node):
    provider_id: str = strawberry.field(description="Kona's numeric user id, as text.")
    name: str | None = strawberry.field(description="The user's display name.")
    email: str | None = strawberry.field(description="The user's email address.")
    picture_thumb: str | None = strawberry.field(description="URL of a small avatar image.")
    updated_at: datetime | None = strawberry.field(description="When Kona last changed the user.")
    href: str | None = strawberry.field(description="The user's URL in the Kona API.")
    raw: JSON = strawberry.field(description="The upstream object exactly as received.")

    @classmethod
    def from_upstream(cls, data: JSONObject) -> KonaUser:
        """Build from Kona's user object (UPSTREAM_ERROR when it has no usable id)."""
        user_id = kona_id(data, "a user")
        return cls(
            id=strawberry.ID(encode_id(kona.NAME, user_id, kind=USER_KIND)),
            provider_id=str(user_id),
            name=text(data.get("name")),
            email=text(data.get("email")),
            picture_thumb=text(data.get("picture_thumb")),
            updated_at=from_ms(data.get("updated_at")),
            href=text(data.get("href")),
            raw=as_json(data),
        )


@strawberry.type(description="A Kona space: the team or project area an event belongs to.")
class KonaSpace(Node):
    provider_id: str = strawberry.field(description="Kona's numeric space id, as text.")
    name: str | None = strawberry.field(description="The space's name.")
    details: str | None = strawberry.field(description="The space's description.")
    welcome_message: str | None = strawberry.field(description="The message new members see.")
    account_id: int | None = strawberry.field(description="The Kona account the space belongs to.")
    category: KonaSpaceCategory | None = strawberry.field(description="Personal or work space.")
    space_type: KonaSpaceType | None = strawberry.field(description="How the space was set up.")
    template: bool | None = strawberry.field(description="Whether the space is a template for others.")
    published: bool | None = strawberry.field(description="Whether the space is published.")
    picture_thumb: str | None = strawberry.field(description="URL of a small picture of the space.")
    updated_at: datetime | None = strawberry.field(description="When Kona last changed the space.")
    href: str | None = strawberry.field(description="The space's URL in the Kona API.")
    raw: JSON = strawberry.field(description="The upstream object exactly as received.")

    @classmethod
    def from_upstream(cls, data: JSONObject) -> KonaSpace:
        """Build from Kona's space object (UPSTREAM_ERROR when it has no usable id)."""
        space_id = kona_id(data, "a space")
        return cls(
            id=strawberry.ID(encode_id(kona.NAME, space_id, kind=SPACE_KIND)),
            provider_id=str(space_id),
            name=text(data.get("name")),
            details=text(data.get("details")),
            welcome_message=text(data.get("welcome_message")),
            account_id=kona_int(data.get("account_id")),
            category=enum_or_none(KonaSpaceCategory)(data.get("category")),
            space_type=enum_or_none(KonaSpaceType)(data.get("space_type")),
            template=flag(data.get("template")),
            published=flag(data.get("published")),
            picture_thumb=text(data.get("picture_thumb")),
            updated_at=from_ms(data.get("updated_at")),
            href=text(data.get("href")),
            raw=as_json(data),
        )
