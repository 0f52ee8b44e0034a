"""Command line: `event-gateway serve | demo | sandbox | export-schema` (also `python -m gateway`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import uvicorn
from uvicorn.supervisors import Multiprocess

from gateway.app import create_app, export_sdl, export_subgraph_sdl
from gateway.edge.http_protocol import server_config
from gateway.edge.observability import configure_logging
from gateway.edge.playground import build_assets
from gateway.settings import Settings
from resolvers.registry import NAMES

if TYPE_CHECKING:
    from aiohttp import web

#: uvicorn's exit status when the server could not start.
STARTUP_FAILURE = 3


def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the gateway with providers configured from the environment."""
    settings = Settings()
    configure_logging(settings.gateway_log_level)
    config = server_config(
        "gateway.app:create_app",
        settings,
        factory=True,
        host=host or settings.gateway_host,
        port=port or settings.gateway_port,
        workers=workers,
        log_level=settings.gateway_log_level.lower(),
        access_log=False,
        proxy_headers=True,
        log_config=None,
        loop="uvloop",
    )
    # What `uvicorn.run` does, with a configuration it cannot build (the gateway's HTTP protocol).
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        server = uvicorn.Server(config)
        server.run()
        if not server.started:
            sys.exit(STARTUP_FAILURE)


#: The demo's poll interval while its data churns (unless GATEWAY_POLL_INTERVAL says otherwise), so
#: a change shows in GraphiQL within seconds rather than half a minute.
DEMO_POLL_INTERVAL = 5.0


async def _start_sandbox(host: str, port: int, churn: float) -> tuple[web.AppRunner, int]:
    # Imported here, not at the top: `serve` never runs the emulators, and they and aiohttp's
    # server would take ~2 MiB of every gateway process (issue 14).
    from aiohttp import web

    from gateway.sandbox.server import create_sandbox

    runner = web.AppRunner(create_sandbox(NAMES, churn_per_minute=churn), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    bound = server.sockets[0].getsockname()[1] if server is not None and server.sockets else port  # type: ignore[attr-defined]
    return runner, int(bound)


async def _demo(host: str, port: int, sandbox_port: int, churn: float) -> None:
    from gateway.sandbox.server import sandbox_env  # as in `_start_sandbox`: not for `serve`

    print("preparing GraphiQL (first run only) …", flush=True)
    print(await asyncio.to_thread(build_assets), flush=True)
    runner, bound = await _start_sandbox("127.0.0.1", sandbox_port, churn)
    env = sandbox_env(NAMES, f"http://127.0.0.1:{bound}")
    values: dict[str, object] = {key.lower(): value for key, value in env.items()}
    if churn and "GATEWAY_POLL_INTERVAL" not in os.environ:
        values["gateway_poll_interval"] = DEMO_POLL_INTERVAL
    settings = Settings.from_values(values)
    print(f"sandbox upstreams on http://127.0.0.1:{bound}", flush=True)
    if churn:
        print(f"the sandbox changes {churn:g} events a minute: try the eventChanges subscription", flush=True)
    print(f"GraphiQL on http://{host}:{port}/graphql", flush=True)
    configure_logging(settings.gateway_log_level)
    config = server_config(
        create_app(settings), settings, host=host, port=port, access_log=False, log_config=None
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        await runner.cleanup()


async def _sandbox(host: str, port: int, churn: float) -> None:
    runner, bound = await _start_sandbox(host, port, churn)
    print(f"sandbox upstreams on http://{host}:{bound}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the `event-gateway` console script."""
    parser = argparse.ArgumentParser(prog="event-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="serve the gateway (providers from the environment)")
    serve_cmd.add_argument("--host")
    serve_cmd.add_argument("--port", type=int)
    serve_cmd.add_argument("--workers", type=int, default=1)
    demo_cmd = commands.add_parser("demo", help="serve the gateway wired to seeded sandbox upstreams")
    demo_cmd.add_argument("--host", default="127.0.0.1")
    demo_cmd.add_argument("--port", type=int, default=8000)
    demo_cmd.add_argument("--sandbox-port", type=int, default=8001)
    sandbox_cmd = commands.add_parser("sandbox", help="serve only the emulated upstream APIs")
    sandbox_cmd.add_argument("--host", default="127.0.0.1")
    sandbox_cmd.add_argument("--port", type=int, default=8001)
    for command in (demo_cmd, sandbox_cmd):
        command.add_argument(
            "--churn",
            type=float,
            default=0.0,
            metavar="PER_MINUTE",
            help="move, create or delete this many sandbox events a minute (default 0; see /_sandbox/churn)",
        )
    export_cmd = commands.add_parser("export-schema", help="print the schema as SDL")
    export_cmd.add_argument(
        "--subgraph", action="store_true", help="the Apollo Federation v2 subgraph SDL (GATEWAY_SUBGRAPH)"
    )
    args = parser.parse_args(argv)

    if args.command == "serve":
        serve(args.host, args.port, args.workers)
    elif args.command == "demo":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_demo(args.host, args.port, args.sandbox_port, args.churn))
    elif args.command == "sandbox":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_sandbox(args.host, args.port, args.churn))
    else:
        sys.stdout.write(export_subgraph_sdl() if args.subgraph else export_sdl())


if __name__ == "__main__":
    main()
