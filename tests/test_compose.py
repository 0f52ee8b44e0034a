"""compose.yaml points both replicas at what the sandbox serves, and shares what replicas must share."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from gateway.sandbox import kona
from gateway.sandbox.server import sandbox_env
from resolvers.registry import NAMES

ROOT = Path(__file__).parents[1]
COMPOSE = (ROOT / "compose.yaml").read_text()


def _environment() -> dict[str, str]:
    """The `KEY: value` lines of the shared gateway environment block."""
    block = COMPOSE.split("environment: &gateway-env\n", 1)[1].split("\nservices:", 1)[0]
    pairs = re.findall(r"^ {4}([A-Z][A-Z0-9_]*): (.*)$", block, flags=re.MULTILINE)
    return {key: value.strip('"') for key, value in pairs}


def test_the_replicas_are_wired_to_the_sandbox() -> None:
    environment = _environment()
    expected = sandbox_env(NAMES, "http://sandbox:8001") | kona.refresh_env()
    assert {key: environment.get(key) for key in expected} == expected


def test_the_sandbox_settings_are_what_the_script_writes() -> None:
    spec = importlib.util.spec_from_file_location("compose_env", ROOT / "scripts" / "compose-env.py")
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.BEGIN in COMPOSE
    assert script.END in COMPOSE
    assert script.rewritten(COMPOSE) == COMPOSE, "run `python scripts/compose-env.py`"


def test_the_replicas_share_redis_and_one_credential_key() -> None:
    environment = _environment()
    assert environment["GATEWAY_REDIS_URL"] == "redis://redis:6379/0"
    assert environment["GATEWAY_CREDENTIAL_KEY"].startswith("${GATEWAY_CREDENTIAL_KEY:?")
    assert COMPOSE.count("<<: *gateway") == 2
