"""What `event-gateway serve` leaves unimported until a command or feature uses it (issue 14: every
module imported at start-up is memory each gateway process holds for good)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.clients.processes import answers, background, free_port, wait_until

ROOT = Path(__file__).parents[2]
#: The feed's iCalendar writer (imported by the first `/calendar.ics`), the emulators and aiohttp's
#: server (imported by `demo` and `sandbox`).
LAZY = ("icalendar", "gateway.feed.ics", "gateway.sandbox.server", "aiohttp.web")


def test_serve_imports_neither_the_feed_writer_nor_the_emulators() -> None:
    # What `serve` imports: the command line, then the app its factory builds.
    probe = (
        "import sys\nimport gateway.__main__\nfrom gateway.app import create_app\ncreate_app()\n"
        f"print(sorted(name for name in {LAZY!r} if name in sys.modules))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed probe
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_sandbox_command_still_serves_the_emulators(tmp_path: Path) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "gateway", "sandbox", "--host", "127.0.0.1", "--port", str(port)]
    with background(argv, tmp_path / "sandbox.log", ROOT) as process:
        wait_until(answers(f"http://127.0.0.1:{port}/_sandbox/calls"), process, tmp_path / "sandbox.log")
