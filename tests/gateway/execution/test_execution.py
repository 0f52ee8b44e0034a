"""The compiled executor on the spec's tricky corners, each checked against stock graphql-core.

A small schema of its own makes every corner reachable (a non-null field holding None, a resolver
that raises, an interface with two types, properties of a thin view). Every query runs on the
compiled and the stock executor; the answers must be identical and what the spec says.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import httpx
import pytest
import strawberry
from asgi_lifespan import LifespanManager
from graphql.execution.executor import Executor
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig

from gateway.app import create_app, schema_extensions
from gateway.execution import CompiledExecutionContext, compiled_execution_context
from gateway.execution.computed import ComputedAttribute
from gateway.execution.plans import SITE_BYTES
from gateway.settings import Settings
from schema.scalars import SCALAR_MAP, as_json
from tests.harness import Gateway, Sandbox, settings_for


@strawberry.enum
class Mood(Enum):
    HAPPY = "happy"
    GRUMPY = "grumpy"


@strawberry.interface
class Animal:
    name: str


@strawberry.type
class Dog(Animal):
    barks: bool
    mood: Mood | None = None


@strawberry.type
class Cat(Animal):
    lives: int | None = None


@strawberry.type
class Owner:
    id: strawberry.ID
    nick: str
    pets: list[Animal]
    favourite: Animal | None = None
    born: datetime | None = None
    extra: JSON | None = None

    @strawberry.field
    def greeting(self, who: str = "you") -> str:
        return f"hello {who}, I am {self.nick}"

    @strawberry.field
    async def broken(self) -> str | None:
        raise ValueError("broken resolver")

    @strawberry.field
    def strict(self) -> str:
        raise ValueError("strict resolver")


@strawberry.type
class Place:
    title: str
    visits: int


class PlaceView:
    """A thin view: its fields are properties over the decoded upstream dict."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @property
    def title(self) -> str:
        return str(self.data["name"])

    @property
    def visits(self) -> int:
        return int(self.data["count"])


class DogView:
    """A thin view of a dog, cast to `Dog` and served where an `Animal` is expected."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @property
    def name(self) -> str:
        return str(self.data["dog"])

    @property
    def barks(self) -> bool:
        return bool(self.data["loud"])


class Counted(ComputedAttribute):
    """A computed attribute that counts the reads that went through its descriptor."""

    __slots__ = ("calls", "compute", "name")

    def __init__(self, compute: Callable[[Any], Any]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.calls = 0

    def reader(self) -> Callable[[Any], Any]:
        return self.compute

    def __get__(self, instance: Any, owner: type[Any] | None = None) -> Any:
        if instance is not None:
            self.calls += 1
        return super().__get__(instance, owner)


@strawberry.type
class Gadget:
    label: str
    size: int | None


class GadgetView:
    """A view whose fields are computed attributes."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @Counted
    def label(self) -> str:
        return str(self.data["label"])

    @Counted
    def size(self) -> Any:
        if self.data.get("size") == "boom":
            raise ValueError("unreadable size")
        return self.data.get("size")


class FixedSizeGadgetView(GadgetView):
    size = 42  # a plain class attribute hides the computed one


class ForgivingGadgetView(GadgetView):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return "forgiven"


REX = Dog(name="Rex", barks=True, mood=Mood.HAPPY)
TOM = Cat(name="Tom", lives=9)
ADA = Owner(id=strawberry.ID("1"), nick="ada", pets=[REX, TOM], favourite=TOM,
            born=datetime(1815, 12, 10, tzinfo=UTC), extra=as_json({"k": [1, "x"]}))  # fmt: skip
STATE: dict[str, list[Owner]] = {}
GADGETS: list[tuple[type[GadgetView], dict[str, Any], dict[str, Any]]] = []


