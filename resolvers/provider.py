"""The GraphQL side of the provider seam: what one provider adds to the schema and to `node(id:)`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from gateway.context import Context
from gateway.providers.base import ProviderSpec
from schema.event import Event


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderAPI:
    """One provider's contribution: root fields, concrete types, and how to load one of its ids.

    `load_node` takes the key parts of a decoded global id and resolves through the request's
    loaders, so many ids of the same provider cost one batched round.
    """

    spec: ProviderSpec[Any]
    query: type
    mutation: type
    types: tuple[type, ...]
    load_node: Callable[[Context, tuple[str, ...]], Awaitable[Event | None]]
