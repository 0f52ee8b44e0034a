"""The sandbox: every emulator under `/{provider}` on one aiohttp server, plus a control API.

Control endpoints (for tests, benchmarks and fault drills run from other processes):
`GET /_sandbox/calls`, `DELETE /_sandbox/calls`, `PUT /_sandbox/faults/{provider}` (a `Fault`
as JSON), `DELETE /_sandbox/faults`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from aiohttp import web

from gateway.sandbox.emulators import emulator
from gateway.sandbox.recorder import CallLog, Fault, json_response, read_json

LOG_KEY = web.AppKey("call_log", CallLog)


def create_sandbox(
    names: Sequence[str],
    log: CallLog | None = None,
    apps: Mapping[str, Callable[[CallLog], web.Application]] | None = None,
) -> web.Application:
    """One aiohttp app serving the emulator of each provider named at `/{name}`; `apps` replaces some
    providers' `create_app` (an emulator built with other options, say)."""
    log = log if log is not None else CallLog()
    apps = apps or {}
    app = web.Application()
    app[LOG_KEY] = log
    app.router.add_get("/_sandbox/calls", _calls)
    app.router.add_delete("/_sandbox/calls", _clear_calls)
    app.router.add_put("/_sandbox/faults/{provider}", _set_fault)
    app.router.add_delete("/_sandbox/faults", _clear_faults)
    for name in names:
        app.add_subapp(f"/{name}", apps.get(name, emulator(name).create_app)(log))
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
