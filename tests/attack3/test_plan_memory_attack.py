"""The plan cache is bounded by count (128 plans), each plan said to be "~60 KB for a 20-field list
query: a few MB at most" (`gateway/execution/executor.py`). A client may vary a comment to make
every request a new plan, of a query the gateway's limits let through."""

from __future__ import annotations

import gc
import tracemalloc

from gateway.execution.executor import DEFAULT_MAX_PLANS
from tests.harness import running_gateway, running_sandbox, settings_for

FIELDS = (
    "id provider providerId title description startsAt endsAt timezone allDay startDate endDate url "
    "location status raw eventLink token classId name availability dateStart dateEnd includeChat "
    "includeVideo includeLabExercises isRecorded tas trainees strigoStatus partnerId labels "
    "class { id name description labels raw } owner { __typename }"
)
ALIASES = 12
PLANS_MEASURED = 4


def _query(variant: int) -> str:
    selections = " ".join(f"a{index}: strigoEvents {{ {FIELDS} }}" for index in range(ALIASES))
    return "{ " + selections + " }" + f" # variant {variant}"


async def test_the_plan_cache_holds_a_few_megabytes_at_most_whatever_the_queries() -> None:
    async with running_sandbox() as sandbox:
        settings = settings_for(sandbox, gateway_compiled_execution=True, strigo_rate_per_minute=10**9)
        async with running_gateway(settings) as gateway:
            first = await gateway.query(_query(-1))
            assert "errors" not in first, first  # within every limit of the gateway
            gc.collect()
            tracemalloc.start()
            try:
                before = tracemalloc.take_snapshot()
                for variant in range(PLANS_MEASURED):
                    answer = await gateway.query(_query(variant))
                    assert "errors" not in answer
                gc.collect()
                after = tracemalloc.take_snapshot()
            finally:
                tracemalloc.stop()
    execution = [tracemalloc.Filter(True, "*/gateway/execution/*")]
    grown = sum(
        stat.size_diff
        for stat in after.filter_traces(execution).compare_to(before.filter_traces(execution), "filename")
    )
    per_plan = grown / PLANS_MEASURED
    # Measured: ~1.4 MB a plan (generated runners, completions, sites), ~180 MB for a full cache.
    assert per_plan * DEFAULT_MAX_PLANS < 32 * 2**20, f"{per_plan / 2**20:.2f} MiB a plan"
