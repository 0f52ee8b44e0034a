"""`follow_pages` and `enum_or_none`: the shared paging loop and enum reader every client uses."""

from __future__ import annotations

from enum import Enum

import pytest

from gateway.errors import TooManyPages
from gateway.upstream.paging import follow_pages
from gateway.upstream.values import enum_or_none


async def test_pages_are_followed_by_cursor_until_there_is_none() -> None:
    cursors: list[str] = []

    async def fetch(cursor: str) -> tuple[list[int] | None, str | None]:
        cursors.append(cursor)
        number = int(cursor or 0)
        return [number], None if number == 2 else str(number + 1)

    pages = [page async for page in follow_pages(fetch, "", limit=5, title="T", what="items", provider="t")]
    assert (pages, cursors) == ([[0], [1], [2]], ["", "1", "2"])


async def test_an_empty_first_page_yields_nothing() -> None:
    async def fetch(cursor: int) -> tuple[list[int] | None, int | None]:
        return None, None

    assert [page async for page in follow_pages(fetch, 1, limit=5, title="T", what="x", provider="t")] == []


@pytest.mark.parametrize("already", [0, 2])
async def test_a_list_without_end_stops_at_the_limit_counting_pages_read_before(already: int) -> None:
    fetched: list[int] = []

    async def fetch(number: int) -> tuple[int, int]:
        fetched.append(number)
        return number, number + 1

    with pytest.raises(TooManyPages, match="after 4 pages"):
        async for _ in follow_pages(fetch, 1, limit=4, already=already, title="T", what="x", provider="t"):
            pass
    assert len(fetched) == 4 - already


class Kind(Enum):
    ONE = 1
    TWO = "two"


@pytest.mark.parametrize(
    ("value", "member"),
    [(1, Kind.ONE), ("two", Kind.TWO), (True, None), (1.0, None), ("three", None), (None, None), ([1], None)],
)
def test_enum_or_none_reads_known_values_and_never_raises(value: object, member: Kind | None) -> None:
    assert enum_or_none(Kind)(value) is member
