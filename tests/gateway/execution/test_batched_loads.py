"""`BatchedLoad` fields: completed by the list around their objects on the compiled path, by their
resolvers on graphql-core's; both must answer alike, with the same upstream batches.

A small schema of its own: teams (loaded by key, in batches) of players, a team's coach (loaded in
turn), loaders that fail, keys that fail, conversions that fail, and an awaitable beside them.
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
import strawberry
from aiodataloader import DataLoader
from graphql.execution.executor import Executor

from gateway.execution import CompiledExecutionContext, compiled_execution_context
from gateway.execution.batched import BatchedLoad
from gateway.request.loaders import RequestLoader


@dataclass
class Store:
    """One request's loaders, what they were asked for, and how they fail."""

    teams: dict[str, dict[str, Any]]
    coaches: dict[str, dict[str, Any]] = field(default_factory=dict)
    batches: list[tuple[str, list[Hashable]]] = field(default_factory=list)
    failing_batch: str | None = None
    loaders: dict[str, DataLoader[Any, Any]] = field(default_factory=dict)

    def loader(self, name: str) -> DataLoader[Any, Any]:
        if name not in self.loaders:
            table = self.teams if name == "teams" else self.coaches

            async def batch(keys: Sequence[Hashable]) -> list[Any]:
                self.batches.append((name, list(keys)))
                await asyncio.sleep(0)
                if self.failing_batch == name:
                    raise RuntimeError(f"{name} upstream down")
                return [table.get(str(key)) for key in keys]

            self.loaders[name] = RequestLoader(batch, None)
        return self.loaders[name]


@strawberry.type
class Coach:
    name: str


COACH: BatchedLoad[Any, Store, dict[str, Any], Coach] = BatchedLoad(
    key=lambda team: team.coach_key,
    loader=lambda context: context.loader("coaches"),
    convert=lambda data: Coach(name=data["name"]),
)


@strawberry.type
class Team:
    key: str
    title: str
    coach_key: strawberry.Private[str | None]

    @strawberry.field
    async def slow_motto(self) -> str:
        await asyncio.sleep(0)
        return f"go {self.title}"

    @strawberry.field(metadata=COACH.metadata)  # type: ignore[untyped-decorator]
    async def coach(self, info: strawberry.Info[Request, None]) -> Coach | None:
        return await COACH.resolve(self, info.context)


#: The keys of the teams converted from loaded data, in order.
CONVERTED: list[str] = []


def _team(data: dict[str, Any]) -> Team:
    CONVERTED.append(data["key"])
    if "title" not in data:
        raise ValueError("a team without a title")
    return Team(key=data["key"], title=data["title"], coach_key=data.get("coach"))


def _team_key(player: Player) -> str | None:
    if player.team_key == "boom":
        raise KeyError("unreadable team key")
    return player.team_key


def _counted_team(context: Store) -> DataLoader[Any, Any]:
    return context.loader("teams")


TEAM = BatchedLoad(key=_team_key, loader=_counted_team, convert=_team)


@strawberry.type
class Player:
    name: str
    team_key: strawberry.Private[str | None]

    @strawberry.field(metadata=TEAM.metadata)  # type: ignore[untyped-decorator]
    async def team(self, info: strawberry.Info[Request, None]) -> Team | None:
        return await TEAM.resolve(self, info.context)

    @strawberry.field(metadata=TEAM.metadata)  # type: ignore[untyped-decorator]
    async def sure_team(self, info: strawberry.Info[Request, None]) -> Team:
        team = await TEAM.resolve(self, info.context)
        assert team is not None
        return team

    @strawberry.field
    async def nickname(self) -> str | None:
        await asyncio.sleep(0)
        return self.name.lower()


@strawberry.type
class Edge:
    node: Player


@strawberry.type
class Query:
    @strawberry.field
    def players(self, info: strawberry.Info[Request, None]) -> list[Player]:
        return list(info.context.players)

    @strawberry.field
    def pages(self, info: strawberry.Info[Request, None]) -> list[list[Edge]]:
        players = info.context.players
        return [[Edge(node=player) for player in players[:2]], [Edge(node=player) for player in players[2:]]]

    @strawberry.field
    def star(self, info: strawberry.Info[Request, None]) -> Player:
        return info.context.players[0]


class CountingContext(CompiledExecutionContext):
    """The compiled executor, counting what still goes through graphql-core's `execute_field`."""

    plans = compiled_execution_context().plans
    executed: list[str] = []

    def execute_field(self, parent_type: Any, source: Any, details: Any, path: Any, context: Any) -> Any:
        self.executed.append(f"{parent_type.name}.{details[0].node.name.value}")
        return super().execute_field(parent_type, source, details, path, context)