@strawberry.type
class Query:
    @strawberry.field
    def owners(self) -> list[Owner | None]:
        return list(STATE.get("owners", [ADA]))

    @strawberry.field
    def strict_owners(self) -> list[Owner]:
        return STATE.get("owners", [ADA])

    @strawberry.field
    def places(self) -> list[Place]:
        rows = [{"name": "Lisbon", "count": 3}, {"name": "Oslo", "count": 1}]
        return [strawberry.cast(Place, PlaceView(row)) for row in rows]  # type: ignore[misc]

    @strawberry.field
    def words(self) -> list[str] | None:
        async def word(text: str) -> str:
            return text

        return [word("a"), None, word("c")]  # type: ignore[list-item]

    @strawberry.field
    def gadgets(self) -> list[Gadget]:
        made: list[Gadget] = []
        for cls, data, preset in GADGETS:
            view = cls(data)
            view.__dict__.update(preset)
            made.append(strawberry.cast(Gadget, view))  # type: ignore[arg-type]
        return made

    @strawberry.field
    def viewed_pets(self) -> list[Animal]:
        rows = [{"dog": "Ace", "loud": True}, {"dog": "Bo", "loud": False}]
        return [strawberry.cast(Dog, DogView(row)) for row in rows]  # type: ignore[misc]


class CountingContext(CompiledExecutionContext):
    """The compiled executor, counting what still goes through graphql-core's `execute_field`."""

    plans = compiled_execution_context(max_plans=2).plans
    executed: list[str] = []

    def execute_field(self, parent_type: Any, source: Any, details: Any, path: Any, context: Any) -> Any:
        self.executed.append(f"{parent_type.name}.{details[0].node.name.value}")
        return super().execute_field(parent_type, source, details, path, context)


def make_schema(context: type[Executor[Any]] | None) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query, types=[Dog, Cat], config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=context,
    )  # fmt: skip


STOCK, COMPILED = make_schema(None), make_schema(CountingContext)


@pytest.fixture(autouse=True)
def fresh_state() -> None:
    STATE.clear()
    CountingContext.executed.clear()


async def both(
    query: str, variables: dict[str, Any] | None = None, name: str | None = None
) -> dict[str, Any]:
    """The answer of both executors, asserted identical (data, errors, paths, locations)."""
    answers = []
    for schema in (STOCK, COMPILED):
        result = await schema.execute(query, variable_values=variables, operation_name=name)
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        answers.append(answer)
    stock, compiled = answers
    assert compiled == stock
    assert list(_keys(compiled["data"])) == list(_keys(stock["data"]))  # field order too
    return compiled


def _keys(value: Any) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


async def test_null_in_a_non_null_field_nulls_its_list_item() -> None:
    STATE["owners"] = [ADA, Owner(id=strawberry.ID("2"), nick=None, pets=[])]  # type: ignore[arg-type]
    answer = await both("{ owners { id nick } }")
    assert answer["data"] == {"owners": [{"id": "1", "nick": "ada"}, None]}
    [error] = answer["errors"]
    assert error["message"] == "Cannot return null for non-nullable field Owner.nick."
    assert error["path"] == ["owners", 1, "nick"]
    assert error["locations"] == [{"line": 1, "column": 15}]


async def test_null_propagates_through_non_null_items_to_the_nearest_nullable_parent() -> None:
    STATE["owners"] = [ADA, Owner(id=strawberry.ID("2"), nick=None, pets=[])]  # type: ignore[arg-type]
    answer = await both("{ strictOwners { nick } }")
    assert answer["data"] is None
    assert [error["path"] for error in answer["errors"]] == [["strictOwners", 1, "nick"]]


