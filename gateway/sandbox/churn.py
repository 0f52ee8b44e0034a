"""Data that changes by itself: every so often one emulator's events move, appear or disappear.

For demos of the `eventChanges` subscription (`event-gateway demo --churn 6`) and for tests. An
emulator module takes part by defining `churn(app, kind, rng, ours)`: it makes one change of `kind`
to its own state and says which event changed (`ours`: the events churn created there and may
delete; seeded events are moved, never deleted). Control it at `/_sandbox/churn`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aiohttp import web

#: Churn-created events kept alive at most per provider; beyond it, a change is a deletion.
KEEP = 8
#: The fastest churn the control endpoint accepts (changes per minute).
MAX_PER_MINUTE = 6_000.0


class ChurnKind(StrEnum):
    """What one change does."""

    CREATED = "created"
    MOVED = "moved"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Churned:
    """One change churn made: the provider, what it did, the upstream id and where it lives."""

    provider: str
    kind: ChurnKind
    id: str
    scope: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """As `/_sandbox/churn` reports it."""
        return {"provider": self.provider, "kind": self.kind.value, "id": self.id, "scope": list(self.scope)}


#: An emulator's churn: one change of a kind to the app's state, or None when there is nothing to do.
ChurnFn = Callable[[web.Application, ChurnKind, random.Random, Sequence[Churned]], Churned | None]


@dataclass
class Churner:
    """Changes the emulators' data, `per_minute` changes a minute (0: only when asked)."""

    targets: Mapping[str, tuple[web.Application, ChurnFn]]
    rng: random.Random = field(default_factory=lambda: random.Random(16))
    per_minute: float = 0.0
    ours: dict[str, list[Churned]] = field(default_factory=dict)
    _rate_changed: asyncio.Event = field(default_factory=asyncio.Event)

    def set_rate(self, per_minute: float) -> None:
        """Change the pace (0 stops it)."""
        self.per_minute = per_minute
        self._rate_changed.set()

    def step(self, provider: str | None = None, kind: ChurnKind | None = None) -> Churned | None:
        """One change now: to `provider` (or a random one), of `kind` (or a random one)."""
        name = provider if provider is not None else self.rng.choice(sorted(self.targets))
        app, churn = self.targets[name]
        ours = self.ours.setdefault(name, [])
        if kind is None:
            kind = self._kind(ours)
        churned = churn(app, kind, self.rng, tuple(ours))
        if churned is None:
            return None
        if churned.kind is ChurnKind.CREATED:
            ours.append(churned)
        elif churned.kind is ChurnKind.DELETED:
            ours[:] = [own for own in ours if own.id != churned.id or own.scope != churned.scope]
        return churned

    def _kind(self, ours: Sequence[Churned]) -> ChurnKind:
        if len(ours) >= KEEP:
            return ChurnKind.DELETED
        choices = [ChurnKind.MOVED, ChurnKind.MOVED, ChurnKind.CREATED] + [ChurnKind.DELETED] * bool(ours)
        return self.rng.choice(choices)

    async def run(self) -> None:
        """Churn at the configured pace until cancelled."""
        while True:
            self._rate_changed.clear()
            if self.per_minute <= 0:
                await self._rate_changed.wait()
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._rate_changed.wait(), 60 / self.per_minute)
                continue  # the pace changed: start the wait again at the new pace
            self.step()


CHURNER = web.AppKey("churner", Churner)


async def running(app: web.Application) -> AsyncIterator[None]:
    """aiohttp cleanup context: the churner's task, for as long as the sandbox serves."""
    task = asyncio.create_task(app[CHURNER].run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def get_churn(request: web.Request) -> web.Response:
    """`GET /_sandbox/churn`: the pace."""
    return web.json_response({"perMinute": request.app[CHURNER].per_minute})


async def put_churn(request: web.Request) -> web.Response:
    """`PUT /_sandbox/churn` `{"perMinute": 6}`: set the pace (0 stops it)."""
    body = await _json(request)
    pace = body.get("perMinute") if isinstance(body, dict) else None
    if isinstance(pace, bool) or not isinstance(pace, int | float) or not 0 <= pace <= MAX_PER_MINUTE:
        return web.json_response(
            {"error": f"perMinute must be a number from 0 to {MAX_PER_MINUTE:g}"}, status=400
        )
    request.app[CHURNER].set_rate(float(pace))
    return web.Response(status=204)


async def post_churn(request: web.Request) -> web.Response:
    """`POST /_sandbox/churn` `{"provider"?, "kind"?, "count"?}`: changes now, all at once; what changed."""
    churner = request.app[CHURNER]
    body = await _json(request)
    body = body if isinstance(body, dict) else {}
    provider, kind, count = body.get("provider"), body.get("kind"), body.get("count", 1)
    if provider is not None and provider not in churner.targets:
        return web.json_response({"error": f"provider must be one of {sorted(churner.targets)}"}, status=400)
    if kind is not None and kind not in set(ChurnKind):
        return web.json_response({"error": f"kind must be one of {[k.value for k in ChurnKind]}"}, status=400)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 100:
        return web.json_response({"error": "count must be an integer from 1 to 100"}, status=400)
    changed = [churner.step(provider, None if kind is None else ChurnKind(kind)) for _ in range(count)]
    return web.json_response([churned.to_json() for churned in changed if churned is not None])


async def _json(request: web.Request) -> object:
    if not request.can_read_body:
        return {}
    try:
        return await request.json()
    except ValueError:
        return None