def _schema(context: type[Executor[Any]] | None) -> strawberry.Schema:
    return strawberry.Schema(query=Query, execution_context_class=context)


STOCK, COMPILED = _schema(None), _schema(CountingContext)

TEAMS = {
    "red": {"key": "red", "title": "Reds", "coach": "ann"},
    "blue": {"key": "blue", "title": "Blues", "coach": "bob"},
    "bad": {"key": "bad"},  # no title: its conversion fails
}
COACHES = {"ann": {"name": "Ann"}, "bob": {"name": "Bob"}}


class Request(Store):
    players: list[Player]


def _request(players: list[Player], **store: Any) -> Request:
    request = Request(teams=TEAMS, coaches=COACHES, **store)
    request.players = players
    return request


ROSTER = [
    Player(name="Ada", team_key="red"),
    Player(name="Bo", team_key="blue"),
    Player(name="Cy", team_key="red"),
    Player(name="Di", team_key=None),  # no team: null, nothing loaded
    Player(name="Ed", team_key="gone"),  # a key nothing is loaded under: null
]


async def outcome(
    schema: strawberry.Schema, query: str, players: list[Player] = ROSTER, **store: Any
) -> tuple[dict[str, Any], Request]:
    """What a client gets (`{"raised": ...}` if an exception escaped execution) and the request."""
    request = _request(players, **store)
    try:
        result = await schema.execute(query, context_value=request)
    except BaseException as error:
        return {"raised": repr(error)}, request
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [error.formatted for error in result.errors]
    return answer, request


async def both(query: str, players: list[Player] = ROSTER, **store: Any) -> tuple[dict[str, Any], Request]:
    """The compiled answer (asserted identical to stock graphql-core's, batches included) and its request."""
    (stock, stock_request), (compiled, compiled_request) = [
        await outcome(schema, query, players, **store) for schema in (STOCK, COMPILED)
    ]
    assert compiled == stock
    assert compiled_request.batches == stock_request.batches
    return compiled, compiled_request


@pytest.fixture(autouse=True)
def fresh_counts() -> None:
    CountingContext.executed.clear()


async def test_a_lists_batched_fields_load_in_one_batch_without_their_resolvers() -> None:
    answer, request = await both("{ players { name team { title } } }")
    assert answer["data"]["players"] == [
        {"name": "Ada", "team": {"title": "Reds"}},
        {"name": "Bo", "team": {"title": "Blues"}},
        {"name": "Cy", "team": {"title": "Reds"}},
        {"name": "Di", "team": None},
        {"name": "Ed", "team": None},
    ]
    assert request.batches == [("teams", ["red", "blue", "gone"])]
    assert CountingContext.executed == ["Query.players"]  # no `Player.team` resolver call


async def test_each_loaded_object_is_converted_once_per_list() -> None:
    CONVERTED.clear()
    result = await COMPILED.execute("{ players { team { key } } }", context_value=_request(ROSTER))
    assert result.data is not None
    assert [player["team"] for player in result.data["players"]][:3] == [
        {"key": "red"},
        {"key": "blue"},
        {"key": "red"},
    ]
    assert CONVERTED == ["red", "blue"]  # graphql-core's resolvers convert once per field: 3 times


async def test_objects_loaded_in_turn_batch_level_by_level() -> None:
    answer, request = await both("{ players { team { title coach { name } } } }")
    assert [player["team"] and player["team"]["coach"] for player in answer["data"]["players"]] == [
        {"name": "Ann"},
        {"name": "Bob"},
        {"name": "Ann"},
        None,
        None,
    ]
    assert request.batches == [("teams", ["red", "blue", "gone"]), ("coaches", ["ann", "bob"])]


async def test_nested_lists_batch_into_their_outermost_list() -> None:
    answer, request = await both("{ pages { node { name team { title } } } }")
    assert answer["data"]["pages"][1][0] == {"node": {"name": "Cy", "team": {"title": "Reds"}}}
    assert request.batches == [("teams", ["red", "blue", "gone"])]


async def test_a_failing_batch_is_an_error_at_each_field_that_asked_and_nulls_only_it() -> None:
    answer, _ = await both("{ players { name team { title } } }", failing_batch="teams")
    assert [player["team"] for player in answer["data"]["players"]] == [None] * 5
    # Listed as graphql-core's resolvers resume: load by load (red's two waiters, blue's, gone's).
    assert [(error["message"], error["path"]) for error in answer["errors"]] == [
        ("teams upstream down", ["players", index, "team"]) for index in (0, 2, 1, 4)
    ]


