"""The garbage collector tuned for a long-running server, once the process has started up.

Everything start-up built (the schema, the compiled plans' machinery, the provider clients,
imported modules) lives as long as the process: `gc.freeze()` moves it out of the collector's
sight, so a full collection walks only what requests allocated since, not the whole heap again
(those walks were the longest event-loop blocks under large responses, bench/README.md).

The young-generation threshold stays CPython's (700): raising it to 10,000 made collections rarer
but let cyclic garbage (tasks, futures, exceptions with their frames) live longer, and peak RSS
rose by a fifth over the HTTP benchmark (bench/README.md).
"""

from __future__ import annotations

import gc

_settled = False


def settle_after_startup() -> None:
    """Collect once and freeze what survives; only the first call acts."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
