"""The garbage collector tuned for a long-running server, once the process has started up.

Everything start-up built (the schema, its compiled plans' machinery, the provider clients,
imported modules) lives as long as the process: `gc.freeze()` moves it out of the collector's
sight, so a full collection walks only what requests allocated since, not the whole heap again
(those walks were the longest event-loop blocks under large responses, bench/README.md). A larger
first-generation threshold makes the young collections, which a request of thousands of objects
triggers by the hundred, fewer and each one's fixed cost rarer.
"""

from __future__ import annotations

import gc

#: Container allocations (net) between young collections; CPython's default is 700.
GEN0_THRESHOLD = 10_000

_settled = False


def settle_after_startup() -> None:
    """Collect once, freeze what survives, raise the young threshold; only the first call acts."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
