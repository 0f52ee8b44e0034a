"""GraphiQL served by the gateway: offline page, CDN fallback with its banner, and a real browser run."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request

from gateway.edge.playground import ASSETS_DIR, assets_built, assets_mount, graphiql_page
from tests.harness import Gateway, Sandbox, running_gateway, settings_for
from tests.spec.conftest import INSTALL_HINT, LiveGateway, missing, run_node

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _request(root_path: str = "") -> Request:
    return Request(
        {"type": "http", "method": "GET", "path": "/graphql", "root_path": root_path, "headers": []}
    )


def test_built_assets_give_the_offline_page_under_a_strict_policy(tmp_path: Path) -> None:
    (tmp_path / "BUILD").write_text("built")
    response = graphiql_page(_request("/api"), tmp_path)
    page = bytes(response.body).decode()

    assert 'src="/api/graphiql/graphiql.js"' in page
    assert 'href="/api/graphiql/graphiql.css"' in page
    assert "https://" not in page
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "connect-src 'self'" in response.headers["content-security-policy"]


def test_without_a_build_the_cdn_page_says_so(tmp_path: Path) -> None:
    response = graphiql_page(_request(), tmp_path)
    page = bytes(response.body).decode()

    assert "content-security-policy" not in response.headers
    assert 'id="graphiql-cdn-banner"' in page
    assert "offline assets are not built" in page
    assert page.index("graphiql-cdn-banner") < page.index('id="graphiql"')
    assert "https://" in page


async def test_assets_are_404_until_built_then_served(tmp_path: Path) -> None:
    app = Starlette(routes=[assets_mount(tmp_path / "graphiql")])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        before = await http.get("/graphiql/graphiql.js")
        (tmp_path / "graphiql").mkdir()
        (tmp_path / "graphiql" / "graphiql.js").write_text("export {};")
        after = await http.get("/graphiql/graphiql.js")
    assert before.status_code == 404
    assert after.status_code == 200
    assert "javascript" in after.headers["content-type"]


async def test_browsers_get_the_page_and_clients_get_json(gateway: Gateway) -> None:
    page = await gateway.http.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml"})
    query = await gateway.http.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"Accept": "text/html"}
    )
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="graphiql"' in page.text
    assert query.json() == {"data": {"__typename": "Query"}}


@pytest.mark.browser
def test_graphiql_runs_a_query_in_chromium_without_leaving_loopback(
    live_gateway: LiveGateway, tmp_path: Path
) -> None:
    if not Path(CHROMIUM).is_file():
        missing(f"Chromium ({CHROMIUM})")
    if not assets_built():
        pytest.fail(f"GraphiQL assets are not built in {ASSETS_DIR}: {INSTALL_HINT}")
    screenshot = tmp_path / "graphiql.png"

    report = run_node(
        "browser-check.mjs", live_gateway.graphql_url, str(screenshot), "{ providers { provider } }"
    )

    off_loopback = [url for url in report["requests"] if urlsplit(url).hostname not in LOOPBACK]
    assert report["ok"], report.get("error")
    assert not report["offLoopback"], report["requests"]
    assert not off_loopback, report["requests"]
    assert f"{live_gateway.base_url}/graphiql/graphiql.js" in report["requests"]
    assert not report["pageErrors"], report["pageErrors"]
    assert not report["consoleErrors"], report["consoleErrors"]
    assert "providers" in report["queryText"]
    assert '"provider": "STRIGO"' in report["responseText"]
    assert screenshot.stat().st_size > 10_000


async def test_assets_need_no_api_key_like_the_page(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, gateway_api_keys="a-key")) as gateway:
        page = await gateway.http.get("/graphql", headers={"Accept": "text/html"})
        bundle = await gateway.http.get("/graphiql/graphiql.js", headers={"Accept": "*/*"})
    assert page.status_code == 200
    assert bundle.status_code != 401
    async with running_gateway(settings_for(sandbox, gateway_api_keys="a-key")) as gateway:
        query = await gateway.http.post("/graphql", json={"query": "{ providers { provider } }"})
    assert query.status_code == 401  # the page and its assets are open; the data is not
