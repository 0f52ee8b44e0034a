"""Python's gql against the gateway: the schema by introspection, validation before sending, a
query, a mutation, a batch in one request, and partial results. Prints one JSON report.

    python clients/python/gql_events.py <graphql url> basic '<CreateStrigoEventInput JSON>'
    python clients/python/gql_events.py <graphql url> partial
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import aiohttp
from gql import Client, GraphQLRequest, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.exceptions import TransportQueryError
from graphql import GraphQLError

EVENTS = """
query GqlEvents($first: Int!) {
  events(first: $first) {
    edges { node { id provider title startsAt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
CREATE = """
mutation GqlCreateStrigoEvent($input: CreateStrigoEventInput!) {
  createStrigoEvent(input: $input) {
    event { id title }
    userErrors { field message code }
  }
}
"""
NODE = "query GqlNode($id: ID!) { node(id: $id) { id ... on Event { title } } }"
#: A field the schema does not have: gql refuses it before any request leaves.
INVALID = "{ events(first: 1) { edges { node { id notAField } } } }"


def counting_transport(url: str, requests: list[str]) -> AIOHTTPTransport:
    """aiohttp transport that notes each HTTP request it sends."""

    async def on_request_start(_: Any, __: Any, params: aiohttp.TraceRequestStartParams) -> None:
        requests.append(params.method)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return AIOHTTPTransport(url=url, client_session_args={"trace_configs": [trace]})


async def basic(url: str, create_input: dict[str, Any]) -> dict[str, Any]:
    requests: list[str] = []
    client = Client(transport=counting_transport(url, requests), fetch_schema_from_transport=True)
    async with client as session:
        introspected = len(requests)
        assert client.schema is not None
        try:
            await session.execute(gql(INVALID))
            refused: str | None = None
        except GraphQLError as error:
            refused = error.message
        sent_after_invalid = len(requests) - introspected
        events = await session.execute(GraphQLRequest(EVENTS, variable_values={"first": 3}))
        created = await session.execute(GraphQLRequest(CREATE, variable_values={"input": create_input}))
        ids = [edge["node"]["id"] for edge in events["events"]["edges"]]
        batch_before = len(requests)
        batch = await session.execute_batch(
            [GraphQLRequest(NODE, variable_values={"id": event_id}) for event_id in ids]
        )
        return {
            "schemaTypes": len(client.schema.type_map),
            "introspectionRequests": introspected,
            "invalidRefusedLocally": refused,
            "requestsForInvalid": sent_after_invalid,
            "events": events,
            "created": created,
            "batch": batch,
            "batchRequests": len(requests) - batch_before,
        }


async def partial(url: str) -> dict[str, Any]:
    async with Client(transport=AIOHTTPTransport(url=url)) as session:
        try:
            data = await session.execute(GraphQLRequest(EVENTS, variable_values={"first": 50}))
            errors: list[Any] = []
        except TransportQueryError as error:
            # gql raises on any error in the response; the healthy providers' data rides along.
            data, errors = error.data or {}, error.errors or []
        return {
            "providers": sorted({edge["node"]["provider"] for edge in data["events"]["edges"]}),
            "errors": [error.get("extensions") for error in errors],
        }


def main(argv: list[str]) -> None:
    url, command, *rest = argv
    report = asyncio.run(basic(url, json.loads(rest[0])) if command == "basic" else partial(url))
    sys.stdout.write(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
