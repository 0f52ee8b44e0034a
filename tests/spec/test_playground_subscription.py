"""GraphiQL runs the `eventChanges` subscription in a real browser: a write shows up in its result pane."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from gateway.edge.playground import ASSETS_DIR, assets_built
from tests.gateway.upstream.strigo_requests import CREATE, new_event
from tests.spec.conftest import INSTALL_HINT, WEB, LiveGateway, missing, node
from tests.spec.test_playground import CHROMIUM

SUBSCRIPTION = "subscription { eventChanges(filter: {providers: [STRIGO]}) { kind id event { title } } }"
NEW_EVENT = new_event("Seen in GraphiQL")
WAIT = 120.0


def _metric(client: httpx.Client, name: str, **labels: str) -> float:
    total = 0.0
    for line in client.get("/metrics").text.splitlines():
        found = re.match(rf"^{name}(?:\{{([^}}]*)\}})? (\S+)$", line)
        if found and all(f'{key}="{value}"' in (found[1] or "") for key, value in labels.items()):
            total += float(found[2])
    return total


def _wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.1)


@pytest.mark.browser
def test_graphiql_shows_a_change_as_it_happens(live_gateway: LiveGateway, tmp_path: Path) -> None:
    if not Path(CHROMIUM).is_file():
        missing(f"Chromium ({CHROMIUM})")
    if not assets_built():
        pytest.fail(f"GraphiQL assets are not built in {ASSETS_DIR}: {INSTALL_HINT}")
    with httpx.Client(base_url=live_gateway.base_url, timeout=30) as client:
        polled = _metric(client, "gateway_live_polls_total", provider="strigo", outcome="ok")
        subscribers = _metric(client, "gateway_live_subscribers")
        browser = subprocess.Popen(  # noqa: S603 - fixed script, arguments from the test itself
            [
                node(),
                str(WEB / "browser-check.mjs"),
                live_gateway.graphql_url,
                str(tmp_path / "live.png"),
                SUBSCRIPTION,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=WEB,
        )
        try:
            _wait_until(
                lambda: (
                    _metric(client, "gateway_live_subscribers") > subscribers
                    and _metric(client, "gateway_live_polls_total", provider="strigo", outcome="ok") > polled
                ),
                "GraphiQL's subscription is served and polled once",
            )
            created = client.post("/graphql", json={"query": CREATE, "variables": {"input": NEW_EVENT}})
            event_id = created.json()["data"]["createStrigoEvent"]["event"]["id"]
            out, err = browser.communicate(timeout=WAIT)
        finally:
            if browser.poll() is None:
                browser.kill()
                browser.communicate()
    report = json.loads(out)
    assert report["ok"], (report.get("error"), err)
    assert not report["pageErrors"], report["pageErrors"]
    assert not report["consoleErrors"], report["consoleErrors"]
    assert '"kind": "CREATED"' in report["responseText"]
    assert event_id in report["responseText"]
    assert "Seen in GraphiQL" in report["responseText"]
