"""The sandbox: every emulator under `/{provider}` on one aiohttp server, plus a control API.

Control endpoints (for tests, benchmarks and fault drills run from other processes):
`GET /_sandbox/calls`, `DELETE /_sandbox/calls`, `PUT /_sandbox/faults/{provider}` (a `Fault`
as JSON), `DELETE /_sandbox/faults`; and the data's churn (`gateway.sandbox.churn`):
`GET`/`PUT /_sandbox/churn` (`{"perMinute": 6}`), `POST /_sandbox/churn` (changes now).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from aiohttp import web

from gateway.sandbox import churn
from gateway.sandbox.emulators import emulator
from gateway.sandbox.recorder import CallLog, Fault, json_response, read_json

LOG_KEY = web.AppKey("call_log", CallLog)


def create_sandbox(
    names: Sequence[str],
    log: CallLog | None = None,
    apps: Mapping[str, Callable[[CallLog], web.Application]] | None = None,
    churn_per_minute: float = 0.0,
) -> web.Application:
    """One aiohttp app serving the emulator of each provider named at `/{name}`; `apps` replaces some
    providers' `create_app` (an emulator built with other options, say); the data changes by itself
    `churn_per_minute` times a minute (0: only when asked at `POST /_sandbox/churn`)."""
    log = log if log is not None else CallLog()
    apps = apps or {}
    app = web.Application()
    app[LOG_KEY] = log
    app.router.add_get("/_sandbox/calls", _calls)
    app.router.add_delete("/_sandbox/calls", _clear_calls)
    app.router.add_put("/_sandbox/faults/{provider}", _set_fault)
    app.router.add_delete("/_sandbox/faults", _clear_faults)
    app.router.add_get("/_sandbox/churn", churn.get_churn)
    app.router.add_put("/_sandbox/churn", churn.put_churn)
    app.router.add_post("/_sandbox/churn", churn.post_churn)
    targets = {}
    for name in names:
        found = emulator(name)
        subapp = apps.get(name, found.create_app)(log)
        app.add_subapp(f"/{name}", subapp)
        if found.churn is not None:
            targets[name] = (subapp, found.churn)
    app[churn.CHURNER] = churn.Churner(targets, per_minute=churn_per_minute)
    app.cleanup_ctx.append(churn.running)
    return app


def sandbox_env(names: Sequence[str], base_url: str) -> dict[str, str]:
    """Environment that points the gateway at the named providers' emulators in a sandbox at `base_url`."""
    env: dict[str, str] = {}
    for name in names:
        env.update(emulator(name).env(f"{base_url.rstrip('/')}/{name}"))
    return env


async def _calls(request: web.Request) -> web.Response:
    provider = request.query.get("provider")
    calls = request.app[LOG_KEY].calls
    return json_response([call.to_json() for call in calls if provider in (None, call.provider)])


async def _clear_calls(request: web.Request) -> web.Response:
    request.app[LOG_KEY].clear()
    return web.Response(status=204)


async def _set_fault(request: web.Request) -> web.Response:
    body = await read_json(request)
    if not isinstance(body, dict):
        return json_response({"error": "body must be a JSON object"}, status=400)
    request.app[LOG_KEY].faults[request.match_info["provider"]] = Fault.from_json(body)
    return web.Response(status=204)


async def _clear_faults(request: web.Request) -> web.Response:
    request.app[LOG_KEY].faults.clear()
    return web.Response(status=204)