async def test_null_inside_plain_nested_objects_nulls_up_to_the_nearest_nullable_parent() -> None:
    nameless = Dog(name=None, barks=False)  # type: ignore[arg-type]
    STATE["owners"] = [Owner(id=strawberry.ID("3"), nick="bo", pets=[nameless, TOM], favourite=nameless)]
    answer = await both("{ owners { favourite { name } pets { name } } }")
    # `favourite` is nullable: it alone is null; `pets` is `[Animal!]!`: the owner becomes null.
    assert answer["data"] == {"owners": [None]}
    assert [error["path"] for error in answer["errors"]] == [
        ["owners", 0, "favourite", "name"],
        ["owners", 0, "pets", 0, "name"],
    ]


async def test_a_failing_list_item_leaves_no_awaitable_item_unsettled() -> None:
    answer = await both("{ words }")
    assert answer["data"] == {"words": None}
    assert [error["path"] for error in answer["errors"]] == [["words", 1]]
    await asyncio.sleep(0)  # the background settling runs
    gc.collect()  # an item never awaited would warn here (and warnings are errors)


async def test_an_error_in_a_custom_resolver_leaves_the_plain_fields_beside_it() -> None:
    answer = await both("{ owners { id broken nick } }")
    assert answer["data"] == {"owners": [{"id": "1", "broken": None, "nick": "ada"}]}
    [error] = answer["errors"]
    assert (error["message"], error["path"]) == ("broken resolver", ["owners", 0, "broken"])
    strict = await both("{ owners { id strict } }")
    assert strict["data"] == {"owners": [None]}
    assert strict["errors"][0]["path"] == ["owners", 0, "strict"]


async def test_skip_and_include_with_variables_get_a_plan_each() -> None:
    query = (
        "query($skip: Boolean!, $with: Boolean!) { owners { id @skip(if: $skip) nick @include(if: $with) } }"
    )
    seen = []
    for skip in (True, False):
        for with_nick in (True, False):
            answer = await both(query, {"skip": skip, "with": with_nick})
            seen.append(sorted(answer["data"]["owners"][0]))
    assert seen == [["nick"], [], ["id", "nick"], ["id"]]


async def test_each_operation_of_a_document_gets_its_own_plan() -> None:
    document = "query Ids { owners { id } } query Nicks { owners { nick } }"
    assert (await both(document, name="Ids"))["data"] == {"owners": [{"id": "1"}]}
    assert (await both(document, name="Nicks"))["data"] == {"owners": [{"nick": "ada"}]}
    assert (await both(document, name="Ids"))["data"] == {"owners": [{"id": "1"}]}


async def test_fragments_on_the_interface_and_on_concrete_types() -> None:
    answer = await both(
        "{ owners { pets { ... on Animal { name } ... on Dog { barks mood } ...Lives } } } "
        "fragment Lives on Cat { lives name }"
    )
    assert answer["data"] == {
        "owners": [{"pets": [{"name": "Rex", "barks": True, "mood": "HAPPY"}, {"name": "Tom", "lives": 9}]}]
    }


async def test_typename_on_abstract_and_concrete_positions() -> None:
    answer = await both(
        "{ __typename owners { __typename favourite { __typename } pets { __typename name } } }"
    )
    assert answer["data"] == {
        "__typename": "Query",
        "owners": [
            {
                "__typename": "Owner",
                "favourite": {"__typename": "Cat"},
                "pets": [{"__typename": "Dog", "name": "Rex"}, {"__typename": "Cat", "name": "Tom"}],
            }
        ],
    }


async def test_aliases_with_different_arguments_and_merged_duplicates() -> None:
    answer = await both(
        '{ owners { a: greeting(who: "ann") b: greeting(who: "bob") greeting '
        "id ... on Owner { id nick } id } }"
    )
    assert answer["data"] == {
        "owners": [
            {
                "a": "hello ann, I am ada",
                "b": "hello bob, I am ada",
                "greeting": "hello you, I am ada",
                "id": "1",
                "nick": "ada",
            }
        ]
    }


