"""Attacks on `BatchedLoad` deferral (compiled) against stock graphql-core, in process.

Each failing test here is a difference between the two executors that the deferral's claim
("answers, errors and their order, upstream calls identical; nothing leaks") rules out. The
passing ones pin down cases that held.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import warnings
from typing import Any

import pytest

from tests.attacks.batched_schema import COMPILED, STOCK, Player, both, run, unordered
from tests.gateway.execution import test_batched_loads as small


async def test_a_shared_load_whose_waiter_is_cancelled_answers_as_stock() -> None:
    """Found here: `team` (deferred) and `sureTeam` (a non-null BatchedLoad: resolved, in a task)
    wait on one load. Bo's `sureTeam` fails, the non-null list fails, graphql-core cancels Ada's
    `sureTeam` task, which cancelled the shared future: the deferral read it and a raw
    CancelledError escaped `execute`. Loads are shielded now, and an item's error is the list's."""
    players = [small.Player(name="Ada", team_key="red"), small.Player(name="Bo", team_key="boom")]
    query = "{ players { team { title } sureTeam { title } } }"
    answers = [(await small.outcome(schema, query, players))[0] for schema in (small.STOCK, small.COMPILED)]
    stock, compiled = answers
    assert stock["data"] is None
    assert stock["errors"]
    assert compiled == stock


async def test_a_failing_batch_under_nested_lists_with_a_non_null_sibling_is_no_cancelled_error() -> None:
    """The same with the loader failing: stock listed five errors, compiled raised CancelledError."""
    query = "{ pages { node { team { title } sureTeam { title } } } }"
    answers = [
        (await small.outcome(schema, query, small.ROSTER, failing_batch="teams"))[0]
        for schema in (small.STOCK, small.COMPILED)
    ]
    assert "raised" not in answers[1], answers[1]
    assert answers[1] == answers[0]


async def test_a_cancelled_list_leaves_no_never_retrieved_load_exceptions() -> None:
    """Found here: a non-null root field fails while the list's deferred loads are in flight, and
    graphql-core cancels the list. Stock's resolvers cancelled the loader futures they awaited; the
    deferral only watched them, so when the batch failed later asyncio logged "Future exception was
    never retrieved" once per key. The loaders and the deferral mark what they wait on as read."""
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    reported: dict[str, list[str]] = {}
    try:
        for name, schema in (("stock", STOCK), ("compiled", COMPILED)):
            seen: list[str] = []
            loop.set_exception_handler(_noting(seen))
            answer, _ = await run(
                schema, "{ players { team { title } } mustRoot }", failing={"teams"}, delays={"teams": 6}
            )
            assert answer["data"] is None
            for _ in range(20):
                await asyncio.sleep(0)
            gc.collect()
            await asyncio.sleep(0)
            reported[name] = seen
    finally:
        loop.set_exception_handler(previous)
    assert reported["stock"] == []
    assert reported["compiled"] == [], reported["compiled"]


def _noting(seen: list[str]) -> Any:
    def note(_: Any, context: dict[str, Any]) -> None:
        seen.append(str(context.get("message")))

    return note


MEMBERS = "{ members { name team { title } ... on Player { mentor { name } } } }"


async def test_errors_of_an_interface_list_are_those_of_stock_in_another_order() -> None:
    """Found here: stock starts an object's only awaitable field in the item's own task but an
    object with two in tasks of their own (one loop turn later), so Staff's `team` loads, and fails,
    before the Players'; the deferral goes by index. The same data and errors, in another order
    (a documented difference, `gateway.execution.deferral`)."""
    stock, compiled = await both(MEMBERS, failing={"teams"})
    assert unordered(compiled) == unordered(stock)
    assert compiled[0]["errors"]


async def test_an_interface_lists_batch_asks_for_the_same_keys_in_another_order() -> None:
    """The same cause: one upstream batch, of the same keys (["blue", "bad", "red", "gone"] under
    stock, ["red", "blue", "bad", "gone"] compiled)."""
    stock, compiled = await both(MEMBERS)
    assert unordered(compiled) == unordered(stock)


async def test_errors_of_a_union_list_are_those_of_stock() -> None:
    query = (
        "{ anyone { ... on Player { team { title } mentor { name } } ... on Staff { role team { key } } } }"
    )
    stock, compiled = await both(query)
    assert compiled[0]["data"] == stock[0]["data"]
    assert unordered(compiled) == unordered(stock)


async def test_an_object_discarded_by_a_synchronous_non_null_failure_loads_no_more_than_stock() -> None:
    """Xo's `syncMust` fails before his holder's runner ends, so his `team` is never handed to the
    list: no load of "blue". Stock had already made Xo's `team` coroutine and settles it in the
    background: it loads "blue". Fewer upstream calls than stock (documented), never more."""
    items = [
        Player(name="Ada", team_key="red"),
        Player(name="Xo", team_key="blue"),
        Player(name="Cy", team_key="bad"),
    ]
    (stock, stock_batches), (compiled, compiled_batches) = await both(
        "{ holders { player { team { title } syncMust } maybe { team { key } } } }", items=items
    )
    assert compiled == stock
    asked = {(name, key) for name, keys in compiled_batches for key in keys}
    assert asked < {(name, key) for name, keys in stock_batches for key in keys}


async def test_errors_of_nullable_items_nulled_by_an_async_non_null_failure_are_those_of_stock() -> None:
    stock, compiled = await both("{ nullablePlayers { team { title } must } }")
    assert compiled[0]["data"] == stock[0]["data"]
    assert unordered(compiled) == unordered(stock)


