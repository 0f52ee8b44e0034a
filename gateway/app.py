"""The assembly: the one module that sees every layer. It builds the schema from the provider
registry and hands it, with the providers' specs, to the HTTP edge (`create_app`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql.execution import Executor as GraphQLExecutionContext
from starlette.applications import Starlette
from strawberry.extensions import SchemaExtension
from strawberry.tools import merge_types

from gateway.edge.explicit_nulls import ExplicitNulls
from gateway.edge.hidden_schema import HiddenSchema
from gateway.edge.masking import MaskUnexpectedErrors
from gateway.edge.observability import RequestLog
from gateway.edge.prepared import PreparedOperations
from gateway.edge.routes import starlette_app
from gateway.edge.websocket import OwnRequestState
from gateway.edge.writable_dates import WritableDates
from gateway.execution import compiled_execution_context
from gateway.providers.base import AnySpec
from gateway.query_limits.guard import DocumentLimits, query_guard
from gateway.settings import Settings
from resolvers.event_changes import Subscription
from resolvers.federation import ENTITY_NAMES, FederationQuery
from resolvers.registry import PROVIDERS
from resolvers.root import CoreQuery
from schema.build import gateway_schema
from schema.federation import subgraph_sdl


def _root(name: str, parts: tuple[type, ...], description: str) -> type:
    """One root type from the fields of `parts` (as `merge_types`), with a description."""
    merged = merge_types(name, parts)
    merged.__strawberry_definition__.description = description  # type: ignore[attr-defined]
    return merged


QUERY_DESCRIPTION = (
    "Reads. `events` merges every provider's events in one order; `node`/`nodes` fetch any object by "
    "its global id; the `<provider>Events` fields page through one provider with its own filters."
)
Query = _root("Query", (CoreQuery, *(api.query for api in PROVIDERS)), QUERY_DESCRIPTION)
#: The root in subgraph mode: the same fields, plus Apollo Federation's `_service` and `_entities`.
SubgraphQuery = _root(
    "Query", (CoreQuery, *(api.query for api in PROVIDERS), FederationQuery), QUERY_DESCRIPTION
)
Mutation = _root(
    "Mutation",
    tuple(api.mutation for api in PROVIDERS),
    "Writes, one provider each. A refusal the caller can act on comes back in the payload's "
    "`userErrors` (with the field it is about); a failure of the provider itself is a GraphQL error. "
    "Writes are never retried blindly.",
)
#: The concrete event types: reached only through the `Event` interface, so listed explicitly.
EVENT_TYPES = tuple(event_type for api in PROVIDERS for event_type in api.types)


def build_schema(
    extensions: Sequence[Callable[[], SchemaExtension]] = (),
    execution_context_class: type[GraphQLExecutionContext[Any]] | None = None,
    max_batch: int = 0,
    subgraph: bool = False,
) -> strawberry.Schema:
    """The gateway's schema: the shared root fields plus every registered provider's (and, as a
    subgraph, Apollo Federation's)."""
    return gateway_schema(
        query=SubgraphQuery if subgraph else Query,
        mutation=Mutation,
        subscription=Subscription,
        types=EVENT_TYPES,
        extensions=extensions,
        execution_context_class=execution_context_class,
        max_batch=max_batch,
    )


def export_sdl() -> str:
    """The schema as SDL (what `schema/schema.graphql` holds)."""
    return build_schema().as_str() + "\n"


def export_subgraph_sdl() -> str:
    """The Apollo Federation v2 subgraph SDL (what `_service { sdl }` answers with GATEWAY_SUBGRAPH)."""
    return subgraph_sdl(build_schema(subgraph=True).as_str(), ENTITY_NAMES)


def schema_extensions(
    settings: Settings, prepared: PreparedOperations | None = None
) -> list[Callable[[], SchemaExtension]]:
    """The extensions every operation runs through, as factories (one instance per request);
    `prepared` records the operations that may skip them next time (see `gateway.edge.prepared`)."""
    limits = DocumentLimits(
        max_depth=settings.gateway_max_depth,
        max_cost=settings.gateway_max_cost,
        max_aliases=settings.gateway_max_aliases,
        max_length=settings.gateway_max_query_length,
        max_tokens=settings.gateway_max_query_tokens,
    )
    # First, a WebSocket operation gets its own context. The guard parses (cached), checks the
    # limits, validates (cached) and re-checks the cost with the request's variables (see
    # gateway/query_limits/guard.py), subscriptions included.
    # Hooks run in this order up to their `yield` (and after it in reverse): ExplicitNulls comes
    # after the guard, whose validation it filters. The schema drives them with its lean runner
    # (gateway/execution/lean_runner.py): strawberry's own costs per extension and stage.
    extensions: list[Callable[[], SchemaExtension]] = [
        OwnRequestState,
        RequestLog,
        MaskUnexpectedErrors,
        query_guard(limits),
        ExplicitNulls,
        WritableDates,
    ]
    if not settings.gateway_introspection:
        extensions.append(HiddenSchema)
    if prepared is not None:
        extensions.append(prepared.recorder())  # last: after every other hook has had its say
    return extensions


def create_app(settings: Settings | None = None, providers: Sequence[AnySpec] | None = None) -> Starlette:
    """The gateway as an ASGI app; `providers` (whose clients it opens) defaults to the registry's."""
    settings = settings or Settings()
    compiled = compiled_execution_context() if settings.gateway_compiled_execution else None
    prepared = PreparedOperations()
    schema = build_schema(
        extensions=schema_extensions(settings, prepared),
        execution_context_class=compiled,
        max_batch=settings.gateway_max_batch,
        subgraph=settings.gateway_subgraph,
    )
    specs = [api.spec for api in PROVIDERS] if providers is None else list(providers)
    return starlette_app(settings, schema, specs, prepared)