async def test_scalars_and_enums_use_their_types_serializers_and_errors() -> None:
    answer = await both("{ owners { born extra pets { ... on Dog { mood } } } }")
    assert answer["data"] == {
        "owners": [
            {"born": "1815-12-10T00:00:00+00:00", "extra": {"k": [1, "x"]}, "pets": [{"mood": "HAPPY"}, {}]}
        ]
    }
    odd = [Dog(name="Odd", barks=True, mood="sulky"), Cat(name="Old", lives=2**40)]  # type: ignore[arg-type]
    STATE["owners"] = [Owner(id=strawberry.ID("4"), nick="x", pets=odd)]
    answer = await both("{ owners { pets { ... on Dog { mood } ... on Cat { lives } } } }")
    assert answer["data"] == {"owners": [{"pets": [{"mood": None}, {"lives": None}]}]}
    assert [error["message"] for error in answer["errors"]] == [
        "Enum 'Mood' cannot represent value: 'sulky'",
        "Int cannot represent non 32-bit signed integer value: 1099511627776",
    ]


async def test_thin_views_are_read_through_their_properties() -> None:
    answer = await both("{ places { title visits } }")
    assert answer["data"] == {"places": [{"title": "Lisbon", "visits": 3}, {"title": "Oslo", "visits": 1}]}
    assert CountingContext.executed == ["Query.places"]
    behind_interface = await both("{ viewedPets { __typename name ... on Dog { barks } } }")
    assert behind_interface["data"] == {
        "viewedPets": [
            {"__typename": "Dog", "name": "Ace", "barks": True},
            {"__typename": "Dog", "name": "Bo", "barks": False},
        ]
    }
    assert CountingContext.executed == ["Query.places", "Query.viewedPets"]


async def test_computed_attributes_are_read_inline_as_their_lookup_would() -> None:
    GADGETS[:] = [
        (GadgetView, {"label": "a", "size": 1}, {}),
        (GadgetView, {"label": "b", "size": 2}, {"label": "kept"}),  # computed (or set) before
        (FixedSizeGadgetView, {"label": "c", "size": 3}, {}),
        (GadgetView, {"label": "d", "size": "boom"}, {}),
        (ForgivingGadgetView, {"label": "e", "size": 5}, {}),
        *(
            (type(f"Kind{index}", (GadgetView,), {}), {"label": f"k{index}", "size": index}, {})
            for index in range(12)
        ),
    ]
    answer = await both("{ gadgets { label size } }")
    assert answer["data"]["gadgets"][:5] == [
        {"label": "a", "size": 1},
        {"label": "kept", "size": 2},
        {"label": "c", "size": 42},
        {"label": "d", "size": None},
        {"label": "e", "size": 5},
    ]
    assert [error["message"] for error in answer["errors"]] == ["unreadable size"]
    assert answer["data"]["gadgets"][5:] == [{"label": f"k{index}", "size": index} for index in range(12)]
    label = GadgetView.__dict__["label"]
    label.calls = 0
    await COMPILED.execute("{ gadgets { label } }")
    # Through the descriptor: the view with `__getattr__`, and the 7 views of the classes past the
    # first 8 (read by the runner for any class); the first 8 classes' views are read inline.
    assert label.calls == 1 + 7
    label.calls = 0
    await STOCK.execute("{ gadgets { label } }")
    assert label.calls == 16


async def test_plain_fields_bypass_graphql_cores_field_machinery() -> None:
    await both("{ owners { id nick greeting pets { name ... on Dog { barks } } } }")
    # Only the resolvers went through `execute_field`: the root field and `greeting`.
    assert CountingContext.executed == ["Query.owners", "Owner.greeting"]


