"""A feed's filter: the `events` filter as URL parameters, in one canonical form for signing."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.errors import BadUserInput
from gateway.instants import clamped

PROVIDER = "provider"
STARTS_AFTER = "startsAfter"
STARTS_BEFORE = "startsBefore"
SEARCH = "search"
SIGNATURE = "sig"
PARAMETERS = (PROVIDER, STARTS_AFTER, STARTS_BEFORE, SEARCH, SIGNATURE)

#: Characters of `search`: it travels to upstreams in URLs (Kona, pretix), and no title is longer.
MAX_SEARCH_LENGTH = 200

#: `+02:00` written into a URL unencoded arrives as ` 02:00` (a `+` in a query is a space).
_SPACE_FOR_PLUS = re.compile(r"^(.*\d) (\d\d(?::?\d\d)?)$")


@dataclass(frozen=True, slots=True)
class FeedFilter:
    """What a feed selects, canonical: providers lower-case, sorted and unique; instants in UTC.

    Two spellings of one filter (`+00:00` or `Z`, providers in another order) are one value, so a
    signature covers the meaning of a filter, not its spelling.
    """

    providers: tuple[str, ...] = ()
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    search: str | None = None

    def canonical(self) -> bytes:
        """The bytes a signature covers: one `name=value` line per part, absent parts empty."""
        lines = [
            f"{PROVIDER}={','.join(self.providers)}",
            f"{STARTS_AFTER}={_text(self.starts_after)}",
            f"{STARTS_BEFORE}={_text(self.starts_before)}",
            f"{SEARCH}={self.search or ''}",
        ]
        return "\n".join(lines).encode()

    def query_items(self) -> list[tuple[str, str]]:
        """The filter as URL parameters, in canonical order (without the signature)."""
        items = [(PROVIDER, name) for name in self.providers]
        if self.starts_after is not None:
            items.append((STARTS_AFTER, _text(self.starts_after)))
        if self.starts_before is not None:
            items.append((STARTS_BEFORE, _text(self.starts_before)))
        if self.search:
            items.append((SEARCH, self.search))
        return items

    def variables(self, providers: Sequence[str] | None = None) -> dict[str, Any]:
        """The filter as the `events` query's `EventFilter` variable; `providers` overrides its list."""
        chosen = self.providers if providers is None else providers
        filter_: dict[str, Any] = {}
        if chosen:
            filter_["providers"] = [name.upper() for name in chosen]
        if self.starts_after is not None:
            filter_["startsAfter"] = _text(self.starts_after)
        if self.starts_before is not None:
            filter_["startsBefore"] = _text(self.starts_before)
        if self.search:
            filter_["search"] = self.search
        return filter_


def _text(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat().replace("+00:00", "Z")


def checked_search(search: str | None) -> str | None:
    """`search` (None when empty), or BAD_USER_INPUT naming `filter.search` when it is too long."""
    if search and len(search) > MAX_SEARCH_LENGTH:
        raise BadUserInput(
            f"{SEARCH} must be at most {MAX_SEARCH_LENGTH} characters (got {len(search)})",
            field=["filter", SEARCH],
        )
    return search or None


def feed_filter(
    providers: Iterable[str] = (),
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
    search: str | None = None,
) -> FeedFilter:
    """The canonical filter of these parts; `startsBefore` not after `startsAfter` is BAD_USER_INPUT."""
    after = None if starts_after is None else clamped(starts_after)
    before = None if starts_before is None else clamped(starts_before)
    if after is not None and before is not None and before <= after:
        raise BadUserInput(f"{STARTS_BEFORE} must be after {STARTS_AFTER}", field=["filter", STARTS_BEFORE])
    return FeedFilter(
        providers=tuple(sorted({name.lower() for name in providers})),
        starts_after=after,
        starts_before=before,
        search=checked_search(search),
    )


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """A `/calendar.ics` URL read: the filter, and the signature when one was given."""

    filter: FeedFilter
    signature: str | None


def parse_feed_query(items: Sequence[tuple[str, str]], known_providers: Collection[str]) -> FeedRequest:
    """Read `/calendar.ics`'s parameters; anything unknown, repeated or malformed is BAD_USER_INPUT
    naming the parameter (a misspelt parameter must not quietly widen the feed)."""
    unknown = sorted({name for name, _ in items if name not in PARAMETERS})
    if unknown:
        raise BadUserInput(
            f"unknown parameter {', '.join(unknown)}; the feed takes {', '.join(PARAMETERS)}",
            field=unknown[:1],
        )
    singles: dict[str, str] = {}
    providers: list[str] = []
    for name, value in items:
        if name == PROVIDER:
            providers.append(_provider(value, known_providers))
        elif name in singles:
            raise BadUserInput(f"{name} is given more than once", field=[name])
        else:
            singles[name] = value
    filter_ = feed_filter(
        providers,
        _instant(STARTS_AFTER, singles.get(STARTS_AFTER)),
        _instant(STARTS_BEFORE, singles.get(STARTS_BEFORE)),
        singles.get(SEARCH),
    )
    return FeedRequest(filter=filter_, signature=singles.get(SIGNATURE))


def _provider(value: str, known: Collection[str]) -> str:
    name = value.strip().lower()
    if name not in known:
        raise BadUserInput(f"{PROVIDER} {value!r} is not one of {', '.join(sorted(known))}", field=[PROVIDER])
    return name


def _instant(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    text = _SPACE_FOR_PLUS.sub(r"\1+\2", value.strip())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadUserInput(
            f"{name} {value!r} is not an ISO 8601 date-time, e.g. 2026-11-22T09:30:00Z", field=[name]
        ) from None
    if moment.tzinfo is None:
        raise BadUserInput(f"{name} {value!r} has no UTC offset; add one, e.g. 'Z' or '+02:00'", field=[name])
    return moment
