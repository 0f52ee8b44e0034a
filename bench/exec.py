"""In-process benchmark of GraphQL execution: the compiled path vs stock graphql-core, same objects.

    python bench/exec.py                  # every scenario, 7 interleaved rounds
    python bench/exec.py --rounds 15 --min-time 0.5

The Strigo sandbox's seed (100 of its events, its 20 classes) is decoded and turned into
`StrigoEvent` objects once; a bench `Query` returns those same objects to both schemas, and
`class` is the real resolver (dataloader over an in-memory client), so only execution differs.
The "built per call" scenarios build the objects from the decoded JSON on every call, as a
request does (`StrigoEvent.from_upstream`), directly and behind the `Event` interface: they
measure issue 14's "cheaper objects", and a last table compares them, in the same rounds, with
objects built eagerly (every field computed, then the dataclass: what `from_upstream` did before).
Each scenario is timed two ways: through strawberry's `Schema.execute` with the gateway's own
extensions (what a request costs minus HTTP), and through graphql-core's `execute` alone on a
parsed document (the executor by itself). Rounds alternate stock / compiled so that load from
other processes hits both alike; the ratio of the medians is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLObjectType, execute, parse
from graphql.pyutils import Path as GraphQLPath
from graphql.pyutils import gather_with_cancel
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.app import schema_extensions  # noqa: E402
from gateway.execution import compiled_execution_context  # noqa: E402
from gateway.providers.base import JSONObject  # noqa: E402
from gateway.request.loaders import Loaders  # noqa: E402
from gateway.sandbox.strigo_seed import seed_state  # noqa: E402
from gateway.settings import Settings  # noqa: E402
from schema.event import Event  # noqa: E402
from schema.scalars import SCALAR_MAP  # noqa: E402
from schema.strigo import StrigoEvent  # noqa: E402

SCENARIOS = {
    "100 events x 10 fields": "{ strigoEvents { id title startsAt endsAt status availability classId url "
    "provider providerId } }",
    "100 events + class": "{ strigoEvents { id title class { name } } }",
    # Objects built from the decoded JSON on every call, as a request builds them.
    "100 events x 10 fields, built per call": "{ freshStrigoEvents { id title startsAt endsAt status "
    "availability classId url provider providerId } }",
    "100 events behind `Event`, built per call": "{ events { __typename id title startsAt "
    "... on StrigoEvent { status availability } } }",
}

_STATE = seed_state(rate_limit=10**9, clock=time.monotonic)
#: Strigo's 100 events as the client hands them over: decoded JSON.
DATA = [event.to_json() for event in list(_STATE.events.values())[:100]]
EVENTS = [StrigoEvent.from_upstream(data) for data in DATA]
CLASSES = {class_id: strigo_class.to_json() for class_id, strigo_class in _STATE.classes.items()}


@strawberry.type
class BenchQuery:
    @strawberry.field
    def strigo_events(self) -> list[StrigoEvent]:
        return EVENTS

    @strawberry.field
    def fresh_strigo_events(self) -> list[StrigoEvent]:
        return [StrigoEvent.from_upstream(data) for data in DATA]

    @strawberry.field
    def events(self) -> list[Event]:
        return [StrigoEvent.from_upstream(data) for data in DATA]

    @strawberry.field
    def eager_strigo_events(self) -> list[StrigoEvent]:
        return [eager(StrigoEvent.from_upstream(data)) for data in DATA]

    @strawberry.field
    def eager_events(self) -> list[Event]:
        return [eager(StrigoEvent.from_upstream(data)) for data in DATA]


_VALUE_FIELDS = [field.name for field in dataclasses.fields(StrigoEvent) if field.init]


def eager(view: StrigoEvent) -> StrigoEvent:
    """What `from_upstream` built before views: every field computed, then the dataclass."""
    return StrigoEvent(**{name: getattr(view, name) for name in _VALUE_FIELDS})


class InMemoryStrigo:
    """The one client method `StrigoEvent.class` uses, answered from the seed."""

    async def load_classes(self, ids: Sequence[str]) -> list[JSONObject | None]:
        return [CLASSES.get(class_id) for class_id in ids]


class BenchContext:
    """What the `class` resolver reads from the gateway's context: a client and fresh loaders."""

    request_id = "bench"
    partial_errors: list[Any] = []
    upstream_calls: list[str] = []
    _client = InMemoryStrigo()

    def __init__(self) -> None:
        self.loaders = Loaders()

    def client(self, spec: Any) -> InMemoryStrigo:
        return self._client


def bench_schema(compiled: bool) -> strawberry.Schema:
    return strawberry.Schema(
        query=BenchQuery,
        types=[StrigoEvent],
        extensions=schema_extensions(Settings.from_values({})),
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=compiled_execution_context() if compiled else None,
    )


def through_strawberry(schema: strawberry.Schema, query: str) -> Callable[[], Awaitable[Any]]:
    async def run() -> Any:
        result = await schema.execute(query, context_value=BenchContext())
        assert not result.errors, result.errors
        return result.data

    return run