async def test_a_cancelled_waiter_of_a_shared_load_leaves_it_to_the_others_on_both_executors() -> None:
    """Found here: graphql-core cancels one waiter of a key (Ada's holder: `must` failed beside
    `player.team`); the loader's shared future was cancelled with it, and every other field waiting
    on the key (`maybe.team`) raised CancelledError out of `execute`. Loads are shielded now
    (`RequestLoader.load`): both executors answer the same data. Stock also lists the error of a
    `maybe.team` in a holder the null discards (its resolver ran first): fewer errors, never more."""
    stock, compiled = await both("{ holders { player { team { title } must } maybe { team { key } } } }")
    assert "raised" not in stock[0]
    assert "raised" not in compiled[0]
    data, _, errors, batches = unordered(compiled)
    stock_data, _, stock_errors, stock_batches = unordered(stock)
    assert (data, batches) == (stock_data, stock_batches)
    assert set(errors) <= set(stock_errors)


HELD = [
    ("{ players { a: team { title } b: team { key } c: mentor { name } d: mentor { name } } }", {}),
    ("{ players { a: team { title } b: team { key } } }", {"failing": {"teams"}}),
    ("{ players { team { title } ...F } } fragment F on Player { team { key } mentor { name } }", {}),
    ("{ players { team @skip(if: true) { key } name } }", {}),
    ("{ players { name team { title } mentor { name } } }", {"delays": {"teams": 1, "coaches": 5}}),
    ("{ players { name team { title } mentor { name } } }", {"delays": {"teams": 5, "coaches": 1}}),
    ("{ players { name team { title } mentor { name } } }", {"failing": {"coaches"}, "delays": {"teams": 4}}),
    ("{ holders { player { team { title } } maybe { team { key } mentor { name } } } }", {}),
    ("{ players { name } again: players { team { title } } }", {"failing": {"teams"}}),
]


@pytest.mark.parametrize(("query", "store"), HELD)
async def test_what_held(query: str, store: dict[str, Any]) -> None:
    """Aliases of one batched field, fragments merging it, @skip, loaders settling in either order,
    a failing loader beside a working one, one object in two places: stock's answer and batches."""
    stock, compiled = await both(query, **store)
    assert compiled == stock


async def test_concurrent_requests_sharing_one_plan_answer_as_each_alone() -> None:
    """Forty requests at once on one plan (new plans and runners made while others run), with
    loaders settling in different orders: each answers what it answers alone."""
    queries: list[tuple[str, dict[str, Any]]] = [
        ("{ players { name team { title } mentor { name } } }", {"delays": {"teams": 3}}),
        ("{ players { name team { title } mentor { name } } }", {"failing": {"coaches"}}),
        ("{ holders { player { team { title } } maybe { mentor { name } } } }", {"delays": {"coaches": 4}}),
    ]
    alone = [await run(COMPILED, query, **store) for query, store in queries]
    together = await asyncio.gather(
        *(run(COMPILED, queries[i % 3][0], None, None, **queries[i % 3][1]) for i in range(40))
    )
    for index, outcome in enumerate(together):
        assert outcome == alone[index % 3]


DIRECTED = (
    "query($on: Boolean!, $off: Boolean! = false) { players { name "
    "a: team @include(if: $on) { title } b: team @skip(if: $on) { key } "
    "... @include(if: $off) { mentor { name } } } }"
)


@pytest.mark.parametrize("values", [{"on": True}, {"on": False}, {"on": True, "off": True}])
async def test_directives_on_batched_fields_with_variables_answer_as_stock(values: dict[str, Any]) -> None:
    """One document, its directive variables changing from request to request (one plan each)."""
    stock, compiled = await both(DIRECTED, variables=values)
    assert compiled == stock
    assert "errors" not in stock[0] or stock[0]["data"] is not None


async def test_a_resolver_beside_a_deferred_field_joins_the_batch_it_joins_under_stock() -> None:
    """Found here: under stock, a team's `coach` (BatchedLoad) and `assistant` (a resolver loading
    from the same loader) start in the same loop turn: one batch of four coaches. The deferral held
    `assistant` back until its loads settled (a second batch); completions that wait now start at
    once: one batch of the same four coaches (in another order)."""
    stock, compiled = await both("{ players { team { coach { name } assistant { name } } } }")
    assert compiled[0] == stock[0]
    assert unordered(compiled) == unordered(stock)
    assert [name for name, _ in compiled[1]] == [name for name, _ in stock[1]]


async def test_a_cancelled_compiled_execution_leaves_no_coroutine_never_awaited() -> None:
    """Found here: the request's task is cancelled (a client that left) while nested deferred loads
    are pending; the completions the deferral held back were never awaited nor closed ("coroutine
    ... was never awaited"). They run as tasks now, cancelled with the deferred pass."""
    query = "{ players { team { coach { name } assistant { name } } } }"
    never_awaited = {}
    for label, schema in (("stock", STOCK), ("compiled", COMPILED)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            task = asyncio.ensure_future(run(schema, query, delays={"coaches": 50}))
            for _ in range(10):
                await asyncio.sleep(0)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            for _ in range(60):
                await asyncio.sleep(0)
            gc.collect()
        never_awaited[label] = [
            str(warning.message) for warning in caught if "never awaited" in str(warning.message)
        ]
    assert never_awaited["stock"] == []
    assert never_awaited["compiled"] == []
