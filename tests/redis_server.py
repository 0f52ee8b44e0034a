"""A redis-server of the test's own on a free loopback port (the `redis_server` fixture in conftest)."""

from __future__ import annotations

import asyncio
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path

from redis.exceptions import ConnectionError as RedisConnectionError

from gateway.upstream.redis_link import open_redis

REDIS_SERVER = shutil.which("redis-server")


@dataclass
class RedisServer:
    """A redis-server of the test's own on a free loopback port, without persistence."""

    directory: Path
    port: int = field(init=False)
    process: asyncio.subprocess.Process | None = None

    def __post_init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        assert REDIS_SERVER is not None
        self.process = await asyncio.create_subprocess_exec(
            REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.directory),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        client = open_redis(self.url)
        try:
            for _ in range(500):
                if self.process.returncode is not None:
                    break
                try:
                    await client.ping()
                    return
                except RedisConnectionError:
                    await asyncio.sleep(0.01)
            raise RuntimeError(f"redis-server did not answer on port {self.port}")
        finally:
            await client.aclose()

    async def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            await self.process.wait()
            self.process = None
