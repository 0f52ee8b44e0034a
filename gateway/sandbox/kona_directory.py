"""Kona emulator directory endpoints: the spaces, users and `/userinfo` that calendar events refer to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from aiohttp import web

from gateway.sandbox.kona_http import envelope, int_param, not_found, paginate, path_id
from gateway.sandbox.kona_render import api_root, space_json, user_json
from gateway.sandbox.kona_state import ACCOUNT_ID, CURRENT_USER, STATE, KonaState, User

_T = TypeVar("_T")


def _lookup(table: Mapping[int, _T], request: web.Request, kind: str) -> _T:
    found = table.get(path_id(request))
    if found is None:
        raise not_found(f"{kind} {path_id(request)} does not exist or you have no access to it")
    return found


def _wants_participants(request: web.Request) -> bool:
    return "participants" in request.query.get("include", "").split(",")


async def list_spaces(request: web.Request) -> web.Response:
    """`GET /spaces`: the spaces the user belongs to, by id, one page."""
    user_id, root = request[CURRENT_USER], api_root(request)
    spaces = [s for s in request.app[STATE].spaces.values() if user_id in dict(s.members)]
    page = paginate(sorted(spaces, key=lambda space: space.id), request)
    participants = _wants_participants(request)
    return envelope("spaces", [space_json(space, root, participants=participants) for space in page])


async def get_space(request: web.Request) -> web.Response:
    """`GET /spaces/{id}` (404 also for spaces the user is not in, per the exceptions page)."""
    space = _lookup(request.app[STATE].spaces, request, "Space")
    if request[CURRENT_USER] not in dict(space.members):
        raise not_found(f"Space {space.id} does not exist or you have no access to it")
    body = space_json(space, api_root(request), participants=_wants_participants(request))
    return envelope("spaces", [body])


def _matching_users(state: KonaState, query: Mapping[str, str]) -> list[User]:
    users = sorted(state.users.values(), key=lambda user: user.id)
    if like := query.get("like", "").lower():
        users = [u for u in users if u.name.lower().startswith(like) or u.email.startswith(like)]
    if "space_id" in query:
        space = state.spaces.get(int_param(query, "space_id", 0))
        members = {user_id for user_id, _ in space.members} if space else set()
        users = [user for user in users if user.id in members]
    return users


async def list_users(request: web.Request) -> web.Response:
    """`GET /users[?like=…][&space_id=…]`, by id, one page."""
    users = paginate(_matching_users(request.app[STATE], request.query), request)
    root = api_root(request)
    return envelope("users", [user_json(user, root) for user in users])


async def get_user(request: web.Request) -> web.Response:
    """`GET /users/{id}`."""
    user = _lookup(request.app[STATE].users, request, "User")
    return envelope("users", [user_json(user, api_root(request))])


async def userinfo(request: web.Request) -> web.Response:
    """`GET /userinfo`: the token's user plus `current_account` (users.md)."""
    user = request.app[STATE].users[request[CURRENT_USER]]
    body = user_json(user, api_root(request)) | {"current_account": {"id": ACCOUNT_ID, "member": True}}
    return envelope("users", [body])
