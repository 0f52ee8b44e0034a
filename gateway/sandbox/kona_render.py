"""Kona emulator rendering: the JSON of calendar events, users and spaces, with hrefs under the mount."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.sandbox.kona_state import ACCOUNT_ID, CalendarEvent, Space, User


def api_root(request: web.Request) -> str:
    """`http://host[:port][/mount]/api`, so hrefs work wherever the sub-app is mounted."""
    index = request.path.find("/api/")
    mount = request.path[:index] if index > 0 else ""
    return f"{request.url.origin()}{mount}/api"


def event_json(event: CalendarEvent, root: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": event.id,
        "name": event.name,
        "href": f"{root}/calendar_events/{event.id}",
        "location": event.location,
        "details": event.details,
        "all_day": event.all_day,
        "start_at": event.start_at,
        "end_at": event.end_at,
        "space_id": event.space_id,
        "creator_id": event.creator_id,
        "status": event.status,
        "visibility": event.visibility,
        "stakeholder": event.stakeholder,
        "default_role": event.default_role,
        "tags": list(event.tags),
        "updated_at": event.updated_at,
        "created_at": event.created_at,
        "ics_feed_id": event.ics_feed_id,
        "external_object": event.external_object,
    }
    if event.series_id is not None:
        data |= {
            "series_id": event.series_id,
            "num_in_series": event.num_in_series,
            "period": event.period,
            "frequency": event.frequency,
            "sel_days": event.sel_days,
            "series_end_at": event.series_end_at,
        }
    return data


def _picture(kind: str, ident: int) -> str:
    return f"https://io.kona.com/images/{kind}/{ident}/thumb.png"


def user_json(user: User, root: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "picture_thumb": _picture("users", user.id),
        "updated_at": user.updated_at,
        "href": f"{root}/users/{user.id}",
    }


def space_json(space: Space, root: str, *, participants: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": space.id,
        "name": space.name,
        "href": f"{root}/spaces/{space.id}",
        "account_id": ACCOUNT_ID,
        "details": space.details,
        "welcome_message": space.welcome_message,
        "updated_at": space.updated_at,
        "picture_thumb": _picture("spaces", space.id),
        "category": space.category,
        "space_type": space.space_type,
        "template": False,
        "published": False,
    }
    if participants:
        data["participants"] = [
            {"user_id": user_id, "role": role, "status": 1, "updated_at": space.updated_at}
            for user_id, role in space.members
        ]
    return data
