"""Which GraphQL-over-HTTP media type answers a request, from its `Accept` header."""

from __future__ import annotations

import functools
from collections.abc import Iterator

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"
# Listed in order of preference when a client accepts both equally.
_MEDIA_TYPES = (APPLICATION_JSON, GRAPHQL_RESPONSE_JSON)


@functools.lru_cache(maxsize=256)  # clients send a handful of distinct `Accept` values
def response_media_type(accept: str | None) -> str:
    """The media type to answer a GraphQL request with, given its `Accept` header (None: absent).

    No `Accept` means `application/graphql-response+json`: the spec's default since its
    2025-01-01 watershed. Otherwise the more acceptable of the two by q-value, then an exact match
    over a wildcard, then the one listed first; `application/json` when only a wildcard matches both
    (`*/*`: legacy clients) or neither is acceptable (the spec lets the server pick then).
    """
    if accept is None or not accept.strip():
        return GRAPHQL_RESPONSE_JSON
    ranges = list(_media_ranges(accept))
    best, best_rank = APPLICATION_JSON, (0.0, -1, 0)
    for media_type in _MEDIA_TYPES:
        rank = _acceptance(media_type, ranges)
        if rank[0] > 0 and rank > best_rank:
            best, best_rank = media_type, rank
    return best


def _media_ranges(accept: str) -> Iterator[tuple[str, float, int]]:
    """(media range, q, position) of each well-formed entry of an `Accept` header."""
    for position, entry in enumerate(accept.split(",")):
        media_range, *parameters = (part.strip() for part in entry.split(";"))
        if media_range.count("/") != 1:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        yield media_range.lower(), quality, position


def _acceptance(media_type: str, ranges: list[tuple[str, float, int]]) -> tuple[float, int, int]:
    """(q, specificity, -position) from the most specific range that matches `media_type`."""
    kind = media_type.split("/")[0]
    patterns = {media_type: 2, f"{kind}/*": 1, "*/*": 0}
    matches = [
        (patterns[media_range], -position, quality)
        for media_range, quality, position in ranges
        if media_range in patterns
    ]
    if not matches:
        return (0.0, -1, 0)
    specificity, position, quality = max(matches)
    return (quality, specificity, position)


def names_json(accept: str | None) -> bool:
    """Whether `Accept` names a JSON response type itself (a wildcard does not count).

    A client that names JSON beside `text/event-stream` (urql's fetch, for one) wants JSON for
    queries and mutations: only a subscription then needs the stream.
    """
    json_types = {*_MEDIA_TYPES, "application/graphql+json"}
    ranges = _media_ranges(accept or "")
    return any(media_range in json_types and quality > 0 for media_range, quality, _ in ranges)