def through_graphql_core(
    schema: strawberry.Schema, query: str, compiled: bool
) -> Callable[[], Awaitable[Any]]:
    document = parse(query)
    executor = compiled_execution_context() if compiled else StrawberryGraphQLCoreExecutionContext

    async def run() -> Any:
        result = execute(schema._schema, document, context_value=BenchContext(), executor_class=executor)
        if asyncio.iscoroutine(result):
            result = await result
        assert not result.errors, result.errors  # type: ignore[union-attr]
        return result.data  # type: ignore[union-attr]

    return run


def class_resolvers_alone(schema: strawberry.Schema) -> Callable[[], Awaitable[Any]]:
    """What any executor must do for `class` on 100 events: call strawberry's resolver with a resolve
    info, concurrently (one asyncio task each), through one request's dataloader. No completion."""
    graphql_schema = schema._schema
    event_type = graphql_schema.type_map["StrigoEvent"]
    assert isinstance(event_type, GraphQLObjectType)
    field = event_type.fields["class"]
    assert field.resolve is not None
    resolve = field.resolve
    document = parse("{ strigoEvents { class { name } } }")
    node = document.definitions[0].selection_set.selections[0].selection_set.selections[0]  # type: ignore[attr-defined]
    executor = StrawberryGraphQLCoreExecutionContext.build(graphql_schema, document)
    assert isinstance(executor, StrawberryGraphQLCoreExecutionContext)
    root = GraphQLPath(None, "strigoEvents", "Query")

    async def run() -> Any:
        executor.context_value = BenchContext()
        pending = [
            resolve(
                event,
                executor.build_resolve_info(
                    field,
                    [node],
                    event_type,
                    GraphQLPath(GraphQLPath(root, index, None), "class", "StrigoEvent"),
                ),
            )
            for index, event in enumerate(EVENTS)
        ]
        return await gather_with_cancel(*pending)

    return run


async def per_call(run: Callable[[], Awaitable[Any]], min_time: float) -> float:
    """Seconds per call, over as many calls as fill `min_time`."""
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < min_time:
        await run()
        calls += 1
    return elapsed / calls


async def timed(variants: list[Callable[[], Awaitable[Any]]], args: Any) -> list[float]:
    """Median milliseconds per call of each variant, over interleaved rounds."""
    for _ in range(3):  # warm up: plans compiled, caches filled
        for variant in variants:
            await variant()
    times: list[list[float]] = [[] for _ in variants]
    for _ in range(args.rounds):
        for variant, samples in zip(variants, times, strict=True):
            samples.append(await per_call(variant, args.min_time))
    return [statistics.median(samples) * 1000 for samples in times]


async def compare(stock: Callable[[], Awaitable[Any]], fast: Callable[[], Awaitable[Any]], args: Any) -> str:
    assert await stock() == await fast(), "the two paths disagree"
    slow_ms, fast_ms = await timed([stock, fast], args)
    return f"{slow_ms:.2f} | {fast_ms:.2f} | **{slow_ms / fast_ms:.1f}x**"


async def main(args: argparse.Namespace) -> None:
    stock_schema, fast_schema = bench_schema(False), bench_schema(True)
    print(
        f"{len(EVENTS)} StrigoEvent objects built once; {args.rounds} interleaved rounds of ≥{args.min_time}s"
    )
    print("| scenario | via | stock ms/op | compiled ms/op | speed-up |")
    print("|---|---|---|---|---|")
    for name, query in SCENARIOS.items():
        row = await compare(
            through_strawberry(stock_schema, query), through_strawberry(fast_schema, query), args
        )
        print(f"| {name} | strawberry `Schema.execute` + gateway extensions | {row} |", flush=True)
        row = await compare(
            through_graphql_core(stock_schema, query, False),
            through_graphql_core(fast_schema, query, True),
            args,
        )
        print(f"| {name} | graphql-core `execute` alone | {row} |", flush=True)
    print("\nObjects built per call, compiled path: eager (every field, as before views) vs views")
    print("| scenario | eager ms/op | views ms/op | speed-up |")
    print("|---|---|---|---|")
    for name, query in SCENARIOS.items():
        if "built per call" in name:
            eager_query = query.replace("{ freshStrigoEvents", "{ eagerStrigoEvents").replace(
                "{ events", "{ eagerEvents"
            )
            eager_run = through_strawberry(fast_schema, eager_query)
            views_run = through_strawberry(fast_schema, query)
            assert next(iter((await eager_run()).values())) == next(iter((await views_run()).values()))
            eager_ms, views_ms = await timed([eager_run, views_run], args)
            print(
                f"| {name} | {eager_ms:.2f} | {views_ms:.2f} | **{eager_ms / views_ms:.1f}x** |", flush=True
            )
    stock = through_graphql_core(stock_schema, SCENARIOS["100 events + class"], False)
    stock_ms, floor_ms = await timed([stock, class_resolvers_alone(stock_schema)], args)
    print(
        f"\n`100 events + class` in stock graphql-core: the 100 `class` resolver calls alone take "
        f"{floor_ms:.2f} ms (stock execute: {stock_ms:.2f} ms); the compiled path calls none of them "
        "(a `BatchedLoad` field: one pass over the list, gateway/execution/deferral.py)."
    )


def cli() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per variant")
    parser.add_argument("--min-time", type=float, default=0.3, help="seconds per round")
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
