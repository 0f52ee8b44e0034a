"""An attack schema for `BatchedLoad` fields: two loaders with chosen delays and failures, an
interface and a union around objects with batched fields, lists of nullable items, objects that a
non-null failure discards, and async fields that fail.

`run` executes a query on the stock or the compiled schema and returns what a client would see
(or the exception that escaped execution instead) and the batches each loader was asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import strawberry
from aiodataloader import DataLoader

from gateway.execution import CompiledExecutionContext, compiled_execution_context
from gateway.execution.batched import BatchedLoad
from gateway.request.loaders import RequestLoader


@dataclass
class Store:
    """One request: its loaders, what they were asked for, how slow and which of them fail."""

    tables: dict[str, dict[str, dict[str, Any]]]
    items: list[Any]
    delays: dict[str, int] = field(default_factory=dict)  # loop turns before a batch answers
    failing: set[str] = field(default_factory=set)
    batches: list[tuple[str, list[Hashable]]] = field(default_factory=list)
    loaders: dict[str, DataLoader[Any, Any]] = field(default_factory=dict)

    def loader(self, name: str) -> DataLoader[Any, Any]:
        if name not in self.loaders:

            async def batch(keys: Sequence[Hashable]) -> list[Any]:
                self.batches.append((name, list(keys)))
                for _ in range(self.delays.get(name, 1)):
                    await asyncio.sleep(0)
                if name in self.failing:
                    raise RuntimeError(f"{name} down")
                table = self.tables[name]
                return [table.get(str(key)) for key in keys]

            self.loaders[name] = RequestLoader(batch, None)
        return self.loaders[name]


@strawberry.type
class Coach:
    name: str


def _coach(data: dict[str, Any]) -> Coach:
    if "name" not in data:
        raise ValueError("coach without name")
    return Coach(name=data["name"])


def _coach_key(team: Any) -> str | None:
    key: str | None = team.coach_key
    return key


def _assistant_key(team: Any) -> str | None:
    key: str | None = team.assistant_key
    return key


COACH: BatchedLoad[Any, Store, dict[str, Any], Coach] = BatchedLoad(
    key=_coach_key, loader=lambda store: store.loader("coaches"), convert=_coach
)
ASSISTANT: BatchedLoad[Any, Store, dict[str, Any], Coach] = BatchedLoad(
    key=_assistant_key, loader=lambda store: store.loader("coaches"), convert=_coach
)


@strawberry.type
class Team:
    key: str
    title: str
    coach_key: strawberry.Private[str | None] = None
    assistant_key: strawberry.Private[str | None] = None

    @strawberry.field(metadata=COACH.metadata)  # type: ignore[untyped-decorator]
    async def coach(self, info: strawberry.Info[Store, None]) -> Coach | None:
        return await COACH.resolve(self, info.context)

    @strawberry.field
    async def assistant(self, info: strawberry.Info[Store, None], polite: bool = False) -> Coach | None:
        """The same kind of load as `coach`, by a resolver (an argument keeps it from the deferral)."""
        return await ASSISTANT.resolve(self, info.context)


def _team(data: dict[str, Any]) -> Team:
    if "title" not in data:
        raise ValueError("team without title")
    return Team(
        key=data["key"], title=data["title"], coach_key=data.get("coach"), assistant_key=data.get("assistant")
    )


def _team_key(member: Any) -> str | None:
    key: str | None = member.team_key
    return key


def _mentor_key(member: Any) -> str | None:
    key: str | None = member.mentor_key
    return key


def _teams(store: Store) -> DataLoader[Any, Any]:
    return store.loader("teams")


def _coaches(store: Store) -> DataLoader[Any, Any]:
    return store.loader("coaches")


TEAM: BatchedLoad[Any, Store, dict[str, Any], Team] = BatchedLoad(key=_team_key, loader=_teams, convert=_team)
MENTOR: BatchedLoad[Any, Store, dict[str, Any], Coach] = BatchedLoad(
    key=_mentor_key, loader=_coaches, convert=_coach
)


@strawberry.interface
class Member:
    name: str

    @strawberry.field(metadata=TEAM.metadata)  # type: ignore[untyped-decorator]
    async def team(self, info: strawberry.Info[Store, None]) -> Team | None:
        return await TEAM.resolve(self, info.context)


@strawberry.type
class Player(Member):
    team_key: strawberry.Private[str | None]
    mentor_key: strawberry.Private[str | None] = None

    @strawberry.field(metadata=MENTOR.metadata)  # type: ignore[untyped-decorator]
    async def mentor(self, info: strawberry.Info[Store, None]) -> Coach | None:
        return await MENTOR.resolve(self, info.context)

    @strawberry.field(metadata=TEAM.metadata)  # type: ignore[untyped-decorator]
    async def sure_team(self, info: strawberry.Info[Store, None]) -> Team:
        team = await TEAM.resolve(self, info.context)
        if team is None:
            raise LookupError(f"{self.name} has no team")
        return team

    @strawberry.field
    async def must(self) -> str:
        await asyncio.sleep(0)
        raise ValueError(f"{self.name} must fails")

    @strawberry.field
    def sync_must(self) -> str:
        if self.name.startswith("X"):
            raise ValueError(f"{self.name} sync must fails")
        return self.name


@strawberry.type
class Staff(Member):
    team_key: strawberry.Private[str | None]
    role: str = "staff"


Anyone = Annotated[Player | Staff, strawberry.union("Anyone")]


@strawberry.type
class Holder:
    player: Player
    maybe: Player | None


@strawberry.type
class Query:
    @strawberry.field
    def players(self, info: strawberry.Info[Store, None]) -> list[Player]:
        return [item for item in info.context.items if isinstance(item, Player)]

    @strawberry.field
    def nullable_players(self, info: strawberry.Info[Store, None]) -> list[Player | None]:
        return [item for item in info.context.items if isinstance(item, Player)]

    @strawberry.field
    def members(self, info: strawberry.Info[Store, None]) -> list[Member]:
        return list(info.context.items)

    @strawberry.field
    def anyone(self, info: strawberry.Info[Store, None]) -> list[Anyone]:
        return list(info.context.items)

    @strawberry.field
    def holders(self, info: strawberry.Info[Store, None]) -> list[Holder | None]:
        return [Holder(player=item, maybe=item) for item in info.context.items if isinstance(item, Player)]

    @strawberry.field
    async def must_root(self) -> str:
        for _ in range(2):
            await asyncio.sleep(0)
        raise ValueError("root must fails")


class AttackContext(CompiledExecutionContext):
    plans = compiled_execution_context().plans


STOCK = strawberry.Schema(query=Query, types=[Player, Staff])
COMPILED = strawberry.Schema(query=Query, types=[Player, Staff], execution_context_class=AttackContext)

TABLES: dict[str, dict[str, dict[str, Any]]] = {
    "teams": {
        "red": {"key": "red", "title": "Reds", "coach": "ann", "assistant": "cat"},
        "blue": {"key": "blue", "title": "Blues", "coach": "bob", "assistant": "dan"},
        "bad": {"key": "bad"},  # its conversion fails
    },
    "coaches": {
        "ann": {"name": "Ann"},
        "bob": {"name": "Bob"},
        "cat": {"name": "Cat"},
        "dan": {"name": "Dan"},
        "badc": {},
    },
}


def roster() -> list[Any]:
    """Players and staff, with teams and mentors that load, fail to convert, or are missing."""
    return [
        Player(name="Ada", team_key="red", mentor_key="bob"),
        Staff(name="Sam", team_key="blue"),
        Player(name="Bo", team_key="blue", mentor_key="badc"),
        Player(name="Cy", team_key="red", mentor_key=None),
        Player(name="Di", team_key="bad", mentor_key="ann"),
        Staff(name="Tia", team_key="bad"),
        Player(name="Ed", team_key="gone", mentor_key="zzz"),
    ]


Outcome = tuple[dict[str, Any], list[tuple[str, list[Hashable]]]]


async def run(
    schema: strawberry.Schema,
    query: str,
    items: list[Any] | None = None,
    variables: dict[str, Any] | None = None,
    **store: Any,
) -> Outcome:
    """What the client would get (or `{"raised": ...}`), and the batches the loaders were asked for."""
    request = Store(tables=TABLES, items=roster() if items is None else items, **store)
    answer: dict[str, Any]
    try:
        result = await schema.execute(query, context_value=request, variable_values=variables)
    except BaseException as error:
        answer = {"raised": repr(error)}
    else:
        answer = {"data": result.data, "errors": [error.formatted for error in result.errors or []]}
    return answer, request.batches


async def both(
    query: str, items: list[Any] | None = None, variables: dict[str, Any] | None = None, **store: Any
) -> tuple[Outcome, Outcome]:
    """(stock's outcome, the compiled executor's outcome) for the same query and request."""
    return (
        await run(STOCK, query, items, variables, **store),
        await run(COMPILED, query, items, variables, **store),
    )


def unordered(outcome: Outcome) -> tuple[Any, ...]:
    """An outcome with its errors, and the keys of each batch, in a canonical order: what may differ
    where graphql-core's task scheduling decides (`gateway.execution.deferral`)."""
    answer, batches = outcome
    errors = sorted(map(repr, answer.get("errors", [])))
    return (
        answer.get("data"),
        answer.get("raised"),
        errors,
        [(name, sorted(map(repr, keys))) for name, keys in batches],
    )
