"""cProfile of S2 (100 Strigo events x 10 fields) through the real ASGI app, sandbox in-process.

    python bench/profile_s2.py                 # 100 requests, top 25 functions by own time
    python bench/profile_s2.py --requests 400 --top 40 --sort cumulative

Both the sandbox and the gateway run in this process (the sandbox on a loopback port, the app
through httpx's ASGI transport): shares are of all the busy profiled time, the sandbox's included.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stack import S2  # noqa: E402

from tests.harness import running_gateway, running_sandbox, settings_for  # noqa: E402

_FOCUS = (
    "remember",
    "decode_id",
    "from_upstream",
    "encode_id",
    "parse_instant",
    "_serialize",
    "views.py",
    "strigo.py",
)


async def main(args: argparse.Namespace) -> None:
    async with running_sandbox() as sandbox, running_gateway(settings_for(sandbox)) as gateway:
        for _ in range(5):
            await gateway.data(S2)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            await gateway.data(S2)
        profile.disable()
    stats = pstats.Stats(profile, stream=(out := io.StringIO()))
    stats.sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    entries: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    # Busy time only: the event loop's waits (in `poll`) are not work.
    total = sum(entry[2] for (_, _, name), entry in entries.items() if "poll" not in name)
    print(f"{total:.3f} s busy, {1000 * total / args.requests:.2f} ms per request (sandbox included)")
    print("| function | cumulative s | share of all |")
    print("|---|---|---|")
    for (file, line, name), entry in sorted(entries.items(), key=lambda item: -item[1][3]):
        if any(focus in name or file.endswith(focus) for focus in _FOCUS) and entry[3] / total > 0.005:
            print(f"| {Path(file).name}:{line} {name} | {entry[3]:.3f} | {100 * entry[3] / total:.1f} % |")


def cli() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=100,
        help="at most ~500: the emulated Strigo allows 600 calls a minute",
    )
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
