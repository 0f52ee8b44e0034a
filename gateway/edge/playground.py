"""GraphiQL for browsers: the page a browser GET of /graphql gets, and its offline assets at /graphiql/.

`npm ci --prefix web && npm run build --prefix web` bundles GraphiQL, React and Monaco's workers into
`gateway/static/graphiql/` (git-ignored; the container image builds it). Without that build the page
falls back to GraphiQL from a public CDN and says so on a banner.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from strawberry.http.ides import get_graphql_ide_html

ASSETS_DIR = Path(__file__).parents[1] / "static" / "graphiql"
ASSETS_PATH = "/graphiql"
#: Written last by web/build.mjs, so a half-written build is not served.
BUILD_MARKER = "BUILD"

# The offline page needs nothing but this origin: the browser itself enforces that it stays offline.
OFFLINE_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "worker-src 'self'",
        "connect-src 'self'",
        # React and Monaco set inline styles; the fonts and the favicon are data: URIs.
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

OFFLINE_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>event-gateway · GraphiQL</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="{assets}/graphiql.css">
    <style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script type="module" src="{assets}/graphiql.js"></script>
  </body>
</html>
"""

CDN_BANNER = """<div id="graphiql-cdn-banner" role="alert" style="margin: 0; padding: 0.5em 1em; \
font: 14px/1.5 sans-serif; background: #fff3cd; color: #664d03; border-bottom: 1px solid #ffe69c">
GraphiQL's offline assets are not built, so this page loads GraphiQL from a public CDN and needs internet
access. Build them with <code>npm ci --prefix web &amp;&amp; npm run build --prefix web</code>.</div>
<style>#graphiql { height: calc(100vh - 3em) !important; }</style>
"""


def assets_built(directory: Path = ASSETS_DIR) -> bool:
    """Whether a complete GraphiQL build is in `directory`."""
    return (directory / BUILD_MARKER).is_file()


def graphiql_page(request: Request, directory: Path = ASSETS_DIR) -> HTMLResponse:
    """The GraphiQL page: on the local assets when they are built, else on the CDN with a banner."""
    if assets_built(directory):
        assets = escape(request.scope.get("root_path", "").rstrip("/") + ASSETS_PATH)
        return HTMLResponse(
            OFFLINE_PAGE.format(assets=assets), headers={"Content-Security-Policy": OFFLINE_CSP}
        )
    page = get_graphql_ide_html("graphiql")
    body = re.search(r"<body[^>]*>", page)
    at = body.end() if body else 0
    return HTMLResponse(page[:at] + CDN_BANNER + page[at:])


class _AssetFiles(StaticFiles):
    """Static files that answer 404, rather than fail, while the assets are not built."""

    async def check_config(self) -> None:
        try:
            await super().check_config()
        except RuntimeError:
            return  # not built (yet): every lookup misses, so every asset is a 404


def assets_mount(directory: Path = ASSETS_DIR) -> Mount:
    """The `/graphiql` mount serving the built assets (the page at /graphql links to them)."""
    return Mount(ASSETS_PATH, app=_AssetFiles(directory=directory, check_dir=False), name="graphiql")


def build_assets(directory: Path = ASSETS_DIR) -> str:
    """Build the offline assets from a source checkout when node ≥ 20 and npm are here; say what happened.

    `event-gateway demo` calls this so the playground works offline wherever it can; with only
    Python on the machine the page keeps its CDN fallback (and its banner).
    """
    web = Path(__file__).resolve().parents[2] / "web"
    if assets_built(directory):
        return "GraphiQL assets: built, served offline"
    npm, node = shutil.which("npm"), shutil.which("node")
    if not (web / "package.json").is_file() or npm is None or node is None:
        return "GraphiQL assets: not built (needs a source checkout with node >= 20); the page uses a CDN"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    if int(version.lstrip("v").split(".")[0] or 0) < 20:
        return f"GraphiQL assets: node {version.strip()} is older than 20; the page uses a CDN"
    for step in (["ci", "--no-audit", "--no-fund", "--loglevel=error"], ["run", "build", "--silent"]):
        done = subprocess.run([npm, *step, "--prefix", str(web)], capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            return (
                f"GraphiQL assets: `npm {step[0]}` failed ({done.stderr.strip()[-200:]}); the page uses a CDN"
            )
    return "GraphiQL assets: built from web/ just now, served offline"
