"""The garbage collector tuned for a long-running server, once the process has started up.

Everything start-up built (the schema, the compiled plans' machinery, the provider clients,
imported modules) lives as long as the process: `gc.freeze()` moves it out of the collector's
sight, so a full collection walks only what requests allocated since, not the whole heap again
(those walks were the longest event-loop blocks under large responses, bench/README.md).

The young-generation threshold stays CPython's (700): raising it to 10,000 made collections rarer
but let cyclic garbage (tasks, futures, exceptions with their frames) live longer, and peak RSS
rose by a fifth over the HTTP benchmark (bench/README.md).

Full collections come after every second middle-generation one instead of every tenth. A request's
objects live through several young collections and so reach the oldest generation before they die,
and some of them die in reference cycles (graphql-core's execution context and its resolve-info
helpers hold each other, and through the context the request's loaders and upstream replies): only
a full collection frees them. With CPython's 10, some 45,000 such objects piled up between full
collections under S2/S3 and peak RSS rose by ~18 MiB (issue 14); with 2, ~12,000, and each full
collection, which walks only what is not frozen, pauses the event loop ~8 ms instead of ~25-45 ms.
CPython's own rule still holds a full collection back until a quarter of the long-lived heap is
new, so a heap that grows (caches) is not walked over and over.
"""

from __future__ import annotations

import gc

#: Middle-generation collections per full collection (CPython's default: 10).
FULL_COLLECTION_EVERY = 2

_settled = False


def settle_after_startup() -> None:
    """Collect once, freeze what survives, collect fully more often; only the first call acts."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