async def test_a_failing_key_or_conversion_is_an_error_at_that_field_only() -> None:
    players = [
        Player(name="Ada", team_key="boom"),
        Player(name="Bo", team_key="bad"),
        Player(name="Cy", team_key="red"),
        Player(name="Di", team_key="bad"),
    ]
    answer, _ = await both("{ players { name team { title } } }", players=players)
    assert [player["team"] for player in answer["data"]["players"]] == [None, None, {"title": "Reds"}, None]
    assert [(error["message"], error["path"]) for error in answer["errors"]] == [
        ("'unreadable team key'", ["players", 0, "team"]),
        ("a team without a title", ["players", 1, "team"]),
        ("a team without a title", ["players", 3, "team"]),
    ]


async def test_a_failing_loader_lookup_is_an_error_at_each_field() -> None:
    class Broken(Request):
        def loader(self, name: str) -> DataLoader[Any, Any]:
            raise LookupError("provider not configured")

    results = []
    for schema in (STOCK, COMPILED):
        request = Broken(teams=TEAMS)
        request.players = ROSTER[:2]
        result = await schema.execute("{ players { team { title } } }", context_value=request)
        results.append((result.data, [error.formatted for error in result.errors or []]))
    assert results[0] == results[1]
    data, errors = results[1]
    assert data == {"players": [{"team": None}, {"team": None}]}
    assert [error["path"] for error in errors] == [["players", 0, "team"], ["players", 1, "team"]]


async def test_awaitable_fields_beside_and_inside_batched_ones_complete_too() -> None:
    answer, request = await both("{ players { nickname team { slowMotto coach { name } } } }")
    assert answer["data"]["players"][0] == {
        "nickname": "ada",
        "team": {"slowMotto": "go Reds", "coach": {"name": "Ann"}},
    }
    assert request.batches == [("teams", ["red", "blue", "gone"]), ("coaches", ["ann", "bob"])]


async def test_non_null_batched_fields_and_single_objects_keep_their_resolvers() -> None:
    players = ROSTER[:3]
    answer, _ = await both("{ players { sureTeam { title } } star { team { title } } }", players=players)
    assert answer["data"]["star"] == {"team": {"title": "Reds"}}
    assert CountingContext.executed.count("Player.sureTeam") == 3
    assert CountingContext.executed.count("Player.team") == 1  # `star` is no list: its resolver runs


async def test_a_non_null_failure_beside_a_batched_field_nulls_the_object_as_stock_does() -> None:
    players = [Player(name="Ada", team_key="red"), Player(name="Bo", team_key="bad")]
    answer, _ = await both("{ players { team { title } sureTeam { title } } }", players=players)
    assert answer["data"] is None
    assert {tuple(error["path"]) for error in answer["errors"]} >= {("players", 1, "sureTeam")}


async def test_a_request_cancelled_while_its_loads_wait_leaves_nothing_unawaited() -> None:
    class SlowCoaches(Request):
        def loader(self, name: str) -> DataLoader[Any, Any]:
            if name == "coaches" and name not in self.loaders:

                async def never(keys: Sequence[Hashable]) -> list[Any]:
                    await asyncio.sleep(3600)
                    return [None for _ in keys]

                self.loaders[name] = RequestLoader(never, None)
            return super().loader(name)

    request = SlowCoaches(teams=TEAMS)
    request.players = ROSTER
    # `slowMotto` completes after an await (its completion waits beside the coaches' load).
    execution = asyncio.ensure_future(
        COMPILED.execute("{ players { team { slowMotto coach { name } } } }", context_value=request)
    )
    for _ in range(20):
        await asyncio.sleep(0)
    assert not execution.done()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        execution.cancel()
        with pytest.raises(asyncio.CancelledError):
            await execution
        gc.collect()
    assert not [warning for warning in caught if "never awaited" in str(warning.message)]


async def test_a_list_nulled_by_a_non_null_field_reports_that_field_not_a_cancelled_load() -> None:
    # `sureTeam` (non-null, resolved by its resolver) and `team` (deferred) wait on one load: the
    # failing batch nulls the whole list through `sureTeam`; the deferred pass is cancelled with it.
    query = "{ pages { node { team { title } sureTeam { title } } } }"
    for players in (ROSTER, [Player(name="Ada", team_key="red"), Player(name="Bo", team_key="boom")]):
        (stock, _), (compiled, _) = [
            await outcome(schema, query, players, failing_batch="teams") for schema in (STOCK, COMPILED)
        ]
        assert compiled["data"] is stock["data"] is None
        assert any(error["path"][-1] == "sureTeam" for error in compiled["errors"])
        # Errors of what the null discards are listed as far as each executor got before it: stock's
        # resolvers may record one more (a `team` whose load failed first), never one fewer.
        assert set(map(repr, compiled["errors"])) <= set(map(repr, stock["errors"]))