async def test_an_object_without_a_runner_is_executed_by_graphql_core(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unable(*args: Any) -> None:
        raise RuntimeError("cannot generate")

    monkeypatch.setattr("gateway.execution.plans.build_runner", unable)
    answer = await both("{ owners { id greeting pets { __typename name } } }")
    assert answer["data"]["owners"][0]["pets"] == [
        {"__typename": "Dog", "name": "Rex"},
        {"__typename": "Cat", "name": "Tom"},
    ]
    assert "no compiled runner for Owner" in caplog.text
    assert "Owner.id" in CountingContext.executed


async def test_plans_are_a_bounded_cache() -> None:
    for query in ("{ owners { id } }", "{ owners { nick } }", "{ owners { id nick } }"):
        await both(query)
    assert len(CountingContext.plans) == 2


def test_the_setting_turns_compiled_execution_off(monkeypatch: pytest.MonkeyPatch) -> None:
    default = _schema_of(create_app(Settings.from_values({}), providers=[]))
    assert issubclass(default.execution_context_class, CompiledExecutionContext)
    monkeypatch.setenv("GATEWAY_COMPILED_EXECUTION", "false")
    off = Settings(_env_file=None)  # type: ignore[call-arg]
    assert off.gateway_compiled_execution is False
    stock = _schema_of(create_app(off, providers=[]))
    assert not issubclass(stock.execution_context_class, CompiledExecutionContext)


async def test_the_gateway_extensions_run_around_the_compiled_path(caplog: pytest.LogCaptureFixture) -> None:
    schema = strawberry.Schema(
        query=Query,
        types=[Dog, Cat],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=schema_extensions(Settings.from_values({})),
        execution_context_class=CountingContext,
    )
    caplog.set_level(logging.INFO, logger="gateway.request")
    result = await schema.execute("{ owners { id broken } }")
    assert result.data == {"owners": [{"id": "1", "broken": None}]}
    [error] = result.errors or []
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR", "requestId": "unknown"}  # masked
    assert CountingContext.executed == ["Query.owners", "Owner.broken"]  # the compiled path ran
    assert [record.message for record in caplog.records if record.name == "gateway.request"] == [
        "graphql request"
    ]


async def test_the_gateway_runs_requests_on_the_compiled_path(sandbox: Sandbox) -> None:
    app = create_app(settings_for(sandbox))
    plans = _schema_of(app).execution_context_class.plans
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            gateway = Gateway(http)
            data = await gateway.data("{ strigoEvents { id title class { name } } }")
            assert data["strigoEvents"][0]["class"]["name"]
            assert len(plans) == 1
            # The gateway's extensions still run around it: the complexity rule refuses first.
            aliases = " ".join(f"a{index}: __typename" for index in range(40))
            refused = await gateway.query("{ " + aliases + " }")
            assert refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
            assert len(plans) == 1


def _schema_of(app: Starlette) -> Any:
    [route] = [route for route in app.routes if isinstance(route, Route) and route.path == "/graphql"]
    return route.endpoint.schema  # type: ignore[attr-defined]


async def test_plans_are_bounded_by_their_estimated_memory_too() -> None:
    class SmallCache(CompiledExecutionContext):
        plans = compiled_execution_context(max_plans=100, max_bytes=60 * SITE_BYTES).plans

    schema = make_schema(SmallCache)
    queries = [f"{{ a{index}: owners {{ id nick born extra pets {{ name }} }} }}" for index in range(12)]
    for query in queries:
        result = await schema.execute(query)
        assert result.errors is None
    cache = SmallCache.plans
    assert 1 < len(cache) < len(queries)  # each plan weighs ~10 positions (and their runners)
    assert cache.estimated_bytes <= 60 * SITE_BYTES


async def test_a_finished_execution_is_freed_without_the_cycle_collector() -> None:
    executors: list[weakref.ref[Any]] = []

    class Watched(CountingContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            executors.append(weakref.ref(self))

    schema = make_schema(Watched)
    gc.collect()
    gc.disable()
    try:
        result = await schema.execute("{ owners { id favourite { name } pets { name } } }")
        assert result.errors is None
        del result
        assert executors
        assert all(executor() is None for executor in executors)  # freed by reference counting
    finally:
        gc.enable()
