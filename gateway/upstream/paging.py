"""Following an upstream's pages to the end, within `GATEWAY_MAX_PAGES`, whatever its paging style."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TypeVar

from gateway.errors import TooManyPages

PageT = TypeVar("PageT")
CursorT = TypeVar("CursorT")

#: One page's fetch: the page (None: the list was empty, nothing to yield) and the cursor of the
#: next one (a page number, a cursor, a link), None after the last.
Fetch = Callable[[CursorT], Awaitable[tuple[PageT | None, CursorT | None]]]


async def follow_pages(
    fetch: Fetch[CursorT, PageT],
    first: CursorT,
    *,
    limit: int,
    title: str,
    what: str,
    provider: str,
    already: int = 0,
) -> AsyncGenerator[PageT, None]:
    """Each page from the one at `first` on, following the cursor each fetch returns until there is
    none; a list that goes on past `limit` pages (`already` read before `first`) is `TooManyPages`
    (an upstream that never ends)."""
    cursor = first
    for _ in range(limit - already):
        page, following = await fetch(cursor)
        if page is not None:
            yield page
        if following is None:
            return
        cursor = following
    raise TooManyPages(title, what, limit, provider=provider)
