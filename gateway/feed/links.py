"""Feed URLs: where the gateway is reachable from outside, and a filter's `/calendar.ics` link.

The base is `GATEWAY_PUBLIC_URL` when set. Without it the request's own scheme and `Host` are
used, and `Host` is the caller's to write: it is accepted only as a bare host name or IP literal
with an optional port (1-65535), so it can never smuggle a path, credentials or a query into the
link; it can name another host, which is why a deployment others reach sets the setting.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from gateway.errors import BadUserInput
from gateway.feed.filter import SIGNATURE, FeedFilter

FEED_PATH = "/calendar.ics"

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"^(?:{_LABEL}(?:\.{_LABEL})*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{{1,5}})?$")


def public_base(configured: str, scheme: str, host: str | None) -> str:
    """The gateway's outside address: `configured`, else `scheme://host` when `host` is sane."""
    if configured:
        return configured.rstrip("/")
    if scheme not in ("http", "https"):
        raise BadUserInput(f"cannot build a feed URL for a {scheme!r} request; set GATEWAY_PUBLIC_URL")
    port = host.rpartition(":")[2] if host and not host.endswith("]") else ""
    if not host or len(host) > 255 or not _HOST.match(host) or (port.isdigit() and not 0 < int(port) < 65536):
        raise BadUserInput("the request's Host header is not a host name; set GATEWAY_PUBLIC_URL")
    return f"{scheme}://{host.lower()}"


def feed_url(base: str, filter: FeedFilter, signature: str | None) -> str:
    """The absolute `/calendar.ics` URL of `filter`, with its signature when given."""
    items = filter.query_items()
    if signature is not None:
        items.append((SIGNATURE, signature))
    query = urlencode(items)
    return f"{base}{FEED_PATH}" + (f"?{query}" if query else "")


def webcal(url: str) -> str:
    """The same URL with the `webcal://` scheme, which opens a calendar app's subscribe dialog."""
    return "webcal://" + url.split("://", 1)[1]
